"""Indicator values with their targets, shaped as interface.md promises (`indicators --json`)."""
from __future__ import annotations

from chanjiao import marts
from chanjiao.settings import Settings

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


def indicator_values(settings: Settings, period: str, region: str | None = None, indicator: str | None = None) -> list[dict]:
    with marts.connect(settings) as con:
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


def format_table(rows: list[dict]) -> str:
    """The headline table a person reads: one line per indicator and region, with the region's targets."""
    lines = [f"{'指标':<24}{'地区':<14}{'值':>9}  {'分子/分母':<14}{'状态':<16}目标"]
    for r in rows:
        value = "—" if r["value"] is None else f"{r['value']:.2f}{r['unit']}"
        frac = f"{r['numerator']:g}/{r['denominator']:g}"
        target = "; ".join(
            f"{t['comparator']}{t['value']:g}{'(' + str(t['by']) + ')' if t['by'] else ''} {t['status']}"
            + (f"[口径值{t['variant_value']:.2f}]" if t["variant"] != "default" and t["variant_value"] is not None else "")
            + (f" {t['deadline_state']}" if t["deadline_state"] else "")
            for t in r["targets"]
        )
        region = f"{r['region_name']}({r['region']})"
        lines.append(f"{r['indicator_name'][:14]:<24}{region:<14}{value:>9}  {frac:<14}{r['status']:<16}{target}")
    return "\n".join(lines)
