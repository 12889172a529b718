"""An enterprise's id is its unified social credit code, check character verified (GB 32100).

Some early codes were legally issued with a check character that fails the
algorithm; a deployment lists them in ``policy.yaml`` (``uscc_exceptions``) and
they then raise a warning instead of an error.
"""

from __future__ import annotations

from collections.abc import Iterator

from stdnum.cn import uscc

from generator.problems import Problem, register
from generator.rules.context import Context

BAD_CREDIT_CODE = register(
    "bad-credit-code",
    "统一社会信用代码校验位不对",
    "credit code check character fails",
    "对照营业执照重新抄写 18 位代码（注意 0/O、1/I 等易混字符）；确属早期合法代码的，在 policy.yaml 的 uscc_exceptions 中登记。",
)


def check(ctx: Context) -> Iterator[Problem]:
    exceptions = ctx.policy.uscc_exceptions
    for record in ctx.targets_of("enterprise"):
        code = record.id
        if code is None or uscc.is_valid(code):
            continue
        listed = code in exceptions
        yield ctx.problem(
            BAD_CREDIT_CODE,
            record,
            ("id",),
            f"统一社会信用代码“{code}”校验位不对"
            + ("（已在 uscc_exceptions 中登记为例外）" if listed else ""),
            f"credit code {code!r} fails the GB 32100 check"
            + (" (listed as an exception)" if listed else ""),
            severity="warning" if listed else None,
        )
