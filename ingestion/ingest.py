"""Receive, read, gate and load submitted files: each file is loaded whole or not at all.

Order for every file: archive the original (content-addressed) → read → gate (one GX batch for all
files) → one DuckDB transaction writing the ledger row and, if accepted, its rows → only then is the
file removed from the landing folder.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import shutil
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from zoneinfo import ZoneInfo

from chanjiao import warehouse
from chanjiao.settings import TIMEZONE, Settings
from chanjiao.version import code_version
from ingestion.read import ParsedFile, Problem, read_file, sha256_of
from ingestion.return_notice import write_return_notice

log = logging.getLogger(__name__)
SUFFIXES = {".xlsx", ".xls", ".csv"}


def expand(paths: Iterable[Path]) -> list[Path]:
    """Files named, and files inside folders named, in arrival order (mtime, then name)."""
    found: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found += [f for f in p.rglob("*") if f.is_file() and not f.name.startswith((".", "~$"))]
        elif p.exists():
            found.append(p)
        else:
            raise FileNotFoundError(f"{p}: no such file or folder")
    return sorted(set(found), key=lambda f: (f.stat().st_mtime, str(f)))


def current_period() -> str:
    now = dt.datetime.now(ZoneInfo(TIMEZONE))
    return f"{now.year:04d}-{now.month:02d}"


def ingest(paths: Iterable[Path], settings: Settings, period: str | None = None, progress: Callable[[int, int], None] | None = None) -> list[dict]:
    key = settings.require_pii_key()
    files = expand(paths)
    warehouse.init(settings)
    outcomes: list[dict] = []
    with warehouse.writer_lock(settings), warehouse.connect(settings) as con:
        accepted = {row[0]: row for row in con.execute(
            "select sha256, kind, submitter, region_code, period from raw.loads where status = 'accepted'").fetchall()}
        to_gate: list[tuple[Path, ParsedFile, str]] = []
        for i, path in enumerate(files):
            sha = sha256_of(path)
            archived = _archive(settings, path, sha)
            if sha in accepted:
                _, kind, submitter, region, first_period = accepted[sha]
                earlier = ParsedFile(path=path, sha256=sha, kind=kind, submitter=submitter, period=first_period, region=region)
                outcomes.append(_record(con, settings, path, archived, earlier, "duplicate", [], period, sha))
            else:
                parsed = read_file(path, key, collection_period=period)
                to_gate.append((path, parsed, archived))
                accepted[sha] = (sha, parsed.kind, parsed.submitter, parsed.region, parsed.period)  # same bytes twice in one batch
            if progress:
                progress(i + 1, len(files))
        for path, parsed, _ in to_gate:
            _check_period(parsed, period)
        gateable = [p for _, p, _ in to_gate if p.kind and p.period]
        from expectations.gate import validate

        verdicts = validate(gateable, {p.sha256: period or p.period for p in gateable})
        for path, parsed, archived in to_gate:
            verdict = verdicts.get(parsed.sha256, {"problems": [], "results": []})
            problems = _dedupe(parsed.problems + verdict["problems"])
            status = "rejected" if problems else "accepted"
            outcomes.append(_record(con, settings, path, archived, parsed, status, problems, period, parsed.sha256, verdict["results"]))
    return outcomes


def _check_period(parsed: ParsedFile, period: str | None) -> None:
    if parsed.kind is None:
        return
    if parsed.period is None:
        parsed.problems.append(Problem(None, None, "报告期", "period", "文件未填写报告期：请填写报告期（如2026-10）"))
    elif period is None and parsed.period > current_period():
        parsed.problems.append(Problem(None, None, "报告期", "period", f"报告期{parsed.period}尚未开始：不接受未来报告期的数据"))
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
        tmp = target.with_suffix(target.suffix + ".part")
        shutil.copyfile(path, tmp)
        tmp.replace(target)
    return target


def _record(con, settings: Settings, path: Path, archived: Path, parsed: ParsedFile | None, status: str,
            problems: list[Problem], period: str | None, sha: str, results: list | None = None) -> dict:
    import pandas as pd

    load_id = uuid.uuid4().hex
    received_at = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.timezone.utc)
    reasons = [p.as_dict() for p in problems]
    rows = parsed.row_count if parsed and status == "accepted" else 0
    con.execute("begin transaction")
    try:
        con.execute(
            "insert into raw.loads values (?, ?, ?, ?, ?, ?, ?, ?, ?, now(), ?, ?, ?, ?, ?, ?)",
            [load_id, sha, path.name, str(archived.relative_to(settings.home)), parsed.kind if parsed else None,
             parsed.submitter if parsed else None, parsed.region if parsed else None,
             (period or parsed.period) if parsed else period, received_at, status, rows,
             json.dumps(reasons, ensure_ascii=False), json.dumps(results or [], ensure_ascii=False),
             settings.pii_key_id, code_version()],
        )
        if status == "accepted":
            for sheet in parsed.sheets.values():
                if sheet.rows:
                    frame = pd.DataFrame(sheet.rows).assign(load_id=load_id, pii_key_id=settings.pii_key_id)
                    cols = {c for c, _ in warehouse.raw_table_columns()[sheet.definition.table]}
                    frame = frame[[c for c in frame.columns if c in cols]]
                    con.register("incoming", frame)
                    con.execute(f"insert into raw.{sheet.definition.table} by name select * from incoming")
                    con.unregister("incoming")
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    if status == "rejected":
        _quarantine(settings, path, sha, period or (parsed.period if parsed else None), reasons)
    if path.resolve().is_relative_to(settings.landing.resolve()):
        path.unlink()  # the outcome is committed: the file may leave landing
    if status != "rejected":
        log.info("%s: %s (%d rows)", path.name, status, rows)
    else:
        log.warning("%s: rejected, %d reason(s)", path.name, len(reasons))
    return {"file": path.name, "sha256": sha, "kind": parsed.kind if parsed else None,
            "submitter": parsed.submitter if parsed else None,
            "period": (period or parsed.period) if parsed else period, "status": status, "rows": rows, "reasons": reasons}


def _quarantine(settings: Settings, path: Path, sha: str, period: str | None, reasons: list[dict]) -> None:
    folder = settings.quarantine / (period or "unknown-period") / sha
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, folder / path.name)
    (folder / "reasons.json").write_text(json.dumps({"file": path.name, "sha256": sha, "reasons": reasons}, ensure_ascii=False, indent=2), encoding="utf-8")
    write_return_notice(folder / "退回说明.xlsx", path.name, period, reasons)
