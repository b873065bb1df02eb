"""
### chanjiao_publish — the monthly release, on the release calendar

Runs on the publication day of the calendar (`chanjiao/calendar.yaml`: 08:00 on the 5th, Asia/Shanghai)
for the previous month; conf `{"period": "YYYY-MM"}` names another. `catchup=True` from the calendar's
first period, so missed months run, and past months can be backfilled.

A release is stamped with the real clock (manifest `published_at`), also when a run catches up. Only a
backfill that re-enacts a past calendar day says otherwise: conf `{"period": "YYYY-MM", "published_at":
"<ISO time with offset>"}` (e.g. the calendar's publication time of that day, as the demo's simulated
months do) stamps the new version with that time, so `--as-of` finds it as of that day. The manifest
keeps the real time as `written_at`. A `published_at` in the future, earlier than the previous version's,
or earlier than the receipt of a file the release is built from fails the `publish` task.

`build` rebuilds the warehouse only if loads or code changed since the last build (skipped otherwise);
`publish` writes `publications/P/vN/` only if what the release is built from changed (skipped
otherwise), so a late correction becomes v2 and a re-run writes nothing. In parallel, `watch_deadline`
waits until a version of P exists or the end of its publication day, and `check_deadline` sends the
deadline alert when none was published in time. A task that fails for good sends the failure alert.
"""
from __future__ import annotations

from airflow.sdk import Param, TriggerRule, dag, task
from airflow.timetables.trigger import CronTriggerTimetable

from chanjiao.orchestration.assets import MARTS, RELEASE
from chanjiao.orchestration.defaults import DEFAULT_ARGS, PERIOD_PARAM, SETTINGS, TAGS, WAREHOUSE_WRITER

CALENDAR = SETTINGS.calendar


@dag(
    dag_id="chanjiao_publish",
    schedule=CronTriggerTimetable(CALENDAR.cron(), timezone=CALENDAR.timezone),
    start_date=CALENDAR.start_date(),
    catchup=True,
    max_active_runs=1,  # months are published in order
    tags=[*TAGS, "release", "monthly"],
    default_args=DEFAULT_ARGS,
    params={"period": Param(None, **PERIOD_PARAM, description="报告期 YYYY-MM; default: the month before the run"),
            "published_at": Param(None, type=["null", "string"], format="date-time",
                                  description="backfill of a past calendar day only: the release's publication time (ISO, with offset); "
                                              "default: the real clock")},
    doc_md=__doc__,
)
def chanjiao_publish():
    @task
    def resolve_period(params=None, logical_date=None, ti=None) -> str:
        import datetime as dt

        # When the run really began (a backfill's logical date lies in the past): the deadline watch
        # only applies to runs that began before the deadline.
        ti.xcom_push(key="began_at", value=dt.datetime.now(dt.UTC).isoformat())
        return params.get("period") or CALENDAR.period_for_run(logical_date)

    @task(**WAREHOUSE_WRITER, outlets=[MARTS], multiple_outputs=False)
    def build(period: str) -> dict:
        from airflow.sdk.exceptions import AirflowSkipException

        from chanjiao import settings as config
        from chanjiao.app.build import build_if_stale

        result = build_if_stale(config.load())
        if result["status"] == "current":
            raise AirflowSkipException("the marts are current: built from the loads and code there are now")
        return result

    @task(outlets=[RELEASE], trigger_rule=TriggerRule.NONE_FAILED, multiple_outputs=False)
    def publish(period: str, params=None) -> dict:
        import datetime as dt

        from airflow.sdk.exceptions import AirflowSkipException

        from chanjiao import settings as config
        from chanjiao.app.publish import publish

        backfilled = params.get("published_at")
        result = publish(config.load(), period, dt.datetime.fromisoformat(backfilled) if backfilled else None)
        if result["status"] == "unchanged":
            raise AirflowSkipException(f"{period} {result['version']} is current: nothing to publish")
        return result

    # Reschedule mode: the sensor gives its worker slot back between looks.
    @task.sensor(poke_interval=SETTINGS.deadline_poke_seconds, timeout=3 * 24 * 3600, mode="reschedule")
    def watch_deadline(period: str) -> bool:
        from chanjiao import settings as config
        from chanjiao.orchestration.deadline import watch_done

        return watch_done(config.load(), period)

    @task(multiple_outputs=False)
    def check_deadline(period: str, ti=None) -> dict:
        import datetime as dt

        from chanjiao import settings as config
        from chanjiao.orchestration.deadline import check_deadline

        began_at = ti.xcom_pull(task_ids="resolve_period", key="began_at")
        return check_deadline(config.load(), period, dt.datetime.fromisoformat(began_at))

    period = resolve_period()
    build(period) >> publish(period)
    watch_deadline(period) >> check_deadline(period)


chanjiao_publish()
