"""The marts copy: published after each build, and read by statisticians, the CLI and the release."""
from __future__ import annotations

import os
import threading
from decimal import ROUND_HALF_UP, Decimal

import duckdb

from chanjiao import warehouse
from chanjiao.settings import Settings


class NotBuilt(RuntimeError):
    pass


def connect(settings: Settings) -> duckdb.DuckDBPyConnection:
    """Read-only, and without file or network access: a query cannot read the archive or write anything."""
    if not settings.marts_copy.exists():
        raise NotBuilt(f"no warehouse has been built under {settings.home}: run `chanjiao ingest` and `chanjiao build` first")
    return duckdb.connect(str(settings.marts_copy), read_only=True, config={"enable_external_access": False})


class QueryRefused(RuntimeError):
    """A statement `chanjiao query` will not run, or stopped: the message says why."""


def query(settings: Settings, sql: str) -> tuple[list[str], list[tuple]]:
    """One read-only statement against the marts copy, within the query time and memory limits
    (settings.query_timeout_seconds, settings.query_memory_limit): column names and rows."""
    if not sql.strip():
        raise QueryRefused("no SQL statement given: pass one, e.g. \"select * from marts.dim_indicator\"")
    if not settings.marts_copy.exists():
        raise NotBuilt(f"no warehouse has been built under {settings.home}: run `chanjiao ingest` and `chanjiao build` first")
    with duckdb.connect(str(settings.marts_copy), read_only=True,
                        config={"enable_external_access": False, "memory_limit": settings.query_memory_limit}) as con:
        timed_out = threading.Event()

        def stop():
            timed_out.set()
            con.interrupt()

        timer = threading.Timer(settings.query_timeout_seconds, stop)
        timer.daemon = True
        timer.start()
        try:
            cur = con.execute(sql)
            if cur is None:  # only comments or semicolons: DuckDB found no statement in it
                raise QueryRefused(f"no SQL statement in {sql.strip()[:60]!r} (only comments or semicolons)")
            names = [d[0] for d in cur.description] if cur.description else []
            rows = cur.fetchall()
        except duckdb.InterruptException:
            if timed_out.is_set():
                raise QueryRefused(f"query stopped after {settings.query_timeout_seconds:g} s, the time limit "
                                   "(CHANJIAO_QUERY_TIMEOUT_SECONDS): narrow it, or raise the limit") from None
            raise
        except duckdb.OutOfMemoryException as err:
            raise QueryRefused(f"query needs more than the memory limit of {settings.query_memory_limit} "
                               f"(CHANJIAO_QUERY_MEMORY_LIMIT): narrow it, or raise the limit ({str(err).splitlines()[0]})") from None
        finally:
            timer.cancel()
    return names, rows


def records(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


def round_half_away(value: float | None, places: int = 2) -> float | None:
    """Round half away from zero (indicators.md), on the decimal text of the value, not its binary float."""
    if value is None:
        return None
    return float(Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


# The storage format marts.duckdb is written in. Statisticians open the copy with whatever DuckDB client
# they have, and a client refuses a file written in a newer format than its own ("version number 69 …
# can only read 64–68"), so the copy is written in the oldest format that holds its types: BOOLEAN,
# INTEGER, DOUBLE, VARCHAR and TIMESTAMP WITH TIME ZONE, with table and column comments, all of which
# storage version 64 has. 'v0.10.0' is the oldest release whose format DuckDB promises to read back
# (0.10 began backward compatibility); it writes version 64, the format of DuckDB 0.10 through 1.1 that
# every later client reads (tried: DuckDB 0.10.3, 1.0.0, 1.5.6 and 2.0 read the copy and its comments;
# anything older given here is written as 64 too). A mart given a type that format cannot hold makes
# the CREATE TABLE below fail, and the build with it: raise the version then, and say so in the release notes.
COPY_STORAGE_VERSION = "v0.10.0"


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def publish_copy(settings: Settings):
    """Copy the marts schema into marts.duckdb and swap it in atomically (the caller holds the writer lock).

    Statisticians keep that copy open read-only; the warehouse itself stays free for the writer.
    The tables sit in the copy's default schema, so `marts.fct_indicator_value` names them there
    (catalog `marts`) exactly as it does in the warehouse (schema `marts`). The file is written in
    storage format COPY_STORAGE_VERSION, for DuckDB 1.x clients as well as 2.x, and keeps the marts'
    table and column comments (their dbt descriptions, persisted by dbt's persist_docs), which a
    `create table … as select` alone would drop.
    """
    tmp = settings.marts_copy.with_suffix(".duckdb.tmp")
    tmp.unlink(missing_ok=True)
    with warehouse.connect(settings, read_only=False) as con:
        con.execute(f"attach {_literal(str(tmp))} as pub (storage_version '{COPY_STORAGE_VERSION}')")
        for table, comment in con.execute(
            "select table_name, table_comment from information_schema.tables "
            "where table_catalog = current_database() and table_schema = 'marts' order by 1"
        ).fetchall():
            con.execute(f"create table pub.main.{_ident(table)} as select * from marts.{_ident(table)}")
            if comment:
                con.execute(f"comment on table pub.main.{_ident(table)} is {_literal(comment)}")
            for column, column_comment in con.execute(
                "select column_name, column_comment from information_schema.columns where table_catalog = current_database() "
                "and table_schema = 'marts' and table_name = ? order by ordinal_position", [table]
            ).fetchall():
                if column_comment:
                    con.execute(f"comment on column pub.main.{_ident(table)}.{_ident(column)} is {_literal(column_comment)}")
        con.execute("detach pub")
    os.replace(tmp, settings.marts_copy)
    return settings.marts_copy
