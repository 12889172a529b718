"""The only door from records to the portal: schema projection, then masking.

Every value that reaches a page, a data file, the search index or the feed has
passed through :meth:`Publisher.public` — ``project_public`` keeps what the
schema marks ``x-disclosure: public`` (deny by default), then public
``x-pii: person-name`` values are masked (张** style) unless the policy says
otherwise.  Other personal data is never masked here: a schema that marks it
public is a deployment error, which the leak scan of the built site catches.
"""

from __future__ import annotations

from typing import Any

from generator.policy import Policy
from generator.schemas import STAR, KindSchema, Pattern, Registry, project_public

PERSON_NAME = "person-name"


def mask_name(name: str) -> str:
    """张三丰 → 张**, 王军 → 王*: keep the first character, hide the rest."""
    text = name.strip()
    if len(text) <= 1:
        return "*" if text else text
    return text[0] + "*" * (len(text) - 1)


def _mask(kind: KindSchema, value: Any, pattern: Pattern) -> Any:
    spec = kind.fields.get(pattern) if pattern else None
    if spec is not None and spec.pii == PERSON_NAME:
        if isinstance(value, str):
            return mask_name(value)
        if isinstance(value, list):
            return [mask_name(v) if isinstance(v, str) else v for v in value]
    if isinstance(value, dict):
        return {k: _mask(kind, v, (*pattern, k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask(kind, v, (*pattern, STAR)) for v in value]
    return value


class Publisher:
    """Public projections of records, per the schemas and the masking policy."""

    def __init__(self, registry: Registry, policy: Policy) -> None:
        self.registry = registry
        self.masking = bool(policy.get("masking", "person_name", default=True))

    def public(self, kind: str, data: dict[str, Any]) -> dict[str, Any]:
        schema = self.registry[kind]
        projected: dict[str, Any] = project_public(schema, data)
        if self.masking:
            masked: dict[str, Any] = _mask(schema, projected, ())
            return masked
        return projected
