"""Read access to the published marts copy (what statisticians, the CLI and the release read)."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import duckdb

from chanjiao.settings import Settings


class NotBuilt(RuntimeError):
    pass


def connect(settings: Settings) -> duckdb.DuckDBPyConnection:
    """Read-only, and without file or network access: a query cannot read the archive or write anything."""
    if not settings.marts_copy.exists():
        raise NotBuilt(f"no warehouse has been built under {settings.home}: run `chanjiao ingest` and `chanjiao build` first")
    return duckdb.connect(str(settings.marts_copy), read_only=True, config={"enable_external_access": False})


def records(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


def round_half_away(value: float | None, places: int = 2) -> float | None:
    """Round half away from zero (indicators.md), on the decimal text of the value, not its binary float."""
    if value is None:
        return None
    return float(Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))
