"""鹤壁市 (410600), the city of the demo: its counties, its nine vocational schools, the 320 firms of its
above-scale register, and a clean month of any number of schools (the Airflow tests' months).

Seeded: the same arguments give the same rows, and written as templates, the same bytes.
"""
from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from zoneinfo import ZoneInfo

from chanjiao.demo.factory import rows as R
from chanjiao.demo.factory.codes import month_label
from chanjiao.demo.factory.files import write
from ingestion.period import TIMEZONE

CITY = "410600"
COUNTIES = {"410602": "鹤山区", "410603": "山城区", "410611": "淇滨区", "410621": "浚县", "410622": "淇县"}
ZONE = "410671"  # the economic-technological development zone has its own statistical code
LEVELS = ["高职专科", "中职", "技工院校"]

SCHOOLS = [
    R.School("4141060001", "鹤壁职业技术学院", "410611", "高职专科", 160, 0.74, 9800),
    R.School("4141060002", "鹤壁汽车工程职业学院", "410611", "高职专科", 120, 0.66, 7200),
    R.School("4141060003", "鹤壁能源化工职业学院", "410611", "高职专科", 90, 0.61, 5100),
    R.School("4141060004", "鹤壁市中等职业学校", "410611", "中职", 70, 0.58, 2600),
    R.School("4141060005", "鹤壁市技工学校", "410602", "技工院校", 55, 0.52, 2100),
    R.School("4141060006", "鹤壁市山城区职业高级中学", "410603", "中职", 38, 0.55, 1200),
    R.School("4141060007", "浚县职业中等专业学校", "410621", "中职", 64, 0.63, 2900),
    R.School("4141060008", "浚县职业技术教育中心", "410621", "中职", 42, 0.48, 1600),
    R.School("4141060009", "淇县职业中等专业学校", "410622", "中职", 58, 0.69, 2400),
]


def register(rng: random.Random, period: str, n: int = 320) -> list[dict]:
    """The city's above-scale register: `n` firms over the five counties and the development zone."""
    return R.register_rows(rng, period, n, [*COUNTIES, ZONE], [0.12, 0.10, 0.33, 0.17, 0.16, 0.12], COUNTIES, "鹤壁市")


def schools(count: int) -> list[R.School]:
    """The nine schools, then synthetic ones spread over the counties up to `count`."""
    rng = random.Random(count)
    found = list(SCHOOLS[:count])
    for i in range(len(found), count):
        found.append(R.School(f"41410{i + 10:05d}", f"测试职业学校{i:05d}", rng.choice(list(COUNTIES)),
                              rng.choice(LEVELS), rng.randint(30, 160), rng.uniform(0.45, 0.8), rng.randint(800, 9000)))
    return found


def random_school(rng: random.Random, i: int, name: str = "测试职业学校{i:03d}", levels: list[str] | None = None,
                  teachers: tuple[int, int] | int = (100, 200), dual: tuple[float, float] | float = (0.4, 0.8)) -> R.School:
    """School number `i` (code 41410 + 5 digits) in a random county of the city, for the benchmarks."""
    n = teachers if isinstance(teachers, int) else rng.randint(*teachers)
    share = dual if isinstance(dual, float) else rng.uniform(*dual)
    return R.School(f"41410{i:05d}", name.format(i=i), rng.choice(list(COUNTIES)), rng.choice(levels or LEVELS), n, share,
                    rng.randint(800, 9000))


def received(period: str, day: int, hour: int, minute: int = 0) -> float:
    """A receipt time (POSIX) in the month after `period`, when its submissions come in (Asia/Shanghai)."""
    year, month = int(period[:4]), int(period[5:7])
    year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return dt.datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(TIMEZONE)).timestamp()


def city_month(folder: Path, period: str, school_count: int = len(SCHOOLS), tag: str = "") -> list[Path]:
    """A clean month: the city's register and one workbook per school for `period`, every one acceptable,
    received in the first days of the next month. `tag` goes into the file names only, so one month can be
    written twice under different names with the same bytes."""
    rng = random.Random(f"chanjiao-airflow-{period}-{school_count}")
    folder.mkdir(parents=True, exist_ok=True)
    firms = register(rng, period)
    label = month_label(period)
    files = [write("above_scale_register", folder / f"鹤壁市统计局_规模以上企业名录_{label}{tag}.xlsx",
                   {"above_scale_enterprises": firms}, received=received(period, 1, 10))]
    for i, school in enumerate(schools(school_count)):
        data = R.workbook(rng, school, firms, period=period)
        files.append(write("school_workbook", folder / f"{school.name}_产教融合数据报表_{label}{tag}.xlsx", data,
                           received=received(period, 1 + i % 3, 9 + i % 8)))
    return files
