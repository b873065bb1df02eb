"""Read one submitted file into typed rows with provenance, or say why it cannot be read.

Pure parsing: file in, rows and problems out. Personal data is hashed here, so nothing downstream
(the gate, the warehouse, the logs) ever holds a raw name, ID number, phone or staff/student number.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from python_calamine import CalamineWorkbook

from ingestion import codes, normalise
from ingestion.pii import pseudonymise
from ingestion.registry import Field, Kind, Sheet, kinds, normalise_header

HEADER_SCAN_ROWS = 15
STOP_PREFIXES = ("填表人", "填报人：", "审核人", "注：", "注:", "说明：", "说明:", "备注：")
TOTAL_PREFIXES = ("合计", "总计", "小计")


@dataclass
class Problem:
    sheet: str | None
    row: int | None
    column: str | None
    rule: str
    message: str

    def as_dict(self) -> dict:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "rule": self.rule, "message": self.message}


@dataclass
class ParsedSheet:
    definition: Sheet
    sheet_name: str
    rows: list[dict] = field(default_factory=list)


@dataclass
class ParsedFile:
    path: Path
    sha256: str
    kind: str | None = None
    submitter: str | None = None
    period: str | None = None
    region: str | None = None
    sheets: dict[str, ParsedSheet] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def row_count(self) -> int:
        return sum(len(s.rows) for s in self.sheets.values())


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read_file(path: Path, pii_key: bytes, collection_period: str | None = None) -> ParsedFile:
    parsed = ParsedFile(path=path, sha256=sha256_of(path))
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".xls"):
        parsed.problems.append(Problem(None, None, None, "format", f"暂不支持“{suffix or '无扩展名'}”文件：请以.xlsx或.xls格式报送"))
        return parsed
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        grids = {name: workbook.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in workbook.sheet_names}
    except Exception as exc:  # calamine reports damaged files as assorted errors
        parsed.problems.append(Problem(None, None, None, "unreadable", f"文件无法打开，可能已损坏或不是Excel文件：{exc}"))
        return parsed

    kind = _detect_kind(grids)
    if kind is None:
        parsed.problems.append(Problem(None, None, None, "kind", "无法识别报表类型：请使用chanjiao提供的填报模板，保留表头"))
        return parsed
    parsed.kind = kind.name
    for definition in kind.sheets:
        found = _find_sheet(grids, definition)
        if found is None:
            parsed.problems.append(Problem(definition.sheet, None, None, "sheet_missing", f"缺少工作表“{definition.sheet}”：请按模板补全该工作表"))
            continue
        name, header_row = found
        parsed.sheets[definition.key] = _read_sheet(definition, name, grids[name], header_row, pii_key, parsed.problems)
    _identify(parsed, kind, collection_period)
    return parsed


def _header_map(row: list, definition: Sheet) -> dict[int, Field]:
    lookup = {normalise_header(h): f for f in definition.fields for h in f.headers}
    return {i: lookup[normalise_header(cell)] for i, cell in enumerate(row) if normalise_header(cell) in lookup}


def _find_header_row(grid: list[list], definition: Sheet) -> tuple[int, int]:
    """(row index, number of known headers) of the best header row among the first rows."""
    best = (-1, 0)
    for i, row in enumerate(grid[:HEADER_SCAN_ROWS]):
        n = len({f.name for f in _header_map(row, definition).values()})
        if n > best[1]:
            best = (i, n)
    return best


def _find_sheet(grids: dict[str, list[list]], definition: Sheet) -> tuple[str, int] | None:
    """The sheet holding `definition`: by name first, else the sheet whose headers match best."""
    wanted = normalise_header(definition.sheet)
    for name, grid in grids.items():
        if normalise_header(name) == wanted:
            return name, _find_header_row(grid, definition)[0]
    required = sum(f.required for f in definition.fields)
    scored = [(name, *_find_header_row(grid, definition)) for name, grid in grids.items()]
    scored = [s for s in scored if s[2] >= max(2, required // 2 + 1)]
    if not scored:
        return None
    name, row, _ = max(scored, key=lambda s: s[2])
    return name, row


def _detect_kind(grids: dict[str, list[list]]) -> Kind | None:
    best, best_score = None, 0
    for kind in kinds().values():
        score = sum(_find_sheet(grids, d) is not None for d in kind.sheets) / len(kind.sheets)
        if score > best_score:
            best, best_score = kind, score
    return best


def _read_sheet(definition: Sheet, name: str, grid: list[list], header_row: int, pii_key: bytes, problems: list[Problem]) -> ParsedSheet:
    out = ParsedSheet(definition=definition, sheet_name=name)
    if header_row < 0:
        problems.append(Problem(name, None, None, "header", "找不到表头行：请保留模板的表头"))
        return out
    columns = _header_map(grid[header_row], definition)
    present = {f.name for f in columns.values()}
    for f in definition.fields:
        if f.required and f.name not in present:
            problems.append(Problem(name, header_row + 1, f.header, "column_missing", f"缺少必填列“{f.header}”：请按模板补上该列"))
    if any(f.required and f.name not in present for f in definition.fields):
        return out
    for i in range(header_row + 1, len(grid)):
        cells = grid[i]
        values = [c for c in cells if not normalise.is_empty(c)]
        if not values:
            continue
        first = normalise.text(values[0])
        if first.startswith(STOP_PREFIXES):
            break  # footnotes under the data
        if first.startswith(TOTAL_PREFIXES):
            continue
        row_number = i + 1  # the row number a person sees in the spreadsheet
        record: dict = {"source_sheet": name, "source_row": row_number}
        for col, f in columns.items():
            cell = cells[col] if col < len(cells) else None
            try:
                record.update(_convert(f, cell, pii_key))
            except normalise.CellError as err:
                problems.append(Problem(name, row_number, f.header, "format", f"“{f.header}”{err}"))
                record.update({c: None for c in f.columns})
        for f in definition.fields:
            if f.name not in present:
                record.update({c: (f.default if c == f.name else None) for c in f.columns})
        out.rows.append(record)
    return out


def _convert(f: Field, cell: object, pii_key: bytes) -> dict:
    if normalise.is_empty(cell):
        return {c: (f.default if c == f.name else None) for c in f.columns}
    if f.type == "pii":
        return {f"{f.name}_hash": pseudonymise(pii_key, normalise.text(cell))}
    if f.type == "id_number":
        value = normalise.long_code(cell)
        return {f"{f.name}_hash": pseudonymise(pii_key, value), f"{f.name}_valid": codes.id_number_is_valid(value)}
    if f.type == "uscc":
        value = normalise.long_code(cell)
        return {f.name: value, f"{f.name}_valid": codes.uscc_is_valid(value)}
    if f.type == "region":
        return {f.name: normalise.code(cell, 6), f"{f.name}_valid": None}  # judged once the period is known
    if f.type == "code":
        return {f.name: normalise.code(cell, f.length or 0)}
    if f.type == "enum":
        return {f.name: normalise.enum(cell, f.values)}
    converter = {"text": normalise.text, "int": normalise.integer, "number": normalise.number, "flag": normalise.flag, "date": normalise.date, "period": normalise.period}[f.type]
    return {f.name: converter(cell)}


def _identify(parsed: ParsedFile, kind: Kind, collection_period: str | None) -> None:
    """Who sent the file, for which period and region; fill what the sheets leave implicit."""
    table_key, _, column = kind.period_field.partition(".")
    sheet = parsed.sheets.get(table_key)
    periods = {r[column] for r in sheet.rows if r.get(column)} if sheet else set()
    if len(periods) > 1:
        parsed.problems.append(Problem(sheet.sheet_name, None, None, "period_mixed", "同一文件中出现多个报告期：一个文件只能报送一个报告期"))
    parsed.period = min(periods) if periods else collection_period
    year = int(parsed.period[:4]) if parsed.period else None
    for s in parsed.sheets.values():
        for r in s.rows:
            if column in r and r[column] is None and s.definition.key == table_key:
                r[column] = parsed.period
            for f in s.definition.fields:
                if f.type == "region" and r.get(f.name) is not None:
                    r[f"{f.name}_valid"] = codes.region_is_valid(r[f.name], year) if year else False
    if kind.name == "school_workbook":
        info = parsed.sheets.get("school_info")
        if info and info.rows:
            parsed.submitter = info.rows[0]["school_code"]
            parsed.region = info.rows[0]["region_code"]
            for s in parsed.sheets.values():
                if s.definition.key != "school_info":
                    for r in s.rows:
                        r["school_code"] = parsed.submitter
        elif info is not None:
            parsed.problems.append(Problem(info.sheet_name, None, None, "rows", "“学校信息”表没有数据行：请填写本校信息"))
        if info and len(info.rows) > 1:
            parsed.problems.append(Problem(info.sheet_name, info.rows[1]["source_row"], None, "rows", "“学校信息”表只能有一行数据"))
    else:
        parsed.region = parsed.submitter = covered_region([r["region_code"] for s in parsed.sheets.values() for r in s.rows if r.get("region_code")])


def covered_region(region_codes: list[str]) -> str | None:
    """The smallest county/city/province containing every code: the region a register is complete for."""
    distinct = set(region_codes)
    if not distinct:
        return None
    if len(distinct) == 1:
        return distinct.pop()
    if len({c[:4] for c in distinct}) == 1:
        return next(iter(distinct))[:4] + "00"
    if len({c[:2] for c in distinct}) == 1:
        return next(iter(distinct))[:2] + "0000"
    return "000000"
