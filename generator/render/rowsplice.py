"""Open data files made again only where their rows changed.

A city's ledgers are half a million rows, and one new record changes one of them.
Each row is known by the digest of its values (``row_digests``); with each file
written goes its ``RowIndex``: the digest and the length in bytes of every row's
text, in file order.  The next build copies, from the published file, the bytes of
every row whose digest it finds there — runs of rows in the same order as one
copy — and encodes only the others (``write_rows``).  The bytes are those a full
write gives: a row's text depends only on its values and on the ``context`` (the
columns and the code that encodes them), which the index must share.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import marshal
import os
import struct
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from io import FileIO
from pathlib import Path
from typing import Any

DIGEST = 16  # bytes of a row's digest
FLUSH = 1 << 20  # encoded rows are written in pieces of about this many bytes
COPY_PIECE = 1 << 20  # unchanged rows are copied from the published file this much at a time
MAGIC = b"anjian-rows-1\n"
_HEAD = struct.Struct("<32sQQ")  # context digest, offset of the first row, rows


def row_digest(row: Any) -> bytes:
    """The digest of a row's values (``marshal`` version 2 writes values only: no
    references, no interning); ValueError when a value has no stable form."""
    return hashlib.blake2b(marshal.dumps(row, 2), digest_size=DIGEST).digest()


def row_digests(rows: Iterable[Any]) -> bytes | None:
    """The digests of the rows, one after the other; None when a value has no stable form."""
    try:
        return b"".join(row_digest(row) for row in rows)
    except ValueError:
        return None


@dataclass(frozen=True)
class Frame:
    """What surrounds the rows of a file: ``head`` + row + ``sep`` + row … + ``tail``,
    or ``empty`` without rows."""

    head: bytes
    sep: bytes
    tail: bytes
    empty: bytes


@dataclass
class RowIndex:
    context: str  # hex digest of the columns and of the code that encodes the rows
    start: int  # offset of the first row
    digests: bytes
    lengths: array[int]  # bytes of each row's text ("Q")

    def dump(self) -> bytes:
        head = _HEAD.pack(bytes.fromhex(self.context), self.start, len(self.lengths))
        return MAGIC + head + self.digests + self.lengths.tobytes()

    @classmethod
    def load(cls, data: bytes) -> RowIndex | None:
        """The index ``dump`` gave, None for anything else."""
        if not data.startswith(MAGIC) or len(data) < len(MAGIC) + _HEAD.size:
            return None
        context, start, rows = _HEAD.unpack_from(data, len(MAGIC))
        body = len(MAGIC) + _HEAD.size
        lengths = array("Q")
        if len(data) != body + rows * (DIGEST + lengths.itemsize):
            return None
        lengths.frombytes(data[body + rows * DIGEST :])
        return cls(context.hex(), start, data[body : body + rows * DIGEST], lengths)


@dataclass
class Written:
    size: int
    digest: str  # SHA-256 of the file (hex)
    index: RowIndex | None


class _Out:
    """The file being written, its digest kept as it goes."""

    def __init__(self, handle: Any) -> None:
        self.handle, self.sha, self.size = handle, hashlib.sha256(), 0
        self.pending: list[bytes] = []
        self.waiting = 0
        self.buffer: memoryview | None = None

    def add(self, piece: bytes) -> None:
        self.pending.append(piece)
        self.waiting += len(piece)
        if self.waiting >= FLUSH:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            self.put(b"".join(self.pending))
            self.pending, self.waiting = [], 0

    def put(self, data: bytes | memoryview) -> None:
        self.handle.write(data)
        self.sha.update(data)
        self.size += len(data)

    def copy(self, source: FileIO, offset: int, count: int) -> None:
        """``count`` bytes of ``source`` from ``offset``, read a piece at a time into one
        buffer: a city's published hazards file (hundreds of megabytes) is not mapped
        into memory, where every page read would count as this process's."""
        buffer = self.buffer = self.buffer or memoryview(bytearray(COPY_PIECE))
        source.seek(offset)
        while count > 0:
            got = source.readinto(buffer[: min(count, COPY_PIECE)])
            if not got:
                raise OSError(f"{source.name}: shorter than its row index")
            self.put(buffer[:got])
            count -= got


def write_rows(
    file: Path,
    rows: Sequence[Any],
    digests: bytes | None,
    encode: Callable[[Any], bytes],
    frame: Frame,
    context: str,
    previous: tuple[Path, RowIndex] | None = None,
) -> Written:
    """Write ``file``: the rows, each ``encode``d or, when ``previous`` (a published file
    and its index, under the same ``context``) holds a row of the same digest, copied
    from it.  Without ``digests`` (``row_digests`` found no stable form) the file has
    no index."""
    lengths: array[int] = array("Q")
    with file.open("wb") as handle, contextlib.ExitStack() as stack:
        out = _Out(handle)
        if not rows:
            out.put(frame.empty)
            index = RowIndex(context, 0, b"", lengths) if digests is not None else None
            return Written(out.size, out.sha.hexdigest(), index)
        source = stack.enter_context(_opened(previous, context, frame))
        out.add(frame.head)
        if source is None or previous is None or digests is None:
            for number, row in enumerate(rows):
                text = encode(row)
                out.add(frame.sep + text if number else text)
                lengths.append(len(text))
        else:
            _splice(out, rows, digests, encode, frame.sep, previous[1], source, lengths)
        out.add(frame.tail)
        out.flush()
    index = RowIndex(context, len(frame.head), digests, lengths) if digests is not None else None
    return Written(out.size, out.sha.hexdigest(), index)


@contextlib.contextmanager
def _opened(
    previous: tuple[Path, RowIndex] | None, context: str, frame: Frame
) -> Iterator[FileIO | None]:
    """The previous file, open, when its index is of this ``context`` and its size is
    what the index says; None otherwise (every row is encoded)."""
    if previous is None or previous[1].context != context or not previous[1].lengths:
        yield None
        return
    file, old = previous
    size = old.start + sum(old.lengths) + len(frame.sep) * (len(old.lengths) - 1)
    try:
        source: FileIO | None = file.open("rb", buffering=0)
    except OSError:
        source = None
    if source is None:
        yield None
        return
    with source:
        try:
            same = os.fstat(source.fileno()).st_size == size + len(frame.tail)
        except OSError:
            same = False
        yield source if same else None


def _splice(
    out: _Out,
    rows: Sequence[Any],
    digests: bytes,
    encode: Callable[[Any], bytes],
    sep: bytes,
    old: RowIndex,
    source: FileIO,
    lengths: array[int],
) -> None:
    where = {old.digests[i : i + DIGEST]: i // DIGEST for i in range(0, len(old.digests), DIGEST)}
    gap = len(sep)
    offsets = list(
        itertools.accumulate((n + gap for n in old.lengths), initial=old.start)
    )  # offsets[k]: where old row k starts
    run_first = run_last = -1  # the old rows being copied as one piece

    def copy_run() -> None:
        out.flush()
        start = offsets[run_first]
        out.copy(source, start, offsets[run_last + 1] - gap - start)
        lengths.extend(old.lengths[run_first : run_last + 1])

    for number in range(len(digests) // DIGEST):  # a row is read only to be encoded
        found = where.get(digests[number * DIGEST : (number + 1) * DIGEST])
        if found is not None and run_last >= 0 and found == run_last + 1:
            run_last = found
            continue
        if run_last >= 0:
            copy_run()
            run_first = run_last = -1
        if number:
            out.add(sep)
        if found is not None:
            run_first = run_last = found
        else:
            text = encode(rows[number])
            out.add(text)
            lengths.append(len(text))
    if run_last >= 0:
        copy_run()
