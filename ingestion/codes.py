"""Check characters and code tables: USCC (GB 32100), resident ID (GB 11643), regions (GB/T 2260)."""
from __future__ import annotations

import csv
import functools
import re

from stdnum.cn import ric
from stdnum.exceptions import ValidationError
from stdnum.util import isdigits

from chanjiao.settings import DBT_PROJECT_DIR

REGIONS_SEED = DBT_PROJECT_DIR / "seeds" / "regions.csv"

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


def id_number_is_valid(code: str) -> bool:
    """ric.is_valid, with its place-of-birth check (a lookup in python-stdnum's region database, about
    0.1 ms: more than all the rest of reading a row) remembered per region code and birth year."""
    if len(code) != 18:
        return False
    try:  # the checks of ric.validate, in its order
        number = ric.compact(code)
        if len(number) != 18 or not isdigits(number[:-1]) or number[-1] != ric.calc_check_digit(number):
            return False
        ric.get_birth_date(number)
    except ValidationError:
        return False
    return _birth_place_known(number[:6], number[6:10])


@functools.lru_cache(maxsize=1 << 16)
def _birth_place_known(region: str, year: str) -> bool:
    # ric.get_birth_place reads only the region code and the birth year of the number it is given
    try:
        ric.get_birth_place(f"{region}{year}0101" + "0000")
    except (ValidationError, KeyError):
        # stdnum's table raises KeyError for some codes it half-knows (e.g. the development zones'
        # statistical codes 410671/410690): no resident ID is issued for those, so the ID is invalid.
        return False
    return True


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
