"""One sheet's data rows under its header, as typed values with provenance (source sheet and row).

Totals, blank rows and pre-printed 序号 are skipped; footnotes (填表人、审核人、注) end the table. A
column that cannot be read as its field is reported with the headers found; a money column without a
written unit is refused, never guessed. Cells become values column at a time (`ingestion.convert`).
"""
from __future__ import annotations

import difflib
import functools
import itertools

from ingestion import normalise
from ingestion.convert import convert_column, converter
from ingestion.grid import Grid
from ingestion.headers import Header
from ingestion.parsed import ParsedSheet, Problem
from ingestion.pii import pseudonymiser
from ingestion.registry import Field, Sheet, normalise_header, row_markers, split_unit, units


@functools.cache
def markers() -> tuple[tuple[str, ...], tuple[str, ...], bool]:
    """(footnote markers, total markers, whether every marker holds a non-ASCII character). When each
    does, a cell of ASCII text cannot be a marker: normalising ASCII text leaves it ASCII."""
    found = row_markers()
    every = found["footnotes"] + found["totals"]
    return found["footnotes"], found["totals"], not any(m.isascii() for m in every)


def _first_filled(cells: list) -> int | None:
    """The position of the first cell that is not empty (normalise.is_empty), or None."""
    is_empty = normalise.is_empty
    for at, cell in enumerate(cells):
        if cell is None or cell == "" or (isinstance(cell, str) and is_empty(cell)):
            continue
        return at
    return None


def _marker(first: object) -> str | None:
    """"footnote" for 填表人/审核人/注 lines under the data, "total" for a 合计/总计 row, else None;
    `first` is the row's first filled cell."""
    if not isinstance(first, str):
        return None  # totals and footnotes are words; a 序号 or a number is data
    footnotes, totals, non_ascii = markers()
    if non_ascii and first.isascii():
        return None  # an ID, a code, a name in Latin letters: most first cells are, so this is worth it
    text = normalise_header(first)
    if text.startswith(footnotes):
        return "footnote"
    if text.startswith(totals) or (len(text) <= 8 and text.endswith(totals)):
        return "total"
    return None


def _money_units(definition: Sheet, grid: Grid, header: Header, header_row: int, problems: list[Problem]) -> dict[int, str] | None:
    """The unit of each money column: written in its header, else above the table. A money column
    without a written unit is refused (None), never guessed."""
    money = units()["money"]
    out: dict[int, str] = {}
    for col, (f, written) in header.columns.items():
        if f.unit is None:
            continue
        unit = written if written is not None else header.table_unit
        if unit in money:
            out[col] = unit
        elif unit is None:
            problems.append(Problem(grid.name, header_row, f.header, "unit_missing",
                                    f"“{f.header}”列没有写明金额单位：请在表头注明单位，如“{split_unit(f.header)[0]}({f.unit})”或“{split_unit(f.header)[0]}(元)”"))
        else:
            problems.append(Problem(grid.name, header_row, f.header, "unit",
                                    f"“{f.header}”列的单位“{unit}”不是金额单位：请改为“({f.unit})”或“(元)”"))
    return out if len(out) == sum(f.unit is not None for f, _ in header.columns.values()) else None


def _data_rows(grid: Grid, header: Header) -> list[int]:
    """Indices (in grid.rows) of the rows under the header that hold data: totals, blank rows and rows
    holding only a pre-printed 序号 are skipped; 填表人、审核人 and notes end the table."""
    out = []
    columns = sorted(header.columns)
    is_empty = normalise.is_empty
    for i in range(header.row + 1, len(grid.rows)):
        cells = grid.rows[i]
        at = _first_filled(cells)
        if at is None:
            continue  # a blank row
        marker = _marker(cells[at])
        if marker == "footnote":
            break
        if marker == "total":
            continue
        # Cells before the first filled one are empty: a header column from `at` on must hold something.
        width = len(cells)
        for col in columns:
            if col == at or (col > at and col < width and not is_empty(cells[col])):
                out.append(i)
                break
    return out


def read_sheet(definition: Sheet, grid: Grid, header: Header | None, pii_key: bytes, problems: list[Problem]) -> ParsedSheet:
    out = ParsedSheet(definition=definition, sheet_name=grid.name)
    if header is None:
        problems.append(Problem(grid.name, None, None, "header", f"找不到“{definition.sheet}”的表头行：请保留模板的表头（如“{definition.fields[0].header}”）"))
        return out
    out.header_row = grid.numbers[header.row]
    missing = [f for f in definition.required if f.name not in header.names]
    if missing or header.twice:
        _column_problems(definition, grid, header, missing, problems)
    money = _money_units(definition, grid, header, out.header_row, problems)
    if missing or header.twice or money is None:
        return out
    data = _data_rows(grid, header)
    if not data:
        return out
    hash_pii = pseudonymiser(pii_key)
    absent = {c: (f.default if c == f.name else None) for f in definition.fields if f.name not in header.names for c in f.columns}
    numbers = [grid.numbers[i] for i in data]  # the row numbers a person sees in the spreadsheet
    rows = [grid.rows[i] for i in data]
    # Column at a time: one converter per column, and a column's repeated values (是/否, 专任, a
    # number of days, an empty cell) are converted once.
    keys: list[str] = ["source_sheet", "source_row"]
    columns: list = [itertools.repeat(grid.name), numbers]
    errors: list[tuple[int, int, Problem]] = []
    for k, (col, (f, _)) in enumerate(header.columns.items()):
        convert = converter(f, hash_pii, money.get(col))
        # personal data is nearly all distinct: remembering it would cost more than it saves
        values, failed = convert_column(convert, [cells[col] if col < len(cells) else None for cells in rows], len(f.columns),
                                         remember=f.type != "pii")
        for j, err in failed:
            errors.append((j, k, Problem(grid.name, numbers[j], f.header, "format", f"“{f.header}”{err}")))
        keys += f.columns
        columns += zip(*values)  # the field's columns, each a tuple of values down the rows
    keys += absent
    columns += [itertools.repeat(v) for v in absent.values()]
    out.rows = [dict(zip(keys, values)) for values in zip(*columns)]
    errors.sort(key=lambda e: e[:2])  # row by row, columns in order, as a person reads the sheet
    problems += [e[2] for e in errors]
    return out


def _shown(grid: Grid, header: Header, col: int) -> str:
    """A header cell as the submitter wrote it (the parent of a two-row header before it), spaces folded."""
    cells = [grid.rows[r][col] for r in (header.row - 1, header.row) if r >= 0 and col < len(grid.rows[r])]
    texts = list(dict.fromkeys(" ".join(str(c).split()) for c in cells if c not in (None, "")))
    return "".join(texts[-1:]) if len(texts) < 2 or header.row == 0 else "".join(texts)


def _column_problems(definition: Sheet, grid: Grid, header: Header, missing: list[Field], problems: list[Problem]) -> None:
    """templates.md: "Two columns claiming one field, or a required field not found, are rejected with the
    headers that were found." A missing column's reason lists the sheet's headers and the closest one
    that names no field, so the submitter sees which header to rename."""
    row = grid.numbers[header.row]
    for f, one, other in header.twice:
        problems.append(Problem(grid.name, row, f.header, "column_twice",
                                f"“{_shown(grid, header, one)}”和“{_shown(grid, header, other)}”两列都对应“{f.header}”：请删除多余的一列，或改正其表头"))
    if not missing:
        return
    width = max((len(grid.rows[r]) for r in (header.row - 1, header.row) if r >= 0), default=0)
    shown = {col: _shown(grid, header, col) for col in range(width)}
    shown = {col: text for col, text in shown.items() if text}
    unclaimed = [text for col, text in shown.items() if col not in header.columns]
    found = "、".join(f"“{t}”" for t in shown.values()) or "（无）"
    for f in missing:
        names = [split_unit(normalise_header(h))[0] for h in f.headers]
        closest = max(unclaimed, default=None, key=lambda t: max(difflib.SequenceMatcher(None, normalise_header(t), n).ratio() for n in names))
        fix = f"，最接近的是“{closest}”）：请按模板补上该列，或将“{closest}”改为“{f.header}”" if closest else "）：请按模板补上该列"
        problems.append(Problem(grid.name, row, f.header, "column_missing", f"缺少必填列“{f.header}”（本表表头：{found}{fix}"))
