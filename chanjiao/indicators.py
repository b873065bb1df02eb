"""Indicator values with their targets, shaped as interface.md promises (`indicators --json`)."""
from __future__ import annotations

import unicodedata

from chanjiao import marts
from chanjiao.labels import TARGET_STATUS, VALUE_STATUS, label
from chanjiao.settings import Settings
from ingestion import regions

VALUE_SQL = """
select v.indicator_code, v.region_code, v.region_name, v.region_level, v.period, v.cohort_year,
       v.numerator, v.denominator, v.value, v.unit, v.status, v.coverage_expected, v.coverage_accepted,
       v.units, v.small_cell, v.withheld, v.withheld_reason, v.provisional, i.name_zh
from marts.fct_indicator_value v
join marts.dim_indicator i using (indicator_code)
where v.variant_code = 'default' and v.period between ? and ?
  and (? is null or v.region_code = ?) and (? is null or v.indicator_code = ?)
order by v.indicator_code, case v.region_level when 'province' then 0 when 'city' then 1 else 2 end, v.region_code, v.period
"""

TARGET_SQL = """
select t.jurisdiction_code, t.indicator_code, t.period, t.kind, t.variant_code, t.comparator, t.lower, t.upper, t.by_year,
       t.variant_value, t.status, t.deadline_state, t.value_at_deadline, t.status_at_deadline, t.source_document, t.clause,
       t.jurisdiction_name, r.region_level, i.name_zh, i.unit
from marts.fct_target_progress t
join marts.dim_indicator i using (indicator_code)
join marts.dim_region r on r.region_code = t.jurisdiction_code
where t.period between ? and ?
order by jurisdiction_code, indicator_code, by_year
"""


# A county beside its city's target is judged under that target's definition (its variant): 鹤壁's 双师型
# target counts 双师型 or 一体化 teachers, so the county's default share would be the wrong comparison.
COUNTY_VARIANT_SQL = """
select indicator_code, region_code, variant_code, period, numerator, denominator
from marts.fct_indicator_value
where period between ? and ? and region_level = 'county' and variant_code <> 'default' and unit = '%'
"""


class UnknownCode(ValueError):
    """--region or --indicator names no region (GB/T 2260 seed) or indicator (the catalogue)."""


def indicator_values(settings: Settings, period: str, region: str | None = None, indicator: str | None = None,
                     until: str | None = None, children: bool = False) -> list[dict]:
    """The values of `period` (through `until`, both inclusive, for a time series); `children`: those of
    `region` and of the regions directly below it (a city's counties, a province's cities)."""
    until = until or period
    with marts.connect(settings) as con:
        if region is not None and not con.execute("select 1 from marts.dim_region where region_code = ?", [region]).fetchone():
            raise UnknownCode(f"unknown region code {region!r}: not in marts.dim_region (GB/T 2260 codes, e.g. 410600)")
        if indicator is not None and not con.execute("select 1 from marts.dim_indicator where indicator_code = ?", [indicator]).fetchone():
            known = ", ".join(c for (c,) in con.execute("select indicator_code from marts.dim_indicator order by 1").fetchall())
            raise UnknownCode(f"unknown indicator code {indicator!r}: the indicators are {known}")
        only = None if children else region
        values = marts.records(con, VALUE_SQL, [period, until, only, only, indicator, indicator])
        targets = marts.records(con, TARGET_SQL, [period, until])
    if children:
        values = [v for v in values if region in (v["region_code"], regions.parent(v["region_code"]))]
    by_key: dict[tuple[str, str, str], list[dict]] = {}
    for t in targets:
        by_key.setdefault((t["indicator_code"], t["jurisdiction_code"], t["period"]), []).append({
            "kind": t["kind"], "variant": t["variant_code"], "comparator": t["comparator"], "value": t["lower"],
            "upper": t["upper"], "by": t["by_year"], "variant_value": marts.round_half_away(t["variant_value"]),
            "status": t["status"], "deadline_state": t["deadline_state"],
            "value_at_deadline": marts.round_half_away(t["value_at_deadline"]), "status_at_deadline": t["status_at_deadline"],
            "source": f"{t['source_document']} {t['clause']}",
        })
    out = []
    for v in values:
        coverage = None if v["coverage_expected"] is None else {"expected": v["coverage_expected"], "accepted": v["coverage_accepted"]}
        out.append({
            "indicator": v["indicator_code"], "indicator_name": v["name_zh"], "region": v["region_code"],
            "region_name": v["region_name"], "region_level": v["region_level"], "period": v["period"],
            "cohort_year": v["cohort_year"], "numerator": v["numerator"], "denominator": v["denominator"],
            "value": marts.round_half_away(v["value"]) if v["unit"] == "%" else v["value"], "unit": v["unit"],
            "status": v["status"], "coverage": coverage, "targets": by_key.get((v["indicator_code"], v["region_code"], v["period"]), []),
            # interface.md, small cells: shown with the flag here; public releases withhold `withheld` ones
            "units": v["units"], "small_cell": v["small_cell"], "withheld": v["withheld"],
            "withheld_reason": v["withheld_reason"], "provisional": v["provisional"],
        })
    level = {"province": 0, "city": 1}
    return sorted(out + _without_data(out, targets, by_key, region, indicator, children),
                  key=lambda v: (v["indicator"], level.get(v["region_level"], 2), v["region"], v["period"]))


def _without_data(values: list[dict], targets: list[dict], by_key: dict, region: str | None, indicator: str | None,
                  children: bool) -> list[dict]:
    """A row with status no_data for each target of a region that has values this period but none for the
    target's indicator (no submission carries it yet): every target is shown, with the reason, and only
    those of regions the output is about (a 鹤壁 release does not list 沧州's targets)."""
    shown = {(v["region"], v["period"]) for v in values}
    have = {(v["indicator"], v["region"], v["period"]) for v in values}
    out, seen = [], set()
    for t in targets:
        key = (t["indicator_code"], t["jurisdiction_code"], t["period"])
        if key in have or key in seen or (t["jurisdiction_code"], t["period"]) not in shown:
            continue
        if indicator is not None and t["indicator_code"] != indicator:
            continue
        if region is not None and not children and t["jurisdiction_code"] != region:
            continue
        seen.add(key)
        out.append({
            "indicator": t["indicator_code"], "indicator_name": t["name_zh"], "region": t["jurisdiction_code"],
            "region_name": t["jurisdiction_name"], "region_level": t["region_level"], "period": t["period"],
            "cohort_year": None, "numerator": None, "denominator": None, "value": None, "unit": t["unit"],
            "status": "no_data", "coverage": None, "targets": by_key[key],
            "units": 0, "small_cell": False, "withheld": False, "withheld_reason": None, "provisional": False,
        })
    return out


def county_variant_fractions(settings: Settings, period: str, until: str | None = None) -> dict[tuple[str, str, str, str], tuple[float, float]]:
    """(indicator, county, variant, period) → (numerator, denominator): what `format_table` judges counties on."""
    with marts.connect(settings) as con:
        found = marts.records(con, COUNTY_VARIANT_SQL, [period, until or period])
    return {(f["indicator_code"], f["region_code"], f["variant_code"], f["period"]): (f["numerator"], f["denominator"]) for f in found}


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    gap = " " * max(0, width - _width(text))
    return gap + text if right else text + gap




def _bound(t: dict) -> str:
    """A target's comparison in words a person reads: ">=70", or "介于1.5–2.5" for `between`."""
    if t["comparator"] == "between":
        return f"介于{t['value']:g}–{_number(t['upper'])}"
    return f"{t['comparator']}{t['value']:g}"


def _target_text(t: dict) -> str:
    by = f" 至{t['by']}年" if t["by"] and t["by"] != "unknown" else ""
    variant = f" (口径值{t['variant_value']:.2f})" if t["variant"] != "default" and t["variant_value"] is not None else ""
    text = f"{_bound(t)}{by}: {label(TARGET_STATUS, t['status'])}{variant}"
    if t["deadline_state"] == "past_due":
        text += f"; 已过期限, {t['by']}年12月: {label(TARGET_STATUS, t['status_at_deadline'])}"
    return text


def _meets(value: float, t: dict) -> bool:
    if t["comparator"] == ">":
        return value > t["value"]
    if t["comparator"] == "between":
        return t["value"] <= value <= t["upper"]
    return value >= t["value"]


def _number(x: float | None) -> str:
    return "—" if x is None else f"{x:g}"


def _beside_city(r: dict, targets: list[dict], variants: dict) -> str:
    """A county's share set beside its city's targets, each judged (on the unrounded value, as targets
    are) under the target's own definition; nothing where the share cannot be computed under it."""
    out = []
    for t in targets:
        numerator, denominator = ((r["numerator"], r["denominator"]) if t["variant"] == "default"
                                  else variants.get((r["indicator"], r["region"], t["variant"], r["period"]), (None, None)))
        if not denominator:
            continue
        share = 100 * numerator / denominator
        under = "" if t["variant"] == "default" else f"，按其口径{share:.2f}%"
        out.append(f"(对照市目标{_bound(t)}{under}: {'达到' if _meets(share, t) else '未达到'})")
    return "; ".join(out)


def _state(r: dict) -> str:
    """The value's status in Chinese, with the marks interface.md asks every output to show."""
    marks = [label(VALUE_STATUS, r["status"])]
    if r.get("provisional"):
        marks.append("初步")
    if r.get("small_cell"):
        marks.append("小单元格")
    elif r.get("withheld"):
        marks.append("发布时隐去")
    return "·".join(marks)


def _coverage(r: dict) -> str:
    return f"{r['coverage']['accepted']}/{r['coverage']['expected']}" if r.get("coverage") else "—"


def format_table(rows: list[dict], variants: dict | None = None) -> str:
    """The headline table a person reads. Counties are set beside their city's share targets as a report
    only: a city's target is not a county's, so counties get no status against it. `variants` holds the
    counties' shares under the targets' definitions (`county_variant_fractions`); a count is never set
    beside a city's count. Rows of several periods (a time series) get a period column."""
    city_targets = {(r["indicator"], r["region"], r["period"]): r["targets"] for r in rows if r["region_level"] == "city"}
    series = len({r["period"] for r in rows}) > 1
    lines = [_pad("指标", 30) + _pad("地区", 26) + (_pad("统计期", 9) if series else "") + _pad("值", 10, True) + "  "
             + _pad("分子/分母", 14) + _pad("状态", 22) + _pad("已受理/应报", 12) + "目标"]
    for r in rows:
        value = "—" if r["value"] is None else f"{r['value']:.2f}{r['unit']}"
        # counts and sums have no denominator: the value is the numerator
        fraction = _number(r["numerator"]) if r["denominator"] is None else f"{_number(r['numerator'])}/{_number(r['denominator'])}"
        if r["targets"]:
            target = "; ".join(_target_text(t) for t in r["targets"])
        elif r["region_level"] == "county" and r["unit"] == "%":
            parent = city_targets.get((r["indicator"], regions.city_of(r["region"]), r["period"]), [])
            target = _beside_city(r, [t for t in parent if t["kind"] == "target"], variants or {})
        else:
            target = ""
        lines.append(_pad(r["indicator_name"], 30) + _pad(f"{r['region_name']}({r['region']})", 26)
                     + (_pad(r["period"], 9) if series else "") + _pad(value, 10, True)
                     + "  " + _pad(fraction, 14) + _pad(_state(r), 22) + _pad(_coverage(r), 12) + target)
    return "\n".join(lines)
