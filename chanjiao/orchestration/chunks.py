"""Split what waits in the landing folder into chunks, one mapped ingest task each.

One task per file would pay Airflow's task start-up and GX's import per file; one task for everything
would lose the parallel retry and make one bad chunk stop the rest. A chunk is a list of files of one
collection period, in arrival order; within it, ingest keeps an outcome per file and parses each file
in a crash-isolated worker.
"""
from __future__ import annotations

import os
from pathlib import Path

from chanjiao.calendar import PERIOD

DEFAULT_CHUNK_FILES = 100


def chunk_size() -> int:
    return max(1, int(os.environ.get("CHANJIAO_INGEST_CHUNK_FILES", DEFAULT_CHUNK_FILES)))


def period_of(path: Path, landing: Path, collection_period: str) -> str:
    """landing/YYYY-MM/… holds late corrections for that period; everything else is for the collection period."""
    first = path.relative_to(landing).parts[0]
    return first if path.parent != landing and PERIOD.match(first) else collection_period


def plan_chunks(landing: Path, collection_period: str, size: int | None = None) -> list[dict]:
    """[{"period", "files"}]: each period's files in arrival order, at most `size` per chunk."""
    from ingestion.ingest import expand

    if not landing.exists():
        return []
    size = size or chunk_size()
    by_period: dict[str, list[str]] = {}
    for path in expand([landing]):
        by_period.setdefault(period_of(path, landing, collection_period), []).append(str(path))
    return [{"period": period, "files": files[i:i + size]}
            for period, files in sorted(by_period.items()) for i in range(0, len(files), size)]
