"""Write reporting templates, and workbooks filled the way the templates ask, with xlsxwriter."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import xlsxwriter

from ingestion.registry import Kind, kinds

# Fixed document properties keep the bytes of a workbook a function of its content (duplicate detection).
FIXED_CREATED = dt.datetime(2026, 1, 1)
TEXT_TYPES = {"code", "uscc", "id_number", "region", "pii", "text", "period", "enum", "flag"}


def template_path(folder: Path, kind: Kind) -> Path:
    return folder / f"{kind.title}.xlsx"


def write_templates(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [write_workbook(kinds()[name], template_path(folder, kinds()[name])) for name in kinds()]


def write_workbook(kind: Kind, path: Path, data: dict[str, list[dict]] | None = None, title: str | None = None) -> Path:
    """A workbook of `kind`: the blank template when `data` is None, else filled with `data[sheet_key]` rows.

    Rows are dicts of field name → value as a submitter would type them (codes as text).
    """
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False})
    wb.set_properties({"title": kind.title, "created": FIXED_CREATED})
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    text = wb.add_format({"num_format": "@"})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    for sheet in kind.sheets:
        ws = wb.add_worksheet(sheet.sheet)
        top = 0
        if title:
            ws.write(0, 0, title)
            top = 1
        for col, f in enumerate(sheet.fields):
            ws.write_string(top, col, f.header, head)
            ws.write_comment(top, col, f"{f.header}：{f.rule}" + ("（必填）" if f.required else ""))
            ws.set_column(col, col, max(12, len(f.header) * 2 + 2), text if f.type in TEXT_TYPES else (date_fmt if f.type == "date" else None))
            choices = ["是", "否"] if f.type == "flag" else list(f.values)
            if choices:
                ws.data_validation(top + 1, col, top + 5000, col, {"validate": "list", "source": choices})
        ws.freeze_panes(top + 1, 0)
        for r, row in enumerate((data or {}).get(sheet.key, []), start=top + 1):
            for col, f in enumerate(sheet.fields):
                value = row.get(f.name)
                if value is None:
                    continue
                if isinstance(value, dt.date):
                    ws.write_datetime(r, col, dt.datetime.combine(value, dt.time()), date_fmt)
                elif isinstance(value, bool):
                    ws.write_string(r, col, "是" if value else "否")
                elif isinstance(value, (int, float)):
                    ws.write_number(r, col, value)
                else:
                    ws.write_string(r, col, str(value))
    notes = wb.add_worksheet("说明")
    notes.set_column(0, 0, 110)
    lines = [f"{kind.title} 填报说明", "", "1. 请勿修改表头；代码列已设为文本格式，请直接输入，保留开头的0。",
             "2. 是/否、办学层次等列请从下拉列表选择。", "3. 日期请填写为2026-10-08格式。",
             "4. 个人信息（姓名、身份证号、电话、工号）仅用于核验，入库前即作不可逆的加密处理。", ""]
    lines += [f"【{s.sheet}】{f.header}：{f.rule}" + ("（必填）" if f.required else "") for s in kind.sheets for f in s.fields]
    for i, line in enumerate(lines):
        notes.write_string(i, 0, line)
    wb.close()
    return path
