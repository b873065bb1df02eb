"""Outputs a bureau can forward as they are: Chinese wherever a person reads, codes only in their own
columns (for machines), numbers as numbers. On the real month of tests/publication/month.py."""
from __future__ import annotations

import csv
import re

import openpyxl
import pytest

from chanjiao import labels, marts
from chanjiao.publication.notes import status_codes
from chanjiao.settings import Settings
from tests.conftest import run_cli
from tests.publication.month import PERIOD

pytestmark = pytest.mark.dbt

ENGLISH = re.compile(r"[a-z]{4,}")  # a word of English (codes are snake_case, and have their own columns)
CJK = re.compile(r"[\u4e00-\u9fff]")


def definitions(home) -> list[dict]:
    with marts.connect(Settings(home=home, pii_key=None)) as con:
        return marts.records(con, "select * from marts.dim_indicator order by indicator_code")


def sheet_rows(path, name: str) -> list[dict]:
    sheet = openpyxl.load_workbook(path)[name]
    headers = [c.value for c in sheet[1]]
    return [dict(zip(headers, row)) for row in sheet.iter_rows(min_row=2)]


def english_cells(rows: list[dict], code_columns: set[str]) -> list[tuple[str, str]]:
    return [(header, cell.value) for row in rows for header, cell in row.items()
            if header not in code_columns and isinstance(cell.value, str) and ENGLISH.search(cell.value)]


def test_dim_indicator_defines_every_indicator_in_chinese(month):
    found = definitions(month["home"])
    assert len(found) == 29
    for d in found:
        assert d["numerator_definition_zh"] and CJK.search(d["numerator_definition_zh"]), d["indicator_code"]
        assert not ENGLISH.search(d["numerator_definition_zh"]), d
        assert d["numerator_definition"] != d["numerator_definition_zh"]  # the English ones stay beside them
        # a denominator in Chinese exactly where there is one (counts and amounts have none)
        assert bool(d["denominator_definition_zh"]) == bool(d["denominator_definition"]), d["indicator_code"]
        assert not ENGLISH.search(d["denominator_definition_zh"] or ""), d
    dual = next(d for d in found if d["indicator_code"] == "dual_teacher_ratio")
    assert (dual["numerator_definition_zh"], dual["denominator_definition_zh"]) == ("是否双师型为“是”的专任专业课教师数", "专任专业课教师数")


def test_notes_sheet_has_the_chinese_definitions_and_no_english_but_codes(v1, month):
    rows = [r for r in openpyxl.load_workbook(v1 / "indicators.xlsx")["说明"].iter_rows(values_only=True)]
    by_code = {r[0]: r for r in rows if r and r[0]}
    found = definitions(month["home"])
    for d in found:
        row = by_code[d["indicator_code"]]
        assert (row[1], row[2], row[3]) == (d["name_zh"], d["numerator_definition_zh"], d["denominator_definition_zh"])
    english = {d["numerator_definition"] for d in found} | {d["denominator_definition"] for d in found if d["denominator_definition"]}
    cells = [v for r in rows for v in r if isinstance(v, str)]
    assert not english & set(cells)
    codes = {d["indicator_code"] for d in found} | {code for _, code, _ in status_codes()}
    assert [v for v in cells if v not in codes and ENGLISH.search(v)] == []
    # headings and the code groups in Chinese only
    assert "不由本系统统计、另行跟踪的目标(无报送数据)" in cells and "指标状态" in cells and "数据状态(SDMX)" in cells
    assert labels.OBS_STATUS["P"] in cells and "鹤政办〔2022〕1号" in cells


def test_values_and_targets_sheets_show_codes_in_words_beside_the_codes(v1):
    values = sheet_rows(v1 / "indicators.xlsx", "指标")
    assert english_cells(values, {"指标代码"}) == []
    assert {r["数据状态(SDMX OBS_STATUS)"].value for r in values} <= set(labels.OBS_STATUS.values())
    assert {r["保密状态(SDMX CONF_STATUS)"].value for r in values} <= set(labels.CONF_STATUS.values())

    targets = sheet_rows(v1 / "indicators.xlsx", "目标")
    assert english_cells(targets, {"指标代码", "口径"}) == []
    dual = next(r for r in targets if r["指标代码"].value == "dual_teacher_ratio" and r["区划代码"].value == "410600")
    assert (dual["口径"].value, dual["口径说明"].value) == ("population=dual_or_integrated", "双师型或一体化教师")
    assert dual["期限(年)"].value == 2025 and dual["期限(年)"].data_type == "n"  # a year is a number
    default = next(r for r in targets if r["口径"].value == "default")
    assert default["口径说明"].value == "默认口径"
    part_time = next(r for r in targets if r["指标代码"].value == "part_time_teacher_ratio")
    assert part_time["政策依据"].value == "鹤政办〔2022〕1号 四(三)（许可性条款，作参考水平）"


def test_revisions_sheet_holds_numbers_and_chinese_names(v2):
    with (v2 / "revisions.csv").open(encoding="utf-8-sig", newline="") as fh:
        published = list(csv.DictReader(fh))
    rows = sheet_rows(v2 / "indicators.xlsx", "修订")
    assert len(rows) == len(published) == 7
    assert english_cells(rows, {"指标代码", "口径"}) == []
    for row, source in zip(rows, published):
        assert row["表"].value == labels.REVISION_TABLE[source["table"]]
        assert row["字段"].value == labels.REVISION_FIELD[source["table"]][source["field"]]
        assert (row["指标代码"].value, row["区划代码"].value, row["口径"].value) == (source["indicator"], source["region"], source["variant"])
        for column, text in (("上一版本", source["previous"]), ("本版本", source["current"])):
            assert row[column].data_type == "n" and row[column].value == pytest.approx(float(text)), (column, text)
    fields = {(r["表"].value, r["字段"].value, r["口径说明"].value) for r in rows}
    assert fields == {("指标值表", "分子", "默认口径"), ("指标值表", "指标值", "默认口径"), ("目标表", "口径值", "双师型或一体化教师")}
    value = next(r for r in rows if r["字段"].value == "指标值")
    assert value["本版本"].number_format == "0.00" and value["上一版本"].value == 66.0


def test_status_text_has_no_english_state_words(month):
    text = run_cli(month["home"], "status", "--period", PERIOD)
    assert text.returncode == 0, text.stderr[-2000:]
    assert "已接收" in text.stdout and "职业院校产教融合数据报表" in text.stdout
    assert not re.search(r"accepted|rejected|received|missing|duplicate|unidentified|collection|status", text.stdout), text.stdout
    data = run_cli(month["home"], "status", "--period", PERIOD, "--json").data  # machines keep the codes
    assert {r["state"] for r in data["submitters"]} == {"accepted"}


def test_indicators_text_has_no_english(month):
    text = run_cli(month["home"], "indicators", "--period", PERIOD)
    assert text.returncode == 0, text.stderr[-2000:]
    assert "双师型教师占专业课教师比例" in text.stdout and not ENGLISH.search(text.stdout), text.stdout
