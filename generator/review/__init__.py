"""Three-tier review (三级复核) through code review, recorded in Git.

- ``plan``: which tiers a pull request needs, from policy and what it changes;
- ``sample``: deterministic draws anyone can repeat (双随机);
- ``approvals``: who may review, and approvals as signed empty commits with trailers;
- ``check``: whether a pull request has the approvals its plan needs;
- ``codeowners``: platform protection generated from the staff records;
- ``gitio``: the only module that runs git.
"""

from __future__ import annotations

from generator.review.approvals import ReviewError, approve
from generator.review.check import CheckResult, check_review
from generator.review.gitio import GitError
from generator.review.plan import Plan, build_plan
from generator.review.sample import Draw, SeedNotYetAvailable, draw, draw_sample, rank

__all__ = [
    "CheckResult",
    "Draw",
    "GitError",
    "Plan",
    "ReviewError",
    "SeedNotYetAvailable",
    "approve",
    "build_plan",
    "check_review",
    "draw",
    "draw_sample",
    "rank",
]
