"""Two chanjiao_ingest runs over the same landing folder at the same time, each a real `airflow dags
test` process: both finish, and the warehouse holds each accepted file once."""
from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from chanjiao.app import home as home_use_cases
from chanjiao.demo.generate import PERIOD, generate
from chanjiao.demo.run import airflow_env, prepare_airflow
from chanjiao.settings import Settings
from tests.conftest import PII_KEY

pytestmark = pytest.mark.airflow


def test_two_overlapping_ingest_runs(tmp_path):
    settings = Settings(home=tmp_path / "home", pii_key=PII_KEY.encode())
    home_use_cases.init(settings)
    files = generate(settings.landing, PERIOD)  # the demo's headline month: 3 files the gate rejects, the others good
    good = len(files) - 3
    prepare_airflow(settings)
    # Each run gets its own metadata DB (a copy of the migrated one): SQLite takes one Airflow writer, and
    # what is under test is the warehouse, which both runs share.
    second_home = tmp_path / "airflow2"
    shutil.copytree(settings.airflow_home, second_home)
    exe = Path(sys.executable).with_name("airflow")
    runs = []
    for airflow_home in (settings.airflow_home, second_home):
        env = {**airflow_env(settings), "AIRFLOW_HOME": str(airflow_home),
               "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{airflow_home / 'airflow.db'}",
               "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(airflow_home / "logs"), "CHANJIAO_INGEST_CHUNK_FILES": "4"}
        # Logs to files, not pipes: a run blocked on a full pipe while holding the lock would stall the other.
        log = (airflow_home / "dags-test.log").open("w")
        runs.append((subprocess.Popen([str(exe), "dags", "test", "chanjiao_ingest", "2026-11-04T18:00:00+08:00",
                                       "--conf", json.dumps({"period": PERIOD})], env=env, stdout=log, stderr=subprocess.STDOUT), log))
    for run, log in runs:
        run.wait(timeout=1200)
        log.close()
    outputs = [(home / "dags-test.log").read_text(errors="replace") for home in (settings.airflow_home, second_home)]
    summaries = []
    for airflow_home, output in zip((settings.airflow_home, second_home), outputs):
        with sqlite3.connect(airflow_home / "airflow.db") as db:
            states = db.execute("select task_id, map_index, state from task_instance where dag_id = 'chanjiao_ingest'").fetchall()
            run_state = db.execute("select state from dag_run where dag_id = 'chanjiao_ingest'").fetchone()[0]
            summary = db.execute("select value from xcom where task_id = 'announce' and key = 'return_value'").fetchone()
        assert run_state == "success", (states, output[-3000:])
        assert all(state in ("success", "skipped") for _, _, state in states), states
        assert len([s for s in states if s[0] == "ingest_chunk"]) == -(-len(files) // 4)  # in chunks of 4
        summaries.append(json.loads(summary[0]) if summary else None)
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        ledger = con.execute("select sha256, status, count(*) from raw.loads group by all").fetchall()
        loaded = con.execute("select sum(row_count) from raw.loads where status = 'accepted'").fetchone()[0]
        tables = [t for (t,) in con.execute("select table_name from information_schema.tables where table_schema = 'raw' and table_name <> 'loads'").fetchall()]
        in_tables = sum(con.execute(f"select count(*) from raw.{t}").fetchone()[0] for t in tables)
    # every file has exactly one outcome in the ledger: none is loaded twice, none lost
    assert sorted(count for _, _, count in ledger) == [1] * len(files)
    statuses = [status for _, status, _ in ledger]
    assert statuses.count("accepted") == good and statuses.count("rejected") == 3
    assert loaded > 0 and in_tables == loaded  # the raw tables hold each accepted file's rows once
    assert not [p for p in settings.landing.rglob("*") if p.is_file()]
    # between them the two runs accepted each good file once; whatever one took, the other found vanished
    assert sum(s["accepted"] for s in summaries if s) == good
