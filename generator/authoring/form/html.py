"""HTML for the local form, generated from the schema tree: one input per field, Chinese labels.

Everything interpolated is escaped.  Lists of objects (执法文书, 检查表 …) get a
few blank rows; empty rows are dropped on submit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from html import escape
from typing import Any

from generator.authoring.tree import Node

ROWS = 3  # blank rows offered for a list of objects
SKIPPED = {("id",), ("events",), ("evidence",)}
SELF_FILLED = "（留空则自动生成或采用建议值）"

STYLE = """
body{font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;max-width:56rem;margin:1rem auto;padding:0 1rem;line-height:1.5}
label{display:block;font-weight:600;margin-top:.8rem}
small{display:block;color:#555}
input,select,textarea{width:100%;box-sizing:border-box;padding:.3rem;font:inherit}
textarea{min-height:4rem}
fieldset{margin-top:1rem;border:1px solid #bbb}
.tag{font-weight:400;color:#a33;font-size:.85em}
.tag.pub{color:#265}
.err{background:#fee;border:1px solid #c33;padding:.5rem 1rem}
.ok{background:#efe;border:1px solid #393;padding:.5rem 1rem}
pre{background:#f6f6f6;padding:.5rem;overflow:auto}
button{margin-top:1rem;padding:.5rem 1.5rem;font-size:1rem}
nav a{margin-right:1rem}
"""

SEARCH_JS = """
document.querySelectorAll('input[data-ref]').forEach(function(box){
  box.addEventListener('input', function(){
    var parts = box.value.split(/[,，、]/); var q = parts[parts.length-1].trim();
    if (q.length < 1) return;
    fetch('/search?kind=' + encodeURIComponent(box.dataset.ref) + '&q=' + encodeURIComponent(q))
      .then(function(r){ return r.json(); }).then(function(rows){
        var list = document.getElementById(box.getAttribute('list')); list.innerHTML = '';
        rows.forEach(function(row){
          var o = document.createElement('option');
          parts[parts.length-1] = row.id; o.value = parts.join(',');
          o.label = row.label; list.appendChild(o);
        });
      });
  });
});
"""


def page(title: str, body: str) -> str:
    return (
        "<!doctype html><html lang=zh-CN><head><meta charset=utf-8>"
        '<meta name=viewport content="width=device-width,initial-scale=1">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>"
        '<nav><a href="/">首页</a><a href="/step">整改、复查、销号</a></nav>'
        f"<h1>{escape(title)}</h1>{body}<script>{SEARCH_JS}</script></body></html>"
    )


def name_of(path: Sequence[str]) -> str:
    return ".".join(path)


def _tag(node: Node) -> str:
    if node.public:
        return '<span class="tag pub">【公开】</span>'
    return '<span class="tag">【不公开】</span>'


def _input(node: Node, name: str, value: str) -> str:
    attrs = f'name="{escape(name)}" id="{escape(name)}"'
    enum = node.enum
    if enum:
        options = ['<option value="">（请选择）</option>']
        options += [
            f"<option{' selected' if str(v) == value else ''}>{escape(str(v))}</option>"
            for v in enum
        ]
        return f"<select {attrs}>{''.join(options)}</select>"
    if node.shape == "boolean":
        choices = [("", "（不填）"), ("是", "是"), ("否", "否")]
        rendered = "".join(
            f'<option value="{v}"{" selected" if v == value else ""}>{t}</option>'
            for v, t in choices
        )
        return f"<select {attrs}>{rendered}</select>"
    ref = node.ref or (node.item.ref if node.item is not None else None)
    if ref:
        return (
            f'<input {attrs} value="{escape(value)}" data-ref="{escape(ref)}" '
            f'list="list-{escape(name)}" autocomplete="off" placeholder="输入编号或名称的一部分">'
            f'<datalist id="list-{escape(name)}"></datalist>'
        )
    if node.shape == "date":
        return f'<input type="date" {attrs} value="{escape(value)}">'
    if node.shape in ("integer", "number"):
        return f'<input type="number" step="any" {attrs} value="{escape(value)}">'
    if int(node.schema.get("maxLength") or 0) > 200:
        return f"<textarea {attrs}>{escape(value)}</textarea>"
    return f'<input {attrs} value="{escape(value)}">'


def _checkboxes(node: Node, name: str, values: Iterable[str]) -> str:
    chosen = set(values)
    assert node.item is not None
    boxes = [
        f'<label style="display:inline;font-weight:400;margin-right:1rem">'
        f'<input type="checkbox" style="width:auto" name="{escape(name)}" value="{escape(str(v))}"'
        f"{' checked' if str(v) in chosen else ''}> {escape(str(v))}</label>"
        for v in node.item.enum
    ]
    return "<div>" + "".join(boxes) + "</div>"


def render_fields(
    nodes: Iterable[Node], values: Mapping[str, list[str]], prefix: Sequence[str] = ()
) -> str:
    out = []
    for node in nodes:
        path = (*prefix, node.name)
        if tuple(path) in SKIPPED:
            continue
        name = name_of(path)
        help_text = f"<small>{escape(node.description)}</small>" if node.description else ""
        head = f'<label for="{escape(name)}">{escape(node.title)} {_tag(node)}</label>{help_text}'
        if node.shape == "object":
            inner = render_fields(node.children, values, path)
            out.append(
                f"<fieldset><legend>{escape(node.title)} {_tag(node)}</legend>{help_text}{inner}</fieldset>"
            )
        elif node.shape == "array" and node.item is not None and node.item.shape == "object":
            rows = [
                f"<fieldset><legend>第 {i + 1} 项</legend>"
                f"{render_fields(node.item.children, values, (*path, str(i)))}</fieldset>"
                for i in range(ROWS)
            ]
            out.append(
                f"<fieldset><legend>{escape(node.title)} {_tag(node)}</legend>{help_text}"
                f"<small>空着的项不会保存。</small>{''.join(rows)}</fieldset>"
            )
        elif node.shape == "array" and node.item is not None and node.item.enum:
            out.append(head + _checkboxes(node, name, values.get(name, [])))
        else:
            value = (values.get(name) or [""])[0]
            hint = "<small>多项用逗号分隔。</small>" if node.shape == "array" else ""
            out.append(head + hint + _input(node, name, value))
    return "".join(out)


def record_form(
    tree: Node,
    values: Mapping[str, list[str]],
    token: str,
    errors: Sequence[str] = (),
    evidence: bool = False,
) -> str:
    body = []
    if errors:
        items = "".join(f"<li>{escape(e)}</li>" for e in errors)
        body.append(f'<div class="err"><p>请修改以下问题后再保存：</p><ul>{items}</ul></div>')
    body.append(f"<p>{escape(tree.description)}</p><p>编号、整改期限等{SELF_FILLED}。</p>")
    body.append(
        f'<form method="post" enctype="multipart/form-data">'
        f'<input type="hidden" name="_token" value="{escape(token)}">'
    )
    body.append(render_fields(tree.children, values))
    if evidence:
        body.append(
            '<label for="_evidence">证据文件 <span class="tag">【不公开】</span></label>'
            "<small>照片中的人脸、证件、车牌等个人信息由提交人负责打码后再上传。</small>"
            '<input type="file" id="_evidence" name="_evidence" multiple>'
        )
    body.append("<button>保存并校验</button></form>")
    return page(f"新建{tree.title}", "".join(body))


def result_page(
    title: str, ok: bool, message: str, text: str = "", problems: Sequence[str] = ()
) -> str:
    box = "ok" if ok else "err"
    parts = [f'<div class="{box}"><p>{escape(message)}</p>']
    if problems:
        parts.append("<ul>" + "".join(f"<li>{escape(p)}</li>" for p in problems) + "</ul>")
    parts.append("</div>")
    if text:
        parts.append(f"<h2>记录内容</h2><pre>{escape(text)}</pre>")
    return page(title, "".join(parts))


def index_page(kinds: Sequence[tuple[str, str]]) -> str:
    links = "".join(
        f'<li><a href="/new/{escape(kind)}">新建{escape(title)}</a>（{escape(kind)}）</li>'
        for kind, title in kinds
    )
    return page(
        "安监记录填写",
        f'<ul>{links}</ul><p><a href="/step">给隐患追加整改、复查、销号</a></p>'
        "<p>本页面只在本机运行。保存后记录写入本机的记录库，并按与合并请求相同的规则校验；"
        "之后按页面提示提交并发起合并请求。</p>",
    )


STEP_ACTIONS = {
    "start": "开始整改",
    "rectified": "整改完成（附两照一表）",
    "progress": "进展报告",
    "assessed": "评估（重大隐患，填机构）",
    "pass": "复查通过",
    "fail": "复查不通过（填原因）",
    "close": "销号（重大隐患填验收机构，先记录验收）",
}


def step_form(token: str, values: Mapping[str, str], errors: Sequence[str] = ()) -> str:
    def field(name: str, title: str, kind: str = "text", extra: str = "") -> str:
        value = escape(values.get(name, ""))
        return (
            f'<label for="{name}">{title}</label>'
            f'<input type="{kind}" id="{name}" name="{name}" value="{value}" {extra}>'
        )

    options = "".join(
        f'<option value="{k}"{" selected" if values.get("action") == k else ""}>{escape(v)}</option>'
        for k, v in STEP_ACTIONS.items()
    )
    body = []
    if errors:
        items = "".join(f"<li>{escape(e)}</li>" for e in errors)
        body.append(f'<div class="err"><ul>{items}</ul></div>')
    body.append(
        '<form method="post" enctype="multipart/form-data">'
        f'<input type="hidden" name="_token" value="{escape(token)}">'
        + field(
            "hazard",
            "隐患编号",
            extra='required data-ref="hazard" list="list-hazard" autocomplete="off"',
        )
        + '<datalist id="list-hazard"></datalist>'
        + f'<label for="action">步骤</label><select id="action" name="action">{options}</select>'
        + field("date", "日期（留空为今天）", "date")
        + field(
            "by",
            "经办人员（编号或姓名；复查通过、销号必填）",
            extra='data-ref="staff" list="list-by"',
        )
        + '<datalist id="list-by"></datalist>'
        + field("reason", "原因（复查不通过必填）")
        + field("body", "机构（评估、验收）")
        + field("note", "对外公开的说明（不要写个人信息）")
        + field("document_no", "文号")
        + '<label for="_evidence">证据文件（整改完成须两照一表，至少 2 个）</label>'
        "<small>照片中的人脸、证件、车牌等个人信息由提交人负责打码。</small>"
        '<input type="file" id="_evidence" name="_evidence" multiple>'
        "<button>追加并校验</button></form>"
    )
    return page("给隐患追加整改、复查、销号", "".join(body))


def values_to_form(values: Mapping[str, Any]) -> dict[str, list[str]]:
    """Posted values back into the form's shape (to redisplay after an error)."""
    out: dict[str, list[str]] = {}
    for key, value in values.items():
        out[key] = [str(v) for v in value] if isinstance(value, list) else [str(value)]
    return out
