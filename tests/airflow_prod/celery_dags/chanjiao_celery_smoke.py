"""
### Celery smoke test

One chanjiao task that writes the warehouse (creating its raw tables), routed like every warehouse
writer in production: queue `warehouse` and the 1-slot pool `chanjiao_warehouse`. Used only by
tests/airflow_prod/test_celery_smoke.py, never deployed.
"""
from __future__ import annotations

import pendulum
from airflow.sdk import dag, task


@dag(
    dag_id="chanjiao_celery_smoke",
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="Asia/Shanghai"),
    catchup=False,
    tags=["chanjiao", "test"],
    default_args={"retries": 0},
    doc_md=__doc__,
)
def chanjiao_celery_smoke():
    @task(queue="warehouse", pool="chanjiao_warehouse")
    def init_warehouse() -> dict:
        import os

        from chanjiao import settings
        from chanjiao.app import home

        config = settings.load()
        home.init(config)
        return {"warehouse": str(config.warehouse), "pid": os.getpid()}

    init_warehouse()


chanjiao_celery_smoke()
