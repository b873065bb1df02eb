"""The reading use cases: `status`, `indicators`, `trace` and `query`."""
from __future__ import annotations

import datetime as dt

from chanjiao import ledger, lock, marts, warehouse
from chanjiao import status as collection
from chanjiao.app.as_of import settings_as_of
from chanjiao.files import confine
from chanjiao.indicators import county_variant_fractions, indicator_values
from chanjiao.lineage.trace import trace as trace_value
from chanjiao.settings import Settings


def status(settings: Settings, period: str) -> dict:
    """The state of a period's collection: the ledger read under the writer lock (DuckDB refuses a
    reader while a writer holds the file), the frame from the marts copy."""
    confine(settings)
    warehouse.prepare_home(settings)
    with lock.writer_lock(settings):
        warehouse.create_schema(settings)
        with warehouse.connect(settings, read_only=True) as con:
            submitters, unidentified = ledger.by_submitter(con, period), ledger.unidentified(con, period)
    return collection.collection_status(settings, period, submitters, unidentified)


def indicators(settings: Settings, period: str, region: str | None = None, indicator: str | None = None) -> tuple[list[dict], dict]:
    """The indicator values with their targets, and the counties' variant fractions the table judges them on."""
    return indicator_values(settings, period, region, indicator), county_variant_fractions(settings, period)


def trace(settings: Settings, indicator: str, region: str, period: str, as_of: dt.datetime | None = None,
          compare_to: str | None = None) -> dict:
    """One value's lineage; `as_of`: in the warehouse rebuilt from the loads the release current then names."""
    shown_as_of = None
    if as_of is not None:
        settings, rebuilt = settings_as_of(settings, period, as_of)
        shown_as_of = {"time": as_of.isoformat(), "version": rebuilt["version"], "published_at": rebuilt["published_at"]}
    result = trace_value(settings, indicator, region, period, compare_to=compare_to)
    if shown_as_of:
        result["as_of"] = shown_as_of
    return result


def query(settings: Settings, sql: str) -> tuple[list[str], list[tuple]]:
    """One read-only statement against the marts copy, within the query limits: column names and rows."""
    return marts.query(settings, sql)
