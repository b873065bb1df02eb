"""What the batch rules compare a batch against: the warehouse's accepted history, as plain data.

The warehouse is chanjiao's (chanjiao.ledger.gate_history reads it); the gate judges files against this
record of it and knows nothing of how it is stored.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class AcceptedLoad:
    kind: str
    submitter: str
    period: str
    sha256: str
    teachers: int   # rows it loaded into the teachers' roster (school workbooks)
    row_count: int


@dataclass(frozen=True)
class FrameRow:
    """One row of an accepted reporting frame, with the frame's region and period."""
    frame_region: str
    frame_period: str
    received_at: object
    sha256: str
    submitter_code: str
    kind: str
    from_period: str
    to_period: str | None


@dataclass(frozen=True)
class History:
    loads: list[AcceptedLoad] = field(default_factory=list)   # newest first: period, then receipt, then sha256
    frame_rows: list[FrameRow] = field(default_factory=list)
    registered_usccs: frozenset[str] = frozenset()            # every enterprise of an accepted above-scale register
