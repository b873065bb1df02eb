"""The generated month (test_full_month.generate) ingested and built once per run: test_full_month and
test_trace_recompute both read it, neither changes it (the PostgreSQL build only reads the warehouse)."""
from __future__ import annotations

import hashlib
import time

import pytest

from chanjiao.demo import factory as fx
from ingestion.registry import kinds
from tests.conftest import run_cli, set_received


@pytest.fixture(scope="session")
def generated_month(tmp_path_factory):
    from tests.warehouse.test_full_month import PERIOD, TIMINGS, Expected, generate, read_targets

    home = tmp_path_factory.mktemp("home")
    inbox = tmp_path_factory.mktemp("inbox")
    g = generate()
    registry = kinds()
    for f in g.files:
        path = fx.write(registry[f.kind], inbox / f.name, f.data)
        set_received(path, f.received)
        f.sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
    started = time.monotonic()
    ingest = run_cli(home, "ingest", str(inbox), "--period", PERIOD, "--json")
    TIMINGS["ingest"] = time.monotonic() - started
    assert ingest.returncode in (0, 3), ingest.stderr[-3000:]
    started = time.monotonic()
    build = run_cli(home, "build", "--json")
    TIMINGS["build_duckdb"] = time.monotonic() - started
    assert build.returncode == 0, build.stderr[-3000:]
    print(f"\n[full month] {len(g.files)} files; ingest {TIMINGS['ingest']:.1f} s; "
          f"chanjiao build on DuckDB {TIMINGS['build_duckdb']:.1f} s wall (dbt build {build.data['seconds']} s)")
    return {"home": home, "generator": g, "ingest": ingest, "expected": Expected(g.files), "targets": read_targets()}
