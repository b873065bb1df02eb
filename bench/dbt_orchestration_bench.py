"""One `dbt build` task (chanjiao_build) versus astronomer-cosmos (one task per dbt node), on the demo month.

    .venv/bin/python bench/dbt_orchestration_bench.py                     # both, once each
    .venv/bin/python bench/dbt_orchestration_bench.py --test-behavior after_each
    .venv/bin/python bench/dbt_orchestration_bench.py --keep /tmp/dbtbench

Both run the same dbt project on the same warehouse (the demo month of 鹤壁市 ingested first) through
`airflow dags test` with a SQLite metadata DB: tasks run one after the other, which is also all that a
1-slot warehouse pool allows under any executor (DuckDB has one writer). (a) is the production DAG
`chanjiao_build`: one task, one `dbt build`. (b) is a cosmos `DbtDag` over the same project, loaded from
the manifest built ahead (`LoadMode.DBT_MANIFEST`), one `dbt build --select <node>` per task
(`TestBehavior.BUILD`, the closest to one `dbt build`), dbt run in-process (`InvocationMode.DBT_RUNNER`).
Printed: wall time of each `airflow dags test` command, the DAG run's own duration and task count, and
the ratio. The machine is shared: compare runs taken on a quiet machine.
"""
from __future__ import annotations

import argparse
import logging
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from chanjiao.settings import DAGS_DIR, DBT_PROJECT_DIR, Settings  # noqa: E402

AIRFLOW = Path(sys.executable).with_name("airflow")
DBT = Path(sys.executable).with_name("dbt")
PII_KEY = "dbt-orchestration-bench-key"

COSMOS_DAG = '''"""### cosmos over the chanjiao dbt project (bench only)."""
import pendulum
from airflow.sdk import dag  # noqa: F401  (Airflow first: cosmos imports it at import time)
from cosmos import DbtDag, ExecutionConfig, ProfileConfig, ProjectConfig, RenderConfig
from cosmos.constants import ExecutionMode, InvocationMode, LoadMode, TestBehavior

chanjiao_cosmos = DbtDag(
    dag_id="chanjiao_cosmos",
    project_config=ProjectConfig(dbt_project_path={project!r}, manifest_path={manifest!r}, project_name="chanjiao"),
    profile_config=ProfileConfig(profile_name="chanjiao", target_name="duckdb", profiles_yml_filepath={profiles!r}),
    execution_config=ExecutionConfig(execution_mode=ExecutionMode.LOCAL, invocation_mode=InvocationMode.{invocation},
                                     dbt_executable_path={dbt!r}),
    render_config=RenderConfig(load_method=LoadMode.DBT_MANIFEST, test_behavior=TestBehavior.{behavior}),
    operator_args={{"install_deps": False}},
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="Asia/Shanghai"),
    catchup=False,
    tags=["bench"],
    default_args={{"retries": 0}},
)
'''


def prepare(work: Path) -> Settings:
    """A home with the demo month ingested and a manifest parsed ahead (what cosmos loads)."""
    from chanjiao.app.ingest import ingest
    from chanjiao.build import dbt
    from chanjiao.demo.generate import generate

    settings = Settings(home=work / "home", pii_key=PII_KEY.encode())
    files = generate(settings.landing)
    outcomes = ingest(settings, [settings.landing])
    print(f"demo month: {len(files)} files, {sum(o['status'] == 'accepted' for o in outcomes)} accepted", flush=True)
    if dbt(settings, "parse", "--target", "duckdb", stdout=subprocess.DEVNULL).returncode != 0:
        sys.exit("dbt parse failed")
    return settings


def dags_test(work: Path, name: str, settings: Settings, dags_folder: Path, dag_id: str) -> dict:
    home = work / f"airflow_{name}"
    home.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, **settings.env(), "AIRFLOW_HOME": str(home), "AIRFLOW__CORE__DAGS_FOLDER": str(dags_folder),
           "AIRFLOW__CORE__LOAD_EXAMPLES": "False", "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
           "AIRFLOW__CORE__EXECUTOR": "LocalExecutor", "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
           "AIRFLOW__OPENLINEAGE__DISABLED": "True", "CHANJIAO_TASK_RETRIES": "0", "PYTHONPATH": str(REPO),
           # No usage reports from cosmos: they would time each task against the network.
           "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False", "DO_NOT_TRACK": "1"}
    log = open(work / f"{name}.log", "wb")
    subprocess.run([str(AIRFLOW), "db", "migrate"], env=env, stdout=log, stderr=subprocess.STDOUT, check=True)
    started = time.perf_counter()
    result = subprocess.run([str(AIRFLOW), "dags", "test", dag_id], env=env, stdout=log, stderr=subprocess.STDOUT)
    wall = time.perf_counter() - started
    with sqlite3.connect(home / "airflow.db") as db:
        state, seconds = db.execute("select state, (julianday(end_date) - julianday(start_date)) * 86400 from dag_run "
                                    "where dag_id = ? order by id desc limit 1", (dag_id,)).fetchone()
        tasks = dict(db.execute("select state, count(*) from task_instance where dag_id = ? group by state", (dag_id,)).fetchall())
    if result.returncode != 0 or state != "success":
        sys.exit(f"{name}: `airflow dags test {dag_id}` ended {result.returncode}, run {state}, tasks {tasks}; see {work / (name + '.log')}")
    return {"wall": wall, "run": seconds, "tasks": sum(tasks.values())}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--test-behavior", default="build", choices=["build", "after_each", "after_all", "none"])
    ap.add_argument("--invocation", default="dbt_runner", choices=["dbt_runner", "subprocess"])
    ap.add_argument("--keep", type=Path, help="keep the work folder here")
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    work = args.keep or Path(tempfile.mkdtemp(prefix="chanjiao-dbtbench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        settings = prepare(work)
        cosmos_dags = work / "cosmos_dags"
        cosmos_dags.mkdir(exist_ok=True)
        (cosmos_dags / "chanjiao_cosmos.py").write_text(COSMOS_DAG.format(
            project=str(DBT_PROJECT_DIR), manifest=str(settings.dbt_target_dir / "manifest.json"),
            profiles=str(DBT_PROJECT_DIR / "profiles.yml"), dbt=str(DBT),
            invocation=args.invocation.upper(), behavior=args.test_behavior.upper()), encoding="utf-8")
        print(f"CPUs: {os.cpu_count()}; load average {os.getloadavg()[0]:.1f}", flush=True)
        one = dags_test(work, "one_task", settings, DAGS_DIR, "chanjiao_build")
        print(f"(a) one dbt build task (chanjiao_build): {one['wall']:.1f} s wall, DAG run {one['run']:.1f} s, {one['tasks']} task", flush=True)
        cos = dags_test(work, "cosmos", settings, cosmos_dags, "chanjiao_cosmos")
        print(f"(b) cosmos DbtDag ({args.test_behavior}, {args.invocation}): {cos['wall']:.1f} s wall, DAG run {cos['run']:.1f} s, "
              f"{cos['tasks']} tasks", flush=True)
        print(f"cosmos / one task: {cos['wall'] / one['wall']:.2f}× wall, {cos['run'] / one['run']:.2f}× DAG run")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
