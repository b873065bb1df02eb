"""Which kind a file is, and which of its grids is which sheet of that kind.

Sheets are matched to the registry by name or by headers, whichever sheet is visible first; the kind
is the one whose sheets and required columns the file holds best.
"""
from __future__ import annotations

from ingestion.grid import Grid
from ingestion.headers import Header, find_headers
from ingestion.registry import Kind, Sheet, kinds, normalise_header


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
            header = find_headers(grid).get(definition.table)
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


def detect_kind(grids: list[Grid]) -> tuple[Kind, dict] | None:
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
