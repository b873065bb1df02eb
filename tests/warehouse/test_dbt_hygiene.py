"""dbt project hygiene, checked on what dbt itself parses (target/manifest.json of `dbt parse`), no build:

- every model has a test of its grain: the `grain` test (tests/generic/grain.sql: no duplicate and no
  null in the grain's columns, one query), declared once on the model. A uniqueness test (`unique`, or
  `unique_combination_of_columns`) with `not_null` on each of its columns proves the same and still
  passes the grain check, but costs a test node per column (`dbt build` ran 393 nodes that way instead
  of 190), so every model must have the `grain` test and nothing repeating it;
- every source declares freshness (warn_after / error_after) and how to measure it (loaded_at_field
  or loaded_at_query);
- no model reads more than 7 inputs;
- the SQL is clean for sqlfluff with the dbt templater (.sqlfluff at the repository root).

The manifest checks are plain functions of the manifest, so the tests below also prove they can fail: a
manifest with one grain test removed or weakened, or one source's freshness removed, must be reported.
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

GRAIN_TEST = "grain"
UNIQUE_TESTS = {"unique", "unique_combination_of_columns"}

# Grain columns that are null by design, so they take part in the uniqueness (where nulls compare equal)
# but are not checked for nulls: the `grain` test lists them in `nullable_columns` (only these may be).
# measured_region_code: sum-type contributions count for every region containing the unit and name none;
# locality, finance and money-per-student ones name the region.
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
    """One line per model whose grain is not tested for uniqueness and non-null: neither a `grain` test
    (whose nullable_columns may all be null) nor a uniqueness test whose columns all have a not_null test."""
    problems = []
    for model_id, node in sorted(models(manifest).items()):
        name = node["name"]
        tests = generic_tests(manifest, model_id)
        grain_tests = [kwargs for test, kwargs in tests if test == GRAIN_TEST]
        for kwargs in grain_tests:
            undeclared = [c for c in kwargs.get("nullable_columns") or [] if (name, c) not in NULLABLE_GRAIN_COLUMNS]
            if undeclared:
                problems.append(f"{name}: grain test lets grain columns be null that may not be: {undeclared}")
        if grain_tests:
            continue
        not_null = {kwargs["column_name"] for test, kwargs in tests if test == "not_null"}
        grains = [[kwargs["column_name"]] if test == "unique" else kwargs["combination_of_columns"]
                  for test, kwargs in tests if test in UNIQUE_TESTS]
        if not grains:
            problems.append(f"{name}: no grain test (grain, or unique / unique_combination_of_columns with not_null)")
            continue
        unguarded = [[c for c in grain if c not in not_null and (name, c) not in NULLABLE_GRAIN_COLUMNS] for grain in grains]
        if all(unguarded):
            problems.append(f"{name}: grain columns without a not_null test: {min(unguarded, key=len)}")
    return problems


def redundant_grain_tests(manifest: dict) -> list[str]:
    """One line per not_null (on all rows) or uniqueness test that the model's `grain` test already
    proves: each is one more dbt node, for nothing."""
    problems = []
    for model_id, node in sorted(models(manifest).items()):
        tests = generic_tests(manifest, model_id)
        covered = [(set(kw["columns"]), set(kw["columns"]) - set(kw.get("nullable_columns") or []))
                   for test, kw in tests if test == GRAIN_TEST]
        for test, kw in tests:
            if test == "not_null" and any(kw["column_name"] in not_null for _, not_null in covered):
                problems.append(f"{node['name']}: not_null on {kw['column_name']} repeats its grain test")
            elif test in UNIQUE_TESTS:
                columns = {kw["column_name"]} if test == "unique" else set(kw["combination_of_columns"])
                if any(grain <= columns for grain, _ in covered):
                    problems.append(f"{node['name']}: {test} on {sorted(columns)} repeats its grain test")
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


def test_every_model_tests_its_grain_with_one_grain_test(manifest):
    """One `grain` test per model, and no not_null / uniqueness test repeating it (the build's node count)."""
    without = [node["name"] for uid, node in models(manifest).items()
               if not any(test == GRAIN_TEST for test, _ in generic_tests(manifest, uid))]
    assert without == []
    assert redundant_grain_tests(manifest) == []


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
    """The checks can fail: dropping fct_load's grain test, letting a grain column be null that may not be,
    or (in the older form) one not_null of a composite grain, is reported; so is a not_null repeating a
    grain test."""
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

    def grain_test(broken: dict, model: str) -> dict:
        [node] = [node for node in broken["nodes"].values() if node["resource_type"] == "test" and attached(model, GRAIN_TEST)(node)]
        return node

    def not_null_test(model: str, column: str) -> dict:
        return {"resource_type": "test", "attached_node": f"model.chanjiao.{model}", "config": {},
                "test_metadata": {"name": "not_null", "namespace": None, "kwargs": {"column_name": column}}}

    assert new_problems(without(attached("fct_load", GRAIN_TEST))) == {
        "fct_load: no grain test (grain, or unique / unique_combination_of_columns with not_null)"}

    weakened = copy.deepcopy(manifest)
    grain_test(weakened, "int_teachers_in_force")["test_metadata"]["kwargs"]["nullable_columns"] = ["source_row"]
    assert new_problems(weakened) == {"int_teachers_in_force: grain test lets grain columns be null that may not be: ['source_row']"}

    # the older form: unique_combination_of_columns and a not_null per grain column, the last one missing
    older = copy.deepcopy(manifest)
    node = grain_test(older, "int_teachers_in_force")
    kwargs = node["test_metadata"]["kwargs"]
    node["test_metadata"] = {"name": "unique_combination_of_columns", "namespace": None,
                             "kwargs": {"combination_of_columns": kwargs["columns"], "model": kwargs["model"]}}
    for column in kwargs["columns"][:-1]:
        older["nodes"][f"test.chanjiao.not_null_{column}"] = not_null_test("int_teachers_in_force", column)
    assert new_problems(older) == {f"int_teachers_in_force: grain columns without a not_null test: ['{kwargs['columns'][-1]}']"}

    repeated = copy.deepcopy(manifest)
    repeated["nodes"]["test.chanjiao.not_null_fct_load_load_id"] = not_null_test("fct_load", "load_id")
    assert set(redundant_grain_tests(repeated)) - set(redundant_grain_tests(manifest)) == {
        "fct_load: not_null on load_id repeats its grain test"}


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
