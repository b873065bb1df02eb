"""One Python process for a build's dbt work: parse once, then `dbt build`, its OpenLineage events and the
docs site on that one parse.

Started by chanjiao.build as `python -m chanjiao.dbt_session SPEC`, under chanjiao.children (it never
outlives the command holding the writer lock). It replaces `dbt-ol build` (an interpreter that starts
another one to run dbt) followed by `dbt docs generate` (a third, parsing the project again): each of those
interpreters spent ~3 s importing dbt and the docs one ~2 s re-reading the project.

SPEC is a JSON object:
  common: arguments every dbt command takes (--project-dir, --profiles-dir, --target-path, --log-path, --target)
  steps:  dbt commands to run in turn on the parsed manifest, e.g. ["build", "--exclude-resource-type",
          "unit_test"]; the first that fails ends the session (exit 1)
  lineage: {step, namespace, job_name}: the step whose run gets OpenLineage events (what dbt-ol sent) and
          their job, or null
  console_log: where dbt's own output goes (the terminal gets progress lines and what failed)
  warehouse: the warehouse's absolute path, named in the lineage datasets (dbt itself is given a path
          relative to the working directory, so that its parse state does not depend on the home: see
          chanjiao.build.parse_cache)
"""
from __future__ import annotations

import json
import logging
import os
import sys
import time
from pathlib import Path

log = logging.getLogger("chanjiao.dbt_session")


def _lineage(common: list[str], lineage: dict, warehouse: str, started: float, succeeded: bool) -> None:
    """What `dbt-ol` sends after a dbt command: a START and an end event for the dbt run (under the Airflow
    task that started us, when there is one) and, from run_results.json and manifest.json, an event per
    node naming the tables it read and wrote. Uses the OpenLineage dbt integration's own processor; the
    transport and the parent run come from the environment the parent process gave us, as for dbt-ol."""
    from openlineage.client.client import OpenLineageClient
    from openlineage.client.event_v2 import Job, Run, RunEvent, RunState
    from openlineage.client.uuid import generate_new_uuid
    from openlineage.common.provider.dbt import DbtLocalArtifactProcessor, ParentRunMetadata
    from openlineage.common.provider.dbt.utils import PRODUCER, get_parent_run_metadata

    class Processor(DbtLocalArtifactProcessor):
        def get_dbt_metadata(self):
            # datasets are named after the warehouse's real path, not the relative one dbt was given
            manifest, run_result, profile, catalog = super().get_dbt_metadata()
            return manifest, run_result, {**profile, "path": warehouse} if profile.get("type") == "duckdb" else profile, catalog

    def arg(name: str) -> str:
        return common[common.index(name) + 1]

    namespace = lineage["namespace"]
    processor = Processor(
        producer=PRODUCER, target=arg("--target"), target_path=arg("--target-path"), job_namespace=namespace,
        project_dir=arg("--project-dir"), profile_name=None, logger=log, models=[], selector=None,
        openlineage_job_name=lineage["job_name"])
    if Path(processor.run_result_path).stat().st_mtime < started:
        log.warning("no OpenLineage events: dbt wrote no run_results.json")
        return
    parent = get_parent_run_metadata()
    run_id = str(generate_new_uuid())

    def event(state: RunState, when: float) -> RunEvent:
        return RunEvent(eventType=state, eventTime=_iso(when), producer=PRODUCER,
                        run=Run(runId=run_id, facets={"parent": parent.to_openlineage()} if parent else {}),
                        job=Job(namespace=parent.job_namespace if parent else namespace, name=processor.job_name))

    start = event(RunState.START, started)
    # the nodes hang under this dbt run, and under the root of the orchestrator's run when it gave one
    root = parent if parent and parent.root_parent_run_id else None
    processor.dbt_run_metadata = ParentRunMetadata(
        run_id=run_id, job_name=start.job.name, job_namespace=start.job.namespace,
        root_parent_run_id=root.root_parent_run_id if root else (parent.run_id if parent else run_id),
        root_parent_job_name=root.root_parent_job_name if root else (parent.job_name if parent else start.job.name),
        root_parent_job_namespace=root.root_parent_job_namespace if root else (parent.job_namespace if parent else start.job.namespace))
    nodes = processor.parse().events()
    end = event(RunState.COMPLETE if succeeded else RunState.FAIL, time.time())
    client = OpenLineageClient()
    for e in (start, *nodes, end):
        client.emit(e)
    client.close(timeout=30)
    log.info("%d OpenLineage events written", len(nodes) + 2)


def _iso(when: float) -> str:
    import datetime as dt
    return dt.datetime.fromtimestamp(when, dt.UTC).isoformat()


def _progress(terminal, step: str):
    """A dbt callback: a line on the terminal every 25 nodes, so a long build shows it is moving."""
    done = 0

    def on_event(event) -> None:
        nonlocal done
        if event.info.name == "NodeFinished":
            done += 1
            if done % 25 == 0:
                print(f"dbt {step}: {done} nodes done", file=terminal, flush=True)
    return on_event


def _failures(result, terminal) -> None:
    """What failed, in a few lines (dbt's full output is in the console log)."""
    if result.exception is not None:
        print(f"dbt stopped: {type(result.exception).__name__}: {str(result.exception).splitlines()[0] if str(result.exception) else ''}",
              file=terminal)
        return
    failed = [r for r in getattr(result.result, "results", []) or [] if str(r.status) in ("error", "fail", "runtime error")]
    for r in failed[:5]:
        print(f"dbt: {r.node.resource_type} {r.node.name} {r.status}: {(r.message or '').strip().splitlines()[0] if r.message else ''}",
              file=terminal)
    if len(failed) > 5:
        print(f"dbt: and {len(failed) - 5} more", file=terminal)


def main(argv: list[str]) -> int:
    spec = json.loads(argv[0])
    # dbt's own output (its console log, any traceback of its own) goes to a file; the terminal gets
    # progress and, on failure, what failed: never a traceback (a full disk, a broken model)
    terminal = open(os.dup(2), "w", encoding="utf-8", buffering=1, closefd=True)  # noqa: SIM115 (open for the process's life)
    console = os.open(spec["console_log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
    os.dup2(console, 1)
    os.dup2(console, 2)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    # a log line that cannot be written (on a full disk) is dropped, not printed with a traceback: the
    # failure itself is what dbt and then chanjiao report
    logging.raiseExceptions = False
    from dbt.cli.main import dbtRunner

    common = spec["common"]
    parsed = dbtRunner().invoke(["parse", *common])
    if not parsed.success:
        _failures(parsed, terminal)
        return 1
    manifest = parsed.result
    for i, step in enumerate(spec["steps"]):
        started = time.time()
        result = dbtRunner(manifest=manifest, callbacks=[_progress(terminal, "docs generate" if step[0] == "docs" else step[0])]).invoke([*step, *common])
        if spec["lineage"] and spec["lineage"]["step"] == i:
            _lineage(common, spec["lineage"], spec["warehouse"], started, result.success)
        if not result.success:
            _failures(result, terminal)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
