"""Codes a submission carries, computed from their standards: USCC (GB 32100-2015), resident ID numbers
(GB 11643-1999), GB/T 2260 region codes (dbt_project/seeds/regions.csv), and the people's names.

The check characters are computed here (not with python-stdnum) because a province month computes
hundreds of thousands of them; tests check both agree.
"""
from __future__ import annotations

import csv
import datetime as dt
import random
from dataclasses import dataclass
from functools import lru_cache

from ingestion.codes import REGIONS_SEED as REGIONS_CSV  # the warehouse's region table (GB/T 2260 and development zones)
from ingestion.period import Period

USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {c: i for i, c in enumerate(USCC_CHARS)}
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ID_WEIGHTS = tuple(2 ** (17 - i) % 11 for i in range(17))
_ID_CHECK = "10X98765432"

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"


def uscc_check(body: str) -> str:
    """The 18th character of a USCC whose first 17 are `body`."""
    total = sum(_USCC_VALUE[c] * w for c, w in zip(body, _USCC_WEIGHTS))
    return USCC_CHARS[(31 - total % 31) % 31]


def uscc(region: str, serial: int) -> str:
    """A valid USCC of an enterprise registered in `region`, numbered `serial` (91 + region + MA + 7 digits)."""
    body = f"91{region}MA{serial:07d}"
    return body + uscc_check(body)


def random_uscc(rng: random.Random, region: str) -> str:
    """A valid USCC with a random organisation code (letters wherever the standard allows them)."""
    body = "91" + region + "".join(rng.choice(USCC_CHARS) for _ in range(9))
    return body + uscc_check(body)


def id_check(body: str) -> str:
    """The 18th character of a resident ID number whose first 17 are `body`."""
    return _ID_CHECK[sum(int(c) * w for c, w in zip(body, _ID_WEIGHTS)) % 11]


def id_number(region: str, serial: int, birth: str = "19900101") -> str:
    """A valid resident ID number: `region`'s address code, `birth` (YYYYMMDD), sequence `serial` (0..999)."""
    body = f"{region}{birth}{serial % 1000:03d}"
    return body + id_check(body)


def spoil(code: str) -> str:
    """The same code with a wrong check character (the last one)."""
    return code[:-1] + ("1" if code[-1] != "1" else "2")


def person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)


def month_label(period: str) -> str:
    """2026-10 → 2026年10月 (as file names and titles write it)."""
    p = Period.parse(period)
    return f"{p.year}年{p.month}月"


def period_end(period: str) -> dt.date:
    return Period.parse(period).end


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    level: str  # province / city / county
    parent: str
    province: str
    city: str
    valid_from: int | None
    valid_to: int | None
    dev_zone: bool

    def valid_in(self, year: int) -> bool:
        return (self.valid_from is None or self.valid_from <= year) and (self.valid_to is None or year <= self.valid_to)


@lru_cache(maxsize=1)
def all_regions() -> dict[str, Region]:
    with REGIONS_CSV.open(encoding="utf-8") as fh:
        return {r["region_code"]: Region(r["region_code"], r["region_name"], r["region_level"], r["parent_code"], r["province_code"],
                                         r["city_code"], int(r["valid_from_year"]) if r["valid_from_year"] else None,
                                         int(r["valid_to_year"]) if r["valid_to_year"] else None, r["is_dev_zone"] == "true")
                for r in csv.DictReader(fh)}


def counties(within: str, period: str, dev_zones: bool = False) -> list[Region]:
    """The county-level regions in force at `period` inside `within` (a province, city or county code),
    in code order. 市辖区 placeholders (xxxx01) are never counties; development zones only when asked."""
    year = Period.parse(period).year
    prefix = within[:2] if within.endswith("0000") else within[:4] if within.endswith("00") else within
    return [r for r in all_regions().values()
            if r.level == "county" and r.code.startswith(prefix) and r.valid_in(year) and r.name != "市辖区"
            and (dev_zones or not r.dev_zone)]


def region_name(code: str) -> str:
    return all_regions()[code].name
