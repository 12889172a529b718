"""The serious-dishonesty list (安全生产严重失信主体名单): rules propose, decisions list.

- ``derive_candidates`` — enterprises meeting an enabled policy rule on a date,
  with the triggering records (internal);
- ``listing_state`` — each listing decision's state on a date (待定, 公示中,
  已到期, 已修复, 已移出, 已撤销), from decision records only;
- ``public_blacklist`` / ``blacklist_tables`` — what may be published: the
  entries listed on that date, public fields only;
- ``write_blacklist_data`` — ``blacklist.json`` and ``blacklist.csv``.

Records + policy + as-of date in, sorted values out; only ``opendata`` writes.
"""

from __future__ import annotations

from generator.derive.blacklist.candidates import Candidate, derive_candidates
from generator.derive.blacklist.criteria import CRITERIA
from generator.derive.blacklist.listing import STATUSES, Listing, listing_state
from generator.derive.blacklist.opendata import write_blacklist_data
from generator.derive.blacklist.policy_rules import BlacklistRule, blacklist_rules
from generator.derive.blacklist.public import (
    FIELDS,
    BlacklistEntry,
    blacklist_csv,
    blacklist_json,
    blacklist_tables,
    public_blacklist,
)

__all__ = [
    "CRITERIA",
    "FIELDS",
    "STATUSES",
    "BlacklistEntry",
    "BlacklistRule",
    "Candidate",
    "Listing",
    "blacklist_csv",
    "blacklist_json",
    "blacklist_rules",
    "blacklist_tables",
    "derive_candidates",
    "listing_state",
    "public_blacklist",
    "write_blacklist_data",
]
