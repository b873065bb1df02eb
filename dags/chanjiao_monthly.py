"""
### chanjiao monthly cycle

Ingests the submissions waiting in the landing folder, builds the warehouse (one `dbt build`) and
publishes the indicator release for period P.

Runs on the 5th of each month (Asia/Shanghai) for the previous month: the run of 2026-11-05
publishes 2026-10. A manual run may name the period in its conf: `{"period": "2026-10"}`.
Every task is one call into the chanjiao package; the tasks that write the warehouse go to the
`warehouse` queue, which one worker serves (DuckDB allows one writer).
"""
from __future__ import annotations

import os

import pendulum
from airflow.sdk import Param, dag, task

WAREHOUSE = {"queue": "warehouse"}
# The embedded demo and the tests set 0 so a failure surfaces at once instead of after retry delays.
RETRIES = int(os.environ.get("CHANJIAO_TASK_RETRIES", "2"))


@dag(
    dag_id="chanjiao_monthly",
    schedule="0 8 5 * *",
    start_date=pendulum.datetime(2026, 1, 5, tz="Asia/Shanghai"),
    catchup=False,
    max_active_runs=1,
    tags=["chanjiao", "monthly", "release"],
    default_args={"retries": RETRIES, "retry_delay": pendulum.duration(minutes=5)},
    params={"period": Param(None, type=["null", "string"], pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="报告期 YYYY-MM; default: the month before the run")},
    doc_md=__doc__,
)
def chanjiao_monthly():
    @task
    def resolve_period(params=None, logical_date=None) -> str:
        from chanjiao.calendar import period_for_run

        return params.get("period") or period_for_run(logical_date)

    @task(**WAREHOUSE)
    def ingest(period: str) -> dict:
        from chanjiao.pipeline import ingest_landing

        return ingest_landing(period)

    @task(**WAREHOUSE)
    def build(ingested: dict) -> dict:
        from chanjiao.pipeline import build_warehouse

        return build_warehouse()

    @task
    def publish(period: str, built: dict) -> dict:
        from chanjiao.pipeline import publish_release

        return publish_release(period)

    period = resolve_period()
    publish(period, build(ingest(period)))


chanjiao_monthly()
