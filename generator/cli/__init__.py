"""The ``anjian`` command: parse options → call the core → report → exit code.

Exit status: 0 when all is well, 1 when a record has a problem, 2 for a usage
error (bad option, not inside a repository, unusable schemas).  One module per
command; each registers itself on the group in ``app``.
"""

from __future__ import annotations

import sys

import click

import generator.cli.audit  # noqa: F401  (registers anjian audit)
from generator.cli import blacklist, build, demo, ledger, metrics, new, review, serve, validate  # noqa: F401  (registers the commands)
from generator.cli.app import cli

__all__ = ["cli", "main"]


def main() -> None:
    try:
        cli(standalone_mode=True)
    except KeyboardInterrupt:
        click.echo("已中断", err=True)
        sys.exit(130)
