"""How often the cyclic garbage collector runs while anjian holds a corpus or a history.

By default it runs every 700 new container objects, and every so often walks
every object alive: with a city's records or history in memory (millions of
objects, nearly all long-lived and acyclic, which reference counting frees by
itself) that walk is most of the time spent making small objects — a third of
``anjian audit verify`` on a city.  Collecting after 100,000 instead keeps the
same guarantee (cycles are still freed) at a fraction of the cost.

When millions of objects are made at once to be kept (the records handed to
a build), ``paused()`` holds the collector off while they are made, and
``settle()`` then tells it that everything alive so far will stay: later
collections no longer walk it, until ``unsettle()``.  Reference counting still
frees any of it that is let go.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

GC_THRESHOLD = (100_000, 50, 100)


@contextmanager
def fewer_collections() -> Iterator[None]:
    before = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*before)


@contextmanager
def paused() -> Iterator[None]:
    """The collector held off; what was made meanwhile is then aged at once (``age``)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        age()
        if was:
            gc.enable()


def age() -> None:
    """Move every object alive into the oldest generation without examining it.

    Objects made while the collector is off all wait in the youngest generation: the
    first collection after would walk them all (a city's records: 1.8 s) only to find
    them alive.  ``gc.freeze`` then ``gc.unfreeze`` puts them with the old objects in
    two list splices.  Once ``settle`` has been called, they are settled too.
    """
    settled = gc.get_freeze_count() > 0
    gc.freeze()
    if not settled:
        gc.unfreeze()


def settle() -> None:
    """What is alive now lives on: leave it out of later collections (``gc.freeze``)."""
    gc.freeze()


def unsettle() -> None:
    """Back to collecting everything (a long-running process builds again and again)."""
    gc.unfreeze()
