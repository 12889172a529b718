"""Hostile text: the XSS payload list, the Big List of Naughty Strings, and our own.

``all_payloads()`` is every payload, deduplicated, each with its source;
``sample()`` picks a deterministic subset for the fast run (the same every
time, spread over the whole of each list).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data"
XSS = DATA / "xss-payloads/xss-payloads.txt"
BLNS = DATA / "naughty-strings/blns.json"

# ours: text that could only do harm if something between the record and the
# page treated it as Markdown or as a template (MkDocs renders Markdown pages)
STRUCTURAL = [
    "第一段。\n\n[点我](javascript:alert(1))\n\n![x](http://evil.example/x.png)",
    "一\n\n# 标题 {: onmouseover=alert(1) }\n\n*强调*",
    "</div></td></tr></table><script>alert(1)</script>",
    "<!-- 注释未闭合",
    "]]></summary><script>alert(1)</script>",
    "{{ 7*7 }}{% raw %}{{ config }}{% endraw %}",
    "---\ntitle: <script>alert(1)</script>\n---",
    "    缩进的代码块 <img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">点我</a>',
    "&lt;script&gt;alert(1)&lt;/script&gt; 已转义的文字",
    "\u202egnp.exe 反向文字",
    '=HYPERLINK("http://evil.example","点我")',
]


@dataclass(frozen=True)
class Payload:
    source: str  # xss / blns / ours
    number: int  # position in its list
    text: str


def _xss() -> list[str]:
    return XSS.read_text(encoding="utf-8", errors="replace").splitlines()


def _blns() -> list[str]:
    data = json.loads(BLNS.read_text(encoding="utf-8"))
    return [s for s in data if isinstance(s, str)]


def all_payloads() -> list[Payload]:
    seen: set[str] = set()
    out: list[Payload] = []
    for source, texts in (("xss", _xss()), ("blns", _blns()), ("ours", STRUCTURAL)):
        for number, text in enumerate(texts):
            if text.strip() and text not in seen:
                seen.add(text)
                out.append(Payload(source, number, text))
    return out


def sample(size: int = 200, seed: int = 9) -> list[Payload]:
    """About ``size`` payloads: every one of ours, the rest from each list by its share."""
    every = all_payloads()
    ours = [p for p in every if p.source == "ours"]
    rest = [p for p in every if p.source != "ours"]
    picked = random.Random(seed).sample(rest, size - len(ours))
    return ours + sorted(picked, key=lambda p: (p.source, p.number))
