"""What waits in the landing folder: files listed in arrival order, and split into chunks for the DAG.

One DAG task per file would pay Airflow's task start-up and GX's import per file; one task for everything
would lose the parallel retry and make one bad chunk stop the rest. A chunk is a list of files of one
collection period, in arrival order; within it, ingest keeps an outcome per file and parses each file
in a crash-isolated worker.

A file is planned only once it has settled: unchanged for settings.landing_settle_seconds. A submitter's
upload or the bureau's file-sync writes into landing for a while, and a half-copied workbook taken now
would be rejected as damaged while its sender is still uploading it; a later run takes it whole.
"""
from __future__ import annotations

import logging
import os
import stat
import time
from collections.abc import Iterable
from pathlib import Path

from ingestion.period import Period

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


def in_landing(landing: Path, path: Path) -> bool:
    """Whether `path` itself (not what a link points at) lies in landing."""
    return (path.parent.resolve() / path.name).is_relative_to(landing.resolve())


def _settled(path: Path, cutoff: float) -> bool:
    try:
        # ctime, not mtime: every write (and rename) sets it from this machine's clock, and no client can set
        # it, whereas rsync -t, scp -p and WinSCP give the file the sender's old mtime while still copying
        return path.lstat().st_ctime <= cutoff
    except FileNotFoundError:  # another run took it out of landing meanwhile
        return False


def period_of(path: Path, landing: Path, collection_period: str) -> str:
    """landing/YYYY-MM/… holds late corrections for that period; everything else is for the collection period."""
    first = path.relative_to(landing).parts[0]
    return first if path.parent != landing and Period.is_valid(first) else collection_period


def plan_chunks(landing: Path, collection_period: str, size: int, settle_seconds: int) -> list[dict]:
    """[{"period", "files"}]: each period's settled files in arrival order, at most `size` per chunk.
    `settle_seconds` 0 takes every file at once: for callers that wrote landing themselves and finished."""
    if not landing.exists():
        return []
    found = expand([landing])
    cutoff = time.time() - settle_seconds
    ready = [path for path in found if not settle_seconds or _settled(path, cutoff)]
    if len(ready) < len(found):
        log.info("%d file(s) in %s changed less than %d s ago (still being written?): left for a later run",
                 len(found) - len(ready), landing, settle_seconds)
    by_period: dict[str, list[str]] = {}
    for path in ready:
        by_period.setdefault(period_of(path, landing, collection_period), []).append(str(path))
    return [{"period": period, "files": files[i:i + size]}
            for period, files in sorted(by_period.items()) for i in range(0, len(files), size)]
