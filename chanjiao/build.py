"""Build the warehouse: one `dbt build` (models and tests), then publish the read-only marts copy."""
from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from pathlib import Path

from chanjiao import children, warehouse
from chanjiao.settings import DBT_PROJECT_DIR, Settings

log = logging.getLogger(__name__)


class BuildError(RuntimeError):
    pass


def dbt(settings: Settings, *args: str, stdout=None, lineage: bool = False) -> subprocess.CompletedProcess:
    """Run one dbt command on this home's warehouse; dbt's own log goes to stderr.

    With `lineage`, through the `dbt-ol` wrapper: after dbt finishes it reads the run's artifacts and
    writes an OpenLineage event per node (inputs and outputs) to $CHANJIAO_HOME/lineage/ (chanjiao.lineage.openlineage).
    """
    from chanjiao.lineage.openlineage import dbt_environment

    bin_dir = Path(sys.executable).parent
    exe = bin_dir / ("dbt-ol" if lineage else "dbt")
    cmd = [str(exe), *args, "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
           "--target-path", str(settings.dbt_target_dir), "--log-path", str(settings.dbt_target_dir / "logs")]
    env = {**os.environ, **settings.env(), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    if lineage:
        # dbt-ol starts `dbt` from PATH: make it this environment's
        env.update(dbt_environment(settings), PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}")
    # never outlives this command (and the writer lock it holds): chanjiao.children
    return children.run(cmd, env=env, stdout=stdout or sys.stderr, stderr=subprocess.STDOUT, cwd=DBT_PROJECT_DIR)


def build(settings: Settings, target: str = "duckdb") -> dict:
    """`dbt build` on DuckDB (then the marts copy is published), or on PostgreSQL from a mirror of raw."""
    warehouse.init(settings)
    started = time.monotonic()
    if target == "postgres":
        from chanjiao.postgres import mirror_raw

        mirror_raw(settings)
        result = dbt(settings, "build", "--target", "postgres", lineage=True)
        if result.returncode != 0:
            raise BuildError(f"dbt build on PostgreSQL failed (exit {result.returncode}); see the dbt log above")
        return {"status": "built", "target": target, "seconds": round(time.monotonic() - started, 1)}
    with warehouse.writer_lock(settings):
        result = dbt(settings, "build", "--target", "duckdb", lineage=True)
        if result.returncode != 0:
            raise BuildError(f"dbt build failed (exit {result.returncode}); see the dbt log above or {settings.dbt_target_dir / 'logs'}")
        copy = warehouse.publish_marts_copy(settings)
    seconds = round(time.monotonic() - started, 1)
    log.info("warehouse built in %.1f s; marts published to %s", seconds, copy)
    return {"status": "built", "target": target, "seconds": seconds, "marts": str(copy), "manifest": str(settings.dbt_target_dir / "manifest.json")}
