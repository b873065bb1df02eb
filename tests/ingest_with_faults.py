"""`chanjiao ingest --json`, with faults injected (tests/faults.py): for tests that need the loader in a
process of its own — to kill it at a point, or to let a reader worker abort — which the CLI, having no
test hooks, cannot do.

    python -m tests.ingest_with_faults [--pause POINT:FILE] [--abort-marker TEXT] PATH... [--period P]

Settings come from the environment as for the CLI; the outcomes are printed as JSON; the exit status is
3 when a file was rejected, as the CLI's.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from chanjiao import settings as config
from chanjiao.app.ingest import ingest
from chanjiao.children import stop_on_signals
from chanjiao.files import confine
from ingestion.faults import FaultPoints
from tests.faults import AbortOnMarker, PauseAt

EXIT_REJECTED = 3


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.ingest_with_faults")
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--period")
    parser.add_argument("--pause", metavar="POINT:FILE")
    parser.add_argument("--abort-marker", metavar="TEXT")
    args = parser.parse_args(argv)
    settings = config.load()
    confine(settings)
    faults: FaultPoints = FaultPoints()
    if args.pause and args.abort_marker:
        parser.error("one fault at a time")
    if args.pause:
        point, _, name = args.pause.partition(":")
        faults = PauseAt(point, name, settings.home)
    elif args.abort_marker:
        faults = AbortOnMarker(args.abort_marker.encode("utf-8"))
    stop_on_signals()
    outcomes = ingest(settings, [Path(p) for p in args.paths], period=args.period, faults=faults)
    json.dump(outcomes, sys.stdout, ensure_ascii=False, indent=2, default=str)
    return EXIT_REJECTED if any(o["status"] == "rejected" for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
