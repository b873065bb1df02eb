"""A corpus of submissions as they really arrive (templates.md, "What real submissions look like").

Every file is written here, cell by cell, with the submissions factory's grid writers (xlsxwriter for
.xlsx, xlwt for legacy .xls, plain bytes for .csv in each encoding), and each case changes one thing
against a clean file, so a failure names the habit that broke.
Every case states the exact values read, or the exact sheet/row/column/rule of the rejection.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from chanjiao.demo.factory import specimens
from chanjiao.demo.factory.files import Sheet as S
from chanjiao.demo.factory.files import write_csv, write_xls, write_xlsx
from chanjiao.demo.factory.specimens import E1, E2, PERIOD, SCHOOL
from ingestion import detect, headers, read
from ingestion.read import read_file
from ingestion.registry import Field, Kind, Sheet, kinds
from tests.conftest import make_id_number
from tests.ingestion import samples
from tests.ingestion.samples import KEY

ER, REG, CERT, CARR, FIN, FRAME = "enterprise_returns", "above_scale_enterprises", "certified_enterprises", "carriers", "education_finance", "reporting_frame"
KIND_OF = {ER: "enterprise_return", REG: "above_scale_register", CERT: "certified_enterprises", CARR: "carriers", FIN: "education_finance",
           FRAME: "reporting_frame"}


# --- building files ------------------------------------------------------------------------------

def definition(key: str) -> Sheet:
    return next(s for k in kinds().values() for s in k.sheets if s.key == key)


def heads(key: str) -> list[str]:
    return [f.header for f in definition(key).fields]


def cells(key: str, row: dict) -> list:
    """A typed row in template column order, as a submitter types it: 是/否 for flags, codes as text."""
    return [("是" if v else "否") if isinstance(v, bool) else v for v in (row.get(f.name) for f in definition(key).fields)]


def expect(key: str, row: dict, sheet: str, source_row: int, **extra) -> dict:
    """The record the reader must produce for a typed row."""
    out = {"source_sheet": sheet, "source_row": source_row}
    for f in definition(key).fields:
        out.update(samples.expected(f, row.get(f.name)))
    return {**out, **extra}


def parse(path: Path, period: str | None = PERIOD):
    return read_file(path, KEY, collection_period=period)


def where(parsed) -> list[tuple]:
    return [(p.sheet, p.row, p.column, p.rule) for p in parsed.problems]


def school_sheets(data: dict | None = None, names: dict | None = None) -> list[S]:
    data = data or specimens.school()
    return [S((names or {}).get(s.key, s.sheet), [heads(s.key), *(cells(s.key, r) for r in data[s.key])]) for s in kinds()["school_workbook"].sheets]


def er_rows(*rows: dict) -> list[list]:
    return [heads(ER), *(cells(ER, r) for r in rows)]


# --- formats: .xlsx, legacy .xls, .csv in UTF-8, UTF-8 with BOM, GBK, GB18030 -------------------------

def test_xlsx_enterprise_return_of_one_enterprise_is_sent_by_it(tmp_path):
    row = specimens.enterprise()
    parsed = parse(write_xlsx(tmp_path / "return.xlsx", S("Sheet1", er_rows(row))))
    assert where(parsed) == []
    assert (parsed.kind, parsed.submitter, parsed.region, parsed.period) == ("enterprise_return", E1, "410622", PERIOD)
    assert parsed.sheets[ER].rows == [expect(ER, row, "Sheet1", 2)]


def test_legacy_xls_school_workbook_reads_every_sheet(tmp_path):
    data = specimens.school()
    parsed = parse(write_xls(tmp_path / "school.xls", *school_sheets(data)))
    assert where(parsed) == []
    assert (parsed.kind, parsed.submitter, parsed.region, parsed.period, parsed.encoding) == ("school_workbook", SCHOOL, "410622", PERIOD, None)
    for sheet in kinds()["school_workbook"].sheets:
        extra = {} if sheet.key == "school_info" else {"school_code": SCHOOL}
        assert parsed.sheets[sheet.key].rows == [expect(sheet.key, r, sheet.sheet, n, **extra) for n, r in enumerate(data[sheet.key], start=2)]


def test_csv_utf8_register_rows_are_numbered_by_line_and_named_by_file(tmp_path):
    rows = specimens.above_scale()[REG]
    path = write_csv(tmp_path / "规上名录.csv", [["鹤壁市规模以上企业名录"], heads(REG), *(cells(REG, r) for r in rows)])
    parsed = parse(path)
    assert where(parsed) == []
    assert (parsed.kind, parsed.encoding, parsed.submitter) == ("above_scale_register", "utf-8", "410600")
    assert parsed.sheets[REG].rows == [expect(REG, rows[0], "规上名录.csv", 3), expect(REG, rows[1], "规上名录.csv", 4)]


def test_csv_utf8_with_bom_certified_list(tmp_path):
    rows = specimens.certified()[CERT]
    parsed = parse(write_csv(tmp_path / "cert.csv", [heads(CERT), *(cells(CERT, r) for r in rows)], bom=True))
    assert where(parsed) == []
    assert (parsed.kind, parsed.encoding) == ("certified_enterprises", "utf-8-bom")
    # CSV dates arrive as text "2024-05-20"; the BOM does not stick to the first header
    assert parsed.sheets[CERT].rows == [expect(CERT, rows[0], "cert.csv", 2), expect(CERT, rows[1], "cert.csv", 3)]


def test_csv_gbk_carriers(tmp_path):
    rows = specimens.carriers()[CARR]
    parsed = parse(write_csv(tmp_path / "carriers.csv", [heads(CARR), *(cells(CARR, r) for r in rows)], encoding="gbk"))
    assert where(parsed) == []
    assert (parsed.kind, parsed.encoding, parsed.submitter) == ("carriers", "gb18030", "410600")
    assert parsed.sheets[CARR].rows == [expect(CARR, rows[0], "carriers.csv", 2), expect(CARR, rows[1], "carriers.csv", 3)]


def test_csv_gb18030_keeps_characters_outside_gbk(tmp_path):
    row = specimens.enterprise(enterprise_name="鹤壁𠮷祥䶮业有限公司")  # 𠮷 is four bytes in GB18030, absent from GBK
    parsed = parse(write_csv(tmp_path / "return.csv", er_rows(row), encoding="gb18030"))
    assert where(parsed) == []
    assert parsed.encoding == "gb18030"
    assert parsed.sheets[ER].rows == [expect(ER, row, "return.csv", 2)]


def test_csv_reporting_frame_hashes_contacts_and_restores_codes(tmp_path):
    rows = specimens.frame()[FRAME]
    lines = [heads(FRAME), *(cells(FRAME, r) for r in rows)]
    lines[1][0] = "141062201"  # the school code lost its zero in Excel before export
    lines[2][2] = "企业参与职业教育情况表"  # the kind written as the report's title
    parsed = parse(write_csv(tmp_path / "frame.csv", lines))
    assert where(parsed) == []
    assert (parsed.kind, parsed.submitter, parsed.period) == ("reporting_frame", "410600", PERIOD)
    assert parsed.sheets[FRAME].rows == [expect(FRAME, r, "frame.csv", n) for n, r in enumerate(rows, start=2)]
    text = repr(parsed.sheets[FRAME].rows)
    assert not any(raw in text for raw in ("赵敏", "13903920001", "zhaomin@example.cn", "孙丽", "钱进"))


def test_csv_header_with_a_line_break_inside_quotes_keeps_line_numbers(tmp_path):
    row = specimens.enterprise()
    head = heads(ER)
    head[5] = "工资总额\n(万元)"  # the cell spans two lines of the file
    parsed = parse(write_csv(tmp_path / "return.csv", [["企业参与职业教育情况表"], head, cells(ER, row)]))
    assert where(parsed) == []
    assert parsed.sheets[ER].header_row == 2
    assert parsed.sheets[ER].rows == [expect(ER, row, "return.csv", 4)]  # line 4 of the file, not record 3


def test_school_workbook_as_csv_is_rejected_with_the_reason(tmp_path):
    data = specimens.school()
    path = write_csv(tmp_path / "teachers.csv", [heads("teachers"), *(cells("teachers", r) for r in data["teachers"])])
    parsed = parse(path)
    assert parsed.kind == "school_workbook"
    assert where(parsed) == [(None, None, None, "format")]
    assert parsed.problems[0].message.startswith("“职业院校产教融合数据报表”含5个工作表，只能以.xlsx或.xls格式报送")
    assert parsed.sheets == {}


def test_csv_in_an_unknown_encoding_is_rejected(tmp_path):
    path = tmp_path / "register.csv"
    path.write_bytes(",".join(heads(REG)).encode("utf-8") + b"\r\n\xff\xfe\xff,\xff\r\n")
    parsed = parse(path)
    assert where(parsed) == [(None, None, None, "unreadable")]
    assert "编码" in parsed.problems[0].message


# --- layout: title rows, merged headers, blank rows/columns, hidden and renamed sheets, totals, footnotes

def test_title_rows_above_the_header(tmp_path):
    data = specimens.school()
    sheets = school_sheets(data)
    sheets[1].rows[:0] = [["鹤壁职业技术学院2026年10月教师名册"], ["填报单位：测试职业学校", None, None, "单位：人"]]
    parsed = parse(write_xlsx(tmp_path / "school.xlsx", *sheets))
    assert where(parsed) == []
    assert parsed.sheets["teachers"].header_row == 3
    assert parsed.sheets["teachers"].rows == [expect("teachers", r, "教师名册", n, school_code=SCHOOL) for n, r in enumerate(data["teachers"], start=4)]


def test_merged_two_row_header_combines_parent_and_child(tmp_path):
    data = specimens.school()
    top = heads("teachers")
    top[7:9] = ["企业实践天数", None]
    sub = [None] * 7 + ["近12个月", "近24个月", None]
    rows = [["教师名册（2026年10月）"] + [None] * 9, top, sub, *(cells("teachers", r) for r in data["teachers"])]
    # a title merged across, the parent over its two children, every other header merged down both rows
    merges = ((0, 0, 0, 9), (1, 7, 1, 8), *((1, c, 2, c) for c in (0, 1, 2, 3, 4, 5, 6, 9)))
    sheets = school_sheets(data)
    sheets[1] = S("教师名册", rows, merges=merges)
    parsed = parse(write_xlsx(tmp_path / "school.xlsx", *sheets))
    assert where(parsed) == []
    assert parsed.sheets["teachers"].header_row == 3
    assert parsed.sheets["teachers"].rows == [expect("teachers", r, "教师名册", n, school_code=SCHOOL) for n, r in enumerate(data["teachers"], start=4)]
    assert [r["practice_days_24m"] for r in parsed.sheets["teachers"].rows] == [61, 0]


def test_merged_header_in_legacy_xls(tmp_path):
    row = specimens.enterprise()
    top = heads(ER)
    top[5:8] = ["经费（万元）", None, None]
    sub = [None] * 5 + ["工资总额", "职工教育经费提取额", "一线职工教育培训支出"] + [None] * 6
    merges = ((0, 5, 0, 7), *((0, c, 1, c) for c in (*range(5), *range(8, 14))))
    parsed = parse(write_xls(tmp_path / "return.xls", S("企业表", [top, sub, cells(ER, row)], merges=merges)))
    assert where(parsed) == []
    # "工资总额" + "经费(万元)": the unit written on the parent applies to its children
    assert parsed.sheets[ER].rows == [expect(ER, row, "企业表", 3)]


def test_blank_rows_and_columns_and_pre_numbered_rows(tmp_path):
    r1, r2 = specimens.above_scale()[REG]
    grid = [
        [],
        [None, "序号", *heads(REG)[:2], None, *heads(REG)[2:]],  # a blank column B..: data start in column B, one empty column inside
        [None, 1, *cells(REG, r1)[:2], None, *cells(REG, r1)[2:]],
        [],
        [None, 2, *cells(REG, r2)[:2], None, *cells(REG, r2)[2:]],
        [None, 3],  # the template numbered more rows than were filled
        [None, 4],
    ]
    parsed = parse(write_xlsx(tmp_path / "register.xlsx", S("规模以上企业名录", grid)))
    assert where(parsed) == []
    assert parsed.sheets[REG].header_row == 2
    assert parsed.sheets[REG].rows == [expect(REG, r1, "规模以上企业名录", 3), expect(REG, r2, "规模以上企业名录", 5)]


def test_hidden_sheet_loses_to_the_visible_one(tmp_path):
    old, new = specimens.above_scale()[REG]
    parsed = parse(write_xlsx(tmp_path / "register.xlsx",
                              S("规模以上企业名录", [heads(REG), cells(REG, {**old, "period": "2026-09"})], hidden=True),
                              S("10月", [heads(REG), cells(REG, new)])))
    assert where(parsed) == []
    assert parsed.sheets[REG].rows == [expect(REG, new, "10月", 2)]
    assert parsed.submitter == "410611"


def test_hidden_sheet_in_legacy_xls(tmp_path):
    rows = specimens.certified()[CERT]
    parsed = parse(write_xls(tmp_path / "cert.xls",
                             S("旧名单", [heads(CERT), cells(CERT, rows[1])], hidden=True),
                             S("产教融合型企业名单(更新)", [heads(CERT), cells(CERT, rows[0])])))
    assert where(parsed) == []
    assert parsed.sheets[CERT].rows == [expect(CERT, rows[0], "产教融合型企业名单(更新)", 2)]


def test_sheets_renamed_and_reordered_are_found_by_headers(tmp_path):
    data = specimens.school()
    names = {"school_info": "Sheet5", "teachers": "Sheet4", "apprentices": "Sheet3", "graduate_destinations": "Sheet2", "cooperations": "Sheet1"}
    sheets = list(reversed(school_sheets(data, names)))
    sheets.insert(2, S("字典", [["办学层次", "中职", "技工院校"], ["是否", "是", "否"]]))
    parsed = parse(write_xlsx(tmp_path / "school.xlsx", *sheets))
    assert where(parsed) == []
    assert {k: s.sheet_name for k, s in parsed.sheets.items()} == names
    assert parsed.sheets["apprentices"].rows == [expect("apprentices", r, "Sheet3", n, school_code=SCHOOL) for n, r in enumerate(data["apprentices"], start=2)]
    assert parsed.sheets["graduate_destinations"].rows == [expect("graduate_destinations", r, "Sheet2", n, school_code=SCHOOL)
                                                           for n, r in enumerate(data["graduate_destinations"], start=2)]


def test_total_rows_are_skipped_and_many_enterprises_are_sent_by_their_region(tmp_path):
    a = specimens.enterprise()
    b = specimens.enterprise(uscc=E2, enterprise_name="乙公司", region_code="410611", employees=120)
    total = ["合计", None, None, None, 980]
    grand = [None, "全市总计", None, None, 980]
    parsed = parse(write_xlsx(tmp_path / "returns.xlsx", S("企业参与职业教育情况表", [*er_rows(a, b), total, grand])))
    assert where(parsed) == []
    assert parsed.sheets[ER].rows == [expect(ER, a, "企业参与职业教育情况表", 2), expect(ER, b, "企业参与职业教育情况表", 3)]
    assert (parsed.submitter, parsed.region) == ("410600", "410600")


def test_footnotes_under_the_data_end_the_table(tmp_path):
    rows = specimens.carriers()[CARR]
    grid = [heads(CARR), cells(CARR, rows[0]), [], ["填表人：张三    审核人：李四    填报日期：2026年11月3日"], ["注：载体编号由教育局统一分配"],
            cells(CARR, rows[1])]
    parsed = parse(write_xlsx(tmp_path / "carriers.xlsx", S("产教融合载体名录", grid)))
    assert where(parsed) == []
    assert parsed.sheets[CARR].rows == [expect(CARR, rows[0], "产教融合载体名录", 2)]


# --- headers: spaces, brackets, line breaks, units, synonyms, English ------------------------------

def test_headers_with_spaces_full_width_brackets_and_line_breaks(tmp_path):
    row = specimens.enterprise()
    head = heads(ER)
    head[1], head[5], head[6], head[7] = " 企业 名称 ", "工资总额\n（万元）", "职工教育经费提取额（万元）", "一线职工教育\r\n培训支出【万元】"
    head[4], head[8] = "职工总数（人）", "提供实习岗位数(个)"  # count units carry no conversion
    parsed = parse(write_xlsx(tmp_path / "return.xlsx", S("Sheet1", [head, cells(ER, row)])))
    assert where(parsed) == []
    assert parsed.sheets[ER].rows == [expect(ER, row, "Sheet1", 2)]


def test_money_in_yuan_is_converted_to_wan_yuan(tmp_path):
    row = specimens.enterprise()
    head = heads(ER)
    head[5], head[6], head[7] = "工资总额(元)", "职工教育经费提取额（元）", "一线职工教育培训支出(千元)"
    line = cells(ER, row)
    line[5], line[6], line[7] = 52307500, "4,184,600", 2510.8
    parsed = parse(write_xlsx(tmp_path / "return.xlsx", S("Sheet1", [head, line])))
    assert where(parsed) == []
    got = parsed.sheets[ER].rows[0]
    assert (got["wage_bill"], got["training_fund_extracted"], got["training_fund_frontline"]) == (5230.75, 418.46, 251.08)


def test_money_column_without_a_unit_is_rejected_not_guessed(tmp_path):
    head = heads(ER)
    head[5] = "工资总额"
    parsed = parse(write_xlsx(tmp_path / "return.xlsx", S("Sheet1", [["企业参与职业教育情况表"], head, cells(ER, specimens.enterprise())])))
    assert where(parsed) == [("Sheet1", 2, "工资总额(万元)", "unit_missing")]
    assert parsed.problems[0].message == "“工资总额(万元)”列没有写明金额单位：请在表头注明单位，如“工资总额(万元)”或“工资总额(元)”"
    assert parsed.sheets[ER].rows == []


def test_unit_written_above_the_table_applies_to_unitless_money_headers(tmp_path):
    head = heads(ER)
    head[5:8] = ["工资总额", "职工教育经费提取额", "一线职工教育培训支出(万元)"]
    line = cells(ER, specimens.enterprise())
    line[5:7] = [52307500, 4184600]
    parsed = parse(write_xlsx(tmp_path / "return.xlsx", S("Sheet1", [["企业参与职业教育情况表"], [None, None, "金额单位：元"], head, line])))
    assert where(parsed) == []
    got = parsed.sheets[ER].rows[0]
    assert (got["source_row"], got["wage_bill"], got["training_fund_extracted"], got["training_fund_frontline"]) == (4, 5230.75, 418.46, 251.08)


def test_finance_units_converted_both_ways(tmp_path):
    row = specimens.finance()[FIN][0]
    head = heads(FIN)
    head[3], head[7] = "地方教育附加征收额（亿元）", "中职生均公用经费(万元)"
    line = cells(FIN, row)
    line[3], line[7] = 1.250050, 0.125
    line[1] = "2025年"
    parsed = parse(write_csv(tmp_path / "finance.csv", [head, line]))
    assert where(parsed) == []
    assert parsed.sheets[FIN].rows == [expect(FIN, row, "finance.csv", 2)]  # 12500.5 万元, 1250.0 元, fiscal year 2025
    assert (parsed.kind, parsed.period, parsed.submitter) == ("education_finance", PERIOD, "410600")


def test_synonym_headers(tmp_path):
    data = specimens.school()
    sheets = school_sheets(data)
    head = heads("teachers")
    head[0], head[3], head[4], head[6] = "工号", "专业课教师", "双师素质教师", "来源企业统一信用代码"
    sheets[1] = S("教师名册", [head, *(cells("teachers", r) for r in data["teachers"])])
    parsed = parse(write_xlsx(tmp_path / "school.xlsx", *sheets))
    assert where(parsed) == []
    assert parsed.sheets["teachers"].rows == [expect("teachers", r, "教师名册", n, school_code=SCHOOL) for n, r in enumerate(data["teachers"], start=2)]


def test_synonym_headers_in_a_register(tmp_path):
    rows = specimens.above_scale()[REG]
    head = ["统一信用代码", "单位名称", "行政区划代码", "国民经济行业代码", "统计期"]
    parsed = parse(write_xlsx(tmp_path / "register.xlsx", S("Sheet1", [head, *(cells(REG, r) for r in rows)])))
    assert where(parsed) == []
    assert parsed.kind == "above_scale_register"
    assert parsed.sheets[REG].rows == [expect(REG, rows[0], "Sheet1", 2), expect(REG, rows[1], "Sheet1", 3)]


def test_english_headers(tmp_path):
    rows = specimens.above_scale()[REG]
    head = ["USCC", "Enterprise name", "Region code", "Industry Code", "Period"]
    parsed = parse(write_csv(tmp_path / "register.csv", [head, *(cells(REG, r) for r in rows)]))
    assert where(parsed) == []
    assert parsed.kind == "above_scale_register"
    assert parsed.sheets[REG].rows == [expect(REG, rows[0], "register.csv", 2), expect(REG, rows[1], "register.csv", 3)]


def test_english_headers_with_units_in_an_enterprise_return(tmp_path):
    row = specimens.enterprise()
    head = ["Unified Social Credit Code", "Enterprise name", "Region code", "Period", "Employees", "Wage bill (10k yuan)", "Training fund extracted",
            "Training fund frontline", "Internship posts", "Apprentices", "In vocational group", "Enterprise size", "Hiring plan", "Secondary vocational hires"]
    parsed = parse(write_xlsx(tmp_path / "return.xlsx", S("Sheet1", [[None, None, None, None, None, "单位：万元"], head, cells(ER, row)])))
    # "(10k yuan)" is a money note but not a unit the registry knows: refused, not replaced by the unit above
    assert where(parsed) == [("Sheet1", 2, "工资总额(万元)", "unit")]
    head[5] = "Wage bill"
    parsed = parse(write_xlsx(tmp_path / "return2.xlsx", S("Sheet1", [[None, None, None, None, None, "单位：万元"], head, cells(ER, row)])))
    assert where(parsed) == []
    assert parsed.sheets[ER].rows == [expect(ER, row, "Sheet1", 3)]


# --- values ----------------------------------------------------------------------------------------

def test_full_width_digits(tmp_path):
    row = specimens.enterprise()
    line = cells(ER, row)
    line[2], line[3], line[4], line[5], line[12] = "４１０６２２", "２０２６－１０", "８６０", "５２３０．７５", "６０"
    parsed = parse(write_xlsx(tmp_path / "return.xlsx", S("Sheet1", [heads(ER), line])))
    assert where(parsed) == []
    assert parsed.sheets[ER].rows == [expect(ER, row, "Sheet1", 2)]


def test_thousands_separators(tmp_path):
    row = specimens.enterprise(employees=1234, wage_bill=15230.75, hiring_plan=1200)
    line = cells(ER, row)
    line[4], line[5], line[12] = "1,234", "15,230.75", "1，200"
    parsed = parse(write_csv(tmp_path / "return.csv", [heads(ER), line]))
    assert where(parsed) == []
    assert parsed.sheets[ER].rows == [expect(ER, row, "return.csv", 2)]


def test_numbers_stored_as_text(tmp_path):
    row = specimens.enterprise()
    line = [str(v) if isinstance(v, (int, float)) else v for v in cells(ER, row)]
    parsed = parse(write_xlsx(tmp_path / "return.xlsx", S("Sheet1", [heads(ER), line])))
    assert where(parsed) == []
    assert parsed.sheets[ER].rows == [expect(ER, row, "Sheet1", 2)]


RATIO_KIND = Kind(
    name="share_demo", title="比例演示表", submitter="测试", formats=("xlsx", "xls", "csv"),
    sheets=(Sheet("shares", "比例演示表", "shares", "many", (
        Field("region_code", "region", ("所在地区划代码",), required=True),
        Field("share", "ratio", ("占比(%)", "比例"), required=True),
    )),),
    submitter_field="covered_region", period_field=None, region_field="shares.region_code",
)


def test_ratio_as_percent_or_fraction(tmp_path, monkeypatch):
    # No template field is a ratio today; the type is tested on a kind made for the purpose.
    only = {"share_demo": RATIO_KIND}
    for module in (read, detect, headers):  # every module that asks the registry for its kinds
        monkeypatch.setattr(module, "kinds", lambda: only)
    path = write_xlsx(tmp_path / "shares.xlsx", S("Sheet1", [["所在地区划代码", "占比（%）"], ["410622", "12%"], ["410611", 0.12], ["410621", "０.１２５"],
                                                             ["410602", "１２.５％"], ["410603", "12"]]))
    parsed = parse(path)
    assert [(r["region_code"], r["share"]) for r in parsed.sheets["shares"].rows] == [
        ("410622", 0.12), ("410611", 0.12), ("410621", 0.125), ("410602", 0.125), ("410603", None)]
    assert where(parsed) == [("Sheet1", 6, "占比(%)", "format")]  # 12 could be 12% or a typo: refused
    assert parsed.problems[0].message == "“占比(%)”应为0至1之间的小数或百分数，如0.12或12%"


def test_percent_in_a_count_field_is_rejected(tmp_path):
    line = cells(ER, specimens.enterprise())
    line[9] = "12%"
    parsed = parse(write_xlsx(tmp_path / "return.xlsx", S("Sheet1", [heads(ER), line])))
    assert where(parsed) == [("Sheet1", 2, "在岗学徒数", "format")]
    assert parsed.problems[0].message == "“在岗学徒数”应为整数"


def test_dash_slash_none_and_na_mean_empty(tmp_path):
    data = specimens.school()
    sheets = school_sheets(data)
    t1, t2 = (cells("teachers", r) for r in data["teachers"])
    t1[6], t2[2], t2[9] = "—", "无", "N/A"  # source uscc of a 专任 teacher, an ID number not given, 一体化 not stated
    t1[2] = "/"
    sheets[1] = S("教师名册", [heads("teachers"), t1, t2])
    parsed = parse(write_xlsx(tmp_path / "school.xlsx", *sheets))
    assert where(parsed) == []
    got = parsed.sheets["teachers"].rows
    assert (got[0]["id_number_hash"], got[0]["id_number_valid"],
            got[0]["source_enterprise_uscc"], got[0]["source_enterprise_uscc_valid"]) == (None, None, None, None)
    assert (got[1]["id_number_hash"], got[1]["is_integrated"]) == (None, False)  # absent 一体化 means 否


def test_flags_written_every_way(tmp_path):
    data = specimens.school()
    sheets = school_sheets(data)
    spellings = [("Y", "N"), ("√", "×"), ("1", "0"), (1, 0), (True, False), ("是", "否"), ("y", "n")]
    rows = []
    for yes, no in spellings:
        line = cells("teachers", data["teachers"][0])
        line[3], line[4], line[9] = yes, no, no
        rows.append(line)
    sheets[1] = S("教师名册", [heads("teachers"), *rows])
    parsed = parse(write_xlsx(tmp_path / "school.xlsx", *sheets))
    assert where(parsed) == []
    assert ([(r["is_professional"], r["is_dual_qualified"], r["is_integrated"]) for r in parsed.sheets["teachers"].rows]
            == [(True, False, False)] * len(spellings))


def test_excel_serial_dates(tmp_path):
    data = specimens.school()
    sheets = school_sheets(data)
    c1, c2 = (cells("cooperations", r) for r in data["cooperations"])
    c1[3] = 45901  # 2025-09-01 in a cell that lost its date format
    # 2024-03-01; a serial as text (what a CSV saved by Excel holds) is the same day: it can mean nothing else
    c2[3], c2[4] = 45352.0, "46446"
    sheets[4] = S("校企合作", [heads("cooperations"), c1, c2])
    parsed = parse(write_xls(tmp_path / "school.xls", *sheets))
    got = parsed.sheets["cooperations"].rows
    assert [(r["start_date"], r["end_date"]) for r in got] == [(dt.date(2025, 9, 1), None), (dt.date(2024, 3, 1), dt.date(2027, 2, 28))]
    assert where(parsed) == []


def test_periods_and_dates_as_people_write_them(tmp_path):
    rows = specimens.certified()[CERT]
    lines = []
    for period, certified_on in [("2026.10", "2024.5.20"), ("2026年10月", "2024年5月20日"), ("2026/10", "2024/5/20"),
                                 (dt.date(2026, 10, 1), "2024-05-20 00:00:00"), ("202610", "20240520")]:
        line = cells(CERT, rows[0])
        line[4], line[6] = certified_on, period
        lines.append(line)
    parsed = parse(write_xlsx(tmp_path / "cert.xlsx", S("Sheet1", [heads(CERT), *lines])))
    assert where(parsed) == []
    assert [(r["period"], r["certified_on"]) for r in parsed.sheets[CERT].rows] == [("2026-10", dt.date(2024, 5, 20))] * 5


def test_date_written_with_slashes_and_no_padding(tmp_path):
    data = specimens.school()
    sheets = school_sheets(data)
    a = cells("apprentices", data["apprentices"][0])
    a[6] = "2026/10/8"
    sheets[2] = S("学徒制学生", [heads("apprentices"), a])
    parsed = parse(write_xlsx(tmp_path / "school.xlsx", *sheets))
    assert where(parsed) == []
    assert parsed.sheets["apprentices"].rows[0]["agreement_date"] == dt.date(2026, 10, 8)


def test_period_stored_as_a_number_is_ambiguous(tmp_path):
    line = cells(ER, specimens.enterprise())
    line[3] = 2026.1  # "2026.10" typed into a number cell: October or January?
    parsed = parse(write_xlsx(tmp_path / "return.xlsx", S("Sheet1", [heads(ER), line])))
    assert where(parsed) == [("Sheet1", 2, "报告期", "format")]
    assert parsed.problems[0].message == "“报告期”被存成了数字（如2026.1），无法区分1月和10月：请将该列设置为文本格式后填写为2026-10"


def test_short_codes_that_lost_leading_zeros_are_restored(tmp_path):
    data = specimens.school()
    sheets = school_sheets(data)
    info = cells("school_info", data["school_info"][0])
    info[0] = 141062201  # 0141062201 typed into a number cell
    sheets[0] = S("学校信息", [heads("school_info"), info])
    parsed = parse(write_xlsx(tmp_path / "school.xlsx", *sheets))
    assert where(parsed) == []
    assert parsed.submitter == SCHOOL
    assert parsed.sheets["school_info"].rows[0]["school_code"] == SCHOOL
    assert {r["school_code"] for r in parsed.sheets["teachers"].rows} == {SCHOOL}


def test_lead_school_code_restored_in_a_register(tmp_path):
    rows = specimens.carriers()[CARR]
    line = cells(CARR, rows[0])
    line[6] = 141062201.0
    parsed = parse(write_xls(tmp_path / "carriers.xls", S("Sheet1", [heads(CARR), line])))
    assert where(parsed) == []
    assert parsed.sheets[CARR].rows == [expect(CARR, rows[0], "Sheet1", 2)]


def test_uscc_stored_as_a_number_is_rejected_never_repaired(tmp_path):
    line = cells(ER, specimens.enterprise())
    line[0] = 914106221234567000
    parsed = parse(write_xlsx(tmp_path / "return.xlsx", S("Sheet1", [heads(ER), line])))
    assert where(parsed) == [("Sheet1", 2, "统一社会信用代码", "format")]
    assert parsed.problems[0].message == "“统一社会信用代码”该18位代码被存成了数字（科学计数法），后几位已丢失：请将该列设置为文本格式后重新填写"
    assert parsed.sheets[ER].rows[0]["uscc"] is None


def test_id_number_in_scientific_notation_is_rejected(tmp_path):
    data = specimens.school()
    lines = [heads("apprentices"), *(cells("apprentices", r) for r in data["apprentices"])]
    lines[1][2] = "4.10622E+17"
    sheets = school_sheets(data)
    sheets[2] = S("学徒制学生", lines)
    parsed = parse(write_xlsx(tmp_path / "school.xlsx", *sheets))
    assert where(parsed) == [("学徒制学生", 2, "身份证号", "format")]
    assert parsed.problems[0].message == "“身份证号”该18位代码以科学计数法显示，后几位已丢失：请将该列设置为文本格式后重新填写"


def test_id_number_stored_as_a_number_in_xls_is_rejected(tmp_path):
    data = specimens.school()
    sheets = school_sheets(data)
    sheets[1].rows[1][2] = float(make_id_number("410622", 1)[:17] + "0")
    parsed = parse(write_xls(tmp_path / "school.xls", *sheets))
    assert where(parsed) == [("教师名册", 2, "身份证号", "format")]


# --- structure: unknown kind, missing sheet or column, empty sheets, periods --------------------------

def test_unknown_kind_is_rejected(tmp_path):
    parsed = parse(write_xlsx(tmp_path / "other.xlsx", S("Sheet1", [["项目名称", "金额", "备注"], ["甲", 1, ""]])))
    assert (parsed.kind, where(parsed)) == (None, [("Sheet1", None, None, "kind")])
    assert parsed.problems[0].message.startswith("无法识别报表类型")


def test_workbook_missing_a_required_sheet(tmp_path):
    sheets = [s for s in school_sheets() if s.name != "毕业生去向"]
    parsed = parse(write_xlsx(tmp_path / "school.xlsx", *sheets))
    assert parsed.kind == "school_workbook"
    assert where(parsed) == [("毕业生去向", None, None, "sheet_missing")]
    assert parsed.problems[0].message == "缺少工作表“毕业生去向”：请按模板补全该工作表（没有数据也要保留表头）"


def test_missing_required_column(tmp_path):
    head, line = heads(ER), cells(ER, specimens.enterprise())
    del head[4], line[4]  # 职工总数
    parsed = parse(write_xlsx(tmp_path / "return.xlsx", S("Sheet1", [["标题"], [], head, line])))
    assert parsed.kind == "enterprise_return"
    assert where(parsed) == [("Sheet1", 3, "职工总数", "column_missing")]
    # the reason lists the headers found; none of them is unclaimed, so there is no closest one to rename
    assert parsed.problems[0].message.startswith("缺少必填列“职工总数”（本表表头：“统一社会信用代码”、“企业名称”、")
    assert parsed.problems[0].message.endswith("“招录中职毕业生人数”）：请按模板补上该列")


def test_sheets_with_a_header_and_no_rows_are_valid(tmp_path):
    data = {**specimens.school(), "apprentices": [], "graduate_destinations": []}
    parsed = parse(write_xlsx(tmp_path / "school.xlsx", *school_sheets(data)))
    assert where(parsed) == []
    assert {k: len(s.rows) for k, s in parsed.sheets.items()} == {"school_info": 1, "teachers": 2, "apprentices": 0, "graduate_destinations": 0,
                                                                  "cooperations": 2}


def test_school_info_needs_exactly_one_row(tmp_path):
    data = specimens.school()
    data["school_info"] = data["school_info"] * 2
    parsed = parse(write_xlsx(tmp_path / "school.xlsx", *school_sheets(data)))
    assert where(parsed) == [("学校信息", 3, None, "rows")]


def test_no_period_column_or_blank_period_means_the_collection_period(tmp_path):
    row = specimens.enterprise()
    head, line = heads(ER), cells(ER, row)
    del head[3], line[3]
    parsed = parse(write_csv(tmp_path / "no_column.csv", [head, line]), period="2026-11")
    assert (where(parsed), parsed.period) == ([], "2026-11")
    assert parsed.sheets[ER].rows == [expect(ER, {**row, "period": "2026-11"}, "no_column.csv", 2)]
    line = cells(ER, row)
    line[3] = None
    parsed = parse(write_csv(tmp_path / "blank.csv", [heads(ER), line]), period="2026-11")
    assert (where(parsed), parsed.period, parsed.sheets[ER].rows[0]["period"]) == ([], "2026-11", "2026-11")


def test_mixed_periods_are_reported(tmp_path):
    a, b = specimens.above_scale()[REG]
    parsed = parse(write_xlsx(tmp_path / "register.xlsx", S("Sheet1", [heads(REG), cells(REG, a), cells(REG, {**b, "period": "2026-09"})])))
    assert where(parsed) == [("Sheet1", 3, "报告期", "period_mixed")]


def test_education_finance_has_no_period_of_its_own(tmp_path):
    rows = specimens.finance()[FIN]
    parsed = parse(write_xlsx(tmp_path / "finance.xlsx", S("Sheet1", [heads(FIN), *(cells(FIN, r) for r in rows)])), period="2026-12")
    assert (where(parsed), parsed.kind, parsed.period) == ([], "education_finance", "2026-12")
    assert parsed.sheets[FIN].rows == [expect(FIN, r, "Sheet1", n) for n, r in enumerate(rows, start=2)]
