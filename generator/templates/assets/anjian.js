/* anjian portal: search (Pagefind's split index) and the directory filter (static posting lists).
   Pages work without this script; every value is inserted as text, never as HTML. */
(function () {
  "use strict";
  var LIMIT = 50;
  var SEARCH_LIMIT = 20;
  var pagefindPromise = null;

  function rootUrl(el) { return new URL(el.getAttribute("data-root") || "./", document.baseURI); }

  /* The index is in shards (pagefind/shards.json): load the first, merge the others. */
  function loadPagefind(root) {
    if (!pagefindPromise) {
      pagefindPromise = fetch(new URL("pagefind/shards.json", root).href).then(function (r) {
        if (!r.ok) throw new Error("search index missing");
        return r.json();
      }).then(function (listing) {
        var shards = listing.shards || [];
        if (!shards.length) throw new Error("search index empty");
        var base = function (s) { return new URL("pagefind/" + s + "/", root).href; };
        return import(base(shards[0]) + "pagefind.js").then(function (pf) {
          return pf.options({ baseUrl: root.pathname }).then(function () {
            return shards.slice(1).reduce(function (done, s) {
              return done.then(function () { return pf.mergeIndex(base(s), { baseUrl: root.pathname }); });
            }, Promise.resolve());
          }).then(function () { return pf; });
        });
      });
    }
    return pagefindPromise;
  }

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }

  /* Pagefind's excerpt marks hits with <mark>; rebuild it from text nodes only,
     parsing in an inert document (nothing in it can run). */
  function excerptNode(html) {
    var p = el("p");
    var doc = new DOMParser().parseFromString("<body>" + (html || "") + "</body>", "text/html");
    doc.body.childNodes.forEach(function (n) {
      if (n.nodeType === 1 && n.nodeName === "MARK") p.appendChild(el("mark", n.textContent));
      else p.appendChild(document.createTextNode(n.textContent || ""));
    });
    return p;
  }

  function initSearch(form) {
    var root = rootUrl(form);
    var input = form.querySelector("input[name=q]");
    var status = document.getElementById("aj-search-status");
    var list = document.getElementById("aj-results");
    var seq = 0;
    function run(query) {
      var mine = ++seq;
      list.replaceChildren();
      if (!query.trim()) { status.textContent = ""; return; }
      status.textContent = "正在搜索…";
      loadPagefind(root).then(function (pf) {
        return pf.search(query);
      }).then(function (found) {
        if (mine !== seq) return null;
        return Promise.all(found.results.slice(0, SEARCH_LIMIT).map(function (r) { return r.data(); }))
          .then(function (items) {
            if (mine !== seq) return;
            status.textContent = "找到 " + found.results.length + " 个结果" +
              (found.results.length > SEARCH_LIMIT ? "，显示前 " + SEARCH_LIMIT + " 个" : "");
            items.forEach(function (d) {
              var li = el("li");
              var a = el("a", d.meta && d.meta.title ? d.meta.title : d.url);
              a.href = d.url;
              li.appendChild(a);
              if (d.meta && d.meta.town) {
                li.appendChild(el("div", [d.meta.town, d.meta.industry, d.meta.risk ? "风险" + d.meta.risk : ""].filter(Boolean).join(" · "), "aj-result-meta"));
              }
              li.appendChild(excerptNode(d.excerpt));
              list.appendChild(li);
            });
          });
      }).catch(function () {
        if (mine === seq) status.textContent = "搜索暂时不可用。可在企业名录中按乡镇浏览。";
      });
    }
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var q = input.value;
      history.replaceState(null, "", "?q=" + encodeURIComponent(q));
      run(q);
    });
    var initial = new URLSearchParams(location.search).get("q");
    if (initial) { input.value = initial; run(initial); }
  }

  /* The directory filter: intersect the posting lists of the chosen values
     (static JSON from directory-index/), then fetch only the row shards needed. */
  function initDirectory(form) {
    var indexUrl = new URL(form.getAttribute("data-index"), document.baseURI);
    var table = document.getElementById("aj-directory");
    var body = table.tBodies[0];
    var original = Array.prototype.slice.call(body.rows);
    var labels = Array.prototype.map.call(table.tHead.rows[0].cells, function (th) { return th.textContent; });
    var status = form.querySelector(".aj-filter-status");
    var pager = document.querySelector(".aj-pager");
    var cache = {};
    var seq = 0;
    form.hidden = false;

    function fetchJSON(name) {
      var url = new URL(name, indexUrl).href;
      if (!cache[url]) {
        cache[url] = fetch(url).then(function (r) {
          if (!r.ok) throw new Error(r.status + " " + url);
          return r.json();
        });
      }
      return cache[url];
    }
    function intersect(lists) {
      lists.sort(function (a, b) { return a.length - b.length; });
      var out = lists[0];
      for (var i = 1; i < lists.length; i++) {
        var other = lists[i], kept = [], j = 0;
        for (var k = 0; k < out.length; k++) {
          while (j < other.length && other[j] < out[k]) j++;
          if (j < other.length && other[j] === out[k]) kept.push(out[k]);
        }
        out = kept;
      }
      return out;
    }
    function riskBadge(colour) {
      var map = { "红": "red", "橙": "orange", "黄": "yellow", "蓝": "blue" };
      return el("span", colour, "aj-risk aj-risk-" + (map[colour] || "other"));
    }
    function row(cells, root) {
      var tr = el("tr");
      tr.setAttribute("data-town", cells[2]);
      tr.setAttribute("data-industry", cells[3]);
      tr.setAttribute("data-risk", cells[4]);
      var name = el("td"), a = el("a", cells[1]);
      a.href = new URL(cells[0], root).href;
      name.appendChild(a);
      tr.appendChild(name);
      tr.appendChild(el("td", cells[2]));
      tr.appendChild(el("td", cells[3]));
      var risk = el("td"); risk.appendChild(riskBadge(cells[4])); tr.appendChild(risk);
      tr.appendChild(el("td", cells[5]));
      tr.appendChild(el("td", cells[6]));
      Array.prototype.forEach.call(tr.cells, function (td, i) {
        if (labels[i]) td.setAttribute("data-label", labels[i]);
      });
      return tr;
    }
    function localFilter(v) {
      var shown = 0;
      original.forEach(function (tr) {
        var ok = (!v.town || tr.getAttribute("data-town") === v.town) &&
          (!v.industry || tr.getAttribute("data-industry") === v.industry) &&
          (!v.risk || tr.getAttribute("data-risk") === v.risk);
        tr.hidden = !ok;
        if (ok) shown++;
      });
      status.textContent = "本页符合条件的企业 " + shown + " 家（筛选索引不可用，只筛选本页）";
    }
    function restore() {
      body.replaceChildren.apply(body, original);
      original.forEach(function (tr) { tr.hidden = false; });
      if (pager) pager.hidden = false;
    }
    function apply() {
      var v = { town: form.elements.town.value, industry: form.elements.industry.value, risk: form.elements.risk.value };
      var mine = ++seq;
      if (!v.town && !v.industry && !v.risk) { restore(); status.textContent = ""; return; }
      status.textContent = "正在筛选…";
      fetchJSON("index.json").then(function (index) {
        var root = new URL("../", indexUrl);
        var names = ["town", "industry", "risk"].filter(function (k) { return v[k]; }).map(function (k) {
          return index.facets[k][v[k]];
        });
        if (names.some(function (n) { return !n; })) return { index: index, root: root, hits: [] };
        return Promise.all(names.map(fetchJSON)).then(function (lists) {
          return { index: index, root: root, hits: intersect(lists.map(function (l) { return l.slice(); })) };
        });
      }).then(function (found) {
        var first = found.hits.slice(0, LIMIT);
        var shards = [];
        first.forEach(function (p) {
          var s = Math.floor(p / found.index.shard);
          if (shards.indexOf(s) < 0) shards.push(s);
        });
        return Promise.all(shards.map(function (s) { return fetchJSON("rows-" + s + ".json"); })).then(function (parts) {
          if (mine !== seq) return;
          var rows = first.map(function (p) {
            var s = Math.floor(p / found.index.shard);
            return parts[shards.indexOf(s)][p - s * found.index.shard];
          });
          body.replaceChildren.apply(body, rows.map(function (cells) { return row(cells, found.root); }));
          if (pager) pager.hidden = true;
          status.textContent = "符合条件的企业 " + found.hits.length + " 家" +
            (found.hits.length > LIMIT ? "，显示前 " + LIMIT + " 家（可下载开放数据查看全部）" : "");
        });
      }).catch(function () {
        if (mine !== seq) return;
        restore();
        localFilter(v);
      });
    }
    form.addEventListener("change", apply);
    form.addEventListener("submit", function (ev) { ev.preventDefault(); apply(); });
  }

  function init() {
    var search = document.getElementById("aj-search");
    if (search) initSearch(search);
    var filter = document.getElementById("aj-filter");
    if (filter && document.getElementById("aj-directory")) initDirectory(filter);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
