"""Every page of the portal as a value: source path, template, title, context.

Only the section indexes are in the navigation; per-enterprise pages and the
numbered pages of long lists are not (MkDocs copies the navigation into every
page, so a navigation that grew with the corpus would make every page grow).
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from generator.derive.blacklist.policy_rules import repair_after_months, term_years
from generator.derive.blacklist.public import entry_row
from generator.derive.lifecycle import CLOSED, STATES
from generator.render.model import Portal, Row
from generator.render.paginate import Pager, first_page, split

DIRECTORY_ROWS = 100
LIST_ROWS = 50
PAGE_BUDGET = 60_000  # bytes of row data per list page (the HTML stays < 100 KB)
ENTERPRISE_BUDGET = 45_000  # bytes of hazard/inspection rows on one enterprise page
RISK_COLOURS = ("红", "橙", "黄", "蓝")


@dataclass
class Page:
    src: str
    template: str
    title: str
    context: dict[str, Any] = field(default_factory=dict)
    indexed: bool = False  # searchable (Pagefind indexes only these)
    heading: str | None = None  # the page's h1 when it differs from its title
    # what ``context`` is made from by ``shape``, when that is cheaper to digest than to
    # make: a page whose inputs did not change is then not made at all (an enterprise
    # page's first page of hazards is weighed only when the page is rendered)
    inputs: dict[str, Any] | None = None
    shape: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    # ``inputs`` made only when the page is rendered, and what its key digests meanwhile:
    # what they are made from, in short (an enterprise page's rows by their digests)
    make_inputs: Callable[[], dict[str, Any]] | None = None
    digested: dict[str, Any] | None = None

    def made_inputs(self) -> dict[str, Any] | None:
        """``inputs``, made the first time they are asked for."""
        if self.inputs is None and self.make_inputs is not None:
            self.inputs = self.make_inputs()
            self.make_inputs = None
        return self.inputs

    def resolved(self) -> dict[str, Any]:
        """The template's context (made from ``inputs`` the first time it is asked for)."""
        inputs = self.made_inputs()
        if self.shape is not None and inputs is not None:
            self.context = self.shape(inputs)
            self.shape = None
        return self.context

    @property
    def key_source(self) -> dict[str, Any]:
        """What the page is made from: ``digested``, else its inputs, else its context."""
        if self.digested is not None:
            return self.digested
        inputs = self.made_inputs()
        return inputs if inputs is not None else self.context


NAV: list[tuple[str, str | list[tuple[str, str]]]] = [
    ("首页", "index.md"),
    ("企业名录", "enterprises/index.md"),
    ("结果公示", "disclosure/index.md"),
    (
        "隐患台账",
        [
            ("概况", "hazards/index.md"),
            ("重大隐患挂牌督办", "hazards/major/index.md"),
            ("逾期未整改", "hazards/overdue/index.md"),
        ],
    ),
    ("行政处罚公示", "penalties/index.md"),
    ("严重失信名单", "blacklist/index.md"),
    ("统计", "stats.md"),
    ("开放数据", "opendata.md"),
    ("搜索", "search.md"),
    (
        "关于",
        [
            ("如何举报隐患", "about/report.md"),
            ("方法说明", "about/methodology.md"),
            ("数据字典", "about/dictionary.md"),
        ],
    ),
]

NOT_IN_NAV = [
    "/enterprise/",
    "/enterprises/*",
    "/disclosure/*",
    "/hazards/*",
    "/penalties/*",
    "/blacklist/*",
]
BLACKLIST_ROWS = 20


def town_slug(town: str) -> str:
    if re.fullmatch(r"[\w\u4e00-\u9fff]{1,30}", town):
        return town
    return "t-" + hashlib.sha1(town.encode("utf-8")).hexdigest()[:10]


def enterprise_src(eid: str) -> str:
    return f"enterprise/{eid}.md"


def _hazard_row(portal: Portal, h: Row) -> Row:
    fact = portal.facts[str(h["id"])]
    return {
        **h,
        "enterprise_name": portal.enterprise_name(h.get("enterprise")),
        "state": fact.state,
        "closed_on": fact.closed_on.isoformat() if fact.closed_on else None,
        "overdue": fact.overdue,
        "days_overdue": fact.days_overdue,
        "due_soon": fact.due_soon,
        "department_name": portal.department_name(h.get("department")),
        "listing_by": portal.department_name((h.get("listing") or {}).get("by")),
    }


def _penalty_row(portal: Portal, p: Row) -> Row:
    return {
        **p,
        "enterprise_name": portal.enterprise_name(p.get("enterprise")),
        "department_name": portal.department_name(p.get("department")),
    }


def blacklist_rows(portal: Portal) -> list[Row]:
    """严重失信主体名单: the entries listed on the as-of date (never pending or ended ones)."""
    return [entry_row(e) for e in portal.blacklist]


def _disclosure_rows(portal: Portal) -> list[Row]:
    """结果公示: one row per (inspection, enterprise), newest first."""
    rows = []
    for ins in portal.inspections:
        if ins.get("kind") == "企业自查":
            continue
        found = portal.hazards_by_inspection.get(str(ins["id"]), [])
        fines = portal.penalties_by_inspection.get(str(ins["id"]), [])
        for eid in ins.get("enterprises") or []:
            mine = [h for h in found if h.get("enterprise") == eid]
            levels: dict[str, int] = {}
            for h in mine:
                level = str(h.get("level"))
                levels[level] = levels.get(level, 0) + 1
            deadlines = sorted(str(h.get("deadline")) for h in mine if h.get("deadline"))
            rows.append(
                {
                    "id": ins["id"],
                    "date": ins.get("date"),
                    "kind": ins.get("kind"),
                    "enterprise": eid,
                    "enterprise_name": portal.enterprise_name(eid),
                    "department": portal.department_name(ins.get("lead_department")),
                    "inspectors": [portal.staff_name(s) for s in ins.get("inspectors") or []],
                    "hazards": len(mine),
                    "levels": [(lvl, levels[lvl]) for lvl in sorted(levels)],
                    "closed": sum(portal.facts[str(h["id"])].state == CLOSED for h in mine),
                    "deadline": deadlines[-1] if deadlines else None,
                    "penalties": [
                        {"document_no": p.get("document_no"), "fine": p.get("fine")}
                        for p in fines
                        if p.get("enterprise") == eid
                    ],
                }
            )
    return rows


def _paged(
    base: str,
    template: str,
    title: str,
    rows: Sequence[Row],
    max_rows: int,
    extra: dict[str, Any] | None = None,
) -> Iterator[Page]:
    chunks = split(rows, max_rows, PAGE_BUDGET)
    for number, chunk in enumerate(chunks, start=1):
        pager = Pager(base, number, len(chunks))
        heading = title if number == 1 else f"{title}（第 {number} 页）"
        yield Page(
            pager.src,
            template,
            heading,
            {"rows": chunk, "pager": pager, "total": len(rows), **(extra or {})},
        )


# an enterprise page shows the first page of its hazards and of its inspections
SHOWN_HAZARDS = (100, ENTERPRISE_BUDGET)
SHOWN_INSPECTIONS = (50, ENTERPRISE_BUDGET // 3)


def _found(portal: Portal, inspection: Row, eid: str) -> int:
    """How many hazards the inspection found at the enterprise."""
    found = portal.hazards_by_inspection.get(str(inspection["id"]), [])
    return sum(1 for h in found if h.get("enterprise") == eid)


def _enterprise_inputs(portal: Portal, e: Row) -> dict[str, Any]:
    """Everything an enterprise page is made from, its lists whole (``_enterprise_shown``
    cuts them to what the page shows)."""
    eid = str(e["id"])
    hazards = [_hazard_row(portal, h) for h in portal.hazards_by_enterprise.get(eid, [])]
    inspections = portal.inspections_by_enterprise.get(eid, [])
    open_h = [h for h in hazards if h["state"] != CLOSED]
    return {
        "e": e,
        "department_name": portal.department_name(e.get("supervising_department")),
        "hazards": hazards,
        "hazard_total": len(hazards),
        "open_total": len(open_h),
        "overdue_total": sum(1 for h in hazards if h["overdue"]),
        "listed": [h for h in open_h if h.get("listing")],
        "inspections": [
            {
                **i,
                "department": portal.department_name(i.get("lead_department")),
                "found": _found(portal, i, eid),
            }
            for i in inspections
        ],
        "inspection_total": len(inspections),
        "penalties": [_penalty_row(portal, p) for p in portal.penalties_by_enterprise.get(eid, [])],
        "listings": portal.listings.get(eid, []),
        "self_reports": portal.self_report_status.get(eid, []),
        "town_src": f"enterprises/town/{town_slug(str(e.get('town')))}/index.md",
        "shown": [SHOWN_HAZARDS, SHOWN_INSPECTIONS],
    }


def _enterprise_shown(inputs: dict[str, Any]) -> dict[str, Any]:
    """The enterprise page's context: its inputs with the first page of each list."""
    context = {k: v for k, v in inputs.items() if k != "shown"}
    context["hazards"] = first_page(inputs["hazards"], *SHOWN_HAZARDS)
    context["inspections"] = first_page(inputs["inspections"], *SHOWN_INSPECTIONS)
    return context


def department_names(portal: Portal) -> Callable[[Any], str]:
    """``portal.department_name``, looked up once per department."""
    known = {did: portal.department_name(did) for did in portal.departments}
    get = known.get

    def name(did: Any) -> str:
        return get(str(did)) or portal.department_name(did)

    return name


def _enterprise_digested(
    portal: Portal, e: Row, dept: Callable[[Any], str]
) -> dict[str, Any] | None:
    """What ``_enterprise_inputs`` makes the page from, in short: each of its records' rows
    by the digest of its open data row (``Portal.digests``: a hazard's with its state),
    with what the page adds to the row — names, counts, the hazard's days overdue.  A
    rebuild weighs these instead of making and digesting every row of every enterprise
    page (a city's: 300,000 hazards).  None when a row has no digest: the inputs are
    digested whole.  ``dept``: ``department_names(portal)``."""
    eid = str(e["id"])
    digests = portal.digests
    own = digests.get("enterprise", {}).get(eid)
    if own is None:
        return None
    hazard_digest = digests.get("hazard", {}).get
    facts = portal.facts
    name = portal.enterprise_name
    hazards: list[Any] = []
    for h in portal.hazards_by_enterprise.get(eid, []):
        hid = str(h.get("id"))
        fact = facts[hid]
        listing = h.get("listing")
        hazards.append(
            (
                hazard_digest(hid),
                fact.days_overdue,
                fact.due_soon,
                name(h.get("enterprise")),
                dept(h.get("department")),
                dept(listing.get("by")) if listing else dept(None),
            )
        )
    inspection_digest = digests.get("inspection", {}).get
    inspections = [
        (
            inspection_digest(str(i.get("id"))),
            dept(i.get("lead_department")),
            _found(portal, i, eid),
        )
        for i in portal.inspections_by_enterprise.get(eid, [])
    ]
    penalty_digest = digests.get("penalty", {}).get
    penalties = [
        (penalty_digest(str(p.get("id"))), name(p.get("enterprise")), dept(p.get("department")))
        for p in portal.penalties_by_enterprise.get(eid, [])
    ]
    if any(part[0] is None for part in (*hazards, *inspections, *penalties)):
        return None
    return {
        "digested": own,
        "department_name": dept(e.get("supervising_department")),
        "hazards": hazards,
        "inspections": inspections,
        "penalties": penalties,
        "listings": portal.listings.get(eid, []),
        "self_reports": portal.self_report_status.get(eid, []),
        "town_src": f"enterprises/town/{town_slug(str(e.get('town')))}/index.md",
        "shown": [SHOWN_HAZARDS, SHOWN_INSPECTIONS],
    }


def _enterprise_page(
    portal: Portal, e: Row, extra: dict[str, Any], dept: Callable[[Any], str] | None = None
) -> Page:
    digested = _enterprise_digested(portal, e, dept or department_names(portal))
    return Page(
        enterprise_src(str(e["id"])),
        "enterprise.md.j2",
        str(e.get("name", e["id"])),
        indexed=True,
        shape=_enterprise_shown,
        make_inputs=lambda: {**_enterprise_inputs(portal, e), **extra},
        digested=None if digested is None else {**digested, **extra},
    )


def _directory(portal: Portal) -> Iterator[Page]:
    industries = sorted({str(e.get("industry")) for e in portal.enterprises})
    towns = [t.key for t in portal.by_town if t.enterprises]
    facets = {"towns": towns, "industries": industries, "colours": RISK_COLOURS}
    town_links = [
        (t, f"enterprises/town/{town_slug(t)}/index.md", n)
        for t, n in ((t.key, t.enterprises) for t in portal.by_town)
        if n
    ]
    common = {"facets": facets, "town_links": town_links}
    yield from _paged(
        "enterprises",
        "directory.md.j2",
        "企业名录",
        portal.enterprises,
        DIRECTORY_ROWS,
        {**common, "town": None},
    )
    for town, base_src, _count in town_links:
        rows = [e for e in portal.enterprises if e.get("town") == town]
        yield from _paged(
            base_src.rsplit("/", 1)[0],
            "directory.md.j2",
            f"企业名录：{town}",
            rows,
            DIRECTORY_ROWS,
            {**common, "town": town},
        )


def _hazard_views(portal: Portal) -> tuple[list[Row], list[Row], dict[str, Any]]:
    """The major and overdue lists and the ledger's counts, one pass over the hazards.

    Only the rows shown (major open hazards, overdue ones) are materialised: the
    ledger itself can be hundreds of thousands of hazards.
    """
    state_counts: Counter[str] = Counter()
    open_levels: Counter[str] = Counter()
    due_soon = 0
    major: list[Row] = []
    overdue: list[Row] = []
    for h in portal.hazards:
        fact = portal.facts[str(h["id"])]
        state_counts[fact.state] += 1
        due_soon += fact.due_soon
        is_major = h.get("class") == "重大" and fact.state != CLOSED
        if fact.state != CLOSED:
            open_levels[str(h.get("level"))] += 1
        if is_major or fact.overdue:
            row = _hazard_row(portal, h)
            if is_major:
                major.append(row)
            if fact.overdue:
                overdue.append(row)
    major.sort(key=lambda h: (not h.get("listing"), str(h.get("deadline")), str(h["id"])))
    overdue.sort(key=lambda h: (-int(h["days_overdue"]), str(h["id"])))
    counts = {
        "states": [(s, state_counts.get(s, 0)) for s in STATES],
        "open_levels": sorted(open_levels.items()),
        "major_total": len(major),
        "listed_total": sum(1 for h in major if h.get("listing")),
        "overdue_total": len(overdue),
        "due_soon": due_soon,
        "total": len(portal.hazards),
    }
    return major, overdue, counts


def enterprise_pages(
    portal: Portal, extra: dict[str, Any], *, start: int = 0, step: int = 1
) -> Iterator[Page]:
    """一企一档, one page per enterprise, made one at a time (a city has 20,000); with
    ``start`` and ``step``, only every ``step``-th from the ``start``-th."""
    dept = department_names(portal)
    for e in portal.enterprises[start::step]:
        yield _enterprise_page(portal, e, extra, dept)


def site_pages(portal: Portal, extra: dict[str, Any]) -> list[Page]:
    """Every page but the enterprise pages; ``extra`` carries what the build knows."""
    pages: list[Page] = []
    disclosure = _disclosure_rows(portal)
    major, overdue, counts = _hazard_views(portal)
    penalties = [_penalty_row(portal, p) for p in portal.penalties]

    pages.append(
        Page(
            "index.md",
            "home.md.j2",
            "首页",
            {
                "latest": disclosure[:8],
                "latest_penalties": penalties[:5],
                "due_soon": counts["due_soon"],
                "blacklisted": len(portal.listings),
            },
            heading=f"{portal.county}安全生产信息公示" if portal.county else "安全生产信息公示",
        )
    )
    pages.extend(_directory(portal))
    pages.extend(_paged("disclosure", "disclosure.md.j2", "检查结果公示", disclosure, LIST_ROWS))
    pages.append(Page("hazards/index.md", "hazards.md.j2", "隐患台账", counts))
    pages.extend(
        _paged(
            "hazards/major",
            "hazard_list.md.j2",
            "重大隐患挂牌督办",
            major,
            LIST_ROWS,
            {"view": "major"},
        )
    )
    pages.extend(
        _paged(
            "hazards/overdue",
            "hazard_list.md.j2",
            "逾期未整改隐患",
            overdue,
            LIST_ROWS,
            {"view": "overdue"},
        )
    )
    pages.extend(_paged("penalties", "penalties.md.j2", "行政处罚公示", penalties, 30))
    pages.extend(
        _paged(
            "blacklist",
            "blacklist.md.j2",
            "安全生产严重失信主体名单",
            blacklist_rows(portal),
            BLACKLIST_ROWS,
            {
                "enterprises_listed": len(portal.listings),
                "term_years": term_years(portal.policy),
                "repair_after_months": repair_after_months(portal.policy),
            },
        )
    )
    top = max(
        [1, *(m.inspections for m in portal.by_month), *(m.hazards_found for m in portal.by_month)]
    )
    pages.append(Page("stats.md", "stats.md.j2", "统计", {"month_top": top}))
    pages.append(Page("opendata.md", "opendata.md.j2", "开放数据", {}))
    pages.append(Page("search.md", "search.md.j2", "搜索", {}))
    pages.append(Page("about/report.md", "report.md.j2", "如何举报隐患", {}, indexed=True))
    pages.append(
        Page(
            "about/methodology.md",
            "methodology.md.j2",
            "方法说明",
            {"states": STATES},
            indexed=True,
        )
    )
    pages.append(Page("about/dictionary.md", "dictionary.md.j2", "数据字典", {}, indexed=True))
    for page in pages:
        page.context.update(extra)
    return pages


def build_pages(portal: Portal, extra: dict[str, Any]) -> list[Page]:
    """All pages at once (small sites and tests); the build streams ``enterprise_pages``."""
    return [*site_pages(portal, extra), *enterprise_pages(portal, extra)]
