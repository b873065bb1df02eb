"""
### chanjiao_ingest — take in what waits in the landing folder

Every 15 minutes: `find_files` lists `$CHANJIAO_HOME/landing` and splits the files that have settled into chunks (skipped when
there are none; a file still being uploaded waits for a later run); `ingest_chunk` runs once per chunk — archive, read in crash-isolated workers, gate
(Great Expectations), load or quarantine, one outcome per file; `announce` updates the asset
`chanjiao_raw` when anything was accepted, which schedules `chanjiao_build`.

Files at the top of landing belong to the collection period (conf `period`, default the month before
the run); files in `landing/YYYY-MM/` are late corrections for that period. `ingest_chunk` writes the
warehouse: pool `chanjiao_warehouse` (1 slot), queue `warehouse`, and the writer file lock the CLI takes
too, so overlapping runs queue instead of colliding; a file another run took meanwhile is `vanished`.
"""
from __future__ import annotations

import pendulum
from airflow.sdk import Param, TriggerRule, dag, task
from airflow.timetables.trigger import CronTriggerTimetable

from chanjiao.orchestration.assets import RAW
from chanjiao.orchestration.defaults import DEFAULT_ARGS, PERIOD_PARAM, TAGS, WAREHOUSE_WRITER


@dag(
    dag_id="chanjiao_ingest",
    schedule=CronTriggerTimetable("*/15 * * * *", timezone="Asia/Shanghai"),
    start_date=pendulum.datetime(2026, 1, 1, tz="Asia/Shanghai"),
    catchup=False,  # landing is a folder, not a time series: one run sees everything that waits
    tags=[*TAGS, "ingest"],
    default_args=DEFAULT_ARGS,
    params={"period": Param(None, **PERIOD_PARAM, description="报告期 YYYY-MM for files at the top of landing; default: the month before the run")},
    doc_md=__doc__,
)
def chanjiao_ingest():
    @task
    def find_files(params=None, logical_date=None) -> list[dict]:
        from airflow.sdk.exceptions import AirflowSkipException

        from chanjiao import settings as config
        from chanjiao.app.ingest import find_files

        settings = config.load()
        chunks = find_files(settings, params.get("period") or settings.calendar.period_for_run(logical_date))
        if not chunks:
            raise AirflowSkipException("no file in landing is ready (landing is empty, or every file in it is still being written)")
        return chunks

    @task(**WAREHOUSE_WRITER)
    def ingest_chunk(chunk: dict, ti=None) -> list[dict]:
        from chanjiao import settings as config
        from chanjiao.app.ingest import ingest_chunk

        # a later try reports what an earlier one committed before it died (retry or clear)
        return ingest_chunk(config.load(), chunk, retry=ti.try_number > 1)

    # Runs even when a chunk failed, so what the other chunks accepted still reaches the build.
    @task(outlets=[RAW], trigger_rule=TriggerRule.ALL_DONE, multiple_outputs=False)
    def announce(outcomes) -> dict:
        from airflow.sdk.exceptions import AirflowSkipException

        from chanjiao.app.ingest import summarise

        # by index: iterating the lazy sequence probes one past its end and logs that as an error
        summary = summarise([outcomes[i] for i in range(len(outcomes))])
        if not summary["accepted"]:
            raise AirflowSkipException(f"nothing accepted: {summary}")  # no asset event, no build
        return summary

    # announce succeeds even when a chunk failed; this leaf keeps such a run red. Its own failure is no
    # news (the chunk's failure alert went out already), hence no callback.
    @task(trigger_rule=TriggerRule.ONE_FAILED, on_failure_callback=None, retries=0)
    def chunks_failed() -> None:
        raise RuntimeError("at least one ingest_chunk failed; see its log")

    outcomes = ingest_chunk.expand(chunk=find_files())
    announce(outcomes)
    outcomes >> chunks_failed()


chanjiao_ingest()
