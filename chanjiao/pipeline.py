"""The monthly cycle's steps as the Airflow tasks call them (dags/README.md); the CLI calls the same
functions underneath (ingest, build, publish)."""
from __future__ import annotations

import datetime as dt
import json
import os
from collections import Counter
from pathlib import Path

from chanjiao import settings as config


def find_files(collection_period: str) -> list[dict]:
    """The chunks waiting in landing for this run: files still being written wait for a later one
    (chanjiao.orchestration.chunks)."""
    from chanjiao.orchestration.chunks import plan_chunks

    # When the plan was made: a retried chunk asks the ledger what became of its files since then.
    planned_at = dt.datetime.now(dt.timezone.utc).isoformat()
    return [{**chunk, "planned_at": planned_at} for chunk in plan_chunks(config.load().landing, collection_period)]


def ingest_chunk(chunk: dict, retry: bool = False) -> list[dict]:
    """Ingest one chunk under the writer lock; one outcome per file, reasons counted, never quoted.

    The lock is held from the existence check to the commit, so a file another run (or the CLI) took
    out of landing meanwhile is reported as `vanished` instead of failing the task or loading twice.
    On a `retry` (a later try of the same task), a file gone from landing may instead have been taken by
    an earlier try that died after committing it: the outcome the ledger recorded for it since the chunk
    was planned is reported, so `announce` still sees what that try accepted and the build follows.
    """
    from chanjiao import warehouse
    from ingestion.ingest import ingest

    from chanjiao.lineage.openlineage import emit_ingest

    settings = config.load()
    started = dt.datetime.now(dt.timezone.utc)
    with warehouse.writer_lock(settings):
        present = [Path(f) for f in chunk["files"] if os.path.lexists(f)]  # a link is there (and refused), whatever it points at
        outcomes = ingest(present, settings, period=chunk["period"]) if present else []
        gone = [Path(f).name for f in chunk["files"] if Path(f) not in set(present)]
        earlier = _recorded_since(settings, gone, chunk) if retry and gone and chunk.get("planned_at") else {}
    emit_ingest(settings, outcomes, started)  # OpenLineage: the files read and the raw tables written
    return ([{**{k: o[k] for k in ("file", "sha256", "kind", "submitter", "period", "status", "rows")}, "reasons": len(o["reasons"])}
             for o in outcomes]
            + [earlier.get(name) or {"file": name, "sha256": None, "kind": None, "submitter": None, "period": chunk["period"],
                                     "status": "vanished", "rows": 0, "reasons": 0} for name in gone])


def _recorded_since(settings, names: list[str], chunk: dict) -> dict[str, dict]:
    """File name → the latest outcome the ledger holds for it in the chunk's period since the chunk was
    planned (the caller holds the writer lock, so no load is half written)."""
    from chanjiao import warehouse

    with warehouse.connect(settings, read_only=True) as con:
        rows = con.execute(
            "select file_name, sha256, kind, submitter, period, status, row_count, json_array_length(reasons::json) from raw.loads "
            "where file_name in (select unnest(?::varchar[])) and period = ? and ingested_at >= ?::timestamptz order by ingested_at",
            [names, chunk["period"], chunk["planned_at"]]).fetchall()
    keys = ("file", "sha256", "kind", "submitter", "period", "status", "rows", "reasons")
    return {row[0]: dict(zip(keys, row)) for row in rows}  # in time order: the latest load of a name wins


def summarise(outcomes: list[list[dict]]) -> dict:
    flat = [o for chunk in outcomes for o in chunk]
    counts = Counter(o["status"] for o in flat)
    return {"files": len(flat), **{s: counts.get(s, 0) for s in ("accepted", "rejected", "duplicate", "vanished")},
            "periods": sorted({o["period"] for o in flat if o["status"] == "accepted"})}


def _stamp(settings) -> dict:
    """What a build is built from: every load in the ledger (any status: rejections change collection
    status too) and the code version."""
    from chanjiao import warehouse
    from chanjiao.version import code_version

    with warehouse.connect(settings, read_only=True) as con:
        count, latest = con.execute("select count(*), max(ingested_at) from raw.loads").fetchone()
    return {"loads": count, "latest_ingested_at": str(latest), "code_version": code_version()}


def build_warehouse() -> dict:
    """One dbt build, then the marts copy; records what it was built from for build_if_stale."""
    from chanjiao import warehouse
    from chanjiao.build import build

    settings = config.load()
    warehouse.init(settings)
    with warehouse.writer_lock(settings):
        stamp = _stamp(settings)
        result = build(settings)
        settings.dbt_target_dir.joinpath("built_from.json").write_text(json.dumps(stamp), encoding="utf-8")
    return result


def build_if_stale() -> dict:
    """Build unless the marts copy was built from exactly the loads and code there are now."""
    from chanjiao import warehouse

    settings = config.load()
    warehouse.init(settings)
    stamp_file = settings.dbt_target_dir / "built_from.json"
    with warehouse.writer_lock(settings):
        if settings.marts_copy.exists() and stamp_file.exists() and json.loads(stamp_file.read_text(encoding="utf-8")) == _stamp(settings):
            return {"status": "current"}
        return build_warehouse()


def publish_release(period: str) -> dict:
    from chanjiao.files import confine
    from chanjiao.publication.release import publish

    settings = config.load()
    confine(settings)
    return publish(settings, period)
