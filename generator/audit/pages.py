"""HTML of the public audit pages: Jinja with autoescape and StrictUndefined.

The pages are plain static HTML written beside the portal (``site/audit/``),
not MkDocs pages: there is one per published record, and none of them carries
the portal's navigation.  Templates live here as text so they ship with the
package; they receive public values only.
"""

from __future__ import annotations

from typing import Any

import jinja2

_BASE = """<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<style>
body{font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222;line-height:1.6}
table{border-collapse:collapse;width:100%;margin:1rem 0}th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}
code{font-family:ui-monospace,monospace;word-break:break-all}.muted{color:#666}.old{color:#a00}.new{color:#060}
</style>
</head>
<body>
<p><a href="{{ home }}">返回信息公示首页</a> · <a href="{{ audit_home }}">审计日志</a></p>
<h1>{{ title }}</h1>
{% block body %}{% endblock %}
</body>
</html>
"""

_INDEX = """{% extends "base.html" %}
{% block body %}
<p>本页公示记录库的审计日志：每一次合入主分支的记录修改一条，按顺序用哈希首尾相接。
任何人都可以用记录库的克隆运行 <code>anjian audit verify --against {{ log_name }}</code> 核对：
已发布的日志必须是按现有历史重建的日志的前缀，历史一旦被改写即可发现。</p>
<table>
<tr><th>最新条目哈希</th><td><code>{{ head.head }}</code></td></tr>
<tr><th>条目数</th><td>{{ head.entries }}</td></tr>
<tr><th>最新提交</th><td><code>{{ head.commit or "—" }}</code></td></tr>
<tr><th>审计起点</th><td><code>{{ head.epoch or "全部历史" }}</code></td></tr>
<tr><th>数据文件</th><td><a href="{{ log_name }}">{{ log_name }}</a>（每行一条，JSON）· <a href="head.json">head.json</a></td></tr>
</table>
<p class="muted">已不再公示的记录（公示期满的处罚、已移出的失信名单等）在日志中只保留不可反推的摘要，不显示编号。</p>
<h2>最近的修改</h2>
{% if entries %}{% include "entries.html" %}{% else %}
<p>审计起点之后还没有合入的记录修改：起点之前的记录（例如启用本系统时导入的记录）不在日志中，之后每一次合入都会在这里登记。</p>
{% endif %}
{% if pages %}
<h2>全部条目</h2>
<p>{% for page in pages %}<a href="{{ page.href }}">第 {{ page.first }}–{{ page.last }} 条</a>{% if not loop.last %} · {% endif %}{% endfor %}</p>
{% if older %}<p class="muted">更早的 {{ older }} 页（从 log/1.html 起）可从上面最早一页的“上一页”依次查看。</p>{% endif %}
{% endif %}
{% endblock %}
"""

_ENTRIES = """<table>
<tr><th>序号</th><th>时间</th><th>提交</th><th>修改人</th><th>复核</th><th>记录</th></tr>
{% for e in entries %}
<tr>
<td>{{ e.seq }}</td><td>{{ e.time }}</td><td><code>{{ e.commit[:12] }}</code></td>
<td>{{ e.authors | join("、") }}</td>
<td>{% for a in e.approvals %}{{ a }}{% if not loop.last %}<br>{% endif %}{% endfor %}</td>
<td>{% for r in e.records %}<a href="{{ r.href }}">{{ r.id }}</a>（{{ r.change }}）{% if not loop.last %}<br>{% endif %}{% endfor %}
{% if e.more %}<br><span class="muted">等 {{ e.records | length + e.more }} 条公示记录（全部记录见 log.jsonl 第 {{ e.seq }} 条）</span>{% endif %}
{% if e.hidden %}{% if e.records %}<br>{% endif %}<span class="muted">另有 {{ e.hidden }} 条记录不公示</span>{% endif %}</td>
</tr>
{% endfor %}
</table>
"""

_LOG_PAGE = """{% extends "base.html" %}
{% block body %}
{% include "entries.html" %}
<p>{% if previous %}<a href="{{ previous }}">上一页（更早）</a>{% endif %}
{% if previous and following %} · {% endif %}
{% if following %}<a href="{{ following }}">下一页（更新）</a>{% endif %}</p>
{% endblock %}
"""

_RECORD = """{% extends "base.html" %}
{% block body %}
<p>{{ kind_title }} <code>{{ record_id }}</code> 的修改历史（只列公开字段）。</p>
{% for e in events %}
<h2>{{ e.time }} · {{ e.change }}</h2>
<p>审计日志第 {{ e.seq }} 条 · 提交 <code>{{ e.commit[:12] }}</code> · 修改人：{{ e.authors | join("、") }}
{% if e.approvals %} · 复核：{{ e.approvals | join("；") }}{% endif %}</p>
{% if e.fields %}
<table>
<tr><th>字段</th><th>原值</th><th>新值</th></tr>
{% for f in e.fields %}
<tr><td>{{ f.title }}</td><td class="old">{{ f.old }}</td><td class="new">{{ f.new }}</td></tr>
{% endfor %}
</table>
{% endif %}
{% endfor %}
{% endblock %}
"""

TEMPLATES = {
    "base.html": _BASE,
    "index.html": _INDEX,
    "entries.html": _ENTRIES,
    "log.html": _LOG_PAGE,
    "record.html": _RECORD,
}


def make_env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.DictLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render(env: jinja2.Environment, name: str, **context: Any) -> str:
    return env.get_template(name).render(**context)
