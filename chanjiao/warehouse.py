"""The DuckDB warehouse and the home around it: folders and their modes, the raw schema, connections.

The raw tables are derived from the registry (ingestion/registry.yaml), so the two cannot drift apart;
the ledger's table is chanjiao.ledger's. Who may write, when, is chanjiao.lock's and chanjiao.app's.
"""
from __future__ import annotations

import functools

import duckdb

from chanjiao import ledger
from chanjiao.files import chmod_quietly
from chanjiao.settings import Settings
from ingestion.registry import kinds

_TYPES = {"int": "bigint", "number": "double", "ratio": "double", "year": "integer", "flag": "boolean", "date": "date"}

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


@functools.cache
def _arrow_schema(table: str):
    # pyarrow takes ~0.6 s to import: only a command that loads rows pays for it, not every CLI call
    import pyarrow as pa

    types = {"varchar": pa.string(), "bigint": pa.int64(), "double": pa.float64(), "integer": pa.int32(), "boolean": pa.bool_(),
             "date": pa.date32()}
    return pa.schema([(name, types[typ]) for name, typ in raw_table_columns()[table]])


def arrow_rows(table: str, rows: list[dict], **constants: str):
    """A sheet's typed rows as an Arrow table of the raw table's columns and types, `constants` (load_id,
    pii_key_id) filled down. DuckDB reads it in place: column by column, no DataFrame built row by row."""
    import pyarrow as pa

    schema = _arrow_schema(table)
    n = len(rows)
    columns = []
    for field in schema:
        if field.name in constants:
            columns.append(pa.array([constants[field.name]] * n, field.type))
        else:
            columns.append(pa.array([r.get(field.name) for r in rows], field.type))
    return pa.Table.from_arrays(columns, schema=schema)


def insert_rows(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict], **constants: str) -> None:
    """Append a sheet's typed rows to raw.`table` as one Arrow table (arrow_rows), in the caller's transaction."""
    con.register("incoming", arrow_rows(table, rows, **constants))
    try:
        con.execute(f"insert into raw.{table} by name select * from incoming")
    finally:
        con.unregister("incoming")


def connect(settings: Settings, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(settings.warehouse), read_only=read_only)


def prepare_home(settings: Settings) -> None:
    """Create the home's folders; safe to run twice. Everything is created under the private umask
    (settings.umask, set by the caller); folders and DuckDB files an earlier version left open are closed."""
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


def create_schema(settings: Settings) -> None:
    """The raw schema, the ledger and every raw table; safe to run twice. The caller holds the writer lock."""
    with connect(settings) as con:
        con.execute("create schema if not exists raw")
        ledger.create(con)
        for table, cols in raw_table_columns().items():
            body = ",\n    ".join(f"{name} {typ}" for name, typ in cols)
            con.execute(f"create table if not exists raw.{table} (\n    {body}\n)")
