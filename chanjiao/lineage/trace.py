"""`chanjiao trace`: one indicator value, its definition, the models, the loads and the source rows."""
from __future__ import annotations

import json
from pathlib import Path

from chanjiao import marts
from chanjiao.settings import Settings

ROWS_SQL = """
select r.role, r.unit_code, r.region_code, r.file_name, r.sha256, r.archive_path, r.source_sheet, r.source_row, r.load_id
from marts.fct_indicator_source_row r
join marts.dim_region g on g.region_code = r.region_code
where r.indicator_code = ? and r.variant_code = ? and r.period = ?
  and ? in (g.region_code, g.city_code, g.province_code)
order by r.role, r.file_name, r.source_sheet, r.source_row
"""

LOADS_SQL = """
select load_id, file_name, sha256, archive_path, kind, submitter, received_at, status, validation
from marts.fct_load where load_id in (select unnest(?::varchar[]))
order by received_at, sha256
"""


class NoSuchValue(LookupError):
    pass


def model_lineage(manifest_path: Path, mart: str = "fct_indicator_value") -> list[str]:
    """The models from `mart` back to the sources, nearest first, from dbt's manifest."""
    if not manifest_path.exists():
        return []
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    parents = manifest["parent_map"]
    start = f"model.chanjiao.{mart}"
    order, queue, seen = [], [start], {start}
    while queue:
        node = queue.pop(0)
        order.append(node)
        for parent in parents.get(node, []):
            if parent not in seen and not parent.startswith("test."):
                seen.add(parent)
                queue.append(parent)
    return [n.split(".", 2)[2] if not n.startswith("source.") else "source:" + ".".join(n.split(".")[2:]) for n in order]


def trace(settings: Settings, indicator: str, region: str, period: str, variant: str = "default") -> dict:
    with marts.connect(settings) as con:
        value = marts.records(con, "select * from marts.fct_indicator_value where indicator_code = ? and variant_code = ? and region_code = ? and period = ?",
                              [indicator, variant, region, period])
        if not value:
            raise NoSuchValue(f"no value of {indicator} for region {region} in {period}")
        definition = marts.records(con, "select * from marts.dim_indicator where indicator_code = ?", [indicator])[0]
        targets = marts.records(con, "select kind, variant_code, comparator, lower, upper, by_year, status, source_document, clause from marts.fct_target_progress where indicator_code = ? and jurisdiction_code = ? and period = ?",
                                [indicator, region, period])
        rows = marts.records(con, ROWS_SQL, [indicator, variant, period, region])
        loads = marts.records(con, LOADS_SQL, [sorted({r["load_id"] for r in rows})])
    v = value[0]
    return {
        "indicator": indicator,
        "region": region,
        "region_name": v["region_name"],
        "period": period,
        "variant": variant,
        "value": marts.round_half_away(v["value"]),
        "unrounded_value": v["value"],
        "numerator": v["numerator"],
        "denominator": v["denominator"],
        "status": v["status"],
        "definition": {
            "name": definition["name_zh"], "numerator": definition["numerator_definition"],
            "denominator": definition["denominator_definition"], "unit": definition["unit"],
            "policy_source": definition["definition_source"],
        },
        "targets": [
            {"kind": t["kind"], "variant": t["variant_code"], "comparator": t["comparator"], "value": t["lower"], "upper": t["upper"],
             "by": t["by_year"], "status": t["status"], "source": f"{t['source_document']} {t['clause']}"}
            for t in targets
        ],
        "models": model_lineage(settings.dbt_target_dir / "manifest.json"),
        "loads": [
            {"file": l["file_name"], "sha256": l["sha256"], "archive_path": l["archive_path"], "kind": l["kind"],
             "submitter": l["submitter"], "received_at": l["received_at"].isoformat(), "status": l["status"],
             "validation": json.loads(l["validation"] or "[]")}
            for l in loads
        ],
        "rows": [
            {"role": r["role"], "unit": r["unit_code"], "region": r["region_code"], "file": r["file_name"], "sha256": r["sha256"],
             "sheet": r["source_sheet"], "row": r["source_row"]}
            for r in rows
        ],
    }


def format_trace(t: dict) -> str:
    d = t["definition"]
    lines = [
        f"{t['indicator']} {d['name']} — {t['region_name']}({t['region']}) {t['period']}",
        f"  值 value: {t['value']}{d['unit']}  = {t['numerator']:g} / {t['denominator']:g}  [{t['status']}]",
        f"  分子 numerator: {d['numerator']}",
        f"  分母 denominator: {d['denominator']}",
        f"  政策依据 policy: {d['policy_source'] or '—'}",
    ]
    for target in t["targets"]:
        lines.append(f"  目标 target: {target['comparator']} {target['value']:g} by {target['by'] or '—'} ({target['variant']}) → {target['status']}  [{target['source']}]")
    lines.append("  模型 models: " + " ← ".join(t["models"]))
    lines.append("  入库文件 loads:")
    for l in t["loads"]:
        failed = sum(not c["success"] for c in l["validation"])
        lines.append(f"    {l['file']}  sha256={l['sha256'][:16]}…  {l['kind']} from {l['submitter']}  received {l['received_at']}  "
                     f"checks: {len(l['validation']) - failed}/{len(l['validation'])} passed")
    counts: dict[str, int] = {}
    for r in t["rows"]:
        counts[r["role"]] = counts.get(r["role"], 0) + 1
    lines.append("  来源行 rows: " + ", ".join(f"{k} {n}" for k, n in sorted(counts.items())))
    for r in t["rows"]:
        lines.append(f"    {r['role']:<12}{r['file']} [{r['sheet']}] 第{r['row']}行  ({r['unit']})")
    return "\n".join(lines)
