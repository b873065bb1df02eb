"""A whole province's month in one call: every county's vocational schools (one workbook each), one
enterprise-return CSV for all firms, and the province's registers (above-scale firms, 产教融合型企业,
产教融合载体). `scale` multiplies the schools and the firms (2 doubles the month).

Fast: rows are drawn from pools with a seeded generator per school (so the month is the same whatever
the number of `workers`), workbooks go through the fast .xlsx writer, the CSV through the csv module.
"""
from __future__ import annotations

import datetime as dt
import multiprocessing
import random
import time
from dataclasses import dataclass, field
from pathlib import Path

from chanjiao.demo.factory.broken import BREAKAGES
from chanjiao.demo.factory.broken import broken as make_broken
from chanjiao.demo.factory.codes import GIVEN, SURNAMES, Region, counties, id_number, month_label, period_end, uscc
from chanjiao.demo.factory.files import Mess, Sheet, Written, kind_of, sheets, write, write_xlsx_fast
from chanjiao.demo.factory.rows import COOPERATION_TYPES, INDUSTRIES
from ingestion.period import Period

LEVELS = ["中职", "中职", "中职", "技工院校", "高职专科", "高职专科", "职业本科"]
SCHOOL_NAMES = {"中职": "职业中等专业学校", "技工院校": "技工学校", "高职专科": "职业技术学院", "职业本科": "职业技术大学"}
MAJORS = ["数控技术", "汽车运用与维修", "电子商务", "护理", "机电一体化", "计算机应用", "学前教育", "建筑工程施工", "会计", "旅游服务"]
SIZES = ["大型", "中型", "小型", "微型"]
FIRM_WORDS = "华鑫宏兴泰丰瑞恒达成源盛"
TRADES = ["机械", "电子", "化工", "食品", "建材", "物流", "纺织", "汽车", "能源", "信息"]
DESTINATIONS = ["就业", "就业", "就业", "就业", "升学", "升学", "入伍", "自主创业", "未就业"]
SHARES = {"teachers": 0.12, "apprentices": 0.10, "graduate_destinations": 0.72, "cooperations": 0.06}


@dataclass
class Month:
    """What `province_month` wrote."""
    folder: Path
    period: str
    province: str
    files: list[Written] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(sum(f.rows.values()) for f in self.files)

    def of(self, kind: str) -> list[Written]:
        return [f for f in self.files if f.kind == kind]


@dataclass(frozen=True)
class _Plan:
    """Everything a worker needs to write school number `i` (sent once per worker)."""
    folder: Path
    period: str
    seed: int
    rows: int
    schools: list[tuple[str, str, str, str]]  # code, name, county, level
    firms_by_city: dict[str, list[tuple[str, str]]]  # city → (uscc, name)
    mess: float
    broken: float


_PLAN: _Plan | None = None


def _people(rng: random.Random, n: int) -> list[str]:
    return [a + b + c for a, b, c in zip(rng.choices(SURNAMES, k=n), rng.choices(GIVEN, k=n), rng.choices(GIVEN, k=n))]


def _school_data(plan: _Plan, i: int) -> dict:
    code, name, county, level = plan.schools[i]
    rng = random.Random(f"{plan.seed}-{code}")
    end = period_end(plan.period)
    year = int(plan.period[:4])
    cohort = year if end.month >= 9 else year - 1
    total = max(8, int(plan.rows * rng.uniform(0.7, 1.3)))
    n = {k: max(1, int(total * share)) for k, share in SHARES.items()}
    firms = plan.firms_by_city[county[:4]]
    names = _people(rng, 64)
    rand, randint, choice = rng.random, rng.randint, rng.choice
    ordinal = end.toordinal()
    teachers = []
    for k in range(n["teachers"]):
        professional = rand() < 0.8
        part_time = rand() < 0.1
        days = randint(0, 120)
        teachers.append({"teacher_id": f"T{k:05d}", "teacher_name": choice(names),
                         "id_number": id_number(county, k, f"{randint(1965, 1999)}0{randint(1, 9)}{randint(10, 28)}") if rand() < 0.5 else None,
                         "is_professional": professional,
                         "is_dual_qualified": professional and rand() < 0.6, "employment_type": "兼职" if part_time else "专任",
                         "source_enterprise_uscc": choice(firms)[0] if part_time else None, "practice_days_12m": days,
                         "practice_days_24m": days + randint(0, 120), "is_integrated": level == "技工院校" and professional and rand() < 0.3})
    apprentices = []
    for k in range(n["apprentices"]):
        apprentices.append({"student_id": f"A{year}{k:05d}", "student_name": choice(names), "major": choice(MAJORS),
                            "apprenticeship_type": "现代学徒制" if rand() < 0.8 else "企业新型学徒制", "enterprise_uscc": choice(firms)[0],
                            "agreement_date": dt.date.fromordinal(ordinal - randint(0, 1000)),
                            "status": "在读" if rand() < 0.8 else ("结业" if rand() < 0.7 else "退出")})
    graduates = []
    for k in range(n["graduate_destinations"]):
        grad = cohort - (k % 2)
        dest = choice(DESTINATIONS)
        at_firm = dest == "就业" and rand() < 0.8
        employer = dest in ("就业", "自主创业")
        survey = dt.date(grad, 8, 31) + dt.timedelta(days=randint(0, 90))
        graduates.append({"student_id": f"G{grad}{k:05d}", "student_name": choice(names), "graduation_year": grad,
                          "destination_type": dest, "employer_uscc": choice(firms)[0] if at_firm else None,
                          "employer_region_code": county if employer else None,
                          "employer_type": ("企业" if at_firm else "机关事业单位" if dest == "就业" else "其他") if employer else None,
                          "survey_date": min(survey, end)})
    cooperations = []
    for _ in range(n["cooperations"]):
        uscc_, firm = choice(firms)
        start = dt.date.fromordinal(ordinal - randint(-60, 1500))
        cooperations.append({"enterprise_uscc": uscc_, "enterprise_name": firm, "cooperation_type": choice(COOPERATION_TYPES),
                             "start_date": start, "end_date": start + dt.timedelta(days=randint(365, 1500)) if rand() < 0.2 else None})
    info = {"school_code": code, "school_name": name, "region_code": county, "school_level": level, "period": plan.period,
            "enrolled_students": randint(800, 12000), "staff_quota": n["teachers"] + randint(0, 40),
            "total_teaching_hours": 2600, "practical_teaching_hours": randint(1000, 2000), "contact_name": choice(names),
            "contact_phone": f"139{randint(0, 99999999):08d}"}
    return {"school_info": [info], "teachers": teachers, "apprentices": apprentices, "graduate_destinations": graduates,
            "cooperations": cooperations}


def _plain(kind, data: dict) -> list[Sheet]:
    """The template's layout as a grid, without the per-cell work of `grid` (flags 是/否, dates as dates)."""
    out = []
    for s in kind.sheets:
        names = [f.name for f in s.fields]
        rows = [[f.header for f in s.fields]]
        rows += [[("是" if v else "否") if v.__class__ is bool else v for v in map(row.get, names)] for row in data[s.key]]
        out.append(Sheet(s.sheet, rows))
    return out


def _write_school(i: int) -> Written:
    plan = _PLAN
    data = _school_data(plan, i)
    code, name, _, _ = plan.schools[i]
    rng = random.Random(f"{plan.seed}-{code}-file")
    kind = kind_of("school_workbook")
    path = plan.folder / f"{code}_{name}_产教融合数据报表_{month_label(plan.period)}.xlsx"
    mistake = None
    if plan.broken and rng.random() < plan.broken:
        mistake = rng.choice(sorted(BREAKAGES))
        data = make_broken(data, mistake, rng)
    if plan.mess and rng.random() < plan.mess:
        write_xlsx_fast(path, *sheets(kind, data, Mess.random(rng), title=f"{name}{month_label(plan.period)}产教融合数据报表"))
    elif mistake:
        write_xlsx_fast(path, *sheets(kind, data))
    else:
        write_xlsx_fast(path, *_plain(kind, data))
    return Written(path, "school_workbook", code, plan.period, {k: len(v or ()) for k, v in data.items()}, mistake)


def _spread(rng: random.Random, places: list[Region], n: int) -> list[Region]:
    """`n` draws of places, weighted unevenly (some counties have many more firms and schools)."""
    weights = [rng.uniform(0.3, 1.7) for _ in places]
    return rng.choices(places, weights, k=n)


def province_month(folder: Path, period: str, province: str = "410000", *, scale: float = 1.0, seed: int = 20261005,
                   schools: int = 500, rows_per_school: int = 1150, enterprises: int = 60000, workers: int = 1,
                   mess: float = 0.0, broken: float = 0.0, encoding: str = "utf-8") -> Month:
    """A province's month of submissions in `folder`: round(`schools` × `scale`) school workbooks of about
    `rows_per_school` rows (±30%) over every county in force at `period`; one enterprise-return CSV of
    round(`enterprises` × `scale`) firms in `encoding`; the above-scale register (~35% of the firms), the
    产教融合型企业 list (~2%) and the 产教融合载体 register (3 per county) of the province.
    `mess`: share of workbooks written with a random Mess; `broken`: share with one mistake of BREAKAGES
    (recorded in Written.broken). `workers` > 1 writes the workbooks in that many processes (same bytes)."""
    global _PLAN
    started = time.perf_counter()
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(f"{seed}-{province}-{period}")
    places = counties(province, period)
    label = month_label(period)
    year = Period.parse(period).year

    # firms: USCC numbered from 1 in their county's registration, a name, and this month's return
    n_firms = round(enterprises * scale)
    firms, by_city = [], {}
    for serial, place in enumerate(_spread(rng, places, n_firms), 1):
        code = uscc(place.code, serial)
        name = f"{place.name}{rng.choice(FIRM_WORDS)}{rng.choice(FIRM_WORDS)}{rng.choice(TRADES)}有限公司{serial}"
        firms.append((code, name, place.code))
        by_city.setdefault(place.code[:4], []).append((code, name))
    for place in places:  # a city without firms still has partners for its schools
        by_city.setdefault(place.code[:4], [(uscc(place.code, 0), f"{place.name}职教合作有限公司")])

    month = Month(folder, period, province)
    returns = []
    for code, name, region in firms:
        employees = int(rng.lognormvariate(4, 1.1)) + 1
        wage = round(employees * rng.uniform(4, 9) * Period.parse(period).month / 12, 2)
        extracted = round(wage * rng.uniform(0.015, 0.08), 2)
        returns.append({"uscc": code, "enterprise_name": name, "region_code": region, "period": period, "employees": employees,
                        "wage_bill": wage, "training_fund_extracted": extracted,
                        "training_fund_frontline": round(extracted * rng.uniform(0.3, 0.9), 2),
                        "internship_posts": rng.randint(0, employees // 20 + 1), "apprentices": rng.randint(0, employees // 40 + 1),
                        "in_vocational_group": rng.random() < 0.15,
                        "enterprise_size": SIZES[0 if employees > 1000 else 1 if employees > 300 else 2 if employees > 20 else 3],
                        "hiring_plan": rng.randint(0, employees // 10 + 1), "secondary_vocational_hires": rng.randint(0, employees // 50 + 1)})
    path = write("enterprise_return", folder / f"{province}_企业参与职业教育情况表_{label}.csv", {"enterprise_returns": returns},
                 mess=Mess(encoding=encoding))
    month.files.append(Written(path, "enterprise_return", province, period, {"enterprise_returns": len(returns)}))

    above = [{"uscc": r["uscc"], "enterprise_name": r["enterprise_name"], "region_code": r["region_code"],
              "industry_code": rng.choice(INDUSTRIES), "period": period} for r in returns if r["employees"] >= 60 or rng.random() < 0.1]
    certified = [{"uscc": r["uscc"], "enterprise_name": r["enterprise_name"], "region_code": r["region_code"],
                  "level": rng.choice(["国家", "省", "省", "市(州)", "县"]),
                  "certified_on": dt.date(year - rng.randint(0, 4), rng.randint(1, 12), 1), "valid_until": None, "period": period}
                 for r in returns if rng.random() < 0.02]
    for r in certified:
        if rng.random() < 0.5:
            r["valid_until"] = r["certified_on"].replace(year=r["certified_on"].year + 5) - dt.timedelta(days=1)
    carriers = []
    for place in places:
        for k in range(3):
            lead = rng.choice(by_city[place.code[:4]])[0]
            carriers.append({"carrier_id": f"ZT-{place.code}-{k + 1:02d}",
                             "carrier_type": rng.choice(["产业学院", "实训基地", "职教集团", "技能大师工作室", "职业体验中心"]),
                             "carrier_name": f"{place.name}产教融合载体{k + 1}", "region_code": place.code,
                             "level": rng.choice(["国家级", "省级", "市级", "县级"]), "is_high_level": rng.random() < 0.3,
                             "lead_uscc": lead, "established_on": dt.date(year - rng.randint(1, 8), rng.randint(1, 12), 1), "period": period})
    for kind, key, rows, title in (("above_scale_register", "above_scale_enterprises", above, "规模以上企业名录"),
                                   ("certified_enterprises", "certified_enterprises", certified, "产教融合型企业名单"),
                                   ("carriers", "carriers", carriers, "产教融合载体名录")):
        path = write(kind, folder / f"{province}_{title}_{label}.xlsx", {key: rows}, fast=True)
        month.files.append(Written(path, kind, province, period, {key: len(rows)}))

    # schools: spread over the counties, numbered across the province
    n_schools = round(schools * scale)
    cast = []
    for i, place in enumerate(_spread(rng, places, n_schools)):
        level = rng.choice(LEVELS)
        cast.append((f"{province[:2]}9{i:07d}", f"{place.name}第{i + 1}{SCHOOL_NAMES[level]}", place.code, level))
    _PLAN = _Plan(folder, period, seed, rows_per_school, cast, by_city, mess, broken)
    try:
        if workers > 1 and n_schools > 1:
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                month.files += pool.map(_write_school, range(n_schools), chunksize=max(1, n_schools // (workers * 8)))
        else:
            month.files += [_write_school(i) for i in range(n_schools)]
    finally:
        _PLAN = None
    month.seconds = time.perf_counter() - started
    return month
