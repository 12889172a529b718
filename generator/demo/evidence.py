"""Placeholder evidence files: tiny real PNG photos and CSV responsibility tables.

Content depends only on the file's path, so files are byte-identical across
runs; records cite them by path and SHA-256.
"""

from __future__ import annotations

import hashlib
import struct
import zlib

from generator.demo.model import County, EvidenceRef, EvidenceSpec, Hazard

SIZE = 8  # pixels


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def png(text: str) -> bytes:
    """An 8×8 single-colour PNG whose colour and comment derive from ``text``."""
    r, g, b = hashlib.sha256(text.encode("utf-8")).digest()[:3]
    row = b"\x00" + bytes((r, g, b)) * SIZE
    header = struct.pack(">IIBBBBB", SIZE, SIZE, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"tEXt", b"Comment\x00" + text.encode("ascii", "replace"))
        + _chunk(b"IDAT", zlib.compress(row * SIZE, 9))
        + _chunk(b"IEND", b"")
    )


def _table(hazard: Hazard, path: str) -> bytes:
    done = hazard.rectified_on()
    lines = [
        "隐患编号,隐患部位,整改措施,整改责任人,完成日期",
        f"{hazard.id},{hazard.location},{hazard.measures.replace(',', '，')},"
        f"{hazard.enterprise.contact_name},{done.isoformat() if done else ''}",
        f"# {path}",
    ]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _content(path: str, spec: EvidenceSpec, hazard: Hazard | None) -> bytes:
    if spec.name.endswith(".png"):
        return png(f"anjian demo evidence: {path}")
    if spec.name.endswith(".csv") and hazard is not None:
        return _table(hazard, path)
    return f"演示证据文件（虚构）：{spec.caption}\n{path}\n".encode()


def evidence_content(county: County, path: str) -> bytes:
    """The bytes of an evidence file, made again from what it shows (no need to keep them)."""
    return _content(path, *county.evidence_files[path])


def attach_evidence(county: County, *, monthly: bool = False) -> None:
    """Turn evidence specs into files and references (ids must be assigned).

    ``monthly``: folders ``<year>/<month>/<id>`` rather than ``<year>/<id>``.
    """
    files = county.evidence_files

    def ref(folder: str, spec: EvidenceSpec, hazard: Hazard | None) -> EvidenceRef:
        path = f"records/evidence/{folder}/{spec.name}"
        if path not in files:
            files[path] = (spec, hazard)
        content = _content(path, *files[path])
        return EvidenceRef(path, hashlib.sha256(content).hexdigest(), spec.caption)

    for h in county.hazards:
        folder = (
            f"{h.found_on.year}/{h.found_on.month:02d}/{h.id}"
            if monthly
            else f"{h.found_on.year}/{h.id}"
        )
        for event in h.events:
            event.evidence = [ref(folder, spec, h) for spec in event.evidence_specs]
    for insp in county.inspections:
        folder = (
            f"{insp.date.year}/{insp.date.month:02d}/{insp.id}"
            if monthly
            else f"{insp.date.year}/{insp.id}"
        )
        insp.evidence = [ref(folder, spec, None) for spec in insp.evidence_specs]
