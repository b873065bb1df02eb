"""The load ledger (raw.loads) is append-only: an ingest sequence that accepts, repeats, supersedes and
rejects files only ever adds ledger rows; earlier rows stay exactly as written. "Superseded by" is derived
in marts.fct_load, never written back."""
from __future__ import annotations

import re

import duckdb

from chanjiao.app.ingest import ingest
from chanjiao.demo import factory as fx
from chanjiao.settings import REPO_ROOT, Settings
from ingestion.registry import kinds
from tests.conftest import PII_KEY, set_received
from tests.warehouse.test_monthly_cycle import NON_PROF, teachers, workbook

PERIOD = "2026-10"


def _ledger(settings: Settings) -> dict[str, tuple]:
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        cur = con.execute("select * from raw.loads")
        return {row[0]: row for row in cur.fetchall()}


def _raw_rows(settings: Settings) -> dict[str, int]:
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        return {t: con.execute(f"select count(*) from raw.{t}").fetchone()[0] for t in ("school_info", "teachers", "cooperations")}


def test_ingest_sequence_only_ever_inserts(tmp_path):
    settings = Settings(home=tmp_path / "home", pii_key=PII_KEY.encode())
    school = kinds()["school_workbook"]
    inbox = tmp_path / "inbox"
    for sub in ("1", "2", "3"):  # the resubmission keeps its file name, as submitters do
        (inbox / sub).mkdir(parents=True)
    first = set_received(fx.write(school, inbox / "1" / "甲校.xlsx", workbook("4141062201", "淇县甲校", "410622", "中职", teachers(10, 6))), "2026-11-02 09:00")
    revised = set_received(fx.write(school, inbox / "2" / "甲校.xlsx", workbook("4141062201", "淇县甲校", "410622", "中职", teachers(10, 7))),
                           "2026-11-03 09:00")
    bad = set_received(fx.write(school, inbox / "3" / "丁校.xlsx", workbook(
        "4141060302", "山城丁校", "410603", "中职", teachers(5, 2) + [dict(NON_PROF[0], is_dual_qualified=True)])), "2026-11-03 10:00")

    steps = [("accepted", first), ("duplicate", first), ("accepted", revised), ("rejected", bad)]
    before: dict[str, tuple] = {}
    for expected, path in steps:
        [outcome] = ingest(settings, [path], period=PERIOD)
        assert outcome["status"] == expected
        after = _ledger(settings)
        # exactly one new row per attempt, and every earlier row unchanged, column for column
        assert set(after) - set(before) == {outcome["load_id"]}
        assert {k: after[k] for k in before} == before
        before = after
    statuses = sorted(row[10] for row in before.values())
    assert statuses == ["accepted", "accepted", "duplicate", "rejected"]
    # the superseded file's rows stay in raw too (the derived view decides what is in force)
    assert _raw_rows(settings)["teachers"] == 20


def test_no_code_updates_or_deletes_ledger_rows():
    """A guard beside the behavioural test: nothing we ship writes to raw.loads except `insert`."""
    offenders = []
    for path in [*REPO_ROOT.glob("chanjiao/**/*.py"), *REPO_ROOT.glob("ingestion/**/*.py"), *REPO_ROOT.glob("expectations/**/*.py"),
                 *REPO_ROOT.glob("dags/**/*.py"), *REPO_ROOT.glob("dbt_project/**/*.sql")]:
        text = path.read_text(encoding="utf-8").lower()
        if re.search(r"(update|delete\s+from|truncate(\s+table)?|drop\s+table(\s+if\s+exists)?)\s+raw\.loads\b", text) or \
                re.search(r"(create\s+or\s+replace\s+table)\s+raw\.loads\b", text):
            offenders.append(str(path.relative_to(REPO_ROOT)))
    assert offenders == []


def test_the_ledger_is_read_and_written_in_one_module():
    """raw.loads has one home in Python, chanjiao.ledger; dbt reads it as a source."""
    sites = sorted(str(path.relative_to(REPO_ROOT)) for name in ("chanjiao", "ingestion", "expectations", "dags")
                   for path in (REPO_ROOT / name).rglob("*.py")
                   if re.search(r"\b(from|into|join)\s+raw\.loads\b", path.read_text(encoding="utf-8"), re.IGNORECASE))
    assert sites == ["chanjiao/ledger.py"]
