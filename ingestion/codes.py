"""Check characters and code tables: USCC (GB 32100), resident ID (GB 11643), regions (GB/T 2260)."""
from __future__ import annotations

import csv
import datetime as dt
import functools
import re
from pathlib import Path

from stdnum import numdb
from stdnum.cn import ric

# The region table is the dbt project's seed, which the warehouse loads too: one table, two readers.
# Found from this file (the repository's layout), not through chanjiao: ingestion knows nothing of it.
REGIONS_SEED = Path(__file__).resolve().parent.parent / "dbt_project" / "seeds" / "regions.csv"

# GB 32100-2015: 18 characters of this alphabet (no I, O, S, V, Z); positions 3-8 are the
# registering authority's region code. python-stdnum's validate() wrongly refuses letters in the
# first two positions, so the check character is computed here: the arithmetic of stdnum's
# uscc.calc_check_digit, with each character's value looked up in a dict (the library call, with its
# compact() and a str.index per character, was most of the cost of a USCC cell).
_USCC = re.compile(r"^[0-9A-HJ-NP-RTUW-Y]{2}[0-9]{6}[0-9A-HJ-NP-RTUW-Y]{10}$")
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100: a character's value is its position
_USCC_VALUE = {c: i for i, c in enumerate(_USCC_ALPHABET)}
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_is_valid(code: str) -> bool:
    if not _USCC.match(code):
        return False
    value = _USCC_VALUE
    total = sum([value[c] * w for c, w in zip(code, _USCC_WEIGHTS)])  # the 17 characters before the check
    return _USCC_ALPHABET[(31 - total) % 31] == code[-1]


def id_number_holdable_from(code: str) -> dt.date | None:
    """The first day a person could hold this resident ID (GB 11643-1999), or None when no one can.

    The standard's own checks: 17 digits and the check character (ISO 7064 MOD 11-2), a birth date
    that exists, and an address code (positions 1-6) from GB/T 2260. The address code is the code of
    the registered residence *when the number was issued*, so it may be newer than the birth date (a
    teacher born in 1987 in a county coded in 1994 holds the 1994 code): the code must have been in
    force at some time from the birth year on. The day returned is the birth date, or 1 January of the
    first year after it in which the code was in force; the number is valid for a period when that day
    is not after the period's end (`id_number_is_valid`). Codes that never existed, and the statistical
    codes of development zones (统计用区划代码, not GB/T 2260: no ID is issued under them), give None."""
    if len(code) != 18 or not code[:17].isdigit() or code[17] != ric.calc_check_digit(code):
        return None
    try:
        birth = dt.date(int(code[6:10]), int(code[10:12]), int(code[12:14]))
    except ValueError:
        return None
    first = _first_year_in_force(code[:6], birth.year)
    if first is None:
        return None
    return birth if first == birth.year else dt.date(first, 1, 1)


def id_number_is_valid(code: str, period_end: dt.date | None = None) -> bool:
    """GB 11643-1999 (see `id_number_holdable_from`), for a period ending on `period_end` (default today)."""
    holdable = id_number_holdable_from(code)
    return holdable is not None and holdable <= (period_end or dt.date.today())


@functools.lru_cache(maxsize=1 << 14)
def _first_year_in_force(region: str, year: int) -> int | None:
    """The first year >= `year` in which the GB/T 2260 address code was in force, from python-stdnum's
    table of the code's editions (cn/loc.dat: "[1983-2000]郊区,[2001-]淇滨区"; no bracket: every edition;
    a blank bound: open). None when the code never existed or stopped before `year`."""
    found = [props["county"] for _, props in numdb.get("cn/loc").info(region) if "county" in props]
    if not found:
        return None  # unknown code, or only a province prefix matched (e.g. a development zone's 410671)
    first = None
    for span in found[-1].split(","):
        if not span.startswith("["):
            return year
        start, _, end = span[1:].split("]")[0].partition("-")
        if end and int(end) < year:
            continue
        candidate = max(int(start), year) if start else year
        first = candidate if first is None else min(first, candidate)
    return first


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
