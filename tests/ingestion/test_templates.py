"""Templates: a filled template of every kind reads back exactly; the blank templates carry the rules."""
from __future__ import annotations

import openpyxl
import pytest

from chanjiao.demo.factory import specimens
from chanjiao.demo.factory.specimens import E1, PERIOD, SCHOOL
from ingestion.read import read_file
from ingestion.registry import kinds
from ingestion.templates import TEXT_TYPES, template_path, write_templates, write_workbook
from tests.ingestion import samples
from tests.ingestion.samples import KEY

WHO = {  # kind → (submitter, region) the reader must derive from the sample
    "school_workbook": (SCHOOL, "410622"),
    "enterprise_return": (E1, "410622"),
    "above_scale_register": ("410600", "410600"),
    "certified_enterprises": ("410600", "410600"),
    "carriers": ("410600", "410600"),
    "education_finance": ("410600", "410600"),
    "reporting_frame": ("410600", "410600"),
}


def test_registry_names_every_kind_and_table_and_hashes_personal_data():
    assert {k: [s.table for s in kind.sheets] for k, kind in kinds().items()} == {
        "school_workbook": ["school_info", "teachers", "apprentices", "graduate_destinations", "cooperations"],
        "enterprise_return": ["enterprise_returns"],
        "above_scale_register": ["above_scale_enterprises"],
        "certified_enterprises": ["certified_enterprises"],
        "carriers": ["carriers"],
        "education_finance": ["education_finance"],
        "reporting_frame": ["reporting_frame"],
    }
    personal = {(s.table, f.name) for k in kinds().values() for s in k.sheets for f in s.fields if f.type in ("pii", "id_number")}
    assert personal == {
        ("school_info", "contact_name"), ("school_info", "contact_phone"),
        ("teachers", "teacher_id"), ("teachers", "teacher_name"), ("teachers", "id_number"),
        ("apprentices", "student_id"), ("apprentices", "student_name"), ("apprentices", "id_number"),
        ("graduate_destinations", "student_id"), ("graduate_destinations", "student_name"), ("graduate_destinations", "id_number"),
        ("reporting_frame", "contact_name"), ("reporting_frame", "contact_phone"), ("reporting_frame", "email"),
    }
    for k in kinds().values():
        for s in k.sheets:
            for f in s.fields:
                if f.type in ("pii", "id_number"):
                    assert f.name not in {c for c in f.columns}, f.name  # only hashes reach the warehouse


def test_samples_cover_every_kind_and_field():
    assert set(specimens.ALL) == set(kinds()) == set(WHO)
    for name, make in specimens.ALL.items():
        data = make()
        for sheet in kinds()[name].sheets:
            used = {f for row in data[sheet.key] for f, v in row.items() if v is not None}
            assert used == {f.name for f in sheet.fields}, (name, sheet.key)


@pytest.mark.parametrize("title", [None, "鹤壁市2026年10月报表"])
@pytest.mark.parametrize("name", list(specimens.ALL))
def test_filled_template_reads_back_exactly(tmp_path, name, title):
    kind, data = kinds()[name], specimens.ALL[name]()
    path = write_workbook(kind, tmp_path / f"{name}.xlsx", data, title=title)
    parsed = read_file(path, KEY, collection_period=PERIOD)
    assert parsed.problems == []
    assert (parsed.kind, parsed.period) == (name, PERIOD)
    assert (parsed.submitter, parsed.region) == WHO[name]
    first_data_row = 3 if title else 2
    for sheet in kind.sheets:
        got = parsed.sheets[sheet.key]
        assert (got.sheet_name, got.header_row) == (sheet.sheet, first_data_row - 1)
        assert len(got.rows) == len(data[sheet.key])
        for n, (row, typed) in enumerate(zip(got.rows, data[sheet.key], strict=True)):
            want = {"source_sheet": sheet.sheet, "source_row": first_data_row + n}
            for f in sheet.fields:
                want.update(samples.expected(f, typed.get(f.name)))
            if name == "school_workbook" and sheet.key != "school_info":
                want["school_code"] = SCHOOL
            assert row == want, (sheet.key, n)


def test_blank_templates_have_every_kind_rules_dropdowns_and_text_codes(tmp_path):
    paths = write_templates(tmp_path)
    assert paths == [template_path(tmp_path, k) for k in kinds().values()]
    assert [p.name for p in paths] == ["职业院校产教融合数据报表.xlsx", "企业参与职业教育情况表.xlsx", "规模以上企业名录.xlsx",
                                       "产教融合型企业名单.xlsx", "产教融合载体名录.xlsx", "教育经费情况表.xlsx", "填报单位名录.xlsx"]
    for kind, path in zip(kinds().values(), paths, strict=True):
        wb = openpyxl.load_workbook(path)
        assert wb.sheetnames == [s.sheet for s in kind.sheets] + ["说明"]
        notes = [c.value for c in wb["说明"]["A"] if c.value]
        assert notes[0] == f"{kind.title} 填报说明"
        assert all(any(n.endswith(line) for n in notes) for line in kind.instructions)
        for sheet in kind.sheets:
            ws = wb[sheet.sheet]
            lists = {next(iter(dv.sqref.ranges)).min_col: dv.formula1 for dv in ws.data_validations.dataValidation if dv.type == "list"}
            for col, f in enumerate(sheet.fields, start=1):
                cell = ws.cell(1, col)
                assert cell.value == f.header
                assert cell.comment.text.startswith(f"{f.header}：{f.rule}")
                assert any(line.startswith(f"{f.header}：{f.rule}") for line in notes)
                if f.choices:
                    assert lists[col] == '"' + ",".join(f.choices) + '"', (sheet.key, f.name)
                else:
                    assert col not in lists
                fmt = next(d.number_format for d in ws.column_dimensions.values() if d.min <= col <= d.max)
                assert (fmt == "@") == (f.type in TEXT_TYPES), (sheet.key, f.name, fmt)
        parsed = read_file(path, KEY, collection_period=PERIOD)
        assert (parsed.kind, parsed.row_count) == (kind.name, 0)  # a blank template is recognised, with no rows


def test_money_headers_state_their_unit():
    money = {f.header: f.unit for k in kinds().values() for s in k.sheets for f in s.fields if f.unit}
    assert money == {
        "工资总额(万元)": "万元", "职工教育经费提取额(万元)": "万元", "一线职工教育培训支出(万元)": "万元",
        "地方教育附加征收额(万元)": "万元", "地方教育附加用于职业教育额(万元)": "万元", "教育费附加征收额(万元)": "万元",
        "教育费附加用于职业教育额(万元)": "万元", "中职生均公用经费(元)": "元", "高职生均财政拨款(元)": "元",
    }
