"""The ``anjian`` command: parse options → call the core → report → exit code.

Exit status: 0 when all is well, 1 when a record has a problem, 2 for a usage
error (bad option, not inside a repository, unusable schemas).  One module per
command; each registers itself on the group in ``app``.
"""

from __future__ import annotations

import os
import sys

import click

import generator.cli.audit  # noqa: F401  (registers anjian audit)
from generator.cli import blacklist, build, demo, ledger, metrics, new, review, serve, validate  # noqa: F401  (registers the commands)
from generator.cli.app import cli
from generator.collect import fewer_collections

__all__ = ["cli", "main"]


def main() -> None:
    try:
        with fewer_collections():  # a command holds a corpus or a history: see ``collect``
            cli(standalone_mode=True)
    except SystemExit as done:
        code = done.code
    except KeyboardInterrupt:
        click.echo("已中断", err=True)
        code = 130
    else:
        code = 0
    if isinstance(code, str):  # what sys.exit does with a message
        click.echo(code, err=True)
        code = 1
    leave(code or 0)


def leave(code: int) -> None:
    """End the process without taking apart what it holds.

    A city's history or records are millions of objects; freeing them one by one
    at exit took up to a second after the work was done.  Everything a command
    opens is closed by then (files, git processes, worker pools, work folders),
    so only the output is left to flush.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
