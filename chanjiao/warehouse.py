"""The DuckDB warehouse: its raw tables, the one-writer lock, and the read-only marts copy."""
from __future__ import annotations

import contextlib
import fcntl
import os
import threading
from pathlib import Path

import duckdb

from chanjiao.settings import Settings
from ingestion.registry import kinds

_TYPES = {"int": "bigint", "number": "double", "ratio": "double", "year": "integer", "flag": "boolean", "date": "date"}

LEDGER_DDL = """
create table if not exists raw.loads (
    load_id      varchar primary key,
    sha256       varchar not null,
    file_name    varchar not null,
    archive_path varchar,
    kind         varchar,
    submitter    varchar,
    region_code  varchar,
    period       varchar,
    received_at  timestamptz not null,
    ingested_at  timestamptz not null,
    status       varchar not null,   -- accepted / rejected / duplicate
    row_count    integer not null,
    reasons      json,               -- what the submitter must fix; never a cell value
    warnings     json,               -- what the gate reported without rejecting
    validation   json,               -- per-expectation results of the gate for this file
    pii_key_id   varchar,
    code_version varchar
)
"""


def raw_table_columns() -> dict[str, list[tuple[str, str]]]:
    """Raw table → [(column, type)], derived from the registry so the two cannot drift apart."""
    out = {}
    for kind in kinds().values():
        for sheet in kind.sheets:
            cols = [("load_id", "varchar"), ("source_sheet", "varchar"), ("source_row", "integer")]
            if kind.name == "school_workbook" and sheet.key != "school_info":
                cols.append(("school_code", "varchar"))
            for f in sheet.fields:
                for c in f.columns:
                    cols.append((c, "boolean" if c.endswith("_valid") else _TYPES.get(f.type, "varchar")))
            if any(f.type in ("pii", "id_number") for f in sheet.fields):
                cols.append(("pii_key_id", "varchar"))
            out[sheet.table] = cols
    return out


def connect(settings: Settings, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(settings.warehouse), read_only=read_only)


def init(settings: Settings) -> None:
    """Create the folders and the empty warehouse; safe to run twice. Everything is created under the
    private umask (settings.umask); folders and DuckDB files an earlier version left open are closed."""
    from chanjiao.files import chmod_quietly, confine

    confine(settings)
    fresh = not settings.landing.exists()
    for d in (settings.home, settings.landing, settings.archive, settings.quarantine, settings.reports, settings.publications):
        d.mkdir(parents=True, exist_ok=True)
    chmod_quietly(settings.home, settings.home_mode)
    # landing only when new: an office may have opened it to an upload account on purpose
    for d in (settings.archive, settings.quarantine, settings.reports, settings.dbt_target_dir) + ((settings.landing,) if fresh else ()):
        chmod_quietly(d, settings.private_dir_mode)
    for f in (settings.warehouse, settings.marts_copy, settings.lock_file):
        chmod_quietly(f, settings.private_file_mode)
    chmod_quietly(settings.publications, settings.publication_modes[0])
    with writer_lock(settings), connect(settings) as con:
        con.execute("create schema if not exists raw")
        con.execute(LEDGER_DDL)
        for table, cols in raw_table_columns().items():
            body = ",\n    ".join(f"{name} {typ}" for name, typ in cols)
            con.execute(f"create table if not exists raw.{table} (\n    {body}\n)")


_held = threading.local()  # lock files this thread holds, with their nesting depth


@contextlib.contextmanager
def writer_lock(settings: Settings):
    """DuckDB allows one writer process: the CLI, the DAG tasks and the demo all take this lock.

    Re-entrant within a thread (a DAG task holds it across listing and ingesting a chunk, and ingest
    takes it again): flock on a second descriptor of the same file would wait for itself forever.
    """
    settings.home.mkdir(parents=True, exist_ok=True)
    key = str(settings.lock_file)
    depth = getattr(_held, "depth", None)
    if depth is None:
        depth = _held.depth = {}
    if depth.get(key):
        depth[key] += 1
        try:
            yield
        finally:
            depth[key] -= 1
        return
    with open(settings.lock_file, "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        depth[key] = 1
        try:
            yield
        finally:
            depth[key] = 0
            fcntl.flock(fh, fcntl.LOCK_UN)


def publish_marts_copy(settings: Settings) -> Path:
    """Copy the marts schema into marts.duckdb and swap it in atomically.

    Statisticians keep that copy open read-only; the warehouse itself stays free for the writer.
    The tables sit in the copy's default schema, so `marts.fct_indicator_value` names them there
    (catalog `marts`) exactly as it does in the warehouse (schema `marts`).
    """
    tmp = settings.marts_copy.with_suffix(".duckdb.tmp")
    tmp.unlink(missing_ok=True)
    with connect(settings, read_only=False) as con:
        con.execute(f"attach '{tmp}' as pub")
        for (table,) in con.execute(
            "select table_name from information_schema.tables where table_catalog = current_database() and table_schema = 'marts' order by 1"
        ).fetchall():
            con.execute(f"create table pub.main.{table} as select * from marts.{table}")
        con.execute("detach pub")
    os.replace(tmp, settings.marts_copy)
    return settings.marts_copy
