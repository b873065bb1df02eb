"""Faults that cannot pass by luck: the loader killed inside its transaction, killed between archiving
and committing, and a full disk. Each leaves every raw table exactly as it was and the file in landing;
the next run succeeds."""
from __future__ import annotations

import hashlib
import os
import resource
import signal
import subprocess
import time

import duckdb
import pytest

from chanjiao.demo import factory as fx
from tests.conftest import CLI, PII_KEY, make_uscc, run_cli
from tests.faults import ROOT, ingest_command

PERIOD = "2026-10"


def workbook(code: str, teachers: int) -> dict:
    return fx.school(code, f"学校{code}", "410622", "中职", PERIOD,
                     [{"teacher_id": f"T{i:05d}", "teacher_name": f"教师{i}", "is_professional": True, "is_dual_qualified": i % 3 == 0,
                       "employment_type": "专任", "practice_days_12m": 10, "practice_days_24m": 20} for i in range(teachers)],
                     [fx.cooperation(make_uscc("410622", 1), name="甲公司")],
                     enrolled_students=900, staff_quota=50, practical_teaching_hours=900, contact_name=None, contact_phone=None)


def snapshot(home) -> dict:
    """Row count and a checksum of every raw table."""
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        tables = [t for (t,) in con.execute("select table_name from information_schema.tables where table_schema = 'raw' order by 1").fetchall()]
        out = {}
        for t in tables:
            rows = sorted(map(repr, con.execute(f"select * from raw.{t}").fetchall()))
            out[t] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
        return out


@pytest.fixture
def loaded(tmp_path):
    """A warehouse holding one accepted school, and a second school's workbook waiting in landing."""
    home = tmp_path / "home"
    first = fx.write("school_workbook", tmp_path / "first.xlsx", workbook("4141062201", 20))
    assert run_cli(home, "ingest", str(first), "--period", PERIOD).returncode == 0
    landing = home / "landing"
    waiting = fx.write("school_workbook", landing / "waiting.xlsx", workbook("4141062202", 2000))
    return home, waiting


def _env(home, **extra):
    env = {**os.environ, "CHANJIAO_HOME": str(home), "CHANJIAO_PII_KEY": PII_KEY, **extra}
    return env


def _kill_at(home, stage: str, waiting):
    proc = subprocess.Popen(ingest_command(str(home / "landing"), "--period", PERIOD, pause=f"{stage}:{waiting.name}"),
                            env=_env(home), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    marker = home / f"paused-{stage}"
    deadline = time.monotonic() + 120
    while not marker.exists():
        assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
        assert time.monotonic() < deadline, "the loader never reached the pause point"
        time.sleep(0.1)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    marker.unlink()
    assert proc.returncode == -signal.SIGKILL


def _then_next_run_succeeds(home, waiting, before):
    assert waiting.exists(), "the file left landing although its outcome was never committed"
    assert snapshot(home) == before
    result = run_cli(home, "ingest", str(home / "landing"), "--period", PERIOD, "--json")
    assert result.returncode == 0 and [o["status"] for o in result.data] == ["accepted"]
    assert not waiting.exists()
    after = snapshot(home)
    assert after["teachers"][0] == before["teachers"][0] + 2000


@pytest.mark.parametrize("stage", ["in_transaction", "after_archive"])
def test_sigkill_leaves_the_warehouse_unchanged(loaded, stage):
    home, waiting = loaded
    before = snapshot(home)
    _kill_at(home, stage, waiting)
    _then_next_run_succeeds(home, waiting, before)


def test_full_disk_leaves_the_warehouse_unchanged(loaded):
    home, waiting = loaded
    before = snapshot(home)
    # No file may grow past 256 KiB: the archive copy of the workbook fits, its 2000 rows in the
    # warehouse's write-ahead log do not — a disk filling up in the middle of the load.
    limit = 256 * 1024
    assert waiting.stat().st_size < limit
    warehouse_size = (home / "warehouse.duckdb").stat().st_size

    def small_disk():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    result = subprocess.run([str(CLI), "ingest", str(home / "landing"), "--period", PERIOD], env=_env(home),
                            preexec_fn=small_disk, capture_output=True, text=True, timeout=300)
    assert result.returncode != 0, "the load should have run out of space"
    assert "File too large" in result.stderr or "Errno 27" in result.stderr or "too large" in result.stderr.lower(), result.stderr[-2000:]
    assert (home / "warehouse.duckdb").stat().st_size >= warehouse_size
    _then_next_run_succeeds(home, waiting, before)
