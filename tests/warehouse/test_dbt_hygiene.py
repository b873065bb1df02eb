"""dbt project hygiene, checked on what dbt itself parses (target/manifest.json of `dbt parse`), no build:

- every model has a test of its grain: a uniqueness test (`unique` on one column, or
  `unique_combination_of_columns`, tests/generic/) and `not_null` on each column of that grain;
- every source declares freshness (warn_after / error_after) and how to measure it (loaded_at_field
  or loaded_at_query);
- no model reads more than 7 inputs;
- the SQL is clean for sqlfluff with the dbt templater (.sqlfluff at the repository root).

The manifest checks are plain functions of the manifest, so the tests below also prove they can fail: a
manifest with one grain test removed, or one source's freshness removed, must be reported.
"""
from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PROJECT = REPO / "dbt_project"
DBT = Path(sys.executable).with_name("dbt")
SQLFLUFF = Path(sys.executable).with_name("sqlfluff")
LINTED = ["dbt_project/models", "dbt_project/tests"]

UNIQUE_TESTS = {"unique", "unique_combination_of_columns"}

# Grain columns that are null by design, so they take part in the uniqueness test (where nulls compare
# equal) without a not_null test. measured_region_code: sum-type contributions count for every region
# containing the unit and name none; locality, finance and money-per-student ones name the region.
NULLABLE_GRAIN_COLUMNS = {
    ("int_indicator_contributions", "measured_region_code"),
    ("fct_indicator_contribution", "measured_region_code"),
}


@pytest.fixture(scope="module")
def manifest(tmp_path_factory) -> dict:
    """`dbt parse` into a temporary target: the manifest as dbt sees the project (no warehouse needed)."""
    target = tmp_path_factory.mktemp("dbt_target")
    env = {**os.environ, "CHANJIAO_WAREHOUSE": str(target / "unused.duckdb"), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    result = subprocess.run(
        [str(DBT), "parse", "--project-dir", str(PROJECT), "--profiles-dir", str(PROJECT),
         "--target-path", str(target), "--log-path", str(target / "logs"), "--no-partial-parse"],
        check=False, cwd=PROJECT, env=env, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return json.loads((target / "manifest.json").read_text(encoding="utf-8"))


def models(manifest: dict) -> dict[str, dict]:
    return {uid: node for uid, node in manifest["nodes"].items()
            if node["resource_type"] == "model" and node["package_name"] == "chanjiao"}


def generic_tests(manifest: dict, model_id: str) -> list[tuple[str, dict]]:
    """(test name, arguments) of the generic tests attached to a model that test all of its rows
    (a test with a `where` config checks only some rows, so it proves no grain)."""
    out = []
    for node in manifest["nodes"].values():
        meta = node.get("test_metadata")
        if node["resource_type"] == "test" and meta and node.get("attached_node") == model_id and not node["config"].get("where"):
            out.append((meta["name"], meta["kwargs"]))
    return out


def grain_problems(manifest: dict) -> list[str]:
    """One line per model without a uniqueness test whose columns all have a not_null test."""
    problems = []
    for model_id, node in sorted(models(manifest).items()):
        name = node["name"]
        tests = generic_tests(manifest, model_id)
        not_null = {kwargs["column_name"] for test, kwargs in tests if test == "not_null"}
        grains = [[kwargs["column_name"]] if test == "unique" else kwargs["combination_of_columns"]
                  for test, kwargs in tests if test in UNIQUE_TESTS]
        if not grains:
            problems.append(f"{name}: no uniqueness test on its grain (unique, or unique_combination_of_columns)")
            continue
        unguarded = [[c for c in grain if c not in not_null and (name, c) not in NULLABLE_GRAIN_COLUMNS] for grain in grains]
        if all(unguarded):
            problems.append(f"{name}: grain columns without a not_null test: {min(unguarded, key=len)}")
    return problems


def freshness_problems(manifest: dict) -> list[str]:
    problems = []
    for source in sorted(manifest["sources"].values(), key=lambda s: s["unique_id"]):
        name = f"{source['source_name']}.{source['name']}"
        freshness = source.get("freshness") or {}
        if not any((freshness.get(level) or {}).get("count") for level in ("warn_after", "error_after")):
            problems.append(f"{name}: no freshness (warn_after / error_after)")
        elif not (source.get("loaded_at_field") or source.get("loaded_at_query")):
            problems.append(f"{name}: freshness without loaded_at_field or loaded_at_query")
    return problems


def test_every_model_has_a_uniqueness_and_not_null_test_on_its_grain(manifest):
    assert len(models(manifest)) >= 47
    assert grain_problems(manifest) == []


def test_every_source_declares_freshness(manifest):
    assert len(manifest["sources"]) >= 12
    assert freshness_problems(manifest) == []


def test_the_ledger_source_measures_freshness_on_ingested_at(manifest):
    """raw.loads is the only raw table with a timestamp (ingested_at); the sheet tables reach it through their load_id."""
    sources = {f"{s['source_name']}.{s['name']}": s for s in manifest["sources"].values()}
    assert sources["ingest.loads"]["loaded_at_field"] == "ingested_at"
    assert all("ledger_loaded_at" in (s.get("loaded_at_query") or "") for name, s in sources.items() if name != "ingest.loads")


def test_no_model_joins_more_than_seven_inputs(manifest):
    """The widest models were split into named intermediate steps (the project evaluator reported joins of
    14 and 9 inputs); a model reading more than 7 models, seeds or sources should be split the same way."""
    wide = {node["name"]: len(node["depends_on"]["nodes"]) for node in models(manifest).values() if len(node["depends_on"]["nodes"]) > 7}
    assert wide == {}


def test_the_grain_check_fails_when_a_grain_test_is_removed(manifest):
    """The check can fail: dropping fct_load's unique test, or one not_null of a composite grain, is reported."""
    def without(predicate) -> dict:
        broken = copy.deepcopy(manifest)
        dropped = [uid for uid, node in broken["nodes"].items() if node["resource_type"] == "test" and predicate(node)]
        assert dropped
        for uid in dropped:
            del broken["nodes"][uid]
        return broken

    def attached(model: str, test: str, column: str | None = None):
        return lambda node: (node.get("attached_node") == f"model.chanjiao.{model}" and node["test_metadata"]["name"] == test
                             and (column is None or node["test_metadata"]["kwargs"].get("column_name") == column))

    def new_problems(broken: dict) -> set[str]:
        return set(grain_problems(broken)) - set(grain_problems(manifest))

    assert new_problems(without(attached("fct_load", "unique"))) == {
        "fct_load: no uniqueness test on its grain (unique, or unique_combination_of_columns)"}
    assert new_problems(without(attached("int_teachers_in_force", "not_null", "source_row"))) == {
        "int_teachers_in_force: grain columns without a not_null test: ['source_row']"}


def test_the_freshness_check_fails_when_a_source_has_none(manifest):
    broken = copy.deepcopy(manifest)
    broken["sources"]["source.chanjiao.schools.teachers"]["freshness"] = {"warn_after": {"count": None, "period": None},
                                                                        "error_after": {"count": None, "period": None}}
    assert set(freshness_problems(broken)) - set(freshness_problems(manifest)) == {
        "schools.teachers: no freshness (warn_after / error_after)"}


def test_sql_is_clean_for_sqlfluff(tmp_path):
    """`sqlfluff lint dbt_project/models dbt_project/tests` with the repository's .sqlfluff (dbt templater,
    dialect duckdb) finds nothing. `sqlfluff fix` with the same arguments repairs most findings. The dbt
    templater compiles every model (about 35 s of CPU for the project; `pytest -s` prints the time)."""
    env = {**os.environ, "CHANJIAO_WAREHOUSE": str(tmp_path / "lint.duckdb"), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    started = time.monotonic()
    result = subprocess.run([str(SQLFLUFF), "lint", *LINTED, "--format", "json", "--nocolor"],
                            check=False, cwd=REPO, env=env, capture_output=True, text=True, timeout=900)
    print(f"\n[sqlfluff] lint with the dbt templater: {time.monotonic() - started:.1f} s")
    assert result.returncode in (0, 1), result.stderr[-3000:]  # 1 = findings, anything else = sqlfluff failed
    files = json.loads(result.stdout)
    assert len(files) >= 50, [f["filepath"] for f in files]  # every model was linted, not skipped
    findings = [f"{f['filepath']}:{v['start_line_no']}:{v['start_line_pos']} {v['code']} {v['description']}"
                for f in files for v in f["violations"]]
    assert findings == []
