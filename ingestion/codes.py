"""Check characters and code tables: USCC (GB 32100), resident ID (GB 11643), regions (GB/T 2260)."""
from __future__ import annotations

import csv
import functools
import re

from stdnum.cn import ric, uscc

from chanjiao.settings import DBT_PROJECT_DIR

REGIONS_SEED = DBT_PROJECT_DIR / "seeds" / "regions.csv"

# GB 32100-2015: 18 characters of this alphabet (no I, O, S, V, Z); positions 3-8 are the
# registering authority's region code. python-stdnum's validate() wrongly refuses letters in the
# first two positions, so only its check-character arithmetic is used.
_USCC = re.compile(r"^[0-9A-HJ-NP-RTUW-Y]{2}[0-9]{6}[0-9A-HJ-NP-RTUW-Y]{10}$")


def uscc_is_valid(code: str) -> bool:
    if not _USCC.match(code):
        return False
    return uscc.calc_check_digit(code[:-1]) == code[-1]


def id_number_is_valid(code: str) -> bool:
    return len(code) == 18 and ric.is_valid(code)


@functools.cache
def _regions() -> dict[str, list[tuple[int | None, int | None]]]:
    spans: dict[str, list[tuple[int | None, int | None]]] = {}
    with REGIONS_SEED.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            start = int(row["valid_from_year"]) if row.get("valid_from_year") else None
            end = int(row["valid_to_year"]) if row.get("valid_to_year") else None
            spans.setdefault(row["region_code"], []).append((start, end))
    return spans


def region_is_valid(code: str, year: int) -> bool:
    """True when the code is in the region table and in use in `year` (the period's year)."""
    return any(
        (start is None or start <= year) and (end is None or end >= year)
        for start, end in _regions().get(code, ())
    )
