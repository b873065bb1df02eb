"""Shared fixtures: an isolated $CHANJIAO_HOME, the CLI as a user runs it, and builders of real files.

Also the test lanes (markers registered in pyproject.toml): which tests need dbt, PostgreSQL, Airflow
or a browser, and how the suite is spread over xdist workers (see the end of this file).
"""
from __future__ import annotations

import atexit
import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from stdnum.cn import ric, uscc

PII_KEY = "test-key-for-pseudonymisation"
CLI = Path(sys.executable).with_name("chanjiao")


def make_uscc(region: str, serial: int) -> str:
    body = f"91{region}MA{serial:07d}"
    return body + uscc.calc_check_digit(body)


def make_id_number(region: str, serial: int) -> str:
    body = f"{region}19900101{serial:03d}"
    return body + ric.calc_check_digit(body + "0")  # stdnum expects a placeholder check digit


def set_received(path: Path, when: str) -> Path:
    """Receipt time = the file's modification time in landing (Asia/Shanghai wall time here)."""
    ts = dt.datetime.fromisoformat(when).replace(tzinfo=ZoneInfo("Asia/Shanghai")).timestamp()
    os.utime(path, (ts, ts))
    return path


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "home"
    monkeypatch.setenv("CHANJIAO_HOME", str(path))
    monkeypatch.setenv("CHANJIAO_PII_KEY", PII_KEY)
    return path


def run_cli(home: Path, *args: str, key: str | None = PII_KEY, check_json: bool = True) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("CHANJIAO_PII_KEY",)}
    env["CHANJIAO_HOME"] = str(home)
    if key:
        env["CHANJIAO_PII_KEY"] = key
    result = subprocess.run([str(CLI), *args], env=env, capture_output=True, text=True, timeout=600)
    if check_json and "--json" in args and result.returncode in (0, 3):
        result.data = json.loads(result.stdout)  # stdout holds one JSON document and nothing else
    return result


def ingest_here(home: Path, *paths: Path, period: str | None = None, **env: str) -> list[dict]:
    """`chanjiao ingest` through the use case the CLI calls (chanjiao.app.ingest), in this process: the
    same road (lock, archive, read in isolated workers, gate, load, lineage) without a new interpreter
    importing Great Expectations (~8 s) on every call. For setting up months and for the gate's rules;
    what the command line itself does (exit codes, one-line errors, signals) is tested with run_cli.
    Returns the outcomes `chanjiao ingest --json` prints; `env` adds CHANJIAO_* settings."""
    from chanjiao import settings as config
    from chanjiao.app.ingest import ingest

    config.prepare_process()
    settings = config.load({**os.environ, "CHANJIAO_HOME": str(home), "CHANJIAO_PII_KEY": PII_KEY, **env})
    return ingest(settings, [Path(p) for p in paths], period=period)


# ------------------------------------------------------------------------------------------------
# Test lanes and xdist
# ------------------------------------------------------------------------------------------------
#
# Markers (pyproject.toml): a test needing Airflow, PostgreSQL or a browser carries `airflow`,
# `postgres` or `browser`; one running real dbt builds carries `dbt`; every other test is `unit`.
# `campaign` marks the fault-injection campaign (tests/test_fault_injection.py), minutes of one worker.
# `python3 dev.py test --fast` runs `not airflow and not postgres and not browser and not campaign`.
# They come from: a directory (below), the fixtures a test uses (below), or the module's `pytestmark`
# (or a test's own mark). A test that imports Airflow or Playwright without its marker fails
# at teardown, so a missing marker shows in the fast lane instead of slowing it down.

LANES = ("dbt", "postgres", "airflow", "browser", "campaign")
DIRECTORY_LANES = {"airflow_prod": ("airflow", "postgres")}  # a real Airflow deployment on the local PostgreSQL
FIXTURE_LANES = {"browser_page": ("browser",), "chromium": ("browser",), "soffice": ("browser",),  # system apps
                 "postgres": ("postgres",),  # test_full_month: the month built with --target postgres
                 # homes built with dbt: publication/conftest.py, test_cli_hardening.py
                 "month": ("dbt",), "v1": ("dbt",), "v2": ("dbt",), "built": ("dbt",), "school_home": ("dbt",)}
# (psycopg2 is no sign of PostgreSQL: Great Expectations imports it)
MODULE_LANES = {"airflow": "airflow", "playwright": "browser"}

# PostgreSQL: every xdist worker (and every checkout) builds the PostgreSQL target in its own database,
# so two workers, or two engineers' runs, never replace each other's `raw` schema midway.
_checkout = hashlib.sha256(str(Path(__file__).resolve().parent).encode()).hexdigest()[:6]
os.environ["CHANJIAO_PG_DATABASE"] = f"chanjiao_test_{_checkout}_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"

# Disclosure control (interface.md, small cells) is off in the tests' months, which hold a handful of
# schools, so their figures can be checked in every output; tests/publication/test_disclosure.py runs
# it at the default (3 units), as production does.
os.environ["CHANJIAO_SMALL_CELL_UNITS"] = "1"

# `--as-of` rebuilds are cached outside the home (CHANJIAO_AS_OF_CACHE, default ~/.cache/chanjiao/as-of):
# a test run keeps its own, so it neither fills the user's cache nor reuses an earlier run's rebuild.
os.environ["CHANJIAO_AS_OF_CACHE"] = tempfile.mkdtemp(prefix="chanjiao-as-of-")
atexit.register(shutil.rmtree, os.environ["CHANJIAO_AS_OF_CACHE"], ignore_errors=True)

# Sequential seconds per test module, from one run on the shared 2-CPU machine (Dec 2026, heavily
# loaded, so only their ratios mean anything): the units are dealt out heaviest first, so that no long
# group or test starts last. Unlisted modules count as 1 s a test. Refresh when the costs move.
MODULE_SECONDS: dict[str, float] = {
    "tests/dags/test_demo.py": 845, "tests/airflow_prod/test_local_executor.py": 460,
    "tests/dags/test_overlapping_ingest.py": 360, "tests/dags/test_publish_alerts.py": 350,
    "tests/airflow_prod/test_celery_smoke.py": 60, "tests/dags/test_dag_integrity.py": 60, "tests/lineage/test_openlineage.py": 200,
    "tests/expectations/test_batch_rules.py": 855, "tests/expectations/test_faults.py": 335,
    "tests/ingestion/test_valid_submissions.py": 280, "tests/ingestion/test_standards.py": 55,
    "tests/ingestion/test_ingest_hostile.py": 52, "tests/ingestion/test_safety.py": 51, "tests/expectations/test_rules.py": 35,
    "tests/warehouse/test_monthly_cycle.py": 500, "tests/warehouse/test_full_month.py": 300,
    "tests/warehouse/test_trace_recompute.py": 100, "tests/test_cli_hardening.py": 300,
    "tests/publication/test_versions.py": 200, "tests/publication/test_release_files.py": 120,
    "tests/publication/test_browser.py": 60, "tests/publication/test_revisions.py": 30,
    "tests/test_fault_injection.py": 330, "tests/lineage/test_retention.py": 60,
    "tests/lineage/test_trace_history.py": 200, "tests/warehouse/test_targets_as_configuration.py": 120,
    "tests/warehouse/test_collection_status.py": 60, "tests/dags/test_alerts.py": 16, "tests/dags/test_chunks.py": 12,
}


def _lanes(item) -> set[str]:
    found = {lane for lane in LANES if item.get_closest_marker(lane)}
    parts = Path(item.path).relative_to(Path(__file__).parent).parts
    for directory, lanes in DIRECTORY_LANES.items():
        if parts[:1] == (directory,):
            found.update(lanes)
    for fixture, lanes in FIXTURE_LANES.items():
        if fixture in item.fixturenames:
            found.update(lanes)
    return found


def _shared_fixtures(item) -> list[str]:
    """The module-, package- or session-scoped fixtures of our tests (not pytest's) this test uses."""
    shared = []
    for name in item.fixturenames:
        defs = item._fixtureinfo.name2fixturedefs.get(name)
        if defs and defs[-1].scope != "function" and defs[-1].baseid:
            shared.append(f"{defs[-1].baseid}::{name}")
    return shared


@pytest.hookimpl(tryfirst=True)  # before -m deselects by these marks
def pytest_collection_modifyitems(config, items):
    # Lanes
    for item in items:
        lanes = _lanes(item)
        for lane in sorted(lanes):
            if not item.get_closest_marker(lane):
                item.add_marker(lane)
        if not lanes:
            item.add_marker("unit")

    # xdist groups: tests sharing a module- or session-scoped fixture (directly or through another
    # test) form one group, which runs on one worker in file order, so the fixture is built once per
    # run; any other test may run on any worker.
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    shared = {item: _shared_fixtures(item) for item in items}
    for names in shared.values():
        for other in names[1:]:
            parent[find(other)] = find(names[0])
    units: dict[str, list] = {}
    for item in items:
        key = find(shared[item][0]) if shared[item] else item.nodeid
        if shared[item]:
            item.add_marker(pytest.mark.xdist_group(key.replace("@", "_")))
        units.setdefault(key, []).append(item)

    # Heaviest units first (stable: file order within a unit and among equals)
    per_module: dict[str, int] = {}
    for item in items:
        per_module[_module(item)] = per_module.get(_module(item), 0) + 1
    cost = {key: sum(MODULE_SECONDS.get(_module(i), per_module[_module(i)]) / per_module[_module(i)] for i in unit)
            for key, unit in units.items()}
    items[:] = [item for key in sorted(units, key=lambda k: -cost[k]) for item in units[key]]


class _XdistGroups:
    """xdist 3.8's loadgroup names a test's group by appending `@group` to `item._nodeid`, which pytest
    9.2 no longer reads (nodes keep a NodeId in `_id`), so every test would be its own unit and a module's
    fixture would be built on every worker. This does the same on `_id`, after deselection; harmless
    once xdist does it itself (the group is the text after the last `@`)."""

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, config, items):
        if not getattr(config.option, "loadgroup", False):  # set by xdist only when --dist loadgroup
            return
        from _pytest.nodeid import coerce_node_id

        for item in items:
            mark = item.get_closest_marker("xdist_group")
            if mark and not item.nodeid.endswith(f"@{mark.args[0]}"):
                item._id = coerce_node_id(f"{item.nodeid}@{mark.args[0]}")


def pytest_configure(config):
    config.pluginmanager.register(_XdistGroups(), "chanjiao-xdist-groups")


def _module(item) -> str:
    return Path(item.path).relative_to(Path(__file__).parent.parent).as_posix()


def _imported() -> set[str]:
    return {name for name in MODULE_LANES if name in sys.modules}


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    item.stash[_before] = _imported()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if call.when != "teardown" or not report.passed:
        return
    new = _imported() - item.stash.get(_before, set())
    missing = sorted({MODULE_LANES[m] for m in new} - {lane for lane in LANES if item.get_closest_marker(lane)})
    if missing:
        report.outcome = "failed"
        report.longrepr = (f"{item.nodeid} imported {', '.join(sorted(new))} but is not marked {' / '.join(missing)}: "
                           "mark it (tests/conftest.py, Test lanes) so that the fast lane leaves it out")


_before = pytest.StashKey[set]()
