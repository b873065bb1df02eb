"""Faults the tests inject at the named points of `ingestion.faults`, and a way to run an ingest with them
in a process of its own (tests that kill the loader, or need a worker to abort, cannot do it in pytest's).

The production code only calls `FaultPoints.reached`; what happens there is defined here.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from ingestion.faults import FaultPoints, Point

ROOT = Path(__file__).resolve().parent.parent
DRIVER = "tests.ingest_with_faults"


@dataclass(frozen=True)
class AbortOnMarker(FaultPoints):
    """A reader worker aborts (a real SIGABRT, as a native parser's crash) before reading any file whose
    bytes hold `marker`: proves that a crash costs only that file. Pickles: it travels to the workers."""

    marker: bytes

    def reached(self, point: Point, path: Path) -> None:
        if point != "before_read":
            return
        keep, tail = len(self.marker) - 1, b""
        try:
            with open(path, "rb") as fh:
                for chunk in iter(lambda: fh.read(1 << 20), b""):
                    if self.marker in tail + chunk:
                        sys.stderr.flush()
                        os.abort()
                    tail = chunk[-keep:] if keep else b""
        except OSError:
            pass  # the precheck says why the file cannot be read


@dataclass(frozen=True)
class PauseAt(FaultPoints):
    """The loader stops at `point` for the file named `file_name`, so that a test can kill it there (or
    change what lies in landing). It writes `paused-POINT` in `home` and waits (600 s at most) until the
    test creates `resume-POINT`. Once: while the marker of an earlier pause is there, a later run (the
    retry after the kill) goes on."""

    point: Point
    file_name: str
    home: Path

    def reached(self, point: Point, path: Path) -> None:
        marker, resume = self.home / f"paused-{point}", self.home / f"resume-{point}"
        if point != self.point or path.name != self.file_name or marker.exists():
            return
        marker.write_text(str(os.getpid()))
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline and not resume.exists():
            time.sleep(0.1)


def ingest_command(*args: str, pause: str | None = None, abort_marker: str | None = None) -> list[str]:
    """`chanjiao ingest ARGS --json`, run by tests/ingest_with_faults.py with the faults given:
    `pause` is POINT:FILE_NAME (PauseAt), `abort_marker` the text of AbortOnMarker."""
    command = [sys.executable, "-m", DRIVER]
    if pause:
        command += ["--pause", pause]
    if abort_marker:
        command += ["--abort-marker", abort_marker]
    return [*command, *args]


def ingest_env(home: Path, pii_key: str) -> dict[str, str]:
    return {**os.environ, "CHANJIAO_HOME": str(home), "CHANJIAO_PII_KEY": pii_key}


def run_ingest(home: Path, pii_key: str, *args: str, **faults: str) -> subprocess.CompletedProcess:
    """As conftest.run_cli(home, "ingest", *args, "--json"), with faults; `result.data` holds the outcomes."""
    result = subprocess.run(ingest_command(*args, **faults), env=ingest_env(home, pii_key), cwd=ROOT,
                            capture_output=True, text=True, timeout=600)
    if result.returncode in (0, 3):
        result.data = json.loads(result.stdout)
    return result
