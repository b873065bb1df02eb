"""Read one submitted file into typed rows with provenance, or say why it cannot be read.

Pure parsing: file in, rows and problems out. Personal data is hashed here, so nothing downstream
(the gate, the warehouse, the logs) ever holds a raw name, ID number, phone or staff/student number.

A file becomes grids (one per sheet; a CSV is one grid named after the file) holding the cells as a
person sees them: merged cells filled, each row with the number the spreadsheet shows. Sheets are
matched to the registry by name or by headers, whichever sheet is visible first; the kind is the one
whose sheets and required columns the file holds best.
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import difflib
import functools
import hashlib
import io
import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path

from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from ingestion import codes, normalise
from ingestion.pii import pseudonymiser
from ingestion.registry import Field, Kind, Sheet, core_of, header_readings, kinds, normalise_header, qualifiers, row_markers, split_unit, units

HEADER_SCAN_ROWS = 20
# GB18030 is a superset of GBK and GB2312; UTF-8 is tried first because GB18030 decodes far more byte
# sequences than it should, while Chinese GBK text is almost never valid UTF-8.
CSV_ENCODINGS = ("utf-8-sig", "gb18030")


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
    header_row: int | None = None  # the row number a person sees


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
    encoding: str | None = None  # CSV only: utf-8, utf-8-bom or gb18030

    @property
    def row_count(self) -> int:
        return sum(len(s.rows) for s in self.sheets.values())


@dataclass
class Grid:
    """One sheet as a person sees it: merged cells filled, `numbers[i]` the row number shown for rows[i]."""
    name: str
    rows: list[list]
    numbers: list[int]
    visible: bool = True
    headers: dict | None = None  # table name → Header, found in one pass for every kind tried
    copies: frozenset[tuple[int, int]] = frozenset()  # (row, column) filled from a merged cell to its left
    bottoms: dict[tuple[int, int], int] = field(default_factory=dict)  # (row, column) in a merged cell → its last row


@dataclass
class Header:
    row: int  # index in Grid.rows of the header's last row (data begins below it)
    columns: dict[int, tuple[Field, str | None]]  # column → field and the unit written in its header
    table_unit: str | None = None  # "单位：万元" written above the table
    twice: list[tuple[Field, int, int]] = field(default_factory=list)  # a field two columns name: (field, first, other)

    @functools.cached_property  # asked for every kind and sheet tried; columns are final once found
    def names(self) -> set[str]:
        return {f.name for f, _ in self.columns.values()}


class UnreadableFile(Exception):
    """The file cannot be turned into grids; the message is for the submitter."""


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read_file(path: Path, pii_key: bytes, collection_period: str | None = None) -> ParsedFile:
    parsed = ParsedFile(path=path, sha256=sha256_of(path))
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in LOADERS:
        parsed.problems.append(Problem(None, None, None, "format", f"不支持“{path.suffix or '无扩展名'}”文件：请以.xlsx、.xls或.csv格式报送"))
        return parsed
    try:
        grids = LOADERS[suffix](path, parsed)
    except UnreadableFile as err:
        parsed.problems.append(Problem(None, None, None, "unreadable", str(err)))
        return parsed

    detected = _detect_kind(grids)
    if detected is None:
        first = next((g.name for g in grids if g.visible), None)
        titles = "、".join(k.title for k in kinds().values())
        parsed.problems.append(Problem(first, None, None, "kind", f"无法识别报表类型：没有找到任何填报模板的表头。请使用chanjiao提供的模板（{titles}），保留表头行后重新报送"))
        return parsed
    kind, found = detected
    parsed.kind = kind.name
    if suffix not in kind.formats:
        allowed = "或".join(f".{f}" for f in kind.formats)
        parsed.problems.append(Problem(None, None, None, "format", f"“{kind.title}”含{len(kind.sheets)}个工作表，只能以{allowed}格式报送，不接受.{suffix}：请在Excel中填好全部工作表后另存为.xlsx重新报送"))
        return parsed
    for definition in kind.sheets:
        if definition.key not in found:
            parsed.problems.append(Problem(definition.sheet, None, None, "sheet_missing", f"缺少工作表“{definition.sheet}”：请按模板补全该工作表（没有数据也要保留表头）"))
            continue
        grid, header = found[definition.key]
        parsed.sheets[definition.key] = _read_sheet(definition, grid, header, pii_key, parsed.problems)
    _identify(parsed, kind, collection_period)
    return parsed


def warm_up() -> None:
    """Load now what reading the first file would load: the registry, its header index and the region
    table. `ingestion.isolation` calls this when the fork server imports it, so every reader worker
    starts with them (~100 ms per worker otherwise, before its first file). A failure here is left to
    surface where it always did, on the first file."""
    try:
        _header_index()
        _markers()
        codes.region_is_valid("110101", 2000)
    except Exception:
        pass


# --- files → grids -------------------------------------------------------------------------------

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


# --- grids → kind, sheets and headers ------------------------------------------------------------

@functools.cache
def _lookup(definition: Sheet) -> dict[str, Field]:
    """Header (normalised, unit removed) → field, over every synonym."""
    return {split_unit(normalise_header(h))[0]: f for f in definition.fields for h in f.headers}


def _table_unit(rows: list[list]) -> str | None:
    """A money unit written for the whole table above its header: "单位：万元", "金额单位：元"."""
    longest_first = sorted(units()["money"], key=len, reverse=True)
    for row in rows:
        for cell in row:
            text = normalise_header(cell)
            for unit in longest_first:
                if f"单位:{unit}" in text:
                    return unit
    return None


@dataclass(frozen=True)
class _Index:
    """Every header of every sheet definition of every kind, for one pass over a grid's first rows.

    exact: header base (normalised, unit split off) → (table, field), from the fields' own headers;
    cores: the same with the droppable qualifiers removed (registry `qualifiers`), only where one field
    of the table has that core; terms: a regex of the fields' core terms (registry `core`: 信用代码,
    身份证 …) and term → (table, field), only where one field of the table has that term;
    starts/single: the first one and two characters of exact and core headers and the qualifiers, and
    the one-character ones, for `_may_start`."""
    exact: dict[str, tuple[tuple[str, Field], ...]]
    cores: dict[str, tuple[tuple[str, Field], ...]]
    terms: re.Pattern | None
    term_fields: dict[str, tuple[tuple[str, Field], ...]]
    starts: frozenset[str]
    single: frozenset[str]


def _header_index() -> _Index:
    """Built once per process (per registry): building it for every grid was a quarter of the cost of
    finding headers."""
    global _INDEX
    current = kinds()
    if _INDEX is None or _INDEX[0] is not current:  # holds `current`, so its id cannot be reused
        exact: dict[str, list[tuple[str, Field]]] = {}
        cores: dict[str, list[tuple[str, Field]]] = {}
        terms: dict[str, list[tuple[str, Field]]] = {}
        for kind in current.values():
            for definition in kind.sheets:
                for base, f in _lookup(definition).items():
                    exact.setdefault(base, []).append((definition.table, f))
                for core, f in definition.cores.items():
                    cores.setdefault(core, []).append((definition.table, f))
                owners: dict[str, dict[str, Field]] = {}
                for f in definition.fields:
                    for term in f.core:
                        owners.setdefault(normalise_header(term), {})[f.name] = f
                for term, fs in owners.items():
                    if len(fs) == 1:
                        terms.setdefault(term, []).append((definition.table, *fs.values()))
        heads = [*exact, *cores, *qualifiers()]
        starts = frozenset(b[:n] for b in heads for n in (1, 2))
        single = frozenset(b for b in heads if len(b) == 1)
        pattern = re.compile("|".join(map(re.escape, sorted(terms, key=len, reverse=True)))) if terms else None
        freeze = lambda d: {k: tuple(v) for k, v in d.items()}  # noqa: E731
        _INDEX = (current, _Index(freeze(exact), freeze(cores), pattern, freeze(terms), starts, single))
    return _INDEX[1]


_INDEX: tuple[dict, _Index] | None = None


def _may_start(text: str, starts: frozenset[str], single: frozenset[str]) -> bool:
    """Whether a header of the index could begin `text` or `text` + more, i.e. whether `text`, or a text
    beginning with it, can be read as a header. A header k is a prefix of such a text, or the text of
    k, only if they share their first two characters (k's first one when k or `text` is that short):
    a cheap exact test that rules out the data cells in the rows scanned for headers."""
    return text[:2] in starts or text[:1] in single


def _named(p: str, c: str, index: _Index) -> dict[str, tuple[Field, str | None]]:
    """Table → (field, unit) that a header cell names. `c` is the cell's text and `p` the text above it,
    both normalised. Under a merged parent ("企业实践天数" over "近12个月") both orders of parent and
    child are read, then the child alone; a cell merged across both rows is the same text twice.

    templates.md ("Headers are matched after normalisation"): a field's own header, as written or
    without a note or unit (`header_readings`), comes first; then the header without the qualifiers a
    submitter may drop, where one field of the sheet has what remains; then a header holding one
    field's core term (信用代码, 身份证, 学号 …), where no other field of the sheet has that term."""
    # a unit written on a merged parent ("地方教育附加(万元)" over "征收额") is written for its children
    parent, parent_unit = split_unit(p) if p else ("", None)
    texts = (c,) if not p or p == c else (parent + c, c + parent, c)
    readings = [(base, unit if unit is not None else parent_unit) for text in texts for base, unit in header_readings(text)]
    out: dict[str, tuple[Field, str | None]] = {}
    for base, unit in readings:
        for table, f in index.exact.get(base, ()):
            out.setdefault(table, (f, unit))
    for base, unit in readings:
        for table, f in index.cores.get(core_of(base), ()):
            out.setdefault(table, (f, unit))
    if index.terms is not None:
        for base, unit in readings:
            found = {m[0] for m in index.terms.finditer(base)}
            by_table: dict[str, set] = {}
            for term in found:
                for table, f in index.term_fields[term]:
                    by_table.setdefault(table, set()).add(f)
            for table, fs in by_table.items():
                if len(fs) == 1:  # a header holding two fields' terms ("学号/身份证号") names neither
                    out.setdefault(table, (next(iter(fs)), unit))
    return out


def _headers(grid: Grid) -> dict[str, Header]:
    """For every sheet definition of every kind (by table name), the header row of `grid` naming most
    of its fields. One pass over the first rows serves all definitions: every kind is tried on every grid."""
    if grid.headers is not None:
        return grid.headers
    index = _header_index()
    starts, single = index.starts, index.single
    best: dict[str, Header] = {}
    above: list[str] = []  # the row above, normalised
    above_may: list[bool] = []
    for i, row in enumerate(grid.rows[:HEADER_SCAN_ROWS]):
        texts = [normalise_header(cell) for cell in row]  # each cell normalised once, as child then as parent
        may = [bool(t) and _may_start(t, starts, single) for t in texts]
        terms = index.terms
        columns: dict[str, dict[int, tuple[Field, str | None]]] = {}
        first: dict[str, dict[str, int]] = {}  # table → field name → the first column naming it
        twice: dict[str, list[tuple[Field, int, int]]] = {}
        width = len(above)
        for col, c in enumerate(texts):
            if not c:
                continue
            parent = above[col] if col < width else ""
            # Every reading begins with the child or the parent, or holds a core term: if none of them
            # can, the cell names no field.
            if not may[col] and not (col < width and above_may[col]) and not (terms and (terms.search(c) or (parent and terms.search(parent)))):
                continue
            if (i, col) in grid.copies:
                continue  # one merged cell spread over several columns is one header, read at its first
            for table, (f, unit) in _named(parent, c, index).items():
                seen = first.setdefault(table, {})
                if f.name in seen:
                    twice.setdefault(table, []).append((f, seen[f.name], col))
                    continue
                seen[f.name] = col
                columns.setdefault(table, {})[col] = (f, unit)
        for table, found in columns.items():
            if table not in best or len(found) > len(best[table].columns):
                best[table] = Header(i, found, twice=twice.get(table, []))
        above, above_may = texts, may
    for header in best.values():
        header.table_unit = _table_unit(grid.rows[:header.row])
        # header cells merged down over more rows ("工号" over both rows of a two-row header, or every
        # cell of a tall one-row header): the data begin below the lowest of them
        header.row = max((grid.bottoms.get((header.row, col), header.row) for col in header.columns), default=header.row)
    grid.headers = best
    return best


def _enough(header: Header | None, definition: Sheet) -> bool:
    """More than half the required fields: a sheet sharing 姓名 and 身份证号 with another is not that other."""
    if header is None:
        return False
    found = sum(f.name in header.names for f in definition.required)
    return found >= max(2, len(definition.required) // 2 + 1)


def _match_sheets(grids: list[Grid], kind: Kind) -> dict[str, tuple[Grid, Header | None]]:
    """Sheet key → (grid, header). Each grid serves one sheet; visible grids first (a hidden sheet is
    usually last month's copy), then grids whose headers hold the sheet, then grids named as the
    template names them, then the most columns recognised."""
    options = []
    for definition in kind.sheets:
        for n, grid in enumerate(grids):
            header = _headers(grid).get(definition.table)
            named = normalise_header(grid.name) == normalise_header(definition.sheet)
            enough = _enough(header, definition)
            if named or enough:
                rank = (grid.visible, enough, named, len(header.columns) if header else 0, -n)
                options.append((rank, definition.key, n, header))
    options.sort(key=lambda o: o[0], reverse=True)
    found: dict[str, tuple[Grid, Header | None]] = {}
    taken: set[int] = set()
    for _, key, n, header in options:
        if key not in found and n not in taken:
            found[key] = (grids[n], header)
            taken.add(n)
    return found


def _detect_kind(grids: list[Grid]) -> tuple[Kind, dict] | None:
    """The kind whose sheets the file holds best: share of its sheets found, then share of their
    required columns present, then number of columns explained (an enterprise return also holds
    every column of the above-scale register)."""
    best, best_score = None, None
    for kind in kinds().values():
        found = _match_sheets(grids, kind)
        if not found:
            continue
        required = sum(len(kind.sheet(k).required) for k in found)
        present = sum(len({f.name for f in kind.sheet(k).required} & (h.names if h else set())) for k, (_, h) in found.items())
        explained = sum(len(h.columns) for _, h in found.values() if h)
        score = (len(found) / len(kind.sheets), present / required if required else 1, explained)
        if best_score is None or score > best_score:
            best, best_score = (kind, found), score
    return best


# --- one sheet → rows ----------------------------------------------------------------------------

@functools.cache
def _markers() -> tuple[tuple[str, ...], tuple[str, ...], bool]:
    """(footnote markers, total markers, whether every marker holds a non-ASCII character). When each
    does, a cell of ASCII text cannot be a marker: normalising ASCII text leaves it ASCII."""
    markers = row_markers()
    every = markers["footnotes"] + markers["totals"]
    return markers["footnotes"], markers["totals"], not any(m.isascii() for m in every)


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
    footnotes, totals, non_ascii = _markers()
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


def _read_sheet(definition: Sheet, grid: Grid, header: Header | None, pii_key: bytes, problems: list[Problem]) -> ParsedSheet:
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
        convert = _converter(f, hash_pii, money.get(col))
        # personal data is nearly all distinct: remembering it would cost more than it saves
        values, failed = _convert_column(convert, [cells[col] if col < len(cells) else None for cells in rows], len(f.columns),
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


def _convert_column(convert, cells: list, width: int, remember: bool = True) -> tuple[list[tuple], list[tuple[int, normalise.CellError]]]:
    """Each cell's values (a tuple of `width`; all None for a cell that cannot be read) and, by position,
    the errors. The result of a str or a non-zero float is kept for the cells after it with the same
    value: equal values of those types convert alike (unlike 0.0 and -0.0, or 1 and True, which compare
    equal; neither is cached)."""
    values: list[tuple] = []
    failed: list[tuple[int, normalise.CellError]] = []
    seen: dict = {}
    unreadable = (None,) * width
    for j, cell in enumerate(cells):
        kind = cell.__class__
        if remember and (kind is str or (kind is float and cell)):
            result = seen.get(cell)
            if result is None:
                try:
                    result = convert(cell)
                except normalise.CellError as err:
                    result = err
                seen[cell] = result
        else:
            try:
                result = convert(cell)
            except normalise.CellError as err:
                result = err
        if result.__class__ is tuple:
            values.append(result)
        else:
            failed.append((j, result))
            values.append(unreadable)
    return values, failed


SIMPLE = {"text": normalise.text, "int": normalise.integer, "ratio": normalise.ratio, "flag": normalise.flag,
          "date": normalise.date, "period": normalise.period, "month": normalise.month, "year": normalise.year,
          "submitter_code": normalise.submitter_code}


def _converter(f: Field, hash_pii, unit: str | None = None):
    """cell → the values of the field's columns (in `f.columns` order); an empty cell gives the
    field's default."""
    empty = tuple(f.default if c == f.name else None for c in f.columns)
    parse = _parser(f, hash_pii, unit)
    text_or_none = normalise.text_or_none

    if f.type == "pii":
        def pii(cell: object) -> tuple:
            # personal data is free text: its text, normalised once, is what is hashed
            if cell.__class__ is str:
                text = text_or_none(cell)
                return empty if text is None else (hash_pii(text),)
            if cell is None or cell == "":
                return empty
            normalise.refuse_error_value(cell)
            return empty if normalise.is_empty(cell) else parse(cell)
        return pii

    def convert(cell: object) -> tuple:
        kind = cell.__class__
        if kind is str:
            return empty if text_or_none(cell) is None else parse(cell)
        if kind is float or kind is int or kind is bool:
            return parse(cell)  # only text can be empty or a formula error
        if cell is None or cell == "":
            return empty
        normalise.refuse_error_value(cell)
        return empty if normalise.is_empty(cell) else parse(cell)

    return convert


def _parser(f: Field, hash_pii, unit: str | None):
    """cell (not empty) → the values of one field's columns, for its type."""
    if f.type == "pii":
        return lambda cell: (hash_pii(normalise.text(cell)),)
    if f.type == "id_number":
        def id_number(cell: object) -> tuple:
            value = normalise.long_code(cell)
            holdable = codes.id_number_holdable_from(value)
            if holdable is None:
                normalise.refuse_scientific(value)  # only a value that fails GB 11643 can be Excel's display
            # the verdict waits for the period's end (`_identify`): the day the number could first be held
            return hash_pii(value), holdable or False
        return id_number
    if f.type == "uscc":
        def uscc(cell: object) -> tuple:
            value = normalise.long_code(cell)
            valid = codes.uscc_is_valid(value)
            if not valid:
                normalise.refuse_scientific(value)  # 91410603E448801280 passes GB 32100: it is that code
            return value, valid
        return uscc
    if f.type == "region":
        return lambda cell: (normalise.code(cell, 6), None)  # judged once the period is known
    if f.type == "code":
        return lambda cell: (normalise.code(cell, f.length or 0),)
    if f.type == "enum":
        return lambda cell: (normalise.enum(cell, f.values, f.aliases),)
    if f.type == "number" and f.unit:
        return lambda cell: (normalise.scale(normalise.number(cell), unit, f.unit, units()["money"]),)
    if f.type == "number":
        return lambda cell: (normalise.number(cell),)
    simple = SIMPLE[f.type]
    return lambda cell: (simple(cell),)


# --- the file as a whole: period, submitter, region ----------------------------------------------

def _identify(parsed: ParsedFile, kind: Kind, collection_period: str | None) -> None:
    """Who sent the file, for which period and region; fill what the sheets leave implicit."""
    parsed.period = _file_period(parsed, kind, collection_period)
    year = int(parsed.period[:4]) if parsed.period else None
    end = period_end(parsed.period) if parsed.period else dt.date.today()
    for s in parsed.sheets.values():
        # an optional 报告期 left blank (or its column left out) is the collection period
        blank_period = [f.name for f in s.definition.fields if f.type == "period" and not f.required]
        regions = [f.name for f in s.definition.fields if f.type == "region"]  # valid at the period's end
        # GB 11643: a number is valid when it could be held by the period's end (codes.id_number_holdable_from)
        ids = [f"{f.name}_valid" for f in s.definition.fields if f.type == "id_number"]
        for r in s.rows:
            for name in blank_period:
                if r.get(name) is None:
                    r[name] = parsed.period
            for name in regions:
                if r.get(name) is not None:
                    r[f"{name}_valid"] = codes.region_is_valid(r[name], year) if year else False
            for name in ids:
                holdable = r.get(name)
                if holdable is not None:
                    r[name] = holdable is not False and holdable <= end
    _check_single_rows(parsed)
    parsed.submitter, parsed.region = _submitter(parsed, kind)
    if kind.name == "school_workbook":
        for s in parsed.sheets.values():
            if s.definition.key != "school_info":
                for r in s.rows:
                    r["school_code"] = parsed.submitter  # the roster rows belong to the workbook's school


def period_end(period: str) -> dt.date:
    """The last day of month YYYY-MM."""
    year, month = int(period[:4]), int(period[5:7])
    return dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)


def _file_period(parsed: ParsedFile, kind: Kind, collection_period: str | None) -> str | None:
    if kind.period_field is None:
        return collection_period  # annual finance and the frame carry no 报告期
    key, _, column = kind.period_field.partition(".")
    sheet = parsed.sheets.get(key)
    rows = [r for r in sheet.rows if r.get(column)] if sheet else []
    if not rows:
        return collection_period
    other = next((r for r in rows if r[column] != rows[0][column]), None)
    if other is not None:
        header = sheet.definition.fields[[f.name for f in sheet.definition.fields].index(column)].header
        parsed.problems.append(Problem(sheet.sheet_name, other["source_row"], header, "period_mixed",
                                       f"同一文件中出现多个报告期（{rows[0][column]}和{other[column]}）：一个文件只能报送一个报告期"))
    return min(r[column] for r in rows)


def _check_single_rows(parsed: ParsedFile) -> None:
    for s in parsed.sheets.values():
        if s.definition.rows != "one" or s.header_row is None:
            continue
        if not s.rows:
            parsed.problems.append(Problem(s.sheet_name, None, None, "rows", f"“{s.definition.sheet}”表没有数据行：请在表头下填写一行"))
        elif len(s.rows) > 1:
            parsed.problems.append(Problem(s.sheet_name, s.rows[1]["source_row"], None, "rows", f"“{s.definition.sheet}”表只能有一行数据：请删除多余的行"))


def _column_values(parsed: ParsedFile, ref: str | None) -> list:
    key, _, column = (ref or "").partition(".")
    sheet = parsed.sheets.get(key)
    rows = sheet.rows[:1] if sheet and sheet.definition.rows == "one" else (sheet.rows if sheet else [])
    return [r[column] for r in rows if r.get(column)]


def _submitter(parsed: ParsedFile, kind: Kind) -> tuple[str | None, str | None]:
    """(submitter, region): the one value of the submitter field, with its region, when the file holds
    one (a school, an enterprise); else the region the file covers (a register, a bureau's collection)."""
    covered = covered_region(_column_values(parsed, kind.region_field))
    if kind.submitter_field == "covered_region":
        return covered, covered
    senders = set(_column_values(parsed, kind.submitter_field))
    if len(senders) != 1:
        return covered, covered
    return senders.pop(), covered


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
