"""Write reporting templates, and workbooks filled the way the templates ask, with xlsxwriter.

A template is one .xlsx per kind: a sheet per registry sheet with the Chinese headers (each carrying its
rule as a cell comment), drop-down lists for 是/否 and every enumerated field, code columns formatted as
text (so leading zeros and 18-character codes survive), and a 说明 sheet in Chinese.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import xlsxwriter

from ingestion.registry import Field, Kind, Sheet, kinds

# Fixed document properties keep the bytes of a workbook a function of its content (duplicate detection).
FIXED_CREATED = dt.datetime(2026, 1, 1)
# Typed as text: codes keep their zeros and all 18 characters; the rest are words a person types.
TEXT_TYPES = {"code", "submitter_code", "uscc", "id_number", "region", "pii", "text", "period", "month", "enum", "flag"}
CODE_LENGTHS = {"region": 6, "uscc": 18, "id_number": 18}
INPUT_ROWS = 5000  # rows below the header that get drop-down lists and checks
GENERAL_NOTES = [
    "请勿修改表头和工作表名称；不要合并单元格，不要在数据行之间插入合计行或说明。",
    "代码列（学校标识码、区划代码、统一社会信用代码、身份证号等）已设为文本格式：请直接输入，保留开头的0；18位代码不要以数字格式粘贴，否则后几位会丢失。",
    "是/否、办学层次等列请从下拉列表选择。",
    "日期请填写为2026-10-08格式，报告期请填写为2026-10格式。",
    "个人信息（姓名、身份证号、电话、工号、学号、邮箱）仅用于核验和联系，入库前即作不可逆的加密处理。",
    "标“必填”的列每行都要填写；其余列没有内容时留空即可。",
]


def template_path(folder: Path, kind: Kind) -> Path:
    return folder / f"{kind.title}.xlsx"


def write_templates(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [write_workbook(kind, template_path(folder, kind)) for kind in kinds().values()]


def field_note(f: Field) -> str:
    """A field's rule as the template states it (header comment and 说明 line)."""
    note = f"{f.header}：{f.rule}"
    if f.required:
        note += "（必填）"
    if f.choices:
        note += "。可选：" + "、".join(f.choices)
    return note


def write_workbook(kind: Kind, path: Path, data: dict[str, list[dict]] | None = None, title: str | None = None) -> Path:
    """A workbook of `kind`: the blank template when `data` is None, else filled with `data[sheet_key]` rows.

    Rows are dicts of field name → value as a submitter would type them (codes as text).
    """
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False})
    wb.set_properties({"title": kind.title, "created": FIXED_CREATED})
    formats = {
        "head": wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "vcenter"}),
        "required": wb.add_format({"bold": True, "bg_color": "#FCE4D6", "border": 1, "text_wrap": True, "valign": "vcenter"}),
        "text": wb.add_format({"num_format": "@"}),
        "date": wb.add_format({"num_format": "yyyy-mm-dd"}),
    }
    for sheet in kind.sheets:
        ws = wb.add_worksheet(sheet.sheet)
        top = 0
        if title:
            ws.write(0, 0, title)
            top = 1
        _write_header(ws, sheet, top, formats)
        _write_rows(ws, sheet, (data or {}).get(sheet.key, []), top + 1, formats)
    _write_notes(wb, kind)
    wb.close()
    return path


def _write_header(ws, sheet: Sheet, top: int, formats: dict) -> None:
    for col, f in enumerate(sheet.fields):
        ws.write_string(top, col, f.header, formats["required" if f.required else "head"])
        ws.write_comment(top, col, field_note(f), {"x_scale": 2, "y_scale": 1.5})
        column_format = formats["text"] if f.type in TEXT_TYPES else (formats["date"] if f.type == "date" else None)
        ws.set_column(col, col, max(12, len(f.header) * 2 + 2), column_format)
        _validate(ws, f, top + 1, col)
    ws.freeze_panes(top + 1, 0)


def _validate(ws, f: Field, first: int, col: int) -> None:
    """Drop-down lists for coded fields, a length check for fixed-length codes."""
    last = first + INPUT_ROWS - 1
    if f.choices:
        ws.data_validation(first, col, last, col, {
            "validate": "list", "source": list(f.choices),
            "error_title": "请从下拉列表选择", "error_message": f"{f.header}应为：" + "、".join(f.choices),
        })
        return
    length = f.length if f.type == "code" else CODE_LENGTHS.get(f.type)
    if length:
        ws.data_validation(first, col, last, col, {
            "validate": "length", "criteria": "==", "value": length,
            "error_title": "代码位数不对", "error_message": f"{f.header}应为{length}位",
        })


def _write_rows(ws, sheet: Sheet, rows: list[dict], first: int, formats: dict) -> None:
    for r, row in enumerate(rows, start=first):
        for col, f in enumerate(sheet.fields):
            value = row.get(f.name)
            if value is None:
                continue
            if isinstance(value, dt.date):
                ws.write_datetime(r, col, dt.datetime.combine(value, dt.time()), formats["date"])
            elif isinstance(value, bool):
                ws.write_string(r, col, "是" if value else "否")
            elif isinstance(value, (int, float)):
                ws.write_number(r, col, value)
            else:
                ws.write_string(r, col, str(value))


def _write_notes(wb, kind: Kind) -> None:
    notes = wb.add_worksheet("说明")
    notes.set_column(0, 0, 120)
    bold = wb.add_format({"bold": True})
    lines: list[tuple[str, object]] = [(f"{kind.title} 填报说明", bold), (f"填报单位：{kind.submitter}", None), ("", None)]
    lines += [(f"{i}. {text}", None) for i, text in enumerate([*kind.instructions, *GENERAL_NOTES], start=1)]
    for sheet in kind.sheets:
        lines += [("", None), (f"【{sheet.sheet}】" + ("只填一行" if sheet.rows == "one" else "每行一条记录"), bold)]
        lines += [(field_note(f), None) for f in sheet.fields]
    for i, (line, fmt) in enumerate(lines):
        notes.write_string(i, 0, line, fmt)
