"""The three chanjiao DAGs (dags/README.md) run by a real scheduler, dag-processor and api-server.

LocalExecutor, PostgreSQL metadata DB `chanjiao_airflow_test` (dropped and created each session), the
1-slot pool `chanjiao_warehouse`, our dags/ folder; runs are triggered through the REST API and the
airflow CLI, never with `dag.test()`. The tests share one cluster and one $CHANJIAO_HOME and build on
each other in file order: an ingest of three months (which schedules the build through its asset), a
backfill of those three months' releases, then two overlapping ingest runs.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import signal
import time
from pathlib import Path

import duckdb
import pytest

from chanjiao import settings as config
from chanjiao.demo.factory.hebi import city_month
from chanjiao.settings import DEFAULT_CALENDAR
from ingestion.period import Period
from tests.airflow_prod.cluster import AirflowCluster, postgres_error
from tests.airflow_prod.conftest import require
from tests.airflow_prod.fault_dags.chanjiao_ingest import KILLED

DATABASE = "chanjiao_airflow_test"
CHUNK_FILES = 3
SCHOOLS = 5  # five of the demo's schools: each month is 6 files (the city's register and five workbooks)



def _released_months() -> list[str]:
    """The last three months whose scheduled release time has passed: all inside the revision window,
    none in the future. (From the 1st to the 5th of a month, last month's release is not due yet, and a
    backfill cannot create a run scheduled in the future.)"""
    calendar = config.load({}).calendar
    now = dt.datetime.now(dt.UTC)
    latest = Period.containing(now).previous()
    while calendar.scheduled_at(str(latest)) > now:
        latest = latest.previous()
    return [str(latest.plus(-2)), str(latest.previous()), str(latest)]


PERIODS = _released_months()
LATEST = PERIODS[-1]
UNRELEASED = str(Period.parse(LATEST).next())  # the first month whose release is still due
FAULT_DAGS = Path(__file__).with_name("fault_dags")  # the shipped DAGs; ingest's load of KILLED pauses in its transaction


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    require(postgres_error())
    root = tmp_path_factory.mktemp("airflow_local")
    # The release calendar as shipped, except that publishing starts with the month after LATEST: its first
    # scheduled run lies in the future, so unpausing chanjiao_publish catches nothing up by itself and
    # every past month's run in this test comes from the backfill.
    calendar = root / "calendar.yaml"
    calendar.write_text(re.sub(r'(?m)^first_period: .*$', f'first_period: "{UNRELEASED}"', DEFAULT_CALENDAR.read_text(encoding="utf-8")), encoding="utf-8")
    assert f'first_period: "{UNRELEASED}"' in calendar.read_text(encoding="utf-8")
    cluster = AirflowCluster(root, DATABASE, root / "chanjiao", extra_env={
        "CHANJIAO_CALENDAR": str(calendar),
        "CHANJIAO_INGEST_CHUNK_FILES": str(CHUNK_FILES),
        "CHANJIAO_DEADLINE_POKE_SECONDS": "5",
    }, dags_folder=FAULT_DAGS)  # the load of KILLED stops in its transaction, for the test that kills the task there
    with cluster:
        cluster.wait_parsed(["chanjiao_ingest", "chanjiao_build", "chanjiao_publish"])
        yield cluster


def loads(cluster: AirflowCluster) -> list[tuple]:
    """(sha256, status, period, file_name) of every ledger row; read only while no writer runs."""
    with duckdb.connect(str(cluster.chanjiao_home / "warehouse.duckdb"), read_only=True) as con:
        return con.execute("select sha256, status, period, file_name from raw.loads order by ingested_at").fetchall()


def settle(cluster: AirflowCluster, timeout: float = 1800) -> None:
    """Wait until no run of any DAG is queued or running, twice in a row 20 s apart (an asset event may
    create a build run just after an ingest ends), so the warehouse can be read without a writer."""
    deadline = time.monotonic() + timeout
    quiet = 0
    while quiet < 2:
        assert time.monotonic() < deadline, (f"runs still active after {timeout} s: "
                                             f"{cluster.query('select dag_id, run_id, state from dag_run where state not in (%s, %s)', ('success', 'failed'))}")
        cluster.check_alive()
        active = cluster.query("select count(*) from dag_run where state not in ('success', 'failed')")[0][0]
        quiet = quiet + 1 if active == 0 else 0
        time.sleep(10 if quiet else 3)
    failed = cluster.query("select dag_id, run_id from dag_run where state = 'failed'")
    assert not failed, f"failed runs: {failed}\n" + "\n".join(cluster.task_logs(d) for d in {d for d, _ in failed})


def clear_of_the_schedule(cluster: AirflowCluster, needed: float = 300) -> None:
    """Before files for LATEST land at the top of landing: chanjiao_ingest runs every quarter hour for the
    month before its date, which on the 1st to the 5th of a month is not LATEST (see _released_months),
    so a scheduled run taking those files would reject them for their period. If the next quarter hour
    comes sooner than the `needed` seconds, wait until it has passed and its run has finished. On other
    days scheduled runs collect LATEST too, and taking some of the files is theirs to do."""
    if config.load({}).calendar.period_for_run(dt.datetime.now(dt.UTC)) == LATEST:
        return
    to_next = 900 - time.time() % 900
    if to_next < needed:
        time.sleep(to_next + 15)
        cluster.wait_runs("chanjiao_ingest", len(cluster.runs("chanjiao_ingest")), timeout=600)


def test_asset_triggered_build_follows_an_ingest(cluster):
    landing = cluster.chanjiao_home / "landing"
    cluster.unpause("chanjiao_build")
    # Unpausing may start the scheduled run of the last quarter hour; it must find landing empty, and
    # later quarter-hour runs may share the work with the runs triggered here: every assertion below
    # holds however the files are split between runs.
    cluster.unpause("chanjiao_ingest")
    time.sleep(15)
    cluster.wait_runs("chanjiao_ingest", len(cluster.runs("chanjiao_ingest")), timeout=600)
    clear_of_the_schedule(cluster)
    # The latest month at the top of landing (the run's collection period), the two before it as late
    # submissions in landing/YYYY-MM/.
    files = city_month(landing, LATEST, SCHOOLS)
    for period in PERIODS[:-1]:
        files += city_month(landing / period, period, SCHOOLS)
    expected = {sha256(f) for f in files}
    run_id = cluster.trigger("chanjiao_ingest", conf={"period": LATEST})
    cluster.wait_run("chanjiao_ingest", run_id, timeout=1200)

    states = cluster.task_states("chanjiao_ingest", run_id)
    chunks = [t for t in states if t.startswith("ingest_chunk[")]
    planned = cluster.xcom("chanjiao_ingest", run_id, "find_files")
    assert len(chunks) == len(planned) > 1  # one mapped task per chunk
    assert all(len(chunk["files"]) <= CHUNK_FILES for chunk in planned)
    assert set(states[t] for t in chunks) == {"success"} and states["announce"] == "success"
    summary = cluster.xcom("chanjiao_ingest", run_id, "announce")
    assert summary["accepted"] > 0 and set(summary["periods"]) <= set(PERIODS)
    assert not any(p.is_file() for p in landing.rglob("*"))

    # announce updated the asset chanjiao_raw, and that event scheduled a chanjiao_build run.
    deadline = time.monotonic() + 300
    while not (triggered := cluster.query(
            "select dag_run.run_id from dag_run join dagrun_asset_event on dag_run.id = dagrun_asset_event.dag_run_id "
            "join asset_event on asset_event.id = dagrun_asset_event.event_id join asset on asset.id = asset_event.asset_id "
            "where dag_run.dag_id = 'chanjiao_build' and asset.uri = 'chanjiao://warehouse/raw' "
            "and asset_event.source_dag_id = 'chanjiao_ingest' and asset_event.source_run_id = %s", (run_id,))):
        assert time.monotonic() < deadline, "no chanjiao_build run consumed the asset event of the ingest run"
        time.sleep(2)
    build = cluster.wait_run("chanjiao_build", triggered[0][0], timeout=1200)
    [(announced,)] = cluster.query("select end_date from task_instance where dag_id = 'chanjiao_ingest' and run_id = %s "
                                   "and task_id = 'announce'", (run_id,))
    assert build["run_type"] == "asset_triggered" and build["start_date"] >= announced
    assert cluster.task_states("chanjiao_build", build["run_id"]) == {"build": "success"}
    settle(cluster)
    assert sorted(sha for sha, status, _, _ in loads(cluster) if status == "accepted") == sorted(expected)
    with duckdb.connect(str(cluster.chanjiao_home / "marts.duckdb"), read_only=True) as con:
        built = {p for (p,) in con.execute("select distinct period from marts.fct_indicator_value").fetchall()}
    assert set(PERIODS) <= {str(p)[:7] for p in built}


def test_backfill_of_three_months_publishes_three_releases(cluster):
    calendar = config.load({}).calendar
    first, last = calendar.scheduled_at(PERIODS[0]), calendar.scheduled_at(PERIODS[-1])
    cluster.unpause("chanjiao_publish")
    cluster.airflow("backfill", "create", "--dag-id", "chanjiao_publish",
                    "--from-date", first.isoformat(), "--to-date", last.isoformat())
    runs = cluster.wait_runs("chanjiao_publish", 3, timeout=1800, where=lambda r: r["backfill_id"] is not None)
    assert sorted(r["logical_date"] for r in runs) == [calendar.scheduled_at(p) for p in PERIODS]
    assert {r["run_type"] for r in runs} == {"backfill"}
    assert len(cluster.runs("chanjiao_publish")) == 3  # nothing besides the backfill ran

    publications = cluster.chanjiao_home / "publications"
    assert set(PERIODS) <= {p.name for p in publications.iterdir() if p.is_dir()}
    for run in runs:
        period = calendar.period_for_run(run["logical_date"])
        assert cluster.xcom("chanjiao_publish", run["run_id"], "publish")["version"] == "v1"
        manifest = json.loads((publications / period / "v1" / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["period"] == period
        schools = [load for load in manifest["loads"] if load["kind"] == "school_workbook"]
        assert {load["period"] for load in schools} == {period} and len(schools) == SCHOOLS


def test_two_overlapping_ingest_runs_load_each_file_once(cluster):
    landing = cluster.chanjiao_home / "landing"
    settle(cluster)
    before = loads(cluster)
    builds_before = len(cluster.runs("chanjiao_build"))
    # A second batch for the latest month: three more schools, and new bytes (revisions) for the others.
    clear_of_the_schedule(cluster)
    dropped = dt.datetime.now(dt.UTC)
    files = city_month(landing, LATEST, SCHOOLS + 3, tag="(第二批)")
    expected = {sha256(f) for f in files}

    first = cluster.trigger("chanjiao_ingest", conf={"period": LATEST})
    second = cluster.trigger("chanjiao_ingest", conf={"period": LATEST})
    runs = {r["run_id"]: r for r in cluster.wait_runs("chanjiao_ingest", 2, timeout=1800, where=lambda r: r["run_id"] in (first, second))}
    a, b = runs[first], runs[second]
    assert a["start_date"] < b["end_date"] and b["start_date"] < a["end_date"]  # they really overlapped

    # Each file was taken by exactly one run (any other run that listed it found it gone: `vanished`).
    settle(cluster)
    later = [r["run_id"] for r in cluster.runs("chanjiao_ingest") if r["start_date"] >= dropped]
    taken = [o["file"] for run_id in later for o in cluster.ingest_outcomes(run_id) if o["status"] != "vanished"]
    assert sorted(taken) == sorted(f.name for f in files)
    assert not any(landing.glob("*.xlsx"))

    assert len(cluster.runs("chanjiao_build")) > builds_before  # the accepted files were built
    new = loads(cluster)[len(before):]
    assert sorted(sha for sha, status, _, _ in new if status == "accepted") == sorted(expected)
    everything = [sha for sha, status, _, _ in loads(cluster) if status == "accepted"]
    assert len(everything) == len(set(everything))  # the warehouse holds each accepted file once


def test_a_chunk_killed_midway_reports_and_announces_what_it_committed_when_run_again(cluster, tmp_path):
    """The task dies (SIGKILL) after committing one file and inside the next one's transaction. Cleared, as an
    operator (or a retry) runs it again, it reports the first as accepted — not `vanished`, although an earlier
    try took it out of landing — and `announce` updates the asset, so the build follows. Nothing is
    loaded twice and the killed transaction left nothing."""
    landing = cluster.chanjiao_home / "landing"
    settle(cluster)
    before = loads(cluster)
    clear_of_the_schedule(cluster)
    dropped = dt.datetime.now(dt.UTC)
    # The workbook of a school that has not reported yet (accepted), then a file that is rejected, last in
    # arrival order: its load is where the task is killed.
    workbook = city_month(tmp_path / "batch", LATEST, SCHOOLS + 4, tag="(第三批)")[-1]
    good = [Path(shutil.move(workbook, landing / workbook.name))]
    killed = landing / KILLED
    killed.write_text("这不是一张报表\n", encoding="utf-8")
    expected = [sha256(f) for f in good]
    assert len(good) + 1 <= CHUNK_FILES  # one chunk: the kill interrupts the task holding both

    cluster.trigger("chanjiao_ingest", conf={"period": LATEST})
    marker = cluster.chanjiao_home / "paused-in_transaction"
    deadline = time.monotonic() + 600
    while not marker.exists():
        assert time.monotonic() < deadline, "no ingest reached the pause point\n" + cluster.task_logs("chanjiao_ingest")
        cluster.check_alive()
        time.sleep(0.5)
    os.kill(int(marker.read_text()), signal.SIGKILL)
    # The run whose chunk was killed (a scheduled quarter-hour run may have been the one to take the files).
    while not (failed := cluster.query("select run_id from task_instance where dag_id = 'chanjiao_ingest' and task_id = 'ingest_chunk' "
                                       "and state = 'failed' and start_date >= %s", (dropped,))):
        assert time.monotonic() < deadline, "the killed task was not marked failed"
        time.sleep(1)
    [(run_id,)] = failed
    with pytest.raises(AssertionError, match="runs failed"):
        cluster.wait_run("chanjiao_ingest", run_id, timeout=600)  # red: chunks_failed keeps it so
    assert not [f for f in good if f.exists()], "committed files must have left landing"

    cluster.api("POST", "/api/v2/dags/chanjiao_ingest/clearTaskInstances",
                {"dry_run": False, "dag_run_id": run_id, "task_ids": ["ingest_chunk"], "include_downstream": True, "only_failed": False})
    cluster.wait_run("chanjiao_ingest", run_id, timeout=900)
    try_number = cluster.query("select try_number from task_instance where dag_id = 'chanjiao_ingest' and run_id = %s "
                               "and task_id = 'ingest_chunk'", (run_id,))
    assert try_number == [(2,)]
    outcomes = {o["file"]: o["status"] for o in cluster.ingest_outcomes(run_id)}
    assert outcomes == {**{f.name: "accepted" for f in good}, KILLED: "rejected"}
    assert cluster.xcom("chanjiao_ingest", run_id, "announce")["accepted"] == len(good)
    assert cluster.query("select count(*) from asset_event join asset on asset.id = asset_event.asset_id "
                         "where asset.uri = 'chanjiao://warehouse/raw' and asset_event.source_run_id = %s", (run_id,)) == [(1,)]

    settle(cluster)
    marker.unlink()
    new = loads(cluster)[len(before):]
    assert sorted(sha for sha, status, _, _ in new if status == "accepted") == sorted(expected)
    assert [name for _, status, _, name in new if status == "rejected"] == [KILLED]  # once: the killed transaction left no row
