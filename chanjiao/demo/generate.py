"""Sample submissions for 鹤壁市: schools' workbooks and the city's above-scale register, for three
consecutive months (2026-08 … 2026-10), and one late resubmission that corrects 2026-08.

Deterministic (seeded): running the demo twice produces the same bytes, so the second run's files are
recognised as duplicates and nothing is loaded twice. Receipt times are set as file modification times.
Names, ID numbers and phone numbers are synthetic and never valid for a real person.
"""
from __future__ import annotations

import datetime as dt
import os
import random
from dataclasses import dataclass, replace
from pathlib import Path
from zoneinfo import ZoneInfo

from stdnum.cn import uscc

from ingestion.period import TIMEZONE
from ingestion.registry import kinds
from ingestion.templates import write_workbook

PERIODS = ["2026-08", "2026-09", "2026-10"]
PERIOD = PERIODS[-1]  # the headline month: it also brings the mistakes real months bring
LATE_PERIOD = PERIODS[0]  # the month a school corrects after its release
CITY = "410600"
COUNTIES = {"410602": "鹤山区", "410603": "山城区", "410611": "淇滨区", "410621": "浚县", "410622": "淇县"}
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
INDUSTRIES = ["C13", "C14", "C26", "C30", "C33", "C34", "C36", "C38", "C39", "D44", "E48", "G54", "I65"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"


@dataclass(frozen=True)
class School:
    code: str
    name: str
    region: str
    level: str
    teachers: int
    dual_share: float
    students: int


SCHOOLS = [
    School("4141060001", "鹤壁职业技术学院", "410611", "高职专科", 160, 0.74, 9800),
    School("4141060002", "鹤壁汽车工程职业学院", "410611", "高职专科", 120, 0.66, 7200),
    School("4141060003", "鹤壁能源化工职业学院", "410611", "高职专科", 90, 0.61, 5100),
    School("4141060004", "鹤壁市中等职业学校", "410611", "中职", 70, 0.58, 2600),
    School("4141060005", "鹤壁市技工学校", "410602", "技工院校", 55, 0.52, 2100),
    School("4141060006", "鹤壁市山城区职业高级中学", "410603", "中职", 38, 0.55, 1200),
    School("4141060007", "浚县职业中等专业学校", "410621", "中职", 64, 0.63, 2900),
    School("4141060008", "浚县职业技术教育中心", "410621", "中职", 42, 0.48, 1600),
    School("4141060009", "淇县职业中等专业学校", "410622", "中职", 58, 0.69, 2400),
]


def make_uscc(rng: random.Random, region: str) -> str:
    body = "91" + region + "".join(rng.choice(USCC_CHARS) for _ in range(9))
    return body + uscc.calc_check_digit(body)


def _label(period: str) -> str:
    return f"{int(period[:4])}年{int(period[5:7])}月"


def _received(period: str, day: int, hour: int, minute: int = 0) -> float:
    """A receipt time in the month after `period`, when its submissions come in."""
    year, month = int(period[:4]), int(period[5:7])
    year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return dt.datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(TIMEZONE)).timestamp()


def _write(kind: str, path: Path, data: dict, received: float, title: str | None = None) -> Path:
    write_workbook(kinds()[kind], path, data, title=title)
    os.utime(path, (received, received))
    return path


def _register(rng: random.Random, period: str, n: int = 320) -> list[dict]:
    regions = list(COUNTIES) + ["410671"]  # the economic-technological development zone has its own statistical code
    weights = [0.12, 0.10, 0.33, 0.17, 0.16, 0.12]
    rows = []
    for i in range(n):
        region = rng.choices(regions, weights)[0]
        rows.append({"uscc": make_uscc(rng, region), "enterprise_name": f"鹤壁市{COUNTIES.get(region, '开发区')}{rng.choice(['华', '鑫', '宏', '兴', '泰', '丰'])}{i:03d}实业有限公司",
                     "region_code": region, "industry_code": rng.choice(INDUSTRIES), "period": period})
    return rows


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)


def _teachers(rng: random.Random, school: School) -> list[dict]:
    rows = []
    for i in range(school.teachers):
        professional = rng.random() < 0.8
        part_time = rng.random() < 0.12
        dual = professional and rng.random() < school.dual_share
        days12 = rng.randint(0, 90)
        rows.append({
            "teacher_id": f"T{school.code[-3:]}{i:04d}", "teacher_name": _person(rng),
            "is_professional": professional, "is_dual_qualified": dual,
            "employment_type": "兼职" if part_time else "专任",
            "source_enterprise_uscc": make_uscc(rng, school.region) if part_time else None,
            "practice_days_12m": days12, "practice_days_24m": days12 + rng.randint(0, 90),
            "is_integrated": school.level == "技工院校" and not dual and professional and rng.random() < 0.5,
        })
    return rows


def _cooperations(rng: random.Random, register: list[dict], n: int) -> list[dict]:
    rows = []
    for partner in rng.sample(register, n):
        start = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randint(0, 1000))
        ended = rng.random() < 0.15
        rows.append({"enterprise_uscc": partner["uscc"], "enterprise_name": partner["enterprise_name"],
                     "cooperation_type": rng.choice(["订单培养", "现代学徒制", "共建实训基地", "产业学院", "技术研发", "教师实践基地"]),
                     "start_date": start, "end_date": start + dt.timedelta(days=rng.randint(30, 400)) if ended else None})
    return rows


def _workbook(rng: random.Random, school: School, register: list[dict], period: str = PERIOD) -> dict:
    return {
        "school_info": [{
            "school_code": school.code, "school_name": school.name, "region_code": school.region, "school_level": school.level,
            "period": period, "enrolled_students": school.students, "staff_quota": school.teachers + 20,
            "total_teaching_hours": 2600, "practical_teaching_hours": 1400, "contact_name": _person(rng), "contact_phone": f"1390392{rng.randint(0, 9999):04d}",
        }],
        "teachers": _teachers(rng, school),
        "cooperations": _cooperations(rng, register, rng.randint(12, 30)),
    }


def _school_month(school: School, register: list[dict], period: str) -> dict:
    """A school's workbook for `period`: the same staff every month (seeded by the school), with the
    双师型 share rising a little each month as certificates come in."""
    months = PERIODS.index(period) - PERIODS.index(PERIOD) if period in PERIODS else 0
    school = replace(school, dual_share=school.dual_share + 0.015 * months)
    return _workbook(random.Random(f"{school.code}"), school, register, period)


def generate(landing: Path, period: str = PERIOD) -> list[Path]:
    """Write one month's submissions into `landing`; the headline month includes the usual mistakes."""
    landing.mkdir(parents=True, exist_ok=True)
    label = _label(period)
    # The same 320 firms every month: the register is re-sent, not re-drawn.
    register = _register(random.Random(20261005), period)
    files = [_write("above_scale_register", landing / f"鹤壁市统计局_规模以上企业名录_{label}.xlsx",
                    {"above_scale_enterprises": register}, _received(period, 2, 10), title=f"鹤壁市规模以上工业企业名录（{label}）")]
    for i, school in enumerate(SCHOOLS):
        data = _school_month(school, register, period)
        name = f"{school.name}_产教融合数据报表_{label}.xlsx"
        if period == PERIOD and school.code == "4141060009":
            # First attempt has two mistakes (a 双师型 teacher who is not a professional teacher, and a
            # duplicated 工号); the school sends a corrected workbook two days later.
            bad = {**data, "teachers": [dict(t) for t in data["teachers"]]}
            bad["teachers"][3].update(is_professional=False, is_dual_qualified=True)
            bad["teachers"][7]["teacher_id"] = bad["teachers"][6]["teacher_id"]
            files.append(_write("school_workbook", landing / f"{school.name}_产教融合数据报表_{label}(初报).xlsx", bad, _received(period, 2, 15)))
            files.append(_write("school_workbook", landing / f"{school.name}_产教融合数据报表_{label}(更正).xlsx", data, _received(period, 4, 9, 30)))
            continue
        if period == PERIOD and school.code == "4141060001":
            # Sent on the 1st, then revised on the 3rd after a review of 双师型 certificates: the revision
            # supersedes the first (both stay in the archive).
            first = {**data, "teachers": [dict(t, is_dual_qualified=False) if k < 12 else t for k, t in enumerate(data["teachers"])]}
            files.append(_write("school_workbook", landing / f"{school.name}_产教融合数据报表_{label}(第一版).xlsx", first, _received(period, 1, 9)))
            files.append(_write("school_workbook", landing / name, data, _received(period, 3, 17)))
            continue
        files.append(_write("school_workbook", landing / name, data, _received(period, 1 + i % 3, 9 + i)))
    if period != PERIOD:
        return files
    # A school sends last month's file by mistake: wrong period, rejected.
    stale = _workbook(random.Random(7), SCHOOLS[1], register, period="2026-09")
    files.append(_write("school_workbook", landing / f"{SCHOOLS[1].name}_产教融合数据报表_2026年9月.xlsx", stale, _received(period, 3, 11)))
    # A county bureau's register with a mistyped credit code: rejected; the city's register stays in force.
    county = [dict(r) for r in register if r["region_code"] == "410621"]
    county[5]["uscc"] = county[5]["uscc"][:-1] + ("0" if county[5]["uscc"][-1] != "0" else "1")
    files.append(_write("above_scale_register", landing / f"浚县统计局_规模以上企业名录_{label}.xlsx",
                        {"above_scale_enterprises": county}, _received(period, 3, 16)))
    return files


LATE_SCHOOL = "4141060008"  # 浚县职业技术教育中心
LATE_DUAL = 8  # teachers whose 双师型 certificates were overlooked in the first submission


def generate_late_correction(landing: Path, period: str = LATE_PERIOD, received: dt.datetime | None = None) -> Path:
    """浚县职业技术教育中心 finds, after the release of `period`, that it left 8 teachers' 双师型
    certificates out; it resends that month's workbook. It goes into landing/<period>/, the folder of late
    corrections, so it is ingested for `period` while the revision window is open."""
    school = next(s for s in SCHOOLS if s.code == LATE_SCHOOL)
    register = _register(random.Random(20261005), period)
    data = _school_month(school, register, period)
    teachers = [dict(t) for t in data["teachers"]]
    flipped = 0
    for t in teachers:
        if flipped < LATE_DUAL and t["is_professional"] and t["employment_type"] == "专任" and not t["is_dual_qualified"]:
            t["is_dual_qualified"] = True
            flipped += 1
    when = received or dt.datetime(2026, 11, 10, 10, 0, tzinfo=ZoneInfo(TIMEZONE))
    (landing / period).mkdir(parents=True, exist_ok=True)
    return _write("school_workbook", landing / period / f"{school.name}_产教融合数据报表_{_label(period)}(更正).xlsx",
                  {**data, "teachers": teachers}, when.timestamp())
