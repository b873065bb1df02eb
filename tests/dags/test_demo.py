"""`chanjiao demo` runs three months through the three DAGs for real (`airflow dags test`, SQLite
metadata DB), then a late correction of the first month that publishes its v2.

The expected values are recomputed here from the archived original workbooks, read with python-calamine,
not from the warehouse."""
from __future__ import annotations

import csv
import datetime as dt
import json
import os
import sqlite3
import subprocess
import time
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pytest
from python_calamine import CalamineWorkbook

from chanjiao.demo.generate import CITY, COUNTIES, LATE_DUAL, LATE_PERIOD, OVERDUE_SCHOOL, PERIOD, PERIODS, missing_firm
from chanjiao.demo.run import DEMO_PII_KEY, LATE_INGEST_AT, run_dag
from chanjiao.publication.release import PublishedAtRefused, _published_at, versions
from chanjiao.settings import Settings
from tests.conftest import CLI

pytestmark = [pytest.mark.airflow, pytest.mark.dbt]

DAG_IDS = ("chanjiao_ingest", "chanjiao_build", "chanjiao_publish")


INDICATOR_SEED = Path(__file__).parents[2] / "dbt_project" / "seeds" / "indicators.csv"


def headline_indicators() -> set[str]:
    """The catalogue's headline indicators (is_headline), read from the seed, not from the warehouse."""
    with INDICATOR_SEED.open(encoding="utf-8") as fh:
        return {r["indicator_code"] for r in csv.DictReader(fh) if r["is_headline"].strip().lower() == "true"}


def dual_ratio_from_originals(home, manifest, region_prefix: str = "") -> tuple[int, int]:
    numerator = denominator = 0
    for load in manifest["loads"]:
        if load["kind"] != "school_workbook":
            continue
        path = next((home / "archive").rglob(f"{load['sha256']}.*"))
        book = CalamineWorkbook.from_path(str(path))
        info = book.get_sheet_by_name("学校信息").to_python()
        if not str(info[1][info[0].index("所在地区划代码")]).startswith(region_prefix):
            continue
        rows = book.get_sheet_by_name("教师名册").to_python()
        col = {name: rows[0].index(name) for name in ("是否专业课教师", "是否双师型", "用工类型")}
        for row in rows[1:]:
            if row[col["是否专业课教师"]] == "是" and row[col["用工类型"]] == "专任":
                denominator += 1
                numerator += row[col["是否双师型"]] == "是"
    return numerator, denominator


def manifest(home, period, version):
    return json.loads((home / "publications" / period / version / "manifest.json").read_text(encoding="utf-8"))


def published(home, period, version, indicator="dual_teacher_ratio") -> dict[str, dict]:
    with (home / "publications" / period / version / "indicators.csv").open(encoding="utf-8-sig") as fh:
        return {r["region"]: r for r in csv.DictReader(fh) if r["indicator"] == indicator}


def cli(demo, *args: str) -> subprocess.CompletedProcess:
    """A command on the demo's home, with the demo's key (as its user would have it)."""
    env = {**os.environ, "CHANJIAO_HOME": str(demo["home"]), "CHANJIAO_PII_KEY": DEMO_PII_KEY, "CHANJIAO_AS_OF_CACHE": str(demo["as_of_cache"])}
    result = subprocess.run([str(CLI), *args], env=env, capture_output=True, text=True, timeout=1200)
    assert result.returncode == 0, result.stderr[-4000:]
    return result


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    home = tmp_path_factory.mktemp("demo")
    env = {k: v for k, v in os.environ.items() if k != "CHANJIAO_PII_KEY"}  # the demo brings its own key
    started = time.monotonic()
    # Twelve DAG runs: on a loaded 2-CPU machine this takes longer than run_cli's 10 minutes.
    result = subprocess.run([str(CLI), "demo", "--json"], env={**env, "CHANJIAO_HOME": str(home)},
                            capture_output=True, text=True, timeout=2400)
    seconds = time.monotonic() - started
    assert result.returncode == 0, result.stderr[-4000:]
    print(f"chanjiao demo: {seconds:.0f} s wall time")
    return {"home": home, "rows": json.loads(result.stdout), "stderr": result.stderr, "seconds": seconds,
            "as_of_cache": tmp_path_factory.mktemp("as-of")}


def test_every_dag_run_succeeded_in_airflow(demo):
    with sqlite3.connect(demo["home"] / "airflow" / "airflow.db") as db:
        runs = db.execute("select dag_id, state, count(*) from dag_run group by 1, 2").fetchall()
        failed = db.execute("select dag_id, task_id, state from task_instance where state not in ('success', 'skipped')").fetchall()
    # three months and the late correction, each through the three DAGs
    assert sorted(runs) == [(dag_id, "success", 4) for dag_id in sorted(DAG_IDS)]
    assert failed == []


def test_three_months_published_and_the_late_correction_is_v2(demo):
    home = demo["home"]
    assert {p: sorted(v.name for v in (home / "publications" / p).iterdir()) for p in PERIODS} == {
        "2026-08": ["v1", "v2"], "2026-09": ["v1"], "2026-10": ["v1"]}
    v1, v2 = manifest(home, LATE_PERIOD, "v1"), manifest(home, LATE_PERIOD, "v2")
    corrected = {l["file"] for l in v2["loads"]} - {l["file"] for l in v1["loads"]}
    assert corrected == {"浚县职业技术教育中心_产教融合数据报表_2026年8月(更正).xlsx"}
    before, after = published(home, LATE_PERIOD, "v1"), published(home, LATE_PERIOD, "v2")
    # the county of the correcting school: its 8 overlooked 双师型 teachers are counted in v2
    assert float(after["410621"]["numerator"]) == float(before["410621"]["numerator"]) + LATE_DUAL
    assert after["410621"]["denominator"] == before["410621"]["denominator"]
    assert after["410600"]["value"] != before["410600"]["value"]
    # v2 matches the archived originals it names; the other months are untouched by the correction
    numerator, denominator = dual_ratio_from_originals(home, v2, "410621")
    assert (float(after["410621"]["numerator"]), float(after["410621"]["denominator"])) == (numerator, denominator)
    assert sorted(p.name for p in (home / "publications" / "2026-09").iterdir()) == ["v1"]


def test_headline_values_match_the_archived_originals(demo):
    home = demo["home"]
    numerator, denominator = dual_ratio_from_originals(home, manifest(home, PERIOD, "v1"))
    city = next(r for r in demo["rows"] if r["indicator"] == "dual_teacher_ratio" and r["region"] == "410600")
    assert (city["numerator"], city["denominator"]) == (numerator, denominator)
    assert city["value"] == round(100 * numerator / denominator + 1e-9, 2)
    assert {"410600", "410602", "410603", "410611", "410621", "410622"} <= {r["region"] for r in demo["rows"]}
    participation = next(r for r in demo["rows"] if r["indicator"] == "above_scale_participation_rate" and r["region"] == "410600")
    assert participation["denominator"] >= 300 and participation["targets"][0]["comparator"] == ">"


def test_mistakes_are_quarantined_and_corrections_supersede(demo):
    home = demo["home"]
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        rejected = {f for (f,) in con.execute("select file_name from raw.loads where status = 'rejected'").fetchall()}
        in_force = {f for (f,) in con.execute("select distinct file_name from marts.fct_indicator_contribution where period = ?", [PERIOD]).fetchall()}
    assert len(rejected) == 3 and all((home / "quarantine" / PERIOD).iterdir())
    assert "淇县职业中等专业学校_产教融合数据报表_2026年10月(更正).xlsx" in in_force
    assert "鹤壁职业技术学院_产教融合数据报表_2026年10月(第一版).xlsx" not in in_force
    assert not rejected & in_force


def test_publishing_again_writes_nothing(demo):
    home = demo["home"]
    settings = Settings(home=home, pii_key=DEMO_PII_KEY.encode())
    run_dag(settings, "chanjiao_publish", "2026-11-11T08:00:00+08:00", LATE_PERIOD)
    assert sorted(p.name for p in (home / "publications" / LATE_PERIOD).iterdir()) == ["v1", "v2"]
    with sqlite3.connect(home / "airflow" / "airflow.db") as db:
        last = db.execute("select run_id from dag_run where dag_id = 'chanjiao_publish' order by id desc limit 1").fetchone()[0]
        states = dict(db.execute("select task_id, state from task_instance where run_id = ?", [last]).fetchall())
    # nothing was ingested since: no build, and the release is current
    assert states["build"] == "skipped" and states["publish"] == "skipped" and states["check_deadline"] == "success"


def test_the_demo_is_quiet_and_keeps_the_full_log_in_the_home(demo):
    """One line per step on the terminal; Airflow's, dbt's and the tasks' logs in $CHANJIAO_HOME/demo.log."""
    lines = demo["stderr"].splitlines()
    assert len(lines) < 40, "\n".join(lines[:80])
    assert "Traceback" not in demo["stderr"] and not any(line.startswith(("[20", "{")) for line in lines)  # no Airflow log line
    log = (demo["home"] / "demo.log").read_text(encoding="utf-8", errors="replace")
    assert "chanjiao_publish" in log and "dbt build" in log


def test_every_headline_indicator_of_the_city_and_its_counties_has_a_value(demo):
    """Every sheet and kind is filled: no headline indicator reads 0 for want of data, or 无法计算."""
    headline = headline_indicators()
    assert len(headline) >= 4
    for region in (CITY, *COUNTIES):
        values = {r["indicator"]: r for r in demo["rows"] if r["region"] == region and r["period"] == PERIOD}
        assert headline <= set(values), (region, sorted(headline - set(values)))
        for code in sorted(headline):
            assert values[code]["status"] == "ok" and values[code]["value"] is not None, (region, code, values[code]["status"])
            assert values[code]["numerator"] > 0, (region, code)


def test_status_shows_one_missing_and_one_late_expected_submitter(demo):
    status = json.loads(cli(demo, "status", "--period", PERIOD, "--json").stdout)
    expected = [f for f in status["frame"] if f["is_expected"]]
    assert {f["kind"] for f in expected} >= {"school_workbook", "enterprise_return", "above_scale_register", "certified_enterprises", "carriers"}
    assert [f["submitter_code"] for f in expected if f["collection_state"] == "missing"] == [missing_firm()["uscc"]]
    assert [f["submitter_code"] for f in expected if f["late"]] == [OVERDUE_SCHOOL]
    deadline = Settings(home=demo["home"], pii_key=None).calendar.collection_deadline(PERIOD)
    assert dt.datetime.fromisoformat(status["collection_deadline"]) == deadline
    late = next(r for r in status["submitters"] if r["submitter"] == OVERDUE_SCHOOL)
    assert late["state"] == "accepted" and dt.datetime.fromisoformat(late["first_received_at"]) > deadline
    # the school whose first attempt was rejected sent its correction in time: not late
    assert not next(r for r in status["submitters"] if r["submitter"] == "4141060009")["late"]


def test_releases_carry_the_calendars_publication_times(demo):
    calendar = Settings(home=demo["home"], pii_key=None).calendar
    for period in PERIODS:
        stamped = manifest(demo["home"], period, "v1")
        assert dt.datetime.fromisoformat(stamped["published_at"]) == calendar.scheduled_at(period), period
        assert dt.datetime.fromisoformat(stamped["written_at"]) > calendar.scheduled_at(period)  # the real clock, kept beside it
    assert dt.datetime.fromisoformat(manifest(demo["home"], LATE_PERIOD, "v2")["published_at"]) == dt.datetime.fromisoformat(LATE_INGEST_AT)


def test_a_backfilled_publication_time_that_history_cannot_have_is_refused(demo):
    """Production stamps the real clock; a backfill's published_at must fit the release's history."""
    settings = Settings(home=demo["home"], pii_key=None)
    first, latest = versions(settings, LATE_PERIOD)  # v1 published 2026-09-05 08:00, v2 2026-11-10 10:15
    content = SimpleNamespace(loads=[{"received_at": dt.datetime.fromisoformat("2026-11-10T10:00:00+08:00")}])  # the late correction
    tz = settings.calendar.tz
    for given, previous, reason in ((dt.datetime.now(tz) + dt.timedelta(days=1), latest, "in the future"),
                                    (dt.datetime(2026, 11, 10, 10, 14, tzinfo=tz), latest, "earlier than v2's"),
                                    (dt.datetime(2026, 11, 10, 9, 59, tzinfo=tz), first, "before a file it is built from was received"),
                                    (dt.datetime(2026, 11, 11, 8, 0), latest, "without a time zone")):
        with pytest.raises(PublishedAtRefused):
            _published_at(given, previous, content)
            pytest.fail(f"published_at {given} accepted, {reason}")
    assert _published_at(dt.datetime(2026, 11, 11, 8, 0, tzinfo=tz), latest, content) == dt.datetime(2026, 11, 11, 0, 0, tzinfo=dt.UTC)
    assert abs(_published_at(None, latest, content) - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=1)


def test_as_of_the_publication_day_gives_the_versions_current_then(demo):
    """interface.md's `--as-of 2026-11-05`: 2026-10 v1 (published that morning), and 2026-08 v1, not the v2 of 11-10."""
    for period in (LATE_PERIOD, PERIOD):
        rebuilt = json.loads(cli(demo, "publish", "--period", period, "--as-of", "2026-11-05", "--json").stdout)
        assert rebuilt["version"] == "v1" and rebuilt["identical"] == {"indicators.csv": True}, rebuilt
    then = json.loads(cli(demo, "trace", "--indicator", "dual_teacher_ratio", "--region", "410621", "--period", LATE_PERIOD,
                          "--as-of", "2026-11-05", "--json").stdout)
    now = json.loads(cli(demo, "trace", "--indicator", "dual_teacher_ratio", "--region", "410621", "--period", LATE_PERIOD, "--json").stdout)
    assert then["as_of"]["version"] == "v1"
    assert (then["numerator"] + LATE_DUAL, then["denominator"]) == (now["numerator"], now["denominator"])


def test_the_terminal_output_stays_short(demo):
    """The steps on stderr, then (without --json) the table on stdout: 8 lines of summary and header, one
    line per row that --json prints. Together under 60 lines: a screen."""
    assert len(demo["stderr"].splitlines()) + 8 + len(demo["rows"]) < 60, len(demo["rows"])
