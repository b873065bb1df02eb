"""Receive, read, gate and load a batch of submitted files: each file is loaded whole or not at all.

Write–audit–publish, per batch: every file is archived (content-addressed) and parsed into memory —
the staging area; the gate audits all of them in one GX run; then each file's outcome (its ledger row
and, if accepted, its rows) is published into the raw tables in one DuckDB transaction. Only after that
commit does the file leave the landing folder, so a crash at any point leaves the warehouse as it was
and the file where it was; re-running the batch finishes the work.

The caller (chanjiao.app) holds the writer lock and has initialised the home.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import importlib
import logging
import os
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from chanjiao import archive, ledger, warehouse
from chanjiao.archive import NotRegularFile
from chanjiao.files import write_atomic
from chanjiao.landing import expand, in_landing
from chanjiao.settings import Settings
from chanjiao.version import code_version
from expectations.report import render
from ingestion.faults import NO_FAULTS, FaultPoints
from ingestion.isolation import read_many
from ingestion.parsed import ParsedFile, Problem
from ingestion.period import Period

log = logging.getLogger(__name__)


def ingest(con, paths: Iterable[Path], settings: Settings, period: str | None = None, progress: Callable[[int, int], None] | None = None,
           timings: dict | None = None, faults: FaultPoints = NO_FAULTS) -> list[dict]:
    """Ingest files or folders through the writer's connection `con`; `timings`, if given, receives
    seconds spent reading, gating and loading; `faults` lets the fault tests stop it at named points."""
    key = settings.require_pii_key()
    clock = time.perf_counter()
    outcomes: list[dict] = []
    # Listed under the lock: another ingest of the same folder that held it has taken its files
    # out of landing, and each file is processed once.
    files = expand(paths, missing_ok=True)
    accepted = ledger.accepted_by_sha(con)
    staged: list[tuple[Path, ParsedFile, Path]] = []
    fresh: list[tuple[Path, Path]] = []
    copies: dict[str, list[tuple[Path, Path]]] = {}  # sha → later copies of bytes first seen in this batch
    for path in files:
        try:
            sha, archived = archive.archive(settings, path)
        except NotRegularFile as refused:
            outcomes.append(_refuse(con, settings, path, refused, period, faults))
            continue
        faults.reached("after_archive", path)
        if sha in accepted:
            first = accepted[sha]
            _ensure_report(con, settings, first["load_id"], first["period"])
            earlier = ParsedFile(path=path, sha256=sha, kind=first["kind"], submitter=first["submitter"], period=first["period"],
                                 region=first["region_code"])
            outcomes.append(_publish(con, settings, path, archived, earlier, "duplicate", [], [], period, faults=faults))
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
    # What is read is the archived copy, the bytes that were hashed — never the landing path again,
    # which its sender may have changed or replaced meanwhile.
    latest_period = ledger.latest_collected_period(con)
    gate_imported = _import_gate_meanwhile() if fresh else None
    with _staged_copies(settings, fresh) as to_read:
        parsed_files = read_many(to_read, key, period or str(Period.collecting()), settings.limits, faults=faults)
        for i, ((path, archived), parsed) in enumerate(zip(fresh, parsed_files)):
            _check_period(parsed, period, latest_period, settings.revision_window_months)
            staged.append((path, parsed, archived))
            if progress:
                progress(i + 1, len(fresh))

    if gate_imported is not None:
        gate_imported.join()
    from expectations import batch_rules
    from expectations.gate import validate

    read_done = time.perf_counter()
    gateable = [p for _, p, _ in staged if p.kind and p.period]
    period_of = {p.sha256: period or p.period for p in gateable}
    verdicts = validate(gateable, period_of, batch_rules.frames(ledger.gate_history(con), gateable, period_of, settings.gate_thresholds))
    gate_done = time.perf_counter()
    for path, parsed, archived in staged:
        verdict = verdicts.get(parsed.sha256, {"problems": [], "warnings": [], "results": []})
        problems = _dedupe(parsed.problems + verdict["problems"])
        status = "rejected" if problems else "accepted"
        warnings = _dedupe(verdict["warnings"])
        # A file commits on its own (a crash loses at most the file being committed), together with the
        # copies of its bytes in this batch, whose outcomes are its own.
        group = [_outcome(path, archived, parsed, status, problems, warnings, period, verdict["results"])]
        for copy_path, copy_archived in copies.get(parsed.sha256, []):
            if status == "accepted":
                group.append(_outcome(copy_path, copy_archived, parsed, "duplicate", [], [], period))
            else:
                group.append(_outcome(copy_path, copy_archived, parsed, status, problems, warnings, period, verdict["results"]))
        outcomes += _commit(con, settings, group, faults)
    if timings is not None and staged:
        timings.update(read=read_done - clock, gate=gate_done - read_done, load=time.perf_counter() - gate_done)
    return outcomes


def _import_gate_meanwhile() -> threading.Thread:
    """Great Expectations takes ~8 s to import, as long as reading a city's month: it is imported on a
    thread while the reader workers read, instead of after them. Only a batch with new files starts it
    (one of duplicates never needs the gate). A failed import is left to fail again, with its
    traceback, where the gate is imported for real."""
    def load() -> None:
        with contextlib.suppress(Exception):
            importlib.import_module("expectations.batch_rules")
            importlib.import_module("expectations.suites")

    thread = threading.Thread(target=load, name="import-gate", daemon=True)
    thread.start()
    return thread


def _check_period(parsed: ParsedFile, period: str | None, latest_period: str | None, window: int) -> None:
    """Periods after the current month are never accepted; an earlier period only while its revision
    window (the release calendar's revision_window_months, or its override) is open, counted back from
    the latest period the warehouse has collected."""
    if parsed.kind is None:
        return
    own = period or parsed.period
    if own is None:
        parsed.problems.append(Problem(None, None, "报告期", "period", "文件未填写报告期：请填写报告期（如2026-10）"))
    elif Period.parse(own) > Period.containing():
        parsed.problems.append(Problem(None, None, "报告期", "period", f"报告期{own}尚未开始：不接受未来报告期的数据"))
    elif (open_from := ledger.first_open_period(latest_period, window)) is not None and Period.parse(own) < open_from:
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


@contextlib.contextmanager
def _staged_copies(settings: Settings, fresh: list[tuple[Path, Path]]):
    """The archived copies under their submitted names (the reader shows a CSV's name as its sheet):
    hard links to the archived files, in a private folder removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix=".reading-", dir=settings.home))
    try:
        out = []
        for i, (path, archived) in enumerate(fresh):
            staged = folder / str(i) / path.name
            staged.parent.mkdir()
            try:
                os.link(archived, staged)
            except OSError:  # a file system without hard links: a copy of the archived bytes
                shutil.copyfile(archived, staged)
            out.append(staged)
        yield out
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _refuse(con, settings: Settings, path: Path, refused: NotRegularFile, period: str | None, faults: FaultPoints) -> dict:
    """A link or other non-regular entry: rejected with a reason, nothing of what it points at read or
    copied. From landing, the entry itself (the link, not its target) is moved into quarantine, so it is
    reported once and not again on every run."""
    message = (f"“{path.name}”是{refused.what_zh}，不是普通文件：出于安全考虑不予读取。请直接报送文件本身（不要使用链接或快捷方式）"
               f" / {path.name} is a {refused.what_en}, not a regular file: refused unread; send the file itself")
    problem = Problem(None, None, None, "not_regular_file", message)
    return _publish(con, settings, path, None, ParsedFile(path=path, sha256=""), "rejected", [problem], [], period, refused=refused,
                    faults=faults)


@dataclass
class _Outcome:
    path: Path
    archived: Path | None
    parsed: ParsedFile
    status: str
    reasons: list[dict]
    warnings: list[dict]
    period: str | None
    results: list
    refused: NotRegularFile | None
    load_id: str = field(default_factory=lambda: uuid.uuid4().hex)

    @property
    def rows(self) -> int:
        return self.parsed.row_count if self.status == "accepted" else 0


def _outcome(path: Path, archived: Path | None, parsed: ParsedFile, status: str, problems: list[Problem], warnings: list[Problem],
             period: str | None, results: list | None = None, refused: NotRegularFile | None = None) -> _Outcome:
    return _Outcome(path, archived, parsed, status, [p.as_dict() for p in problems], [p.as_dict() for p in warnings],
                    period or parsed.period, results or [], refused)


def _publish(con, settings: Settings, path: Path, archived: Path | None, parsed: ParsedFile, status: str,
             problems: list[Problem], warnings: list[Problem], period: str | None, results: list | None = None,
             refused: NotRegularFile | None = None, faults: FaultPoints = NO_FAULTS) -> dict:
    """One file's outcome, committed on its own."""
    return _commit(con, settings, [_outcome(path, archived, parsed, status, problems, warnings, period, results, refused)], faults)[0]


def _commit(con, settings: Settings, group: list[_Outcome], faults: FaultPoints = NO_FAULTS) -> list[dict]:
    """The outcomes of a file (and the copies of its bytes) in one transaction: each one's ledger row and,
    if accepted, all its rows, one insert per sheet. Only after the commit do files leave landing."""
    con.execute("begin transaction")
    try:
        for o in group:
            ledger.record(con, load_id=o.load_id, sha256=o.parsed.sha256, file_name=o.path.name,
                          archive_path=str(o.archived.relative_to(settings.home)) if o.archived else None, kind=o.parsed.kind,
                          submitter=o.parsed.submitter, region_code=o.parsed.region, period=o.period,
                          received_at=dt.datetime.fromtimestamp(o.path.lstat().st_mtime, dt.UTC), status=o.status, row_count=o.rows,
                          reasons=o.reasons, warnings=o.warnings, validation=o.results, pii_key_id=settings.pii_key_id,
                          code_version=code_version())
            if o.status == "accepted":
                for sheet in o.parsed.sheets.values():
                    if sheet.rows:
                        warehouse.insert_rows(con, sheet.definition.table, sheet.rows, load_id=o.load_id, pii_key_id=settings.pii_key_id)
        for o in group:
            faults.reached("in_transaction", o.path)
        con.execute("commit")
    except BaseException:
        try:
            con.execute("rollback")
        except Exception:  # a failed commit has already ended the transaction; report the first error
            log.debug("rollback after a failed commit", exc_info=True)
        raise
    return [_committed(con, settings, o) for o in group]


def _committed(con, settings: Settings, o: _Outcome) -> dict:
    """What follows a file's commit: quarantine, its report, and leaving landing."""
    from_landing = in_landing(settings.landing, o.path)
    if o.refused is not None:
        archive.quarantine_entry(settings, o.path, o.load_id, o.period, o.reasons, o.refused, move=from_landing)
    elif o.status == "rejected":
        archive.quarantine(settings, o.archived, o.path.name, o.parsed.sha256, o.period, o.reasons)
    if o.status != "duplicate":
        _write_report(settings, ledger.load(con, o.load_id))
    if from_landing and o.refused is None:
        o.path.unlink()  # the outcome is committed: the file may leave landing
    (log.warning if o.status == "rejected" else log.info)("%s: %s (%d rows, %d reasons, %d warnings)", o.path.name, o.status, o.rows,
                                                          len(o.reasons), len(o.warnings))
    return {"file": o.path.name, "sha256": o.parsed.sha256, "kind": o.parsed.kind, "submitter": o.parsed.submitter, "period": o.period,
            "status": o.status, "rows": o.rows, "reasons": o.reasons, "warnings": o.warnings, "load_id": o.load_id}


def report_path(settings: Settings, load: dict) -> Path:
    return settings.reports / (load["period"] or archive.UNKNOWN_PERIOD) / f"{load['load_id']}.html"


def _write_report(settings: Settings, load: dict) -> None:
    path = report_path(settings, load)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, render(load))  # a write cut short leaves no truncated page behind


def _ensure_report(con, settings: Settings, load_id: str, period: str | None) -> None:
    """The accepted load's report, written again if a full disk stopped it after the load was committed
    (that file stayed in landing, and comes back now as a duplicate of its own load)."""
    if not report_path(settings, {"load_id": load_id, "period": period}).exists():
        _write_report(settings, ledger.load(con, load_id))
