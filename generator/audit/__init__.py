"""The audit trail: who changed what, when, with whose approval — published and verifiable.

- ``gitread``: the only module that runs git (one ``git log --raw`` pass, one
  ``git cat-file --batch`` stream, signature checks);
- ``blobcache``: the record versions ``verify`` read, kept by blob id for the
  next run;
- ``timeline``: landings on the main line since the epoch, with their branches,
  edits and the staff and policy they were judged by;
- ``chain``: the hash-chained audit log (``site/audit/log.jsonl``);
- ``verify``: the checks of ``anjian audit verify``;
- ``record_history`` / ``publish``: per-record histories, internal and public;
  ``publish.write_site_audit`` is what ``anjian build`` calls;
- ``pagecache``: what the last build's public pages were made from, so a rebuild
  makes only the pages whose inputs changed.
"""

from __future__ import annotations

from generator.audit.timeline import AuditError, History, Want, read_history

# the rest is imported from its module (``generator.audit.verify`` …): the
# command line loads only what the command needs
__all__ = ["AuditError", "History", "Want", "read_history"]
