"""What every chanjiao DAG shares: retries, the failure alert, and how warehouse writers are routed."""
from __future__ import annotations

import pendulum

from chanjiao import settings as config
from chanjiao.orchestration.alerts import on_task_failure
from ingestion.period import PATTERN

TAGS = ["chanjiao"]
# Read when the DAG files are parsed: retries (the demo and the tests set 0, so a failure surfaces at
# once instead of after retry delays), the release calendar, the deadline watch's interval.
SETTINGS = config.load()
DEFAULT_ARGS = {"retries": 2 if SETTINGS.task_retries is None else SETTINGS.task_retries, "retry_delay": pendulum.duration(minutes=5),
                "on_failure_callback": on_task_failure}
# DuckDB has one writer: the 1-slot pool serialises writers inside Airflow, the `warehouse` queue sends
# them to the one Celery worker that serves it, and the file lock underneath covers the CLI too.
WAREHOUSE_WRITER = {"pool": "chanjiao_warehouse", "queue": "warehouse"}
POOL = WAREHOUSE_WRITER["pool"]
PERIOD_PARAM = {"type": ["null", "string"], "pattern": PATTERN}
