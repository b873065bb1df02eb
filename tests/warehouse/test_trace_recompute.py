"""Every published value recomputed from the source rows it lists, read from the archived originals.

The generated month of test_full_month (six jurisdictions, every submission kind and edge case) goes
through `chanjiao ingest` and `chanjiao build`. Then, for each indicator value, the rows listed for it
(by `chanjiao trace --json`, and for every value and variant by marts.fct_indicator_source_row) are
looked up in the archived original files — opened here with python-calamine at the listed sheet and row,
never through the warehouse — and each row's contribution is derived from its cells by indicators.md
as written (the RULES table below). Numerators and denominators summed from the files must give the
published value exactly after rounding (half away from zero, 2 decimals), and every row must carry
the amount its cells justify. Rows that only explain why a unit counts (role `evidence`) are checked
to do so: the cooperation active at period end or the 参与职教集团=是 return behind a participant, the
register row behind an above-scale enterprise, the 学校信息 or frame row showing a carrier's lead school
is a higher-education one.

`chanjiao trace` has no --variant option yet, so the traces cover each indicator's default variant (at
a county and a city); every variant at every level is recomputed from the mart the trace reads.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path

import duckdb
import pytest
from python_calamine import CalamineWorkbook

from tests.conftest import run_cli
from tests.warehouse.test_full_month import PERIOD, PERIOD_END

pytestmark = pytest.mark.dbt

COHORT = 2026  # indicators.md "Cohort": P = 2026-10 → Y = 2026
LEVEL_RANK = {"国家": 4, "国家级": 4, "省": 3, "省级": 3, "市(州)": 2, "市级": 2, "州级": 2, "县": 1, "县级": 1}
SECONDARY, HIGHER = ("中职", "技工院校"), ("高职专科", "职业本科")
CARRIER_TYPE = {"industry_college_count": "产业学院", "training_base_count": "实训基地", "vocational_group_count": "职教集团",
                "master_studio_count": "技能大师工作室", "experience_center_count": "职业体验中心"}


# --------------------------------------------------------------------------------------------------
# The archived originals, read as a person would: sheet by name, row by the number on screen
# --------------------------------------------------------------------------------------------------

class Archive:
    def __init__(self, home: Path):
        self.home = home
        self.sheets: dict[tuple[str, str], list[list]] = {}
        self.tables: dict[tuple[str, str], list[tuple[int, dict]]] = {}
        self.digests: dict[str, str] = {}

    def sha256(self, archive_path: str) -> str:
        if archive_path not in self.digests:
            self.digests[archive_path] = hashlib.sha256((self.home / archive_path).read_bytes()).hexdigest()
        return self.digests[archive_path]

    def rows(self, archive_path: str, sheet: str) -> list[list]:
        key = (archive_path, sheet)
        if key not in self.sheets:
            book = CalamineWorkbook.from_path(str(self.home / archive_path))
            self.sheets[key] = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        return self.sheets[key]

    def header(self, archive_path: str, sheet: str) -> list[str]:
        return [str(h).strip() for h in self.rows(archive_path, sheet)[0]]  # the templates' header is row 1

    def cells(self, archive_path: str, sheet: str, row: int) -> dict:
        """The cells of spreadsheet row `row` (1-based, as on screen), by header."""
        values = self.rows(archive_path, sheet)[row - 1]
        return {h: clean(v) for h, v in zip(self.header(archive_path, sheet), values)}

    def all_cells(self, archive_path: str, sheet: str) -> list[tuple[int, dict]]:
        key = (archive_path, sheet)
        if key not in self.tables:
            self.tables[key] = [(n, self.cells(archive_path, sheet, n)) for n in range(2, len(self.rows(archive_path, sheet)) + 1)]
        return self.tables[key]

    def school_info(self, archive_path: str) -> dict:
        return self.cells(archive_path, "学校信息", 2)  # one row per workbook


class NotInRole(AssertionError):
    """The cells do not put this row in the role it is listed in."""


def clean(value):
    if value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def number(value) -> Fraction:
    """The value as typed (a cell of 16.08 is 1608/100, not the nearest double)."""
    if not isinstance(value, (int, float)):
        raise NotInRole(f"{value!r} is not a number")
    return Fraction(str(value))


def inside(code: str | None, region: str) -> bool:
    """county xxyyzz → city xxyy00 → province xx0000 (indicators.md "Rollup")."""
    return code is not None and region in {code, code[:4] + "00", code[:2] + "0000"}


def active(start: dt.date | None, end: dt.date | None, *, end_inclusive: bool = True) -> bool:
    if start is None or start > PERIOD_END:
        return False
    return end is None or (end >= PERIOD_END if end_inclusive else end > PERIOD_END)


# --------------------------------------------------------------------------------------------------
# indicators.md, row by row: what a row adds to the numerator / the denominator of a value
# --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Variant:
    population: str = "all"
    scope: str | None = None
    rule_days: int | None = None
    rule_months: int | None = None
    band: tuple[Fraction | None, Fraction | None] | None = None

    @classmethod
    def parse(cls, indicator: str, code: str) -> Variant:
        """The warehouse's variant code (`population=…;scope=…;rule=60d/24m;band=1.5..2.5`), or the defaults of indicators.md."""
        if code == "default":
            if indicator == "teacher_practice_compliance":
                return cls("fulltime_professional_teachers", rule_days=30, rule_months=12)
            if indicator == "training_fund_extraction_compliance":
                return cls(band=(Fraction(3, 2), Fraction(5, 2)))
            return cls()
        parts = dict(p.split("=", 1) for p in code.split(";"))
        rule = parts.get("rule")
        band = parts.get("band")
        lower, _, upper = band.partition("..") if band else ("", "", "")
        return cls(parts.get("population", "all"), parts.get("scope"),
                   int(rule.split("d/")[0]) if rule else None, int(rule.split("d/")[1].rstrip("m")) if rule else None,
                   (Fraction(lower) if lower else None, Fraction(upper) if upper else None) if band else None)


@dataclass
class Row:
    """One listed source row with the context a rule needs."""
    cells: dict
    archive: Archive
    archive_path: str
    sheet: str
    row: int
    variant: Variant
    region: str           # the region of the value being recomputed

    @property
    def school(self) -> dict:
        return self.archive.school_info(self.archive_path)

    @property
    def local(self) -> str:
        return self.variant.scope or self.region


def need(condition: bool, why: str) -> None:
    if not condition:
        raise NotInRole(why)


def counted(check, r: Row) -> Fraction:
    """1 for a row that passes `check` (which raises NotInRole otherwise)."""
    check(r)
    return Fraction(1)


def one(condition: bool, why: str) -> Fraction:
    need(condition, why)
    return Fraction(1)


def school_population(r: Row) -> None:
    level = r.school["办学层次"]
    need(inside(r.school["所在地区划代码"], r.region), "school outside the region")
    need(r.variant.population != "secondary_schools" or level in SECONDARY, "not a secondary school")
    need(r.variant.population != "higher_schools" or level in HIGHER, "not a higher-education school")


def teacher(r: Row) -> dict:
    school_population(r)
    need(r.sheet == "教师名册", "not a teacher row")
    return r.cells


def fulltime_professional(c: dict) -> bool:
    return c["用工类型"] == "专任" and c["是否专业课教师"] == "是"


def practice_population(r: Row) -> dict:
    c = teacher(r)
    need(r.variant.population == "all_teachers" or fulltime_professional(c), "not in the rule's population")
    return c


def practice_met(r: Row) -> Fraction:
    c = practice_population(r)
    days = c["近12个月企业实践天数" if r.variant.rule_months == 12 else "近24个月企业实践天数"]
    return one(days is not None and days >= r.variant.rule_days, "practice days below the rule")


def school_figure(header: str):
    def rule(r: Row) -> Fraction:
        school_population(r)
        need(r.sheet == "学校信息", "not the 学校信息 row")
        return number(r.cells[header])
    return rule


def hours_compliant(r: Row) -> Fraction:
    school_population(r)
    total, practical = number(r.cells["总课时"]), number(r.cells["实践性教学课时"])
    return one(total > 0 and practical >= total / 2, "practical share below 50%")


def school_unit(r: Row) -> Fraction:
    school_population(r)
    return one(r.sheet == "学校信息", "not the 学校信息 row")


def enrolled_apprentice(r: Row) -> Fraction:
    school_population(r)
    c = r.cells
    return one(r.sheet == "学徒制学生" and c["状态"] == "在读" and c["学徒制类型"] in ("现代学徒制", "企业新型学徒制"), "not an enrolled apprentice")


# --- graduates: the latest record up to period end decides; 回流 also looks at the earliest 就业 record ----

def records_of(r: Row) -> list[tuple[int, dict]]:
    mine = r.cells["学号"]
    return [(n, c) for n, c in r.archive.all_cells(r.archive_path, "毕业生去向") if c["学号"] == mine and c["调查日期"] <= PERIOD_END]


def latest_record(r: Row) -> dict:
    school_population(r)
    records = records_of(r)
    latest = max(records, key=lambda nc: (nc[1]["调查日期"], nc[0]))
    need(latest[0] == r.row, f"row {r.row} is not the graduate's latest record (row {latest[0]} is)")
    return r.cells


def cohort_record(r: Row) -> dict:
    c = latest_record(r)
    need(int(c["毕业年份"]) == COHORT, "not of cohort Y")
    return c


def local_in(c: dict, r: Row) -> bool:
    return inside(c["就业单位所在地区划代码"], r.local)


def earliest_employment(r: Row) -> tuple[int, dict] | None:
    jobs = [(n, c) for n, c in records_of(r) if c["去向类型"] == "就业"]
    return min(jobs, key=lambda nc: (nc[1]["调查日期"], nc[0])) if jobs else None


def started_outside(r: Row) -> bool:
    first = earliest_employment(r)
    return first is not None and not local_in(first[1], r)


def return_denominator(r: Row) -> Fraction:
    """回流's denominator row is the graduate's earliest 就业 record, outside the region."""
    school_population(r)
    first = earliest_employment(r)
    need(first is not None and first[0] == r.row, "not the graduate's earliest 就业 record")
    return one(not local_in(r.cells, r), "the first job was local")


def return_numerator(r: Row) -> Fraction:
    c = latest_record(r)
    return one(started_outside(r) and c["去向类型"] == "就业" and local_in(c, r), "not a graduate who came back")


# --- enterprises: the return row of the enterprise ---------------------------------------------------------

def enterprise_return(r: Row) -> dict:
    need(r.sheet == "企业参与职业教育情况表", "not a return row")
    need(inside(r.cells["所在地区划代码"], r.region), "enterprise outside the region")
    return r.cells


def large_or_medium(r: Row) -> dict:
    c = enterprise_return(r)
    need(c["企业规模"] in ("大型", "中型"), "not 大型/中型")
    return c


def return_figure(header: str, check=enterprise_return):
    def rule(r: Row) -> Fraction:
        return number(check(r)[header])
    return rule


def posts_compliant(r: Row) -> Fraction:
    c = enterprise_return(r)
    return one(100 * number(c["提供实习岗位数"]) >= 2 * number(c["职工总数"]), "posts below 2% of employees")


def one_return(r: Row) -> Fraction:
    enterprise_return(r)
    return Fraction(1)


def extraction_in_band(r: Row) -> Fraction:
    c = enterprise_return(r)
    wage, extracted = number(c["工资总额(万元)"]), number(c["职工教育经费提取额(万元)"])
    lower, upper = r.variant.band
    rate = 100 * extracted / wage if wage else None
    return one(rate is not None and (lower is None or rate >= lower) and (upper is None or rate <= upper), "rate outside the band")


def has_extracted(r: Row) -> Fraction:
    c = enterprise_return(r)
    return one(number(c["职工教育经费提取额(万元)"]) > 0, "no funds extracted")


def frontline_compliant(r: Row) -> Fraction:
    c = enterprise_return(r)
    extracted = number(c["职工教育经费提取额(万元)"])
    return one(extracted > 0 and number(c["一线职工教育培训支出(万元)"]) >= Fraction(60, 100) * extracted, "front-line share below 60%")


def has_plan(r: Row) -> Fraction:
    c = large_or_medium(r)
    return one(number(c["年度招用计划人数"]) > 0, "no hiring plan")


def hires_compliant(r: Row) -> Fraction:
    c = large_or_medium(r)
    plan = number(c["年度招用计划人数"])
    return one(plan > 0 and 100 * number(c["招录中职毕业生人数"]) >= 20 * plan, "hires below 20% of the plan")


def register_enterprise(r: Row) -> Fraction:
    need(r.sheet == "规模以上企业名录", "not an above-scale register row")
    return one(inside(r.cells["所在地区划代码"], r.region), "enterprise outside the region")


# --- registers ------------------------------------------------------------------------------------------------

def minimum_rank(v: Variant) -> int:
    return LEVEL_RANK[v.population.split(":", 1)[1]] if v.population.startswith("carrier_level:") else 0


def certified_valid(r: Row) -> Fraction:
    c = r.cells
    need(r.sheet == "产教融合型企业名单" and inside(c["所在地区划代码"], r.region), "not a certified enterprise of the region")
    need(LEVEL_RANK[c["认定级别"]] >= minimum_rank(r.variant), "level below the variant's")
    return one(active(c["认定日期"], c["有效期至"]), "not valid at period end")


def carrier_of(indicator: str):
    def rule(r: Row) -> Fraction:
        c, v = r.cells, r.variant
        need(r.sheet == "产教融合载体名录" and inside(c["所在地区划代码"], r.region), "not a carrier of the region")
        need(c["载体类型"] == CARRIER_TYPE[indicator], "another carrier type")
        need(LEVEL_RANK[c["级别"]] >= minimum_rank(v), "level below the variant's")
        need(v.population != "carrier_high_level" or c["是否高水平"] == "是", "not 高水平")
        # the lead school's stage is not in this row: an evidence row (its 学校信息 or frame row) shows it
        need(v.population != "carrier_led_by_higher_school" or c["牵头学校标识码"] is not None, "no lead school")
        return one(active(c["成立日期"], c["撤销日期"], end_inclusive=False), "not existing at period end")
    return rule


# --- finance ----------------------------------------------------------------------------------------------------

def finance_figure(header: str, *, own_region: bool = False):
    def rule(r: Row) -> Fraction:
        c = r.cells
        need(r.sheet == "教育经费情况表" and int(c["年度"]) <= int(PERIOD[:4]), "not a finance record in force")
        need(c["所在地区划代码"] == r.region if own_region or c["口径"] == "全辖" else inside(c["所在地区划代码"], r.region),
             "a record of another region")
        return number(c[header])
    return rule


RULES = {  # indicator → (numerator rule, denominator rule or None for counts and amounts)
    "dual_teacher_ratio": (
        lambda r: one(fulltime_professional(c := teacher(r)) and (c["是否双师型"] == "是" or (
            r.variant.population == "dual_or_integrated" and c.get("是否一体化教师") == "是")), "not 双师型"),
        lambda r: one(fulltime_professional(teacher(r)), "not a full-time professional teacher")),
    "apprenticeship_rate": (enrolled_apprentice, school_figure("在校生数")),
    "above_scale_participation_rate": (register_enterprise, register_enterprise),
    "graduate_local_employment_rate": (
        lambda r: one((c := cohort_record(r))["去向类型"] == "就业" and c["单位性质"] == "企业" and local_in(c, r), "not 就业 at a local 企业"),
        lambda r: counted(cohort_record, r)),
    "graduate_local_direct_employment_rate": (
        lambda r: one((c := cohort_record(r))["去向类型"] in ("就业", "自主创业") and local_in(c, r), "not working locally"),
        lambda r: one(cohort_record(r)["去向类型"] not in ("升学", "入伍"), "升学 or 入伍")),
    "graduate_retention_rate": (
        lambda r: one((c := cohort_record(r))["去向类型"] in ("就业", "自主创业") and local_in(c, r), "not working locally"),
        lambda r: counted(cohort_record, r)),
    "non_local_return_rate": (return_numerator, return_denominator),
    "part_time_teacher_ratio": (lambda r: one(teacher(r)["用工类型"] == "兼职", "not 兼职"), school_figure("编制员额")),
    "practical_hours_share": (school_figure("实践性教学课时"), school_figure("总课时")),
    "practical_hours_compliance": (hours_compliant, school_unit),
    "teacher_practice_compliance": (practice_met, lambda r: counted(practice_population, r)),
    "internship_post_ratio": (return_figure("提供实习岗位数"), return_figure("职工总数")),
    "internship_post_compliance": (posts_compliant, one_return),
    "training_fund_extraction_rate": (return_figure("职工教育经费提取额(万元)"), return_figure("工资总额(万元)")),
    "training_fund_extraction_compliance": (extraction_in_band, one_return),
    "training_fund_frontline_share": (return_figure("一线职工教育培训支出(万元)"), return_figure("职工教育经费提取额(万元)")),
    "training_fund_frontline_compliance": (frontline_compliant, has_extracted),
    "secondary_vocational_hire_share": (return_figure("招录中职毕业生人数", large_or_medium), return_figure("年度招用计划人数", large_or_medium)),
    "secondary_vocational_hire_compliance": (hires_compliant, has_plan),
    "local_surcharge_ve_share": (finance_figure("地方教育附加用于职业教育额(万元)"), finance_figure("地方教育附加征收额(万元)")),
    "edu_surcharge_ve_share": (finance_figure("教育费附加用于职业教育额(万元)"), finance_figure("教育费附加征收额(万元)")),
    "secondary_per_student_funding": (finance_figure("中职生均公用经费(元)", own_region=True), None),
    "higher_per_student_appropriation": (finance_figure("高职生均财政拨款(元)", own_region=True), None),
    "certified_enterprise_count": (certified_valid, None),
    **{code: (carrier_of(code), None) for code in CARRIER_TYPE},
}


def needs_evidence(indicator: str, variant: Variant, role: str) -> bool:
    """Rows whose own cells cannot show that they count: participants, above-scale returning firms,
    carriers led by a higher-education school."""
    return ((indicator == "above_scale_participation_rate" and role == "numerator") or indicator.startswith("internship_post")
            or variant.population == "carrier_led_by_higher_school")


def evidence_shows(indicator: str, unit: str, counted: Row, rows: list[Row]) -> bool:
    """Whether the evidence rows listed for `unit` prove that `counted` belongs where it is listed."""
    for r in rows:
        c = r.cells
        if counted.variant.population == "carrier_led_by_higher_school":
            lead = counted.cells["牵头学校标识码"]
            if r.sheet == "学校信息" and c["学校标识码"] == lead and c["办学层次"] in HIGHER:
                return True
            if r.sheet == "填报单位名录" and c["填报单位代码"] == lead and c["办学层次"] in HIGHER:
                return True
        elif indicator == "above_scale_participation_rate":
            if r.sheet == "校企合作" and c["合作企业统一社会信用代码"] == unit and active(c["开始日期"], c["结束日期"]):
                return True
            if r.sheet == "企业参与职业教育情况表" and c["统一社会信用代码"] == unit and c["是否参与职教集团"] == "是":
                return True
        elif r.sheet == "规模以上企业名录" and c["统一社会信用代码"] == unit:
            return True
    return False


# --------------------------------------------------------------------------------------------------
# Recomputing one value
# --------------------------------------------------------------------------------------------------

def round_half_away(x: Fraction | None) -> Decimal | None:
    if x is None:
        return None
    d = Decimal(x.numerator) / Decimal(x.denominator)
    return d.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)  # ROUND_HALF_UP on Decimal rounds half away from zero


def recompute(archive: Archive, indicator: str, variant_code: str, region: str, rows: list[dict]) -> tuple[list[str], dict]:
    """The numerator and denominator summed from one value's listed rows, and the problems found on the way.

    `rows` carry role, amount (None for evidence), unit, archive_path, sha256, sheet and row."""
    variant = Variant.parse(indicator, variant_code)
    numerator_rule, denominator_rule = RULES[indicator]
    sums = {"numerator": Fraction(0), "denominator": Fraction(0)}
    problems: list[str] = []
    evidence: dict[str, list[Row]] = defaultdict(list)
    awaiting: dict[str, Row] = {}  # unit → a counted row that needs evidence
    seen: set[tuple] = set()
    for listed in rows:
        where = f"{indicator} {variant_code} {region} {listed['role']} {listed['sheet']}!{listed['row']} of {listed['archive_path']}"
        key = (listed["role"], listed["archive_path"], listed["sheet"], listed["row"], listed["unit"])
        if key in seen:
            problems.append(f"{where}: listed twice")
            continue
        seen.add(key)
        if archive.sha256(listed["archive_path"]) != listed["sha256"]:
            problems.append(f"{where}: the archived file is not the original")
            continue
        if not 2 <= listed["row"] <= len(archive.rows(listed["archive_path"], listed["sheet"])):
            problems.append(f"{where}: no such data row in the file")
            continue
        row = Row(archive.cells(listed["archive_path"], listed["sheet"], listed["row"]), archive, listed["archive_path"],
                  listed["sheet"], listed["row"], variant, region)
        if listed["role"] == "evidence":
            evidence[listed["unit"]].append(row)
            continue
        rule = numerator_rule if listed["role"] == "numerator" else denominator_rule
        if rule is None:
            problems.append(f"{where}: {indicator} has no {listed['role']}")
            continue
        try:
            amount = rule(row)
        except (NotInRole, KeyError, TypeError) as why:  # KeyError, TypeError: not the sheet or the cells the rule reads
            problems.append(f"{where}: does not count ({why!r})")
            continue
        if listed["amount"] is None or abs(float(amount) - listed["amount"]) > 1e-9 * max(1, abs(float(amount))):
            problems.append(f"{where}: listed amount {listed['amount']}, the cells give {amount}")
        sums[listed["role"]] += amount
        if needs_evidence(indicator, variant, listed["role"]):
            awaiting[listed["unit"]] = row
    for unit_code, counted in sorted(awaiting.items()):
        if not evidence_shows(indicator, unit_code, counted, evidence[unit_code]):
            problems.append(f"{indicator} {variant_code} {region}: no listed row shows why {unit_code} counts")
    return problems, sums


def value_of(sums: dict, unit: str) -> Fraction | None:
    if unit != "%":
        return sums["numerator"]
    return 100 * sums["numerator"] / sums["denominator"] if sums["denominator"] else None


def check_value(archive: Archive, published: dict, rows: list[dict]) -> list[str]:
    """`published`: indicator, variant, region, unit, numerator, denominator, value (rounded) and status."""
    indicator, variant_code, region = published["indicator"], published["variant"], published["region"]
    problems, sums = recompute(archive, indicator, variant_code, region, rows)
    label = f"{indicator} {variant_code} {region}"
    if published["status"] == "no_data":  # no submission in force: nothing to list, nothing to add up
        return problems + [f"{label}: no_data, yet {len(rows)} rows listed"] if rows else problems
    mine = value_of(sums, published["unit"])
    if round_half_away(mine) != (None if published["value"] is None else Decimal(str(published["value"])).quantize(Decimal("0.01"))):
        problems.append(f"{label}: recomputed {None if mine is None else float(mine)} "
                        f"({sums['numerator']}/{sums['denominator']}), published {published['value']}")
    for role in ("numerator", "denominator"):
        got = published[role]
        if RULES[indicator][1] is None and role == "denominator":
            continue
        if got is None or abs(float(sums[role]) - got) > 1e-9 * max(1, abs(got)):
            problems.append(f"{label}: {role} from the files {float(sums[role])}, published {got}")
    return problems


# --------------------------------------------------------------------------------------------------
# The month, once for the module
# --------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def month(generated_month):
    """The month test_full_month reads too, built once per run (conftest.py)."""
    home = generated_month["home"]
    assert generated_month["ingest"].returncode == 0, generated_month["ingest"].stderr[-3000:]
    with duckdb.connect(str(home / "marts.duckdb"), read_only=True) as con:
        published = con.execute(
            "select indicator_code as indicator, variant_code as variant, region_code as region, region_level, unit, "
            "numerator, denominator, value, status from marts.fct_indicator_value where period = ? "
            "order by indicator_code, variant_code, region_code", [PERIOD])
        names = [d[0] for d in published.description]
        values = [dict(zip(names, r)) for r in published.fetchall()]
        rows = con.execute(
            "select indicator_code, variant_code, value_region_code, role, amount, unit_code, archive_path, sha256, source_sheet, source_row "
            "from marts.fct_indicator_source_row where period = ?", [PERIOD]).fetchall()
    listed = defaultdict(list)
    for indicator, variant, region, role, amount, unit, archive_path, sha256, sheet, row in rows:
        listed[(indicator, variant, region)].append({"role": role, "amount": amount, "unit": unit, "archive_path": archive_path,
                                                     "sha256": sha256, "sheet": sheet, "row": row})
    for v in values:
        v["value"] = None if v["value"] is None else float(round_half_away(Fraction(v["value"])))
    return {"home": home, "archive": Archive(home), "values": values, "rows": listed}


def test_the_generated_month_has_a_value_for_every_indicator_and_variant(month):
    """Guards the comparisons below: they must cover every indicator of the catalogue, not a convenient subset."""
    indicators = {v["indicator"] for v in month["values"] if v["status"] == "ok" and v["value"]}
    assert indicators == set(RULES)
    # and every kind of variant parameter the targets use: population, scope, rule, band
    variants = [Variant.parse(v["indicator"], v["variant"]) for v in month["values"] if v["variant"] != "default"]
    assert {v.population for v in variants} >= {"dual_or_integrated", "all_teachers", "secondary_schools", "higher_schools",
                                                "carrier_high_level", "carrier_led_by_higher_school"}
    assert any(v.scope for v in variants) and any(v.rule_days == 60 for v in variants)
    assert any(v.band and v.band[1] is None for v in variants) and any(v.band and v.band[1] for v in variants)


def test_every_value_is_its_source_rows_read_from_the_archived_files(month):
    """All values of every indicator, variant and region, from the rows of marts.fct_indicator_source_row."""
    problems = []
    for v in month["values"]:
        problems += check_value(month["archive"], v, month["rows"].get((v["indicator"], v["variant"], v["region"]), []))
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:60])


def test_a_locality_value_lists_its_own_rows_at_each_level(month):
    """Locality is judged again at each level (indicators.md, example 4): a county's numerator rows are
    among its city's, and somewhere a graduate working in another county of the city is local only
    for the city — so the two levels list different rows, not one set filtered by the unit's region."""
    rows, strict = month["rows"], []
    for (indicator, variant, region), listed in rows.items():
        if indicator not in ("graduate_local_employment_rate", "graduate_retention_rate") or variant != "default" or region.endswith("00"):
            continue
        files = {r["archive_path"] for r in listed}
        county = {(r["archive_path"], r["row"]) for r in listed if r["role"] == "numerator"}
        city = {(r["archive_path"], r["row"]) for r in rows[(indicator, variant, region[:4] + "00")]
                if r["role"] == "numerator" and r["archive_path"] in files}
        assert county <= city, (indicator, region)
        if county < city:
            strict.append((indicator, region))
    assert strict


def representative_values(values: list[dict]) -> list[dict]:
    """For each indicator, its default variant at a county and at a city with a computable value — the
    largest of each level, so the trace lists many rows. (Every value of every level and variant is
    recomputed from the mart above; about a second per trace keeps this to two levels.)"""
    best: dict[tuple[str, str], dict] = {}
    for v in values:
        if v["variant"] != "default" or v["status"] != "ok" or v["region_level"] == "province":
            continue
        key = (v["indicator"], v["region_level"])
        size = v["denominator"] if v["denominator"] is not None else v["numerator"]
        if key not in best or size > (best[key]["denominator"] if best[key]["denominator"] is not None else best[key]["numerator"]):
            best[key] = v
    return [best[k] for k in sorted(best)]


def test_every_indicator_recomputed_from_what_trace_lists(month):
    """`chanjiao trace --json` as an auditor runs it: the rows it lists, opened in the archived files,
    give the value it shows."""
    problems, traced = [], set()
    for v in representative_values(month["values"]):
        result = run_cli(month["home"], "trace", "--indicator", v["indicator"], "--region", v["region"], "--period", PERIOD, "--json")
        assert result.returncode == 0, result.stderr[-2000:]
        t = result.data
        assert (t["value"], t["status"]) == (v["value"], v["status"]), v  # the trace shows the published value
        rows = [{"role": r["role"], "amount": r["amount"], "unit": r["unit"], "archive_path": r["archive_path"],
                 "sha256": r["sha256"], "sheet": r["sheet"], "row": r["row"]} for r in t["rows"]]
        published = {"indicator": v["indicator"], "variant": "default", "region": v["region"], "unit": t["definition"]["unit"],
                     "numerator": t["numerator"], "denominator": t["denominator"], "value": t["value"], "status": t["status"]}
        problems += check_value(month["archive"], published, rows)
        traced.add(v["indicator"])
    assert traced == set(RULES)
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:60])
