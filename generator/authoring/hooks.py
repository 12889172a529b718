"""What each kind knows beyond its schema: the order of questions, defaults, derivations, checks.

A hazard's deadline follows its level and the policy; level 1 makes it major and
level 3 general; a major hazard needs its 五定 and a level-1 one its listing; an
inspection is signed or its refusal witnessed by two of its inspectors; a
self-report's id is its enterprise and month.  Everything else comes from the
schema.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any, ClassVar

from stdnum.cn import ric, uscc

from generator.authoring.ids import id_exists, next_counter_id, next_dated_id
from generator.authoring.search import Match
from generator.authoring.tree import find_node
from generator.authoring.values import BadValue, split_list

if TYPE_CHECKING:
    from generator.authoring.composer import Composer

Path_ = tuple[str, ...]
PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
SELF_INSPECTION = "企业自查"
COVERT = "专家暗访"


def personal_data_in(text: str) -> str | None:
    """A phone or ID number in text meant for publication, if any."""
    if PHONE.search(text):
        return "手机号"
    for candidate in ID_NUMBER.findall(text):
        if ric.is_valid(candidate.upper()):
            return "身份证号"
    return None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


class KindHooks:
    """The defaults every kind shares; subclasses add what their kind knows."""

    order: tuple[str, ...] = ()
    never_asked: frozenset[Path_] = frozenset({("events",), ("evidence",)})

    def __init__(self, composer: Composer) -> None:
        self.c = composer
        self.entered_id: str | None = None

    @property
    def today(self) -> dt.date:
        return self.c.session.today

    def date_of(self, *path: str) -> dt.date | None:
        value = self.c.value(*path)
        try:
            return dt.date.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            return None

    # --- the walk --------------------------------------------------------------
    def start(self) -> None:
        info = self.c.info
        self.c.asker.say(f"新建{info.title}记录。方括号中是建议值，直接回车即采用。")
        if ("id",) in self.c.given:
            try:
                self.entered_id = self.check_id(str(self.c.given[("id",)]))
            except BadValue as err:
                self.c.errors.append(f"编号（id）：{err}")
        elif info.id_style == "entered":
            node = self.c.tree.child("id")
            assert node is not None
            self.entered_id = self.c.asker.ask(
                f"{node.title}（id）", self.check_id, required=True, help_text=node.description
            )

    def skip(self, path: Path_) -> bool:
        return path in self.never_asked

    def needed(self, path: Path_) -> bool:
        return False

    def default(self, path: Path_) -> str | None:
        if path == (self.c.info.date_field,):
            return self.today.isoformat()
        return None

    def custom(self, path: Path_) -> Any:
        return NotImplemented

    def check(self, path: Path_, value: Any) -> str | None:
        if path == (self.c.info.date_field,) and isinstance(value, str) and value > str(self.today):
            return f"不能晚于今天（{self.today}）"
        node = find_node(self.c.tree, path)
        if node is not None and node.public and isinstance(value, str):
            found = personal_data_in(value)
            if found:
                return f"“{node.title}”会公开，不能写{found}"
            if any(f in value for f in self.c.forbidden):
                return f"“{node.title}”会公开，不能包含举报人的姓名、账号等身份信息"
        return None

    def after(self, path: Path_, value: Any) -> None:
        node = find_node(self.c.tree, path)
        if node is None:
            return
        kind = node.ref or (node.item.ref if node.item else None)
        if kind in ("enterprise", "department"):
            names = []
            for record_id in value if isinstance(value, list) else [value]:
                found = self.c.record(kind, record_id)
                if found and found.get("name"):
                    names.append(str(found["name"]))
            if names:
                self.c.notes[path] = "、".join(names)

    def describe(self, kind: str, match: Match) -> str:
        found = self.c.record(kind, match.id)
        if kind == "enterprise" and found:
            return (
                f"{match.id} {found.get('name')}（{found.get('town')}，{found.get('industry')}，"
                f"风险等级 {found.get('risk_color')}，监管部门 {found.get('supervising_department')}）"
            )
        return match.show()

    # --- id and path -------------------------------------------------------------
    def check_id(self, text: str) -> str:
        record_id = text.strip()
        info = self.c.info
        if not info.matches(record_id):
            raise BadValue(f"编号“{record_id}”格式不对（应符合 {info.id_pattern}）")
        if id_exists(self.c.session.root, info.kind, record_id):
            raise BadValue(f"编号“{record_id}”已经用过（编号永不重复使用）")
        return record_id

    def make_id(self) -> str:
        from generator.authoring.composer import Incomplete

        info = self.c.info
        root = self.c.session.root
        if self.entered_id is not None:
            return self.entered_id
        try:
            if info.id_style == "dated":
                day = self.date_of(info.date_field or "")
                if day is None:
                    raise BadValue(f"缺少{info.date_field}，无法生成编号")
                return next_dated_id(root, info, day)
            if info.id_style == "counter":
                return next_counter_id(root, info)
        except BadValue as err:
            raise Incomplete([str(err)]) from None
        raise Incomplete(["缺少编号（id）"])

    def year(self) -> int | None:
        day = self.date_of(self.c.info.date_field or "")
        return day.year if day else None


class HazardHooks(KindHooks):
    order = (
        "inspection",
        "enterprise",
        "source",
        "found_on",
        "level",
        "class",
        "category",
        "description",
        "location",
        "basis",
        "department",
        "found_by",
        "deadline",
        "measures",
        "five_fixed",
        "listing",
    )
    CLASS_OF_LEVEL: ClassVar[dict[str, str]] = {"一级": "重大", "三级": "一般"}

    def inspection(self) -> dict[str, Any]:
        return self.c.record("inspection", self.c.value("inspection")) or {}

    def max_days(self) -> int | None:
        level = self.c.value("level")
        return self.c.session.policy.deadline_days(level) if isinstance(level, str) else None

    def skip(self, path: Path_) -> bool:
        if path == ("five_fixed",):
            return self.c.text("class") != "重大"
        if path == ("listing",):
            return self.c.text("level") != "一级"
        return super().skip(path)

    def needed(self, path: Path_) -> bool:
        return path in (("five_fixed",), ("listing",))

    def custom(self, path: Path_) -> Any:
        if path == ("class",):
            derived = self.CLASS_OF_LEVEL.get(str(self.c.value("level")))
            if derived:
                self.c.asker.say(f"隐患类别（法定）：{derived}（由隐患等级确定）")
                return derived
        return NotImplemented

    def default(self, path: Path_) -> str | None:
        inspection = self.inspection()
        enterprise = self.c.record("enterprise", self.c.value("enterprise")) or {}
        found = self.date_of("found_on")
        if path == ("enterprise",) and len(inspection.get("enterprises") or []) == 1:
            return str(inspection["enterprises"][0])
        if path == ("source",):
            return "监督检查" if inspection else "企业自查"
        if path == ("found_on",) and inspection.get("date"):
            return str(inspection["date"])
        if path == ("department",):
            department = inspection.get("lead_department") or enterprise.get(
                "supervising_department"
            )
            return str(department) if department else None
        if path == ("found_by",) and inspection.get("inspectors"):
            return ",".join(inspection["inspectors"])
        if path == ("deadline",) and found and (days := self.max_days()) is not None:
            return (found + dt.timedelta(days=days)).isoformat()
        if path == ("five_fixed", "deadline"):
            return self.c.text("deadline")
        if path == ("five_fixed", "responsible_person") and self.c.asker.interactive:
            return _text(enterprise.get("legal_representative"))
        if path == ("listing", "by"):
            return self.c.text("department")
        if path == ("listing", "date"):
            return self.c.text("found_on")
        return super().default(path)

    def check(self, path: Path_, value: Any) -> str | None:
        if path == ("deadline",) and isinstance(value, str):
            found, days = self.date_of("found_on"), self.max_days()
            deadline = dt.date.fromisoformat(value)
            if found and deadline < found:
                return f"整改期限不能早于发现日期（{found}）"
            if found and days is not None and deadline > found + dt.timedelta(days=days):
                latest = found + dt.timedelta(days=days)
                return f"{self.c.value('level')}隐患整改期限最长 {days} 日，最晚 {latest}"
        return super().check(path, value)

    def after(self, path: Path_, value: Any) -> None:
        if path == ("level",) and (days := self.max_days()) is not None:
            self.c.asker.say(f"按 policy.yaml，{value}隐患自发现之日起最长 {days} 日内整改。")
        super().after(path, value)


class InspectionHooks(KindHooks):
    order = (
        "date",
        "kind",
        "enterprises",
        "lead_department",
        "departments",
        "inspectors",
        "experts",
        "notice_date",
        "summary",
        "documents",
        "checklist",
        "signature",
        "findings",
    )

    def skip(self, path: Path_) -> bool:
        if path == ("notice_date",):
            return self.c.text("kind") == COVERT
        return super().skip(path)

    def default(self, path: Path_) -> str | None:
        enterprises = self.c.value("enterprises") or []
        first = self.c.record("enterprise", enterprises[0]) if enterprises else None
        if path == ("lead_department",) and first:
            return str(first.get("supervising_department") or "") or None
        if path == ("documents", "*", "date"):
            return self.c.text("date")
        return super().default(path)

    def check(self, path: Path_, value: Any) -> str | None:
        if path == ("inspectors",) and self.c.value("kind") != SELF_INSPECTION:
            if len(value) < 2:
                return "执法检查至少需要两名检查人员"
            certified = [i for i in value if (self.c.record("staff", i) or {}).get("certificate")]
            if not certified:
                return "至少一名检查人员须持有执法证（人员记录中登记了执法证号）"
        return super().check(path, value)

    def custom(self, path: Path_) -> Any:
        if path != ("signature",) or self.c.given_under(path):
            return NotImplemented
        asker = self.c.asker
        if not asker.interactive:
            asker.missing.append(  # type: ignore[attr-defined]
                "签字（signature.signed_by=负责人姓名，或 signature.refused=是 "
                "加 signature.witnesses=两名检查人员）"
            )
            return None
        if asker.confirm("被检查单位负责人是否在检查记录上签字？", True):
            enterprises = self.c.value("enterprises") or []
            head = self.c.record("enterprise", enterprises[0]) if len(enterprises) == 1 else None
            name = asker.ask(
                "签字人（signature.signed_by）",
                lambda text: text.strip(),
                default=(head or {}).get("legal_representative"),
                help_text="在检查记录上签字的负责人姓名（不公开）",
            )
            return {"signed_by": name, "refused": False}
        inspectors = list(self.c.value("inspectors") or [])

        def witnesses(text: str) -> list[str]:
            ids = [self.c.resolve("staff", part) for part in split_list(text, spaces=True)]
            chosen = [i for i in dict.fromkeys(ids) if i in inspectors]
            if len(chosen) < 2:
                raise BadValue("拒签须由本次检查的两名检查人员见证")
            return chosen

        signature: dict[str, Any] = {"refused": True}
        signature["witnesses"] = asker.ask(
            "见证人（signature.witnesses）",
            witnesses,
            default=",".join(inspectors[:2]),
            help_text="在场见证拒签的两名检查人员编号",
        )
        note = asker.ask(
            "情况说明（signature.note）",
            lambda text: text.strip(),
            required=False,
            help_text="例如“负责人以不认可检查结论为由拒绝签字”",
        )
        if note:
            signature["note"] = note
        return signature


class EnterpriseHooks(KindHooks):
    def check_id(self, text: str) -> str:
        code = text.strip().upper()
        if not uscc.is_valid(code) and code not in self.c.session.policy.uscc_exceptions:
            raise BadValue(f"“{code}”不是有效的统一社会信用代码（校验位不对，请对照营业执照）")
        return super().check_id(code)

    def custom(self, path: Path_) -> Any:
        towns = self.c.session.policy.towns
        if path == ("town",) and towns and self.c.asker.interactive:
            picked = self.c.asker.choose("所属乡镇（街道）（town）", towns, required=True)
            return towns[picked[0]]
        return NotImplemented

    def default(self, path: Path_) -> str | None:
        if path == ("status",):
            return "在营"
        return super().default(path)


class SelfReportHooks(KindHooks):
    order = ("enterprise", "month", "submitted_on", "signed_by", "hazards_found", "hazards_fixed")

    def default(self, path: Path_) -> str | None:
        if path == ("month",):
            last = self.today.replace(day=1) - dt.timedelta(days=1)
            return f"{last:%Y-%m}"
        if path == ("signed_by",) and self.c.asker.interactive:
            found = self.c.record("enterprise", self.c.value("enterprise")) or {}
            return _text(found.get("legal_representative"))
        return super().default(path)

    def make_id(self) -> str:
        from generator.authoring.composer import Incomplete

        enterprise, month = self.c.value("enterprise"), self.c.value("month")
        record_id = f"SR-{enterprise}-{str(month).replace('-', '')}"
        if id_exists(self.c.session.root, "self-report", record_id):
            raise Incomplete([f"该企业 {month} 的月度自查报告已存在（{record_id}）"])
        return record_id

    def year(self) -> int | None:
        month = self.c.value("month")
        return int(month[:4]) if isinstance(month, str) and month[:4].isdigit() else None


class ComplaintHooks(KindHooks):
    def default(self, path: Path_) -> str | None:
        if path == ("outcome",):
            return "处理中"
        if path == ("channel",):
            return "来电"
        if path == ("department",):
            found = self.c.record("enterprise", self.c.value("enterprise")) or {}
            department = found.get("supervising_department")
            return str(department) if department else None
        return super().default(path)


class StaffHooks(KindHooks):
    def default(self, path: Path_) -> str | None:
        if path == ("active",):
            return "是"
        return super().default(path)


HOOKS: dict[str, type[KindHooks]] = {
    "hazard": HazardHooks,
    "inspection": InspectionHooks,
    "enterprise": EnterpriseHooks,
    "self-report": SelfReportHooks,
    "complaint": ComplaintHooks,
    "staff": StaffHooks,
}


def hooks_for(kind: str) -> type[KindHooks]:
    return HOOKS.get(kind, KindHooks)
