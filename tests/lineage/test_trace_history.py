"""Trace through time: a month published, then a resubmission supersedes a school's workbook and the
month is published again. `trace` shows the new rows, `trace --as-of` a time before the resubmission shows
the old ones, `publish --as-of` rebuilds the earlier release from the archive byte for byte, and
`--compare-to` names the school whose contribution changed and the submission that changed it.

Every value is also recomputed by hand from the rows `trace --json` lists, reading the archived original
spreadsheets (not the warehouse), and compared with the published indicators.csv."""
from __future__ import annotations

import copy
import csv
import datetime as dt
import hashlib
import time
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from chanjiao.demo import factory as fx
from tests.conftest import ingest_here, run_cli, set_received
from tests.warehouse.test_monthly_cycle import E5, NON_PROF, PART_TIME, E, teachers, workbook

pytestmark = pytest.mark.dbt

PERIOD, EARLIER = "2026-10", "2026-09"
COUNTY, CITY = "410622", "410600"


def _for_period(data: dict, period: str) -> dict:
    data = copy.deepcopy(data)
    data["school_info"][0]["period"] = period
    return data


def _write(kind: str, folder, name: str, data: dict, received: str):
    folder.mkdir(parents=True, exist_ok=True)
    return set_received(fx.write(kind, folder / name, data), received)


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    home = tmp_path_factory.mktemp("home")
    inbox = tmp_path_factory.mktemp("inbox")
    coops = [(E[1], dt.date(2025, 9, 1), None), (E[3], dt.date(2026, 1, 1), None)]
    a_first = workbook("4141062201", "淇县甲校", COUNTY, "中职", teachers(40, 28, extra=PART_TIME + NON_PROF), coops)
    a_revised = workbook("4141062201", "淇县甲校", COUNTY, "中职", teachers(40, 30, extra=PART_TIME + NON_PROF), coops)
    b = workbook("4141062202", "淇县乙技校", COUNTY, "技工院校", teachers(10, 3, prefix="B"))
    register = {"above_scale_enterprises": [{"uscc": u, "enterprise_name": f"企业{u[-4:]}", "region_code": u[2:8], "industry_code": "C36",
                                             "period": PERIOD} for u in [*E.values(), E5]]}
    first = inbox / "first"
    files = {
        "a_sep": _write("school_workbook", first / "sep_a", "淇县甲校.xlsx", _for_period(workbook(
            "4141062201", "淇县甲校", COUNTY, "中职", teachers(40, 25), coops), EARLIER), "2026-10-03 09:00"),
        "b_sep": _write("school_workbook", first / "sep_b", "淇县乙技校.xlsx", _for_period(b, EARLIER), "2026-10-03 10:00"),
        "register": _write("above_scale_register", first / "oct_r", "规上企业名录.xlsx", register, "2026-11-01 09:00"),
        "a_first": _write("school_workbook", first / "oct_a", "淇县甲校.xlsx", a_first, "2026-11-02 09:00"),
        "b": _write("school_workbook", first / "oct_b", "淇县乙技校.xlsx", b, "2026-11-02 10:00"),
    }
    # The reporting frame expects a third school that never reports: coverage 2 of 3 in indicators.csv,
    # which the rebuild must reproduce although the frame contributes no indicator row.
    frame = [{"submitter_code": code, "submitter_name": name, "kind": "school_workbook", "region_code": COUNTY, "from_period": "2026-01"}
             for code, name in (("4141062201", "淇县甲校"), ("4141062202", "淇县乙技校"), ("4141062203", "淇县丙校"))]
    files["frame"] = _write("reporting_frame", inbox / "frame", "填报单位名录.xlsx", {"reporting_frame": frame}, "2026-10-01 09:00")
    framed = ingest_here(home, inbox / "frame", period=EARLIER)
    assert [o["status"] for o in framed] == ["accepted"], framed
    # each file carries its own period (学校信息.报告期); the register's rows do too
    ingested = ingest_here(home, first)
    assert all(o["status"] == "accepted" for o in ingested), ingested
    assert run_cli(home, "build").returncode == 0
    v1 = run_cli(home, "publish", "--period", PERIOD, "--json")
    assert v1.returncode == 0 and v1.data["version"] == "v1", v1.stderr[-3000:]
    time.sleep(1.5)  # published_at is kept to the second
    before_revision = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    time.sleep(1.5)
    files["a_revised"] = _write("school_workbook", inbox / "second", "淇县甲校.xlsx", a_revised, "2026-11-04 14:00")
    revised = ingest_here(home, inbox / "second", period=PERIOD)
    assert [o["status"] for o in revised] == ["accepted"], revised
    assert run_cli(home, "build").returncode == 0
    v2 = run_cli(home, "publish", "--period", PERIOD, "--json")
    assert v2.data["version"] == "v2", v2.stderr[-3000:]
    sha = {name: hashlib.sha256(path.read_bytes()).hexdigest() for name, path in files.items()}
    return {"home": home, "sha": sha, "before_revision": before_revision}


def _trace(history, *extra, indicator="dual_teacher_ratio", region=COUNTY):
    result = run_cli(history["home"], "trace", "--indicator", indicator, "--region", region, "--period", PERIOD, *extra, "--json")
    assert result.returncode == 0, result.stderr[-3000:]
    return result.data


def test_trace_shows_the_resubmitted_rows(history):
    t = _trace(history)
    assert (t["numerator"], t["denominator"], t["value"]) == (33, 50, 66.0)
    files = {r["sha256"] for r in t["rows"]}
    assert files == {history["sha"]["a_revised"], history["sha"]["b"]}
    assert {l["sha256"] for l in t["loads"]} == files
    assert all(l["status"] == "accepted" and l["superseded_by"] is None for l in t["loads"])
    # the first workbook is superseded by the revision: derived by marts.fct_load, the ledger row untouched
    ledger = run_cli(history["home"], "query", "select sha256, superseded_by_load_id, load_id from marts.fct_load where submitter = '4141062201' "
                                               "and period = '2026-10' order by received_at", "--json").data
    assert [l["sha256"] for l in ledger] == [history["sha"]["a_first"], history["sha"]["a_revised"]]
    assert (ledger[0]["superseded_by_load_id"], ledger[1]["superseded_by_load_id"]) == (ledger[1]["load_id"], None)
    # the gate's results travel with each load: what was checked and that it passed
    assert all(l["validation"] and all(c["success"] for c in l["validation"] if c.get("severity") == "error") for l in t["loads"])
    # the lineage comes from dbt's manifest of the build: mart → intermediate → staging → source, edges included
    assert t["models"][0] == "fct_indicator_value" and "stg_schools__teachers" in t["models"] and "source:schools.teachers" in t["models"]
    assert "source:schools.teachers" in t["model_parents"]["stg_schools__teachers"]
    # only the contribution model that computes this indicator, not the other families'
    assert t["model_parents"]["int_indicator_contributions"] == ["int_school_indicators__contributions"]
    assert t["definition"]["name"] == "双师型教师占专业课教师比例"


def test_trace_as_of_before_the_resubmission_shows_the_old_rows(history):
    t = _trace(history, "--as-of", history["before_revision"])
    assert t["as_of"]["version"] == "v1"
    assert (t["numerator"], t["denominator"], t["value"]) == (31, 50, 62.0)
    assert {r["sha256"] for r in t["rows"]} == {history["sha"]["a_first"], history["sha"]["b"]}
    human = run_cli(history["home"], "trace", "--indicator", "dual_teacher_ratio", "--region", COUNTY, "--period", PERIOD,
                    "--as-of", history["before_revision"])
    assert human.returncode == 0 and "v1" in human.stdout and "淇县甲校.xlsx" in human.stdout and "工作表 教师名册" in human.stdout
    assert "小计：分子 28，分母 40" in human.stdout  # the first workbook: 28 of 40


def test_trace_as_of_before_any_release_fails_plainly(history):
    result = run_cli(history["home"], "trace", "--indicator", "dual_teacher_ratio", "--region", COUNTY, "--period", PERIOD, "--as-of", "2026-01-01T00:00+08:00")
    assert result.returncode == 1 and "no version of 2026-10" in result.stderr


def test_publish_as_of_rebuilds_the_earlier_release_byte_for_byte(history):
    home = history["home"]
    result = run_cli(home, "publish", "--period", PERIOD, "--as-of", history["before_revision"], "--json")
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.data["version"] == "v1" and result.data["identical"] == {"indicators.csv": True}
    original = (home / "publications" / PERIOD / "v1" / "indicators.csv").read_bytes()
    rebuilt = Path(result.data["rebuilt"]) / "indicators.csv"
    assert rebuilt.read_bytes() == original
    # the scratch home trace --as-of reads: one rebuild per version, kept (versions are immutable), outside the live home
    assert Path(result.data["home"]).name == "home" and not Path(result.data["home"]).is_relative_to(home)
    assert not (home / "rebuilds").exists()
    assert original != (home / "publications" / PERIOD / "v2" / "indicators.csv").read_bytes()  # the two versions really differ
    assert float(_published(home, "v1", "dual_teacher_ratio", COUNTY)["coverage_expected"]) == 3  # the frame's part was rebuilt too


def test_compare_to_names_the_school_and_the_submission(history):
    t = _trace(history, "--compare-to", EARLIER)
    c = t["compare_to"]
    assert (c["period"], c["numerator"], c["denominator"], c["value"]) == (EARLIER, 28, 50, 56.0)
    # school B sent the same figures both months: not a change
    [change] = c["changed_units"]
    assert (change["unit"], change["before"], change["after"]) == ("4141062201", {"numerator": 25, "denominator": 40}, {"numerator": 30, "denominator": 40})
    assert [s["sha256"] for s in change["submissions"]] == [history["sha"]["a_revised"]]
    assert [s["sha256"] for s in change["removed"]] == [history["sha"]["a_sep"]]


# --- recomputing published values by hand from the archived originals ------------------------------------

FLAG_TRUE = {"是", "Y", "y", "1", True}


def _cell(home, row: dict, header: str):
    """The cell under `header` in the archived original file, sheet and spreadsheet row that trace names."""
    sheet = CalamineWorkbook.from_path(str(home / row["archive_path"])).get_sheet_by_name(row["sheet"]).to_python()
    header_row = next(r for r in sheet if header in r)
    return sheet[row["row"] - 1][header_row.index(header)]


def _published(home, version: str, indicator: str, region: str) -> dict:
    text = (home / "publications" / PERIOD / version / "indicators.csv").read_text(encoding="utf-8-sig")
    return next(r for r in csv.DictReader(text.splitlines()) if r["indicator"] == indicator and r["region"] == region)


def _percent(numerator: int, denominator: int) -> str:
    """indicators.md: a % rounded half away from zero to 2 decimals, as indicators.csv writes it."""
    return str(float((Decimal(numerator * 100) / Decimal(denominator)).quantize(Decimal("0.01"), ROUND_HALF_UP)))


@pytest.mark.parametrize("region", [COUNTY, CITY])
def test_dual_teacher_ratio_recomputed_from_the_archived_rows(history, region):
    home = history["home"]
    t = _trace(history, region=region)
    numerator = [r for r in t["rows"] if r["role"] == "numerator"]
    denominator = [r for r in t["rows"] if r["role"] == "denominator"]
    # each denominator row is a full-time professional teacher, each numerator row also 双师型, in the original file
    assert all(_cell(home, r, "是否专业课教师") in FLAG_TRUE and _cell(home, r, "用工类型") != "兼职" for r in denominator)
    assert all(_cell(home, r, "是否双师型") in FLAG_TRUE for r in numerator)
    assert {(r["sha256"], r["sheet"], r["row"]) for r in numerator} <= {(r["sha256"], r["sheet"], r["row"]) for r in denominator}
    # each listed row carries what it adds: their sums are the value's numerator and denominator
    assert (sum(r["amount"] for r in numerator), sum(r["amount"] for r in denominator)) == (t["numerator"], t["denominator"])
    published = _published(home, "v2", "dual_teacher_ratio", region)
    assert (int(float(published["numerator"])), int(float(published["denominator"]))) == (len(numerator), len(denominator))
    assert published["value"] == _percent(len(numerator), len(denominator))


def test_above_scale_participation_recomputed_from_the_archived_rows(history):
    home = history["home"]
    t = _trace(history, indicator="above_scale_participation_rate", region=COUNTY)
    denominator = {_cell(home, r, "统一社会信用代码") for r in t["rows"] if r["role"] == "denominator"}
    numerator = {_cell(home, r, "统一社会信用代码") for r in t["rows"] if r["role"] == "numerator"}
    # the evidence: a cooperation row in a school's original file naming each participating enterprise
    evidence = {_cell(home, r, "合作企业统一社会信用代码") for r in t["rows"] if r["role"] == "evidence"}
    assert denominator == {u for u in E.values()} and numerator == evidence == {E[1], E[3]}
    published = _published(home, "v2", "above_scale_participation_rate", COUNTY)
    assert published["value"] == _percent(len(numerator), len(denominator)) == "50.0"
