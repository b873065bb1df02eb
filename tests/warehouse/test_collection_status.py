"""The reporting frame drives the collection's status and the coverage of every indicator value."""
from __future__ import annotations

import pytest

from chanjiao.demo import factory as fx
from tests.conftest import ingest_here, run_cli
from tests.expectations.test_batch_rules import school

pytestmark = pytest.mark.dbt

PERIOD = "2026-10"


def test_status_and_coverage_follow_the_frame(tmp_path):
    home = tmp_path / "home"
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    frame = {"reporting_frame": [
        {"submitter_code": code, "submitter_name": f"学校{code}", "kind": "school_workbook", "region_code": "410622", "from_period": "2026-01"}
        for code in ("4141062201", "4141062202")
    ] + [{"submitter_code": "410600", "submitter_name": "鹤壁市统计局", "kind": "above_scale_register", "region_code": "410600", "from_period": "2026-01"}]}
    fx.write("reporting_frame", inbox / "frame.xlsx", frame)
    assert [o["status"] for o in ingest_here(home, inbox / "frame.xlsx", period=PERIOD)] == ["accepted"]
    good = school("4141062201", PERIOD, 6)
    bad = school("4141062202", PERIOD, 4)
    bad["teachers"][0].update(is_professional=False, is_dual_qualified=True)
    stranger = school("4141062209", PERIOD, 3)
    for name, data in (("a", good), ("b", bad), ("c", stranger)):
        fx.write("school_workbook", inbox / f"{name}.xlsx", data)
    ingest_here(home, *(inbox / f"{n}.xlsx" for n in "abc"), period=PERIOD)
    assert run_cli(home, "build").returncode == 0

    status = run_cli(home, "status", "--period", PERIOD, "--json").data
    states = {(f["submitter_code"], f["is_expected"]): f["collection_state"] for f in status["frame"]}
    assert states == {("4141062201", True): "accepted", ("4141062202", True): "rejected", ("410600", True): "missing",
                      ("4141062209", False): "rejected"}
    human = run_cli(home, "status", "--period", PERIOD).stdout
    assert "未报" in human and "410600" in human and "名录外" in human

    values = run_cli(home, "indicators", "--period", PERIOD, "--indicator", "dual_teacher_ratio", "--region", "410622", "--json").data
    assert values[0]["coverage"] == {"expected": 2, "accepted": 1}
