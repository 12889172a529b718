"""The demo county's object graph, before it becomes records.

Objects refer to each other directly; ids and document numbers are handed out
at the end (see numbering.py), in date order, so that numbering never depends
on the order in which the generator happened to create things.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from generator.demo.catalogue import HazardTemplate


@dataclass(slots=True)
class Department:
    id: str
    name: str
    short_name: str
    kind: str
    doc_prefix: str  # prefix of this department's document numbers, e.g. 青应急
    parent: str | None = None
    tier: int | None = None


@dataclass(eq=False, slots=True)
class Staff:
    id: str
    name: str
    department: str
    roles: list[str]
    emails: list[str]
    phone: str
    certificate: str | None = None
    certified_fields: list[str] = field(default_factory=list)
    expert_group: str | None = None
    signing_keys: list[str] = field(default_factory=list)
    active: bool = True
    active_until: dt.date | None = None  # last working day of a staff member who left

    def can_work(self, day: dt.date) -> bool:
        return self.active_until is None or day <= self.active_until

    def certified_for(self, industry: str) -> bool:
        return self.certificate is not None and industry in self.certified_fields


@dataclass(slots=True)
class Licence:
    name: str
    number: str
    valid_until: dt.date | None = None


@dataclass(eq=False, slots=True)
class Enterprise:
    id: str
    name: str
    town: str
    address: str
    industry: str
    scale: str
    employees: int
    legal_representative: str
    contact_name: str
    contact_phone: str
    contact_email: str | None
    risk_color: str
    standardization: str | None
    supervision_class: str
    major_hazard_source: bool
    licences: list[Licence]
    status: str
    supervising_department: str
    kind_word: str  # what the firm is, for public texts: 化工企业, 超市 …
    tags: frozenset[str] = frozenset()  # kitchen, fuel, dust … (which hazards can occur)
    note: str | None = None
    closed_on: dt.date | None = None
    self_reporting: bool = False


@dataclass(slots=True)
class DocNo:
    """A document number to be filled in once every document is known."""

    prefix: str
    abbr: str
    when: dt.date
    seq: int
    pad: int = 3
    text: str = ""


@dataclass(slots=True)
class Document:
    type: str
    number: DocNo
    date: dt.date


@dataclass(slots=True)
class CheckItem:
    item: str
    result: str
    note: str | None = None


@dataclass(slots=True)
class EvidenceSpec:
    """An evidence file to write: name inside the record's folder, and its caption."""

    name: str
    caption: str


@dataclass(slots=True)
class EvidenceRef:
    path: str
    sha256: str
    caption: str


@dataclass(eq=False, slots=True)
class Inspection:
    seq: int
    kind: str
    date: dt.date
    enterprises: list[Enterprise]
    lead: str
    departments: list[str]
    inspectors: list[Staff]
    experts: list[Staff] = field(default_factory=list)
    notice_date: dt.date | None = None
    summary: str = ""
    checklist: list[CheckItem] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    signed_by: str | None = None
    refused: bool = False
    witnesses: list[Staff] = field(default_factory=list)
    signature_note: str | None = None
    findings: list[str] = field(default_factory=list)
    evidence_specs: list[EvidenceSpec] = field(default_factory=list)
    evidence: list[EvidenceRef] = field(default_factory=list)
    hazards: list[Hazard] = field(default_factory=list)
    purpose: str = ""  # why the visit happened: plan, complaint, re-check, look-back …
    id: str = ""


@dataclass(slots=True)
class Event:
    date: dt.date
    type: str
    by: Staff | None = None
    note: str | None = None
    body: str | None = None
    reason: str | None = None
    document_no: DocNo | None = None
    evidence_specs: list[EvidenceSpec] = field(default_factory=list)
    evidence: list[EvidenceRef] = field(default_factory=list)


@dataclass(slots=True)
class FiveFixed:
    responsible_person: str
    measures: str
    interim_measures: str
    funds: int
    deadline: dt.date
    emergency_plan: str
    acceptance_standard: str
    acceptor: str


@dataclass(slots=True)
class Listing:
    by: str
    document_no: DocNo
    date: dt.date


_MOVES: dict[str, dict[str, str]] = {
    "开始整改": {"待整改": "整改中"},
    "整改完成": {"整改中": "待验收"},
    "复查通过": {"待验收": "已复查"},
    "复查不通过": {"待验收": "整改中"},
    "销号": {"已复查": "已销号"},
    "重新打开": {"已销号": "整改中"},
}
_NO_MOVE: dict[str, str] = {}


@dataclass(eq=False, slots=True)
class Hazard:
    seq: int
    enterprise: Enterprise
    inspection: Inspection | None
    source: str
    found_on: dt.date
    klass: str
    level: str
    category: str
    description: str
    location: str
    basis: str
    department: str
    found_by: list[Staff]
    deadline: dt.date
    measures: str
    template: HazardTemplate
    five_fixed: FiveFixed | None = None
    listing: Listing | None = None
    events: list[Event] = field(default_factory=list)
    scenario: str = ""  # how the rectification went (lifecycle scenario)
    id: str = ""
    # (events, how many, state, closed on): events are only ever appended, so the same
    # list at the same length has the same state
    _memo: tuple[list[Event], int, str, dt.date | None] | None = field(
        default=None, init=False, repr=False
    )

    @property
    def major(self) -> bool:
        return self.klass == "重大"

    def _replay(self) -> tuple[list[Event], int, str, dt.date | None]:
        memo = self._memo
        if memo is not None and memo[0] is self.events and memo[1] == len(self.events):
            return memo
        state = "待整改"
        for event in self.events:
            state = _MOVES.get(event.type, _NO_MOVE).get(state, state)
        closed = None
        if state == "已销号":
            closed = next(e.date for e in reversed(self.events) if e.type == "销号")
        self._memo = (self.events, len(self.events), state, closed)
        return self._memo

    def state(self) -> str:
        """State after replaying the events (the spec's state machine)."""
        return self._replay()[2]

    def closed_on(self) -> dt.date | None:
        """Date of the closure that stands, if the hazard is closed."""
        return self._replay()[3]

    def rectified_on(self) -> dt.date | None:
        """Date of the last 整改完成, if any."""
        return next((e.date for e in reversed(self.events) if e.type == "整改完成"), None)


@dataclass(slots=True)
class Individual:
    name: str
    id_number: str
    fine: int


@dataclass(eq=False, slots=True)
class Penalty:
    seq: int
    enterprise: Enterprise
    inspection: Inspection | None
    hazards: list[Hazard]
    case_no: DocNo
    document_no: DocNo
    decided_on: dt.date
    filed_on: dt.date
    violation: str
    basis: str
    measures: list[str]
    fine: int | None
    individuals: list[Individual]
    department: str
    handled_by: list[Staff]
    publish_from: dt.date
    publish_until: dt.date
    revoked_on: dt.date | None = None
    revoked_reason: str | None = None
    id: str = ""


@dataclass(slots=True)
class Objection:
    filed_on: dt.date
    outcome: str
    decided_on: dt.date


@dataclass(slots=True)
class Notice:
    date: dt.date
    objection_until: dt.date
    objection: Objection | None = None


@dataclass(eq=False, slots=True)
class Decision:
    seq: int
    type: str
    enterprise: Enterprise
    document_no: DocNo
    decided_on: dt.date
    department: str
    decided_by: list[Staff]
    rule: str | None = None
    basis: str | None = None
    facts: str | None = None
    evidence_records: list[Inspection | Hazard | Penalty | Decision] = field(default_factory=list)
    notice: Notice | None = None
    listed_from: dt.date | None = None
    listed_until: dt.date | None = None
    measures: list[str] = field(default_factory=list)
    target: Decision | None = None
    hazard: Hazard | None = None
    id: str = ""


@dataclass(slots=True)
class SelfReport:
    enterprise: Enterprise
    month: str  # YYYY-MM
    submitted_on: dt.date
    signed_by: str
    hazards: list[Hazard]
    hazards_found: int
    hazards_fixed: int
    note: str | None = None

    @property
    def id(self) -> str:
        return f"SR-{self.enterprise.id}-{self.month.replace('-', '')}"


@dataclass(slots=True)
class Reporter:
    name: str | None
    phone: str | None
    id_number: str | None
    anonymous: bool


@dataclass(slots=True)
class Complaint:
    seq: int
    kind: str
    received_on: dt.date
    channel: str
    reporter: Reporter
    subject: str
    details: str
    enterprise: Enterprise | None
    department: str
    handler: Staff | None
    checked_on: dt.date | None
    answered_on: dt.date | None
    outcome: str
    result_note: str | None
    hazard: Hazard | None = None
    id: str = ""


@dataclass(slots=True)
class County:
    """Everything the demo writes."""

    departments: list[Department]
    staff: list[Staff]
    enterprises: list[Enterprise]
    inspections: list[Inspection]
    hazards: list[Hazard]
    penalties: list[Penalty]
    decisions: list[Decision]
    self_reports: list[SelfReport]
    complaints: list[Complaint]
    # evidence path → what its content is made from (``evidence.evidence_content``)
    evidence_files: dict[str, tuple[EvidenceSpec, Hazard | None]] = field(default_factory=dict)
