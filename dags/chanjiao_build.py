"""
### chanjiao_build — rebuild the warehouse when new data was accepted

Scheduled on the asset `chanjiao_raw` (updated by `chanjiao_ingest` when it accepted a file): one
`dbt build` (models and tests), then the read-only `marts.duckdb` copy is replaced; updates the asset
`chanjiao_marts`. Writes the warehouse: pool `chanjiao_warehouse`, queue `warehouse`, writer lock.
"""
from __future__ import annotations

import pendulum
from airflow.sdk import dag, task

from chanjiao.orchestration.assets import MARTS, RAW
from chanjiao.orchestration.defaults import DEFAULT_ARGS, TAGS, WAREHOUSE_WRITER


@dag(
    dag_id="chanjiao_build",
    schedule=[RAW],
    start_date=pendulum.datetime(2026, 1, 1, tz="Asia/Shanghai"),
    catchup=False,
    max_active_runs=1,  # one build reflects every event queued before it started
    tags=[*TAGS, "build"],
    default_args=DEFAULT_ARGS,
    doc_md=__doc__,
)
def chanjiao_build():
    @task(**WAREHOUSE_WRITER, outlets=[MARTS], multiple_outputs=False)
    def build() -> dict:
        from chanjiao import settings as config
        from chanjiao.app.build import build

        return build(config.load())

    build()


chanjiao_build()
