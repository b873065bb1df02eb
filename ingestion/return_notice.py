"""退回说明.xlsx: the letter-like workbook a statistics office emails back with a rejected file."""
from __future__ import annotations

from pathlib import Path

import xlsxwriter

from ingestion.templates import FIXED_CREATED

COLUMNS = [("序号", 6), ("工作表", 14), ("行号", 8), ("列", 24), ("规则", 26), ("问题及修改方法", 80)]


def write_return_notice(path: Path, file_name: str, period: str | None, reasons: list[dict]) -> Path:
    # Submitters' text (sheet names, headers) may start with "=": never let a spreadsheet run it.
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    wb.set_properties({"title": "退回说明", "created": FIXED_CREATED})
    title = wb.add_format({"bold": True, "font_size": 14})
    head = wb.add_format({"bold": True, "bg_color": "#FCE4D6", "border": 1})
    wrap = wb.add_format({"text_wrap": True, "valign": "top", "border": 1})
    ws = wb.add_worksheet("退回说明")
    ws.write_string(0, 0, f"退回说明：{file_name}", title)
    ws.write_string(1, 0, f"报告期：{period or '未能识别'}。该文件未入库，请按下列说明修改后重新报送整个文件（重新报送将替换本期此前的报送）。")
    for col, (name, width) in enumerate(COLUMNS):
        ws.write_string(3, col, name, head)
        ws.set_column(col, col, width)
    for i, r in enumerate(reasons, start=1):
        values = [i, r.get("sheet") or "（整个文件）", r.get("row") or "", r.get("column") or "", r.get("rule") or "", r.get("message") or ""]
        for col, value in enumerate(values):
            if isinstance(value, int):
                ws.write_number(3 + i, col, value, wrap)
            else:
                ws.write_string(3 + i, col, str(value), wrap)
    ws.freeze_panes(4, 0)
    wb.close()
    return path
