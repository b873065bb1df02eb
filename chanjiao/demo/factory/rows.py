"""Rows of submissions, as dicts of field name → value the way a submitter types them (codes as text,
flags as bool, dates as dt.date). Three families:

- hand-made rows whose every number a test states (`roster`, `school`, `cooperation`, `register_of`);
- seeded random rows of a city's schools and firms (`School`, `workbook`, `register_rows`, and the
  sheets and kinds the demo fills too: `apprentices`, `graduates`, `enterprise_return`): the demo's
  鹤壁市 and the Airflow tests' months;
- the bulk rows of a whole province (`bulk.py`).
"""
from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable
from dataclasses import dataclass

from chanjiao.demo.factory.codes import id_number, period_end, person, random_uscc

INDUSTRIES = ["C13", "C14", "C26", "C30", "C33", "C34", "C36", "C38", "C39", "D44", "E48", "G54", "I65"]
FIRM_WORDS = ["华", "鑫", "宏", "兴", "泰", "丰"]
COOPERATION_TYPES = ["订单培养", "现代学徒制", "共建实训基地", "产业学院", "技术研发", "教师实践基地"]
MAJORS = ["数控技术", "汽车运用与维修", "机电一体化技术", "应用化工技术", "电子商务", "护理", "计算机应用", "物流管理"]
# where a level's graduates go (去向类型 → weight): 中职 mostly on to further study, 技工院校 mostly to work
DESTINATIONS = {
    "中职": {"就业": 36, "升学": 48, "入伍": 3, "自主创业": 2, "未就业": 11},
    "技工院校": {"就业": 74, "升学": 10, "入伍": 4, "自主创业": 3, "未就业": 9},
    "高职专科": {"就业": 66, "升学": 16, "入伍": 4, "自主创业": 3, "未就业": 11},
    "职业本科": {"就业": 66, "升学": 20, "入伍": 3, "自主创业": 2, "未就业": 9},
}
ELSEWHERE = ["410102", "410105", "410502", "410702", "410811", "110105", "320506", "440305"]  # 郑州, 安阳, 新乡, 焦作, 北京, 苏州, 深圳


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


def _cohort(period: str) -> int:
    """indicators.md: the cohort of P is year(P) from September, else the year before."""
    year, month = int(period[:4]), int(period[5:7])
    return year if month >= 9 else year - 1


def apprentices(rng: random.Random, school: School, firms: list[dict], period: str, share: float) -> list[dict]:
    """The 学徒制学生 sheet as of `period`'s end: about `share` of the school's students are apprentices 在读
    (agreements signed September 2024 … September 2026: September's intake appears from that month on),
    and a tail of earlier ones who finished (结业) or left (退出). The same people every month for the
    same `rng` seed; partners are firms of `firms` (a register's rows)."""
    end = period_end(period)
    rows = []
    active = round(school.students * share)
    for i in range(active + active // 10):
        finished = i >= active
        signed = (dt.date(2022, 9, 1) + dt.timedelta(days=rng.randint(0, 640)) if finished
                  else dt.date(2024, 9, 1) + dt.timedelta(days=rng.randint(0, 760)))
        partner = rng.choice(firms)
        kind = "现代学徒制" if rng.random() < 0.8 else "企业新型学徒制"
        status = ("结业" if rng.random() < 0.7 else "退出") if finished else "在读"
        row = {"student_id": f"X{school.code[-3:]}{i:05d}", "student_name": person(rng),
               "id_number": id_number(school.region, i, f"{rng.randint(2003, 2009)}0{rng.randint(1, 9)}{rng.randint(10, 28)}")
               if rng.random() < 0.5 else None,
               "major": rng.choice(MAJORS), "apprenticeship_type": kind, "enterprise_uscc": partner["uscc"],
               "agreement_date": signed, "status": status}
        if signed <= end:
            rows.append(row)
    return rows


def graduates(rng: random.Random, school: School, firms: list[dict], period: str, cohort: int, local: float) -> list[dict]:
    """The 毕业生去向 sheet as of `period`'s end: `cohort` graduates a year of the cohorts still followed
    (the current one and the one before), each with their survey of 31 August and, for some who had no
    job then, a later one (15 October) when they found one; records dated after the period's end are not
    there yet. `local`: the share of those working at a firm whose firm lies in the school's county (the
    others: elsewhere in the city, or outside it). Each cohort is drawn from its own generator (seeded
    from `rng`), so a graduate is the same person in every month that lists them."""
    end, current = period_end(period), _cohort(period)
    salt = rng.getrandbits(64)
    weights = DESTINATIONS[school.level]
    by_region: dict[str, list[dict]] = {}
    for f in firms:
        by_region.setdefault(f["region_code"], []).append(f)
    elsewhere_in_city = sorted({r for r in by_region if r[:4] == school.region[:4]} - {school.region})
    rows = []
    for year in (current - 1, current):
        draw = random.Random(f"{salt}-{year}")
        for i in range(cohort):
            destination = draw.choices(list(weights), list(weights.values()))[0]
            student = {"student_id": f"G{year}{school.code[-3:]}{i:04d}", "student_name": person(draw),
                       "id_number": id_number(school.region, i, f"{year - 19}0{draw.randint(1, 9)}{draw.randint(10, 28)}")
                       if draw.random() < 0.5 else None, "graduation_year": year}
            found_later = destination == "未就业" and draw.random() < 0.5
            for survey, where in ((dt.date(year, 8, 31), destination), (dt.date(year, 10, 15), "就业"))[:1 + found_later]:
                if where == "就业" and draw.random() < 0.85:
                    pick = draw.random()
                    region = (school.region if pick < local else draw.choice(elsewhere_in_city) if pick < local + 0.2
                              else draw.choice(ELSEWHERE))
                    there = by_region.get(region)
                    job = {"employer_uscc": draw.choice(there)["uscc"] if there else random_uscc(draw, region),
                           "employer_region_code": region, "employer_type": "企业"}
                elif where in ("就业", "自主创业"):
                    job = {"employer_uscc": None, "employer_region_code": school.region,
                           "employer_type": "其他" if where == "自主创业" else draw.choice(["机关事业单位", "其他"])}
                else:
                    job = {"employer_uscc": None, "employer_region_code": None, "employer_type": None}
                if survey <= end:
                    rows.append({**student, "destination_type": where, **job, "survey_date": survey})
    return rows


SIZES = ((1000, "大型"), (300, "中型"), (20, "小型"), (0, "微型"))


def enterprise_return(rng: random.Random, firm: dict, period: str, employees: int | None = None) -> dict:
    """A firm's 企业参与职业教育情况表 row for `period`: the same firm every month for the same `rng` seed
    (stocks at period end; wages, training funds and hires accumulated from January, so they grow month
    by month). Training-fund rates are drawn around the 1.5–2.5% band, internship posts around 2% of staff."""
    staff = employees or int(rng.lognormvariate(6.2, 0.7)) + 60
    month = int(period[5:7])
    wage = round(staff * rng.uniform(5.5, 9.5) * month / 12, 2)  # 万元, year to date
    extracted = round(wage * rng.uniform(0.012, 0.028), 2)
    plan = max(1, int(staff * rng.uniform(0.04, 0.1)))
    return {"uscc": firm["uscc"], "enterprise_name": firm["enterprise_name"], "region_code": firm["region_code"], "period": period,
            "employees": staff, "wage_bill": wage, "training_fund_extracted": extracted,
            "training_fund_frontline": round(extracted * rng.uniform(0.45, 0.8), 2),
            "internship_posts": int(staff * rng.uniform(0.008, 0.04)), "apprentices": int(staff * rng.uniform(0, 0.03)),
            "in_vocational_group": rng.random() < 0.4, "enterprise_size": next(size for floor, size in SIZES if staff > floor),
            "hiring_plan": plan, "secondary_vocational_hires": round(plan * rng.uniform(0.08, 0.35) * month / 12)}


def row_count(data: dict) -> int:
    return sum(len(rows) for rows in data.values())
