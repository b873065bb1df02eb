"""Receive, read, gate and load submitted files: each file is loaded whole or not at all.

Write–audit–publish, per batch: every file is archived (content-addressed) and parsed into memory —
the staging area; the gate audits all of them in one GX run; then each file's outcome (its ledger row
and, if accepted, its rows) is published into the raw tables in one DuckDB transaction. Only after that
commit does the file leave the landing folder, so a crash at any point leaves the warehouse as it was
and the file where it was; re-running the batch finishes the work.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import errno
import hashlib
import json
import logging
import os
import shutil
import stat
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from zoneinfo import ZoneInfo

from chanjiao import warehouse
from chanjiao.files import replacing, write_atomic
from chanjiao.settings import TIMEZONE, Settings, file_limits, gate_thresholds
from chanjiao.version import code_version
from expectations.report import render
from ingestion.faults import FaultPoints
from ingestion.isolation import read_many
from ingestion.parsed import ParsedFile, Problem
from ingestion.return_notice import write_return_notice

log = logging.getLogger(__name__)


def expand(paths: Iterable[Path], missing_ok: bool = False) -> list[Path]:
    """Files named, and files inside folders named, in arrival order (mtime, then name).

    A path that does not exist is an error, or with `missing_ok` skipped: ingest lists again under the
    writer lock, when another run may have taken a named file out of landing meanwhile. A file that
    vanishes while being listed is skipped.

    Inside a folder, links (to files or folders), pipes, sockets and devices are listed too, never followed
    or opened: ingest refuses each with a reason (`not_regular_file`). A folder named itself is followed."""
    found: dict[Path, float] = {}
    for p in map(Path, paths):
        if p.is_dir():
            candidates = [f for f in p.rglob("*") if not f.name.startswith((".", "~$"))]
        elif os.path.lexists(p):
            candidates = [p]
        elif missing_ok:
            continue
        else:
            raise FileNotFoundError(f"{p}: no such file or folder")
        for f in candidates:
            try:
                st = f.lstat()
            except OSError:  # taken out of landing while we looked
                continue
            if not stat.S_ISDIR(st.st_mode):  # rglob does not descend into linked folders: they are listed here
                found[f] = st.st_mtime
    return sorted(found, key=lambda f: (found[f], str(f)))


def current_period() -> str:
    now = dt.datetime.now(ZoneInfo(TIMEZONE))
    return f"{now.year:04d}-{now.month:02d}"


def collection_period() -> str:
    """The month being collected now: the previous month (its release is due on the 5th)."""
    now = dt.datetime.now(ZoneInfo(TIMEZONE))
    return f"{now.year - 1:04d}-12" if now.month == 1 else f"{now.year:04d}-{now.month - 1:02d}"


def ingest(paths: Iterable[Path], settings: Settings, period: str | None = None, progress: Callable[[int, int], None] | None = None,
           timings: dict | None = None, faults: FaultPoints = FaultPoints()) -> list[dict]:
    """Ingest files or folders; `timings`, if given, receives seconds spent reading, gating and loading.
    `faults`: where tests make faults happen (ingestion.faults); production leaves the default."""
    key = settings.require_pii_key()
    limits, thresholds = file_limits(), gate_thresholds()  # a setting that is wrong stops the run before it touches anything
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
            try:
                sha, archived = _archive(settings, path)
            except NotRegularFile as refused:
                outcomes.append(_refuse(con, settings, path, refused, period, faults))
                continue
            faults.reached("after_archive", path)
            if sha in accepted:
                _, kind, submitter, region, first_period, first_load = accepted[sha]
                _ensure_report(con, settings, first_load, first_period)
                earlier = ParsedFile(path=path, sha256=sha, kind=kind, submitter=submitter, period=first_period, region=region)
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
        latest_period = con.execute(
            "select max(period) from raw.loads where status = 'accepted' and kind in ('school_workbook', 'enterprise_return')").fetchone()[0]
        with _staged_copies(settings, fresh) as to_read:
            parsed_files = read_many(to_read, key, period or collection_period(), limits, faults=faults)
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
        verdicts = validate(gateable, period_of, batch_rules.frames(con, gateable, period_of, thresholds))
        gate_done = time.perf_counter()
        for path, parsed, archived in staged:
            verdict = verdicts.get(parsed.sha256, {"problems": [], "warnings": [], "results": []})
            problems = _dedupe(parsed.problems + verdict["problems"])
            status = "rejected" if problems else "accepted"
            warnings = _dedupe(verdict["warnings"])
            outcomes.append(_publish(con, settings, path, archived, parsed, status, problems, warnings, period, verdict["results"], faults=faults))
            for copy_path, copy_archived in copies.get(parsed.sha256, []):
                if status == "accepted":
                    outcomes.append(_publish(con, settings, copy_path, copy_archived, parsed, "duplicate", [], [], period, faults=faults))
                else:
                    outcomes.append(_publish(con, settings, copy_path, copy_archived, parsed, status, problems, warnings, period, verdict["results"],
                                             faults=faults))
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


class NotRegularFile(Exception):
    """A link, pipe, socket or device where a submitted file was expected: refused, never opened or followed."""

    def __init__(self, path: Path, what_zh: str, what_en: str, target: str | None = None):
        super().__init__(f"{path}: {what_en}")
        self.what_zh, self.what_en, self.target = what_zh, what_en, target


def _not_regular(path: Path, mode: int) -> NotRegularFile:
    if stat.S_ISLNK(mode):
        try:
            target = os.readlink(path)
        except OSError:
            target = None
        return NotRegularFile(path, "符号链接（快捷方式）", "symbolic link", target)
    for test, zh, en in ((stat.S_ISDIR, "文件夹", "folder"), (stat.S_ISFIFO, "命名管道", "named pipe"), (stat.S_ISSOCK, "套接字", "socket"),
                         (stat.S_ISCHR, "设备文件", "character device"), (stat.S_ISBLK, "设备文件", "block device")):
        if test(mode):
            return NotRegularFile(path, zh, en)
    return NotRegularFile(path, "特殊文件", "special file")


def _open_regular(path: Path) -> int:
    """A descriptor on `path` if, and only if, it is a regular file: links are not followed (O_NOFOLLOW),
    and a pipe or device is never opened for what it would do (its type is read from lstat first; the
    descriptor's fstat confirms it, so a swap between the two is caught)."""
    mode = path.lstat().st_mode
    if not stat.S_ISREG(mode):
        raise _not_regular(path, mode)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as err:
        if err.errno == errno.ELOOP:
            raise _not_regular(path, stat.S_IFLNK) from None
        raise
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise _not_regular(path, mode)
    return fd


def _archive(settings: Settings, path: Path) -> tuple[str, Path]:
    """Copy the file into the archive, hashing the very bytes copied, in one read: (sha256, archived path).
    The archived copy is what is read, checked and quarantined from then on."""
    fd = _open_regular(path)
    settings.archive.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    tmp = settings.archive / f".incoming-{uuid.uuid4().hex}.part"
    try:
        with os.fdopen(fd, "rb") as src, open(tmp, "wb") as out:
            while chunk := src.read(1 << 20):
                digest.update(chunk)
                out.write(chunk)
        sha = digest.hexdigest()
        target = settings.archive / sha[:2] / f"{sha}{path.suffix.lower()}"
        if not target.exists():  # the archive is content-addressed: the same bytes are kept once
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)  # a copy cut short by a full disk is removed, never archived
    return sha, target


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


def _in_landing(settings: Settings, path: Path) -> bool:
    """Whether `path` itself (not what a link points at) lies in landing."""
    return (path.parent.resolve() / path.name).is_relative_to(settings.landing.resolve())


def _refuse(con, settings: Settings, path: Path, refused: NotRegularFile, period: str | None, faults: FaultPoints) -> dict:
    """A link or other non-regular entry: rejected with a reason, nothing of what it points at read or
    copied. From landing, the entry itself (the link, not its target) is moved into quarantine, so it is
    reported once and not again on every run."""
    message = (f"“{path.name}”是{refused.what_zh}，不是普通文件：出于安全考虑不予读取。请直接报送文件本身（不要使用链接或快捷方式）"
               f" / {path.name} is a {refused.what_en}, not a regular file: refused unread; send the file itself")
    problem = Problem(None, None, None, "not_regular_file", message)
    return _publish(con, settings, path, None, ParsedFile(path=path, sha256=""), "rejected", [problem], [], period, refused=refused, faults=faults)


def _publish(con, settings: Settings, path: Path, archived: Path | None, parsed: ParsedFile, status: str,
             problems: list[Problem], warnings: list[Problem], period: str | None, results: list | None = None,
             refused: NotRegularFile | None = None, faults: FaultPoints = FaultPoints()) -> dict:
    """The file's outcome in one transaction: its ledger row and, if accepted, all its rows."""
    import pandas as pd

    load_id = uuid.uuid4().hex
    received_at = dt.datetime.fromtimestamp(path.lstat().st_mtime, dt.timezone.utc)
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
            [load_id, parsed.sha256, path.name, str(archived.relative_to(settings.home)) if archived else None, parsed.kind, parsed.submitter,
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
        faults.reached("in_transaction", path)
        con.execute("commit")
    except BaseException:
        try:
            con.execute("rollback")
        except Exception:  # a failed commit has already ended the transaction; report the first error
            pass
        raise
    in_landing = _in_landing(settings, path)
    if refused is not None:
        _quarantine_entry(settings, path, load_id, file_period, reasons, refused, move=in_landing)
    elif status == "rejected":
        _quarantine(settings, archived, path.name, parsed.sha256, file_period, reasons)
    if status != "duplicate":
        cursor = con.execute("select * from raw.loads where load_id = ?", [load_id])
        load = dict(zip([d[0] for d in cursor.description], cursor.fetchone()))
        _write_report(settings.reports / (file_period or "unknown-period"), load)
    if in_landing and refused is None:
        path.unlink()  # the outcome is committed: the file may leave landing
    (log.warning if status == "rejected" else log.info)("%s: %s (%d rows, %d reasons, %d warnings)", path.name, status, rows, len(reasons), len(notes))
    return {"file": path.name, "sha256": parsed.sha256, "kind": parsed.kind, "submitter": parsed.submitter, "period": file_period,
            "status": status, "rows": rows, "reasons": reasons, "warnings": notes, "load_id": load_id}


def _ensure_report(con, settings: Settings, load_id: str, period: str | None) -> None:
    """The accepted load's report, written again if a full disk stopped it after the load was committed
    (that file stayed in landing, and comes back now as a duplicate of its own load)."""
    if (settings.reports / (period or "unknown-period") / f"{load_id}.html").exists():
        return
    cursor = con.execute("select * from raw.loads where load_id = ?", [load_id])
    _write_report(settings.reports / (period or "unknown-period"), dict(zip([d[0] for d in cursor.description], cursor.fetchone())))


def _write_report(folder: Path, load: dict) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{load['load_id']}.html"
    write_atomic(path, render(load))  # a write cut short leaves no truncated page behind
    return path


def _quarantine(settings: Settings, archived: Path, name: str, sha: str, period: str | None, reasons: list[dict]) -> None:
    """The rejected bytes (copied from the archive: what was read), their reasons and the 退回说明."""
    folder = settings.quarantine / (period or "unknown-period") / sha
    folder.mkdir(parents=True, exist_ok=True)
    with replacing(folder / name) as tmp:
        shutil.copyfile(archived, tmp)
    write_atomic(folder / "reasons.json", json.dumps({"file": name, "sha256": sha, "reasons": reasons}, ensure_ascii=False, indent=2))
    with replacing(folder / "退回说明.xlsx") as tmp:
        write_return_notice(tmp, name, period, reasons)


def _quarantine_entry(settings: Settings, path: Path, load_id: str, period: str | None, reasons: list[dict],
                      refused: NotRegularFile, move: bool) -> None:
    """quarantine/PERIOD/not-regular/LOAD_ID/: the reasons, where a link pointed, and — from landing —
    the entry itself, moved (a rename moves a link, never its target)."""
    folder = settings.quarantine / (period or "unknown-period") / "not-regular" / load_id
    folder.mkdir(parents=True, exist_ok=True)
    write_atomic(folder / "reasons.json", json.dumps({"file": path.name, "type": refused.what_en, "link_target": refused.target,
                                                      "reasons": reasons}, ensure_ascii=False, indent=2))
    if move:
        os.rename(path, folder / path.name)
