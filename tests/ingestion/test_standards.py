"""Codes judged by their own standard, headers matched after normalisation (templates.md; issue 12).

Each case is one of the three ways valid files were bounced, written as a real file and read by the
reader, then the converse: the same file broken by one rule is rejected at that sheet, row and column.
"""
from __future__ import annotations

import datetime as dt

import pytest
from stdnum.cn import ric, uscc

from chanjiao.demo.factory import specimens
from expectations.gate import validate
from ingestion.codes import id_number_holdable_from, id_number_is_valid, uscc_is_valid
from tests.ingestion.test_corpus import ER, S, cells, heads, parse, school_sheets, where, write_csv, write_xlsx

# GB 32100 allows letters in the organisation part (positions 9-17): this one has an E there.
LETTERED_USCC = "91410603E448801280"


def id_number(region: str, born: str, serial: str = "012") -> str:
    body = f"{region}{born}{serial}"
    return body + ric.calc_check_digit(body + "0")


def gate(parsed, period: str = specimens.PERIOD) -> list[tuple]:
    """Reader and gate together: every (sheet, row, column, rule) a submitter would be sent."""
    verdict = validate([parsed], {parsed.sha256: period})[parsed.sha256]
    return where(parsed) + [(p.sheet, p.row, p.column, p.rule) for p in verdict["problems"]]


# --- 1. a USCC is judged by GB 32100, not by a look-alike of scientific notation -------------------

def test_a_uscc_with_an_e_is_that_uscc_not_scientific_notation(tmp_path):
    assert uscc_is_valid(LETTERED_USCC) and uscc.is_valid(LETTERED_USCC)
    parsed = parse(write_xlsx(tmp_path / "return.xlsx", S("Sheet1", [heads(ER), cells(ER, specimens.enterprise(uscc=LETTERED_USCC))])))
    assert gate(parsed) == []
    assert parsed.sheets[ER].rows[0]["uscc"] == LETTERED_USCC


@pytest.mark.parametrize("shown", ["9.14106E+17", "9.14106E17", "9E+17", "9.141060300E+17"])
def test_what_excel_shows_for_a_long_number_is_still_refused(tmp_path, shown):
    parsed = parse(write_xlsx(tmp_path / "return.xlsx", S("Sheet1", [heads(ER), cells(ER, specimens.enterprise(uscc=shown))])))
    assert where(parsed) == [("Sheet1", 2, "统一社会信用代码", "format")]
    assert "科学计数法" in parsed.problems[0].message


def test_a_uscc_with_a_wrong_check_character_is_refused_there(tmp_path):
    wrong = LETTERED_USCC[:-1] + ("1" if LETTERED_USCC[-1] != "1" else "2")
    parsed = parse(write_xlsx(tmp_path / "return.xlsx", S("Sheet1", [heads(ER), cells(ER, specimens.enterprise(uscc=wrong))])))
    assert gate(parsed) == [("Sheet1", 2, "统一社会信用代码", "uscc_check")]


# --- 2. headers: qualifiers dropped, duplicates named, the closest header offered -----------------

@pytest.mark.parametrize("header", ["企业统一信用代码", "统一信用代码", "信用代码", "合作企业 信用代码", "企业统一社会\n信用代码（18位）"])
def test_a_credit_code_header_without_its_qualifiers_names_the_one_such_column(tmp_path, header):
    sheets = school_sheets()
    for s in sheets:
        if s.name in ("学徒制学生", "校企合作"):
            s.rows[0] = [header if h == "合作企业统一社会信用代码" else h for h in s.rows[0]]
    parsed = parse(write_xlsx(tmp_path / "school.xlsx", *sheets))
    assert gate(parsed) == []
    assert [r["enterprise_uscc"] for r in parsed.sheets["cooperations"].rows] == [specimens.E1, specimens.E2]
    assert [r["enterprise_uscc"] for r in parsed.sheets["apprentices"].rows] == [specimens.E1, specimens.E2]


def test_headers_with_notes_units_after_a_slash_and_a_star(tmp_path):
    head = heads(ER)
    head[0] = "*统一社会信用代码(必填)"
    head[5] = "工资总额/元"
    row = specimens.enterprise()
    line = cells(ER, {**row, "wage_bill": row["wage_bill"] * 10000})
    parsed = parse(write_xlsx(tmp_path / "return.xlsx", S("Sheet1", [head, line])))
    assert gate(parsed) == []
    assert parsed.sheets[ER].rows[0]["wage_bill"] == pytest.approx(row["wage_bill"])


def test_two_columns_naming_one_field_are_refused_naming_both(tmp_path):
    head, line = heads(ER), cells(ER, specimens.enterprise())
    head.append("统一信用代码")
    line.append(specimens.E2)
    parsed = parse(write_xlsx(tmp_path / "return.xlsx", S("Sheet1", [head, line])))
    assert where(parsed) == [("Sheet1", 1, "统一社会信用代码", "column_twice")]
    assert "“统一社会信用代码”和“统一信用代码”两列都对应" in parsed.problems[0].message
    assert parsed.sheets[ER].rows == []  # nothing read from a sheet that cannot be read unambiguously


def test_a_header_merged_across_two_columns_is_one_header(tmp_path):
    head, line = heads(ER), cells(ER, specimens.enterprise())
    head.insert(1, None)
    line.insert(1, None)
    sheet = S("Sheet1", [head, line], merges=((0, 0, 0, 1),))
    parsed = parse(write_xlsx(tmp_path / "return.xlsx", sheet))
    assert gate(parsed) == []
    assert parsed.sheets[ER].rows[0]["uscc"] == specimens.E1


def test_a_missing_column_reason_offers_the_closest_header(tmp_path):
    head, line = heads(ER), cells(ER, specimens.enterprise())
    head[4] = "职工总人数合计"  # 职工总数, written so that no rule can tell it is meant
    parsed = parse(write_xlsx(tmp_path / "return.xlsx", S("Sheet1", [head, line])))
    assert where(parsed) == [("Sheet1", 1, "职工总数", "column_missing")]
    message = parsed.problems[0].message
    assert "本表表头：“统一社会信用代码”、“企业名称”" in message
    assert message.endswith("最接近的是“职工总人数合计”）：请按模板补上该列，或将“职工总人数合计”改为“职工总数”")


def test_a_second_credit_code_column_is_a_second_claim_not_ignored(tmp_path):
    """A CSV with the template's 统一社会信用代码 and another 信用代码 column: which one is the
    enterprise's is not for the reader to pick."""
    head = heads(ER) + ["信用代码"]
    line = cells(ER, specimens.enterprise()) + [specimens.E2]
    parsed = parse(write_csv(tmp_path / "return.csv", [head, line]))
    assert where(parsed) == [("return.csv", 1, "统一社会信用代码", "column_twice")]


# --- 3. ID numbers: the address code in force at some time from birth to the period's end ---------

def test_an_id_issued_under_a_code_newer_than_the_birth_date_is_valid(tmp_path):
    newer = id_number("410184", "19870305")  # 新郑市, coded in 1994; its holder was born in 1987
    assert id_number_is_valid(newer, dt.date(2026, 10, 31))
    assert not ric.is_valid(newer)  # python-stdnum checks the place against the birth year: the defect
    data = specimens.school()
    data["teachers"][0]["id_number"] = newer
    data["apprentices"][0]["id_number"] = id_number("410123", "19550101")  # 新郑县, abolished 1994: issued before
    parsed = parse(write_xlsx(tmp_path / "school.xlsx", *school_sheets(data)))
    assert gate(parsed) == []
    assert parsed.sheets["teachers"].rows[0]["id_number_valid"] is True


@pytest.mark.parametrize(("number", "why"), [
    (id_number("410123", "19960305"), "新郑县 was abolished in 1994, before this holder was born"),
    (id_number("410671", "19900101"), "a development zone's statistical code: no ID is issued under it"),
    (id_number("419999", "19900101"), "a code that never existed"),
    (id_number("410611", "20261201"), "born after the period's end"),
    (id_number("410611", "19900230"), "a birth date that does not exist"),
])
def test_an_id_no_one_can_hold_is_refused_at_its_cell(tmp_path, number, why):
    data = specimens.school()
    data["teachers"][1]["id_number"] = number
    parsed = parse(write_xlsx(tmp_path / "school.xlsx", *school_sheets(data)))
    assert gate(parsed) == [("教师名册", 3, "身份证号", "id_number_check")], why


def test_the_id_verdict_follows_the_files_own_period():
    newer = id_number("410308", "19900101")  # 孟津区, coded in 2021
    assert id_number_holdable_from(newer) == dt.date(2021, 1, 1)
    assert not id_number_is_valid(newer, dt.date(2020, 12, 31))
    assert id_number_is_valid(newer, dt.date(2021, 1, 31))


def test_development_zones_of_every_henan_city_are_region_codes_never_id_address_codes(tmp_path):
    """templates.md: region codes are GB/T 2260 codes plus the development zones' statistical codes;
    GB 11643: no ID number is issued under a statistical code."""
    data = specimens.school()
    data["school_info"][0]["region_code"] = "410173"  # 郑州航空港经济综合实验区
    data["graduate_destinations"][0]["employer_region_code"] = "411771"  # 河南驻马店经济开发区
    parsed = parse(write_xlsx(tmp_path / "school.xlsx", *school_sheets(data)))
    assert gate(parsed) == []
    assert parsed.region == "410173"
    assert not id_number_is_valid(id_number("410173", "19900101"), dt.date(2026, 10, 31))


# --- merged headers (found by the valid-submissions property suite) --------------------------------

def test_a_header_merged_down_two_rows_has_its_data_below_both(tmp_path):
    head = ["统一社会信用代码", "企业名称", "所在地区划代码", "行业代码"]
    sheet = S("规模以上企业名录", [head, [None] * 4, [LETTERED_USCC, "鹤壁某某有限公司", "410611", "C36"]],
              merges=tuple((0, c, 1, c) for c in range(4)))
    parsed = parse(write_xlsx(tmp_path / "register.xlsx", sheet))
    assert gate(parsed) == []
    assert [(r["source_row"], r["uscc"]) for r in parsed.sheets["above_scale_enterprises"].rows] == [(3, LETTERED_USCC)]


def test_a_unit_on_a_merged_parent_is_its_childrens_unit(tmp_path):
    top = ["所在地区划代码", "年度", "口径", "地方教育附加(元)", None, "教育费附加（万元）", None]
    sub = [None, None, None, "征收额", "用于职业教育额", "征收额", "用于职业教育额"]
    merges = ((0, 0, 1, 0), (0, 1, 1, 1), (0, 2, 1, 2), (0, 3, 0, 4), (0, 5, 0, 6))
    sheet = S("教育经费情况表", [top, sub, ["410611", "2025", "本级", 1000000, 100000, 200, 20]], merges=merges)
    parsed = parse(write_xlsx(tmp_path / "finance.xlsx", sheet))
    assert gate(parsed) == []
    row = parsed.sheets["education_finance"].rows[0]
    assert (row["local_surcharge_collected"], row["local_surcharge_to_ve"], row["edu_surcharge_collected"]) == (100, 10, 200)
