"""The reading use cases: `status`, `indicators`, `trace` and `query`."""
from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

from chanjiao import ledger, lock, marts, warehouse
from chanjiao import status as collection
from chanjiao.app.as_of import settings_as_of
from chanjiao.files import confine, os_error_in, replacing
from chanjiao.indicators import county_variant_fractions, indicator_values
from chanjiao.lineage.trace import trace as trace_value
from chanjiao.publication import release, tables
from chanjiao.settings import Settings
from ingestion.period import shown


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


def indicators(settings: Settings, period: str, region: str | None = None, indicator: str | None = None,
               until: str | None = None, children: bool = False) -> tuple[list[dict], dict]:
    """The indicator values with their targets, and the counties' variant fractions the table judges them on.
    `until`: through that period (a time series); `children`: `region` and the regions directly below it."""
    return (indicator_values(settings, period, region, indicator, until=until, children=children),
            county_variant_fractions(settings, period, until))


def published_in(settings: Settings, indicator: str, region: str, period: str, value: float | None) -> list[dict]:
    """The release versions of `period` whose indicators.csv holds `indicator` for `region` (the default
    variant, which releases publish), with what each published and whether it is `value`."""
    found = []
    for path in release.versions(settings, period):
        text = (path / "indicators.csv").read_text(encoding="utf-8-sig")
        row = next((r for r in csv.DictReader(text.splitlines()) if r["indicator"] == indicator and r["region"] == region), None)
        if row is None:
            continue
        published_at = dt.datetime.fromisoformat(json.loads((path / "manifest.json").read_text(encoding="utf-8"))["published_at"])
        try:
            matches = None if row["value"] in ("", "x") or value is None else float(row["value"]) == value
        except ValueError:
            matches = None
        found.append({"version": path.name, "published_at": shown(published_at), "path": str(path / "indicators.csv"),
                      "value": row["value"], "numerator": row["numerator"], "denominator": row["denominator"], "status": row["status"],
                      "matches": matches})
    return found


def trace(settings: Settings, indicator: str, region: str, period: str, as_of: dt.datetime | None = None,
          compare_to: str | None = None) -> dict:
    """One value's lineage; `as_of`: in the warehouse rebuilt from the loads the release current then names
    (outside the home, reused once rebuilt); the originals, the purge log and the releases are the live home's."""
    shown_as_of, source = None, settings
    if as_of is not None:
        source, rebuilt = settings_as_of(settings, period, as_of)
        shown_as_of = {"time": shown(as_of), "version": rebuilt["version"], "published_at": shown(dt.datetime.fromisoformat(rebuilt["published_at"])),
                       "cached": rebuilt.get("cached", False), "rebuild": rebuilt["home"]}
    result = trace_value(source, indicator, region, period, compare_to=compare_to, live=settings)
    result["published_in"] = published_in(settings, indicator, region, period, result["value"])
    if shown_as_of:
        result["as_of"] = shown_as_of
        for p in result["published_in"]:
            p["traced"] = p["version"] == shown_as_of["version"]
    return result


def query(settings: Settings, sql: str) -> tuple[list[str], list[tuple]]:
    """One read-only statement against the marts copy, within the query limits: column names and rows,
    times (TIMESTAMP, TIMESTAMPTZ) shown in Asia/Shanghai with their offset, in every output."""
    names, rows = marts.query(settings, sql)
    return names, [tuple(shown(v) if isinstance(v, dt.datetime) else v for v in row) for row in rows]


def export(settings: Settings, sql: str, fmt: str, path: Path) -> dict:
    """`query`'s result written to `path` as csv, xlsx or json, atomically: the old file or the whole new one."""
    names, rows = query(settings, sql)
    confine(settings)
    path = Path(path)
    try:
        with replacing(path) as tmp:
            tables.write(tmp, fmt, names, rows)
    except Exception as err:  # said of the file asked for, not of the temporary one beside it
        os_error = os_error_in(err)
        if os_error is None:
            raise
        raise OSError(os_error.errno, os_error.strerror, str(path)) from None
    return {"path": str(path), "format": fmt, "rows": len(rows), "columns": names}
