"""Split what waits in the landing folder into chunks, one mapped ingest task each.

One task per file would pay Airflow's task start-up and GX's import per file; one task for everything
would lose the parallel retry and make one bad chunk stop the rest. A chunk is a list of files of one
collection period, in arrival order; within it, ingest keeps an outcome per file and parses each file
in a crash-isolated worker.

A file is planned only once it has settled: unchanged for CHANJIAO_LANDING_SETTLE_SECONDS. A submitter's
upload or the bureau's file-sync writes into landing for a while, and a half-copied workbook taken now
would be rejected as damaged while its sender is still uploading it; a later run takes it whole.
"""
from __future__ import annotations

import logging
import os
import time
from pathlib import Path

from chanjiao.calendar import PERIOD

log = logging.getLogger(__name__)

DEFAULT_CHUNK_FILES = 100
DEFAULT_SETTLE_SECONDS = 120


def chunk_size() -> int:
    return max(1, int(os.environ.get("CHANJIAO_INGEST_CHUNK_FILES", DEFAULT_CHUNK_FILES)))


def settle_seconds() -> int:
    """0 takes every file at once: for callers that wrote landing themselves and finished (demo, tests)."""
    return max(0, int(os.environ.get("CHANJIAO_LANDING_SETTLE_SECONDS", DEFAULT_SETTLE_SECONDS)))


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
    return first if path.parent != landing and PERIOD.match(first) else collection_period


def plan_chunks(landing: Path, collection_period: str, size: int | None = None) -> list[dict]:
    """[{"period", "files"}]: each period's settled files in arrival order, at most `size` per chunk."""
    from ingestion.ingest import expand

    if not landing.exists():
        return []
    size = size or chunk_size()
    found = expand([landing])
    settle = settle_seconds()
    cutoff = time.time() - settle
    ready = [path for path in found if not settle or _settled(path, cutoff)]
    if len(ready) < len(found):
        log.info("%d file(s) in %s changed less than %d s ago (still being written?): left for a later run",
                 len(found) - len(ready), landing, settle)
    by_period: dict[str, list[str]] = {}
    for path in ready:
        by_period.setdefault(period_of(path, landing, collection_period), []).append(str(path))
    return [{"period": period, "files": files[i:i + size]}
            for period, files in sorted(by_period.items()) for i in range(0, len(files), size)]
