"""The reader on real .xlsx files written by xlsxwriter: values, provenance, personal data."""
from __future__ import annotations

import datetime as dt

import pytest
import xlsxwriter

from ingestion.pii import pseudonymise
from ingestion.read import read_file
from ingestion.registry import kinds
from ingestion.templates import write_templates, write_workbook
from tests.conftest import PII_KEY, make_id_number, make_uscc

KEY = PII_KEY.encode()


def school_data(**teacher_overrides) -> dict:
    return {
        "school_info": [{"school_code": "0141062201", "school_name": "测试职业学校", "region_code": "410622", "school_level": "技工院校",
                         "period": "2026-10", "enrolled_students": 1200, "staff_quota": 80, "total_teaching_hours": 2600.5,
                         "practical_teaching_hours": 1300, "contact_name": "赵敏", "contact_phone": "13903920001"}],
        "teachers": [
            {"teacher_id": "T0001", "teacher_name": "王芳", "id_number": make_id_number("410622", 1), "is_professional": True,
             "is_dual_qualified": True, "employment_type": "专任", "practice_days_12m": 30, "practice_days_24m": 61, "is_integrated": False},
            {"teacher_id": "T0002", "teacher_name": "李强", "is_professional": True, "is_dual_qualified": False, "employment_type": "兼职",
             "source_enterprise_uscc": make_uscc("410622", 7), "practice_days_12m": 0, "practice_days_24m": 0, "is_integrated": True, **teacher_overrides},
        ],
        "cooperations": [{"enterprise_uscc": make_uscc("410622", 1), "enterprise_name": "鹤壁某某机械有限公司", "cooperation_type": "订单培养",
                          "start_date": dt.date(2025, 9, 1), "end_date": None}],
    }


def test_filled_template_reads_back_exactly(tmp_path):
    path = write_workbook(kinds()["school_workbook"], tmp_path / "school.xlsx", school_data())
    parsed = read_file(path, KEY)
    assert parsed.problems == []
    assert (parsed.kind, parsed.submitter, parsed.period, parsed.region) == ("school_workbook", "0141062201", "2026-10", "410622")
    info = parsed.sheets["school_info"].rows[0]
    assert info["school_code"] == "0141062201"  # leading zero kept (text-formatted column)
    assert info["enrolled_students"] == 1200 and info["total_teaching_hours"] == 2600.5
    assert info["region_code_valid"] is True
    t1, t2 = parsed.sheets["teachers"].rows
    assert (t1["source_sheet"], t1["source_row"], t2["source_row"]) == ("教师名册", 2, 3)
    assert t1["is_dual_qualified"] is True and t2["is_dual_qualified"] is False
    assert t2["employment_type"] == "兼职" and t2["source_enterprise_uscc_valid"] is True and t2["is_integrated"] is True
    assert t1["id_number_valid"] is True and t2["id_number_valid"] is None
    assert t1["teacher_name_hash"] == pseudonymise(KEY, "王芳")
    coop = parsed.sheets["cooperations"].rows[0]
    assert coop["start_date"] == dt.date(2025, 9, 1) and coop["end_date"] is None
    assert coop["school_code"] == "0141062201"


def test_personal_data_never_leaves_the_reader(tmp_path):
    data = school_data()
    path = write_workbook(kinds()["school_workbook"], tmp_path / "school.xlsx", data)
    parsed = read_file(path, KEY)
    text = repr([s.rows for s in parsed.sheets.values()])
    for raw in ("王芳", "李强", "赵敏", "13903920001", "T0001", data["teachers"][0]["id_number"]):
        assert raw not in text


def test_messy_sheet_title_rows_synonyms_symbols_totals_and_footnotes(tmp_path):
    """A register typed by hand: title rows, a synonym header with full-width brackets and a line
    break, a code that lost its leading zero... and a 合计 row and footnotes under the data."""
    path = tmp_path / "register.xlsx"
    wb = xlsxwriter.Workbook(path, {"strings_to_numbers": False})
    ws = wb.add_worksheet("Sheet1")  # renamed sheet: found by its headers
    ws.write(0, 0, "鹤壁市规模以上工业企业名录")
    ws.write(1, 0, "（2026年10月）")
    ws.write_row(3, 0, ["序号", "统一信用代码", "企业\n名称", " 所在地区划代码 ", "国民经济行业代码", "报告期"])
    ws.write_row(4, 0, [1, make_uscc("410622", 1), "甲公司", "410622", "C36", "2026年10月"])
    ws.write_row(5, 0, [2, make_uscc("410611", 2), "乙公司", 410611, "C38", "2026.10"])
    ws.write_row(6, 0, ["合计", "", "2家"])
    ws.write(8, 0, "填表人：张三  审核人：李四")
    wb.close()
    parsed = read_file(path, KEY)
    assert parsed.problems == []
    assert parsed.kind == "above_scale_register"
    rows = parsed.sheets["above_scale_enterprises"].rows
    assert [r["source_row"] for r in rows] == [5, 6]
    assert [r["region_code"] for r in rows] == ["410622", "410611"]
    assert {r["period"] for r in rows} == {"2026-10"}
    assert parsed.submitter == "410600"  # the register covers the city containing both counties


def test_long_code_stored_as_number_is_rejected_not_repaired(tmp_path):
    path = tmp_path / "register.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("规模以上企业名录")
    ws.write_row(0, 0, ["统一社会信用代码", "企业名称", "所在地区划代码", "行业代码", "报告期"])
    ws.write_row(1, 0, [914106221234567000, "甲公司", "410622", "C36", "2026-10"])
    wb.close()
    parsed = read_file(path, KEY)
    assert [(p.sheet, p.row, p.column, p.rule) for p in parsed.problems] == [("规模以上企业名录", 2, "统一社会信用代码", "format")]
    assert "科学计数法" in parsed.problems[0].message


@pytest.mark.parametrize("cell, expected", [("是", True), ("√", True), ("Y", True), ("1", True), ("否", False), ("×", False), ("N", False)])
def test_flags_as_submitters_write_them(tmp_path, cell, expected):
    path = write_workbook(kinds()["school_workbook"], tmp_path / "school.xlsx", school_data())
    # rewrite with the flag spelled the way this submitter spells it
    data = school_data()
    data["teachers"][0]["is_professional"] = cell
    path = write_workbook(kinds()["school_workbook"], tmp_path / "school2.xlsx", data)
    assert read_file(path, KEY).sheets["teachers"].rows[0]["is_professional"] is expected


def test_missing_required_sheet_and_unreadable_file(tmp_path):
    path = tmp_path / "two_sheets.xlsx"
    wb = xlsxwriter.Workbook(path)
    for key in ("school_info", "teachers"):
        sheet = kinds()["school_workbook"].sheet(key)
        ws = wb.add_worksheet(sheet.sheet)
        ws.write_row(0, 0, [f.header for f in sheet.fields])
    wb.close()
    parsed = read_file(path, KEY)
    assert ("校企合作", "sheet_missing") in [(p.sheet, p.rule) for p in parsed.problems]
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"<html><body>not a workbook</body></html>")
    assert [p.rule for p in read_file(junk, KEY).problems] == ["unreadable"]


def test_templates_have_every_kind_with_instructions(tmp_path):
    from python_calamine import CalamineWorkbook

    paths = write_templates(tmp_path)
    assert {p.name for p in paths} == {f"{k.title}.xlsx" for k in kinds().values()}
    for path in paths:
        wb = CalamineWorkbook.from_path(str(path))
        assert "说明" in wb.sheet_names
        parsed = read_file(path, KEY, collection_period="2026-10")
        assert parsed.kind is not None and parsed.row_count == 0  # a blank template is recognised, with no rows


def test_id_number_from_a_development_zone_code_is_invalid_not_a_crash():
    from ingestion.codes import id_number_is_valid

    assert id_number_is_valid(make_id_number("410611", 1)) is True
    assert id_number_is_valid(make_id_number("410671", 1)) is False  # stdnum raises KeyError for this code
