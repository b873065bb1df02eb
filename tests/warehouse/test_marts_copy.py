"""Issue "Outputs a bureau can forward as they are": marts.duckdb, the copy statisticians open, opens in DuckDB
1.x clients as well as 2.x, and carries every mart's dbt descriptions as DuckDB table and column comments
(as the warehouse's `marts` schema does)."""
from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import yaml

from tests.conftest import PII_KEY, ingest_here, run_cli

pytestmark = pytest.mark.dbt

PERIOD = "2026-10"
MODELS_YML = Path(__file__).resolve().parents[2] / "dbt_project" / "models" / "marts" / "_marts__models.yml"

# DuckDB 1.x clients, each installed once per machine under ~/.cache/chanjiao/duckdb1: the oldest 1.x (it reads
# only storage version 64, so it fails first if the copy's format is raised) and the newest 1.x on PyPI.
DUCKDB1_CLIENTS = ("1.0.0", "1.5.*")


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    """One school's October workbook accepted and built: fct_indicator_value has rows."""
    from ingestion.registry import kinds
    from ingestion.templates import write_workbook
    from tests.expectations.test_batch_rules import school

    root = tmp_path_factory.mktemp("marts_copy")
    path = write_workbook(kinds()["school_workbook"], root / "school.xlsx", school("4141062201", PERIOD, 6))
    home = root / "home"
    assert [o["status"] for o in ingest_here(home, path, period=PERIOD)] == ["accepted"]
    built = run_cli(home, "build")
    assert built.returncode == 0, built.stderr[-3000:]
    return home


def _settings(home: Path):
    from chanjiao import settings as config

    return config.load({**os.environ, "CHANJIAO_HOME": str(home), "CHANJIAO_PII_KEY": PII_KEY})


def _descriptions() -> dict[str, tuple[str, dict[str, str]]]:
    """Each mart of _marts__models.yml: its description and its columns' descriptions."""
    models = yaml.safe_load(MODELS_YML.read_text(encoding="utf-8"))["models"]
    return {m["name"]: (m.get("description", ""), {c["name"]: c.get("description", "") for c in m.get("columns", [])})
            for m in models}


def _comments(path: Path, schema: str) -> dict[str, tuple[str | None, dict[str, str | None]]]:
    """Each table of `schema` in the database file at `path`: its comment and its columns' comments."""
    with duckdb.connect(str(path), read_only=True) as con:
        tables = dict(con.execute("select table_name, comment from duckdb_tables() "
                                  "where database_name = current_database() and schema_name = ?", [schema]).fetchall())
        columns = {t: {} for t in tables}
        for table, column, comment in con.execute(
                "select table_name, column_name, comment from duckdb_columns() "
                "where database_name = current_database() and schema_name = ? order by table_name, column_index", [schema]).fetchall():
            columns[table][column] = comment
    return {t: (tables[t], columns[t]) for t in tables}


@pytest.mark.parametrize("where", ["warehouse", "copy"])
def test_every_mart_table_and_column_has_its_dbt_description_as_comment(home, where):
    settings = _settings(home)
    found = _comments(settings.warehouse, "marts") if where == "warehouse" else _comments(settings.marts_copy, "main")
    described = _descriptions()
    assert set(found) == set(described), "the marts and _marts__models.yml name different tables"
    missing = []
    for table, (comment, columns) in sorted(found.items()):
        description, column_descriptions = described[table]
        if not comment or comment != description:
            missing.append(f"table {table}: comment {comment!r}, description {description!r}")
        for column, column_comment in columns.items():
            expected = column_descriptions.get(column, "")
            if not column_comment or column_comment != expected:
                missing.append(f"column {table}.{column}: comment {column_comment!r}, description {expected!r}")
    assert not missing, f"{where}: {len(missing)} without their description as comment:\n" + "\n".join(missing)


READ = """
import json, sys
import duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
count = con.execute("select count(*) from fct_indicator_value").fetchone()[0]
row = con.execute("select indicator_code, variant_code, region_code, period, value from marts.fct_indicator_value "
                  "where value is not null order by all limit 1").fetchone()
comment = con.execute("select comment from duckdb_columns() where table_name = 'fct_indicator_value' "
                      "and column_name = 'value'").fetchone()[0]
print(json.dumps({"count": count, "row": list(row), "comment": comment, "version": duckdb.__version__}))
"""


def _duckdb1(spec: str) -> Path:
    """The python of a venv with duckdb==`spec`, made once per machine (under a lock: two runs may ask at once).
    Without it: skip, or under CI=true fail, with the reason."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "chanjiao" / "duckdb1"
    venv = base / spec.replace("*", "x")
    python = venv / "bin" / "python"
    base.mkdir(parents=True, exist_ok=True)
    with open(base / ".lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (venv / "installed").exists():
            return python
        uv = Path(sys.executable).with_name("uv")
        uv = str(uv) if uv.exists() else shutil.which("uv")
        problem = None if uv else "uv is not installed"
        shutil.rmtree(venv, ignore_errors=True)
        for cmd in ([[uv, "venv", str(venv), "--python", sys.executable, "-q"],
                     [uv, "pip", "install", "--python", str(python), "-q", f"duckdb=={spec}"]] if uv else []):
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
            if done.returncode != 0:
                problem = f"{' '.join(cmd)} failed: {done.stderr[-500:]}"
                break
        if problem is None:
            (venv / "installed").write_text(spec, encoding="utf-8")
            return python
    if os.environ.get("CI") == "true":
        pytest.fail(f"no DuckDB {spec} client: {problem} — CI must open the marts copy with DuckDB 1.x")
    pytest.skip(f"no DuckDB {spec} client: {problem}")


@pytest.mark.parametrize("spec", DUCKDB1_CLIENTS)
def test_a_duckdb_1x_client_reads_the_copy_as_duckdb_2_does(home, spec):
    python = _duckdb1(spec)
    copy = _settings(home).marts_copy
    old = subprocess.run([str(python), "-c", READ, str(copy)], capture_output=True, text=True, timeout=120)
    assert old.returncode == 0, old.stderr[-2000:]
    read = json.loads(old.stdout)
    assert read.pop("version").startswith("1.")
    now = subprocess.run([sys.executable, "-c", READ, str(copy)], capture_output=True, text=True, timeout=120)
    assert now.returncode == 0, now.stderr[-2000:]
    expected = json.loads(now.stdout)
    assert expected.pop("version").startswith("2.")
    assert expected["count"] > 0 and expected["comment"]
    assert read == expected
