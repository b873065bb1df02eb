"""A month of clean submissions for any period, built with the demo's generator (chanjiao.demo.generate).

The demo writes 2026-10 with its deliberate mistakes; the Airflow tests need several months that are
all accepted (so each month's release exists) and, for the benchmark, many more schools than 鹤壁市 has.
Seeded: the same period and scale give the same bytes, so a second drop of a month is a duplicate.
"""
from __future__ import annotations

import datetime as dt
import os
import random
from pathlib import Path
from zoneinfo import ZoneInfo

from chanjiao.demo import generate as demo
from chanjiao.settings import TIMEZONE
from ingestion.registry import kinds
from ingestion.templates import write_workbook

LEVELS = ["高职专科", "中职", "技工院校"]


def schools(count: int) -> list[demo.School]:
    """The demo's nine schools, then synthetic ones spread over 鹤壁市's counties up to `count`."""
    rng = random.Random(count)
    found = list(demo.SCHOOLS[:count])
    for i in range(len(found), count):
        found.append(demo.School(f"41410{i + 10:05d}", f"测试职业学校{i:05d}", rng.choice(list(demo.COUNTIES)),
                                 rng.choice(LEVELS), rng.randint(30, 160), rng.uniform(0.45, 0.8), rng.randint(800, 9000)))
    return found


def received(period: str, day: int, hour: int) -> float:
    """Receipt time in the first days of the month after `period` (Asia/Shanghai)."""
    year, month = int(period[:4]), int(period[5:7])
    year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return dt.datetime(year, month, day, hour, tzinfo=ZoneInfo(TIMEZONE)).timestamp()


def _write(kind: str, path: Path, data: dict, when: float) -> Path:
    write_workbook(kinds()[kind], path, data)
    os.utime(path, (when, when))  # landing's modification time is the receipt time
    return path


def write_month(folder: Path, period: str, school_count: int = len(demo.SCHOOLS), tag: str = "") -> list[Path]:
    """The city's register and one workbook per school for `period`, every one of them acceptable.

    `tag` goes into the file names only, so one month can be written twice under different names
    (the bytes, and so the warehouse's duplicate detection, stay the same)."""
    rng = random.Random(f"chanjiao-airflow-{period}-{school_count}")
    folder.mkdir(parents=True, exist_ok=True)
    register = demo._register(rng, period)
    label = f"{period[:4]}年{int(period[5:7])}月"
    files = [_write("above_scale_register", folder / f"鹤壁市统计局_规模以上企业名录_{label}{tag}.xlsx",
                    {"above_scale_enterprises": register}, received(period, 1, 10))]
    for i, school in enumerate(schools(school_count)):
        data = demo._workbook(rng, school, register, period=period)
        files.append(_write("school_workbook", folder / f"{school.name}_产教融合数据报表_{label}{tag}.xlsx", data,
                            received(period, 1 + i % 3, 9 + i % 8)))
    return files
