"""The load ledger, raw.loads: one row per file received, whatever became of it. Read and written here only.

Append-only: a resubmission is a new row; marts.fct_load derives what is in force. Reasons and
warnings say what a submitter must fix, never a cell's value.
"""
from __future__ import annotations

import json

from expectations.history import AcceptedLoad, FrameRow, History
from ingestion.period import Period

DDL = """
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

# kinds whose files carry their own period: the latest of them is the period the warehouse has collected
_PERIODIC_KINDS = ("school_workbook", "enterprise_return")


def _records(cursor) -> list[dict]:
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def create(con) -> None:
    con.execute(DDL)


def accepted_by_sha(con) -> dict[str, dict]:
    """sha256 → the accepted load of those bytes (a later copy of them is a duplicate of it)."""
    cursor = con.execute("select sha256, kind, submitter, region_code, period, load_id from raw.loads where status = 'accepted'")
    return {r["sha256"]: r for r in _records(cursor)}


def latest_collected_period(con) -> str | None:
    """The latest period accepted from a kind that carries its own: revision windows count back from it."""
    return con.execute("select max(period) from raw.loads where status = 'accepted' and kind in (select unnest(?::varchar[]))",
                       [list(_PERIODIC_KINDS)]).fetchone()[0]


def record(con, *, load_id: str, sha256: str, file_name: str, archive_path: str | None, kind: str | None, submitter: str | None,
           region_code: str | None, period: str | None, received_at, status: str, row_count: int, reasons: list[dict],
           warnings: list[dict], validation: list, pii_key_id: str, code_version: str) -> None:
    """One file's ledger row; the caller holds the transaction that also loads its rows."""
    con.execute(
        "insert into raw.loads by name select ? as load_id, ? as sha256, ? as file_name, ? as archive_path, ? as kind, "
        "? as submitter, ? as region_code, ? as period, ? as received_at, now() as ingested_at, ? as status, ? as row_count, "
        "? as reasons, ? as warnings, ? as validation, ? as pii_key_id, ? as code_version",
        [load_id, sha256, file_name, archive_path, kind, submitter, region_code, period, received_at, status, row_count,
         json.dumps(reasons, ensure_ascii=False), json.dumps(warnings, ensure_ascii=False), json.dumps(validation, ensure_ascii=False),
         pii_key_id, code_version])


def load(con, load_id: str) -> dict:
    return _records(con.execute("select * from raw.loads where load_id = ?", [load_id]))[0]


def recorded_since(con, names: list[str], period: str, since: str) -> dict[str, dict]:
    """File name → the latest outcome recorded for it in `period` since `since` (ISO time), as a DAG chunk reports it."""
    rows = con.execute(
        "select file_name, sha256, kind, submitter, period, status, row_count, json_array_length(reasons::json) from raw.loads "
        "where file_name in (select unnest(?::varchar[])) and period = ? and ingested_at >= ?::timestamptz order by ingested_at",
        [names, period, since]).fetchall()
    keys = ("file", "sha256", "kind", "submitter", "period", "status", "rows", "reasons")
    return {row[0]: dict(zip(keys, row)) for row in rows}  # in time order: the latest load of a name wins


def first_open_period(latest_period: str | None, window_months: int) -> Period | None:
    """The earliest period still open to corrections: `window_months` back from the latest period
    collected (latest_collected_period); None when nothing has been collected."""
    return Period.parse(latest_period).plus(-window_months) if latest_period else None


def originals(con) -> list[dict]:
    """Each sha256 received, its file name and the latest period it was received for (for a file of no
    period, the month it was ingested in, Asia/Shanghai): what retention counts from."""
    return _records(con.execute("""
        select sha256, arg_max(file_name, ingested_at) as file_name,
               max(coalesce(period, strftime(timezone('Asia/Shanghai', ingested_at), '%Y-%m'))) as period
        from raw.loads group by sha256 order by sha256
    """))


def summary(con) -> tuple[int, str]:
    """(number of loads, latest ingested_at): what a build is built from, with the code version."""
    count, latest = con.execute("select count(*), max(ingested_at) from raw.loads").fetchone()
    return count, str(latest)


def by_submitter(con, period: str) -> list[dict]:
    """`chanjiao status`: each submitter's files for `period` and what became of them."""
    return _records(con.execute("""
        select kind, submitter, region_code,
               count(*) as received,
               count(*) filter (where status = 'accepted') as accepted,
               count(*) filter (where status = 'rejected') as rejected,
               count(*) filter (where status = 'duplicate') as duplicates,
               arg_max(status, ingested_at) filter (where status <> 'duplicate') as latest_outcome,
               arg_max(file_name, ingested_at) as latest_file,
               min(received_at) as first_received_at,
               max(received_at) as last_received_at
        from raw.loads
        where period = ? and kind is not null   -- a file of no known kind is no submitter's: see unidentified()
        group by kind, submitter, region_code
        order by kind, submitter
    """, [period]))


def unidentified(con, period: str) -> list[dict]:
    """Files of no known kind received for `period` (or of no period at all)."""
    return _records(con.execute("select file_name, status, reasons from raw.loads where kind is null and (period = ? or period is null) "
                                "order by ingested_at", [period]))


def gate_history(con) -> History:
    """What the batch rules compare a batch against: accepted loads (newest first), the rows of accepted
    reporting frames, and every enterprise of an accepted above-scale register."""
    loads = [AcceptedLoad(*row) for row in con.execute("""
        select l.kind, l.submitter, l.period, l.sha256,
               (select count(*) from raw.teachers t where t.load_id = l.load_id) as teachers, l.row_count
        from raw.loads l where l.status = 'accepted'
        order by l.period desc, l.received_at desc, l.sha256 desc
    """).fetchall()]
    frame_rows = [FrameRow(*row) for row in con.execute("""
        select l.submitter, l.period, l.received_at, l.sha256, f.submitter_code, f.kind, f.from_period, f.to_period
        from raw.reporting_frame f join raw.loads l using (load_id)
        where l.status = 'accepted'
    """).fetchall()]
    usccs = frozenset(u for (u,) in con.execute("""
        select distinct e.uscc from raw.above_scale_enterprises e join raw.loads l using (load_id) where l.status = 'accepted'
    """).fetchall())
    return History(loads=loads, frame_rows=frame_rows, registered_usccs=usccs)
