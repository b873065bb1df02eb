"""Every DAG imports cleanly, is documented, tagged and retried, parses without heavy imports, and the
three DAGs are wired as dags/README.md promises (ids, assets, pool, queue, schedules)."""
from __future__ import annotations

import subprocess
import sys

import pytest

from chanjiao.settings import DAGS_DIR

pytestmark = pytest.mark.airflow

DAG_FILES = sorted(DAGS_DIR.glob("*.py"))
DAG_IDS = {"chanjiao_ingest", "chanjiao_build", "chanjiao_publish"}


@pytest.fixture(scope="module")
def dagbag(tmp_path_factory):
    import os

    os.environ.setdefault("AIRFLOW_HOME", str(tmp_path_factory.mktemp("airflow")))
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS_DIR))


def test_dags_import_without_errors(dagbag):
    assert dagbag.import_errors == {}
    assert set(dagbag.dags) == DAG_IDS


def test_dags_are_tagged_documented_and_retried(dagbag):
    for dag_id, dag in dagbag.dags.items():
        assert dag.tags, dag_id
        assert dag.doc_md, dag_id
        for task in dag.tasks:
            if task.task_id == "chunks_failed":  # the run-state leaf: it only raises, retrying it means nothing
                continue
            assert task.retries >= 1, f"{dag_id}.{task.task_id} has no retries"
            assert task.on_failure_callback, f"{dag_id}.{task.task_id} sends no failure alert"


def test_warehouse_writers_take_the_one_slot_pool_and_queue(dagbag):
    writers = {(dag_id, t.task_id) for dag_id, dag in dagbag.dags.items() for t in dag.tasks if t.pool == "chanjiao_warehouse"}
    assert writers == {("chanjiao_ingest", "ingest_chunk"), ("chanjiao_build", "build"), ("chanjiao_publish", "build")}
    for dag_id, task_id in writers:
        task = dagbag.dags[dag_id].get_task(task_id)
        assert task.queue == "warehouse" and task.pool_slots == 1


def _uris(assets) -> set[str]:
    return {a.uri for a in assets}


def test_assets_connect_ingest_to_build(dagbag):
    ingest, build, publish = (dagbag.dags[d] for d in ("chanjiao_ingest", "chanjiao_build", "chanjiao_publish"))
    assert _uris(ingest.get_task("announce").outlets) == {"chanjiao://warehouse/raw"}
    assert _uris(build.get_task("build").outlets) == {"chanjiao://warehouse/marts"}
    assert _uris(publish.get_task("publish").outlets) == {"chanjiao://publications/monthly"}
    # data-aware: the build DAG runs on the raw asset, not on a clock
    assert {a.uri for a in build.timetable.asset_condition.objects} == {"chanjiao://warehouse/raw"}
    # ingest works on chunks: one mapped task instance per chunk
    assert type(ingest.get_task("ingest_chunk")).__name__.endswith("MappedOperator")


def test_publish_follows_the_release_calendar(dagbag):
    from chanjiao import settings as config

    dag = dagbag.dags["chanjiao_publish"]
    calendar = config.load().calendar
    assert dag.catchup is True
    assert dag.timetable.summary == "0 8 5 * *" == calendar.cron()
    assert str(dag.timetable._timezone) == "Asia/Shanghai"
    assert dag.start_date == calendar.start_date()
    # the deadline watch runs beside the build and publication, not after them: a hung publish must not hold it
    assert dag.get_task("publish").upstream_task_ids == {"resolve_period", "build"}
    assert dag.get_task("watch_deadline").upstream_task_ids == {"resolve_period"}
    assert dag.get_task("check_deadline").upstream_task_ids == {"resolve_period", "watch_deadline"}
    assert dag.get_task("watch_deadline").mode == "reschedule"
    assert dagbag.dags["chanjiao_ingest"].catchup is False


@pytest.mark.parametrize("path", DAG_FILES, ids=lambda p: p.name)
def test_parsing_imports_nothing_heavy(path):
    code = (f"import runpy, sys; runpy.run_path({str(path)!r}); "
            "print('heavy=' + ','.join(m for m in ('pandas', 'duckdb', 'great_expectations', 'dbt', 'python_calamine') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    # Airflow may log to stdout while parsing; our line is the one that starts with heavy=
    assert [line for line in result.stdout.splitlines() if line.startswith("heavy=")] == ["heavy="]
