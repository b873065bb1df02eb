"""The demo's submissions for 鹤壁市: schools' workbooks and the city's above-scale register, for three
consecutive months (2026-08 … 2026-10), and one late resubmission that corrects 2026-08.

The rows come from the submissions factory (chanjiao.demo.factory: the city's cast is factory.hebi);
this module only says which files the demo's months hold and which mistakes the headline month brings.
Deterministic (seeded): running the demo twice produces the same bytes, so the second run's files are
recognised as duplicates and nothing is loaded twice. Receipt times are set as file modification times.
Names, ID numbers and phone numbers are synthetic and never valid for a real person.
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import replace
from pathlib import Path
from zoneinfo import ZoneInfo

from chanjiao.demo.factory import hebi, month_label, write
from chanjiao.demo.factory import rows as R
from chanjiao.demo.factory.rows import School
from ingestion.period import TIMEZONE

PERIODS = ["2026-08", "2026-09", "2026-10"]
PERIOD = PERIODS[-1]  # the headline month: it also brings the mistakes real months bring
LATE_PERIOD = PERIODS[0]  # the month a school corrects after its release
CITY = hebi.CITY
COUNTIES = hebi.COUNTIES
SCHOOLS = hebi.SCHOOLS
REGISTER_SEED = 20261005  # the same 320 firms every month: the register is re-sent, not re-drawn


def _school_month(school: School, register: list[dict], period: str) -> dict:
    """A school's workbook for `period`: the same staff every month (seeded by the school), with the
    双师型 share rising a little each month as certificates come in."""
    months = PERIODS.index(period) - PERIODS.index(PERIOD) if period in PERIODS else 0
    school = replace(school, dual_share=school.dual_share + 0.015 * months)
    return R.workbook(random.Random(f"{school.code}"), school, register, period)


def _write(kind: str, path: Path, data: dict, received: float, title: str | None = None) -> Path:
    return write(kind, path, data, title=title, received=received)


def generate(landing: Path, period: str = PERIOD) -> list[Path]:
    """Write one month's submissions into `landing`; the headline month includes the usual mistakes."""
    landing.mkdir(parents=True, exist_ok=True)
    label = month_label(period)
    received = hebi.received
    register = hebi.register(random.Random(REGISTER_SEED), period)
    files = [_write("above_scale_register", landing / f"鹤壁市统计局_规模以上企业名录_{label}.xlsx",
                    {"above_scale_enterprises": register}, received(period, 2, 10), title=f"鹤壁市规模以上工业企业名录（{label}）")]
    for i, school in enumerate(SCHOOLS):
        data = _school_month(school, register, period)
        name = f"{school.name}_产教融合数据报表_{label}.xlsx"
        if period == PERIOD and school.code == "4141060009":
            # First attempt has two mistakes (a 双师型 teacher who is not a professional teacher, and a
            # duplicated 工号); the school sends a corrected workbook two days later.
            bad = {**data, "teachers": [dict(t) for t in data["teachers"]]}
            bad["teachers"][3].update(is_professional=False, is_dual_qualified=True)
            bad["teachers"][7]["teacher_id"] = bad["teachers"][6]["teacher_id"]
            files.append(_write("school_workbook", landing / f"{school.name}_产教融合数据报表_{label}(初报).xlsx", bad, received(period, 2, 15)))
            files.append(_write("school_workbook", landing / f"{school.name}_产教融合数据报表_{label}(更正).xlsx", data, received(period, 4, 9, 30)))
            continue
        if period == PERIOD and school.code == "4141060001":
            # Sent on the 1st, then revised on the 3rd after a review of 双师型 certificates: the revision
            # supersedes the first (both stay in the archive).
            first = {**data, "teachers": [dict(t, is_dual_qualified=False) if k < 12 else t for k, t in enumerate(data["teachers"])]}
            files.append(_write("school_workbook", landing / f"{school.name}_产教融合数据报表_{label}(第一版).xlsx", first, received(period, 1, 9)))
            files.append(_write("school_workbook", landing / name, data, received(period, 3, 17)))
            continue
        files.append(_write("school_workbook", landing / name, data, received(period, 1 + i % 3, 9 + i)))
    if period != PERIOD:
        return files
    # A school sends last month's file by mistake: wrong period, rejected.
    stale = R.workbook(random.Random(7), SCHOOLS[1], register, period="2026-09")
    files.append(_write("school_workbook", landing / f"{SCHOOLS[1].name}_产教融合数据报表_2026年9月.xlsx", stale, received(period, 3, 11)))
    # A county bureau's register with a mistyped credit code: rejected; the city's register stays in force.
    county = [dict(r) for r in register if r["region_code"] == "410621"]
    county[5]["uscc"] = county[5]["uscc"][:-1] + ("0" if county[5]["uscc"][-1] != "0" else "1")
    files.append(_write("above_scale_register", landing / f"浚县统计局_规模以上企业名录_{label}.xlsx",
                        {"above_scale_enterprises": county}, received(period, 3, 16)))
    return files


LATE_SCHOOL = "4141060008"  # 浚县职业技术教育中心
LATE_DUAL = 8  # teachers whose 双师型 certificates were overlooked in the first submission


def generate_late_correction(landing: Path, period: str = LATE_PERIOD, received: dt.datetime | None = None) -> Path:
    """浚县职业技术教育中心 finds, after the release of `period`, that it left 8 teachers' 双师型
    certificates out; it resends that month's workbook. It goes into landing/<period>/, the folder of late
    corrections, so it is ingested for `period` while the revision window is open."""
    school = next(s for s in SCHOOLS if s.code == LATE_SCHOOL)
    register = hebi.register(random.Random(REGISTER_SEED), period)
    data = _school_month(school, register, period)
    teachers = [dict(t) for t in data["teachers"]]
    flipped = 0
    for t in teachers:
        if flipped < LATE_DUAL and t["is_professional"] and t["employment_type"] == "专任" and not t["is_dual_qualified"]:
            t["is_dual_qualified"] = True
            flipped += 1
    when = received or dt.datetime(2026, 11, 10, 10, 0, tzinfo=ZoneInfo(TIMEZONE))
    (landing / period).mkdir(parents=True, exist_ok=True)
    return _write("school_workbook", landing / period / f"{school.name}_产教融合数据报表_{month_label(period)}(更正).xlsx",
                  {**data, "teachers": teachers}, when.timestamp())
