"""Chromium as a hostile-text detector: a page that records everything a payload could do.

- an init script, run before any page script, replaces ``alert``, ``confirm``,
  ``prompt``, ``print`` and ``open`` with recorders (``window.__aj_hits``) —
  nearly every payload of the lists calls one of them when it runs;
- native dialogs are counted too (``page.on("dialog")``, a frame the init
  script missed), and uncaught page errors;
- every request is routed: anything not for the local server is aborted and
  recorded (a payload that loads an image, a script or a frame from elsewhere);
- after each page load an audit of the DOM lists markup no template makes:
  inline event handlers, ``javascript:`` URLs, frames, objects, unknown inline
  scripts, and any image, SVG, media or style element inside the portal's own
  content (``.aj``).
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

INIT_SCRIPT = """
(() => {
  const hits = [];
  Object.defineProperty(window, "__aj_hits", { value: hits });
  const note = (name) => function (...args) {
    hits.push(name + ":" + String(args[0]).slice(0, 80));
    return name === "confirm" ? false : name === "prompt" ? null : undefined;
  };
  for (const name of ["alert", "confirm", "prompt", "print", "open"]) {
    try { window[name] = note(name); } catch (e) { hits.push("hook-failed:" + name); }
  }
})();
"""

# inline scripts of the theme (mkdocs-material), recognised by how they start
THEME_SCRIPTS = ("__md_scope=", "var palette=", "var target=")

AUDIT = r"""
() => {
  const found = [];
  const bad = /^\s*(javascript|vbscript|data:text\/html|data:image\/svg)/i;
  const origin = location.origin;
  for (const el of document.querySelectorAll("*")) {
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      if (name.startsWith("on")) found.push("handler " + el.tagName + "[" + name + "]");
      if (["href", "src", "action", "formaction", "data", "xlink:href", "srcdoc", "background",
           "poster", "lowsrc", "dynsrc"].includes(name) && bad.test(attr.value)) {
        found.push("url " + el.tagName + "[" + name + "]=" + attr.value.slice(0, 60));
      }
    }
  }
  for (const el of document.querySelectorAll(
      "iframe, frame, frameset, object, embed, applet, base, portal, meta[http-equiv]," +
      " link[rel=import]")) {
    found.push("element " + el.tagName);
  }
  for (const s of document.querySelectorAll("script")) {
    if (s.src) {
      if (!s.src.startsWith(origin + "/")) found.push("script src " + s.src.slice(0, 80));
    } else if (s.type === "application/json" && s.id === "__config") {
      continue;
    } else if (!THEME.some((p) => s.textContent.startsWith(p))) {
      found.push("inline script " + s.textContent.slice(0, 60));
    }
  }
  for (const el of document.querySelectorAll(
      ".aj img, .aj svg, .aj math, .aj video, .aj audio, .aj source, .aj picture, .aj style," +
      " .aj script, .aj link, .aj meta, .aj template, .aj textarea, .aj marquee, .aj image," +
      " .aj xmp, .aj plaintext, .aj isindex, .aj frame, .aj body, .aj html, .aj head")) {
    found.push("in content " + el.tagName);
  }
  for (const a of document.querySelectorAll(".aj a[href]")) {
    const url = new URL(a.getAttribute("href"), location.href);
    if (url.origin !== origin && !url.href.startsWith("https://specs.frictionlessdata.io/")) {
      found.push("link out " + url.href.slice(0, 80));
    }
  }
  return { found, hits: window.__aj_hits ? [...window.__aj_hits] : ["no-init-script"],
           text: document.body ? document.body.innerText : "" , url: location.href };
}
""".replace("THEME", repr(list(THEME_SCRIPTS)))


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # the browser leaving a page mid-response is not news


@contextmanager
def serve(site: Path) -> Iterator[str]:
    """The built site over HTTP on 127.0.0.1 (a random port), as a base URL."""
    handler = functools.partial(_Quiet, directory=str(site))
    server = _Server(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Findings:
    pages: int = 0
    dialogs: list[str] = field(default_factory=list)
    hits: list[str] = field(default_factory=list)  # recorded alert/confirm/prompt/print/open
    outside: list[str] = field(default_factory=list)  # requests that would have left the site
    errors: list[str] = field(default_factory=list)  # uncaught page errors
    markup: list[str] = field(default_factory=list)  # the DOM audit
    moved: list[str] = field(default_factory=list)  # pages that navigated away

    def clean(self) -> bool:
        return not (
            self.dialogs or self.hits or self.outside or self.errors or self.markup or self.moved
        )

    def summary(self) -> dict[str, Any]:
        return {
            "pages": self.pages,
            "dialogs": len(self.dialogs),
            "script_calls": len(self.hits),
            "requests_out": len(self.outside),
            "page_errors": len(self.errors),
            "injected_markup": len(self.markup),
            "navigated_away": len(self.moved),
        }


class Guarded:
    """One browser context with the init script, the request guard and the audit."""

    def __init__(self, browser: Any, base: str) -> None:
        self.base = base
        self.findings = Findings()
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.context.add_init_script(INIT_SCRIPT)
        # only requests for anywhere but the local server reach the handler
        self.context.route(re.compile("^(?!" + re.escape(base) + ")"), self._route)
        self.page = self.context.new_page()
        self.page.on("dialog", self._dialog)
        self.page.on("pageerror", lambda e: self.findings.errors.append(str(e)[:200]))

    def _route(self, route: Any) -> None:
        self.findings.outside.append(route.request.url[:120])
        route.abort()

    def _dialog(self, dialog: Any) -> None:
        self.findings.dialogs.append(f"{dialog.type}:{dialog.message[:80]}")
        dialog.dismiss()

    def visit(self, path: str, *, wait: str = "load") -> dict[str, Any]:
        """Open a page, let it settle, audit it; returns the audit (with ``text``)."""
        url = self.base + path
        self.page.goto(url, wait_until=wait)
        return self.audit(url)

    def audit(self, url: str) -> dict[str, Any]:
        result: dict[str, Any] = self.page.evaluate(AUDIT)
        self.findings.pages += 1
        self.findings.hits += [f"{url}: {h}" for h in result["hits"]]
        self.findings.markup += [f"{url}: {m}" for m in result["found"]]
        if _page_of(result["url"]) != _page_of(url):
            self.findings.moved.append(f"{url} → {result['url']}")
        return result

    def close(self) -> None:
        self.context.close()


def _page_of(url: str) -> str:
    return unquote(url.split("#")[0].split("?")[0])


def plain(text: str) -> str:
    """Text as compared with a page's innerText: no whitespace, controls or format characters."""
    return "".join(
        c for c in text if not c.isspace() and unicodedata.category(c) not in {"Cc", "Cf", "Cs"}
    )
