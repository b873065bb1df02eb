"""Broken submissions: one mistake the gate must catch (templates.md, "Mistakes the gate must catch"),
made in a copy of valid data. `BREAKAGES[name](data, rng)` returns the broken copy; `applies(name, kind)`
says whether a mistake can be made in a kind. A sheet whose rows are None is left out of the file
(`write` honours it): a workbook missing a required sheet.
"""
from __future__ import annotations

import copy
import random
from collections.abc import Callable

from chanjiao.demo.factory.codes import spoil, uscc_check

SINGLE = {"enterprise_return": "enterprise_returns", "above_scale_register": "above_scale_enterprises",
          "certified_enterprises": "certified_enterprises", "carriers": "carriers", "education_finance": "education_finance",
          "reporting_frame": "reporting_frame"}


def _rows(data: dict) -> list[dict]:
    """The rows a mistake goes into: teachers of a workbook, else the single sheet's rows."""
    if "teachers" in data:
        return data["teachers"]
    return next(iter(v for v in data.values() if v))


def _pick(rows: list[dict], rng: random.Random, want=lambda r: True) -> dict:
    fitting = [r for r in rows if want(r)]
    if not fitting:
        raise ValueError("no row this mistake can be made in")
    return rng.choice(fitting)


def bad_uscc(data, rng):
    if "cooperations" in data:
        row = _pick(data["cooperations"], rng)
        row["enterprise_uscc"] = spoil(row["enterprise_uscc"])
    else:
        row = _pick(_rows(data), rng, lambda r: r.get("uscc"))
        row["uscc"] = spoil(row["uscc"])


def bad_id_number(data, rng):
    row = _pick(data["teachers"], rng, lambda r: r.get("id_number"))
    row["id_number"] = spoil(row["id_number"])


def dual_not_professional(data, rng):
    row = _pick(data["teachers"], rng)
    row.update(is_professional=False, is_dual_qualified=True)


def practical_over_total(data, rng):
    info = data["school_info"][0]
    info["practical_teaching_hours"] = info["total_teaching_hours"] + rng.randint(1, 500)


def duplicate_teacher_id(data, rng):
    teachers = data["teachers"]
    i = rng.randrange(1, len(teachers))
    teachers[i]["teacher_id"] = teachers[i - 1]["teacher_id"]


def wrong_period(data, rng):
    for rows in data.values():
        for row in rows or ():
            if row.get("period"):
                year, month = int(row["period"][:4]), int(row["period"][5:7])
                row["period"] = f"{year - (month == 1):04d}-{(month - 2) % 12 + 1:02d}"


def unknown_region(data, rng):
    row = data["school_info"][0] if "school_info" in data else _pick(_rows(data), rng, lambda r: r.get("region_code"))
    row["region_code"] = row["region_code"][:4] + "98"  # no county has code xxxx98


def missing_sheet(data, rng):
    data["teachers"] = None


def scientific_uscc(data, rng):
    """An all-digit USCC that arrived as a number: Excel shows 9.14106E+17, its last digits are lost."""
    rows = data["cooperations"] if "cooperations" in data else _rows(data)
    key = "enterprise_uscc" if "cooperations" in data else "uscc"
    row = _pick(rows, rng)
    serial = rng.randrange(10**8)
    while True:
        body = f"91{row[key][2:8]}{serial:09d}"
        if uscc_check(body).isdigit():
            break
        serial += 1
    row[key] = float(body + uscc_check(body))


BREAKAGES: dict[str, Callable[[dict, random.Random], None]] = {
    "bad_uscc": bad_uscc, "bad_id_number": bad_id_number, "dual_not_professional": dual_not_professional,
    "practical_over_total": practical_over_total, "duplicate_teacher_id": duplicate_teacher_id, "wrong_period": wrong_period,
    "unknown_region": unknown_region, "missing_sheet": missing_sheet, "scientific_uscc": scientific_uscc,
}
SCHOOL_ONLY = {"bad_id_number", "dual_not_professional", "practical_over_total", "duplicate_teacher_id", "missing_sheet"}
WITH_PERIOD = {"school_workbook", "enterprise_return", "above_scale_register", "certified_enterprises", "carriers"}
WITH_USCC = {"school_workbook", "enterprise_return", "above_scale_register", "certified_enterprises"}


def applies(name: str, kind: str) -> bool:
    if name in SCHOOL_ONLY:
        return kind == "school_workbook"
    if name == "wrong_period":
        return kind in WITH_PERIOD
    if name in ("bad_uscc", "scientific_uscc"):
        return kind in WITH_USCC
    return kind != "reporting_frame" or name == "unknown_region"


def broken(data: dict, name: str, rng: random.Random | None = None) -> dict:
    """A copy of `data` with the mistake `name` made in it."""
    out = copy.deepcopy(data)
    BREAKAGES[name](out, rng or random.Random(name))
    return out
