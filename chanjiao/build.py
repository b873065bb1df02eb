"""dbt on this home's warehouse: `dbt build` (models and tests) and the other dbt commands we run.

The caller (chanjiao.app) holds the writer lock and passes the OpenLineage environment for dbt-ol.
"""
from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

from chanjiao import children
from chanjiao.settings import DBT_PROJECT_DIR, Settings

log = logging.getLogger(__name__)


class BuildError(RuntimeError):
    pass


def dbt(settings: Settings, *args: str, stdout=None, lineage_env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run one dbt command on this home's warehouse; dbt's own log goes to stderr.

    With `lineage_env`, through the `dbt-ol` wrapper: after dbt finishes it reads the run's artifacts and
    writes an OpenLineage event per node (inputs and outputs) where that environment says.
    """
    bin_dir = Path(sys.executable).parent
    exe = bin_dir / ("dbt-ol" if lineage_env is not None else "dbt")
    cmd = [str(exe), *args, "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
           "--target-path", str(settings.dbt_target_dir), "--log-path", str(settings.dbt_target_dir / "logs")]
    env = settings.child_env(DBT_SEND_ANONYMOUS_USAGE_STATS="false")
    if lineage_env is not None:
        # dbt-ol starts `dbt` from PATH: make it this environment's
        env.update(lineage_env, PATH=f"{bin_dir}:{env.get('PATH', '')}")
    # never outlives this command (and the writer lock it holds): chanjiao.children
    return children.run(cmd, env=env, stdout=stdout or sys.stderr, stderr=subprocess.STDOUT, cwd=DBT_PROJECT_DIR)


def run_dbt_build(settings: Settings, target: str, lineage_env: dict[str, str]) -> None:
    """Models and data tests. dbt's unit tests check the formulas, not the data: they run in CI (the test
    suite), not in every production build."""
    if target == "duckdb":
        docs_site(settings).unlink(missing_ok=True)  # the site of an earlier build never outlives a new one
    result = dbt(settings, "build", "--target", target, "--exclude-resource-type", "unit_test", lineage_env=lineage_env)
    if result.returncode != 0:
        where = "on PostgreSQL " if target == "postgres" else ""
        raise BuildError(f"dbt build {where}failed (exit {result.returncode}); see the dbt log above or {settings.dbt_target_dir / 'logs'}")
    log.info("dbt build on %s done", target)


def docs_site(settings: Settings) -> Path:
    return settings.dbt_target_dir / "static_index.html"


def generate_docs_site(settings: Settings) -> Path:
    """The dbt documentation site of the warehouse as built, as one offline HTML file (manifest and catalog
    inside). Run right after the build, so the build's parse is reused and nothing is compiled again
    (`--no-compile`): a publish copies the file instead of starting dbt. The caller holds the writer
    lock (dbt-duckdb opens the warehouse for writing to read its catalog)."""
    result = dbt(settings, "docs", "generate", "--no-compile", "--static", "--target", "duckdb")
    if result.returncode != 0:
        raise BuildError(f"dbt docs generate failed (exit {result.returncode}); see the dbt log above or {settings.dbt_target_dir / 'logs'}")
    return docs_site(settings)
