"""
### chanjiao_ingest, as shipped, with one fault injected (tests/airflow_prod/test_local_executor.py only)

The shipped DAG file runs unchanged; its `ingest_chunk` task calls the application layer's
`ingest_chunk`, which here passes `PauseAt`: the load of KILLED stops inside its transaction, where the
test kills the task. Never deployed.
"""
from __future__ import annotations

import runpy

from chanjiao.app import ingest as use_case
from chanjiao.settings import DAGS_DIR
from tests.faults import PauseAt

KILLED = "killed-midway.csv"
_shipped = use_case.ingest_chunk


def _with_the_fault(settings, chunk, retry=False):
    return _shipped(settings, chunk, retry, faults=PauseAt("in_transaction", KILLED, settings.home))


use_case.ingest_chunk = _with_the_fault
runpy.run_path(str(DAGS_DIR / "chanjiao_ingest.py"), run_name="chanjiao_ingest_shipped")
