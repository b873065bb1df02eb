"""Rows of submissions, as dicts of field name → value the way a submitter types them (codes as text,
flags as bool, dates as dt.date). Three families:

- hand-made rows whose every number a test states (`roster`, `school`, `cooperation`, `register_of`);
- seeded random rows of a city's schools and firms (`School`, `workbook`, `register_rows`: the demo's
  鹤壁市 and the Airflow tests' months);
- the bulk rows of a whole province (`bulk.py`).
"""
from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable
from dataclasses import dataclass

from chanjiao.demo.factory.codes import id_number, person, random_uscc

INDUSTRIES = ["C13", "C14", "C26", "C30", "C33", "C34", "C36", "C38", "C39", "D44", "E48", "G54", "I65"]
FIRM_WORDS = ["华", "鑫", "宏", "兴", "泰", "丰"]
COOPERATION_TYPES = ["订单培养", "现代学徒制", "共建实训基地", "产业学院", "技术研发", "教师实践基地"]


# --- hand-made rows: every value chosen by the caller or a fixed default ------------------------------

def roster(n_prof: int, n_dual: int, *, integrated: int = 0, prefix: str = "T", extra: Iterable[dict] = (),
           region: str = "410622") -> list[dict]:
    """`n_prof` full-time professional teachers, the first `n_dual` of them 双师型 and the next `integrated`
    一体化; then the `extra` rows as given. Staff numbers are `prefix` + 3 digits."""
    rows = [{"teacher_id": f"{prefix}{i:03d}", "teacher_name": f"教师{prefix}{i}", "id_number": id_number(region, i % 900),
             "is_professional": True, "is_dual_qualified": i < n_dual, "employment_type": "专任",
             "practice_days_12m": 10, "practice_days_24m": 20, "is_integrated": n_dual <= i < n_dual + integrated}
            for i in range(n_prof)]
    return rows + list(extra)


def cooperation(uscc: str, start: dt.date = dt.date(2025, 9, 1), end: dt.date | None = None, kind: str = "订单培养",
                name: str | None = None) -> dict:
    return {"enterprise_uscc": uscc, "enterprise_name": name or f"企业{uscc[-4:]}", "cooperation_type": kind,
            "start_date": start, "end_date": end}


def school(code: str, name: str, region: str, level: str, period: str, teachers: list[dict],
           cooperations: Iterable[str | tuple | dict] = (), **info) -> dict:
    """A school workbook's data: the 学校信息 row (fixed defaults, `info` overrides them; an override of
    None leaves the field out), the teachers as given, and cooperations given as rows, USCCs (an open
    订单培养 since 2025-09-01) or (uscc, start, end) tuples."""
    row = {"school_code": code, "school_name": name, "region_code": region, "school_level": level, "period": period,
           "enrolled_students": 1000, "staff_quota": 60, "total_teaching_hours": 2000, "practical_teaching_hours": 1000,
           "contact_name": "联系人甲", "contact_phone": "13800001111", **info}
    coops = [c if isinstance(c, dict) else cooperation(c) if isinstance(c, str) else cooperation(*c) for c in cooperations]
    return {"school_info": [{k: v for k, v in row.items() if v is not None}], "teachers": teachers, "cooperations": coops}


def register_of(usccs: Iterable[str], period: str, industry: str = "C36") -> dict:
    """An above-scale register listing these firms (region from the USCC, name 企业 + last 4 characters)."""
    return {"above_scale_enterprises": [{"uscc": u, "enterprise_name": f"企业{u[-4:]}", "region_code": u[2:8],
                                         "industry_code": industry, "period": period} for u in usccs]}


# --- seeded rows of a city's schools and firms ----------------------------------------------------

@dataclass(frozen=True)
class School:
    code: str
    name: str
    region: str
    level: str
    teachers: int
    dual_share: float
    students: int


def register_rows(rng: random.Random, period: str, n: int, regions: list[str], weights: list[float], names: dict[str, str],
                  city: str, zone: str = "开发区") -> list[dict]:
    """`n` above-scale firms over `regions` (drawn with `weights`), named after the city and their county."""
    rows = []
    for i in range(n):
        region = rng.choices(regions, weights)[0]
        rows.append({"uscc": random_uscc(rng, region), "enterprise_name": f"{city}{names.get(region, zone)}{rng.choice(FIRM_WORDS)}{i:03d}实业有限公司",
                     "region_code": region, "industry_code": rng.choice(INDUSTRIES), "period": period})
    return rows


def teachers(rng: random.Random, school: School) -> list[dict]:
    """A roster of `school.teachers`: ~80% professional, ~12% part-time (from a firm of the county),
    双师型 among professionals at `school.dual_share`; 一体化 teachers in 技工院校."""
    rows = []
    for i in range(school.teachers):
        professional = rng.random() < 0.8
        part_time = rng.random() < 0.12
        dual = professional and rng.random() < school.dual_share
        days12 = rng.randint(0, 90)
        rows.append({
            "teacher_id": f"T{school.code[-3:]}{i:04d}", "teacher_name": person(rng),
            "is_professional": professional, "is_dual_qualified": dual,
            "employment_type": "兼职" if part_time else "专任",
            "source_enterprise_uscc": random_uscc(rng, school.region) if part_time else None,
            "practice_days_12m": days12, "practice_days_24m": days12 + rng.randint(0, 90),
            "is_integrated": school.level == "技工院校" and not dual and professional and rng.random() < 0.5,
        })
    return rows


def cooperations(rng: random.Random, register: list[dict], n: int) -> list[dict]:
    """`n` cooperations with firms of `register`, begun 2024-01-01 … 2026-09-27, ~15% with an end date."""
    rows = []
    for partner in rng.sample(register, n):
        start = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randint(0, 1000))
        ended = rng.random() < 0.15
        rows.append({"enterprise_uscc": partner["uscc"], "enterprise_name": partner["enterprise_name"],
                     "cooperation_type": rng.choice(COOPERATION_TYPES),
                     "start_date": start, "end_date": start + dt.timedelta(days=rng.randint(30, 400)) if ended else None})
    return rows


def workbook(rng: random.Random, school: School, register: list[dict], period: str, phone: str = "1390392") -> dict:
    """A school's workbook: its 学校信息, a random roster and 12–30 cooperations with firms of `register`."""
    return {
        "school_info": [{
            "school_code": school.code, "school_name": school.name, "region_code": school.region, "school_level": school.level,
            "period": period, "enrolled_students": school.students, "staff_quota": school.teachers + 20,
            "total_teaching_hours": 2600, "practical_teaching_hours": 1400, "contact_name": person(rng), "contact_phone": f"{phone}{rng.randint(0, 9999):04d}",
        }],
        "teachers": teachers(rng, school),
        "cooperations": cooperations(rng, register, rng.randint(12, 30)),
    }


def row_count(data: dict) -> int:
    return sum(len(rows) for rows in data.values())
