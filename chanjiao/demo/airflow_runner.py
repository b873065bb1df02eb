"""Several DAG runs in one Airflow process, each exactly what `airflow dags test DAG_ID DATE --conf ...`
does (airflow.cli.commands.dag_command.dag_test: the DAG parsed from the dags folder and synced to the
metadata DB, then `DAG.test()`), so Airflow, Great Expectations and dbt's Python are imported once
for a month's three runs instead of three times.

Usage (in the demo's Airflow environment): python -m chanjiao.demo.airflow_runner '[{"dag_id": …,
"logical_date": ISO, "conf": {…}}, …]'. One line `chanjiao-step {json}` per run on stdout.
"""
from __future__ import annotations

import datetime as dt
import json
import sys
import time

MARKER = "chanjiao-step "


def main(argv: list[str]) -> int:
    from airflow.providers_manager import ProvidersManager
    from airflow.utils.cli import get_bagged_dag
    from airflow.utils.state import DagRunState

    ProvidersManager().initialize_providers_configuration()  # what the CLI's decorator does
    for step in json.loads(argv[0]):
        started = time.monotonic()
        dag = get_bagged_dag(None, step["dag_id"])
        run = dag.test(logical_date=dt.datetime.fromisoformat(step["logical_date"]), run_conf=step.get("conf"))
        state = str(run.state.value if hasattr(run.state, "value") else run.state)
        print(MARKER + json.dumps({**step, "state": state, "seconds": round(time.monotonic() - started, 1)}), flush=True)
        if run.state != DagRunState.SUCCESS:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
