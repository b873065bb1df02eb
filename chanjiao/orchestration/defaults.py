"""What every chanjiao DAG shares: retries, the failure alert, and how warehouse writers are routed."""
from __future__ import annotations

import os

import pendulum

from chanjiao.orchestration.alerts import on_task_failure

TAGS = ["chanjiao"]
# The embedded demo and the tests set 0, so a failure surfaces at once instead of after retry delays.
RETRIES = int(os.environ.get("CHANJIAO_TASK_RETRIES", "2"))
DEFAULT_ARGS = {"retries": RETRIES, "retry_delay": pendulum.duration(minutes=5), "on_failure_callback": on_task_failure}
# DuckDB has one writer: the 1-slot pool serialises writers inside Airflow, the `warehouse` queue sends
# them to the one Celery worker that serves it, and the file lock underneath covers the CLI too.
WAREHOUSE_WRITER = {"pool": "chanjiao_warehouse", "queue": "warehouse"}
POOL = WAREHOUSE_WRITER["pool"]
PERIOD_PARAM = {"type": ["null", "string"], "pattern": r"^\d{4}-(0[1-9]|1[0-2])$"}
