"""Outputs a bureau can forward as they are: `query --format/--output`, `indicators --children` and
`--from/--to`, and times shown in Asia/Shanghai. Each test runs the real CLI on one real built home."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import duckdb
import openpyxl
import pytest

from chanjiao.demo import factory as fx
from ingestion.registry import kinds
from ingestion.templates import write_workbook
from tests.conftest import ingest_here, make_uscc, run_cli, set_received

pytestmark = pytest.mark.dbt

CITY, QIXIAN, XUNXIAN, PROVINCE = "410600", "410622", "410621", "410000"


def school(code: str, region: str, period: str, teachers: int) -> dict:
    return fx.school(code, f"学校{code}", region, "中职", period,
                     [{"teacher_id": f"T{i:03d}", "is_professional": True, "is_dual_qualified": i % 2 == 0, "employment_type": "专任"}
                      for i in range(teachers)],
                     [fx.cooperation(make_uscc(region, 1), name="甲公司")],
                     enrolled_students=900, staff_quota=50, practical_teaching_hours=900, contact_name=None, contact_phone=None)


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    """September: one school in 淇县; October: it and one in 浚县 (two counties of 鹤壁). Received at known times."""
    root = tmp_path_factory.mktemp("outputs")
    book = kinds()["school_workbook"]
    files = [
        set_received(write_workbook(book, root / "qi_sep.xlsx", school("4141062201", QIXIAN, "2026-09", 6)), "2026-10-05T09:30:00"),
        set_received(write_workbook(book, root / "qi_oct.xlsx", school("4141062201", QIXIAN, "2026-10", 8)), "2026-11-05T10:00:00"),
        set_received(write_workbook(book, root / "xun_oct.xlsx", school("4141062101", XUNXIAN, "2026-10", 4)), "2026-11-04T23:15:00"),
    ]
    home = root / "home"
    outcomes = ingest_here(home, *files)
    assert [o["status"] for o in outcomes] == ["accepted"] * 3, outcomes
    built = run_cli(home, "build")
    assert built.returncode == 0, built.stderr[-3000:]
    return home


def one_line(result, code: int) -> str:
    assert result.returncode == code, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


VALUES = ("select indicator_code, region_code, region_name, value, numerator, denominator from marts.fct_indicator_value "
          "where variant_code = 'default' and period = '2026-10' and indicator_code = 'dual_teacher_ratio' order by region_code")


# --- query --format csv|xlsx|json --output FILE --------------------------------------------------------

def test_query_to_csv_is_utf8_with_bom_named_columns_and_inert_formulas(home, tmp_path):
    out = tmp_path / "values.csv"
    result = run_cli(home, "query", VALUES + "", "--format", "csv", "--output", str(out))
    assert result.returncode == 0, result.stderr
    expected = run_cli(home, "query", VALUES, "--json").data
    assert result.stdout.strip() == f"wrote {len(expected)} rows (csv) to {out}"
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["indicator_code", "region_code", "region_name", "value", "numerator", "denominator"]
    assert [r[1] for r in rows[1:]] == [e["region_code"] for e in expected]
    assert "鹤壁市" in [r[2] for r in rows[1:]]
    assert [float(r[3]) for r in rows[1:]] == [e["value"] for e in expected]

    formulas = tmp_path / "formulas.csv"
    assert run_cli(home, "query", "select '=1+2' as 地区, '@x' as a, '-3' as b, -3 as n", "--output", str(formulas)).returncode == 0
    text = formulas.read_bytes().decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text, newline=""))) == [["地区", "a", "b", "n"], ["'=1+2", "'@x", "'-3", "-3"]]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["formulas.csv", "values.csv"]  # no temporary file left


def test_query_to_xlsx_keeps_numbers_numeric_with_bold_chinese_headers(home, tmp_path):
    out = tmp_path / "values.xlsx"
    sql = VALUES.replace("denominator from", "denominator, '=1+2' as note, period from")
    result = run_cli(home, "query", sql, "--format", "xlsx", "--output", str(out), "--json")
    assert result.returncode == 0, result.stderr
    expected = run_cli(home, "query", VALUES, "--json").data
    assert result.data["path"] == str(out) and result.data["format"] == "xlsx" and result.data["rows"] == len(expected) == 4
    sheet = openpyxl.load_workbook(out).active
    header = [c.value for c in sheet[1]]
    # known mart columns in the release's words; a column without one keeps its name
    assert header == ["指标代码", "区划代码", "地区", "指标值", "分子", "分母", "note", "统计期"]
    assert all(c.font.bold for c in sheet[1])
    body = list(sheet.iter_rows(min_row=2))
    assert len(body) == len(expected)
    for row in body:
        assert all(c.data_type == "n" and isinstance(c.value, (int, float)) for c in row[3:6])
        assert row[6].value == "=1+2" and row[6].data_type == "s"  # text, not a formula
    assert [(r[1].value, r[3].value) for r in body] == [(e["region_code"], e["value"]) for e in expected]


def test_query_to_json_is_a_list_of_objects(home, tmp_path):
    out = tmp_path / "values.json"
    assert run_cli(home, "query", VALUES, "--output", str(out)).returncode == 0  # format from the suffix
    written = json.loads(out.read_text(encoding="utf-8"))
    assert written == run_cli(home, "query", VALUES, "--json").data
    assert isinstance(written, list) and {r["region_code"] for r in written} == {PROVINCE, CITY, QIXIAN, XUNXIAN}

    printed = run_cli(home, "query", VALUES, "--format", "json")
    assert printed.returncode == 0 and json.loads(printed.stdout) == written
    csv_out = run_cli(home, "query", VALUES, "--format", "csv")
    assert csv_out.returncode == 0 and csv_out.stdout.splitlines()[0] == "indicator_code,region_code,region_name,value,numerator,denominator"
    assert len(csv_out.stdout.splitlines()) == 1 + len(written)


def test_query_output_that_cannot_be_written_is_one_line_and_leaves_nothing(home, tmp_path):
    missing = tmp_path / "no_such_folder" / "values.csv"
    line = one_line(run_cli(home, "query", VALUES, "--output", str(missing)), 1)
    assert line.startswith("chanjiao query: ") and str(missing) in line and ".part" not in line
    folder = tmp_path / "a_folder.xlsx"
    folder.mkdir()
    line = one_line(run_cli(home, "query", VALUES, "--output", str(folder)), 1)
    assert str(folder) in line
    assert [p.name for p in tmp_path.iterdir()] == ["a_folder.xlsx"] and not any(folder.iterdir())


# --- indicators --children, --from/--to --------------------------------------------------------------

def test_children_are_the_region_and_its_direct_children_with_data(home):
    everything = run_cli(home, "indicators", "--period", "2026-10", "--json").data
    with_data = {r["region"] for r in everything}
    assert {CITY, QIXIAN, XUNXIAN, PROVINCE} <= with_data

    city = run_cli(home, "indicators", "--period", "2026-10", "--region", CITY, "--children", "--json")
    assert city.returncode == 0, city.stderr
    assert {r["region"] for r in city.data} == {CITY, QIXIAN, XUNXIAN}
    assert city.data == [r for r in everything if r["region"] in (CITY, QIXIAN, XUNXIAN)]

    province = run_cli(home, "indicators", "--period", "2026-10", "--region", PROVINCE, "--children", "--json").data
    assert {r["region"] for r in province} == {PROVINCE, CITY}  # its cities, not its counties

    county = run_cli(home, "indicators", "--period", "2026-10", "--region", QIXIAN, "--children", "--json").data
    assert {r["region"] for r in county} == {QIXIAN}

    text = run_cli(home, "indicators", "--period", "2026-10", "--region", CITY, "--children", "--indicator", "dual_teacher_ratio")
    assert text.returncode == 0 and all(f"({code})" in text.stdout for code in (CITY, QIXIAN, XUNXIAN))
    assert f"({PROVINCE})" not in text.stdout


def test_a_period_range_covers_every_period_ordered_by_indicator_region_period(home):
    ranged = run_cli(home, "indicators", "--from", "2026-09", "--to", "2026-10", "--json")
    assert ranged.returncode == 0, ranged.stderr
    rows = ranged.data
    assert {r["period"] for r in rows} == {"2026-09", "2026-10"}
    september = run_cli(home, "indicators", "--period", "2026-09", "--json").data
    october = run_cli(home, "indicators", "--period", "2026-10", "--json").data
    assert sorted(rows, key=lambda r: (r["indicator"], r["region"], r["period"])) == sorted(
        september + october, key=lambda r: (r["indicator"], r["region"], r["period"]))
    # ordered by indicator, region, period: each indicator and region together, its periods ascending
    keys = [(r["indicator"], r["region"]) for r in rows]
    assert keys == sorted(keys, key=lambda k: (k[0], keys.index(k)))
    for k in set(keys):
        periods = [r["period"] for r in rows if (r["indicator"], r["region"]) == k]
        assert periods == sorted(periods)
    qixian = [r["period"] for r in rows if r["indicator"] == "dual_teacher_ratio" and r["region"] == QIXIAN]
    assert qixian == ["2026-09", "2026-10"]
    assert [r["period"] for r in rows if r["indicator"] == "dual_teacher_ratio" and r["region"] == XUNXIAN] == ["2026-10"]

    same = run_cli(home, "indicators", "--from", "2026-10", "--to", "2026-10", "--json").data
    assert same == october

    text = run_cli(home, "indicators", "--from", "2026-09", "--to", "2026-10", "--region", QIXIAN, "--indicator", "dual_teacher_ratio")
    assert text.returncode == 0
    lines = text.stdout.strip().splitlines()
    assert "统计期" in lines[0] and len(lines) == 3
    assert "2026-09" in lines[1] and "2026-10" in lines[2]


# --- times shown in Asia/Shanghai ---------------------------------------------------------------------

def test_query_and_status_show_times_in_shanghai_with_the_offset(home, tmp_path):
    sql = "select file_name, received_at from marts.fct_load order by file_name"
    with duckdb.connect(str(home / "marts.duckdb"), read_only=True) as con:
        stored = {f: t for f, t in con.execute(sql).fetchall()}
    assert all(t.tzinfo is not None for t in stored.values())  # TIMESTAMPTZ: one instant

    shown = {r["file_name"]: r["received_at"] for r in run_cli(home, "query", sql, "--json").data}
    assert shown["qi_oct.xlsx"] == "2026-11-05T10:00:00+08:00"
    assert shown["xun_oct.xlsx"] == "2026-11-04T23:15:00+08:00"
    for name, text in shown.items():
        assert text.endswith("+08:00") and dt.datetime.fromisoformat(text) == stored[name]

    table = run_cli(home, "query", sql)
    assert "qi_oct.xlsx\t2026-11-05T10:00:00+08:00" in table.stdout.splitlines()

    naive = run_cli(home, "query", "select timestamp '2026-11-05 02:00:00' as t", "--format", "json")
    assert json.loads(naive.stdout) == [{"t": "2026-11-05T10:00:00+08:00"}]  # a TIMESTAMP is UTC, as stored

    out = tmp_path / "loads.csv"
    assert run_cli(home, "query", sql, "--output", str(out)).returncode == 0
    rows = list(csv.DictReader(io.StringIO(out.read_bytes().decode("utf-8-sig"), newline="")))
    assert {r["file_name"]: r["received_at"] for r in rows} == shown
    book = tmp_path / "loads.xlsx"
    assert run_cli(home, "query", sql, "--output", str(book)).returncode == 0
    cells = [[c.value for c in row] for row in openpyxl.load_workbook(book).active.iter_rows(min_row=2)]
    assert dict(cells) == shown

    status = run_cli(home, "status", "--period", "2026-10", "--json")
    assert status.returncode == 0, status.stderr
    received = {r["submitter"]: r["last_received_at"] for r in status.data["submitters"]}
    assert received == {"4141062201": "2026-11-05T10:00:00+08:00", "4141062101": "2026-11-04T23:15:00+08:00"}


# --- usage errors: one line, exit 2 -------------------------------------------------------------------

@pytest.mark.parametrize("args", [
    ("indicators", "--period", "2026-10", "--children"),
    ("indicators", "--period", "2026-10", "--from", "2026-09", "--to", "2026-10"),
    ("indicators", "--period", "2026-10", "--to", "2026-10"),
    ("indicators", "--from", "2026-10", "--to", "2026-09"),
    ("indicators", "--from", "2026-09"),
    ("indicators",),
    ("query", "select 1", "--format", "xlsx"),
    ("query", "select 1", "--format", "csv", "--json"),
    ("query", "select 1", "--output", "{tmp}/result.txt"),
], ids=["children-without-region", "period-and-range", "period-and-to", "from-after-to", "from-without-to", "no-period",
        "xlsx-without-output", "csv-with-json", "output-of-unknown-format"])
def test_usage_errors_are_one_line_and_exit_2(tmp_path, args):
    result = run_cli(tmp_path / "home", *(a.format(tmp=tmp_path) for a in args))
    line = one_line(result, 2)
    assert line.startswith(f"chanjiao {args[0]}: ") and result.stdout == ""
    assert not (tmp_path / "home").exists() and not (tmp_path / "result.txt").exists()
