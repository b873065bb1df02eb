"""`chanjiao demo` runs the monthly DAG for real (`airflow dags test`, SQLite metadata DB) — twice, idempotently.

The expected values are recomputed here from the archived original workbooks, read with python-calamine,
not from the warehouse."""
from __future__ import annotations

import json
import sqlite3

import duckdb
import pytest
from python_calamine import CalamineWorkbook

from tests.conftest import run_cli

PERIOD = "2026-10"


def table_counts(home):
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        return {t: con.execute(f"select count(*) from raw.{t}").fetchone()[0]
                for (t,) in con.execute("select table_name from information_schema.tables where table_schema = 'raw' and table_name <> 'loads'").fetchall()}


def dual_ratio_from_originals(home, manifest) -> tuple[int, int]:
    numerator = denominator = 0
    for load in manifest["loads"]:
        if load["kind"] != "school_workbook":
            continue
        path = next((home / "archive").rglob(f"{load['sha256']}.*"))
        rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("教师名册").to_python()
        header = rows[0]
        col = {name: header.index(name) for name in ("是否专业课教师", "是否双师型", "用工类型")}
        for row in rows[1:]:
            if row[col["是否专业课教师"]] == "是" and row[col["用工类型"]] == "专任":
                denominator += 1
                numerator += row[col["是否双师型"]] == "是"
    return numerator, denominator


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    home = tmp_path_factory.mktemp("demo")
    first = run_cli(home, "demo", "--json", key=None)
    assert first.returncode == 0, first.stderr[-4000:]
    counts = table_counts(home)
    second = run_cli(home, "demo", "--json", key=None)
    assert second.returncode == 0, second.stderr[-4000:]
    return {"home": home, "first": first.data, "second": second.data, "counts": counts}


def test_dag_runs_succeeded_in_airflow(demo):
    with sqlite3.connect(demo["home"] / "airflow" / "airflow.db") as db:
        runs = db.execute("select state from dag_run where dag_id = 'chanjiao_monthly'").fetchall()
        tasks = dict(db.execute("select task_id, state from task_instance where dag_id = 'chanjiao_monthly'").fetchall())
    assert runs and all(state == "success" for (state,) in runs)
    assert tasks == {"resolve_period": "success", "ingest": "success", "build": "success", "publish": "success"}


def test_headline_values_match_the_archived_originals(demo):
    home = demo["home"]
    manifest = json.loads((home / "publications" / PERIOD / "v1" / "manifest.json").read_text(encoding="utf-8"))
    numerator, denominator = dual_ratio_from_originals(home, manifest)
    city = next(r for r in demo["first"] if r["indicator"] == "dual_teacher_ratio" and r["region"] == "410600")
    assert (city["numerator"], city["denominator"]) == (numerator, denominator)
    assert city["value"] == round(100 * numerator / denominator + 1e-9, 2)
    regions = {r["region"] for r in demo["first"]}
    assert {"410600", "410602", "410603", "410611", "410621", "410622"} <= regions  # the city and its five counties
    participation = next(r for r in demo["first"] if r["indicator"] == "above_scale_participation_rate" and r["region"] == "410600")
    assert participation["denominator"] >= 300 and participation["targets"][0]["comparator"] == ">"


def test_mistakes_are_quarantined_and_corrections_supersede(demo):
    home = demo["home"]
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        rejected = {f for (f,) in con.execute("select file_name from raw.loads where status = 'rejected'").fetchall()}
        in_force = {f for (f,) in con.execute("select distinct file_name from marts.fct_indicator_contribution").fetchall()}
    assert len(rejected) == 3 and all((home / "quarantine" / PERIOD).iterdir())
    assert "淇县职业中等专业学校_产教融合数据报表_2026年10月(更正).xlsx" in in_force
    assert "鹤壁职业技术学院_产教融合数据报表_2026年10月(第一版).xlsx" not in in_force
    assert not rejected & in_force


def test_second_run_is_idempotent(demo):
    home = demo["home"]
    assert demo["second"] == demo["first"]
    assert table_counts(home) == demo["counts"]
    assert sorted(p.name for p in (home / "publications" / PERIOD).iterdir()) == ["v1"]
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        duplicated = con.execute("select count(*) from raw.loads where status = 'duplicate'").fetchone()[0]
    assert duplicated > 0  # the second run's files were recognised by their bytes
