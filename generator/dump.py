"""Writing records back as YAML the way staff write them: dates unquoted, keys in order."""

from __future__ import annotations

import re
from typing import Any

import yaml

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class RecordDumper(yaml.SafeDumper):
    """SafeDumper that leaves ISO dates unquoted (the loader keeps them strings)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if _DATE.fullmatch(value):
        return dumper.represent_scalar("tag:yaml.org,2002:timestamp", value)
    return dumper.represent_str(value)


RecordDumper.add_representer(str, _represent_str)


def dump_record(record: dict[str, Any], comment: str = "") -> str:
    body = yaml.dump(record, Dumper=RecordDumper, allow_unicode=True, sort_keys=False, width=1000)
    return (f"# {comment}\n" if comment else "") + body
