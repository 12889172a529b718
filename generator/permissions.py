"""Which roles may change which kind of record: one table for the pull-request check
(``rules.history.authors``), the audit (``audit.roles``) and the demo's history."""

from __future__ import annotations

INSPECTING = frozenset({"检查员", "执法人员", "科室负责人"})
MAY_CHANGE: dict[str, frozenset[str]] = {
    "inspection": INSPECTING | {"专家"},
    "hazard": INSPECTING | {"专家"},
    "enterprise": INSPECTING,
    "self-report": INSPECTING,
    "complaint": INSPECTING,
    "penalty": frozenset({"执法人员"}),
    "decision": frozenset({"执法人员", "科室负责人"}),
    "staff": frozenset({"管理员"}),
    "department": frozenset({"管理员"}),
}
