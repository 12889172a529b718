"""Every inspection is signed by the enterprise, or its refusal is witnessed.

"The enterprise head signs the findings — if they refuse, two inspectors sign
and note the refusal" (DOMAIN, seed 000).
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.problems import Problem, register
from generator.rules.context import Context

UNSIGNED_INSPECTION = register(
    "unsigned-inspection",
    "检查记录没有签字",
    "inspection not signed",
    "填写 signature.signed_by（企业负责人）；对方拒签时写 refused: true，并由两名检查人员在 witnesses 中签名见证。",
)


def check(ctx: Context) -> Iterator[Problem]:
    for record in ctx.targets_of("inspection"):
        if record.data.get("kind") == "企业自查":
            continue
        signature = record.data.get("signature")
        if not isinstance(signature, dict):
            continue  # the schema reports a missing signature
        inspectors = set(record.data.get("inspectors") or [])
        if signature.get("refused"):
            witnesses = {w for w in signature.get("witnesses") or [] if w in inspectors}
            if len(witnesses) < 2:
                yield ctx.problem(
                    UNSIGNED_INSPECTION,
                    record,
                    ("signature", "witnesses"),
                    f"企业拒签，但见证的检查人员只有 {len(witnesses)} 名（须为本次检查的两名检查人员）",
                    "refusal witnessed by fewer than two of the inspection's inspectors",
                )
        elif not signature.get("signed_by"):
            yield ctx.problem(
                UNSIGNED_INSPECTION,
                record,
                ("signature",),
                "没有企业负责人签字，也没有记录拒签",
                "neither signed nor a witnessed refusal recorded",
            )
