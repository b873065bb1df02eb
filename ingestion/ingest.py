"""Receive, read, gate and load submitted files: each file is loaded whole or not at all.

Write–audit–publish, per batch: every file is archived (content-addressed) and parsed into memory —
the staging area; the gate audits all of them in one GX run; then each file's outcome (its ledger row
and, if accepted, its rows) is published into the raw tables in one DuckDB transaction. Only after that
commit does the file leave the landing folder, so a crash at any point leaves the warehouse as it was
and the file where it was; re-running the batch finishes the work.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from zoneinfo import ZoneInfo

from chanjiao import warehouse
from chanjiao.files import replacing, write_atomic
from chanjiao.settings import TIMEZONE, Settings
from chanjiao.version import code_version
from ingestion.isolation import read_many
from ingestion.read import ParsedFile, Problem, sha256_of
from ingestion.safety import Limits
from ingestion.return_notice import write_return_notice

log = logging.getLogger(__name__)


def expand(paths: Iterable[Path], missing_ok: bool = False) -> list[Path]:
    """Files named, and files inside folders named, in arrival order (mtime, then name).

    A path that does not exist is an error, or with `missing_ok` skipped: ingest lists again under the
    writer lock, when another run may have taken a named file out of landing meanwhile. A file that
    vanishes while being listed is skipped."""
    found: dict[Path, float] = {}
    for p in map(Path, paths):
        if p.is_dir():
            candidates = [f for f in p.rglob("*") if not f.name.startswith((".", "~$"))]
        elif p.exists():
            candidates = [p]
        elif missing_ok:
            continue
        else:
            raise FileNotFoundError(f"{p}: no such file or folder")
        for f in candidates:
            try:
                if f.is_file():
                    found[f] = f.stat().st_mtime
            except OSError:  # taken out of landing while we looked
                continue
    return sorted(found, key=lambda f: (found[f], str(f)))


def current_period() -> str:
    now = dt.datetime.now(ZoneInfo(TIMEZONE))
    return f"{now.year:04d}-{now.month:02d}"


def collection_period() -> str:
    """The month being collected now: the previous month (its release is due on the 5th)."""
    now = dt.datetime.now(ZoneInfo(TIMEZONE))
    return f"{now.year - 1:04d}-12" if now.month == 1 else f"{now.year:04d}-{now.month - 1:02d}"


def _pause_for_tests(settings: Settings, stage: str, path: Path) -> None:
    """Fault tests stop the loader at a named point (CHANJIAO_TEST_PAUSE=stage:file) to kill it there.
    Once: while the marker of an earlier pause is there, a later run (the retry after the kill) goes on."""
    marker = settings.home / f"paused-{stage}"
    if os.environ.get("CHANJIAO_TEST_PAUSE") == f"{stage}:{path.name}" and not marker.exists():
        marker.write_text(str(os.getpid()))
        time.sleep(600)


def ingest(paths: Iterable[Path], settings: Settings, period: str | None = None, progress: Callable[[int, int], None] | None = None,
           timings: dict | None = None) -> list[dict]:
    """Ingest files or folders; `timings`, if given, receives seconds spent reading, gating and loading."""
    key = settings.require_pii_key()
    clock = time.perf_counter()
    paths = list(paths)
    expand(paths)  # a path that does not exist is the caller's mistake: said before waiting for the lock
    warehouse.init(settings)
    outcomes: list[dict] = []
    with warehouse.writer_lock(settings), warehouse.connect(settings) as con:
        # Listed under the lock: another ingest of the same folder that held it has taken its files
        # out of landing, and each file is processed once.
        files = expand(paths, missing_ok=True)
        accepted = {row[0]: row for row in con.execute(
            "select sha256, kind, submitter, region_code, period, load_id from raw.loads where status = 'accepted'").fetchall()}
        staged: list[tuple[Path, ParsedFile, Path]] = []
        fresh: list[tuple[Path, Path]] = []
        copies: dict[str, list[tuple[Path, Path]]] = {}  # sha → later copies of bytes first seen in this batch
        for path in files:
            sha = sha256_of(path)
            archived = _archive(settings, path, sha)
            _pause_for_tests(settings, "after_archive", path)
            if sha in accepted:
                _, kind, submitter, region, first_period, first_load = accepted[sha]
                _ensure_report(con, settings, first_load, first_period)
                earlier = ParsedFile(path=path, sha256=sha, kind=kind, submitter=submitter, period=first_period, region=region)
                outcomes.append(_publish(con, settings, path, archived, earlier, "duplicate", [], [], period))
            elif sha in copies:
                # The same bytes twice in one batch are read once; each copy gets the first one's outcome:
                # `duplicate` if it was accepted, the same rejection and reasons otherwise.
                copies[sha].append((path, archived))
            else:
                fresh.append((path, archived))
                copies[sha] = []
        # Untrusted files are checked, then parsed in worker processes: a file that crashes the parser,
        # exhausts memory or hangs is rejected alone and the batch goes on. Files that carry no period of
        # their own (finance, the frame) belong to the month under collection.
        parsed_files = read_many([p for p, _ in fresh], key, period or collection_period(), Limits.from_env())
        latest_period = con.execute(
            "select max(period) from raw.loads where status = 'accepted' and kind in ('school_workbook', 'enterprise_return')").fetchone()[0]
        for i, ((path, archived), parsed) in enumerate(zip(fresh, parsed_files)):
            _check_period(parsed, period, latest_period)
            staged.append((path, parsed, archived))
            if progress:
                progress(i + 1, len(fresh))

        from expectations import batch_rules
        from expectations.gate import validate

        read_done = time.perf_counter()
        gateable = [p for _, p, _ in staged if p.kind and p.period]
        period_of = {p.sha256: period or p.period for p in gateable}
        verdicts = validate(gateable, period_of, batch_rules.frames(con, gateable, period_of))
        gate_done = time.perf_counter()
        for path, parsed, archived in staged:
            verdict = verdicts.get(parsed.sha256, {"problems": [], "warnings": [], "results": []})
            problems = _dedupe(parsed.problems + verdict["problems"])
            status = "rejected" if problems else "accepted"
            warnings = _dedupe(verdict["warnings"])
            outcomes.append(_publish(con, settings, path, archived, parsed, status, problems, warnings, period, verdict["results"]))
            for copy_path, copy_archived in copies.get(parsed.sha256, []):
                if status == "accepted":
                    outcomes.append(_publish(con, settings, copy_path, copy_archived, parsed, "duplicate", [], [], period))
                else:
                    outcomes.append(_publish(con, settings, copy_path, copy_archived, parsed, status, problems, warnings, period, verdict["results"]))
    if timings is not None and staged:
        timings.update(read=read_done - clock, gate=gate_done - read_done, load=time.perf_counter() - gate_done)
    return outcomes


def _months_between(earlier: str, later: str) -> int:
    return (int(later[:4]) - int(earlier[:4])) * 12 + int(later[5:7]) - int(earlier[5:7])


def _check_period(parsed: ParsedFile, period: str | None, latest_period: str | None) -> None:
    """Periods after the collection period are never accepted; an earlier period only while its revision
    window (the release calendar's revision_window_months, or CHANJIAO_REVISION_WINDOW_MONTHS) is open, counted back from the latest period the
    warehouse has collected."""
    if parsed.kind is None:
        return
    own = period or parsed.period
    from chanjiao.calendar import revision_window_months

    window = revision_window_months()
    if own is None:
        parsed.problems.append(Problem(None, None, "报告期", "period", "文件未填写报告期：请填写报告期（如2026-10）"))
    elif own > current_period():
        parsed.problems.append(Problem(None, None, "报告期", "period", f"报告期{own}尚未开始：不接受未来报告期的数据"))
    elif latest_period and _months_between(own, latest_period) > window:
        parsed.problems.append(Problem(None, None, "报告期", "period_closed",
                                       f"报告期{own}的修订期已结束（只接受{window}个月内的更正）：如确需更正请联系统计部门"))
    # A period differing from the collection period is reported per row by the gate.


def _dedupe(problems: list[Problem]) -> list[Problem]:
    """One reason per cell: a cell that could not be read is not reported again as empty."""
    seen, out = set(), []
    for p in problems:
        key = (p.sheet, p.row, p.column) if p.row is not None else (p.sheet, p.row, p.column, p.rule)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return sorted(out, key=lambda p: (p.sheet or "", p.row or 0, p.column or ""))


def _archive(settings: Settings, path: Path, sha: str) -> Path:
    target = settings.archive / sha[:2] / f"{sha}{path.suffix.lower()}"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        with replacing(target) as tmp:  # a copy cut short by a full disk is removed, never archived
            shutil.copyfile(path, tmp)
    return target


def _publish(con, settings: Settings, path: Path, archived: Path, parsed: ParsedFile, status: str,
             problems: list[Problem], warnings: list[Problem], period: str | None, results: list | None = None) -> dict:
    """The file's outcome in one transaction: its ledger row and, if accepted, all its rows."""
    import pandas as pd

    load_id = uuid.uuid4().hex
    received_at = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.timezone.utc)
    reasons = [p.as_dict() for p in problems]
    notes = [p.as_dict() for p in warnings]
    rows = parsed.row_count if status == "accepted" else 0
    file_period = period or parsed.period
    con.execute("begin transaction")
    try:
        con.execute(
            "insert into raw.loads by name select ? as load_id, ? as sha256, ? as file_name, ? as archive_path, ? as kind, "
            "? as submitter, ? as region_code, ? as period, ? as received_at, now() as ingested_at, ? as status, ? as row_count, "
            "? as reasons, ? as warnings, ? as validation, ? as pii_key_id, ? as code_version",
            [load_id, parsed.sha256, path.name, str(archived.relative_to(settings.home)), parsed.kind, parsed.submitter,
             parsed.region, file_period, received_at, status, rows, json.dumps(reasons, ensure_ascii=False),
             json.dumps(notes, ensure_ascii=False), json.dumps(results or [], ensure_ascii=False), settings.pii_key_id, code_version()],
        )
        if status == "accepted":
            for sheet in parsed.sheets.values():
                if sheet.rows:
                    frame = pd.DataFrame(sheet.rows).assign(load_id=load_id, pii_key_id=settings.pii_key_id)
                    cols = {c for c, _ in warehouse.raw_table_columns()[sheet.definition.table]}
                    con.register("incoming", frame[[c for c in frame.columns if c in cols]])
                    con.execute(f"insert into raw.{sheet.definition.table} by name select * from incoming")
                    con.unregister("incoming")
        _pause_for_tests(settings, "in_transaction", path)
        con.execute("commit")
    except BaseException:
        try:
            con.execute("rollback")
        except Exception:  # a failed commit has already ended the transaction; report the first error
            pass
        raise
    if status == "rejected":
        _quarantine(settings, path, parsed.sha256, file_period, reasons)
    if status != "duplicate":
        from expectations.report import write_report

        cursor = con.execute("select * from raw.loads where load_id = ?", [load_id])
        load = dict(zip([d[0] for d in cursor.description], cursor.fetchone()))
        write_report(settings.reports / (file_period or "unknown-period"), load)
    if path.resolve().is_relative_to(settings.landing.resolve()):
        path.unlink()  # the outcome is committed: the file may leave landing
    (log.warning if status == "rejected" else log.info)("%s: %s (%d rows, %d reasons, %d warnings)", path.name, status, rows, len(reasons), len(notes))
    return {"file": path.name, "sha256": parsed.sha256, "kind": parsed.kind, "submitter": parsed.submitter, "period": file_period,
            "status": status, "rows": rows, "reasons": reasons, "warnings": notes, "load_id": load_id}


def _ensure_report(con, settings: Settings, load_id: str, period: str | None) -> None:
    """The accepted load's report, written again if a full disk stopped it after the load was committed
    (that file stayed in landing, and comes back now as a duplicate of its own load)."""
    if (settings.reports / (period or "unknown-period") / f"{load_id}.html").exists():
        return
    from expectations.report import write_report

    cursor = con.execute("select * from raw.loads where load_id = ?", [load_id])
    write_report(settings.reports / (period or "unknown-period"), dict(zip([d[0] for d in cursor.description], cursor.fetchone())))


def _quarantine(settings: Settings, path: Path, sha: str, period: str | None, reasons: list[dict]) -> None:
    folder = settings.quarantine / (period or "unknown-period") / sha
    folder.mkdir(parents=True, exist_ok=True)
    with replacing(folder / path.name) as tmp:
        shutil.copyfile(path, tmp)
    write_atomic(folder / "reasons.json", json.dumps({"file": path.name, "sha256": sha, "reasons": reasons}, ensure_ascii=False, indent=2))
    with replacing(folder / "退回说明.xlsx") as tmp:
        write_return_notice(tmp, path.name, period, reasons)
