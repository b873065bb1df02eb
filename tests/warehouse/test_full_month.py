"""A generated month, end to end: every indicator and every target recomputed by hand.

Period 2026-10 across the six jurisdictions of the targets seed (鹤壁市, 沧州市, 呼图壁县, 柳州市, 西安市,
平顺县) with every submission kind: school workbooks (all five sheets; two graduate cohorts with repeated
surveys; a revised workbook; two workbooks received at the same second), enterprise returns (single and
bureau-collected files, a resubmission, 大型/中型 firms, rates exactly on the band edges), the four bureau
registers (a newer county register replacing the city's rows for its county; certified enterprises of every
level; carriers of every type, level, 高水平 and lead school), finance with 本级 and 全辖 records and a
correction, and a reporting frame. Rows come from a seeded random.Random and are written as real .xlsx
with the templates' writer, then go through `chanjiao ingest` and `chanjiao build`.

The expected numbers are computed below in plain Python from the generated rows, following
indicators.md literally (exact fractions of the values as typed, so a rate of exactly 1.5 % is 1.5 %),
without calling chanjiao code, and compared with marts.fct_indicator_value and marts.fct_target_progress
on DuckDB and on PostgreSQL; the source rows behind the values (marts.fct_indicator_source_row) must be
the same on both targets. `pytest -s` prints the build times.
"""
from __future__ import annotations

import csv
import datetime as dt
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import duckdb
import pytest
from stdnum.cn import ric

from tests.conftest import make_id_number, make_uscc, run_cli
from tests.warehouse.test_monthly_cycle import _postgres_or_skip

pytestmark = pytest.mark.dbt

PERIOD = "2026-10"
PERIOD_END = dt.date(2026, 10, 31)
COHORT = 2026  # indicators.md "Cohort": month(P) >= 9 → Y = year(P)
SEED = 20261031
TARGETS_SEED = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds" / "targets.csv"

# --------------------------------------------------------------------------------------------------
# The jurisdictions, their counties and where their graduates may go to work
# --------------------------------------------------------------------------------------------------

JURISDICTIONS = {
    "410600": {"name": "鹤壁市", "counties": ["410602", "410603", "410611", "410621", "410622"],
               "elsewhere": ["410102", "410105", "410702", "110105", "440305", "310115"]},
    "130900": {"name": "沧州市", "counties": ["130902", "130903", "130921", "130982", "130984"],
               "elsewhere": ["130102", "130602", "120101", "110105"]},
    "652323": {"name": "呼图壁县", "counties": ["652323"], "elsewhere": ["652301", "652324", "650102", "330106"]},
    "450200": {"name": "柳州市", "counties": ["450202", "450205", "450206", "450222"],
               "elsewhere": ["450103", "450105", "450302", "440305", "330106"]},
    "610100": {"name": "西安市", "counties": ["610112", "610113", "610116", "610122"],
               "elsewhere": ["610402", "110105", "310115"]},
    "140425": {"name": "平顺县", "counties": ["140425"], "elsewhere": ["140403", "140105", "110105"]},
}
CITY_OF = {c: j for j, info in JURISDICTIONS.items() for c in info["counties"]}

# (code, name, region, level) — one school per row; 鹤壁汽车工程职业学院 is in the frame and leads an
# industry college but sends no workbook this month.
SCHOOLS = [
    ("4410610001", "鹤壁职业技术学院", "410611", "高职专科"),
    ("4410620001", "淇县职业中等专业学校", "410622", "中职"),       # sends a revision that supersedes the first
    ("4410610002", "鹤壁技师学院", "410611", "技工院校"),
    ("4410620002", "浚县职业教育中心", "410621", "中职"),            # 总课时 0
    ("4130900001", "沧州职业技术学院", "130902", "高职专科"),
    ("4130900002", "沧州工贸学校", "130903", "中职"),                # two workbooks received at the same second
    ("4130980001", "任丘市职业技术教育中心", "130982", "中职"),       # no apprentices: header-only sheet
    ("4652320001", "呼图壁县职业技术学校", "652323", "中职"),
    ("4652320002", "呼图壁县技工学校", "652323", "技工院校"),
    ("4450200001", "柳州职业技术学院", "450205", "高职专科"),
    ("4450200002", "柳州市第一职业技术学校", "450202", "中职"),
    ("4450200003", "柳州工学院(职业本科)", "450206", "职业本科"),     # new: no graduates yet
    ("4610100001", "西安职业技术学院", "610113", "高职专科"),
    ("4610100002", "西安市职业技术学校", "610112", "中职"),
    ("4610100003", "陕西工商职业本科学院", "610116", "职业本科"),
    ("4140420001", "平顺县职业中学", "140425", "中职"),
]
MISSING_SCHOOL = ("4410600009", "鹤壁汽车工程职业学院", "410602", "高职专科")
LEVEL_OF = {code: level for code, _, _, level in [*SCHOOLS, MISSING_SCHOOL]}
HIGHER = ("高职专科", "职业本科")
SECONDARY = ("中职", "技工院校")
MAJORS = ["数控技术", "汽车维修", "电子商务", "护理", "机电一体化", "物流管理", "烹饪", "会计"]


# --------------------------------------------------------------------------------------------------
# Generation
# --------------------------------------------------------------------------------------------------

def id_number(region: str, serial: int) -> str:
    """A resident ID born 1990 in `region` — or in 淇县 where the code did not exist yet in 1990 (任丘市 dates from 1993)."""
    number = make_id_number(region, serial % 1000)
    return number if ric.is_valid(number) else make_id_number("410622", serial % 1000)


@dataclass
class File:
    name: str
    kind: str
    data: dict
    received: str          # Asia/Shanghai wall time, "YYYY-MM-DD HH:MM"
    submitter: str         # who the reader must say sent it (school, USCC or the region a register covers)
    sha256: str = ""


@dataclass
class Enterprise:
    uscc: str
    name: str
    region: str
    size: str
    above_scale: bool
    returns: bool = True
    row: dict = field(default_factory=dict)


class Generator:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.serial = 0
        self.files: list[File] = []
        self.enterprises: dict[str, list[Enterprise]] = {}

    def uscc(self, region: str) -> str:
        self.serial += 1
        return make_uscc(region, self.serial)

    def date(self, first: dt.date, last: dt.date) -> dt.date:
        return first + dt.timedelta(days=self.rng.randint(0, (last - first).days))

    def add(self, name: str, kind: str, data: dict, received: str, submitter: str) -> None:
        self.files.append(File(name, kind, data, received, submitter))

    # --- enterprises and their returns ----------------------------------------------------------

    def enterprise_row(self, e: Enterprise, **exact) -> dict:
        rng = self.rng
        employees = rng.randrange(50, 3001, 50)
        wage = exact.get("wage_bill", round(employees * rng.uniform(4, 12), 2))
        extracted = exact.get("training_fund_extracted", round(wage * rng.choice([0, 0.005, 0.012, 0.018, 0.02, 0.03, 0.09]), 2))
        frontline = round(extracted * rng.choice([0, 0.3, 0.59, 0.61, 0.75, 1]), 2)
        plan = rng.choice([0, 10, 35, 60, 120]) if e.size in ("大型", "中型") else rng.choice([0, 5, 12])
        row = {"uscc": e.uscc, "enterprise_name": e.name, "region_code": e.region, "period": PERIOD, "employees": employees,
               "wage_bill": wage, "training_fund_extracted": extracted, "training_fund_frontline": frontline,
               "internship_posts": round(employees * rng.choice([0, 0.01, 0.015, 0.03, 0.05])),
               "apprentices": rng.randint(0, 30), "in_vocational_group": rng.random() < 0.3, "enterprise_size": e.size,
               "hiring_plan": plan, "secondary_vocational_hires": round(plan * rng.choice([0, 0.1, 0.19, 0.35]))}
        row.update(exact)
        return row

    def enterprises_of(self, code: str, n: int) -> list[Enterprise]:
        counties = JURISDICTIONS[code]["counties"]
        out = []
        for i in range(n):
            region = counties[i % len(counties)]  # every county gets some, so a city register covers the city
            above = i % 3 != 2
            size = self.rng.choice(["大型", "中型", "中型", "小型"]) if above else self.rng.choice(["小型", "微型"])
            e = Enterprise(self.uscc(region), f"{JURISDICTIONS[code]['name']}企业{i + 1:02d}", region, size, above)
            e.returns = i % 7 != 6  # a few above-scale firms do not return this month
            out.append(e)
        return out

    def special(self, code: str, region: str, size: str, above: bool, label: str, **exact) -> Enterprise:
        e = Enterprise(self.uscc(region), f"{JURISDICTIONS[CITY_OF.get(region, code)]['name']}{label}", region, size, above)
        e.row = self.enterprise_row(e, **exact)
        return e

    # --- the school workbook ----------------------------------------------------------------------

    def teachers(self, region: str, level: str, n: int, partners: list[str]) -> list[dict]:
        rng = self.rng
        rows = []
        for i in range(n):
            professional = rng.random() < 0.7
            full_time = rng.random() < 0.85
            d12 = rng.choice([0, 10, 29, 30, 31, 45, 59, 60, 61, 90, None])
            d24 = None if d12 is None else d12 + rng.choice([0, 1, 29, 30, 31, 60])
            if d12 is None and rng.random() < 0.5:
                d24 = rng.choice([0, 59, 60, 75])  # only the two-year figure was kept
            row = {"teacher_id": f"T{i:04d}", "teacher_name": f"教师{i}",
                   "id_number": id_number(region, i) if rng.random() < 0.5 else None,
                   "is_professional": professional, "is_dual_qualified": professional and rng.random() < 0.55,
                   "employment_type": "专任" if full_time else "兼职",
                   "source_enterprise_uscc": None if full_time else rng.choice(partners),
                   "practice_days_12m": d12, "practice_days_24m": d24}
            if level == "技工院校":
                row["is_integrated"] = professional and rng.random() < 0.35
            rows.append(row)
        return rows

    def apprentices(self, region: str, n: int, partners: list[str]) -> list[dict]:
        rng = self.rng
        return [{"student_id": f"A{i:04d}", "student_name": f"学徒{i}",
                 "id_number": id_number(region, 500 + i) if rng.random() < 0.3 else None,
                 "major": rng.choice(MAJORS), "apprenticeship_type": rng.choice(["现代学徒制", "企业新型学徒制"]),
                 "enterprise_uscc": rng.choice(partners),
                 "agreement_date": self.date(dt.date(2023, 9, 1), PERIOD_END),
                 "status": rng.choices(["在读", "结业", "退出"], [7, 2, 1])[0]} for i in range(n)]

    def destination(self, school_region: str, cohort: int) -> dict:
        rng = self.rng
        kind = rng.choices(["就业", "升学", "入伍", "自主创业", "未就业"], [55, 15, 5, 8, 17])[0]
        if kind not in ("就业", "自主创业"):
            return {"destination_type": kind, "employer_uscc": None, "employer_region_code": None, "employer_type": None}
        city = CITY_OF[school_region]
        where = rng.choices(["county", "city", "elsewhere"], [4, 3, 3])[0]
        region = (school_region if where == "county" else
                  rng.choice(JURISDICTIONS[city]["counties"] + (["410671"] if city == "410600" else [])) if where == "city" else
                  rng.choice(JURISDICTIONS[city]["elsewhere"]))
        if kind == "自主创业":
            return {"destination_type": kind, "employer_uscc": None, "employer_region_code": region,
                    "employer_type": rng.choice([None, "企业", "其他"])}
        employer_type = rng.choices(["企业", "机关事业单位", "其他"], [7, 2, 1])[0]
        return {"destination_type": kind, "employer_uscc": self.uscc(region) if employer_type == "企业" else None,
                "employer_region_code": region, "employer_type": employer_type}

    def graduates(self, region: str, per_cohort: int) -> list[dict]:
        """Two cohorts followed (the current one and the previous), one row per graduate per survey."""
        rng = self.rng
        surveys = {2025: [dt.date(2025, 8, 31), dt.date(2025, 12, 31), dt.date(2026, 8, 31)],
                   2026: [dt.date(2026, 8, 31), dt.date(2026, 10, 20), PERIOD_END]}
        rows = []
        for cohort, dates in surveys.items():
            for i in range(per_cohort):
                sid = f"{cohort}{i:04d}"
                k = rng.choice([1, 2, 2, 3])
                previous = None
                for when in sorted(rng.sample(dates, k)):
                    if previous is not None and previous["destination_type"] in ("升学", "入伍") and rng.random() < 0.8:
                        record = dict(previous)  # mostly stays where it went
                    elif previous is not None and previous["destination_type"] == "就业" and rng.random() < 0.3:
                        # moves: often back home (a 回流 case) or away
                        record = dict(previous, employer_region_code=rng.choice([region, *JURISDICTIONS[CITY_OF[region]]["elsewhere"]]))
                        if record["employer_type"] == "企业":
                            record["employer_uscc"] = self.uscc(record["employer_region_code"])
                    else:
                        record = self.destination(region, cohort)
                    rows.append({"student_id": sid, "student_name": f"毕业生{sid}",
                                 "id_number": id_number(region, i) if rng.random() < 0.2 else None,
                                 "graduation_year": cohort, "survey_date": when, **record})
                    previous = record
        return rows

    def cooperations(self, partners: list[Enterprise], outsiders: list[str]) -> list[dict]:
        rng = self.rng
        spans = [(dt.date(2025, 9, 1), None), (dt.date(2024, 3, 1), dt.date(2026, 9, 30)), (dt.date(2024, 3, 1), PERIOD_END),
                 (dt.date(2026, 11, 15), None), (PERIOD_END, None), (dt.date(2023, 1, 1), dt.date(2027, 6, 30)),
                 (dt.date(2022, 5, 1), dt.date(2025, 12, 31))]
        rows = []
        for e in rng.sample(partners, min(len(partners), rng.randint(2, 6))):
            start, end = rng.choice(spans)
            rows.append({"enterprise_uscc": e.uscc, "enterprise_name": e.name,
                         "cooperation_type": rng.choice(["订单培养", "现代学徒制", "共建实训基地", "产业学院", "职教集团", "技术研发", "教师实践基地", "其他"]),
                         "start_date": start, "end_date": end})
        for u in outsiders:
            rows.append({"enterprise_uscc": u, "enterprise_name": "外地合作企业", "cooperation_type": "技术研发",
                         "start_date": dt.date(2025, 1, 1), "end_date": None})
        return rows

    def workbook(self, code: str, name: str, region: str, level: str, partners: list[Enterprise], *, apprentices: int | None = None,
                 graduates: int | None = None, total_hours: float | None = None) -> dict:
        rng = self.rng
        usccs = [e.uscc for e in partners]
        total = total_hours if total_hours is not None else float(rng.randrange(1800, 3200, 2)) + rng.choice([0, 0.5])
        practical = total * rng.choice([0.35, 0.48, 0.5, 0.5, 0.55, 0.62])
        return {
            "school_info": [{"school_code": code, "school_name": name, "region_code": region, "school_level": level, "period": PERIOD,
                             "enrolled_students": rng.randrange(300, 9000), "staff_quota": rng.randrange(40, 400),
                             "total_teaching_hours": total, "practical_teaching_hours": practical,
                             "contact_name": "联系人", "contact_phone": "13800000000"}],
            "teachers": self.teachers(region, level, rng.randint(15, 35), usccs),
            "apprentices": self.apprentices(region, rng.randint(1, 15) if apprentices is None else apprentices, usccs),
            "graduate_destinations": self.graduates(region, rng.randint(8, 18) if graduates is None else graduates),
            "cooperations": self.cooperations(partners, [self.uscc("330106")] if rng.random() < 0.3 else []),
        }

    # --- registers ----------------------------------------------------------------------------------

    def certified(self, enterprises: list[Enterprise], levels: list[str]) -> list[dict]:
        rng = self.rng
        spans = [(dt.date(2021, 6, 1), None), (dt.date(2023, 3, 15), dt.date(2026, 6, 30)), (dt.date(2022, 12, 1), PERIOD_END),
                 (dt.date(2024, 5, 20), dt.date(2027, 5, 19)), (dt.date(2026, 11, 1), None), (PERIOD_END, None)]
        rows = []
        for i, e in enumerate(enterprises):
            start, end = spans[i % len(spans)] if i < len(spans) else rng.choice(spans)
            rows.append({"uscc": e.uscc, "enterprise_name": e.name, "region_code": e.region, "level": levels[i % len(levels)],
                         "certified_on": start, "valid_until": end, "period": PERIOD})
        return rows

    def carriers(self, prefix: str, regions: list[str], schools: list[str], n: int) -> list[dict]:
        rng = self.rng
        types = ["产业学院", "实训基地", "职教集团", "技能大师工作室", "职业体验中心"]
        levels = ["国家级", "省级", "市级", "县级"]
        spans = [(dt.date(2019, 3, 15), None), (dt.date(2021, 9, 1), PERIOD_END), (dt.date(2020, 1, 1), dt.date(2026, 11, 30)),
                 (PERIOD_END, None), (dt.date(2026, 11, 10), None), (dt.date(2018, 6, 1), dt.date(2025, 6, 30)), (dt.date(2022, 4, 1), None)]
        rows = []
        for i in range(n):
            start, end = spans[i % len(spans)] if i < len(spans) else rng.choice(spans[:1] * 3 + spans)
            rows.append({"carrier_id": f"{prefix}-{i + 1:03d}", "carrier_type": types[i % len(types)] if i < 10 else rng.choice(types),
                         "carrier_name": f"{prefix}载体{i + 1}", "region_code": regions[i % len(regions)],
                         "level": levels[(i // 2) % len(levels)] if i < 8 else rng.choice(levels), "is_high_level": rng.random() < 0.35,
                         "lead_school_code": rng.choice([*schools, None]) if schools else None,
                         "lead_uscc": self.uscc(regions[0]) if rng.random() < 0.5 else None,
                         "established_on": start, "closed_on": end, "period": PERIOD})
        return rows


def generate(seed: int = SEED) -> Generator:
    g = Generator(seed)
    rng = g.rng
    school_kind, return_kind = "school_workbook", "enterprise_return"

    # ---- enterprises: random ones per jurisdiction, and the edge cases of the rules ----------------
    sizes = {"410600": 12, "130900": 10, "652323": 5, "450200": 8, "610100": 10, "140425": 2}
    for code, n in sizes.items():
        g.enterprises[code] = g.enterprises_of(code, n)
    special = {
        "410600": [
            g.special("410600", "410622", "中型", True, "提取1.5%企业", wage_bill=1072, training_fund_extracted=16.08),   # 1.5 % exactly
            g.special("410600", "410611", "中型", True, "提取2.5%企业", wage_bill=402, training_fund_extracted=10.05),    # 2.5 % exactly
            g.special("410600", "410621", "小型", True, "提取1.5%小企业", wage_bill=536, training_fund_extracted=8.04),
            g.special("410600", "410603", "大型", True, "一线60%企业", training_fund_extracted=9.05, training_fund_frontline=5.43),
            g.special("410600", "410622", "大型", True, "实习2%企业", employees=350, internship_posts=7, hiring_plan=35, secondary_vocational_hires=7),
            g.special("410600", "410671", "中型", True, "开发区企业"),  # a development zone's statistical code
        ],
        "130900": [
            g.special("130900", "130921", "大型", True, "实习1.99%企业", employees=1500, internship_posts=29),
            g.special("130900", "130982", "中型", True, "实习2%企业", employees=600, internship_posts=12),
        ],
        "652323": [
            g.special("652323", "652323", "大型", True, "招录20%企业", hiring_plan=35, secondary_vocational_hires=7),
            g.special("652323", "652323", "中型", True, "无招用计划企业", hiring_plan=0, secondary_vocational_hires=0),
            g.special("652323", "652323", "小型", False, "小型招录企业", hiring_plan=12, secondary_vocational_hires=0),
        ],
        "450200": [g.special("450200", "450222", "中型", True, "一线60%企业", training_fund_extracted=34.95, training_fund_frontline=20.97)],
        "610100": [
            g.special("610100", "610113", "大型", True, "提取8%企业", wage_bill=1003, training_fund_extracted=80.24),
            g.special("610100", "610112", "中型", True, "提取8%企业二", wage_bill=402, training_fund_extracted=32.16),
            g.special("610100", "610116", "中型", True, "提取9%企业", wage_bill=2000, training_fund_extracted=180),
            g.special("610100", "610122", "小型", False, "提取7.99%企业", wage_bill=10000, training_fund_extracted=799),
        ],
        # 平顺 (below): a 大型 firm without a hiring plan and a 小型 one, neither extracting training funds
        "140425": [],
    }
    for code, extra in special.items():
        for e in g.enterprises[code]:
            e.row = g.enterprise_row(e)
        g.enterprises[code] += extra
    for e in g.enterprises["140425"] + g.enterprises["652323"]:  # no training funds extracted: 0 of 0, not computable
        e.row.update(training_fund_extracted=0, training_fund_frontline=0)
    g.enterprises["140425"][0].size = "大型"
    g.enterprises["140425"][0].row.update(enterprise_size="大型", hiring_plan=0, secondary_vocational_hires=0)
    g.enterprises["140425"][1].size = "小型"
    g.enterprises["140425"][1].row.update(enterprise_size="小型")

    # ---- returns: one file per enterprise, or a bureau's file for the whole city -----------------
    for code, ents in g.enterprises.items():
        returning = [e for e in ents if e.returns]
        if code in ("130900", "610100"):
            g.add(f"returns_{code}.xlsx", return_kind, {"enterprise_returns": [e.row for e in returning]}, "2026-11-03 10:00", code)
        else:
            for i, e in enumerate(returning):
                g.add(f"return_{e.uscc}.xlsx", return_kind, {"enterprise_returns": [e.row]}, f"2026-11-0{2 + i % 3} 1{i % 10}:00", e.uscc)
    # a resubmission from 鹤壁 (later: replaces the first) and one 沧州 firm correcting the bureau's row
    first = g.enterprises["410600"][0]
    g.add(f"return_{first.uscc}_v2.xlsx", return_kind, {"enterprise_returns": [dict(first.row, employees=first.row["employees"] + 50,
          internship_posts=first.row["internship_posts"] + 9, in_vocational_group=not first.row["in_vocational_group"])]},
          "2026-11-06 09:30", first.uscc)
    corrected = g.enterprises["130900"][1]
    g.add(f"return_{corrected.uscc}.xlsx", return_kind, {"enterprise_returns": [dict(corrected.row, training_fund_extracted=
          round(corrected.row["wage_bill"] * 0.02, 2), training_fund_frontline=round(corrected.row["wage_bill"] * 0.015, 2))]},
          "2026-11-07 16:00", corrected.uscc)

    # ---- school workbooks -----------------------------------------------------------------------------
    for code, name, region, level in SCHOOLS:
        partners = g.enterprises[CITY_OF[region]]
        options = {}
        if code == "4410620002":
            options["total_hours"] = 0.0
        if code == "4130980001":
            options["apprentices"] = 0
        if code == "4450200003":
            options["graduates"] = 0
        data = g.workbook(code, name, region, level, partners, **options)
        if code == "4410620001":  # a first version, superseded by the revision received later
            early = {k: [dict(r) for r in rows] for k, rows in data.items()}
            for t in early["teachers"]:
                t["is_dual_qualified"] = False
            early["school_info"][0]["enrolled_students"] += 100
            # a cooperation only the superseded version lists: it must not make its partner a participant
            loner = next(e for e in g.enterprises["410600"] if e.above_scale and not e.returns)
            early["cooperations"].append({"enterprise_uscc": loner.uscc, "enterprise_name": loner.name, "cooperation_type": "订单培养",
                                          "start_date": dt.date(2025, 9, 1), "end_date": None})
            g.add(f"school_{code}_v1.xlsx", school_kind, early, "2026-11-02 09:00", code)
            g.add(f"school_{code}_v2.xlsx", school_kind, data, "2026-11-04 14:00", code)
        elif code == "4130900002":  # two versions at the same second: the tie is broken by sha256
            other = {k: [dict(r) for r in rows] for k, rows in data.items()}
            other["teachers"] = other["teachers"][:-3]
            other["school_info"][0]["staff_quota"] += 7
            g.add(f"school_{code}_a.xlsx", school_kind, data, "2026-11-03 08:00", code)
            g.add(f"school_{code}_b.xlsx", school_kind, other, "2026-11-03 08:00", code)
        elif code == "4450200001":  # rows of 毕业生去向 not in survey order
            rng.shuffle(data["graduate_destinations"])
            g.add(f"school_{code}.xlsx", school_kind, data, "2026-11-05 11:00", code)
        else:
            g.add(f"school_{code}.xlsx", school_kind, data, f"2026-11-0{1 + len(g.files) % 6} 1{len(g.files) % 10}:15", code)

    # ---- above-scale registers: city registers, county registers, and a newer county register -------
    for code, ents in g.enterprises.items():
        above = [e for e in ents if e.above_scale]
        rows = [{"uscc": e.uscc, "enterprise_name": e.name, "region_code": e.region,
                 "industry_code": rng.choice(["C36", "C38", "C26", "G54", "I65"]), "period": PERIOD} for e in above]
        g.add(f"above_scale_{code}.xlsx", "above_scale_register", {"above_scale_enterprises": rows}, "2026-11-01 09:00", code)
    # 浚县 sends its own register later: it drops one of the city's 浚县 firms and adds a new one.
    xun = [e for e in g.enterprises["410600"] if e.above_scale and e.region == "410621"]
    newcomer = Enterprise(g.uscc("410621"), "浚县新增规上企业", "410621", "中型", True)
    newcomer.row = g.enterprise_row(newcomer, in_vocational_group=True)
    g.enterprises["410600"].append(newcomer)
    g.add("return_xun_newcomer.xlsx", return_kind, {"enterprise_returns": [newcomer.row]}, "2026-11-05 10:00", newcomer.uscc)
    dropped = xun[0]
    dropped.above_scale = False  # the register in force for 浚县 no longer lists it
    county_rows = [{"uscc": e.uscc, "enterprise_name": e.name, "region_code": "410621", "industry_code": "C36", "period": PERIOD}
                   for e in [*xun[1:], newcomer]]
    g.add("above_scale_410621.xlsx", "above_scale_register", {"above_scale_enterprises": county_rows}, "2026-11-05 17:00", "410621")

    # ---- certified enterprises of every level -----------------------------------------------------
    levels = ["国家", "省", "市(州)", "县"]
    for code, ents in g.enterprises.items():
        chosen = ents if code in ("652323", "140425") else rng.sample(ents, min(len(ents), 9))
        if code not in ("652323", "140425") and len({e.region for e in chosen}) < 2:
            chosen = ents
        rows = g.certified(chosen, levels[rng.randrange(4):] + levels)
        if code == "652323":  # its 州级-or-above certifications have all expired: the target's variant counts 0
            rows = [dict(r, level="县") if r["valid_until"] is None or r["valid_until"] >= PERIOD_END else dict(r, level="市(州)") for r in rows]
        g.add(f"certified_{code}.xlsx", "certified_enterprises", {"certified_enterprises": rows}, "2026-11-04 09:00", code)

    # ---- carriers of every type, level, 高水平, lead school -------------------------------------------
    for code, info in JURISDICTIONS.items():
        schools = [s[0] for s in SCHOOLS if CITY_OF[s[2]] == code] + ([MISSING_SCHOOL[0]] if code == "410600" else [])
        n = {"410600": 24, "130900": 18, "652323": 9, "450200": 14, "610100": 20, "140425": 6}[code]
        rows = g.carriers(f"ZT{code}", info["counties"] + (["410671"] if code == "410600" else []), schools, n)
        if code == "410600":  # an industry college led by the 高职专科 college that sent no workbook this month
            rows.append(dict(rows[0], carrier_id="ZT410600-900", carrier_type="产业学院", carrier_name="汽车产业学院",
                             lead_school_code=MISSING_SCHOOL[0], established_on=dt.date(2023, 9, 1), closed_on=None))
        g.add(f"carriers_{code}.xlsx", "carriers", {"carriers": rows}, "2026-11-04 15:00", code)

    # ---- finance: 本级 and 全辖, several years, a correction --------------------------------------------
    def fin(region, year, coverage, lc, lv, ec, ev, sec=None, hig=None):
        return {"region_code": region, "fiscal_year": year, "coverage": coverage, "local_surcharge_collected": lc,
                "local_surcharge_to_ve": lv, "edu_surcharge_collected": ec, "edu_surcharge_to_ve": ev,
                "secondary_per_student_funding": sec, "higher_per_student_appropriation": hig}
    finance = {
        "410600": [fin("410600", 2024, "本级", 11000, 2900, 16000, 4000, 1100, 11500),
                   fin("410600", 2025, "本级", 12500.5, 3750.15, 18760, 5628, 1250, 12000),
                   fin("410600", 2025, "全辖", 30120.25, 9036.08, 45180.38, 13554.11, 1180.5, None),
                   fin("410611", 2025, "本级", 4200.4, 1302.12, 6100, 1500.5),
                   fin("410622", 2025, "本级", 2100, 500, 3300, 900, 1320),
                   fin("410621", 2025, "全辖", 1800, 610, 2500, 700)],
        "130900": [fin("130900", 2025, "本级", 22000, 6000, 31000, 9300, 1400, None),  # no 高职 figure: the target has no data
                   fin("130900", 2025, "全辖", 51000, 14500, 72000, 20160, 1150, None),
                   fin("130921", 2026, "本级", 3000, 700, 4500, 1300, 980),
                   fin("130982", 2025, "本级", 5200, 1500, 7000, 2000)],
        "652323": [fin("652323", 2025, "本级", 1003, 300.9, 1500, 420, 2100),   # exactly 30 %
                   fin("652323", 2024, "本级", 900, 200, 1300, 300, 1900)],
        "450200": [fin("450200", 2025, "本级", 15000, 4100, 21000, 5000, 1500, 13000),
                   fin("450200", 2025, "全辖", 36000, 9900, 50000, 12500, 1350, 12500),
                   fin("450205", 2025, "本级", 4000, 1000, 5000, 1200)],
        "610100": [fin("610100", 2025, "本级", 40000, 11000, 60000, 17000, 1600, 15000),
                   fin("610113", 2025, "本级", 6000, 1500, 8000, 2500),
                   fin("610112", 2025, "本级", 5000, 1600, 7000, 2000, None, 14000)],
        "140425": [fin("140425", 2025, "本级", 800, 260, 0, 0, 1700)],   # no 教育费附加 collected: not computable
    }
    for code, rows in finance.items():
        g.add(f"finance_{code}.xlsx", "education_finance", {"education_finance": rows}, "2026-11-06 10:00", code)
    # 淇县's finance bureau corrects its 2025 本级 record later
    g.add("finance_410622_fix.xlsx", "education_finance",
          {"education_finance": [fin("410622", 2025, "本级", 2150, 700, 3300, 1000, 1350)]}, "2026-11-08 10:00", "410622")

    # ---- the reporting frame ---------------------------------------------------------------------------
    frame = []
    for code, name, region, level in [*SCHOOLS, MISSING_SCHOOL]:
        frame.append({"submitter_code": code, "submitter_name": name, "kind": "school_workbook", "region_code": region,
                      "school_level": level, "affiliation": rng.choice(["市属", "县属", "民办"]), "from_period": "2026-01"})
    for f in g.files:
        if f.kind == "school_workbook":
            continue
        region = next(iter(f.data.values()))[0]["region_code"] if f.kind == return_kind and len(f.submitter) == 18 else f.submitter
        frame.append({"submitter_code": f.submitter, "submitter_name": f.name, "kind": f.kind, "region_code": region,
                      "from_period": "2026-01", "contact_name": "联系人", "contact_phone": "0392-1234567"})
    silent = g.enterprises["410600"][6]  # expected every month; its return is missing
    assert not silent.returns
    frame.append({"submitter_code": silent.uscc, "submitter_name": silent.name, "kind": return_kind, "region_code": silent.region, "from_period": "2026-01"})
    gone = g.enterprises["652323"][0]  # no longer expected after 2026-09
    frame.append({"submitter_code": g.uscc("652323"), "submitter_name": gone.name + "(已注销)", "kind": return_kind, "region_code": "652323",
                  "from_period": "2025-01", "to_period": "2026-09"})
    seen = set()
    frame = [r for r in frame if (r["submitter_code"], r["kind"]) not in seen and not seen.add((r["submitter_code"], r["kind"]))]
    g.add("frame.xlsx", "reporting_frame", {"reporting_frame": frame}, "2026-11-01 08:00", "000000")
    return g


# --------------------------------------------------------------------------------------------------
# indicators.md in plain Python
# --------------------------------------------------------------------------------------------------

def q(x) -> Fraction | None:
    """The exact value typed in the cell (0.1 is one tenth, not the nearest double)."""
    return None if x is None else Fraction(str(x))


def ancestors(code: str) -> list[str]:
    """county xxyyzz → city xxyy00 → province xx0000 (indicators.md "Rollup")."""
    out = [code]
    for up in (code[:4] + "00", code[:2] + "0000"):
        if up not in out:
            out.append(up)
    return out


def counties_inside(region: str) -> list[str]:
    """County-level codes of the GB/T 2260 table (development zones included, 市辖区 grouping entries not)
    in use in year(P) and lying inside `region`."""
    with TARGETS_SEED.with_name("regions.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    year = int(PERIOD[:4])
    return [r["region_code"] for r in rows
            if r["region_level"] == "county" and r["region_name"] != "市辖区" and r["region_code"] != region
            and (not r["valid_from_year"] or int(r["valid_from_year"]) <= year) and (not r["valid_to_year"] or int(r["valid_to_year"]) >= year)
            and region in ancestors(r["region_code"])]


def inside(code: str | None, region: str) -> bool:
    return code is not None and region in ancestors(code)


def covers(covered: str, code: str) -> bool:
    return covered == "000000" or region_contains(covered, code)


def region_contains(region: str, code: str) -> bool:
    return region in ancestors(code)


RANK = {"国家": 4, "国家级": 4, "省": 3, "省级": 3, "市(州)": 2, "市级": 2, "州级": 2, "县": 1, "县级": 1}
COUNT_TYPES = {"industry_college_count": "产业学院", "training_base_count": "实训基地", "vocational_group_count": "职教集团",
               "master_studio_count": "技能大师工作室", "experience_center_count": "职业体验中心"}
KIND_OF = {**{i: "enterprise_return" for i in ("internship_post_ratio", "internship_post_compliance", "training_fund_extraction_rate",
                                                  "training_fund_extraction_compliance", "training_fund_frontline_share",
                                                  "training_fund_frontline_compliance", "secondary_vocational_hire_share",
                                                  "secondary_vocational_hire_compliance")},
           "above_scale_participation_rate": "above_scale_register", "certified_enterprise_count": "certified_enterprises",
           **{i: "carriers" for i in COUNT_TYPES},
           **{i: "education_finance" for i in ("local_surcharge_ve_share", "edu_surcharge_ve_share", "secondary_per_student_funding",
                                                 "higher_per_student_appropriation")}}
UNIT = {"secondary_per_student_funding": "元", "higher_per_student_appropriation": "元", "certified_enterprise_count": "家",
        **{i: "个" for i in COUNT_TYPES}}
INDICATORS = (  # indicators.md, in its order
    "dual_teacher_ratio", "apprenticeship_rate", "above_scale_participation_rate", "graduate_local_employment_rate",
    "graduate_local_direct_employment_rate", "graduate_retention_rate", "non_local_return_rate", "part_time_teacher_ratio",
    "practical_hours_share", "practical_hours_compliance", "teacher_practice_compliance", "internship_post_ratio",
    "internship_post_compliance", "training_fund_extraction_rate", "training_fund_extraction_compliance",
    "training_fund_frontline_share", "training_fund_frontline_compliance", "secondary_vocational_hire_share",
    "secondary_vocational_hire_compliance", "local_surcharge_ve_share", "edu_surcharge_ve_share", "secondary_per_student_funding",
    "higher_per_student_appropriation", "certified_enterprise_count", *COUNT_TYPES)
COHORT_INDICATORS = ("graduate_local_employment_rate", "graduate_local_direct_employment_rate", "graduate_retention_rate")


@dataclass(frozen=True)
class Variant:
    population: str = "all"
    scope: str | None = None
    rule_days: int | None = None
    rule_months: int | None = None
    band_lower: Fraction | None = None
    band_upper: Fraction | None = None


DEFAULTS = {"teacher_practice_compliance": Variant("fulltime_professional_teachers", rule_days=30, rule_months=12),
            "training_fund_extraction_compliance": Variant(band_lower=Fraction(3, 2), band_upper=Fraction(5, 2))}


def read_targets() -> list[dict]:
    with TARGETS_SEED.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for t in rows:
        t["variant"] = Variant(t["population"] or "all", t["scope_region"] or None, int(t["rule_days"]) if t["rule_days"] else None,
                               int(t["rule_window_months"]) if t["rule_window_months"] else None,
                               q(t["band_lower"] or None), q(t["band_upper"] or None))
        t["is_default_variant"] = t["variant"] == Variant()
    return rows


@dataclass
class Value:
    numerator: Fraction
    denominator: Fraction | None
    unit: str
    cohort_year: int | None = None
    coverage: tuple[int, int] | None = None

    @property
    def status(self) -> str:
        return "not_computable" if self.unit == "%" and not self.denominator else "ok"

    @property
    def value(self) -> Fraction | None:
        if self.unit != "%":
            return self.numerator
        return 100 * self.numerator / self.denominator if self.denominator else None


class Expected:
    """Every indicator × variant × region for P, from the generated files, as indicators.md defines them."""

    def __init__(self, files: list[File]):
        self.files = files
        by_kind = defaultdict(list)
        for f in files:
            by_kind[f.kind].append(f)
        latest = lambda fs: max(fs, key=lambda f: (f.received, f.sha256))  # noqa: E731 — "latest received_at; ties broken by sha256"
        # a school's latest workbook for P
        per_school = defaultdict(list)
        for f in by_kind["school_workbook"]:
            per_school[f.submitter].append(f)
        self.schools = [latest(fs).data for fs in per_school.values()]
        # an enterprise's latest return row for P
        per_enterprise = defaultdict(list)
        for f in by_kind["enterprise_return"]:
            for row in f.data["enterprise_returns"]:
                per_enterprise[row["uscc"]].append((f.received, f.sha256, row))
        self.returns = {u: max(rows, key=lambda r: (r[0], r[1]))[2] for u, rows in per_enterprise.items()}
        # registers: per row region, the latest register covering it
        self.register_rows, self.registers_in_force = {}, {}
        for kind, sheet in (("above_scale_register", "above_scale_enterprises"), ("certified_enterprises", "certified_enterprises"),
                            ("carriers", "carriers")):
            loads = by_kind[kind]
            regions = {r["region_code"] for f in loads for r in f.data[sheet]}
            rows, in_force = [], set()
            for region in regions:
                winner = latest([f for f in loads if covers(f.submitter, region)])
                mine = [r for r in winner.data[sheet] if r["region_code"] == region]
                rows += mine
                if mine:
                    in_force.add(winner.submitter)
            self.register_rows[kind], self.registers_in_force[kind] = rows, in_force
        self.above_scale = {r["uscc"] for r in self.register_rows["above_scale_register"]}
        # finance: per region and 口径, the latest fiscal year <= year(P), then the latest received
        records = defaultdict(list)
        for f in by_kind["education_finance"]:
            for row in f.data["education_finance"]:
                if row["fiscal_year"] <= int(PERIOD[:4]):
                    records[(row["region_code"], row["coverage"])].append((row["fiscal_year"], f.received, f.sha256, row))
        self.finance = {k: max(v, key=lambda r: r[:3])[3] for k, v in records.items()}
        self.frame = [r for f in by_kind["reporting_frame"] for r in f.data["reporting_frame"]
                      if r["from_period"] <= PERIOD and (r.get("to_period") is None or r["to_period"] >= PERIOD)]
        self.accepted = {(f.kind, f.submitter) for f in files}

    # --- helpers -------------------------------------------------------------------------------------

    @staticmethod
    def rollup(units: list[tuple[str, Fraction, Fraction | None]], unit: str) -> dict[str, Value]:
        """Sum numerators and denominators of the units inside each county, city and province."""
        out: dict[str, Value] = {}
        for region, num, den in units:
            for a in ancestors(region):
                v = out.setdefault(a, Value(Fraction(0), None if den is None else Fraction(0), unit))
                v.numerator += num
                if den is not None:
                    v.denominator += den
        return out

    def schools_of(self, population: str) -> list[dict]:
        keep = {"secondary_schools": SECONDARY, "higher_schools": HIGHER}.get(population)
        return [s for s in self.schools if keep is None or s["school_info"][0]["school_level"] in keep]

    # --- the school workbook -------------------------------------------------------------------------

    def school_indicator(self, code: str, v: Variant) -> dict[str, Value]:
        units = []
        for s in self.schools_of(v.population):
            info, teachers = s["school_info"][0], s["teachers"]
            ft_prof = [t for t in teachers if t["employment_type"] == "专任" and t["is_professional"]]
            if code == "dual_teacher_ratio":
                num = sum(1 for t in ft_prof if t["is_dual_qualified"] or (v.population == "dual_or_integrated" and t.get("is_integrated")))
                den = len(ft_prof)
            elif code == "apprenticeship_rate":
                num, den = sum(1 for a in s["apprentices"] if a["status"] == "在读"), info["enrolled_students"]
            elif code == "part_time_teacher_ratio":
                num, den = sum(1 for t in teachers if t["employment_type"] == "兼职"), info["staff_quota"]
            elif code == "practical_hours_share":
                num, den = q(info["practical_teaching_hours"]), q(info["total_teaching_hours"])
            elif code == "practical_hours_compliance":
                total, practical = q(info["total_teaching_hours"]), q(info["practical_teaching_hours"])
                num, den = int(total > 0 and practical >= total / 2), 1
            elif code == "teacher_practice_compliance":
                population = teachers if v.population == "all_teachers" else ft_prof
                days = "practice_days_12m" if v.rule_months == 12 else "practice_days_24m"
                num = sum(1 for t in population if t[days] is not None and t[days] >= v.rule_days)
                den = len(population)
            units.append((info["region_code"], Fraction(num), Fraction(den)))
        return self.rollup(units, "%")

    def graduate_indicator(self, code: str, v: Variant) -> dict[str, Value]:
        """Locality is re-evaluated at each level: one contribution per school per region containing it."""
        out: dict[str, Value] = {}
        for s in self.schools_of(v.population):
            school_region = s["school_info"][0]["region_code"]
            records = defaultdict(list)
            for r in s["graduate_destinations"]:
                if r["survey_date"] <= PERIOD_END:
                    records[r["student_id"]].append(r)
            for measured in ancestors(school_region):
                local = v.scope or measured
                num = den = 0
                for recs in records.values():
                    last = max(recs, key=lambda r: r["survey_date"])
                    dest, here = last["destination_type"], inside(last["employer_region_code"], local)
                    if code == "non_local_return_rate":
                        jobs = [r for r in recs if r["destination_type"] == "就业"]
                        if jobs and not inside(min(jobs, key=lambda r: r["survey_date"])["employer_region_code"], local):
                            den += 1
                            num += dest == "就业" and here
                        continue
                    if last["graduation_year"] != COHORT:
                        continue
                    if code == "graduate_local_employment_rate":
                        den += 1
                        num += dest == "就业" and last["employer_type"] == "企业" and here
                    elif code == "graduate_local_direct_employment_rate":
                        den += dest not in ("升学", "入伍")
                        num += dest in ("就业", "自主创业") and here
                    elif code == "graduate_retention_rate":
                        den += 1
                        num += dest in ("就业", "自主创业") and here
                value = out.setdefault(measured, Value(Fraction(0), Fraction(0), "%", None if code == "non_local_return_rate" else COHORT))
                value.numerator += num
                value.denominator += den
        return out

    # --- enterprises ---------------------------------------------------------------------------------

    def enterprise_indicator(self, code: str, v: Variant) -> dict[str, Value]:
        units = []
        for uscc, r in self.returns.items():
            posts, employees = r["internship_posts"], r["employees"]
            wage, extracted, frontline = q(r["wage_bill"]), q(r["training_fund_extracted"]), q(r["training_fund_frontline"])
            plan, hires = r["hiring_plan"], r["secondary_vocational_hires"]
            large = r["enterprise_size"] in ("大型", "中型")
            if code in ("internship_post_ratio", "internship_post_compliance") and uscc not in self.above_scale:
                continue
            if code.startswith("secondary_vocational_hire") and not large:
                continue
            if code == "internship_post_ratio":
                num, den = posts, employees
            elif code == "internship_post_compliance":
                num, den = int(posts >= Fraction(2, 100) * employees), 1
            elif code == "training_fund_extraction_rate":
                num, den = extracted, wage
            elif code == "training_fund_extraction_compliance":
                rate = 100 * extracted / wage if wage else None
                num = int(rate is not None and (v.band_lower is None or rate >= v.band_lower) and (v.band_upper is None or rate <= v.band_upper))
                den = 1
            elif code == "training_fund_frontline_share":
                num, den = frontline, extracted
            elif code == "training_fund_frontline_compliance":
                num, den = int(extracted > 0 and frontline >= Fraction(60, 100) * extracted), int(extracted > 0)
            elif code == "secondary_vocational_hire_share":
                num, den = hires, plan
            elif code == "secondary_vocational_hire_compliance":
                num, den = int(plan > 0 and hires >= Fraction(20, 100) * plan), int(plan > 0)
            units.append((r["region_code"], Fraction(num), Fraction(den)))
        return self.rollup(units, "%")

    def participation(self) -> dict[str, Value]:
        active = {c["enterprise_uscc"] for s in self.schools for c in s["cooperations"]
                  if c["start_date"] <= PERIOD_END and (c["end_date"] is None or c["end_date"] >= PERIOD_END)}
        units = []
        for r in self.register_rows["above_scale_register"]:
            ret = self.returns.get(r["uscc"])
            takes_part = r["uscc"] in active or bool(ret and ret["in_vocational_group"])
            units.append((r["region_code"], Fraction(int(takes_part)), Fraction(1)))
        return self.rollup(units, "%")

    # --- registers -----------------------------------------------------------------------------------

    def count_indicator(self, code: str, v: Variant) -> dict[str, Value]:
        minimum = RANK[v.population.split(":", 1)[1]] if v.population.startswith("carrier_level:") else 0
        units = []
        if code == "certified_enterprise_count":
            kind = "certified_enterprises"
            for r in self.register_rows[kind]:
                if r["certified_on"] <= PERIOD_END and (r["valid_until"] is None or r["valid_until"] >= PERIOD_END) and RANK[r["level"]] >= minimum:
                    units.append((r["region_code"], Fraction(1), None))
        else:
            kind = "carriers"
            for r in self.register_rows[kind]:
                exists = r["established_on"] <= PERIOD_END and (r["closed_on"] is None or r["closed_on"] > PERIOD_END)
                if not exists or r["carrier_type"] != COUNT_TYPES[code] or RANK[r["level"]] < minimum:
                    continue
                if v.population == "carrier_high_level" and not r["is_high_level"]:
                    continue
                if v.population == "carrier_led_by_higher_school" and LEVEL_OF.get(r["lead_school_code"]) not in HIGHER:
                    continue
                units.append((r["region_code"], Fraction(1), None))
        # a register in force is complete for the region it covers: that region and every county inside it
        # with nothing to count shows 0
        units += [(region, Fraction(0), None) for covered in self.registers_in_force[kind]
                  for region in {covered, *counties_inside(covered)}]
        return self.rollup(units, UNIT[code])

    # --- finance -------------------------------------------------------------------------------------

    def finance_indicator(self, code: str) -> dict[str, Value]:
        out: dict[str, Value] = {}
        if code in ("secondary_per_student_funding", "higher_per_student_appropriation"):
            # only where reported: the region's 全辖 figure, else its 本级 figure
            for region in {k[0] for k in self.finance}:
                for coverage in ("全辖", "本级"):
                    row = self.finance.get((region, coverage))
                    if row and row[code] is not None:
                        out[region] = Value(q(row[code]), None, "元")
                        break
            return out
        num_field, den_field = {"local_surcharge_ve_share": ("local_surcharge_to_ve", "local_surcharge_collected"),
                                "edu_surcharge_ve_share": ("edu_surcharge_to_ve", "edu_surcharge_collected")}[code]
        regions = {a for (region, _) in self.finance for a in ancestors(region)}
        for region in regions:
            whole = self.finance.get((region, "全辖"))
            rows = [whole] if whole else [row for (r, c), row in self.finance.items() if c == "本级" and region_contains(region, r)]
            if rows:
                out[region] = Value(sum(q(r[num_field]) for r in rows), sum(q(r[den_field]) for r in rows), "%")
        return out

    # --- all -------------------------------------------------------------------------------------------

    def indicator(self, code: str, v: Variant) -> dict[str, Value]:
        if code in ("dual_teacher_ratio", "apprenticeship_rate", "part_time_teacher_ratio", "practical_hours_share",
                    "practical_hours_compliance", "teacher_practice_compliance"):
            values = self.school_indicator(code, v)
        elif code in (*COHORT_INDICATORS, "non_local_return_rate"):
            values = self.graduate_indicator(code, v)
        elif code == "above_scale_participation_rate":
            values = self.participation()
        elif code in ("certified_enterprise_count", *COUNT_TYPES):
            values = self.count_indicator(code, v)
        elif KIND_OF.get(code) == "education_finance":
            values = self.finance_indicator(code)
        else:
            values = self.enterprise_indicator(code, v)
        for region, value in values.items():
            value.coverage = self.coverage(KIND_OF.get(code, "school_workbook"), region)
        return values

    def coverage(self, kind: str, region: str) -> tuple[int, int] | None:
        """Units the frame in force expects for the indicator's submission kind inside the region, and how many were accepted."""
        expected = [r for r in self.frame if r["kind"] == kind and region_contains(region, r["region_code"])]
        if not expected:
            return None
        return len(expected), sum(1 for r in expected if (kind, r["submitter_code"]) in self.accepted)


def judge(kind: str, comparator: str, lower: float, upper: float | None, value: Value | None) -> str:
    """A target's status from the unrounded value (indicators.md "Status", interface.md)."""
    if kind == "reference":
        return "reference"
    if value is None:
        return "no_data"
    if value.status != "ok":
        return value.status
    x = value.value
    met = {">=": lambda: x >= q(lower), ">": lambda: x > q(lower), "between": lambda: q(lower) <= x <= q(upper)}[comparator]()
    return "met" if met else "not_met"


# --------------------------------------------------------------------------------------------------
# The month through the real CLI, once for the module
# --------------------------------------------------------------------------------------------------

TIMINGS: dict[str, float] = {}


@pytest.fixture(scope="module")
def month(generated_month):
    """The month through the real CLI: built once per run in conftest.py, shared with test_trace_recompute."""
    return generated_month


VALUE_SQL = ("select indicator_code, variant_code, region_code, numerator, denominator, value, status, unit, cohort_year, "
             "coverage_expected, coverage_accepted from marts.fct_indicator_value where period = '2026-10'")
TARGET_SQL = ("select jurisdiction_code, indicator_code, kind, lower, by_year, variant_code, variant_value, status, deadline_state, "
              "status_at_deadline from marts.fct_target_progress where period = '2026-10'")


def duckdb_marts(home: Path) -> tuple[list[tuple], list[tuple]]:
    with duckdb.connect(str(home / "marts.duckdb"), read_only=True) as con:
        return con.execute(VALUE_SQL).fetchall(), con.execute(TARGET_SQL).fetchall()


def target_key(jurisdiction, indicator, kind, lower, by_year) -> tuple:
    return (jurisdiction, indicator, kind, float(lower), by_year or None)


def expected_values(month, targets_rows: list[tuple]) -> dict[tuple, Value]:
    """(indicator, variant_code, region) → Value for the default variant of every indicator and every
    target variant; a target's variant code is the warehouse's name for the target's parameters."""
    expected: Expected = month["expected"]
    code_of = {target_key(*r[:5]): r[5] for r in targets_rows}
    variants: dict[tuple[str, str], Variant] = {}
    for t in month["targets"]:
        name = code_of[target_key(t["jurisdiction_code"], t["indicator_code"], t["kind"], t["lower"], t["by_year"])]
        assert (name == "default") == t["is_default_variant"], (t, name)
        if name != "default":
            assert variants.setdefault((t["indicator_code"], name), t["variant"]) == t["variant"], name
    with TARGETS_SEED.with_name("indicators.csv").open(encoding="utf-8") as fh:
        indicators = [r["indicator_code"] for r in csv.DictReader(fh)]
    assert sorted(indicators) == sorted(INDICATORS)  # the catalogue of indicators.md, no more, no less
    for code in INDICATORS:
        variants[(code, "default")] = DEFAULTS.get(code, Variant())
    out = {}
    for (code, name), variant in variants.items():
        for region, value in expected.indicator(code, variant).items():
            out[(code, name, region)] = value
    return out


def compare_values(rows: list[tuple], expected: dict[tuple, Value]) -> None:
    actual = {(r[0], r[1], r[2]): r[3:] for r in rows}
    missing, extra = sorted(set(expected) - set(actual)), sorted(set(actual) - set(expected))
    problems = [f"missing from the warehouse: {k} expected {expected[k].status} {expected[k].numerator}/{expected[k].denominator}" for k in missing]
    problems += [f"not expected: {k} = {actual[k]}" for k in extra]
    for key in sorted(set(expected) & set(actual)):
        e, (num, den, value, status, unit, cohort, cov_expected, cov_accepted) = expected[key], actual[key]
        close = lambda a, b: (a is None and b is None) or (a is not None and b is not None and abs(float(a) - float(b)) <= 1e-6 * max(1, abs(float(b))))  # noqa: E731
        if status != e.status or unit != e.unit:
            problems.append(f"{key}: status {status} {unit}, expected {e.status} {e.unit} ({e.numerator}/{e.denominator})")
        elif e.value is None and value is not None or e.value is not None and (value is None or abs(float(value) - float(e.value)) >= 0.005):
            problems.append(f"{key}: value {value} ({num}/{den}), expected {None if e.value is None else float(e.value)} ({e.numerator}/{e.denominator})")
        elif not close(num, e.numerator) or not close(den, e.denominator):
            problems.append(f"{key}: {num}/{den}, expected {float(e.numerator)}/{None if e.denominator is None else float(e.denominator)}")
        if cohort != e.cohort_year:
            problems.append(f"{key}: cohort_year {cohort}, expected {e.cohort_year}")
        if (None if cov_expected is None else (cov_expected, cov_accepted)) != e.coverage:
            problems.append(f"{key}: coverage {cov_expected}/{cov_accepted}, expected {e.coverage}")
    assert not problems, f"{len(problems)} differences:\n" + "\n".join(problems[:80])


def compare_targets(rows: list[tuple], expected: dict[tuple, Value], targets: list[dict]) -> None:
    actual = {target_key(*r[:5]): r for r in rows}
    assert len(actual) == len(rows) == len(targets) == 40
    problems = []
    for t in targets:
        key = target_key(t["jurisdiction_code"], t["indicator_code"], t["kind"], t["lower"], t["by_year"])
        _, _, _, _, by_year, variant_code, variant_value, status, deadline_state, status_at_deadline = actual[key]
        value = expected.get((t["indicator_code"], variant_code, t["jurisdiction_code"]))
        want_value = None if value is None else value.value
        want_status = judge(t["kind"], t["comparator"], float(t["lower"]), float(t["upper"]) if t["upper"] else None, value)
        by = t["by_year"] or None
        want_deadline = None if by is None else "unknown" if by == "unknown" else "due" if int(PERIOD[:4]) <= int(by) else "past_due"
        # past due: judged again on the value at the deadline's December — a period this warehouse does not hold
        want_at_deadline = judge(t["kind"], t["comparator"], float(t["lower"]), None, None) if want_deadline == "past_due" else None
        got = (None if variant_value is None else round(float(variant_value), 6), status, deadline_state, status_at_deadline)
        want = (None if want_value is None else round(float(want_value), 6), want_status, want_deadline, want_at_deadline)
        if (got[0] is None) != (want[0] is None) or (got[0] is not None and abs(got[0] - want[0]) >= 0.005) or got[1:] != want[1:]:
            problems.append(f"{t['jurisdiction_name']} {t['indicator_code']} {variant_code} {t['comparator']} {t['lower']} by {by}: got {got}, expected {want}")
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------------------------------

def test_every_generated_file_is_accepted_from_the_submitter_it_names(month):
    outcomes = {o["file"]: o for o in month["ingest"].data}
    files = month["generator"].files
    assert len(outcomes) == len(files) >= 60
    rejected = {n: [(r["sheet"], r["row"], r["column"], r["rule"], r["message"]) for r in o["reasons"]]
                for n, o in outcomes.items() if o["status"] != "accepted"}
    assert not rejected, rejected
    assert {f.name: (f.kind, f.submitter) for f in files} == {n: (o["kind"], o["submitter"]) for n, o in outcomes.items()}


def test_the_month_covers_every_case_the_rules_distinguish(month):
    """Guards the generator: the edge cases the comparisons rely on are really in the data."""
    e: Expected = month["expected"]
    levels = {s["school_info"][0]["school_level"] for s in e.schools}
    assert levels == {"中职", "技工院校", "高职专科", "职业本科"}
    destinations = {r["destination_type"] for s in e.schools for r in s["graduate_destinations"]}
    assert destinations == {"就业", "升学", "入伍", "自主创业", "未就业"}
    assert {r["graduation_year"] for s in e.schools for r in s["graduate_destinations"]} == {2025, 2026}
    assert {r["carrier_type"] for r in e.register_rows["carriers"]} == set(COUNT_TYPES.values())
    assert {r["level"] for r in e.register_rows["carriers"]} == {"国家级", "省级", "市级", "县级"}
    assert {r["level"] for r in e.register_rows["certified_enterprises"]} == {"国家", "省", "市(州)", "县"}
    assert {r["enterprise_size"] for r in e.returns.values()} == {"大型", "中型", "小型", "微型"}
    assert {c for (_, c) in e.finance} == {"本级", "全辖"}
    rates = {100 * q(r["training_fund_extracted"]) / q(r["wage_bill"]) for r in e.returns.values()}
    assert {Fraction(3, 2), Fraction(5, 2), Fraction(8)} <= rates
    # the 浚县 register replaced the city's 浚县 rows
    assert {r["region_code"] for r in e.register_rows["above_scale_register"]} >= {"410621", "410622"}
    assert e.registers_in_force["above_scale_register"] >= {"410600", "410621"}
    # a revision, and two workbooks received at the same second
    received = defaultdict(list)
    for f in month["generator"].files:
        if f.kind == "school_workbook":
            received[f.submitter].append(f.received)
    assert sorted(len(set(r)) for r in received.values() if len(r) > 1) == [1, 2]
    # a school without graduates, a development zone, an industry college led by a school without a workbook
    assert [s["school_info"][0]["school_code"] for s in e.schools if not s["graduate_destinations"]] == ["4450200003"]
    assert "410671" in {r["region_code"] for r in e.returns.values()}
    assert any(r["lead_school_code"] == MISSING_SCHOOL[0] for r in e.register_rows["carriers"])


def test_every_indicator_value_on_duckdb(month):
    values, targets = duckdb_marts(month["home"])
    compare_values(values, expected_values(month, targets))


def test_every_target_status_on_duckdb(month):
    values, targets = duckdb_marts(month["home"])
    compare_targets(targets, expected_values(month, targets), month["targets"])
    statuses = defaultdict(int)
    for r in targets:
        statuses[r[7]] += 1
    print(f"\n[full month] {len(values)} indicator values; target statuses {dict(sorted(statuses.items()))}")


@pytest.fixture(scope="module")
def postgres(month):
    """The same month built with `chanjiao build --target postgres`; connection settings of that database."""
    _postgres_or_skip()
    from chanjiao import settings as config

    started = time.monotonic()
    built = run_cli(month["home"], "build", "--target", "postgres", "--json")
    TIMINGS["build_postgres"] = time.monotonic() - started
    assert built.returncode == 0, built.stderr[-3000:]
    print(f"\n[full month] chanjiao build --target postgres {TIMINGS['build_postgres']:.1f} s wall (mirror + dbt build {built.data['seconds']} s); "
          f"DuckDB was {TIMINGS.get('build_duckdb', float('nan')):.1f} s")
    return config.load().postgres.params()


def postgres_rows(settings: dict, *queries: str) -> list[list[tuple]]:
    import psycopg2

    pg = psycopg2.connect(**settings)
    try:
        with pg.cursor() as cur:
            out = []
            for query in queries:
                cur.execute(query)
                out.append(cur.fetchall())
            return out
    finally:
        pg.close()


def test_every_indicator_and_target_on_postgres(month, postgres):
    values, targets = postgres_rows(postgres, VALUE_SQL, TARGET_SQL)
    # the same target rows with the same variant codes, character for character, as on DuckDB
    _, duck_targets = duckdb_marts(month["home"])
    same = lambda r: (r[0], r[1], r[2], float(r[3]), r[4], r[5])  # noqa: E731
    assert sorted(map(same, targets)) == sorted(map(same, duck_targets))
    expected = expected_values(month, targets)
    compare_values(values, expected)
    compare_targets(targets, expected, month["targets"])


SOURCE_ROW_TOTALS_SQL = ("select indicator_code, variant_code, value_region_code, role, count(*), sum(amount) "
                         "from marts.fct_indicator_source_row where period = '2026-10' group by 1, 2, 3, 4")
SOURCE_ROW_SQL = ("select indicator_code, variant_code, value_region_code, role, unit_code, region_code, load_id, file_name, "
                  "source_sheet, source_row, amount from marts.fct_indicator_source_row where period = '2026-10'")


def test_source_rows_are_the_same_on_duckdb_and_postgres(month, postgres):
    """What `chanjiao trace` lists must not depend on the target: per indicator, variant, region and role the
    same number of rows adding the same amount, and row for row the same file, sheet and row number."""
    with duckdb.connect(str(month["home"] / "marts.duckdb"), read_only=True) as con:
        duck_totals, duck_rows = con.execute(SOURCE_ROW_TOTALS_SQL).fetchall(), con.execute(SOURCE_ROW_SQL).fetchall()
    pg_totals, pg_rows = postgres_rows(postgres, SOURCE_ROW_TOTALS_SQL, SOURCE_ROW_SQL)
    # every indicator lists rows, so the comparison below is never between two empty tables
    assert {r[0] for r in duck_totals} == set(INDICATORS)
    duck = {r[:4]: (r[4], r[5]) for r in duck_totals}
    pg = {r[:4]: (r[4], r[5]) for r in pg_totals}
    problems = [f"{k}: only on DuckDB {duck[k]}" for k in sorted(set(duck) - set(pg))]
    problems += [f"{k}: only on PostgreSQL {pg[k]}" for k in sorted(set(pg) - set(duck))]
    for key in sorted(set(duck) & set(pg)):
        (n_duck, sum_duck), (n_pg, sum_pg) = duck[key], pg[key]
        same_sum = (sum_duck is None and sum_pg is None) or (
            sum_duck is not None and sum_pg is not None and abs(float(sum_duck) - float(sum_pg)) <= 1e-6 * max(1, abs(float(sum_duck))))
        if n_duck != n_pg or not same_sum:
            problems.append(f"{key}: DuckDB {n_duck} rows adding {sum_duck}, PostgreSQL {n_pg} rows adding {sum_pg}")
    assert not problems, f"{len(problems)} differences:\n" + "\n".join(problems[:80])
    row = lambda r: (*r[:10], None if r[10] is None else round(float(r[10]), 6))  # noqa: E731
    assert sorted(map(row, duck_rows), key=repr) == sorted(map(row, pg_rows), key=repr)
    print(f"\n[full month] {len(duck_rows)} source rows in {len(duck_totals)} indicator/variant/region/role groups, the same on both targets")
