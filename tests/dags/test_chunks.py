"""Splitting landing into chunks: arrival order, chunk size, late corrections in landing/YYYY-MM/, and
files still being written left for a later run."""
from __future__ import annotations

import logging
import os
import time

from chanjiao import settings as config
from chanjiao.landing import plan_chunks
from tests.conftest import set_received

# These tests date files by receipt time, not by the clock (settle 0); the wait has its own test below.
CHUNK = 100


def drop(folder, name, when):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(name.encode())
    return set_received(path, when)


def test_chunks_keep_arrival_order_and_size(tmp_path):
    landing = tmp_path / "landing"
    files = [drop(landing, f"f{i}.xlsx", f"2026-11-0{1 + i % 4}T{10 + i}:00") for i in range(7)]
    drop(landing, ".part-upload.xlsx", "2026-11-01T09:00")  # hidden: an upload in progress
    chunks = plan_chunks(landing, "2026-10", 3, 0)
    in_order = [str(p) for p in sorted(files, key=lambda p: p.stat().st_mtime)]
    assert [len(c["files"]) for c in chunks] == [3, 3, 1]
    assert [f for c in chunks for f in c["files"]] == in_order
    assert {c["period"] for c in chunks} == {"2026-10"}


def test_late_corrections_are_chunked_under_their_own_period(tmp_path):
    landing = tmp_path / "landing"
    drop(landing, "a.xlsx", "2026-11-02T10:00")
    late = drop(landing / "2026-08", "b.xlsx", "2026-11-10T10:00")
    other = drop(landing / "inbox", "c.xlsx", "2026-11-03T10:00")  # a sub-folder not named for a period
    chunks = plan_chunks(landing, "2026-10", 20, 0)
    assert chunks == [{"period": "2026-08", "files": [str(late)]},
                      {"period": "2026-10", "files": [str(landing / "a.xlsx"), str(other)]}]


def test_empty_or_missing_landing_has_no_chunks(tmp_path):
    assert plan_chunks(tmp_path / "nowhere", "2026-10", CHUNK, 0) == []
    (tmp_path / "landing").mkdir()
    assert plan_chunks(tmp_path / "landing", "2026-10", CHUNK, 0) == []


def test_a_file_still_being_written_waits_until_it_has_settled(tmp_path, caplog):
    """Settled means not written for the settle time by this machine's clock (ctime), whatever mtime the
    sender's copy tool gave the file. Real waiting: ctime cannot be back-dated."""
    assert config.load({}).landing_settle_seconds == 120  # production's default
    assert config.load({"CHANJIAO_LANDING_SETTLE_SECONDS": "5"}).landing_settle_seconds == 5
    landing = tmp_path / "landing"
    settled = drop(landing, "settled.xlsx", "2026-11-02T10:00")
    time.sleep(5.2)
    fresh = landing / "uploading.xlsx"
    fresh.write_bytes(b"PK\x03\x04 half a workbook")  # written just now: an upload in progress

    with caplog.at_level(logging.INFO, logger="chanjiao.landing"):
        assert plan_chunks(landing, "2026-10", CHUNK, 5) == [{"period": "2026-10", "files": [str(settled)]}]
    assert "1 file(s)" in caplog.text and "left for a later run" in caplog.text
    assert fresh.read_bytes() == b"PK\x03\x04 half a workbook"  # left in landing as it was
    # A copy tool that keeps the sender's modification time (rsync -t, scp -p) makes it look old: still left.
    os.utime(fresh, (time.time() - 86400,) * 2)
    assert plan_chunks(landing, "2026-10", CHUNK, 5) == [{"period": "2026-10", "files": [str(settled)]}]

    time.sleep(5.2)  # nothing written since: a later run takes it, in arrival order
    assert plan_chunks(landing, "2026-10", CHUNK, 5) == [{"period": "2026-10", "files": [str(settled), str(fresh)]}]
    with fresh.open("ab") as fh:  # written to again
        fh.write(b" and the rest")
    assert plan_chunks(landing, "2026-10", CHUNK, 5) == [{"period": "2026-10", "files": [str(settled)]}]
    # no wait: every file, however fresh
    assert plan_chunks(landing, "2026-10", CHUNK, 0) == [{"period": "2026-10", "files": [str(settled), str(fresh)]}]
