"""indicators.xlsx: the workbook a bureau forwards as is.

Sheets 指标 (values), 目标 (targets with status and deadline state), 修订 (revisions, from v2 on) and
说明 (definitions, sources, status codes, aims tracked outside chanjiao). Everything a person reads is
Chinese: headers, statuses and codes in words (labels.py); the indicator, region and variant codes stay
as their own columns for machines. Header row frozen, numbers written as numbers with a format per unit
(the revisions too, which carry the CSV's spelling). Formula-looking text is written as text and marked
with Excel's quote prefix, so it is shown unchanged and never runs, even when the cell is edited.
"""
from __future__ import annotations

import re
from pathlib import Path

import xlsxwriter

from chanjiao import labels
from chanjiao.publication.cells import looks_like_formula
from chanjiao.publication.content import Content
from chanjiao.publication.csv_files import INDICATOR_COLUMNS, REVISION_COLUMNS, TARGET_COLUMNS, indicator_rows, target_rows
from chanjiao.publication.notes import aims_outside, status_codes

VALUE_FORMATS = {"%": "0.00", "元": "#,##0.00", "家": "#,##0", "个": "#,##0"}
NUMBER_COLUMNS = {"numerator", "denominator", "value", "upper", "variant_value", "value_at_deadline", "coverage_expected",
                  "coverage_accepted", "cohort_year", "by"}
# how csv_files.cell_text spells a number (str of an int or a float); withheld "x" and codes do not match
NUMBER_TEXT = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?")
INDICATOR_CODED = {"status": labels.VALUE_STATUS, "region_level": labels.REGION_LEVEL, "obs_status": labels.OBS_STATUS,
                   "conf_status": labels.CONF_STATUS}
TARGET_CODED = {"kind": labels.TARGET_KIND, "comparator": labels.COMPARATOR, "status": labels.TARGET_STATUS,
                "status_at_deadline": labels.TARGET_STATUS, "deadline_state": labels.DEADLINE_STATE, "by": labels.BY_YEAR}
DEFAULT_VARIANT = "默认口径"
VARIANT_TEXT_HEADER = "口径说明"


class _Sheet:
    """One worksheet written row by row, every cell through the same typed writer."""

    def __init__(self, book: xlsxwriter.Workbook, name: str, formats: dict):
        self.ws = book.add_worksheet(name)
        self.formats = formats
        self.row = 0
        self.widths: dict[int, int] = {}

    def write(self, values: list, number_format: dict[int, str] | None = None, header: bool = False) -> None:
        for col, value in enumerate(values):
            fmt = self.formats["header"] if header else None
            if value is None or value == "":
                self.ws.write_blank(self.row, col, None, fmt)
            elif isinstance(value, bool):
                self.ws.write_boolean(self.row, col, value, fmt)
            elif isinstance(value, (int, float)):
                self.ws.write_number(self.row, col, value, self.formats[(number_format or {}).get(col, "General")])
            else:
                text = str(value)
                self.ws.write_string(self.row, col, text, self.formats["quoted"] if looks_like_formula(text) else fmt)
            self.widths[col] = max(self.widths.get(col, 0), min(60, sum(2 if ord(ch) > 0x2E7F else 1 for ch in str(value or ""))))
        self.row += 1

    def table(self, headers: list[str], rows: list[list], number_formats: list[dict[int, str]] | None = None) -> None:
        self.write(headers, header=True)
        self.ws.freeze_panes(1, 0)
        for i, row in enumerate(rows):
            self.write(row, number_formats[i] if number_formats else None)
        self.ws.autofilter(0, 0, max(self.row - 1, 0), len(headers) - 1)
        self.finish()

    def finish(self) -> None:
        for col, width in self.widths.items():
            self.ws.set_column(col, col, max(8, width + 2))


def _number_formats(columns: list[str], unit: str, row: dict) -> dict[int, str]:
    out = {}
    for i, c in enumerate(columns):
        if c in ("value", "upper", "variant_value", "value_at_deadline"):
            out[i] = VALUE_FORMATS.get(unit, "General")
        elif c in ("numerator", "denominator"):
            # counts show as counts; sums of money (training funds, wage bills) keep their fen
            whole = not isinstance(row.get(c), float) or row[c].is_integer()
            out[i] = "#,##0" if whole else "#,##0.00"
        elif c in NUMBER_COLUMNS:
            out[i] = "0"
    return out


def _number(text: object) -> object:
    """A number for the text the CSV files spell one with; anything else as it is."""
    if isinstance(text, str) and NUMBER_TEXT.fullmatch(text):
        return int(text) if text.lstrip("-").isdigit() else float(text)
    return text


def _variant_words(code: str | None, regions: dict[str, str]) -> str | None:
    if code is None or code == "":
        return None
    return labels.variant_text(code, regions) or DEFAULT_VARIANT


def _revision_formats(columns: list[str], unit: str, r: dict) -> dict[int, str]:
    """The format of the revised figure's own column (a value by its unit, a numerator as a count or a sum)."""
    column = r["field"] if r["field"] in ("numerator", "denominator") else "value"
    out = {columns.index("by"): "0"}
    for c in ("previous", "current"):
        out |= {columns.index(c): fmt for fmt in _number_formats([column], unit, {column: _number(r[c])}).values()}
    return out


def _revision_row(r: dict, regions: dict[str, str]) -> list:
    """A revision in words: table and field in Chinese, codes as their meaning, figures as numbers."""
    codes = labels.REVISION_CODES.get(r["table"], {}).get(r["field"])
    previous, current = ((labels.label(codes, r[c]) if codes else _number(r[c])) for c in ("previous", "current"))
    return [labels.label(labels.REVISION_TABLE, r["table"]), r["indicator"], r["region"], r["variant"],
            _variant_words(r["variant"], regions), _number(labels.label(labels.BY_YEAR, r["by"])),
            labels.REVISION_FIELD.get(r["table"], {}).get(r["field"], r["field"]), previous, current]


def write_workbook(path: Path, content: Content, revisions: list[dict], version: str) -> None:
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False})
    formats = {"header": book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True}),
               "quoted": book.add_format({"quote_prefix": True}),
               "title": book.add_format({"bold": True, "font_size": 13}), "General": None}
    for fmt in {*VALUE_FORMATS.values(), "#,##0", "0"}:
        formats[fmt] = book.add_format({"num_format": fmt})
    units = {d["indicator_code"]: d["unit"] for d in content.definitions}
    names = {v["indicator"]: v["indicator_name"] for v in content.values}
    regions = {v["region"]: v["region_name"] for v in content.values}

    rows = indicator_rows(content.values)
    _Sheet(book, "指标", formats).table(
        [labels.INDICATOR_HEADERS[c] for c in INDICATOR_COLUMNS],
        [[labels.label(INDICATOR_CODED[c], r[c]) if c in INDICATOR_CODED else r[c] for c in INDICATOR_COLUMNS] for r in rows],
        [_number_formats(INDICATOR_COLUMNS, r["unit"], r) for r in rows])

    targets = target_rows(content.values)
    columns = ["indicator", "indicator_name", "region", "region_name", "kind", "variant", "variant_text", *TARGET_COLUMNS[4:]]
    headers = {**labels.TARGET_HEADERS, "indicator_name": "指标名称", "region_name": "地区", "variant_text": VARIANT_TEXT_HEADER}

    def target_cell(t: dict, c: str) -> object:
        if c == "indicator_name":
            return names.get(t["indicator"])
        if c == "region_name":
            return regions.get(t["region"])
        if c == "variant_text":
            return _variant_words(t["variant"], regions)
        if c == "source":
            return labels.source_text(t["source"])
        return _number(labels.label(TARGET_CODED[c], t[c])) if c in TARGET_CODED else t[c]

    _Sheet(book, "目标", formats).table(
        [headers[c] for c in columns], [[target_cell(t, c) for c in columns] for t in targets],
        [_number_formats(columns, units.get(t["indicator"], ""), t) for t in targets])

    if revisions:
        columns = [*REVISION_COLUMNS[:4], "variant_text", *REVISION_COLUMNS[4:]]
        headers = {**labels.REVISION_HEADERS, "variant_text": VARIANT_TEXT_HEADER}
        _Sheet(book, "修订", formats).table(
            [headers[c] for c in columns], [_revision_row(r, regions) for r in revisions],
            [_revision_formats(columns, units.get(r["indicator"], ""), r) for r in revisions])

    notes = _Sheet(book, "说明", formats)
    notes.ws.write_string(0, 0, f"产教融合统计指标发布 {content.period} {version}", formats["title"])
    notes.row = 2
    notes.write(["指标定义"], header=True)
    notes.write(["指标代码", "指标名称", "分子", "分母", "单位", "定义依据"], header=True)
    for d in content.definitions:
        notes.write([d["indicator_code"], d["name_zh"], d.get("numerator_definition_zh"), d.get("denominator_definition_zh"), d["unit"],
                     d["definition_source"]])
    notes.row += 1
    notes.write(["政策依据(目标来源)"], header=True)
    notes.write(["区划代码", "地区", "文件", "条款", "来源质量"], header=True)
    for s in content.sources:
        quality = "正式文件" if s["source_quality"] == "official" else "网络汇编(年份缺失,待核对原文)"
        notes.write([s["jurisdiction_code"], s["jurisdiction_name"], s["source_document"], labels.source_text(s["clause"]), quality])
    notes.row += 1
    notes.write(["状态代码"], header=True)
    notes.write(["类别", "代码", "含义"], header=True)
    for group, code, meaning in status_codes():
        notes.write([group, code, meaning])
    notes.row += 1
    notes.write(["不由本系统统计、另行跟踪的目标(无报送数据)"], header=True)
    notes.write(["区划代码", "地区", "目标"], header=True)
    for aim in aims_outside({v['region'] for v in content.values}):
        notes.write([aim["jurisdiction_code"], aim["jurisdiction_name"], aim["aim"]])
    notes.finish()
    book.close()
