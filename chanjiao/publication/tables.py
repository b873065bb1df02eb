"""A query's result as a file a bureau can forward as it is (`chanjiao query --format csv|xlsx|json`).

The same rules as the release: CSV in UTF-8 with BOM (Excel on Chinese Windows opens it ungarbled),
formula-looking text kept inert (cells.py), numbers written as numbers. The workbook names the marts'
columns in Chinese (labels.py); a column it has no word for keeps its own name. Times arrive already
shown in Asia/Shanghai (ingestion.period.shown), as ISO text with their offset: a spreadsheet has no
time zones, so text is the only way the offset survives.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections import Counter
from decimal import Decimal
from pathlib import Path

import xlsxwriter

from chanjiao import labels
from chanjiao.publication.csv_files import cell_text
from chanjiao.publication.xlsx import _Sheet

FORMATS = ("csv", "xlsx", "json")


def value(v: object) -> object:
    """A cell as the files carry it: DECIMAL as a number, dates and anything else not JSON's own as text."""
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() and v.as_tuple().exponent >= 0 else float(v)
    if isinstance(v, (dt.date, dt.time)):
        return v.isoformat()
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    if isinstance(v, (list, tuple)):
        return [value(x) for x in v]
    if isinstance(v, dict):
        return {str(k): value(x) for k, x in v.items()}
    return str(v)


def headers(names: list[str]) -> list[str]:
    """Chinese headers for known mart columns; a name two columns would share, or none has, stays as it is."""
    chinese = [labels.QUERY_HEADERS.get(n, n) for n in names]
    twice = {h for h, n in Counter(chinese).items() if n > 1}
    return [n if h in twice else h for n, h in zip(names, chinese)]


def csv_text(names: list[str], rows: list[tuple]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180, as the release's CSV (csv_files.py)
    writer.writerow([cell_text(n) for n in names])
    for row in rows:
        writer.writerow([cell_text(json.dumps(x, ensure_ascii=False) if isinstance(x, (list, dict)) else x)
                         for x in map(value, row)])
    return out.getvalue()


def json_text(names: list[str], rows: list[tuple]) -> str:
    """A list of objects, one per row, keyed by column name."""
    return json.dumps([{n: value(x) for n, x in zip(names, row)} for row in rows], ensure_ascii=False, indent=2) + "\n"


def write_xlsx(path: Path, names: list[str], rows: list[tuple]) -> None:
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False,
                                           "nan_inf_to_errors": True})
    formats = {"header": book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True}),
               "quoted": book.add_format({"quote_prefix": True}), "General": None}
    cells = [[json.dumps(x, ensure_ascii=False) if isinstance(x, (list, dict)) else x for x in map(value, row)] for row in rows]
    if names:
        _Sheet(book, "查询结果", formats).table(headers(names), cells)
    else:  # a statement without a result set
        book.add_worksheet("查询结果")
    book.close()


def write(path: Path, fmt: str, names: list[str], rows: list[tuple]) -> None:
    """Write the result in `fmt` to `path` (the caller makes the write atomic)."""
    if fmt == "xlsx":
        write_xlsx(path, names, rows)
    elif fmt == "csv":
        Path(path).write_bytes(csv_text(names, rows).encode("utf-8-sig"))
    elif fmt == "json":
        Path(path).write_text(json_text(names, rows), encoding="utf-8")
    else:
        raise ValueError(f"unknown format {fmt!r}: one of {', '.join(FORMATS)}")
