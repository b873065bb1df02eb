"""What one release is made of, read once from the published marts copy.

Everything here is a function of the warehouse contents for the period (and the periods before it,
for the bulletin's trends): no clock, no version, so a rebuild from the archive gives the same content.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from chanjiao import marts
from chanjiao.indicators import indicator_values
from chanjiao.settings import Settings

LOADS_SQL = """
select distinct l.load_id, l.sha256, l.file_name, l.kind, l.submitter, l.period, l.received_at, l.validation
from marts.fct_indicator_contribution c
join marts.fct_load l using (load_id)
where c.period = ?
order by l.sha256
"""

DEFINITIONS_SQL = """
select indicator_code, name_zh, numerator_definition, denominator_definition, unit, definition_source,
       numerator_definition_zh, denominator_definition_zh
from marts.dim_indicator order by indicator_code
"""

# The trend behind each target: its variant's value in every period up to this one, as the warehouse
# has it now (later corrections of earlier months included), which is what a reader of a trend wants.
HISTORY_SQL = """
select t.jurisdiction_code, t.indicator_code, t.kind, t.variant_code, t.comparator, t.lower, t.upper, t.by_year, t.period,
       t.variant_value, t.status, coalesce(v.withheld, false) as withheld
from marts.fct_target_progress t
left join marts.fct_indicator_value v
  on v.indicator_code = t.indicator_code and v.variant_code = t.variant_code and v.region_code = t.jurisdiction_code and v.period = t.period
where t.period <= ?
order by t.jurisdiction_code, t.indicator_code, t.by_year, t.period
"""

# Every indicator's own (default-variant) value in the months up to this one, for the bulletin's tables.
TREND_SQL = """
select indicator_code, region_code, period, value, unit, withheld
from marts.fct_indicator_value
where variant_code = 'default' and period <= ?
order by indicator_code, region_code, period
"""

# Every region's value under every variant this period: the bulletin sets counties beside their city's
# target under the target's own definition.
VARIANTS_SQL = """
select indicator_code, variant_code, region_code, value, unit, withheld
from marts.fct_indicator_value
where period = ?
"""

SOURCES_SQL = """
select distinct jurisdiction_code, jurisdiction_name, source_document, clause, source_quality
from marts.fct_target_progress
order by jurisdiction_code, source_document, clause
"""


@dataclass(frozen=True)
class Content:
    period: str
    values: list[dict]       # indicators --json shape (chanjiao.indicators), default variant
    loads: list[dict]
    definitions: list[dict]
    history: list[dict]
    sources: list[dict]
    trend: dict[tuple[str, str], list[tuple[str, float | None]]] = field(default_factory=dict)  # (indicator, region) → [(period, value)]
    variants: dict[tuple[str, str, str], float | None] = field(default_factory=dict)  # (indicator, variant, region) → value; None if withheld


def read_content(settings: Settings, period: str) -> Content:
    values = indicator_values(settings, period)
    if not values:
        raise marts.NotBuilt(f"no indicator values for {period}: nothing accepted for that period has been built")
    with marts.connect(settings) as con:
        loads = marts.records(con, LOADS_SQL, [period])
        definitions = marts.records(con, DEFINITIONS_SQL)
        history = marts.records(con, HISTORY_SQL, [period])
        sources = marts.records(con, SOURCES_SQL)
        variants = {(r["indicator_code"], r["variant_code"], r["region_code"]):
                    None if r["withheld"] else marts.round_half_away(r["value"]) if r["unit"] == "%" else r["value"]
                    for r in marts.records(con, VARIANTS_SQL, [period])}
        trend: dict[tuple[str, str], list[tuple[str, float | None]]] = {}
        for t in marts.records(con, TREND_SQL, [period]):
            # a withheld month is a gap in a trend: its value would be the small cell itself
            value = None if t["withheld"] else marts.round_half_away(t["value"]) if t["unit"] == "%" else t["value"]
            trend.setdefault((t["indicator_code"], t["region_code"]), []).append((t["period"], value))
    # the policy documents of the regions this release holds values for, not of every jurisdiction seeded
    regions = {v["region"] for v in values}
    sources = [s for s in sources if s["jurisdiction_code"] in regions]
    for h in history:
        h["variant_value"] = None if h["withheld"] else marts.round_half_away(h["variant_value"])
    return Content(period=period, values=values, loads=loads, definitions=definitions, history=history, sources=sources, trend=trend,
                   variants=variants)
