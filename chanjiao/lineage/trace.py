"""`chanjiao trace`: one indicator value, its definition, the models, the loads and the source rows.

Everything comes from the published marts copy and dbt's manifest of the build that made it, so a
trace shows exactly what statisticians see. The source rows are passed through column for column from
marts.fct_indicator_source_row: whatever that mart carries (roles, amounts, …) reaches the auditor.
"""
from __future__ import annotations

import json
from pathlib import Path

from chanjiao import marts, retention
from chanjiao.settings import Settings
from ingestion.period import shown

# A value for a city or province is made of the rows of the units in its counties.
IN_REGION = "? in (g.region_code, g.city_code, g.province_code)"

# fct_indicator_source_row lists a row once for every region whose value it counts in (value_region_code),
# so a city's value has its own rows and its amounts summed per role are its numerator and denominator.
ROWS_SQL = """
select *
from marts.fct_indicator_source_row
where indicator_code = ? and variant_code = ? and period = ? and value_region_code = ?
order by role, file_name, source_sheet, source_row, unit_code
"""

LOADS_SQL = """
select load_id, file_name, sha256, archive_path, kind, submitter, period, received_at, status, validation, superseded_by_load_id
from marts.fct_load where load_id in (select unnest(?::varchar[]))
order by received_at, sha256
"""

# Contributions per reporting unit; measured_region_code, where set, already names every region the
# contribution counts in (graduates' destinations), otherwise the unit's own region and its ancestors do.
CONTRIBUTIONS_SQL = f"""
select c.unit_type, c.unit_code, c.region_code, c.period, c.load_id, c.file_name, c.sha256, c.received_at, c.numerator, c.denominator
from marts.fct_indicator_contribution c
join marts.dim_region g on g.region_code = c.region_code
where c.indicator_code = ? and c.variant_code = ? and c.period = ?
  and (c.measured_region_code = ? or (c.measured_region_code is null and {IN_REGION}))
"""

# The interface names of interface.md for the row's place in its file; the mart's other columns pass as they are.
ROW_NAMES = {"file_name": "file", "source_sheet": "sheet", "source_row": "row", "unit_code": "unit", "region_code": "region"}
ROW_KEYS = ("indicator_code", "variant_code", "period", "value_region_code")  # the query itself: not repeated on every row


class NoSuchValue(LookupError):
    pass


def _node_name(node: str) -> str:
    kind, _, rest = node.partition(".")
    name = rest.split(".", 1)[1]
    return f"source:{name}" if kind == "source" else name


def model_lineage(manifest_path: Path, indicator: str | None = None, mart: str = "fct_indicator_value") -> tuple[list[str], dict[str, list[str]]]:
    """The models from `mart` back to the sources, nearest first, and each one's parents, from dbt's manifest.

    With `indicator`, the per-family contribution models (`*__contributions`) that do not compute it
    are left out, so the path shown is the one this indicator's numbers actually take.
    """
    if not manifest_path.exists():
        return [], {}
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    parents, nodes = manifest["parent_map"], manifest["nodes"]

    def relevant(node: str) -> bool:
        if node.split(".", 1)[0] not in ("model", "source", "seed", "snapshot"):
            return False
        if indicator and node.startswith("model.") and node.endswith("__contributions"):
            return f"'{indicator}'" in nodes.get(node, {}).get("raw_code", f"'{indicator}'")
        return True

    start = f"model.chanjiao.{mart}"
    order, queue, seen, graph = [], [start], {start}, {}
    while queue:
        node = queue.pop(0)
        order.append(node)
        upstream = [p for p in parents.get(node, []) if relevant(p)]
        graph[_node_name(node)] = sorted(_node_name(p) for p in upstream)
        for parent in upstream:
            if parent not in seen:
                seen.add(parent)
                queue.append(parent)
    return [_node_name(n) for n in order], graph


def _shown(at) -> str:
    """Stored in UTC, shown in Asia/Shanghai (interface.md); the offset keeps the instant exact."""
    return shown(at)


def _row(record: dict) -> dict:
    return {ROW_NAMES.get(k, k): v for k, v in record.items() if k not in ROW_KEYS}


def _load(record: dict) -> dict:
    checks = json.loads(record["validation"] or "[]")
    return {
        "file": record["file_name"], "sha256": record["sha256"], "archive_path": record["archive_path"], "kind": record["kind"],
        "submitter": record["submitter"], "period": record["period"], "received_at": _shown(record["received_at"]),
        "status": record["status"], "superseded_by": record["superseded_by_load_id"], "load_id": record["load_id"],
        "validation": checks,
    }


def trace(settings: Settings, indicator: str, region: str, period: str, variant: str = "default", compare_to: str | None = None) -> dict:
    with marts.connect(settings) as con:
        value = marts.records(con, "select * from marts.fct_indicator_value where indicator_code = ? and variant_code = ? and region_code = ? and period = ?",
                              [indicator, variant, region, period])
        if not value:
            raise NoSuchValue(f"no value of {indicator} for region {region} in {period}")
        definition = marts.records(con, "select * from marts.dim_indicator where indicator_code = ?", [indicator])[0]
        targets = marts.records(con, "select kind, variant_code, comparator, lower, upper, by_year, variant_value, status, source_document, clause "
                                     "from marts.fct_target_progress where indicator_code = ? and jurisdiction_code = ? and period = ? "
                                     "order by kind, variant_code",
                                [indicator, region, period])
        rows = marts.records(con, ROWS_SQL, [indicator, variant, period, region])
        loads = marts.records(con, LOADS_SQL, [sorted({r["load_id"] for r in rows})])
        comparison = _compare(con, indicator, variant, region, period, compare_to) if compare_to else None
    v = value[0]
    purged = {sha: {"at": r["purged_at"], "originals_before": r["originals_before"]} for sha, r in retention.purged(settings).items()}
    models, graph = model_lineage(settings.dbt_target_dir / "manifest.json", indicator)
    result = {
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
             "by": t["by_year"], "variant_value": marts.round_half_away(t["variant_value"]), "status": t["status"],
             "source": f"{t['source_document']} {t['clause']}"}
            for t in targets
        ],
        "models": models,
        "model_parents": graph,
        "loads": [{**_load(l), "purged": purged.get(l["sha256"])} for l in loads],
        "rows": [_row(r) for r in rows],
    }
    if comparison is not None:
        result["compare_to"] = comparison
    return result


def _by_unit(records: list[dict]) -> dict[tuple, dict]:
    units: dict[tuple, dict] = {}
    for r in records:
        u = units.setdefault((r["unit_type"], r["unit_code"]), {"region": r["region_code"], "numerator": 0, "denominator": 0, "loads": {}})
        u["numerator"] += r["numerator"] or 0
        u["denominator"] += r["denominator"] or 0
        u["loads"][r["sha256"]] = {"file": r["file_name"], "sha256": r["sha256"], "period": r["period"],
                                   "received_at": _shown(r["received_at"]), "load_id": r["load_id"]}
    return units


def _compare(con, indicator: str, variant: str, region: str, period: str, earlier: str) -> dict:
    """The reporting units whose contribution differs between `earlier` and `period`, with the submissions behind the change."""
    before = _by_unit(marts.records(con, CONTRIBUTIONS_SQL, [indicator, variant, earlier, region, region]))
    after = _by_unit(marts.records(con, CONTRIBUTIONS_SQL, [indicator, variant, period, region, region]))
    old_value = marts.records(con, "select value, numerator, denominator, status from marts.fct_indicator_value "
                                   "where indicator_code = ? and variant_code = ? and region_code = ? and period = ?", [indicator, variant, region, earlier])
    changes = []
    for key in sorted(set(before) | set(after)):
        b, a = before.get(key), after.get(key)
        amounts = lambda u: None if u is None else {"numerator": u["numerator"], "denominator": u["denominator"]}  # noqa: E731
        if amounts(b) == amounts(a):
            continue
        old_files = set(b["loads"]) if b else set()
        changes.append({
            "unit_type": key[0], "unit": key[1], "region": (a or b)["region"],
            "before": amounts(b), "after": amounts(a),
            # the submissions in force now that were not behind the earlier figure: what changed it
            # (none when a unit simply stopped reporting; its earlier files are then listed as removed)
            "submissions": [l for sha, l in sorted(a["loads"].items()) if sha not in old_files] if a else [],
            "removed": [l for sha, l in sorted(b["loads"].items()) if not a or sha not in a["loads"]] if b else [],
        })
    prior = old_value[0] if old_value else None
    return {
        "period": earlier,
        "value": marts.round_half_away(prior["value"]) if prior else None,
        "numerator": prior["numerator"] if prior else None,
        "denominator": prior["denominator"] if prior else None,
        "status": prior["status"] if prior else "no_data",
        "changed_units": changes,
    }


def _num(x) -> str:
    return "—" if x is None else f"{x:g}"


def format_trace(t: dict) -> str:
    d = t["definition"]
    lines = []
    if "as_of" in t:
        a = t["as_of"]
        lines.append(f"截至 as of {a['time']}: release {t['period']} {a['version']} published {a['published_at']} (rebuilt from the archive)")
    lines += [
        f"{t['indicator']} {d['name']} — {t['region_name']}({t['region']}) {t['period']}",
        f"  值 value: {_num(t['value'])}{d['unit']}  = {_num(t['numerator'])} / {_num(t['denominator'])}  [{t['status']}]",
        f"  分子 numerator: {d['numerator']}",
        f"  分母 denominator: {d['denominator']}",
        f"  政策依据 policy: {d['policy_source'] or '—'}",
    ]
    for target in t["targets"]:
        lines.append(f"  目标 target: {target['comparator']} {_num(target['value'])} by {target['by'] or '—'} "
                     f"({target['variant']}: {_num(target['variant_value'])}) → {target['status']}  [{target['source']}]")
    lines.append("  模型 models (each ← the models and sources it reads, from dbt's manifest):")
    for model in t["models"]:
        if t["model_parents"].get(model):
            lines.append(f"    {model} ← {', '.join(t['model_parents'][model])}")
    lines.append("  入库文件 loads:")
    for l in t["loads"]:
        failed = sum(not c.get("success", False) for c in l["validation"])
        lines.append(f"    {l['file']}  sha256={l['sha256'][:16]}…  {l['kind']} from {l['submitter']}  received {l['received_at']}  "
                     f"checks: {len(l['validation']) - failed}/{len(l['validation'])} passed")
        if l.get("purged"):
            lines.append(f"      原件已按保留期删除 original deleted at the end of its retention: {l['purged']['at']} "
                         f"(purge --originals-before {l['purged']['originals_before']}); its ledger row, hash and rows remain")
    counts: dict[str, int] = {}
    for r in t["rows"]:
        counts[r["role"]] = counts.get(r["role"], 0) + 1
    lines.append("  来源行 rows: " + ", ".join(f"{k} {n}" for k, n in sorted(counts.items())))
    shown = {"role", "file", "sheet", "row", "unit", "region", "load_id", "sha256", "archive_path"}
    for r in t["rows"]:
        extra = "  ".join(f"{k}={v}" for k, v in r.items() if k not in shown and v is not None)
        lines.append(f"    {r['role']:<12}{r['file']} [{r['sheet']}] 第{r['row']}行  ({r['unit']}){'  ' + extra if extra else ''}")
    if "compare_to" in t:
        c = t["compare_to"]
        lines.append(f"  对比 compared to {c['period']}: {_num(c['value'])} = {_num(c['numerator'])} / {_num(c['denominator'])} [{c['status']}]; "
                     f"{len(c['changed_units'])} reporting units changed")
        for u in c["changed_units"]:
            amounts = lambda x: "—" if x is None else f"{_num(x['numerator'])}/{_num(x['denominator'])}"  # noqa: E731
            files = ", ".join(f"{l['file']} ({l['received_at']})" for l in u["submissions"]) or "no new submission"
            lines.append(f"    {u['unit']} ({u['region']}): {amounts(u['before'])} → {amounts(u['after'])}  by {files}")
    return "\n".join(lines)
