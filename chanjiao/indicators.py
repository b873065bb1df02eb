"""Indicator values with their targets, shaped as interface.md promises (`indicators --json`)."""
from __future__ import annotations

import unicodedata

from chanjiao import marts
from chanjiao.labels import TARGET_STATUS, label
from chanjiao.settings import Settings
from ingestion import regions

VALUE_SQL = """
select v.indicator_code, v.region_code, v.region_name, v.region_level, v.period, v.cohort_year,
       v.numerator, v.denominator, v.value, v.unit, v.status, v.coverage_expected, v.coverage_accepted,
       i.name_zh
from marts.fct_indicator_value v
join marts.dim_indicator i using (indicator_code)
where v.variant_code = 'default' and v.period = ?
  and (? is null or v.region_code = ?) and (? is null or v.indicator_code = ?)
order by v.indicator_code, case v.region_level when 'province' then 0 when 'city' then 1 else 2 end, v.region_code
"""

TARGET_SQL = """
select jurisdiction_code, indicator_code, kind, variant_code, comparator, lower, upper, by_year,
       variant_value, status, deadline_state, value_at_deadline, status_at_deadline, source_document, clause
from marts.fct_target_progress where period = ?
order by jurisdiction_code, indicator_code, by_year
"""


# A county beside its city's target is judged under that target's definition (its variant): 鹤壁's 双师型
# target counts 双师型 or 一体化 teachers, so the county's default share would be the wrong comparison.
COUNTY_VARIANT_SQL = """
select indicator_code, region_code, variant_code, numerator, denominator
from marts.fct_indicator_value
where period = ? and region_level = 'county' and variant_code <> 'default' and unit = '%'
"""


class UnknownCode(ValueError):
    """--region or --indicator names no region (GB/T 2260 seed) or indicator (the catalogue)."""


def indicator_values(settings: Settings, period: str, region: str | None = None, indicator: str | None = None) -> list[dict]:
    with marts.connect(settings) as con:
        if region is not None and not con.execute("select 1 from marts.dim_region where region_code = ?", [region]).fetchone():
            raise UnknownCode(f"unknown region code {region!r}: not in marts.dim_region (GB/T 2260 codes, e.g. 410600)")
        if indicator is not None and not con.execute("select 1 from marts.dim_indicator where indicator_code = ?", [indicator]).fetchone():
            known = ", ".join(c for (c,) in con.execute("select indicator_code from marts.dim_indicator order by 1").fetchall())
            raise UnknownCode(f"unknown indicator code {indicator!r}: the indicators are {known}")
        values = marts.records(con, VALUE_SQL, [period, region, region, indicator, indicator])
        targets = marts.records(con, TARGET_SQL, [period])
    by_key: dict[tuple[str, str], list[dict]] = {}
    for t in targets:
        by_key.setdefault((t["indicator_code"], t["jurisdiction_code"]), []).append({
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
            "status": v["status"], "coverage": coverage, "targets": by_key.get((v["indicator_code"], v["region_code"]), []),
        })
    return out


def county_variant_fractions(settings: Settings, period: str) -> dict[tuple[str, str, str], tuple[float, float]]:
    """(indicator, county, variant) → (numerator, denominator): what `format_table` judges counties on."""
    with marts.connect(settings) as con:
        found = marts.records(con, COUNTY_VARIANT_SQL, [period])
    return {(f["indicator_code"], f["region_code"], f["variant_code"]): (f["numerator"], f["denominator"]) for f in found}


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    gap = " " * max(0, width - _width(text))
    return gap + text if right else text + gap




def _target_text(t: dict) -> str:
    by = f" 至{t['by']}年" if t["by"] and t["by"] != "unknown" else ""
    variant = f" (口径值{t['variant_value']:.2f})" if t["variant"] != "default" and t["variant_value"] is not None else ""
    text = f"{t['comparator']}{t['value']:g}{by}: {label(TARGET_STATUS, t['status'])}{variant}"
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
                                  else variants.get((r["indicator"], r["region"], t["variant"]), (None, None)))
        if not denominator:
            continue
        share = 100 * numerator / denominator
        under = "" if t["variant"] == "default" else f"，按其口径{share:.2f}%"
        out.append(f"(对照市目标{t['comparator']}{t['value']:g}{under}: {'达到' if _meets(share, t) else '未达到'})")
    return "; ".join(out)


def format_table(rows: list[dict], variants: dict | None = None) -> str:
    """The headline table a person reads. Counties are set beside their city's share targets as a report
    only: a city's target is not a county's, so counties get no status against it. `variants` holds the
    counties' shares under the targets' definitions (`county_variant_fractions`); a count is never set
    beside a city's count."""
    city_targets = {(r["indicator"], r["region"]): r["targets"] for r in rows if r["region_level"] == "city"}
    lines = [_pad("指标", 30) + _pad("地区", 26) + _pad("值", 10, True) + "  " + _pad("分子/分母", 14) + _pad("状态", 16) + "目标"]
    for r in rows:
        value = "—" if r["value"] is None else f"{r['value']:.2f}{r['unit']}"
        # counts and sums have no denominator: the value is the numerator
        fraction = _number(r["numerator"]) if r["denominator"] is None else f"{_number(r['numerator'])}/{_number(r['denominator'])}"
        if r["targets"]:
            target = "; ".join(_target_text(t) for t in r["targets"])
        elif r["region_level"] == "county" and r["unit"] == "%":
            parent = city_targets.get((r["indicator"], regions.city_of(r["region"])), [])
            target = _beside_city(r, [t for t in parent if t["kind"] == "target"], variants or {})
        else:
            target = ""
        lines.append(_pad(r["indicator_name"], 30) + _pad(f"{r['region_name']}({r['region']})", 26) + _pad(value, 10, True)
                     + "  " + _pad(fraction, 14) + _pad(r["status"], 16) + target)
    return "\n".join(lines)
