"""Retention of personal data (`chanjiao purge --originals-before`) and the access log.

Two months collected (tests.publication.month), September published, and a rejected September file in
quarantine. With a revision window of 0 months September is closed, October open: September's originals
can be purged, October's cannot."""
from __future__ import annotations

import json
import os
import pwd

import pytest

from chanjiao.demo import factory as fx
from tests.conftest import ingest_here, run_cli
from tests.publication.month import build_month

pytestmark = pytest.mark.dbt

CLOSED_SEPTEMBER = {"CHANJIAO_REVISION_WINDOW_MONTHS": "0"}


def _cli(home, *args):
    old = {k: os.environ.get(k) for k in CLOSED_SEPTEMBER}
    os.environ.update(CLOSED_SEPTEMBER)
    try:
        return run_cli(home, *args)
    finally:
        for k, v in old.items():
            os.environ.pop(k) if v is None else os.environ.__setitem__(k, v)


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    home, inbox = tmp_path_factory.mktemp("home"), tmp_path_factory.mktemp("inbox")
    build_month(home, inbox)
    rejected = fx.write("school_workbook", inbox / "rejected" / "c.xlsx",
                        fx.broken(fx.school("4141062203", "淇县丙校", "410622", "中职", "2026-09", fx.roster(5, 2, prefix="C")), "bad_id_number"))
    [outcome] = ingest_here(home, rejected, period="2026-09")
    assert outcome["status"] == "rejected"
    published = run_cli(home, "publish", "--period", "2026-09", "--json")
    assert published.returncode == 0, published.stderr[-2000:]
    return home


def _originals(home) -> set[str]:
    return {str(p.relative_to(home)) for p in (home / "archive").rglob("*") if p.is_file()} | \
           {str(p.relative_to(home)) for p in (home / "quarantine").rglob("*.xlsx") if p.name != "退回说明.xlsx"}


def test_a_cut_off_inside_the_revision_window_is_refused_and_deletes_nothing(home):
    before = _originals(home)
    refused = _cli(home, "purge", "--originals-before", "2026-11")
    assert refused.returncode == 1
    assert refused.stderr.strip().splitlines() == [
        "chanjiao purge: --originals-before 2026-11 would delete originals of 2026-10 or later, which are inside the revision window "
        "(0 months back from 2026-10): the latest cut-off allowed now is 2026-10"]
    assert _originals(home) == before


def test_purge_deletes_the_originals_of_closed_periods_and_keeps_the_ledger(home):
    sql = "select count(*) as n from marts.fct_load"
    loads_before = run_cli(home, "query", sql).stdout
    before = _originals(home)
    purged = _cli(home, "purge", "--originals-before", "2026-10", "--json")
    assert purged.returncode == 0, purged.stderr[-2000:]
    # September: the register, schools A and B, and the rejected C (archived and quarantined copies)
    assert purged.data["purged"] == 4 and purged.data["files_deleted"] == 5
    left = _originals(home)
    assert len(before) - len(left) == 5 and not any(p.startswith("quarantine/2026-09") for p in left)
    assert len(left) == 2  # October's two workbooks
    [folder] = (home / "quarantine" / "2026-09").iterdir()
    assert sorted(p.name for p in folder.iterdir()) == ["reasons.json", "退回说明.xlsx"]  # what the sender must fix stays
    assert run_cli(home, "query", sql).stdout == loads_before  # every ledger row, with its sha256
    records = [json.loads(line) for line in (home / "purged.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {r["period"] for r in records} == {"2026-09"} and all(r["originals_before"] == "2026-10" for r in records)

    again = _cli(home, "purge", "--originals-before", "2026-10", "--json")  # nothing left to delete
    assert again.returncode == 0 and again.data["purged"] == 0

    # trace names the purge instead of an archive path that no longer exists
    trace = run_cli(home, "trace", "--indicator", "dual_teacher_ratio", "--region", "410622", "--period", "2026-09", "--json")
    assert trace.returncode == 0, trace.stderr[-2000:]
    assert {l["purged"]["originals_before"] for l in trace.data["loads"]} == {"2026-10"}
    text = run_cli(home, "trace", "--indicator", "dual_teacher_ratio", "--region", "410622", "--period", "2026-09")
    assert "原件已按保留期删除" in text.stdout
    october = run_cli(home, "trace", "--indicator", "dual_teacher_ratio", "--region", "410622", "--period", "2026-10", "--json")
    assert all(l["purged"] is None for l in october.data["loads"])

    # and the release of September can no longer be rebuilt: said in one line, naming a purged file
    as_of = run_cli(home, "publish", "--period", "2026-09", "--as-of", "2030-01-01T00:00:00+08:00")
    assert as_of.returncode == 1
    line = as_of.stderr.strip().splitlines()[-1]  # after the log of what it started to do
    assert "Traceback" not in as_of.stderr and line.startswith("chanjiao publish: ")
    assert "was deleted at the end of its retention" in line and "--originals-before 2026-10" in line


def test_the_access_log_says_who_wrote_the_warehouse_and_who_read_originals(home):
    entries = [json.loads(line) for line in (home / "access.log").read_text(encoding="utf-8").splitlines()]
    me = pwd.getpwuid(os.getuid()).pw_name
    assert {e["user"] for e in entries} == {me}
    actions = [e["action"] for e in entries]
    assert {"ingest", "build", "publish"} <= set(actions)
    backup = run_cli(home, "backup", str(home.parent / "backup"))
    assert backup.returncode == 0, backup.stderr[-2000:]
    last = json.loads((home / "access.log").read_text(encoding="utf-8").splitlines()[-1])
    assert last["action"] == "backup" and last["destination"] == str(home.parent / "backup") and last["at"].endswith("+00:00")
