"""What ``anjian audit verify`` reports: problems that name a commit.

Codes are registered with the project's problem codes (``generator.problems``)
so the handbook documents each one.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from generator.problems import Code, Lang, Severity, register

CHAIN_DIVERGED = register(
    "audit-chain-diverged",
    "审计链被改写",
    "audit chain rewritten",
    "已发布的审计日志与按现有历史重建的不一致：历史被改写、强制推送或删除了记录。"
    "请找回原来的提交（git reflog、备份、其他克隆），不要改写已发布的历史。",
)
CHAIN_TRUNCATED = register(
    "audit-chain-truncated",
    "审计链缺少已发布的条目",
    "published audit entries missing",
    "已发布的条目在现有历史中找不到：历史被截断或回退。请恢复被删除的提交。",
)
LOG_CORRUPT = register(
    "audit-log-corrupt",
    "审计日志文件有误",
    "audit log file corrupt",
    "log.jsonl 的某一行不是有效的审计条目，或其哈希与内容不符：文件被改动过。请取回原始发布的文件。",
)
UNKNOWN_AUTHOR = register(
    "audit-unknown-author",
    "提交人不是登记的工作人员",
    "commit by an unknown identity",
    "修改记录的提交必须用人员记录 git.emails 中登记的邮箱作出；合并提交也须由登记人员作出。",
)
NOT_PERMITTED = register(
    "audit-not-permitted",
    "超出角色权限的修改",
    "change outside the author's role",
    "按角色表（generator/audit/roles.py）：处罚、决定只能由本部门的执法人员（决定还可由科室负责人）修改；"
    "人员、部门只能由管理员修改；任何人不得修改自己的人员记录；已停用人员不得再提交。",
)
UNSIGNED = register(
    "audit-unsigned",
    "提交没有签名",
    "commit not signed",
    "策略要求签名（audit.require_signatures）：用登记在人员记录 git.signing_keys 中的 SSH 密钥签名提交"
    "（git config gpg.format ssh; git config user.signingkey ~/.ssh/id_ed25519.pub; git commit -S）。",
)
BAD_SIGNATURE = register(
    "audit-bad-signature",
    "签名无效或不是提交人的密钥",
    "bad signature or not the author's key",
    "签名必须有效，且所用密钥登记在提交人本人的人员记录 git.signing_keys 中。",
)
APPROVAL_MISSING = register(
    "audit-approval-missing",
    "合并时缺少应有的复核批准",
    "landed without the required approval",
    "该修改按复核层级需要复核员批准（anjian review approve），却在没有有效批准的情况下合并。"
    "请补做复核并记录在案，或由领导小组说明情况。",
)
APPROVAL_NOT_COUNTED = register(
    "audit-approval-not-counted",
    "复核批准不算数",
    "approval not counted",
    "批准须由在岗的该级复核员作出、针对最新的记录提交，且复核人不能复核自己的修改。",
    "warning",
)


@dataclass(frozen=True)
class Finding:
    code: str
    commit: str  # the commit the problem is about ("" when none applies)
    message_zh: str
    message_en: str
    severity: Severity = "error"
    record_id: str | None = None
    seq: int | None = None  # the audit log entry, when the problem is about one

    def message(self, lang: Lang = "zh") -> str:
        return self.message_zh if lang == "zh" else self.message_en


def finding(
    code: Code,
    commit: str,
    zh: str,
    en: str,
    *,
    record_id: str | None = None,
    seq: int | None = None,
) -> Finding:
    return Finding(code.code, commit, zh, en, code.severity, record_id, seq)


def format_text(findings: Iterable[Finding], lang: Lang = "zh") -> str:
    lines = []
    for f in findings:
        where = f"commit {f.commit[:12]}" if f.commit else "log"
        level = "" if f.severity == "error" else (" 警告" if lang == "zh" else " warning")
        lines.append(f"{where}: {f.code}{level} {f.message(lang)}")
    return "\n".join(lines)


def format_json(findings: Iterable[Finding], lang: Lang = "zh") -> str:
    rows = [
        {
            "commit": f.commit,
            "code": f.code,
            "severity": f.severity,
            "record_id": f.record_id,
            "seq": f.seq,
            "message": f.message(lang),
        }
        for f in findings
    ]
    return json.dumps(rows, ensure_ascii=False, indent=2)
