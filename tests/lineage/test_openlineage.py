"""OpenLineage from a real Airflow run: `airflow dags test` of chanjiao_ingest then chanjiao_build, with
the OpenLineage provider configured by chanjiao.lineage.openlineage.airflow_environment. The events are
read back from the file under $CHANJIAO_HOME/lineage/ and must name the submitted files (their archived
copies), the raw tables ingest wrote, and the tables dbt read and built."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from chanjiao.demo import factory as fx
from chanjiao.demo.run import airflow_env
from chanjiao.lineage.openlineage import airflow_environment, read_events
from chanjiao.orchestration.defaults import POOL
from chanjiao.settings import Settings
from tests.conftest import PII_KEY, run_cli, set_received
from tests.warehouse.test_monthly_cycle import E5, E, teachers, workbook

pytestmark = [pytest.mark.airflow, pytest.mark.dbt]

PERIOD = "2026-10"
AIRFLOW = Path(sys.executable).with_name("airflow")


def _airflow(settings: Settings, *args: str) -> None:
    env = {**airflow_env(settings), **airflow_environment(settings.home)}
    result = subprocess.run([str(AIRFLOW), *args], env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]


def _submissions(settings: Settings) -> list[Path]:
    """The same two files, with the same receipt times, for either road."""
    settings.landing.mkdir(parents=True)
    register = {"above_scale_enterprises": [{"uscc": u, "enterprise_name": f"企业{u[-4:]}", "region_code": u[2:8], "industry_code": "C36",
                                             "period": PERIOD} for u in [*E.values(), E5]]}
    files = [
        set_received(fx.write("above_scale_register", settings.landing / "规上企业名录.xlsx", register), "2026-11-01 09:00"),
        set_received(fx.write("school_workbook", settings.landing / "淇县甲校.xlsx",
                                    workbook("4141062201", "淇县甲校", "410622", "中职", teachers(10, 6), [(E[1], dt.date(2025, 9, 1), None)])),
                     "2026-11-02 09:00"),
    ]
    return files


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    settings = Settings(home=tmp_path_factory.mktemp("home"), pii_key=PII_KEY.encode())
    files = _submissions(settings)
    digests = [hashlib.sha256(f.read_bytes()).hexdigest() for f in files]
    settings.airflow_home.mkdir(parents=True)
    _airflow(settings, "db", "migrate")
    _airflow(settings, "pools", "set", POOL, "1", "DuckDB warehouse: one writer at a time")
    _airflow(settings, "dags", "test", "chanjiao_ingest", "2026-11-04T18:00:00+08:00", "--conf", f'{{"period": "{PERIOD}"}}')
    _airflow(settings, "dags", "test", "chanjiao_build", "2026-11-04T18:30:00+08:00")
    return {"settings": settings, "events": read_events(settings), "digests": digests}


def _names(datasets) -> set[str]:
    return {d["name"] for d in datasets}


def test_airflow_emits_task_events(run):
    jobs = {(e["job"]["name"], e["eventType"]) for e in run["events"]}
    assert {("chanjiao_ingest.ingest_chunk", "COMPLETE"), ("chanjiao_build.build", "COMPLETE")} <= jobs


def test_ingest_events_name_the_files_and_the_raw_tables(run):
    settings = run["settings"]
    [done] = [e for e in run["events"] if e["job"]["name"] == "chanjiao.ingest" and e["eventType"] == "COMPLETE"]
    archived = {str((settings.archive / d[:2] / f"{d}.xlsx").resolve()) for d in run["digests"]}
    assert _names(done["inputs"]) == archived and {d["namespace"] for d in done["inputs"]} == {"file"}
    assert {"warehouse.raw.loads", "warehouse.raw.teachers", "warehouse.raw.school_info", "warehouse.raw.above_scale_enterprises"} <= _names(done["outputs"])
    # it hangs under the Airflow task that ran it
    parent = done["run"]["facets"]["parent"]
    task_runs = {e["run"]["runId"] for e in run["events"] if e["job"]["name"] == "chanjiao_ingest.ingest_chunk"}
    assert parent["run"]["runId"] in task_runs


def test_dbt_events_name_the_tables_read_and_built(run):
    settings = run["settings"]
    # dbt-ol names a model's run job <catalog>.<schema>.<project>.<model>.build.run
    models = {e["job"]["name"].split(".")[-3]: e for e in run["events"] if e["eventType"] == "COMPLETE" and e["job"]["name"].endswith(".build.run")}
    assert {d["namespace"] for e in models.values() for d in e["inputs"] + e["outputs"]} == {f"duckdb://{settings.warehouse}"}
    assert "warehouse.raw.teachers" in _names(models["stg_schools__teachers"]["inputs"])
    assert _names(models["fct_indicator_value"]["outputs"]) == {"warehouse.marts.fct_indicator_value"}
    assert {"fct_indicator_source_row", "fct_load", "int_indicator_source_rows"} <= set(models)
    # the dbt run hangs under the Airflow build task
    build_tasks = {e["run"]["runId"] for e in run["events"] if e["job"]["name"] == "chanjiao_build.build"}
    assert models["fct_indicator_value"]["run"]["facets"]["parent"]["run"]["runId"] in build_tasks or \
        models["fct_indicator_value"]["run"]["facets"]["parent"]["root"]["run"]["runId"] in build_tasks


def _ours(settings: Settings, events: list[dict]) -> set[tuple]:
    """Each COMPLETE event our code and dbt-ol wrote (Airflow's own task events aside): job, and the
    datasets read and written, with this home's paths taken out so two homes compare."""
    def name(d):
        return d["name"].replace(str(settings.home.resolve()), "HOME")
    return {(e["job"]["name"], tuple(sorted(name(d) for d in e.get("inputs", []))), tuple(sorted(name(d) for d in e.get("outputs", []))))
            for e in events if e["eventType"] == "COMPLETE" and e["job"]["name"].split(".")[0] not in ("chanjiao_ingest", "chanjiao_build")}


def test_the_cli_takes_the_same_road_as_the_dags(run, tmp_path):
    """`chanjiao ingest` and `chanjiao build` go through the same application layer as the DAG tasks:
    the same OpenLineage events (ingest's and dbt-ol's) and the same build stamp."""
    settings = Settings(home=tmp_path / "home", pii_key=PII_KEY.encode())
    _submissions(settings)
    ingested = run_cli(settings.home, "ingest", str(settings.landing), "--period", PERIOD, "--json")
    assert ingested.returncode == 0, ingested.stderr[-3000:]
    built = run_cli(settings.home, "build", "--json")
    assert built.returncode == 0, built.stderr[-3000:]
    cli_events, dag_events = _ours(settings, read_events(settings)), _ours(run["settings"], run["events"])
    assert any(job == "chanjiao.ingest" for job, _, _ in cli_events)
    assert cli_events == dag_events
    stamps = [json.loads((s.dbt_target_dir / "built_from.json").read_text(encoding="utf-8")) for s in (settings, run["settings"])]
    assert stamps[0]["loads"] == stamps[1]["loads"] == 2 and stamps[0]["code_version"] == stamps[1]["code_version"]
