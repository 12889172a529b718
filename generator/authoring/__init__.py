"""Authoring records without hand-editing YAML: new records, lifecycle steps, imports, help.

``anjian new`` composes a record from the schema (asking in Chinese, deriving
what policy and references allow), ``anjian rectify``/``recheck``/``close``
append lifecycle events, ``anjian import-issue`` turns a citizen's issue into a
complaint, ``anjian form`` serves the same composing as a local web form, and
``anjian docs`` regenerates the handbook's generated pages.
"""

from __future__ import annotations

from generator.authoring.asker import Asker, ClickAsker, QuietAsker
from generator.authoring.composer import (
    Composer,
    Draft,
    Incomplete,
    Session,
    compose_record,
    write_draft,
)
from generator.authoring.events import StepRefused
from generator.authoring.session import open_session, validate_file
from generator.authoring.steps import (
    StepResult,
    close_events,
    recheck_events,
    record_step,
    rectify_events,
)

__all__ = [
    "Asker",
    "ClickAsker",
    "Composer",
    "Draft",
    "Incomplete",
    "QuietAsker",
    "Session",
    "StepRefused",
    "StepResult",
    "close_events",
    "compose_record",
    "open_session",
    "recheck_events",
    "record_step",
    "rectify_events",
    "validate_file",
    "write_draft",
]
