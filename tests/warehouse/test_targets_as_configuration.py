"""Targets are configuration (indicators.md "Policy targets"): one row appended to the targets seed is a
new target, judged on its own variant, with no model, macro or SQL changed.

A copy of the dbt project gets one row for 淇县 (410622) — a county that is none of the seed's
jurisdictions — with a variant no seed target uses (all teachers of the roster, ≥ 10 days in 12 months).
dbt builds the copy on a real DuckDB warehouse filled by `chanjiao ingest`, and the target's progress
row appears in fct_target_progress with the value and status computed by hand below.
"""
from __future__ import annotations

import csv
import filecmp
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from chanjiao.demo import factory as fx
from ingestion.registry import kinds
from tests.conftest import ingest_here, set_received
from tests.warehouse.test_monthly_cycle import NON_PROF, PART_TIME, teachers, workbook

pytestmark = pytest.mark.dbt

PERIOD = "2026-10"
DBT_PROJECT = Path(__file__).resolve().parents[2] / "dbt_project"
DBT = Path(sys.executable).with_name("dbt")
NEW_ROW = {
    "jurisdiction_code": "410622", "jurisdiction_name": "淇县", "indicator_code": "teacher_practice_compliance",
    "kind": "target", "comparator": ">=", "lower": "85", "upper": "", "by_year": "2027", "population": "all_teachers",
    "scope_region": "", "rule_days": "10", "rule_window_months": "12", "band_lower": "", "band_upper": "",
    "source_document": "淇县职业教育提质培优方案(测试)", "clause": "三(一)", "source_quality": "official",
}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    """Two 淇县 schools' workbooks, ingested for real. Every professional teacher of both has 10 days of
    enterprise practice in the last 12 months; A also lists 5 part-time teachers with 0 days and 3
    non-professional teachers with none."""
    home = tmp_path_factory.mktemp("home")
    inbox = tmp_path_factory.mktemp("inbox")
    school = kinds()["school_workbook"]
    books = {
        "a": workbook("4141062201", "淇县甲校", "410622", "中职", teachers(40, 30, extra=PART_TIME + NON_PROF)),
        "b": workbook("4141062202", "淇县乙技校", "410622", "技工院校", teachers(10, 3, integrated=2, prefix="B")),
    }
    for name, data in books.items():
        set_received(fx.write(school, inbox / f"{name}.xlsx", data), "2026-11-02 09:00")
    ingested = ingest_here(home, inbox, period=PERIOD)
    assert all(o["status"] == "accepted" for o in ingested), ingested
    return home / "warehouse.duckdb"


def copy_with_appended_target(destination: Path) -> Path:
    project = destination / "dbt_project"
    shutil.copytree(DBT_PROJECT, project, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages", ".user.yml"))
    seed = project / "seeds" / "targets.csv"
    with seed.open(encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh))
    assert header == list(NEW_ROW), "the seed's columns changed: update NEW_ROW"
    with seed.open("a", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerow(NEW_ROW.values())
    return project


def differing_files(left: Path, right: Path) -> list[str]:
    """Paths (relative) whose content differs between two trees, or that exist in only one."""
    comparison = filecmp.dircmp(left, right, ignore=["target", "logs", "dbt_packages", ".user.yml", "__pycache__"])
    out = [*comparison.left_only, *comparison.right_only]
    out += [name for name in comparison.common_files if not filecmp.cmp(left / name, right / name, shallow=False)]
    for sub in comparison.common_dirs:
        out += [f"{sub}/{name}" for name in differing_files(left / sub, right / sub)]
    return sorted(out)


def test_the_seed_has_no_row_for_the_new_jurisdiction():
    with (DBT_PROJECT / "seeds" / "targets.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows and NEW_ROW["jurisdiction_code"] not in {r["jurisdiction_code"] for r in rows}
    assert "rule_days" in rows[0] and not any(r["rule_days"] == NEW_ROW["rule_days"] for r in rows)


def test_one_appended_row_is_a_new_target_judged_with_no_model_changed(warehouse, tmp_path):
    project = copy_with_appended_target(tmp_path)
    assert differing_files(DBT_PROJECT, project) == ["seeds/targets.csv"]

    env = {**os.environ, "CHANJIAO_WAREHOUSE": str(warehouse), "CHANJIAO_DBT_TARGET": "duckdb",
           "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    built = subprocess.run(
        [str(DBT), "build", "--project-dir", str(project), "--profiles-dir", str(project),
         "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")],
        env=env, cwd=project, capture_output=True, text=True, timeout=900)
    assert built.returncode == 0, built.stdout[-4000:]

    with duckdb.connect(str(warehouse), read_only=True) as con:
        progress = con.execute(
            "select jurisdiction_code, jurisdiction_name, indicator_code, variant_code, variant_value, status, deadline_state "
            "from marts.fct_target_progress where period = ?", [PERIOD]).fetchall()
        default_value = con.execute(
            "select value from marts.fct_indicator_value where indicator_code = 'teacher_practice_compliance' "
            "and variant_code = 'default' and region_code = '410622' and period = ?", [PERIOD]).fetchone()

    # every target of the seed, plus the new one
    with (DBT_PROJECT / "seeds" / "targets.csv").open(encoding="utf-8", newline="") as fh:
        assert len(progress) == len(list(csv.DictReader(fh))) + 1
    new = [row for row in progress if row[0] == "410622"]
    assert len(new) == 1
    code, name, indicator, variant, value, status, deadline = new[0]
    assert (name, indicator, variant) == ("淇县", "teacher_practice_compliance", "population=all_teachers;rule=10d/12m")
    # all teachers of both rosters: A 40 professional (10 days) + 5 part-time (0) + 3 without days, B 10 (10 days)
    assert value == pytest.approx(100 * 50 / 58, abs=1e-9)
    assert (status, deadline) == ("met", "due")
    # the default rule (full-time professional teachers, ≥ 30 days) would not be met: the variant was used
    assert default_value == (0.0,)
