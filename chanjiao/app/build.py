"""Build: `chanjiao build` and the build DAG — dbt (with its OpenLineage events and docs site), the marts copy, and the
stamp of what the build was made from, so `build_if_stale` knows whether the marts are current."""
from __future__ import annotations

import json
import time

from chanjiao import ledger, marts, postgres, warehouse
from chanjiao.app._home import writing
from chanjiao.build import run_dbt_build
from chanjiao.lineage.openlineage import dbt_environment
from chanjiao.settings import Settings
from chanjiao.version import code_version


def _stamp(settings: Settings) -> dict:
    """What a build is built from: every load in the ledger (any status: rejections change collection
    status too) and the code version."""
    with warehouse.connect(settings, read_only=True) as con:
        count, latest = ledger.summary(con)
    return {"loads": count, "latest_ingested_at": latest, "code_version": code_version()}


def stamp_file(settings: Settings):
    return settings.dbt_target_dir / "built_from.json"


def _build(settings: Settings, target: str) -> dict:
    started = time.monotonic()
    if target == "postgres":
        postgres.mirror_raw(settings)
        run_dbt_build(settings, "postgres", dbt_environment(settings))
        return {"status": "built", "target": target, "seconds": round(time.monotonic() - started, 1)}
    stamp = _stamp(settings)
    # with the release's docs/index.html, made once per build, not at every publish
    run_dbt_build(settings, "duckdb", dbt_environment(settings))
    copy = marts.publish_copy(settings)
    stamp_file(settings).write_text(json.dumps(stamp), encoding="utf-8")
    return {"status": "built", "target": target, "seconds": round(time.monotonic() - started, 1), "marts": str(copy),
            "manifest": str(settings.dbt_target_dir / "manifest.json")}


def build(settings: Settings, target: str = "duckdb") -> dict:
    """`dbt build` on DuckDB (then the marts copy is published), or on PostgreSQL from a mirror of raw."""
    with writing(settings, "build", target=target):
        return _build(settings, target)


def build_if_stale(settings: Settings) -> dict:
    """Build unless the marts copy was built from exactly the loads and code there are now."""
    with writing(settings, "build if stale"):
        stamp = stamp_file(settings)
        if settings.marts_copy.exists() and stamp.exists() and json.loads(stamp.read_text(encoding="utf-8")) == _stamp(settings):
            return {"status": "current"}
        return _build(settings, "duckdb")

