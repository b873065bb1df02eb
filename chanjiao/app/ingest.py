"""Ingest: the CLI's `chanjiao ingest` and the DAG's chunks, one road (archive → read → gate → load)."""
from __future__ import annotations

import datetime as dt
import os
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from chanjiao import intake, ledger, warehouse
from chanjiao.app._home import writing
from chanjiao.landing import expand, plan_chunks
from chanjiao.lineage.openlineage import emit_ingest
from chanjiao.settings import Settings
from ingestion.faults import NO_FAULTS, FaultPoints

OUTCOME_KEYS = ("file", "sha256", "kind", "submitter", "period", "status", "rows")


def ingest(settings: Settings, paths: list[Path], period: str | None = None, progress: Callable[[int, int], None] | None = None,
           timings: dict | None = None, faults: FaultPoints = NO_FAULTS) -> list[dict]:
    """Files or folders, each loaded whole or quarantined; one outcome per file."""
    settings.require_pii_key()
    paths = [Path(p) for p in paths]
    expand(paths)  # a path that does not exist is the caller's mistake: said before waiting for the lock
    started = dt.datetime.now(dt.UTC)
    with writing(settings, "ingest", paths=[str(p) for p in paths], period=period), warehouse.connect(settings) as con:
        outcomes = intake.ingest(con, paths, settings, period=period, progress=progress, timings=timings, faults=faults)
    emit_ingest(settings, outcomes, started)  # OpenLineage: the files read and the raw tables written
    return outcomes


def find_files(settings: Settings, collection_period: str) -> list[dict]:
    """The chunks waiting in landing for a DAG run: files still being written wait for a later one."""
    # When the plan was made: a retried chunk asks the ledger what became of its files since then.
    planned_at = dt.datetime.now(dt.UTC).isoformat()
    return [{**chunk, "planned_at": planned_at}
            for chunk in plan_chunks(settings.landing, collection_period, settings.ingest_chunk_files, settings.landing_settle_seconds)]


def ingest_chunk(settings: Settings, chunk: dict, retry: bool = False, faults: FaultPoints = NO_FAULTS) -> list[dict]:
    """Ingest one chunk; one outcome per file, reasons counted, never quoted.

    The lock is held from the existence check to the commit, so a file another run (or the CLI) took
    out of landing meanwhile is reported as `vanished` instead of failing the task or loading twice.
    On a `retry` (a later try of the same task), a file gone from landing may instead have been taken by
    an earlier try that died after committing it: the outcome the ledger recorded for it since the chunk
    was planned is reported, so `announce` still sees what that try accepted and the build follows.
    """
    settings.require_pii_key()
    started = dt.datetime.now(dt.UTC)
    with writing(settings, "ingest", files=len(chunk["files"]), period=chunk["period"]), warehouse.connect(settings) as con:
        present = [Path(f) for f in chunk["files"] if os.path.lexists(f)]  # a link is there (and refused), whatever it points at
        outcomes = intake.ingest(con, present, settings, period=chunk["period"], faults=faults) if present else []
        gone = [Path(f).name for f in chunk["files"] if Path(f) not in set(present)]
        earlier = (ledger.recorded_since(con, gone, chunk["period"], chunk["planned_at"])
                   if retry and gone and chunk.get("planned_at") else {})
    emit_ingest(settings, outcomes, started)
    return ([{**{k: o[k] for k in OUTCOME_KEYS}, "reasons": len(o["reasons"])} for o in outcomes]
            + [earlier.get(name) or {"file": name, "sha256": None, "kind": None, "submitter": None, "period": chunk["period"],
                                     "status": "vanished", "rows": 0, "reasons": 0} for name in gone])


def summarise(outcomes: list[list[dict]]) -> dict:
    flat = [o for chunk in outcomes for o in chunk]
    counts = Counter(o["status"] for o in flat)
    return {"files": len(flat), **{s: counts.get(s, 0) for s in ("accepted", "rejected", "duplicate", "vanished")},
            "periods": sorted({o["period"] for o in flat if o["status"] == "accepted"})}
