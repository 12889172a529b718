"""Identifiers with valid check characters: credit codes, ID numbers, phones, keys.

- Unified social credit codes follow GB 32100 (check character over the
  31-character alphabet); the embedded organisation code follows GB 11714.
- Resident ID numbers follow GB 11643 (check digit mod 11) but use the region
  code 990822, which belongs to no place, so no generated number can be a real
  person's.
- Phone numbers come from the 139 0000 block, one per person.
"""

from __future__ import annotations

import base64
import datetime as dt
import random
import struct

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORG_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # letters usable in new organisation codes
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
RIC_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
RIC_CHECK = "10X98765432"

# 行政区划代码 used in the credit codes of the fictional county's firms
REGION_CODE = "510899"
# region code of the fictional ID numbers (no such province)
RIC_REGION = "990822"


def uscc_check(first17: str) -> str:
    """GB 32100 check character for the first 17 characters."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def _org_value(c: str) -> int:
    return int(c) if c.isdigit() else ord(c) - ord("A") + 10


def org_code_check(first8: str) -> str:
    """GB 11714 check character of an organisation code."""
    total = sum(_org_value(c) * w for c, w in zip(first8, ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


def make_uscc(rng: random.Random, *, individual: bool = False) -> str:
    """A credit code for a firm (91…) or an individual business (92…) registered in the county."""
    head = "92" if individual else "91"
    body = "MA" + "".join(rng.choice(ORG_ALPHABET[:10] + "ABCDEFGH") for _ in range(6))
    org = body + org_code_check(body)
    first17 = head + REGION_CODE + org
    return first17 + uscc_check(first17)


def make_ric(rng: random.Random, born: dt.date) -> str:
    """A fictional resident ID number: valid date and check digit, no real region."""
    first17 = f"{RIC_REGION}{born:%Y%m%d}{rng.randint(0, 999):03d}"
    total = sum(int(c) * w for c, w in zip(first17, RIC_WEIGHTS, strict=True))
    return first17 + RIC_CHECK[total % 11]


class Phones:
    """Hands out distinct mobile numbers from the 139 0000 block (and the next, at scale)."""

    def __init__(self, rng: random.Random, *, blocks: int = 1) -> None:
        self._pool = list(range(10000 * blocks))
        rng.shuffle(self._pool)

    def take(self) -> str:
        return f"13900{self._pool.pop():06d}"


def ssh_key_line(rng: random.Random, comment: str) -> str:
    """A well-formed ssh-ed25519 public key line (random key material, demo only)."""
    key = bytes(rng.getrandbits(8) for _ in range(32))
    blob = struct.pack(">I", 11) + b"ssh-ed25519" + struct.pack(">I", 32) + key
    return f"ssh-ed25519 {base64.b64encode(blob).decode('ascii')} {comment}"
