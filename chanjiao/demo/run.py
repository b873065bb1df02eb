"""Run the demo: three months of 鹤壁市 through the three Airflow DAGs (`airflow dags test`, SQLite
metadata DB under $CHANJIAO_HOME), then a late correction of the first month, which publishes its v2.
The months are in the past: each publish run is a backfill of its calendar day, so its release carries
that day's publication time (conf `published_at`), and `--as-of` answers as of the demo's days.

Each month's three runs share one Airflow process (chanjiao.demo.airflow_runner): under load, starting
Airflow and importing GX cost as much as the work itself."""
from __future__ import annotations

import contextlib
import csv
import dataclasses
import datetime as dt
import json
import logging
import subprocess
import sys
import time
from pathlib import Path

from chanjiao.app import home as home_use_cases
from chanjiao.app.read import indicators, query, status
from chanjiao.demo.airflow_runner import MARKER
from chanjiao.demo.generate import CITY, LATE_PERIOD, PERIOD, PERIODS, generate, generate_late_correction
from chanjiao.indicators import format_table
from chanjiao.lineage.openlineage import airflow_environment
from chanjiao.orchestration.defaults import POOL
from chanjiao.publication.csv_files import WITHHELD
from chanjiao.publication.release import versions
from chanjiao.settings import DAGS_DIR, Settings
from ingestion import regions

log = logging.getLogger(__name__)
# A fixed key for the demo's synthetic people only; real deployments must set CHANJIAO_PII_KEY.
DEMO_PII_KEY = "chanjiao-demo-key-not-for-real-data"
LATE_INGEST_AT = "2026-11-10T10:15:00+08:00"  # when the late correction is picked up


def airflow_env(settings: Settings) -> dict[str, str]:
    """Airflow for the embedded demo: SQLite metadata DB under $CHANJIAO_HOME, our dags/ folder."""
    home = settings.airflow_home
    return settings.child_env(**{
        # OpenLineage events of the DAG runs, beside dbt's, for the auditors' lineage (chanjiao.lineage)
        **airflow_environment(settings.home),
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_DIR),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
        "CHANJIAO_TASK_RETRIES": str(settings.task_retries or 0),
        # The demo writes landing whole before it runs ingest: nothing there is still being uploaded.
        "CHANJIAO_LANDING_SETTLE_SECONDS": "0",
    })


def demo_log(settings: Settings) -> Path:
    """Where a quiet demo writes Airflow's, dbt's and the tasks' logs (`chanjiao demo --verbose` shows them)."""
    return settings.home / "demo.log"


def _where(log_to) -> str:
    return "above" if log_to in (None, sys.stderr) else f"in {log_to.name}"


def _airflow(settings: Settings, *args: str, log_to=None) -> float:
    exe = Path(sys.executable).with_name("airflow")
    started = time.monotonic()
    result = subprocess.run([str(exe), *args], env=airflow_env(settings), stdout=log_to or sys.stderr, stderr=subprocess.STDOUT)
    seconds = time.monotonic() - started
    log.debug("airflow %s: exit %d in %.1f s", " ".join(args[:3]), result.returncode, seconds)
    if result.returncode != 0:
        raise RuntimeError(f"`airflow {' '.join(args)}` failed with exit {result.returncode}; its output is {_where(log_to)}")
    return seconds


def prepare_airflow(settings: Settings, log_to=None) -> None:
    """Metadata DB and the one-slot pool the warehouse writers use (docker-compose's init does the same)."""
    settings.airflow_home.mkdir(parents=True, exist_ok=True)
    _airflow(settings, "db", "migrate", log_to=log_to)
    _airflow(settings, "pools", "set", POOL, "1", "DuckDB warehouse: one writer at a time", log_to=log_to)


def run_dags(settings: Settings, steps: list[dict], log_to=None) -> list[dict]:
    """Run DAGs one after another as `airflow dags test` does, in one Airflow process (airflow_runner).
    Airflow's and the tasks' logs go to `log_to` (default stderr); one line per DAG run is logged."""
    started = time.monotonic()
    sink = log_to or sys.stderr
    runner = subprocess.Popen([sys.executable, "-m", "chanjiao.demo.airflow_runner", json.dumps(steps)], env=airflow_env(settings),
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace")
    results = []
    for line in runner.stdout:  # stdout stays the result's
        if line.startswith(MARKER):
            results.append(json.loads(line[len(MARKER):]))
            log.info("%s %s: %s in %.1f s", results[-1]["dag_id"], results[-1]["logical_date"], results[-1]["state"], results[-1]["seconds"])
        else:
            sink.write(line)
    if runner.wait() != 0:
        # the run that reported failure, or the one that was running when the process died
        failed = results[-1] if results and results[-1]["state"] != "success" else steps[min(len(results), len(steps) - 1)]
        raise RuntimeError(f"the DAG run {failed['dag_id']} {failed['logical_date']} failed; its log is {_where(log_to)}")
    log.info("%d DAG runs in %.1f s", len(results), time.monotonic() - started)
    return results


def run_dag(settings: Settings, dag_id: str, run_date: str, period: str | None = None) -> dict:
    return run_dags(settings, [step(dag_id, run_date, period)])[0]


def step(dag_id: str, run_date: str, period: str | None = None, **conf: str) -> dict:
    conf = {**({"period": period} if period else {}), **conf}
    return {"dag_id": dag_id, "logical_date": run_date, **({"conf": conf} if conf else {})}


def backfilled_publish(run_date: str, period: str) -> dict:
    """A publish run that re-enacts a past calendar day: its release carries the run's logical date as its
    publication time (conf published_at, see dags/chanjiao_publish.py), not the real clock, so `--as-of`
    answers as of the demo's simulated days. On a machine whose clock has not reached that day, the real
    clock (publish refuses a publication time in the future)."""
    if dt.datetime.fromisoformat(run_date) > dt.datetime.now(dt.UTC):
        return step("chanjiao_publish", run_date, period)
    return step("chanjiao_publish", run_date, period, published_at=run_date)


def month_cycle(settings: Settings, period: str) -> list[dict]:
    """A month as production runs it: submissions are ingested, the warehouse built (the asset event
    schedules it), the release published on the calendar's publication day (and stamped with it)."""
    release_at = settings.calendar.scheduled_at(period)
    collected_at = (release_at - dt.timedelta(days=1)).replace(hour=18, minute=0).isoformat()  # after the collection deadline
    return [step("chanjiao_ingest", collected_at, period), step("chanjiao_build", collected_at),
            backfilled_publish(release_at.isoformat(), period)]


def _city_values(settings: Settings, period: str, version: str, indicator: str = "dual_teacher_ratio") -> dict[str, str]:
    path = settings.publications / period / version / "indicators.csv"
    with path.open(encoding="utf-8-sig") as fh:
        return {r["region"]: r["value"] for r in csv.DictReader(fh) if r["indicator"] == indicator}


def run_demo(settings: Settings, json_output: bool = False, verbose: bool = False) -> dict:
    """The demo's cycle. Quiet unless `verbose`: Airflow's, dbt's and the tasks' logs go to demo_log()
    and the terminal gets one line per step."""
    started = time.monotonic()
    if settings.pii_key is None:
        settings = dataclasses.replace(settings, pii_key=DEMO_PII_KEY.encode())
    home_use_cases.init(settings)
    with contextlib.ExitStack() as stack:
        log_to = None if verbose else stack.enter_context(demo_log(settings).open("a", encoding="utf-8"))
        if log_to is not None:
            log.info("logs of Airflow, dbt and the tasks: %s (`chanjiao demo --verbose` shows them)", log_to.name)
        prepare_airflow(settings, log_to)
        runs = []
        for period in PERIODS:
            files = generate(settings.landing, period)
            log.info("%s: %d sample submissions for 鹤壁市 written into %s", period, len(files), settings.landing)
            runs += run_dags(settings, month_cycle(settings, period), log_to)
        # After 2026-10 is out, a school corrects 2026-08: the next ingest run picks it up from
        # landing/2026-08/, the build follows, and publishing 2026-08 again makes its v2.
        late = generate_late_correction(settings.landing, LATE_PERIOD)
        log.info("late correction for %s: %s", LATE_PERIOD, late.name)
        runs += run_dags(settings, [step("chanjiao_ingest", LATE_INGEST_AT), step("chanjiao_build", LATE_INGEST_AT),
                                    backfilled_publish(LATE_INGEST_AT, LATE_PERIOD)], log_to)
    seconds = round(time.monotonic() - started, 1)

    # The headline indicators (the catalogue's is_headline) of the city and its counties, every one with data
    headline = {code for (code,) in query(settings, "select indicator_code from marts.dim_indicator where is_headline")[1]}
    values, fractions = indicators(settings, PERIOD)
    rows = [r for r in values if regions.city_of(r["region"]) == CITY and r["indicator"] in headline]
    collection = status(settings, PERIOD)
    received = collection["submitters"]
    summary = (f"收到 {sum(r['received'] for r in received)} 个文件：{sum(r['accepted'] for r in received)} 个入库，"
               f"{sum(r['rejected'] for r in received)} 个退回（原因见 {settings.quarantine / PERIOD}），"
               f"{sum(r['duplicates'] for r in received)} 个重复")
    expected = [f for f in collection["frame"] or [] if f["is_expected"]]
    missing = "、".join(f["submitter_name"] or f["submitter_code"] for f in expected if f["collection_state"] == "missing") or "无"
    late_ones = "、".join(f["submitter_name"] or f["submitter_code"] for f in expected if f["late"]) or "无"
    deadline = dt.datetime.fromisoformat(collection["collection_deadline"]) - dt.timedelta(microseconds=1)
    frame = (f"填报单位名录：应报 {len(expected)}，已接收 {sum(f['collection_state'] == 'accepted' for f in expected)}；"
             f"未报：{missing}；逾期报送（截止 {deadline:%Y-%m-%d} 24:00）：{late_ones}")
    releases = {p: [v.name for v in versions(settings, p)] for p in PERIODS}

    def stamped(period: str, version: str) -> str:  # the publication time the manifest carries
        manifest = json.loads((settings.publications / period / version / "manifest.json").read_text(encoding="utf-8"))
        return f"{version}（{dt.datetime.fromisoformat(manifest['published_at']).astimezone(settings.calendar.tz):%m-%d %H:%M}）"

    released = "，".join(f"{p} {'/'.join(stamped(p, v) for v in vs)}" for p, vs in releases.items())
    revision = ""
    if len(releases[LATE_PERIOD]) >= 2:
        before, after = (_city_values(settings, LATE_PERIOD, v) for v in releases[LATE_PERIOD][-2:])

        def shown(value: str | None) -> str:  # as published: a withheld small cell stays "x"
            return f"{value}%" if value not in (None, WITHHELD) else f"{value}（小单元格，公开发布不予公布）"

        revision = (f"\n迟报更正：{late.name} → {LATE_PERIOD} {releases[LATE_PERIOD][-1]}；双师型教师占比 浚县(410621) "
                    f"{shown(before.get('410621'))} → {shown(after.get('410621'))}，鹤壁市 {shown(before.get(CITY))} → {shown(after.get(CITY))}")
    table = (f"鹤壁市 {PERIOD} 产教融合核心指标\n{summary}\n{frame}\n发布（{settings.publications}）：{released}{revision}\n"
             f"三个月经 Airflow（chanjiao_ingest → chanjiao_build → chanjiao_publish）运行，用时 {seconds:.0f} 秒\n\n" + format_table(rows, fractions))
    log.info("demo: %d DAG runs in %.1f s", len(runs), seconds)
    return {"indicators": rows, "table": table, "releases": releases, "seconds": seconds, "runs": runs}
