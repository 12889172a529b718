"""Objects to record mappings, keys in the spec's order, empty optional fields left out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from generator.demo.model import (
    Complaint,
    County,
    Decision,
    Department,
    Enterprise,
    EvidenceRef,
    Hazard,
    Inspection,
    Penalty,
    SelfReport,
    Staff,
)

Value = str | int | bool | None | dt.date | list["Value"] | dict[str, "Value"]
Mapping = dict[str, Value]

KIND_TITLES: dict[str, str] = {
    "enterprise": "企业",
    "department": "部门",
    "staff": "人员",
    "inspection": "检查",
    "hazard": "隐患",
    "penalty": "行政处罚",
    "self-report": "月度自查报告",
    "decision": "决定",
    "complaint": "投诉举报",
}


@dataclass(frozen=True)
class Record:
    kind: str
    folder: str  # sub-folder under records/<kind>/, "" for none
    data: Mapping

    @property
    def id(self) -> str:
        value = self.data["id"]
        assert isinstance(value, str)
        return value


def _m(*pairs: tuple[str, Value]) -> Mapping:
    """A mapping without the keys whose value is None or an empty list."""
    return {k: v for k, v in pairs if v is not None and v != []}


def _evidence(refs: list[EvidenceRef]) -> list[Value]:
    return [_m(("path", r.path), ("sha256", r.sha256), ("caption", r.caption)) for r in refs]


def department(d: Department) -> Mapping:
    return _m(
        ("id", d.id),
        ("name", d.name),
        ("short_name", d.short_name),
        ("kind", d.kind),
        ("parent", d.parent),
        ("tier", d.tier),
    )


def staff(s: Staff) -> Mapping:
    git = _m(("emails", list(s.emails)), ("signing_keys", list(s.signing_keys)))
    data = _m(
        ("id", s.id),
        ("name", s.name),
        ("department", s.department),
        ("roles", list(s.roles)),
    )
    data["certificate"] = s.certificate  # explicitly null for staff without one
    data |= _m(
        ("certified_fields", list(s.certified_fields)),
        ("expert_group", s.expert_group),
        ("git", git),
        ("phone", s.phone),
        ("active", s.active),
    )
    return data


def enterprise(e: Enterprise) -> Mapping:
    return _m(
        ("id", e.id),
        ("name", e.name),
        ("town", e.town),
        ("address", e.address),
        ("industry", e.industry),
        ("scale", e.scale),
        ("employees", e.employees),
        ("legal_representative", e.legal_representative),
        (
            "contact",
            _m(("name", e.contact_name), ("phone", e.contact_phone), ("email", e.contact_email)),
        ),
        ("risk_color", e.risk_color),
        ("standardization", e.standardization),
        ("supervision_class", e.supervision_class),
        ("major_hazard_source", e.major_hazard_source),
        (
            "licences",
            [
                _m(("name", lic.name), ("number", lic.number), ("valid_until", lic.valid_until))
                for lic in e.licences
            ],
        ),
        ("status", e.status),
        ("supervising_department", e.supervising_department),
        ("note", e.note),
    )


def inspection(i: Inspection) -> Mapping:
    signature = _m(
        ("signed_by", i.signed_by),
        ("refused", i.refused),
        ("witnesses", [s.id for s in i.witnesses]),
        ("note", i.signature_note),
    )
    return _m(
        ("id", i.id),
        ("kind", i.kind),
        ("date", i.date),
        ("enterprises", [e.id for e in i.enterprises]),
        ("lead_department", i.lead),
        ("departments", list(i.departments)),
        ("inspectors", [s.id for s in i.inspectors]),
        ("experts", [s.id for s in i.experts]),
        ("notice_date", i.notice_date),
        ("summary", i.summary),
        (
            "checklist",
            [_m(("item", c.item), ("result", c.result), ("note", c.note)) for c in i.checklist],
        ),
        (
            "documents",
            [
                _m(("type", d.type), ("number", d.number.text), ("date", d.date))
                for d in i.documents
            ],
        ),
        ("signature", signature),
        ("findings", list(i.findings)),
        ("evidence", _evidence(i.evidence)),
    )


def hazard(h: Hazard) -> Mapping:
    five = None
    if h.five_fixed is not None:
        f = h.five_fixed
        five = _m(
            ("responsible_person", f.responsible_person),
            ("measures", f.measures),
            ("interim_measures", f.interim_measures),
            ("funds", f.funds),
            ("deadline", f.deadline),
            ("emergency_plan", f.emergency_plan),
            ("acceptance_standard", f.acceptance_standard),
            ("acceptor", f.acceptor),
        )
    listing = None
    if h.listing is not None:
        listing = _m(
            ("by", h.listing.by),
            ("document_no", h.listing.document_no.text),
            ("date", h.listing.date),
        )
    events: list[Value] = [
        _m(
            ("date", e.date),
            ("type", e.type),
            ("by", e.by.id if e.by else None),
            ("note", e.note),
            ("evidence", _evidence(e.evidence)),
            ("body", e.body),
            ("reason", e.reason),
            ("document_no", e.document_no.text if e.document_no else None),
        )
        for e in h.events
    ]
    return _m(
        ("id", h.id),
        ("enterprise", h.enterprise.id),
        ("inspection", h.inspection.id if h.inspection else None),
        ("source", h.source),
        ("found_on", h.found_on),
        ("class", h.klass),
        ("level", h.level),
        ("category", h.category),
        ("description", h.description),
        ("location", h.location),
        ("basis", h.basis),
        ("department", h.department),
        ("found_by", [s.id for s in h.found_by]),
        ("deadline", h.deadline),
        ("measures", h.measures),
        ("five_fixed", five),
        ("listing", listing),
        ("events", events),
    )


def penalty(p: Penalty) -> Mapping:
    revoked = _m(("date", p.revoked_on), ("reason", p.revoked_reason)) if p.revoked_on else None
    return _m(
        ("id", p.id),
        ("enterprise", p.enterprise.id),
        ("inspection", p.inspection.id if p.inspection else None),
        ("hazards", [h.id for h in p.hazards]),
        ("case_no", p.case_no.text),
        ("document_no", p.document_no.text),
        ("decided_on", p.decided_on),
        ("filed_on", p.filed_on),
        ("violation", p.violation),
        ("basis", p.basis),
        ("measures", list(p.measures)),
        ("fine", p.fine),
        (
            "individuals",
            [
                _m(("name", i.name), ("id_number", i.id_number), ("fine", i.fine))
                for i in p.individuals
            ],
        ),
        ("department", p.department),
        ("handled_by", [s.id for s in p.handled_by]),
        ("publish", _m(("from", p.publish_from), ("until", p.publish_until))),
        ("revoked", revoked),
    )


def self_report(r: SelfReport) -> Mapping:
    return _m(
        ("id", r.id),
        ("enterprise", r.enterprise.id),
        ("month", r.month),
        ("submitted_on", r.submitted_on),
        ("signed_by", r.signed_by),
        ("hazards_found", r.hazards_found),
        ("hazards_fixed", r.hazards_fixed),
        ("hazards", [h.id for h in r.hazards]),
        ("note", r.note),
    )


def decision(d: Decision) -> Mapping:
    notice = None
    if d.notice is not None:
        o = d.notice.objection
        objection = (
            _m(("filed_on", o.filed_on), ("outcome", o.outcome), ("decided_on", o.decided_on))
            if o
            else None
        )
        notice = _m(
            ("date", d.notice.date),
            ("objection_until", d.notice.objection_until),
            ("objection", objection),
        )
    return _m(
        ("id", d.id),
        ("type", d.type),
        ("enterprise", d.enterprise.id),
        ("document_no", d.document_no.text),
        ("decided_on", d.decided_on),
        ("department", d.department),
        ("decided_by", [s.id for s in d.decided_by]),
        ("rule", d.rule),
        ("basis", d.basis),
        ("facts", d.facts),
        ("evidence_records", [r.id for r in d.evidence_records]),
        ("notice", notice),
        ("listed_from", d.listed_from),
        ("listed_until", d.listed_until),
        ("measures", list(d.measures)),
        ("target", d.target.id if d.target else None),
        ("hazard", d.hazard.id if d.hazard else None),
    )


def complaint(c: Complaint) -> Mapping:
    r = c.reporter
    reporter = _m(
        ("name", r.name), ("phone", r.phone), ("id_number", r.id_number), ("anonymous", r.anonymous)
    )
    return _m(
        ("id", c.id),
        ("kind", c.kind),
        ("received_on", c.received_on),
        ("channel", c.channel),
        ("reporter", reporter),
        ("subject", c.subject),
        ("details", c.details),
        ("enterprise", c.enterprise.id if c.enterprise else None),
        ("department", c.department),
        ("handler", c.handler.id if c.handler else None),
        ("checked_on", c.checked_on),
        ("answered_on", c.answered_on),
        ("outcome", c.outcome),
        ("result_note", c.result_note),
        ("hazard", c.hazard.id if c.hazard else None),
    )


Convert = Callable[[Any], Mapping]


def _folder(day: dt.date, monthly: bool) -> str:
    return f"{day.year}/{day.month:02d}" if monthly else str(day.year)


def sources(county: County, *, monthly: bool = False) -> list[tuple[str, str, Convert, Any]]:
    """Every record of the county as (kind, folder, converter, object), in ``records`` order.

    Cheap to make and to hand to worker processes: the mappings are made when
    written.  ``monthly`` puts dated records in ``<year>/<month>`` folders (at
    city scale a year's folder would hold tens of thousands of files).
    """
    out: list[tuple[str, str, Convert, Any]] = []
    out += [("department", "", department, d) for d in county.departments]
    out += [("staff", "", staff, s) for s in county.staff]
    out += [("enterprise", "", enterprise, e) for e in sorted(county.enterprises, key=_by_id)]
    out += [
        ("inspection", _folder(i.date, monthly), inspection, i)
        for i in sorted(county.inspections, key=_by_id)
    ]
    out += [
        ("hazard", _folder(h.found_on, monthly), hazard, h)
        for h in sorted(county.hazards, key=_by_id)
    ]
    out += [
        ("penalty", _folder(p.decided_on, monthly), penalty, p)
        for p in sorted(county.penalties, key=_by_id)
    ]
    out += [
        ("self-report", r.month[:4] + (f"/{r.month[5:7]}" if monthly else ""), self_report, r)
        for r in sorted(county.self_reports, key=_by_id)
    ]
    out += [
        ("decision", _folder(d.decided_on, monthly), decision, d)
        for d in sorted(county.decisions, key=_by_id)
    ]
    out += [
        ("complaint", _folder(c.received_on, monthly), complaint, c)
        for c in sorted(county.complaints, key=_by_id)
    ]
    return out


def _by_id(item: Any) -> str:
    return str(item.id)


def records(county: County, *, monthly: bool = False) -> Iterator[Record]:
    """Every record of the county, kind by kind, in id order."""
    for kind, folder, convert, item in sources(county, monthly=monthly):
        yield Record(kind, folder, convert(item))
