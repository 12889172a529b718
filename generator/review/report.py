"""Review plans, checks and draws as Chinese Markdown, text and JSON."""

from __future__ import annotations

from typing import Any

from generator.review.approvals import Verdict
from generator.review.check import CheckResult, Finding, TierStatus
from generator.review.plan import KIND_TITLE, STATUS_TITLE, Item, Plan
from generator.review.roster import Roster
from generator.review.sample import Draw
from generator.review.tiers import TIER_ROLE, TIER_TITLE, TIER_WHO, TRIGGERS

MARKER = "<!-- anjian-review-plan -->"  # lets CI update its one comment instead of adding more


def _short(sha: str | None) -> str:
    return (sha or "")[:7]


def _why(item: Item, tier: int) -> str:
    texts = []
    for reason in item.reasons:
        if reason.tier == tier:
            text = TRIGGERS.get(reason.trigger, reason.trigger)
            texts.append(f"{text}（{reason.note}）" if reason.note else text)
    return "；".join(dict.fromkeys(texts))


def _who(roster: Roster | None, verdict: Verdict) -> str:
    member = roster.by_email(verdict.commit.author.email) if roster else None
    return member.id if member else verdict.commit.author.name


def _line(item: Item) -> str:
    kind = KIND_TITLE.get(item.kind, item.kind)
    summary = f" · {item.summary}" if item.summary else ""
    return f"`{item.id}` {kind} · {STATUS_TITLE.get(item.status, item.status)}{summary}"


def _status_of(check: CheckResult | None, tier: int) -> TierStatus | None:
    if check is None:
        return None
    return next((s for s in check.tiers if s.tier == tier), None)


def _mark(status: TierStatus | None, record_id: str, roster: Roster | None) -> tuple[str, str]:
    if status is None:
        return "[ ]", ""
    if record_id in status.blocked:
        verdict = status.blocked[record_id]
        said = f"：{verdict.comment}" if verdict.comment else ""
        return (
            "[ ]",
            f" — ✗ {_who(roster, verdict)} 要求修改（`{_short(verdict.commit.sha)}`）{said}",
        )
    if record_id in status.approved:
        verdict = status.approved[record_id]
        signed = "已签名" if verdict.signed else "未签名"
        return (
            "[x]",
            f" — ✓ {_who(roster, verdict)} 已批准（`{_short(verdict.commit.sha)}`，{signed}）",
        )
    return "[ ]", ""


def plan_markdown(plan: Plan, check: CheckResult | None = None) -> str:
    out = [MARKER, "## 三级复核计划", ""]
    if not plan.items:
        out.append(f"本拉取请求没有修改记录（相对 `{plan.base_ref}`），无须分级复核。")
        return "\n".join(out) + "\n"
    tiers = plan.tiers()
    out.append(
        f"相对 `{plan.base_ref}`（`{_short(plan.base)}`）修改了 **{len(plan.items)}** 条记录，"
        f"最新一次记录修改为 `{_short(plan.records_commit)}`。"
    )
    if tiers:
        need = "、".join(f"**{TIER_TITLE[t]}**（{len(plan.records_for(t))} 条）" for t in tiers)
        out.append(f"需要：{need}。")
    else:
        out.append("按本县政策，这些修改无须分级复核。")
    if check is not None:
        out.append("")
        out.append(
            "当前状态：✅ 复核已完成。" if check.ok else "当前状态：⏳ 复核未完成（见下方各项）。"
        )
    roster = check.roster if check else None
    for tier in tiers:
        out += ["", f"### {TIER_TITLE[tier]} · {TIER_ROLE[tier]}", f"> {TIER_WHO[tier]}", ""]
        status = _status_of(check, tier)
        for record_id in plan.records_for(tier):
            item = plan.item(record_id)
            if item is None:
                continue
            box, state = _mark(status, record_id, roster)
            out.append(f"- {box} {_line(item)} — {_why(item, tier)}{state}")
    rest = [i for i in plan.items if not i.tiers]
    if rest:
        out += ["", "### 无须分级复核", ""]
        out += [f"- {_line(item)}" for item in rest]
    out += ["", "### 抽查", ""]
    out += [f"- {note}" for note in plan.notes]
    out.append(
        "- 三级复核由纪检监察机构不打招呼抽查，不在此预告；事后任何人都可用 "
        "`anjian review sample --tier 3 --quarter YYYYQN --seed 种子` 复现抽签。"
    )
    if tiers:
        commands = "；".join(
            f"{TIER_ROLE[t]} `anjian review approve --tier {t} --base {plan.base_ref}`"
            for t in tiers
        )
        out += [
            "",
            "### 如何复核",
            "",
            "1. 检出本分支，逐条核对上面列出的记录（`anjian validate` 应无错误）；",
            f'2. 批准：{commands}；要求修改时加 `--request-changes --comment "修改意见"`；',
            "3. `git push`。批准是本分支上的一个空提交（配置了签名密钥时带签名）；"
            "之后再修改记录，已有的批准即失效，需要重新批准。",
        ]
    return "\n".join(out) + "\n"


def _item_json(item: Item) -> dict[str, Any]:
    return {
        "id": item.id,
        "kind": item.kind,
        "path": item.path,
        "status": item.status,
        "summary": item.summary,
        "tiers": item.tiers,
        "reasons": [
            {
                "tier": r.tier,
                "trigger": r.trigger,
                "text": TRIGGERS.get(r.trigger, r.trigger),
                "note": r.note,
            }
            for r in item.reasons
        ],
    }


def _verdict_json(verdict: Verdict, roster: Roster | None) -> dict[str, Any]:
    return {
        "commit": verdict.commit.sha,
        "reviewer": _who(roster, verdict),
        "decision": verdict.decision,
        "signed": verdict.signed,
        "comment": verdict.comment,
    }


def finding_json(f: Finding) -> dict[str, Any]:
    return {
        "code": f.code,
        "severity": f.severity,
        "tier": f.tier,
        "record_id": f.record_id,
        "path": f.path,
        "commit": f.commit,
        "message": f.message,
    }


def plan_json(plan: Plan, check: CheckResult | None = None) -> dict[str, Any]:
    roster = check.roster if check else None
    tiers = []
    for tier in plan.tiers():
        entry: dict[str, Any] = {
            "tier": tier,
            "title": TIER_TITLE[tier],
            "role": TIER_ROLE[tier],
            "records": plan.records_for(tier),
        }
        status = _status_of(check, tier)
        if status is not None:
            entry["complete"] = status.complete
            entry["approved"] = {r: _verdict_json(v, roster) for r, v in status.approved.items()}
            entry["changes_requested"] = {
                r: _verdict_json(v, roster) for r, v in status.blocked.items()
            }
        tiers.append(entry)
    result: dict[str, Any] = {
        "base_ref": plan.base_ref,
        "base": plan.base,
        "base_tip": plan.base_tip,
        "head": plan.head,
        "records_commit": plan.records_commit,
        "tiers": tiers,
        "records": [_item_json(i) for i in plan.items],
        "notes": list(plan.notes),
    }
    if check is not None:
        result["complete"] = check.ok
        result["findings"] = [finding_json(f) for f in check.findings]
    return result


def check_text(result: CheckResult) -> str:
    plan = result.plan
    out = [
        f"三级复核检查：相对 {plan.base_ref}（{_short(plan.base)}），"
        f"最新记录修改 {_short(plan.records_commit) or '无'}"
    ]
    if not plan.tiers():
        out.append("本次修改无须分级复核。")
    for status in result.tiers:
        title = TIER_TITLE[status.tier]
        if status.complete:
            people = sorted({_who(result.roster, v) for v in status.approved.values()})
            out.append(f"✓ {title}：{len(status.needed)} 条记录已由 {'、'.join(people)} 批准")
        else:
            missing = sum(
                1 for r in status.needed if r not in status.approved or r in status.blocked
            )
            out.append(f"✗ {title}：{missing} 条记录未通过（共 {len(status.needed)} 条）")
    errors = [f for f in result.findings if f.severity == "error"]
    notes = [f for f in result.findings if f.severity != "error"]
    if errors:
        out.append("问题：")
        out += [f"  {f.path + ': ' if f.path else ''}{f.code} {f.message}" for f in errors]
    if notes:
        out.append("未计入的复核提交：")
        out += [f"  {f.code} {f.message}" for f in notes]
    if result.ok:
        out.append("通过：所需的各级复核均已完成。")
    else:
        out.append(
            f"未通过：{len(errors)} 个问题。查看复核计划：anjian review plan --base {plan.base_ref}"
        )
    return "\n".join(out)


def sample_text(result: Draw) -> str:
    kind = {1: "当日检查文书抽查", 2: "季度“回头看”企业抽取", 3: "不打招呼抽查"}[result.tier]
    source = (
        f"（{result.period.label} 结束后主分支上的第一个提交）"
        if result.seed_from_commit
        else "（指定）"
    )
    out = [
        f"{TIER_TITLE[result.tier]} {kind}：{result.period.label}",
        f"种子：{result.seed}{source}",
        f"记录快照：{result.snapshot}",
        f"候选：{len(result.candidates)} {result.unit}；抽取 {result.size} 个（{result.rule}）",
        f'算法：按 sha256(种子 + ":" + 编号) 的十六进制值从小到大排序，取前 {result.size} 个。',
        "",
    ]
    for n, record_id in enumerate(result.drawn, 1):
        label = result.labels.get(record_id, "")
        out.append(f"{n:>3}. {record_id}  {label}".rstrip())
    if not result.drawn:
        out.append("（没有候选，未抽取）")
    return "\n".join(out)
