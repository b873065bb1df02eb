"""`chanjiao trace`: one indicator value, its definition, the models, the loads and the source rows.

Everything comes from the published marts copy and dbt's manifest of the build that made it, so a
trace shows exactly what statisticians see. The source rows are passed through column for column from
marts.fct_indicator_source_row: whatever that mart carries (roles, amounts, …) reaches the auditor.
"""
from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from chanjiao import archive, labels, marts, retention
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


# Models that gather the loads in force of every kind of file for their consumers, each of which keeps one
# kind (int_schools_in_force: school workbooks): the other kinds' models above them are not on an
# indicator's path unless it reads them by another way. Only their bookkeeping parents (the ledger's
# `ingest` models) are followed from here.
KIND_GATHERING = ("model.chanjiao.int_loads_in_force",)


def _is_family(node: str) -> bool:
    """One family's contributions model (int_school_indicators__contributions, …): the indicators it computes are named in its SQL."""
    return node.startswith("model.") and node.endswith("__contributions")


def model_lineage(manifest_path: Path, indicator: str | None = None, mart: str = "fct_indicator_value") -> tuple[list[str], dict[str, list[str]]]:
    """The models from `mart` back to the sources, nearest first, and each one's parents, from dbt's manifest.

    With `indicator`, only the models on its path: the contributions model(s) of its family (those whose
    compiled SQL names it) and everything they read, the models between them and the mart, and the mart's
    other parents that read no source the family does not (the region hierarchy, the catalogue; not the
    reporting frame behind the coverage columns). The models that gather every kind's loads in force are
    followed only to the ledger (KIND_GATHERING), so a school indicator lists no enterprise or bureau model.
    """
    if not manifest_path.exists():
        return [], {}
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    parents, children, nodes = manifest["parent_map"], manifest.get("child_map", {}), manifest["nodes"]
    start = f"model.chanjiao.{mart}"

    def graph_node(node: str) -> bool:
        return node.split(".", 1)[0] in ("model", "source", "seed", "snapshot")

    def code(node: str) -> str:
        n = nodes.get(node, {})
        return n.get("compiled_code") or n.get("raw_code") or ""

    def up(node: str, narrow: bool) -> list[str]:
        found = [p for p in parents.get(node, []) if graph_node(p)]
        if narrow and node in KIND_GATHERING:
            found = [p for p in found if p.startswith("source.") or "ingest" in nodes.get(p, {}).get("fqn", [])]
        return found

    def closure(seeds, narrow: bool, keep=lambda n: True) -> set[str]:
        seen, queue = set(seeds), list(seeds)
        while queue:
            for parent in up(queue.pop(), narrow):
                if parent not in seen and keep(parent):
                    seen.add(parent)
                    queue.append(parent)
        return seen

    everything = closure([start], narrow=False)
    feed = sorted(n for n in everything if _is_family(n) and indicator and f"'{indicator}'" in code(n))
    if not feed:  # no indicator, or none of the families names it: every family's path, as before
        kept = closure([start], narrow=False, keep=lambda n: not _is_family(n) or not indicator or f"'{indicator}'" in code(n))
    else:
        read = closure(feed, narrow=True)
        sources = {n for n in read if n.startswith("source.")}
        below = set(feed)  # the models between the family and the mart: the family's descendants among the mart's ancestors
        queue = list(feed)
        while queue:
            for child in children.get(queue.pop(), []):
                if child in everything and child not in below:
                    below.add(child)
                    queue.append(child)
        kept = {start} | read | below
        for parent in up(start, narrow=False):
            if parent not in kept:
                theirs = closure([parent], narrow=True)
                if {n for n in theirs if n.startswith("source.")} <= sources:
                    kept |= theirs
    order, queue, seen, graph = [], [start], {start}, {}
    while queue:
        node = queue.pop(0)
        order.append(node)
        upstream = [p for p in parents.get(node, []) if p in kept]
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


# Who a code is: a school (dim_school), an enterprise (dim_enterprise), a unit of the reporting frame, or a
# region (a register or a bureau's collection is sent for the region it covers).
NAMES_SQL = """
select code, name, rank from (
    select school_code as code, school_name as name, 1 as rank from marts.dim_school
    union all select uscc, enterprise_name, 2 from marts.dim_enterprise
    union all select submitter_code, max(submitter_name), 3 from marts.fct_collection_status where submitter_name is not null group by submitter_code
    union all select region_code, region_name, 4 from marts.dim_region
) where code in (select unnest(?::varchar[]))
order by rank
"""

ROLES = ("numerator", "denominator", "evidence")
ROLE_ZH = {"numerator": "分子", "denominator": "分母", "evidence": "佐证"}


def _names(con, codes: set) -> dict[str, str]:
    names: dict[str, str] = {}
    for r in marts.records(con, NAMES_SQL, [sorted(c for c in codes if c)]):
        names.setdefault(r["code"], r["name"])
    return names


def _policy(con, region: str, indicator: str, period: str, targets: list[dict]) -> dict:
    """The policy clauses this value answers to: those of this region's own targets; for a region without
    one, those of the nearest region above it that has (a county under its city's plan), said as such."""
    own = sorted({f"{t['source_document']} {t['clause']}" for t in targets})
    if own:
        return {"jurisdiction": region, "inherited": False, "clauses": own}
    above = marts.records(con, "select g.city_code, g.province_code from marts.dim_region g where g.region_code = ?", [region])
    for code in [c for c in (above[0]["city_code"], above[0]["province_code"]) if c and c != region] if above else []:
        clauses = marts.records(con, "select distinct jurisdiction_name, source_document, clause from marts.fct_target_progress "
                                     "where indicator_code = ? and jurisdiction_code = ? and period = ? order by source_document, clause",
                                [indicator, code, period])
        if clauses:
            return {"jurisdiction": code, "jurisdiction_name": clauses[0]["jurisdiction_name"], "inherited": True,
                    "clauses": sorted({f"{c['source_document']} {c['clause']}" for c in clauses})}
    return {"jurisdiction": None, "inherited": False, "clauses": []}


def _exact(x) -> Decimal:
    return Decimal(repr(float(x))) if x is not None else Decimal(0)


def _plain(d: Decimal) -> int | float:
    return int(d) if d == d.to_integral_value() else float(d)


def row_ranges(numbers) -> str:
    """Spreadsheet rows as people cite them: 2–41, 44."""
    out, numbers = [], sorted(set(numbers))
    i = 0
    while i < len(numbers):
        j = i
        while j + 1 < len(numbers) and numbers[j + 1] == numbers[j] + 1:
            j += 1
        out.append(str(numbers[i]) if i == j else f"{numbers[i]}–{numbers[j]}")
        i = j + 1
    return ", ".join(out)


def _role_order(role: str) -> int:
    return ROLES.index(role) if role in ROLES else len(ROLES)


def _files(live: Settings, rows: list[dict], loads: list[dict], names: dict[str, str]) -> tuple[list[dict], dict]:
    """Per source file: its rows (per sheet and role, as row ranges) and what it adds to the numerator and
    denominator; the totals are summed exactly (decimal) from the same rows."""
    by_load = {l["load_id"]: l for l in loads}
    grouped: dict[str, list[dict]] = {}
    for r in rows:
        grouped.setdefault(r["load_id"], []).append(r)
    files = []
    totals = {"numerator": Decimal(0), "denominator": Decimal(0)}
    for load_id, mine in grouped.items():
        load = by_load.get(load_id, {})
        sums = {role: sum((_exact(r["amount"]) for r in mine if r["role"] == role), Decimal(0)) for role in ("numerator", "denominator")}
        for role in sums:
            totals[role] += sums[role]
        sheets: dict[tuple, list[int]] = {}
        for r in mine:
            sheets.setdefault((r["source_sheet"], r["role"]), []).append(r["source_row"])
        sha = mine[0]["sha256"]
        original = archive.path_of(live, sha, mine[0]["file_name"])
        units = sorted({r["unit_code"] for r in mine if r["unit_code"]})
        files.append({
            "file": mine[0]["file_name"], "sha256": sha, "load_id": load_id,
            "archive_path": str(original), "archive_exists": original.is_file(),
            "kind": load.get("kind"), "submitter": load.get("submitter"), "submitter_name": names.get(load.get("submitter")),
            "received_at": _shown(load["received_at"]) if load.get("received_at") else None,
            "rows": {role: sum(r["role"] == role for r in mine) for role in ROLES if any(r["role"] == role for r in mine)},
            "numerator": _plain(sums["numerator"]), "denominator": _plain(sums["denominator"]),
            "units": [{"unit": u, "name": names.get(u)} for u in units],
            "sheets": [{"sheet": sheet, "role": role, "rows": row_ranges(numbers), "count": len(numbers)}
                       for (sheet, role), numbers in sorted(sheets.items(), key=lambda kv: (kv[0][0] or "", _role_order(kv[0][1])))],
        })
    files.sort(key=lambda f: (f["received_at"] or "", f["sha256"]))
    return files, totals


def trace(settings: Settings, indicator: str, region: str, period: str, variant: str = "default", compare_to: str | None = None,
          live: Settings | None = None) -> dict:
    """The lineage of one value in `settings`' warehouse; `live`: the home whose archive holds the originals
    and whose purge log says which were deleted (the live one when `settings` is an `--as-of` rebuild's)."""
    live = live or settings
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
        policy = _policy(con, region, indicator, period, targets)
        rows = marts.records(con, ROWS_SQL, [indicator, variant, period, region])
        loads = marts.records(con, LOADS_SQL, [sorted({r["load_id"] for r in rows})])
        names = _names(con, {l["submitter"] for l in loads} | {r["unit_code"] for r in rows})
        comparison = _compare(con, indicator, variant, region, period, compare_to) if compare_to else None
    v = value[0]
    purged = {sha: {"at": r["purged_at"], "originals_before": r["originals_before"]} for sha, r in retention.purged(live).items()}
    models, graph = model_lineage(settings.dbt_target_dir / "manifest.json", indicator)
    files, totals = _files(live, rows, loads, names)
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
            "numerator_zh": definition.get("numerator_definition_zh"), "denominator_zh": definition.get("denominator_definition_zh"),
        },
        "policy": policy,
        "targets": [
            {"kind": t["kind"], "variant": t["variant_code"], "comparator": t["comparator"], "value": t["lower"], "upper": t["upper"],
             "by": t["by_year"], "variant_value": marts.round_half_away(t["variant_value"]), "status": t["status"],
             "source": f"{t['source_document']} {t['clause']}"}
            for t in targets
        ],
        "models": models,
        "model_parents": graph,
        "loads": [{**_load(l), "original": str(archive.path_of(live, l["sha256"], l["file_name"])),
                   "submitter_name": names.get(l["submitter"]), "purged": purged.get(l["sha256"])} for l in loads],
        "files": files,
        "totals": {
            "numerator": _plain(totals["numerator"]), "denominator": _plain(totals["denominator"]),
            # the rows' amounts, summed exactly, against the value's numerator and denominator
            "matches": {role: v[role] is not None and totals[role] == _exact(v[role]) or (v[role] is None and not totals[role])
                        for role in ("numerator", "denominator")},
        },
        "rows": [{**_row(r), "unit_name": names.get(r["unit_code"])} for r in rows],
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
    return "—" if x is None else f"{x:g}" if isinstance(x, float) else str(x)


def _who(code: str | None, name: str | None) -> str:
    return f"{name}（{code}）" if name else (code or "—")


def _zh(table: dict, code) -> str:
    return table.get(code, code) if code is not None else "—"


def format_trace(t: dict) -> str:
    """The trace as an auditor reads it, in Chinese: the value and its definition, the policy clauses of this
    region, the release versions that published it, the models, then each source file — who sent it, its
    full sha256 and archived original, its subtotals and its rows as ranges — and the total."""
    d = t["definition"]
    unit = "" if d["unit"] in (None, "count") else d["unit"]
    lines = [f"指标溯源：{t['indicator']} {d['name']}",
             f"  地区：{t['region_name']}（{t['region']}）    统计期：{t['period']}    口径：{labels.variant_text(t['variant']) or '默认口径'}"]
    if "as_of" in t:
        a = t["as_of"]
        lines.append(f"  截至 {a['time']} 的发布版本：{t['period']} {a['version']}（发布于 {a['published_at']}；由归档原件重建"
                     f"{'，复用已重建的仓库' if a.get('cached') else ''}）")
    lines += [
        f"  指标值：{_num(t['value'])}{unit}    = 分子 {_num(t['numerator'])} / 分母 {_num(t['denominator'])}    状态：{_zh(labels.VALUE_STATUS, t['status'])}",
        f"  分子定义：{d.get('numerator_zh') or d['numerator']}",
        f"  分母定义：{d.get('denominator_zh') or d['denominator']}",
    ]
    policy = t.get("policy") or {"clauses": []}
    if policy["clauses"] and policy.get("inherited"):
        lines.append(f"  政策依据（本地区无目标，适用上级 {policy.get('jurisdiction_name') or ''}（{policy['jurisdiction']}）的目标）："
                     + "；".join(policy["clauses"]))
    else:
        lines.append("  政策依据（本地区目标）：" + ("；".join(policy["clauses"]) or "本地区及上级均无此指标的目标"))
    for target in t["targets"]:
        bounds = (f"{_num(target['value'])}–{_num(target['upper'])}" if target["comparator"] == "between" else _num(target["value"]))
        lines.append(f"  {_zh(labels.TARGET_KIND, target['kind'])}：{_zh(labels.COMPARATOR, target['comparator'])} {bounds}{unit}"
                     f"（期限 {_zh(labels.BY_YEAR, target['by']) if target['by'] else '—'}年）  口径 {target['variant']} 的值 "
                     f"{_num(target['variant_value'])}{unit} → {_zh(labels.TARGET_STATUS, target['status'])}  〔{target['source']}〕")
    if "published_in" in t:
        if t["published_in"]:
            lines.append("  发布版本（publications/统计期/版本/indicators.csv 中的本指标本地区）：")
            for p in t["published_in"]:
                same = {True: "与本值一致", False: "与本值不同"}.get(p.get("matches"), "")
                lines.append(f"    {p['version']}  发布于 {p['published_at']}  指标值 {p['value']}  分子 {p['numerator']}  分母 {p['denominator']}"
                             f"  {same}{'  ← 本次溯源的版本' if p.get('traced') else ''}")
        else:
            lines.append("  发布版本：尚未发布（此值只在仓库中）")
    lines.append(f"  计算模型（dbt manifest，自指标表回溯至来源，共 {len(t['models'])} 个；“←”后为其读取的模型和来源）：")
    for model in t["models"]:
        if t["model_parents"].get(model):
            lines.append(f"    {model} ← {', '.join(t['model_parents'][model])}")
    loads = {l["load_id"]: l for l in t["loads"]}
    files = t.get("files", [])
    lines.append(f"  来源文件（共 {len(files)} 个；每个文件的行数及其对分子、分母的小计）：")
    for n, f in enumerate(files, 1):
        load = loads.get(f["load_id"], {})
        checks = load.get("validation", [])
        passed = sum(bool(c.get("success", False)) for c in checks)
        lines += [
            f"    [{n}] {f['file']}",
            f"        报送单位：{_who(f['submitter'], f['submitter_name'])}    文件类型：{labels.kind_title(f['kind']) if f['kind'] else '—'}"
            f"    接收时间：{f['received_at'] or '—'}",
            f"        sha256：{f['sha256']}",
            f"        归档原件：{f['archive_path']}{'' if f['archive_exists'] else '（不在归档中）'}",
            f"        质量检查：{passed}/{len(checks)} 项通过",
        ]
        if load.get("purged"):
            lines.append(f"        原件已按保留期删除：{load['purged']['at']}（purge --originals-before {load['purged']['originals_before']}）；"
                         "入库记录、哈希和来源行仍在")
        others = [u for u in f["units"] if u["unit"] != f["submitter"]]
        if others:
            shown_units = "、".join(_who(u["unit"], u["name"]) for u in others[:10])
            lines.append(f"        涉及单位 {len(others)} 个：{shown_units}{' 等' if len(others) > 10 else ''}")
        counts = "，".join(f"{ROLE_ZH.get(role, role)} {k} 行" for role, k in f["rows"].items())
        lines.append(f"        小计：分子 {_num(f['numerator'])}，分母 {_num(f['denominator'])}（{counts}）")
        for sheet in f["sheets"]:
            lines.append(f"          工作表 {sheet['sheet']}  {ROLE_ZH.get(sheet['role'], sheet['role'])}行（{sheet['count']}）：第 {sheet['rows']} 行")
    if "totals" in t:
        ok = t["totals"]["matches"]
        mark = lambda role: "，与指标值一致" if ok[role] else f"，与指标值的{ROLE_ZH[role]} {_num(t[role])} 不一致"  # noqa: E731
        lines.append(f"  合计：分子 {_num(t['totals']['numerator'])}{mark('numerator')}；分母 {_num(t['totals']['denominator'])}{mark('denominator')}")
    if "compare_to" in t:
        c = t["compare_to"]
        lines.append(f"  与 {c['period']} 对比：{_num(c['value'])}{unit} = {_num(c['numerator'])} / {_num(c['denominator'])}"
                     f"（{_zh(labels.VALUE_STATUS, c['status'])}）；{len(c['changed_units'])} 个报送单位的贡献有变化")
        for u in c["changed_units"]:
            amounts = lambda x: "—" if x is None else f"{_num(x['numerator'])}/{_num(x['denominator'])}"  # noqa: E731
            files_changed = "，".join(f"{l['file']}（{l['received_at']}）" for l in u["submissions"]) or "无新报送"
            lines.append(f"    {u['unit']}（{u['region']}）：{amounts(u['before'])} → {amounts(u['after'])}  由 {files_changed}")
    return "\n".join(lines)
