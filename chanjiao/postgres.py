"""The PostgreSQL target: the same dbt project built on PostgreSQL from a mirror of the raw tables.

DuckDB stays the warehouse of record; PostgreSQL receives an exact copy of its `raw` schema before
`dbt build --target postgres`, so both targets compute from the same rows.
"""
from __future__ import annotations

import os

from chanjiao import warehouse
from chanjiao.settings import Settings

_TYPES = {"VARCHAR": "text", "BIGINT": "bigint", "INTEGER": "integer", "DOUBLE": "double precision", "BOOLEAN": "boolean",
          "DATE": "date", "TIMESTAMP WITH TIME ZONE": "timestamptz", "JSON": "text"}


def connection_settings() -> dict:
    """The same environment variables profiles.yml reads for its postgres target."""
    return {
        "host": os.environ.get("CHANJIAO_PG_HOST", "127.0.0.1"),
        "port": int(os.environ.get("CHANJIAO_PG_PORT", "5432")),
        "user": os.environ.get("CHANJIAO_PG_USER", "postgres"),
        "password": os.environ.get("CHANJIAO_PG_PASSWORD", ""),
        "dbname": os.environ.get("CHANJIAO_PG_DATABASE", "chanjiao"),
    }


def ensure_database() -> None:
    import psycopg2
    from psycopg2 import sql

    params = connection_settings()
    admin = psycopg2.connect(**{**params, "dbname": "postgres"}, connect_timeout=5)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute("select 1 from pg_database where datname = %s", [params["dbname"]])
        if cur.fetchone() is None:
            cur.execute(sql.SQL("create database {}").format(sql.Identifier(params["dbname"])))
    admin.close()


def mirror_raw(settings: Settings) -> dict[str, int]:
    """Replace PostgreSQL's `raw` schema with the warehouse's, in one PostgreSQL transaction."""
    import psycopg2
    from psycopg2.extras import execute_values

    ensure_database()
    copied: dict[str, int] = {}
    with warehouse.writer_lock(settings), warehouse.connect(settings, read_only=True) as duck:
        tables = [t for (t,) in duck.execute(
            "select table_name from information_schema.tables where table_schema = 'raw' order by 1").fetchall()]
        pg = psycopg2.connect(**connection_settings(), connect_timeout=5)
        try:
            with pg, pg.cursor() as cur:
                cur.execute("drop schema if exists raw cascade")
                cur.execute("create schema raw")
                for table in tables:
                    columns = duck.execute(
                        "select column_name, data_type from information_schema.columns where table_schema = 'raw' and table_name = ? order by ordinal_position",
                        [table]).fetchall()
                    body = ", ".join(f'"{name}" {_TYPES.get(typ, "text")}' for name, typ in columns)
                    cur.execute(f"create table raw.{table} ({body})")
                    names = ", ".join(f'"{name}"' for name, _ in columns)
                    select = ", ".join(f'cast("{n}" as varchar)' if t == "JSON" else f'"{n}"' for n, t in columns)
                    rows = duck.execute(f"select {select} from raw.{table}").fetchall()
                    execute_values(cur, f"insert into raw.{table} ({names}) values %s", rows, page_size=2000)
                    copied[table] = len(rows)
        finally:
            pg.close()
    return copied
