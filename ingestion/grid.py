"""A submitted file as grids: one per sheet (a CSV is one grid named after the file), holding the cells
as a person sees them — merged cells filled, each row with the number the spreadsheet shows.

Only this module hands a file to a spreadsheet library (python-calamine) or the CSV reader; what a grid
means (which table, which header) is for `ingestion.headers` and `ingestion.detect` to say.
"""
from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from ingestion.parsed import ParsedFile

# Headers are looked for in a sheet's first rows (`ingestion.headers`). It is defined here because
# loading a grid already records, for those rows only, where merged header cells end.
HEADER_SCAN_ROWS = 20
# GB18030 is a superset of GBK and GB2312; UTF-8 is tried first because GB18030 decodes far more byte
# sequences than it should, while Chinese GBK text is almost never valid UTF-8.
CSV_ENCODINGS = ("utf-8-sig", "gb18030")


@dataclass
class Grid:
    """One sheet as a person sees it: merged cells filled, `numbers[i]` the row number shown for rows[i]."""
    name: str
    rows: list[list]
    numbers: list[int]
    visible: bool = True
    headers: dict | None = None  # table name → ingestion.headers.Header, found in one pass for every kind tried
    copies: frozenset[tuple[int, int]] = frozenset()  # (row, column) filled from a merged cell to its left
    bottoms: dict[tuple[int, int], int] = field(default_factory=dict)  # (row, column) in a merged cell → its last row


class UnreadableFile(Exception):
    """The file cannot be turned into grids; the message is for the submitter."""


def _load_excel(path: Path, parsed: ParsedFile) -> list[Grid]:
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        grids = []
        for meta in workbook.sheets_metadata:
            if meta.typ != SheetTypeEnum.WorkSheet:
                continue  # chart sheets hold no cells
            sheet = workbook.get_sheet_by_name(meta.name)
            rows = sheet.to_python(skip_empty_area=False)  # from A1, so row i is spreadsheet row i+1
            copies, bottoms = _fill_merged(rows, sheet.merged_cell_ranges or ())
            grids.append(Grid(meta.name, rows, list(range(1, len(rows) + 1)), meta.visible == SheetVisibleEnum.Visible, copies=copies, bottoms=bottoms))
        return grids
    except Exception as exc:  # calamine reports damaged files as assorted errors
        raise UnreadableFile(f"文件无法打开，可能已损坏或不是Excel文件：请用Excel打开确认后另存为.xlsx重新报送（{exc}）") from None


def _fill_merged(rows: list[list], ranges) -> tuple[frozenset[tuple[int, int]], dict[tuple[int, int], int]]:
    """A merged cell reads, to a person, as its value in every cell it covers: a parent header over its
    children, a 工号 header spanning two header rows. Ranges are clipped to the cells that exist.
    Returns the cells filled from a merged cell to their left (a header merged across two columns is
    one header, not two columns naming one field) and, for every covered cell in the first rows where
    headers are looked for, the merged cell's last row (a header merged down two rows ends there)."""
    copies, bottoms = set(), {}
    for (r0, c0), (r1, c1) in ranges:
        if r0 >= len(rows) or c0 >= len(rows[r0]):
            continue
        value = rows[r0][c0]
        for r in range(r0, min(r1, len(rows) - 1) + 1):
            for c in range(c0, min(c1, len(rows[r]) - 1) + 1):
                rows[r][c] = value
                if c > c0:
                    copies.add((r, c))
                if r < HEADER_SCAN_ROWS and r1 > r:
                    bottoms[(r, c)] = min(r1, len(rows) - 1)
    return frozenset(copies), bottoms


def _load_csv(path: Path, parsed: ParsedFile) -> list[Grid]:
    raw = path.read_bytes()
    for encoding in CSV_ENCODINGS:
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise UnreadableFile("CSV文件的编码无法识别：请在Excel中另存为“CSV UTF-8（逗号分隔）”后重新报送")
    parsed.encoding = ("utf-8-bom" if raw.startswith(codecs.BOM_UTF8) else "utf-8") if encoding == "utf-8-sig" else encoding
    rows, numbers, line = [], [], 0
    try:
        reader = csv.reader(io.StringIO(text, newline=""))
        for record in reader:
            rows.append(record)
            numbers.append(line + 1)  # a quoted cell may span lines: a record begins after the last one ended
            line = reader.line_num
    except csv.Error as exc:
        raise UnreadableFile(f"CSV文件第{line + 1}行无法解析：请在Excel中另存为“CSV UTF-8（逗号分隔）”后重新报送（{exc}）") from None
    return [Grid(path.name, rows, numbers)]


LOADERS = {"xlsx": _load_excel, "xls": _load_excel, "csv": _load_csv}
