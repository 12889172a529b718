"""Writing the public blacklist as open data: ``blacklist.json`` and ``blacklist.csv``.

The only function of the blacklist package that touches the disk.  The CSV
starts with a UTF-8 byte-order mark: Excel (and WPS), which most readers of a
Chinese county's open data use, opens a CSV without one in the system code page
(GBK) and garbles every Chinese character; Python (``utf-8-sig``), pandas, R and
Frictionless all read the mark transparently.  The JSON has no mark (RFC 8259
forbids one).  Both are written with ``\\n``/``\\r\\n`` fixed, so the same rows
give the same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from generator.derive.blacklist.public import blacklist_csv, blacklist_json

JSON_NAME = "blacklist.json"
CSV_NAME = "blacklist.csv"
CSV_ENCODING = "utf-8-sig"


def write_blacklist_data(rows: Sequence[dict[str, Any]], out_dir: Path) -> list[Path]:
    """Write ``blacklist.json`` and ``blacklist.csv`` into ``out_dir``; return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path, csv_path = out_dir / JSON_NAME, out_dir / CSV_NAME
    json_path.write_bytes(blacklist_json(rows).encode("utf-8"))
    csv_path.write_bytes(blacklist_csv(rows).encode(CSV_ENCODING))
    return [json_path, csv_path]
