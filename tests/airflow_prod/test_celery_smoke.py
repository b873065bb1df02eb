"""One chanjiao task through the CeleryExecutor, as docker-compose.yml runs it.

The scheduler sends the task to the local Redis broker (db 5); the only worker is `airflow celery worker
--queues warehouse --concurrency 1` (compose's airflow-worker-warehouse), with its results in the
PostgreSQL result backend `chanjiao_airflow_celery`, which is also the metadata DB (as in compose).
"""
from __future__ import annotations

import time
from pathlib import Path

import duckdb
import pytest

from tests.airflow_prod.cluster import PG_HOST, PG_PORT, PG_USER, REDIS_URL, AirflowCluster, postgres_error, redis_error
from tests.airflow_prod.conftest import require

DATABASE = "chanjiao_airflow_celery"
REDIS_DB = 5
DAG_ID = "chanjiao_celery_smoke"


@pytest.fixture(scope="module")
def celery_cluster(tmp_path_factory):
    require(postgres_error())
    require(redis_error(REDIS_DB))
    import redis

    redis.Redis.from_url(f"{REDIS_URL}/{REDIS_DB}").flushdb()  # no task left queued by an earlier session
    root = tmp_path_factory.mktemp("airflow_celery")
    cluster = AirflowCluster(root, DATABASE, root / "chanjiao", executor="CeleryExecutor",
                             dags_folder=Path(__file__).parent / "celery_dags",
                             extra_env={"AIRFLOW__CELERY__BROKER_URL": f"{REDIS_URL}/{REDIS_DB}",
                                        "AIRFLOW__CELERY__RESULT_BACKEND": f"db+postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/{DATABASE}",
                                        "AIRFLOW__CELERY__WORKER_CONCURRENCY": "1"})
    with cluster:
        cluster.spawn("celery-worker")
        cluster.wait_parsed([DAG_ID])
        yield cluster


def celery_results(cluster) -> list[str]:
    # Celery creates its table with the first result.
    if cluster.query("select to_regclass('celery_taskmeta') is null")[0][0]:
        return []
    return [s for (s,) in cluster.query("select status from celery_taskmeta")]


def test_task_runs_on_the_warehouse_worker(celery_cluster):
    cluster = celery_cluster
    cluster.unpause(DAG_ID)
    run_id = cluster.trigger(DAG_ID)
    cluster.wait_run(DAG_ID, run_id, timeout=600)

    [(state, queue, pool, executor)] = cluster.query(
        "select state, queue, pool, executor from task_instance where dag_id = %s and run_id = %s", (DAG_ID, run_id))
    assert (state, queue, pool) == ("success", "warehouse", "chanjiao_warehouse")
    assert executor in (None, "CeleryExecutor")  # None: the default executor, which is Celery here
    # The task went through Celery: its result is in the Celery result backend, and the worker logged it.
    # The worker stores the Celery result after the task has reported success through the Execution API.
    deadline = time.monotonic() + 120
    # STARTED until the worker has stored the result: wait for a final state, not just any state
    while not ((statuses := celery_results(cluster)) and set(statuses) <= {"SUCCESS", "FAILURE"}) and time.monotonic() < deadline:
        time.sleep(2)
    assert statuses == ["SUCCESS"]
    worker_log = (cluster.root / "celery-worker.log").read_text(errors="replace")
    assert "received" in worker_log and "succeeded" in worker_log
    # …and it did its chanjiao work: the warehouse exists with its raw tables.
    with duckdb.connect(str(cluster.chanjiao_home / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from information_schema.tables where table_schema = 'raw'").fetchone()[0] > 0
