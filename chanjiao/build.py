"""dbt on this home's warehouse: `dbt build` (models and tests) and the other dbt commands we run.

The caller (chanjiao.app) holds the writer lock and passes the OpenLineage environment of the build.
"""
from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import json
import logging
import shutil
import subprocess
import sys
from pathlib import Path

from chanjiao import children
from chanjiao.files import write_atomic
from chanjiao.settings import DBT_PROJECT_DIR, Settings

log = logging.getLogger(__name__)


class BuildError(RuntimeError):
    pass


def dbt(settings: Settings, *args: str, stdout=None) -> subprocess.CompletedProcess:
    """Run one dbt command on this home's warehouse (the tests' dbt unit tests, `docs generate` with
    compiled SQL); dbt's own log goes to `stdout` (default stderr). Builds go through `_session`."""
    cmd = [str(Path(sys.executable).parent / "dbt"), *args, "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
           "--target-path", str(settings.dbt_target_dir), "--log-path", str(settings.dbt_target_dir / "logs")]
    env = settings.child_env(DBT_SEND_ANONYMOUS_USAGE_STATS="false")
    # never outlives this command (and the writer lock it holds): chanjiao.children
    return children.run(cmd, env=env, stdout=stdout or sys.stderr, stderr=subprocess.STDOUT, cwd=DBT_PROJECT_DIR)


def _session(settings: Settings, target: str, steps: list[list[str]], lineage_env: dict[str, str] | None) -> int:
    """Run dbt `steps` on one parse in one process (chanjiao.dbt_session); the first step gets the
    OpenLineage events when `lineage_env` says where they go.

    dbt is given the warehouse by its file name, from the warehouse's folder as working directory: dbt's
    record of the parse (partial_parse.msgpack) is then the same for every home, and a new home's first
    build starts from the cached one (Settings.dbt_parse_cache) instead of parsing the project afresh."""
    target_dir = settings.dbt_target_dir
    (target_dir / "logs").mkdir(parents=True, exist_ok=True)
    _seed_parse(settings)
    spec = {"common": ["--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(target_dir),
                       "--log-path", str(target_dir / "logs"), "--target", target, *_vars(settings)],
            "steps": steps, "warehouse": str(settings.warehouse), "console_log": str(console_log(settings)),
            "lineage": {"step": 0, "namespace": lineage_env.get("OPENLINEAGE_NAMESPACE", "dbt"), "job_name": lineage_env.get("OPENLINEAGE_DBT_JOB_NAME")}
            if lineage_env is not None else None}
    env = settings.child_env(DBT_SEND_ANONYMOUS_USAGE_STATS="false", CHANJIAO_WAREHOUSE=settings.warehouse.name, **(lineage_env or {}))
    # never outlives this command (and the writer lock it holds): chanjiao.children
    result = children.run([sys.executable, "-m", "chanjiao.dbt_session", json.dumps(spec)], env=env, stdout=sys.stderr,
                          stderr=subprocess.STDOUT, cwd=settings.warehouse.parent)
    _keep_parse(settings)
    return result.returncode


def _vars(settings: Settings) -> list[str]:
    """dbt vars from the settings; none when they are dbt_project.yml's defaults, so the usual build keeps
    the cached parse (dbt parses afresh when the vars change)."""
    if settings.small_cell_units == Settings.small_cell_units:
        return []
    return ["--vars", json.dumps({"small_cell_units": settings.small_cell_units})]


def console_log(settings: Settings) -> Path:
    """What dbt printed during the last build (dbt.log beside it has the debug detail)."""
    return settings.dbt_target_dir / "logs" / "console.log"


def _cached_parse(settings: Settings) -> Path | None:
    if settings.dbt_parse_cache is None:
        return None
    version = importlib.metadata.version("dbt-core")  # not dbt.version: importing dbt is the session's
    # a parse names its project's folder (root_path): one cache per dbt version and project checkout
    project = hashlib.sha256(str(DBT_PROJECT_DIR).encode()).hexdigest()[:16]
    return settings.dbt_parse_cache / version / project / "partial_parse.msgpack"


def _seed_parse(settings: Settings) -> None:
    mine, cached = settings.dbt_target_dir / "partial_parse.msgpack", _cached_parse(settings)
    if cached is not None and cached.is_file() and not mine.exists():
        with contextlib.suppress(OSError):  # a cache we cannot read only costs a full parse
            shutil.copyfile(cached, mine)


def _keep_parse(settings: Settings) -> None:
    mine, cached = settings.dbt_target_dir / "partial_parse.msgpack", _cached_parse(settings)
    if cached is None or not mine.is_file():
        return
    data = mine.read_bytes()
    if cached.is_file() and cached.read_bytes() == data:
        return  # the usual case: the parse this build started from
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(cached, data)  # whole or not at all: other builds may be reading it
    except OSError as err:
        log.info("dbt parse not cached in %s: %s", cached.parent, err)


def run_dbt_build(settings: Settings, target: str, lineage_env: dict[str, str]) -> None:
    """Models and data tests, with their OpenLineage events; on DuckDB also the docs site of the warehouse
    as built (docs_site), from the same parse. dbt's unit tests check the formulas, not the data: they run
    in CI (the test suite), not in every production build."""
    steps = [["build", "--exclude-resource-type", "unit_test"]]
    if target == "duckdb":
        docs_site(settings).unlink(missing_ok=True)  # the site of an earlier build never outlives a new one
        # the catalog is read from the warehouse just built; nothing is compiled again
        steps.append(["docs", "generate", "--no-compile", "--static"])
    returncode = _session(settings, target, steps, lineage_env)
    if returncode != 0:
        where = "on PostgreSQL " if target == "postgres" else ""
        raise BuildError(f"dbt build {where}failed (exit {returncode}); dbt's output is in {console_log(settings)}")
    log.info("dbt build on %s done", target)


def docs_site(settings: Settings) -> Path:
    return settings.dbt_target_dir / "static_index.html"


def generate_docs_site(settings: Settings) -> Path:
    """The dbt documentation site of the warehouse as built, as one offline HTML file (manifest and catalog
    inside), for a home built before builds wrote it. The caller holds the writer lock (dbt-duckdb opens
    the warehouse for writing to read its catalog)."""
    if _session(settings, "duckdb", [["docs", "generate", "--no-compile", "--static"]], None) != 0:
        raise BuildError(f"dbt docs generate failed; dbt's output is in {console_log(settings)}")
    return docs_site(settings)
