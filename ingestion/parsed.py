"""What reading a file produces: typed rows per sheet, with provenance, and the problems found.

These types are the contract between the reader (`ingestion.read`), the gate (`expectations`) and the
loader; nothing here reads a file except `sha256_of`, which gives a file its identity.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from ingestion.registry import Sheet


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


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
