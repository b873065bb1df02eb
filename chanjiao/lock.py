"""The two locks of a home, taken by the application layer (chanjiao.app) and nowhere else.

DuckDB allows one writer process: every command and DAG task that writes the warehouse holds the
writer lock, so the CLI, the DAG tasks and the demo take turns. Publishing takes the publish lock first,
so two publishes (a retry racing the original) take turns and the second finds the first's version;
backup takes both, in that order, so nothing changes while it copies.

Neither lock is re-entrant: flock on a second descriptor of the same file waits for itself forever, so a
nested take is a defect, reported at once instead of hanging.
"""
from __future__ import annotations

import contextlib
import fcntl
import threading
from pathlib import Path

from chanjiao.settings import Settings

_held: set[str] = set()
_guard = threading.Lock()


@contextlib.contextmanager
def _flock(path: Path):
    key = str(path)
    with _guard:
        if key in _held:
            raise RuntimeError(f"{path} is already held by this process: the application layer takes each lock once")
        _held.add(key)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a+") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)
    finally:
        with _guard:
            _held.discard(key)


def writer_lock(settings: Settings):
    """The warehouse's one writer (DuckDB's rule), across processes."""
    return _flock(settings.lock_file)


def publish_lock(settings: Settings):
    """One publish at a time; beside the publications, not inside a period's folder (versions only)."""
    return _flock(settings.home / "publish.lock")
