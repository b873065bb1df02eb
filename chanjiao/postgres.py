"""The PostgreSQL target: the same dbt project built on PostgreSQL from a mirror of the raw tables.

DuckDB stays the warehouse of record; PostgreSQL receives an exact copy of its `raw` schema before
`dbt build --target postgres`, so both targets compute from the same rows.
"""
from __future__ import annotations

from chanjiao import warehouse
from chanjiao.settings import Settings

_TYPES = {"VARCHAR": "text", "BIGINT": "bigint", "INTEGER": "integer", "DOUBLE": "double precision", "BOOLEAN": "boolean",
          "DATE": "date", "TIMESTAMP WITH TIME ZONE": "timestamptz", "JSON": "text"}


def ensure_database(settings: Settings) -> None:
    import psycopg2
    from psycopg2 import sql

    params = settings.postgres.params()
    admin = psycopg2.connect(**{**params, "dbname": "postgres"}, connect_timeout=5)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute("select 1 from pg_database where datname = %s", [params["dbname"]])
        if cur.fetchone() is None:
            cur.execute(sql.SQL("create database {}").format(sql.Identifier(params["dbname"])))
    admin.close()


def mirror_raw(settings: Settings) -> dict[str, int]:
    """Replace PostgreSQL's `raw` schema with the warehouse's, in one PostgreSQL transaction (the caller holds the writer lock)."""
    import psycopg2
    from psycopg2.extras import execute_values

    ensure_database(settings)
    copied: dict[str, int] = {}
    with warehouse.connect(settings, read_only=True) as duck:
        tables = [t for (t,) in duck.execute(
            "select table_name from information_schema.tables where table_schema = 'raw' order by 1").fetchall()]
        pg = psycopg2.connect(**settings.postgres.params(), connect_timeout=5)
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
