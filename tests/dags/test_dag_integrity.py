"""Every DAG imports cleanly, is documented, tagged and retried, and parses without heavy imports."""
from __future__ import annotations

import subprocess
import sys

import pytest

from chanjiao.settings import DAGS_DIR

DAG_FILES = sorted(DAGS_DIR.glob("*.py"))


@pytest.fixture(scope="module")
def dagbag(tmp_path_factory):
    import os

    os.environ.setdefault("AIRFLOW_HOME", str(tmp_path_factory.mktemp("airflow")))
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS_DIR))


def test_dags_import_without_errors(dagbag):
    assert dagbag.import_errors == {}
    assert "chanjiao_monthly" in dagbag.dags


def test_dags_are_tagged_documented_and_retried(dagbag):
    for dag_id, dag in dagbag.dags.items():
        assert dag.tags, dag_id
        assert dag.doc_md, dag_id
        for task in dag.tasks:
            assert task.retries >= 1, f"{dag_id}.{task.task_id} has no retries"


def test_warehouse_writers_share_one_queue(dagbag):
    dag = dagbag.dags["chanjiao_monthly"]
    assert {t.task_id for t in dag.tasks if t.queue == "warehouse"} == {"ingest", "build"}


@pytest.mark.parametrize("path", DAG_FILES, ids=lambda p: p.name)
def test_parsing_imports_nothing_heavy(path):
    code = (f"import runpy, sys; runpy.run_path({str(path)!r}); "
            "print(','.join(m for m in ('pandas', 'duckdb', 'great_expectations', 'dbt', 'python_calamine') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1:] in ([], [""])


def test_period_of_a_scheduled_run_is_the_previous_month():
    import datetime as dt

    from chanjiao.calendar import period_for_run

    # 2026-01-05 08:00 in Shanghai is still 2026-01-05 00:00 UTC: the release covers December.
    assert period_for_run(dt.datetime(2026, 1, 5, 0, 0, tzinfo=dt.timezone.utc)) == "2025-12"
    assert period_for_run(dt.datetime(2026, 10, 31, 17, 0, tzinfo=dt.timezone.utc)) == "2026-10"  # 11-01 01:00 in Shanghai
