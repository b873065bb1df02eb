"""鹤壁市 (410600), the city of the demo: its counties, its nine vocational schools, the 320 firms of its
above-scale register, the firms that send their own returns, its 产教融合型企业 and 产教融合载体, its
education finance and its reporting frame; and a clean month of any number of schools (the Airflow
tests' months).

Seeded: the same arguments give the same rows, and written as templates, the same bytes.
"""
from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from zoneinfo import ZoneInfo

from chanjiao.demo.factory import rows as R
from chanjiao.demo.factory.codes import month_label, person
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


def returning_firms(firms: list[dict], per_county: int = 2) -> list[dict]:
    """The firms that send their own 企业参与职业教育情况表 each month: the first `per_county` firms the
    register lists in each county (the development zone's firms report through the register only)."""
    return [f for county in COUNTIES for f in [r for r in firms if r["region_code"] == county][:per_county]]


def certified(rng: random.Random, firms: list[dict], period: str, n: int = 23) -> list[dict]:
    """The city's 产教融合型企业名单: `n` firms of the register certified since 2020 at every level, a third
    of them for three years (so some have lapsed by 2026)."""
    rows = []
    for i, firm in enumerate(rng.sample([f for f in firms if f["region_code"] in COUNTIES], n)):
        on = dt.date(2020, 3, 1) + dt.timedelta(days=rng.randint(0, 2200))
        rows.append({"uscc": firm["uscc"], "enterprise_name": firm["enterprise_name"], "region_code": firm["region_code"],
                     "level": rng.choice(["国家", "省", "省", "市(州)", "市(州)", "县"]), "certified_on": on,
                     "valid_until": on + dt.timedelta(days=3 * 365 - 1) if i % 3 == 0 else None, "period": period})
    return rows


# 产教融合载体: type, name, county, level, high-level, lead school (index into SCHOOLS or None), established, closed
CARRIERS = [
    ("产业学院", "鹤壁职业技术学院电子信息产业学院", "410611", "省级", True, 0, "2021-09-01", None),
    ("产业学院", "鹤壁职业技术学院智能制造产业学院", "410611", "省级", True, 0, "2022-03-15", None),
    ("产业学院", "鹤壁职业技术学院现代物流产业学院", "410611", "市级", False, 0, "2024-09-01", None),
    ("产业学院", "鹤壁汽车工程职业学院汽车电子产业学院", "410611", "省级", True, 1, "2022-09-01", None),
    ("产业学院", "鹤壁汽车工程职业学院新能源汽车产业学院", "410611", "市级", False, 1, "2025-04-01", None),
    ("产业学院", "鹤壁能源化工职业学院煤化工产业学院", "410611", "市级", False, 2, "2023-06-01", None),
    ("产业学院", "鹤壁能源化工职业学院新材料产业学院", "410611", "市级", False, 2, "2026-09-10", None),
    ("产业学院", "浚县职业中等专业学校农产品加工产业学院", "410621", "县级", False, 6, "2024-03-01", None),
    ("实训基地", "鹤壁市公共实训基地", "410611", "省级", True, None, "2019-05-01", None),
    ("实训基地", "鹤壁市汽车电子产教融合实训基地", "410611", "省级", True, 1, "2021-10-01", None),
    ("实训基地", "鹤壁市技工学校数控实训基地", "410602", "市级", False, 4, "2020-09-01", None),
    ("实训基地", "浚县现代农业实训基地", "410621", "县级", False, 7, "2022-04-01", None),
    ("实训基地", "淇县食品加工实训基地", "410622", "县级", False, 8, "2023-03-01", None),
    ("职教集团", "鹤壁市职业教育集团", "410611", "省级", True, 0, "2016-12-01", None),
    ("职教集团", "鹤壁市现代服务业职教联盟", "410611", "市级", False, 3, "2020-06-01", None),
    ("技能大师工作室", "鹤壁市数控技能大师工作室", "410602", "省级", True, 4, "2018-09-01", None),
    ("技能大师工作室", "山城区陶瓷技能大师工作室", "410603", "市级", False, 5, "2021-05-01", None),
    ("技能大师工作室", "浚县泥咕咕技艺大师工作室", "410621", "市级", False, 6, "2019-11-01", "2026-06-30"),
    ("技能大师工作室", "淇县电工技能大师工作室", "410622", "县级", False, 8, "2024-12-01", None),
    ("职业体验中心", "鹤壁市青少年职业体验中心", "410611", "市级", False, 3, "2022-07-01", None),
    ("职业体验中心", "淇县职业体验中心", "410622", "县级", False, 8, "2026-10-20", None),
]


def carriers(rng: random.Random, firms: list[dict], period: str) -> list[dict]:
    """The city's 产教融合载体名录 (CARRIERS), each with a lead firm of its county; one closed in 2026-06, two
    established in September and October 2026 (they count from those months on)."""
    rows = []
    for k, (kind, name, county, level, high, school, established, closed) in enumerate(CARRIERS, 1):
        partners = [f for f in firms if f["region_code"] == county]
        rows.append({"carrier_id": f"HB-ZT-{k:03d}", "carrier_type": kind, "carrier_name": name, "region_code": county, "level": level,
                     "is_high_level": high, "lead_school_code": SCHOOLS[school].code if school is not None else None,
                     "lead_uscc": rng.choice(partners)["uscc"] if partners else None,
                     "established_on": dt.date.fromisoformat(established), "closed_on": dt.date.fromisoformat(closed) if closed else None,
                     "period": period})
    return rows


def finance(fiscal_year: int = 2025) -> list[dict]:
    """The 教育经费情况表 of the city and its counties for `fiscal_year` (万元; per student in 元): the city
    本级 and 全辖, each county 本级. 高职生均财政拨款 only where 高职 colleges are (the city)."""
    city = {"local_surcharge_collected": 15260.0, "local_surcharge_to_ve": 4652.4, "edu_surcharge_collected": 22890.5,
            "edu_surcharge_to_ve": 6512.3, "secondary_per_student_funding": 1320.0, "higher_per_student_appropriation": 12600.0}
    counties = {"410602": (2310.0, 0.31, 1150.0), "410603": (1980.0, 0.24, 980.0), "410611": (5120.0, 0.33, 1260.0),
                "410621": (3460.0, 0.29, 1080.0), "410622": (2870.0, 0.32, 1210.0)}
    rows = [{"region_code": CITY, "fiscal_year": fiscal_year, "coverage": "本级", **city}]
    for code, (collected, share, per_student) in counties.items():
        rows.append({"region_code": code, "fiscal_year": fiscal_year, "coverage": "本级", "local_surcharge_collected": collected,
                     "local_surcharge_to_ve": round(collected * share, 1), "edu_surcharge_collected": round(collected * 1.5, 1),
                     "edu_surcharge_to_ve": round(collected * 1.5 * (share - 0.02), 1), "secondary_per_student_funding": per_student,
                     "higher_per_student_appropriation": None})
    whole = {k: round(city[k] + sum(r[k] for r in rows[1:]), 1) for k in ("local_surcharge_collected", "local_surcharge_to_ve",
                                                                         "edu_surcharge_collected", "edu_surcharge_to_ve")}
    rows.insert(1, {"region_code": CITY, "fiscal_year": fiscal_year, "coverage": "全辖", **whole,
                    "secondary_per_student_funding": 1240.0, "higher_per_student_appropriation": 12600.0})
    return rows


# the bureaus that send the city's registers, and their kinds
BUREAUS = {"above_scale_register": "鹤壁市统计局", "certified_enterprises": "鹤壁市发展和改革委员会", "carriers": "鹤壁市教育局",
           "education_finance": "鹤壁市财政局"}


def frame(rng: random.Random, firms: list[dict], first_period: str, annual: tuple[str, ...] = ("education_finance",)) -> list[dict]:
    """The city's 填报单位名录, expected from `first_period` on: the nine schools, the returning firms, and
    the bureaus of the city's registers; the `annual` kinds only in `first_period` (sent once a year)."""
    def row(code, name, kind, region, level=None, affiliation=None, until=None):
        return {"submitter_code": code, "submitter_name": name, "kind": kind, "region_code": region, "school_level": level,
                "affiliation": affiliation, "contact_name": person(rng), "contact_phone": f"0392-{rng.randint(2000000, 3999999)}",
                "email": None, "from_period": first_period, "to_period": until}

    rows = [row(s.code, s.name, "school_workbook", s.region, s.level, "市属" if s.region in ("410611", "410602") else "县属") for s in SCHOOLS]
    rows += [row(f["uscc"], f["enterprise_name"], "enterprise_return", f["region_code"]) for f in returning_firms(firms)]
    rows += [row(CITY, name, kind, CITY, until=first_period if kind in annual else None) for kind, name in BUREAUS.items()]
    return rows


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
