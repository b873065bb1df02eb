"""Formula-looking text stays inert in every release file; numbers stay numbers. Written by the real writers."""
from __future__ import annotations

import csv

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from chanjiao.publication.cells import looks_like_formula, neutralise
from chanjiao.publication.content import Content
from chanjiao.publication.csv_files import INDICATOR_COLUMNS, indicator_rows, write_csv
from chanjiao.publication.xlsx import write_workbook

HOSTILE = ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\r=1"]


@pytest.mark.parametrize("text", HOSTILE)
def test_formula_starts_are_recognised(text):
    assert looks_like_formula(text) and neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["淇县", "70%", 66.0, -3, None, "a=b"])
def test_other_values_pass_unchanged(value):
    assert not looks_like_formula(value) and neutralise(value) == value


def _content(names: list[str]) -> Content:
    values = [{"indicator": f"i{n}", "indicator_name": name, "region": "410622", "region_name": name, "region_level": "county",
               "period": "2026-10", "cohort_year": None, "numerator": -3.0, "denominator": 4.0, "value": -75.0, "unit": "%",
               "status": "ok", "coverage": None, "targets": []} for n, name in enumerate(names)]
    definitions = [{"indicator_code": f"i{n}", "name_zh": name, "numerator_definition": name, "denominator_definition": "d",
                    "unit": "%", "definition_source": name} for n, name in enumerate(names)]
    return Content(period="2026-10", values=values, loads=[], definitions=definitions, history=[], sources=[])


def test_workbook_writes_formula_text_as_quoted_text_and_numbers_as_numbers(tmp_path):
    path = tmp_path / "indicators.xlsx"
    write_workbook(path, _content(HOSTILE), [], "v1")
    sheet = openpyxl.load_workbook(path)["指标"]
    headers = [c.value for c in sheet[1]]
    # openpyxl leaves Excel's _x000D_ escape of a carriage return undecoded; calamine reads text as Excel shows it
    shown = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("指标").to_python()[1:]
    for row, text, seen in zip(sheet.iter_rows(min_row=2), HOSTILE, shown):
        name = row[headers.index("指标名称")]
        assert seen[headers.index("指标名称")] == text  # shown exactly as it was, with no apostrophe added
        assert name.data_type == "s" and name.quotePrefix  # text, marked so Excel never runs it even when edited
        value = row[headers.index("指标值")]
        assert value.data_type == "n" and value.value == -75.0  # a negative number is a number, not neutralised text
        assert value.number_format == "0.00" and row[headers.index("分子")].number_format == "#,##0"
    notes = [c for r in openpyxl.load_workbook(path)["说明"].iter_rows() for c in r if c.value in HOSTILE[:5]]
    assert notes and all(c.data_type == "s" and c.quotePrefix for c in notes)


def test_csv_prefixes_formula_text_and_keeps_numbers(tmp_path):
    path = tmp_path / "indicators.csv"
    write_csv(path, INDICATOR_COLUMNS, indicator_rows(_content(HOSTILE).values))
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["indicator_name"] for r in rows] == ["'" + t for t in HOSTILE]
    assert all(r["value"] == "-75.0" and r["numerator"] == "-3.0" for r in rows)
