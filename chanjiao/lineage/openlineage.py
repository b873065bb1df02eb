"""OpenLineage wiring: every event goes to one JSON-lines file under $CHANJIAO_HOME/lineage/.

Three producers append there, each through openlineage-python's file transport (one JSON event per line):
- dbt: after `chanjiao build`'s dbt run, the build's dbt session (chanjiao.dbt_session) emits what the
  `dbt-ol` wrapper would, with the OpenLineage dbt integration's processor: one event per model, seed and
  test with its input and output tables, from dbt's artifacts;
- Airflow: the OpenLineage provider emits the DAG run and task events (`airflow_environment`);
- our ingest step: `emit_ingest` names the submitted files read (their archived copies) and the raw tables
  written; inside an Airflow task it points at that task's run as its parent, so the three join up.

Datasets are named as dbt-ol names them (namespace `duckdb://<warehouse path>`, name
`<catalog>.<schema>.<table>`), so the raw tables ingest writes are the very datasets dbt reads.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from pathlib import Path

from chanjiao import archive
from chanjiao.settings import Settings
from ingestion.registry import kinds

log = logging.getLogger(__name__)

NAMESPACE = "chanjiao"
PRODUCER = "https://github.com/chanjiao/chanjiao"  # who wrote the event (OpenLineage `producer`)


def events_file(settings: Settings) -> Path:
    return settings.home / "lineage" / "openlineage.jsonl"


def client_environment(settings: Settings) -> dict[str, str]:
    """openlineage-python's configuration by environment, for the processes we start (dbt-ol, Airflow):
    append to the one events file. (`emit` in this process configures the same transport directly.)"""
    events_file(settings).parent.mkdir(parents=True, exist_ok=True)
    return {
        "OPENLINEAGE__TRANSPORT__TYPE": "file",
        "OPENLINEAGE__TRANSPORT__LOG_FILE_PATH": str(events_file(settings)),
        "OPENLINEAGE__TRANSPORT__APPEND": "true",
        "OPENLINEAGE_NAMESPACE": NAMESPACE,
    }


def airflow_environment(home: Path) -> dict[str, str]:
    """Environment for Airflow processes (scheduler, workers, `airflow dags test`) so the OpenLineage
    provider writes the DAG and task events to the same file; merged into the demo's Airflow env."""
    settings = Settings(home=Path(home), pii_key=None)
    transport = {"type": "file", "log_file_path": str(events_file(settings)), "append": True}
    return {
        **client_environment(settings),
        "AIRFLOW__OPENLINEAGE__DISABLED": "False",
        "AIRFLOW__OPENLINEAGE__NAMESPACE": NAMESPACE,
        "AIRFLOW__OPENLINEAGE__TRANSPORT": json.dumps(transport),
    }


def table_dataset(settings: Settings, schema: str, table: str) -> dict:
    """A warehouse table as dbt-ol names it: catalog = the DuckDB file's stem."""
    return {"namespace": f"duckdb://{settings.warehouse}", "name": f"{settings.warehouse.stem}.{schema}.{table}"}


def file_dataset(path: Path) -> dict:
    return {"namespace": "file", "name": str(Path(path).resolve())}


def _airflow_parent():
    """The Airflow task run this code runs in, as an OpenLineage parent facet; None outside Airflow."""
    if "airflow.sdk" not in sys.modules:
        return None  # not in a task; importing Airflow here would also take over logging (and stdout)
    try:
        from airflow.providers.openlineage.plugins.macros import lineage_job_name, lineage_job_namespace, lineage_run_id
        from airflow.sdk import get_current_context
        from openlineage.client.facet_v2 import parent_run

        ti = get_current_context()["ti"]
        return parent_run.ParentRunFacet(run=parent_run.Run(runId=lineage_run_id(ti)),
                                         job=parent_run.Job(namespace=lineage_job_namespace(), name=lineage_job_name(ti)))
    except Exception:  # not inside a task (CLI, tests), or no provider: the event simply has no parent
        return None


def dbt_environment(settings: Settings) -> dict[str, str]:
    """Environment of the build's dbt session (as `dbt-ol` reads it): the file transport, a stable job name and, inside an Airflow task,
    that task's run as the parent of the dbt run (OPENLINEAGE_PARENT_ID = namespace/job/run id)."""
    env = {**client_environment(settings), "OPENLINEAGE_DBT_JOB_NAME": "chanjiao.dbt_build"}
    if parent := _airflow_parent():
        env["OPENLINEAGE_PARENT_ID"] = f"{parent.job.namespace}/{parent.job.name}/{parent.run.runId}"
    return env


def emit(settings: Settings, job: str, inputs: list[dict], outputs: list[dict], started: dt.datetime) -> str:
    """A START and a COMPLETE event for one run of `job` reading `inputs` and writing `outputs`; returns the run id."""
    from openlineage.client import OpenLineageClient
    from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
    from openlineage.client.transport.file import FileConfig, FileTransport
    from openlineage.client.uuid import generate_new_uuid

    events_file(settings).parent.mkdir(parents=True, exist_ok=True)
    client = OpenLineageClient(transport=FileTransport(FileConfig(log_file_path=str(events_file(settings)), append=True)))
    parent = _airflow_parent()
    run = Run(runId=str(generate_new_uuid()), facets={"parent": parent} if parent else {})
    ol_job = Job(namespace=NAMESPACE, name=job)
    ins = [InputDataset(namespace=d["namespace"], name=d["name"]) for d in inputs]
    outs = [OutputDataset(namespace=d["namespace"], name=d["name"]) for d in outputs]
    client.emit(RunEvent(eventType=RunState.START, eventTime=started.isoformat(), run=run, job=ol_job, producer=PRODUCER, inputs=ins))
    client.emit(RunEvent(eventType=RunState.COMPLETE, eventTime=dt.datetime.now(dt.UTC).isoformat(), run=run, job=ol_job,
                         producer=PRODUCER, inputs=ins, outputs=outs))
    return run.runId


def emit_ingest(settings: Settings, outcomes: list[dict], started: dt.datetime) -> str | None:
    """The files one ingest read (their archived, content-addressed copies) and the raw tables it wrote:
    the ledger always (every attempt is a row), the kind's tables for accepted files."""
    if not outcomes:
        return None
    registry = kinds()
    inputs, tables = [], {"loads"}
    for o in outcomes:
        if o.get("sha256"):
            archived = archive.path_of(settings, o["sha256"], o["file"])
            if archived.exists():
                inputs.append(file_dataset(archived))
        if o["status"] == "accepted" and o.get("kind") in registry:
            tables.update(sheet.table for sheet in registry[o["kind"]].sheets)
    outputs = [table_dataset(settings, "raw", t) for t in sorted(tables)]
    try:
        return emit(settings, "chanjiao.ingest", inputs, outputs, started)
    except Exception:  # lineage must never fail a load that has committed
        log.warning("could not write the OpenLineage events of this ingest", exc_info=True)
        return None


def read_events(settings: Settings) -> list[dict]:
    path = events_file(settings)
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
