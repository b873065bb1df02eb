"""A real Airflow deployment on this machine: scheduler, dag-processor and api-server as processes.

This is Airflow as production runs it (docker-compose.yml), minus the containers: the PostgreSQL
metadata DB, the LocalExecutor (or the CeleryExecutor with a local Redis broker and `airflow celery
worker`), tasks talking to the api-server's Execution API, our dags/ folder. Runs are driven with the
airflow CLI and the REST API, and their states read back from the metadata DB. The airflow_prod tests
and bench/airflow_ingest_bench.py share it.
"""
from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from chanjiao.settings import DAGS_DIR, REPO_ROOT

PG_HOST, PG_PORT, PG_USER = "127.0.0.1", 5432, "postgres"
REDIS_URL = "redis://127.0.0.1:6379"
AIRFLOW = Path(sys.executable).with_name("airflow")
FINISHED = {"success", "failed"}
# The PII key of the synthetic test people; never a real deployment's key.
PII_KEY = "airflow-prod-test-key"


def postgres_error() -> str | None:
    """None when the local PostgreSQL answers, else why not (the caller skips or fails on it)."""
    try:
        import psycopg2

        psycopg2.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres", connect_timeout=5).close()
        return None
    except Exception as exc:  # any reason: not installed, not running, auth refused
        return f"PostgreSQL at {PG_HOST}:{PG_PORT} (user {PG_USER}) is not usable: {exc}"


def redis_error(db: int) -> str | None:
    try:
        import redis

        redis.Redis.from_url(f"{REDIS_URL}/{db}", socket_connect_timeout=5).ping()
        return None
    except Exception as exc:
        return f"Redis at {REDIS_URL}/{db} is not usable: {exc}"


def recreate_database(name: str) -> None:
    """Drop and create one PostgreSQL database, so every session starts from an empty metadata DB."""
    import psycopg2

    con = psycopg2.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres")
    con.autocommit = True
    with con.cursor() as cur:
        cur.execute(f'drop database if exists "{name}" with (force)')
        cur.execute(f'create database "{name}"')
    con.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class AirflowCluster:
    """One Airflow installation under `root`, its metadata DB `database`, our dags/ folder."""

    def __init__(self, root: Path, database: str, chanjiao_home: Path, executor: str = "LocalExecutor",
                 dags_folder: Path = DAGS_DIR, extra_env: dict[str, str] | None = None):
        self.root = root
        self.database = database
        self.chanjiao_home = chanjiao_home
        self.executor = executor
        self.port = free_port()
        self.processes: dict[str, subprocess.Popen] = {}
        root.mkdir(parents=True, exist_ok=True)
        self.env = {
            **os.environ,
            "AIRFLOW_HOME": str(root / "airflow"),
            "AIRFLOW__CORE__EXECUTOR": executor,
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"postgresql+psycopg2://{PG_USER}@{PG_HOST}:{PG_PORT}/{database}",
            "AIRFLOW__CORE__DAGS_FOLDER": str(dags_folder),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
            # Tasks reach the api-server's Execution API; every component must sign tokens alike.
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{self.port}/execution/",
            "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{self.port}",
            "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_hex(32),
            "AIRFLOW__API__SECRET_KEY": secrets.token_hex(16),
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
            "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(root / "airflow" / "logs"),
            # Log servers on free ports: other Airflow installations may run on this machine.
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
            "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port()),
            # Small intervals so a test sees new DAG files and finished tasks within seconds.
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
            "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "10",
            "AIRFLOW__DAG_PROCESSOR__PARSING_PROCESSES": "1",
            "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "2",
            "AIRFLOW__SCHEDULER__JOB_HEARTBEAT_SEC": "2",
            "AIRFLOW__SCHEDULER__SCHEDULER_IDLE_SLEEP_TIME": "0.5",
            # Two CPUs shared with other work: a few parallel tasks at most.
            "AIRFLOW__CORE__PARALLELISM": "4",
            "AIRFLOW__OPENLINEAGE__DISABLED": "True",
            "CHANJIAO_HOME": str(chanjiao_home),
            "CHANJIAO_PII_KEY": PII_KEY,
            # A failure surfaces at once rather than after retry delays.
            "CHANJIAO_TASK_RETRIES": "0",
            # Tests and the bench write landing whole, then trigger at once: no upload to wait for.
            "CHANJIAO_LANDING_SETTLE_SECONDS": "0",
            "PYTHONPATH": str(REPO_ROOT),
            **(extra_env or {}),
        }

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self, components: tuple[str, ...] = ("api-server", "dag-processor", "scheduler")) -> None:
        recreate_database(self.database)
        self.airflow("db", "migrate", timeout=900)
        # DuckDB allows one writer process: the DAGs' warehouse-writing tasks take this single slot.
        self.airflow("pools", "set", "chanjiao_warehouse", "1", "DuckDB warehouse: one writer at a time")
        for name in components:
            self.spawn(name)
        self.wait_healthy()

    def spawn(self, name: str, *args: str) -> subprocess.Popen:
        """Start one long-running airflow component; its output goes to root/<name>.log."""
        command = {"api-server": ["api-server", "--host", "127.0.0.1", "--port", str(self.port), "--workers", "1"],
                   "dag-processor": ["dag-processor"], "scheduler": ["scheduler"], "triggerer": ["triggerer"],
                   # As compose's airflow-worker-warehouse: the `warehouse` queue only, one task at a time.
                   "celery-worker": ["celery", "worker", "--queues", "warehouse", "--concurrency", "1"]}[name]
        log = open(self.root / f"{name}.log", "ab")
        # Own process group, so stop() ends the component and the children it forks.
        proc = subprocess.Popen([str(AIRFLOW), *command, *args], env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                cwd=self.root, start_new_session=True)
        self.processes[name] = proc
        return proc

    def stop(self) -> None:
        for proc in reversed(list(self.processes.values())):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 30
        for proc in self.processes.values():
            try:
                proc.wait(timeout=max(1.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        self.processes.clear()

    def __enter__(self) -> AirflowCluster:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def check_alive(self) -> None:
        dead = {name: proc.returncode for name, proc in self.processes.items() if proc.poll() is not None}
        if dead:
            raise RuntimeError(f"airflow components exited: {dead}\n{self.component_logs()}")

    def component_logs(self, tail: int = 3000) -> str:
        return "\n".join(f"--- {p.name} (last {tail} chars) ---\n{p.read_text(errors='replace')[-tail:]}"
                         for p in sorted(self.root.glob("*.log")))

    def wait_healthy(self, timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.check_alive()
            try:
                health = self.api("GET", "/api/v2/monitor/health", auth=False)
                if health["metadatabase"]["status"] == "healthy":
                    return
            except OSError:
                pass
            time.sleep(2)
        raise TimeoutError(f"api-server not healthy within {timeout} s\n{self.component_logs()}")

    # -- driving -----------------------------------------------------------------------------

    def airflow(self, *args: str, timeout: float = 300, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run([str(AIRFLOW), *args], env=self.env, capture_output=True, text=True, timeout=timeout, cwd=self.root)
        if check and result.returncode != 0:
            raise RuntimeError(f"`airflow {' '.join(args)}` exited {result.returncode}:\n{result.stdout[-3000:]}\n{result.stderr[-5000:]}")
        return result

    def token(self) -> str:
        # SimpleAuthManager with all_admins hands out an admin token without credentials.
        if not getattr(self, "_token", None):
            self._token = self.api("GET", "/auth/token", auth=False)["access_token"]
        return self._token

    def api(self, method: str, path: str, body: dict | None = None, auth: bool = True, timeout: float = 60):
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if auth:
            headers["Authorization"] = f"Bearer {self.token()}"
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", method=method, headers=headers,
                                         data=json.dumps(body).encode() if body is not None else None)
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - the http://127.0.0.1 URL built just above
            return json.loads(response.read() or b"null")

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        """Read the metadata DB directly: the one source of truth for run and task states."""
        import psycopg2

        con = psycopg2.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname=self.database)
        try:
            with con.cursor() as cur:
                cur.execute(sql, params)
                return cur.fetchall()
        finally:
            con.close()

    def wait_parsed(self, dag_ids: list[str], timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.check_alive()
            found = {d for (d,) in self.query("select dag_id from dag where not is_stale and dag_id = any(%s)", (list(dag_ids),))}
            if found == set(dag_ids):
                return
            time.sleep(2)
        errors = self.query("select filename, stacktrace from import_error")
        raise TimeoutError(f"DAGs {dag_ids} not parsed within {timeout} s; import errors: {errors}\n{self.component_logs()}")

    def unpause(self, dag_id: str) -> None:
        self.airflow("dags", "unpause", dag_id)

    def trigger(self, dag_id: str, conf: dict | None = None, logical_date: str | None = None) -> str:
        """Trigger through the REST API, as an operator's script would; returns the run id."""
        body = {"logical_date": logical_date, "conf": conf or {}}
        return self.api("POST", f"/api/v2/dags/{dag_id}/dagRuns", body)["dag_run_id"]

    def runs(self, dag_id: str) -> list[dict]:
        rows = self.query("select run_id, state, run_type, logical_date, conf, backfill_id, start_date, end_date "
                          "from dag_run where dag_id = %s order by id", (dag_id,))
        keys = ("run_id", "state", "run_type", "logical_date", "conf", "backfill_id", "start_date", "end_date")
        return [dict(zip(keys, row)) for row in rows]

    def task_states(self, dag_id: str, run_id: str) -> dict[str, str]:
        rows = self.query("select task_id, map_index, state from task_instance where dag_id = %s and run_id = %s", (dag_id, run_id))
        return {(t if m < 0 else f"{t}[{m}]"): s for t, m, s in rows}

    def wait_runs(self, dag_id: str, count: int, timeout: float = 900, where=lambda run: True) -> list[dict]:
        """Wait until `count` runs of `dag_id` (matching `where`) have finished; fail with the task logs otherwise."""
        deadline = time.monotonic() + timeout
        while True:
            self.check_alive()
            runs = [r for r in self.runs(dag_id) if where(r)]
            done = [r for r in runs if r["state"] in FINISHED]
            if len(done) >= count:
                break
            if time.monotonic() > deadline:
                raise TimeoutError(f"{dag_id}: {len(done)}/{count} runs finished within {timeout} s: "
                                   f"{[(r['run_id'], r['state']) for r in runs]}\n{self.task_logs(dag_id)}\n{self.component_logs()}")
            time.sleep(2)
        failed = [r for r in done if r["state"] != "success"]
        if failed:
            raise AssertionError(f"{dag_id}: runs failed: {[r['run_id'] for r in failed]}\n{self.task_logs(dag_id)}")
        return done

    def wait_run(self, dag_id: str, run_id: str, timeout: float = 900) -> dict:
        return self.wait_runs(dag_id, 1, timeout, where=lambda r: r["run_id"] == run_id)[0]

    def xcom(self, dag_id: str, run_id: str, task_id: str, map_index: int = -1):
        """A task's return value, through the REST API."""
        entry = self.api("GET", f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}/xcomEntries/return_value"
                                f"?map_index={map_index}&deserialize=true")
        return entry["value"]

    def ingest_outcomes(self, run_id: str) -> list[dict]:
        """Every per-file outcome of one chanjiao_ingest run: the results of its mapped ingest_chunk tasks."""
        indexes = [i for (i,) in self.query("select map_index from task_instance where dag_id = 'chanjiao_ingest' and run_id = %s "
                                            "and task_id = 'ingest_chunk' and state = 'success' order by map_index", (run_id,))]
        return [o for i in indexes for o in self.xcom("chanjiao_ingest", run_id, "ingest_chunk", i)]

    def task_logs(self, dag_id: str, tail: int = 4000) -> str:
        """The task logs written by the workers (LocalExecutor and Celery workers share this machine)."""
        logs = sorted((self.root / "airflow" / "logs" / f"dag_id={dag_id}").rglob("*.log"))
        return "\n".join(f"--- {p.relative_to(self.root)} ---\n{p.read_text(errors='replace')[-tail:]}" for p in logs) or f"(no task logs for {dag_id})"
