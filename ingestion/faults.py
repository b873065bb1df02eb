"""Named points where a test can make a fault happen: a reader worker crashing on a file, the loader
killed after archiving a file or inside its transaction.

Production passes `FaultPoints()`, whose `reached` does nothing. A test passes a subclass (tests/faults.py)
that acts at the points it names — aborts the worker, or waits there to be killed. The code under test
calls `reached` at each point and knows nothing of what a test does there: no environment variable, no
test-only branch.

An instance travels to the reader workers (`ingestion.isolation.read_many`), so a subclass must pickle:
a module-level class whose attributes pickle.
"""
from __future__ import annotations

from pathlib import Path
from typing import Literal

# before_read: in a reader worker, before the file is prechecked and parsed;
# after_archive: the loader has archived and hashed the file, nothing of it is committed yet;
# in_transaction: the file's outcome is written in the open transaction, not yet committed.
Point = Literal["before_read", "after_archive", "in_transaction"]


class FaultPoints:
    """No faults: every point is passed at once."""

    def reached(self, point: Point, path: Path) -> None:
        """Called when the work on `path` reaches `point`."""


NO_FAULTS = FaultPoints()  # production's default argument: stateless, so one shared instance will do
