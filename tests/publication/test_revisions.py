"""A late correction: v2 lists exactly the changed values as revisions; v1 stays as it was."""
from __future__ import annotations

import csv
import hashlib
import json

import openpyxl
import pytest

from tests.publication.month import PERIOD

pytestmark = pytest.mark.dbt


def rows_of(path):
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_v1_is_untouched_by_v2(v1, v2):
    manifest = json.loads((v1 / "manifest.json").read_text(encoding="utf-8"))
    for name, digest in manifest["files"].items():
        assert hashlib.sha256((v1 / name).read_bytes()).hexdigest() == digest, name
    assert sorted(p.name for p in v1.parent.iterdir()) == ["v1", "v2"]  # no temporary folder left behind


def test_v2_lists_exactly_the_changed_values(v1, v2):
    # B now has 5 of 10 双师型: 淇县, 鹤壁市 and 河南省 go from 33/50 = 66.00 to 35/50 = 70.00, and 鹤壁市's
    # target variant (双师型 or 一体化) from 35/50 = 70.00 to 37/50 = 74.00 (still met). Nothing else moves.
    changes = [(r["table"], r["indicator"], r["region"], r["variant"], r["field"], float(r["previous"]), float(r["current"]))
               for r in rows_of(v2 / "revisions.csv")]
    expected = [("indicator", "dual_teacher_ratio", region, "default", field, before, after)
                for region in ("410000", "410600", "410622") for field, before, after in (("numerator", 33, 35), ("value", 66, 70))]
    expected.append(("target", "dual_teacher_ratio", "410600", "population=dual_or_integrated", "variant_value", 70, 74))
    assert sorted(changes) == sorted(expected)
    # and, independently, by comparing the two versions' published files cell by cell
    old = {(r["indicator"], r["region"]): r for r in rows_of(v1 / "indicators.csv")}
    new = {(r["indicator"], r["region"]): r for r in rows_of(v2 / "indicators.csv")}
    differing = {(k, f) for k in old.keys() | new.keys() for f in ("numerator", "denominator", "value", "status")
                 if old.get(k, {}).get(f) != new.get(k, {}).get(f)}
    assert differing == {((c[1], c[2]), c[4]) for c in changes if c[0] == "indicator"}


def test_v2_marks_revisions_in_sdmx_and_the_workbook(v2):
    with (v2 / "indicators.sdmx.csv").open(encoding="utf-8", newline="") as fh:
        revised = {(o["INDICATOR"], o["REF_AREA"]) for o in csv.DictReader(fh) if o["REVISED"] == "Y"}
    assert revised == {("dual_teacher_ratio", r) for r in ("410000", "410600", "410622")}
    book = openpyxl.load_workbook(v2 / "indicators.xlsx")
    assert book.sheetnames == ["指标", "目标", "修订", "说明"]
    sheet = book["修订"]
    assert [c.value for c in sheet[1]] == ["表", "指标代码", "区划代码", "口径", "口径说明", "期限(年)", "字段", "上一版本", "本版本"]
    assert sheet.max_row - 1 == len(rows_of(v2 / "revisions.csv")) == 7
    manifest = json.loads((v2 / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["revisions_against"] == "v1" and "revisions.csv" in manifest["files"]
    assert "b_corrected.xlsx" in {l["file"] for l in manifest["loads"]} and manifest["period"] == PERIOD
    bulletin = (v2 / "bulletin.html").read_text(encoding="utf-8")
    # revised figures are marked in place with their previous value, and listed in Chinese
    assert "本版修订（相对 v1）" in bulletin and "修订，原" in bulletin and "<th>" not in bulletin.split("本版修订")[1].split("</section>")[0]
