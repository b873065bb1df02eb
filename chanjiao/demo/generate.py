"""The demo's submissions for 鹤壁市, for three consecutive months (2026-08 … 2026-10), and one late
resubmission that corrects 2026-08. Every kind and every sheet, so each indicator has data for the city
and its counties:

- each month: the nine schools' workbooks (all five sheets), the returns of ten firms (two a county),
  the city's above-scale register, 产教融合型企业名单 and 产教融合载体名录;
- with the first month: the city's reporting frame (填报单位名录: the schools, the firms and the
  bureaus, expected from 2026-08 on) and its education finance for 2025 (annual: expected that month);
- the headline month brings what real months bring: a rejected first attempt and its correction, a
  revision that supersedes, last month's file sent again, a county register with a mistyped credit code,
  one expected firm that never sends (missing_firm()) and one school whose workbook arrives after the
  collection deadline (OVERDUE_SCHOOL; calendar.yaml: due by the end of the 3rd).

The rows come from the submissions factory (chanjiao.demo.factory: the city's cast is factory.hebi);
this module only says which files the demo's months hold and which mistakes the headline month brings.
The cohorts of the 毕业生去向 sheets are smaller than the schools' enrolment would give (a fiftieth of it
a year), to keep the files small: no indicator relates the two.
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

from chanjiao.demo.factory import Mess, hebi, month_label, write
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
OVERDUE_SCHOOL = "4141060005"  # 鹤壁市技工学校: its headline-month workbook arrives the day after the collection deadline
# share of students who are apprentices 在读 (the city's target: more than 10%), and of graduates working
# at a firm who work in the school's own county
APPRENTICES = {"4141060001": 0.12, "4141060002": 0.11, "4141060003": 0.08, "4141060004": 0.07, "4141060005": 0.14,
               "4141060006": 0.05, "4141060007": 0.09, "4141060008": 0.06, "4141060009": 0.10}
LOCAL = {"4141060001": 0.45, "4141060002": 0.5, "4141060003": 0.4, "4141060004": 0.55, "4141060005": 0.6,
         "4141060006": 0.5, "4141060007": 0.55, "4141060008": 0.5, "4141060009": 0.45}


def _register(period: str) -> list[dict]:
    return hebi.register(random.Random(REGISTER_SEED), period)


def returning_firms() -> list[dict]:
    """The firms that send their own returns (and the frame expects): two of each county's register firms."""
    return hebi.returning_firms(_register(PERIOD))


def missing_firm() -> dict:
    """The firm the frame expects that never sends its headline-month return (the second of 淇县)."""
    return returning_firms()[-1]


def _school_month(school: School, register: list[dict], period: str) -> dict:
    """A school's workbook for `period`: the same staff, apprentices and graduates every month (seeded by
    the school), with the 双师型 share rising a little each month as certificates come in."""
    months = PERIODS.index(period) - PERIODS.index(PERIOD) if period in PERIODS else 0
    school = replace(school, dual_share=school.dual_share + 0.015 * months)
    data = R.workbook(random.Random(f"{school.code}"), school, register, period)
    data["apprentices"] = R.apprentices(random.Random(f"{school.code}-apprentices"), school, register, period, APPRENTICES[school.code])
    data["graduate_destinations"] = R.graduates(random.Random(f"{school.code}-graduates"), school, register, period,
                                                school.students // 50, LOCAL[school.code])
    return data


def _write(kind: str, path: Path, data: dict, received: float, title: str | None = None, mess: Mess | None = None) -> Path:
    return write(kind, path, data, title=title, received=received, mess=mess)


def generate(landing: Path, period: str = PERIOD) -> list[Path]:
    """Write one month's submissions into `landing`; the headline month includes the usual mistakes."""
    landing.mkdir(parents=True, exist_ok=True)
    label = month_label(period)
    received = hebi.received
    register = _register(period)
    files = []
    if period == PERIODS[0]:
        # the frame and the year's finance come with the first month; both stay in force after it
        files.append(_write("reporting_frame", landing / f"鹤壁市教育局_填报单位名录_{period[:4]}年.xlsx",
                            {"reporting_frame": hebi.frame(random.Random(REGISTER_SEED + 1), register, period)}, received(period, 1, 8, 30)))
        files.append(_write("education_finance", landing / f"{hebi.BUREAUS['education_finance']}_教育经费情况表_2025年度.xlsx",
                            {"education_finance": hebi.finance(2025)}, received(period, 2, 11)))
    files.append(_write("above_scale_register", landing / f"鹤壁市统计局_规模以上企业名录_{label}.xlsx",
                        {"above_scale_enterprises": register}, received(period, 2, 10), title=f"鹤壁市规模以上工业企业名录（{label}）"))
    files.append(_write("certified_enterprises", landing / f"{hebi.BUREAUS['certified_enterprises']}_产教融合型企业名单_{label}.xlsx",
                        {"certified_enterprises": hebi.certified(random.Random(REGISTER_SEED + 2), register, period)}, received(period, 2, 14)))
    files.append(_write("carriers", landing / f"{hebi.BUREAUS['carriers']}_产教融合载体名录_{label}.xlsx",
                        {"carriers": hebi.carriers(random.Random(REGISTER_SEED + 3), register, period)}, received(period, 3, 10)))
    missing = missing_firm()["uscc"] if period == PERIOD else None
    for k, firm in enumerate(hebi.returning_firms(register)):
        if firm["uscc"] == missing:
            continue  # expected by the frame, never sent: `chanjiao status` lists it as missing
        row = R.enterprise_return(random.Random(firm["uscc"]), firm, period)
        name = landing / f"{firm['enterprise_name']}_企业参与职业教育情况表_{label}"
        # most firms fill the template; two export a CSV from their own systems (one in GBK)
        mess = {2: Mess(encoding="gbk"), 7: Mess(encoding="utf-8-sig")}.get(k)
        files.append(_write("enterprise_return", name.with_suffix(".csv" if mess else ".xlsx"), {"enterprise_returns": [row]},
                            received(period, 1 + k % 3, 14 + k % 4, 10 + k), mess=mess))
    for i, school in enumerate(SCHOOLS):
        data = _school_month(school, register, period)
        name = f"{school.name}_产教融合数据报表_{label}.xlsx"
        if period == PERIOD and school.code == "4141060009":
            # First attempt has two mistakes (a 双师型 teacher who is not a professional teacher, and a
            # duplicated 工号); the school sends a corrected workbook the next day, within the deadline.
            bad = {**data, "teachers": [dict(t) for t in data["teachers"]]}
            bad["teachers"][3].update(is_professional=False, is_dual_qualified=True)
            bad["teachers"][7]["teacher_id"] = bad["teachers"][6]["teacher_id"]
            files.append(_write("school_workbook", landing / f"{school.name}_产教融合数据报表_{label}(初报).xlsx", bad, received(period, 2, 15)))
            files.append(_write("school_workbook", landing / f"{school.name}_产教融合数据报表_{label}(更正).xlsx", data, received(period, 3, 17, 30)))
            continue
        if period == PERIOD and school.code == "4141060001":
            # Sent on the 1st, then revised on the 3rd after a review of 双师型 certificates: the revision
            # supersedes the first (both stay in the archive).
            first = {**data, "teachers": [dict(t, is_dual_qualified=False) if k < 12 else t for k, t in enumerate(data["teachers"])]}
            files.append(_write("school_workbook", landing / f"{school.name}_产教融合数据报表_{label}(第一版).xlsx", first, received(period, 1, 9)))
            files.append(_write("school_workbook", landing / name, data, received(period, 3, 17)))
            continue
        if period == PERIOD and school.code == OVERDUE_SCHOOL:
            # after the collection deadline (the end of the 3rd), before the day's ingest run (18:00)
            files.append(_write("school_workbook", landing / name, data, received(period, 4, 10, 20)))
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
    register = _register(period)
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
