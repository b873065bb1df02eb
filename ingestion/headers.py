"""Where a grid's header is, for every sheet definition of every kind, and which field each column holds.

templates.md ("Headers are matched after normalisation"): a header names a field by the field's own
header or a synonym, without the qualifiers a submitter may drop, or by a core term only that field
has. One pass over a grid's first rows serves every definition, because every kind is tried on every
grid (`ingestion.detect`).
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from ingestion.grid import HEADER_SCAN_ROWS, Grid
from ingestion.registry import Field, Sheet, core_of, header_readings, kinds, normalise_header, qualifiers, split_unit, units


@dataclass
class Header:
    row: int  # index in Grid.rows of the header's last row (data begins below it)
    columns: dict[int, tuple[Field, str | None]]  # column → field and the unit written in its header
    table_unit: str | None = None  # "单位：万元" written above the table
    twice: list[tuple[Field, int, int]] = field(default_factory=list)  # a field two columns name: (field, first, other)

    @functools.cached_property  # asked for every kind and sheet tried; columns are final once found
    def names(self) -> set[str]:
        return {f.name for f, _ in self.columns.values()}


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


def header_index() -> _Index:
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


def find_headers(grid: Grid) -> dict[str, Header]:
    """For every sheet definition of every kind (by table name), the header row of `grid` naming most
    of its fields. One pass over the first rows serves all definitions: every kind is tried on every grid."""
    if grid.headers is not None:
        return grid.headers
    index = header_index()
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
