"""The auditor's trace (users.md, 审计): per-file subtotals that add up to the value, the full sha256 and
archived original of each file, who sent it by name, only this region's policy clauses, only the models
on this indicator's path, the release versions that published it — and `--as-of` without the PII key,
without writing into the live home, reusing its rebuild the second time.

Uses test_trace_history's home (a month published, a school's workbook resubmitted, published again)."""
from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from chanjiao.lineage.trace import row_ranges
from tests.conftest import run_cli
from tests.lineage import test_trace_history as with_history
from tests.lineage.test_trace_history import CITY, COUNTY, PERIOD

pytestmark = pytest.mark.dbt

history = with_history.history  # that module's home, built again for this module

OTHER_JURISDICTIONS = ("沧州", "呼图壁", "柳州", "西安")
ENTERPRISE_OR_BUREAU = re.compile(r"(enterprise|bureaus|register|carriers|certified|finance|reporting_frame)")


def _trace(home, *extra, indicator="dual_teacher_ratio", region=COUNTY, key="test-key-for-pseudonymisation"):
    result = run_cli(home, "trace", "--indicator", indicator, "--region", region, "--period", PERIOD, *extra, "--json", key=key)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.data


def _manifest_ancestors(home, model: str) -> set[str]:
    manifest = json.loads((home / "dbt_target" / "manifest.json").read_text(encoding="utf-8"))
    parents, seen, queue = manifest["parent_map"], set(), [f"model.chanjiao.{model}"]
    while queue:
        for p in parents.get(queue.pop(), []):
            if p not in seen:
                seen.add(p)
                queue.append(p)
    kind_name = lambda n: f"source:{n.split('.', 2)[2]}" if n.startswith("source.") else n.split(".", 2)[2]  # noqa: E731
    return {kind_name(n) for n in seen}


def _snapshot(home: Path) -> dict[str, str]:
    """Every file of the home by its bytes' sha256, and every folder."""
    out = {}
    for path in sorted(home.rglob("*")):
        rel = str(path.relative_to(home))
        out[rel] = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() and not path.is_symlink() else "folder"
    return out


def test_row_ranges():
    assert row_ranges([44, 2, 3, 4, 41, 40, 39]) == "2–4, 39–41, 44"
    assert row_ranges([7]) == "7" and row_ranges([]) == ""


@pytest.mark.parametrize("indicator,region", [("dual_teacher_ratio", COUNTY), ("dual_teacher_ratio", CITY),
                                              ("above_scale_participation_rate", COUNTY)])
def test_per_file_subtotals_add_up_exactly(history, indicator, region):
    t = _trace(history["home"], indicator=indicator, region=region)
    files = t["files"]
    assert files and {f["load_id"] for f in files} == {l["load_id"] for l in t["loads"]}
    # each file's subtotal is the sum of its own listed rows, and the files' subtotals are the value's
    for f in files:
        mine = [r for r in t["rows"] if r["load_id"] == f["load_id"]]
        assert f["numerator"] == sum(r["amount"] for r in mine if r["role"] == "numerator")
        assert f["denominator"] == sum(r["amount"] for r in mine if r["role"] == "denominator")
        assert sum(f["rows"].values()) == len(mine) == sum(s["count"] for s in f["sheets"])
    assert sum(f["numerator"] for f in files) == t["numerator"] == t["totals"]["numerator"]
    assert sum(f["denominator"] for f in files) == t["denominator"] == t["totals"]["denominator"]
    assert t["totals"]["matches"] == {"numerator": True, "denominator": True}


def test_files_carry_full_hash_archive_path_and_names(history):
    home = history["home"]
    t = _trace(home, region=CITY)
    assert {f["sha256"] for f in t["files"]} == {history["sha"]["a_revised"], history["sha"]["b"]}
    for f in t["files"]:
        assert re.fullmatch(r"[0-9a-f]{64}", f["sha256"])
        original = Path(f["archive_path"])
        assert original.is_file() and original.is_relative_to(home / "archive") and f["archive_exists"]
        assert hashlib.sha256(original.read_bytes()).hexdigest() == f["sha256"]  # the original, named by its hash
    assert {f["submitter"]: f["submitter_name"] for f in t["files"]} == {"4141062201": "淇县甲校", "4141062202": "淇县乙技校"}
    assert {l["submitter"]: l["submitter_name"] for l in t["loads"]} == {"4141062201": "淇县甲校", "4141062202": "淇县乙技校"}
    assert all(Path(l["original"]).is_file() for l in t["loads"])
    # the revised workbook: 40 full-time professional teachers, 30 of them 双师型, rows 2–41 of 教师名册
    [revised] = [f for f in t["files"] if f["sha256"] == history["sha"]["a_revised"]]
    assert (revised["numerator"], revised["denominator"]) == (30, 40)
    assert {(s["sheet"], s["role"]): s["rows"] for s in revised["sheets"]}[("教师名册", "denominator")] == "2–41"

    human = run_cli(home, "trace", "--indicator", "dual_teacher_ratio", "--region", CITY, "--period", PERIOD)
    assert human.returncode == 0, human.stderr[-3000:]
    text = human.stdout
    for f in t["files"]:
        assert f["sha256"] in text and f["archive_path"] in text  # in full, not a prefix
    assert "淇县甲校（4141062201）" in text and "淇县乙技校（4141062202）" in text
    assert "小计：分子 30，分母 40" in text and "第 2–41 行" in text
    assert "合计：分子 33，与指标值一致；分母 50，与指标值一致" in text
    assert "指标值" in text and "来源文件" in text and "计算模型" in text and "发布版本" in text
    assert len(text.splitlines()) < 60  # grouped by file, not one line per row


def test_only_this_regions_policy_clauses(history):
    t = _trace(history["home"], region=CITY)
    assert t["policy"]["clauses"] == ["鹤政办〔2022〕1号 四(三)"] and not t["policy"]["inherited"]
    assert all(target["source"] == "鹤政办〔2022〕1号 四(三)" for target in t["targets"])
    human = run_cli(history["home"], "trace", "--indicator", "dual_teacher_ratio", "--region", CITY, "--period", PERIOD).stdout
    assert "鹤政办〔2022〕1号 四(三)" in human and not any(other in human for other in OTHER_JURISDICTIONS)
    # a county without targets of its own: its city's, said as such
    county = _trace(history["home"], region=COUNTY)["policy"]
    assert county["inherited"] and county["jurisdiction"] == CITY and county["clauses"] == ["鹤政办〔2022〕1号 四(三)"]


def test_models_are_this_indicators_path_only(history):
    home = history["home"]
    ancestors = _manifest_ancestors(home, "fct_indicator_value")
    school = _trace(home)
    assert school["models"][0] == "fct_indicator_value" and set(school["models"][1:]) <= ancestors
    assert {"int_school_indicators__contributions", "stg_schools__teachers", "source:schools.teachers"} <= set(school["models"])
    # a school indicator: no enterprise, register or bureau model, nor the reporting frame behind coverage
    assert not [m for m in school["models"] if ENTERPRISE_OR_BUREAU.search(m)], school["models"]
    assert "int_indicator_coverage" not in school["models"] and len(school["models"]) < len(ancestors) / 2
    assert all(set(parents) <= set(school["models"]) for parents in school["model_parents"].values())
    register = _trace(home, indicator="above_scale_participation_rate")
    assert set(register["models"][1:]) <= ancestors and "stg_bureaus__above_scale_enterprises" in register["models"]
    assert "int_school_indicators__contributions" not in register["models"] and "stg_schools__teachers" not in register["models"]


def test_published_in_lists_the_versions(history):
    home = history["home"]
    t = _trace(home, region=CITY)
    assert [p["version"] for p in t["published_in"]] == ["v1", "v2"]
    v1, v2 = t["published_in"]
    # x: withheld as a small cell (two schools) in the public release; v1 was before the resubmission
    assert v1["value"] in ("62.0", "x") and v1["matches"] in (False, None)
    assert v2["value"] in ("66.0", "x") and v2["matches"] in (True, None)
    assert all(Path(p["path"]).is_file() and p["published_at"].endswith("+08:00") for p in t["published_in"])


def test_as_of_needs_no_key_leaves_the_home_untouched_and_reuses_its_rebuild(history, tmp_path, monkeypatch):
    home = history["home"]
    cache = tmp_path / "as-of-cache"
    monkeypatch.setenv("CHANJIAO_AS_OF_CACHE", str(cache))
    before = _snapshot(home)
    log_before = (home / "access.log").read_bytes()

    first = _trace(home, "--as-of", history["before_revision"], key=None)  # CHANJIAO_PII_KEY unset
    assert first["as_of"]["version"] == "v1" and first["as_of"]["cached"] is False
    assert (first["numerator"], first["denominator"], first["value"]) == (31, 50, 62.0)  # v1's number, reproduced
    assert {f["sha256"] for f in first["files"]} == {history["sha"]["a_first"], history["sha"]["b"]}
    assert all(Path(f["archive_path"]).is_relative_to(home / "archive") and f["archive_exists"] for f in first["files"])
    assert [p["traced"] for p in first["published_in"]] == [True, False]
    rebuild = Path(first["as_of"]["rebuild"])
    assert rebuild.is_relative_to(cache) and not rebuild.is_relative_to(home)
    # the rebuild keeps no copy of an original: the live archive has them
    assert not list(rebuild.parent.rglob("archive/*/*")) and not (rebuild / "quarantine").exists()

    after = _snapshot(home)
    changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    assert changed == {"access.log"}, changed  # nothing else written, nothing new in the live home
    log = (home / "access.log").read_bytes()
    assert log.startswith(log_before)
    [entry] = [json.loads(line) for line in log[len(log_before):].decode().splitlines()]
    assert entry["action"] == "rebuild from the archive" and entry["version"] == "v1" and entry["originals"] >= 3

    done = rebuild.parent / "rebuilt.json"
    stamp = done.stat().st_mtime_ns
    second = _trace(home, "--as-of", history["before_revision"], key=None)
    assert second["as_of"]["cached"] is True and second["as_of"]["rebuild"] == first["as_of"]["rebuild"]
    assert {k: second[k] for k in ("numerator", "denominator", "value", "files", "rows")} == \
        {k: first[k] for k in ("numerator", "denominator", "value", "files", "rows")}
    assert done.stat().st_mtime_ns == stamp and len(list(cache.iterdir())) == 1  # reused, not rebuilt
    assert (home / "access.log").read_bytes() == log  # no original read again
    assert _snapshot(home) == after

    human = run_cli(home, "trace", "--indicator", "dual_teacher_ratio", "--region", COUNTY, "--period", PERIOD,
                    "--as-of", history["before_revision"], key=None)
    assert human.returncode == 0 and "v1" in human.stdout and "复用已重建的仓库" in human.stdout
