"""Rules across files and periods, through the ingest use case on a real warehouse: a warning loads the
file and is reported; an error rejects it."""
from __future__ import annotations

import pytest

from chanjiao.demo import factory as fx
from expectations.thresholds import Thresholds
from ingestion.registry import kinds
from ingestion.setting import SettingError
from ingestion.templates import write_workbook
from tests.conftest import ingest_here, make_uscc, run_cli


def school(code: str, period: str, teachers: int) -> dict:
    return fx.school(code, f"学校{code}", "410622", "中职", period,
                     [{"teacher_id": f"T{i:03d}", "is_professional": True, "is_dual_qualified": False, "employment_type": "专任"} for i in range(teachers)],
                     [fx.cooperation(make_uscc("410622", 1), name="甲公司")],
                     enrolled_students=900, staff_quota=50, practical_teaching_hours=900, contact_name=None, contact_phone=None)


def register(period: str, n: int) -> dict:
    return {"above_scale_enterprises": [{"uscc": make_uscc("410622", i), "enterprise_name": f"企业{i}", "region_code": "410622",
                                         "industry_code": "C36", "period": period} for i in range(1, n + 1)]}


def ingest(home, tmp_path, name, kind, data, period):
    path = fx.write(kind, tmp_path / f"{name}.xlsx", data)
    return ingest_here(home, path, period=period)[0]


@pytest.fixture
def home(tmp_path):
    return tmp_path / "home"


def test_teacher_count_moving_too_much_is_a_warning(home, tmp_path):
    assert ingest(home, tmp_path, "sep", "school_workbook", school("4141062201", "2026-09", 10), "2026-09")["status"] == "accepted"
    october = ingest(home, tmp_path, "oct", "school_workbook", school("4141062201", "2026-10", 20), "2026-10")
    assert october["status"] == "accepted" and october["reasons"] == []
    assert [(w["sheet"], w["row"], w["column"], w["rule"]) for w in october["warnings"]] == [("教师名册", None, "教师人数", "teacher_count_change")]
    steady = ingest(home, tmp_path, "oct2", "school_workbook", school("4141062202", "2026-10", 12), "2026-10")
    assert steady["warnings"] == []  # no previous period: nothing to compare


def test_register_shrinking_too_much_is_rejected(home, tmp_path):
    assert ingest(home, tmp_path, "r9", "above_scale_register", register("2026-09", 10), "2026-09")["status"] == "accepted"
    shrunk = ingest(home, tmp_path, "r10", "above_scale_register", register("2026-10", 7), "2026-10")
    assert shrunk["status"] == "rejected"
    assert [(r["sheet"], r["column"], r["rule"]) for r in shrunk["reasons"]] == [("规模以上企业名录", "名录条数", "register_shrink")]
    assert ingest(home, tmp_path, "r10b", "above_scale_register", register("2026-10", 9), "2026-10")["status"] == "accepted"


def test_submitter_outside_the_frame_in_force_is_rejected(home, tmp_path):
    frame = {"reporting_frame": [{"submitter_code": "4141062201", "submitter_name": "学校4141062201", "kind": "school_workbook",
                                  "region_code": "410622", "from_period": "2026-01", "to_period": None},
                                 {"submitter_code": "4141062203", "submitter_name": "学校4141062203", "kind": "school_workbook",
                                  "region_code": "410621", "from_period": "2026-01", "to_period": None}]}
    assert ingest(home, tmp_path, "frame", "reporting_frame", frame, "2026-10")["status"] == "accepted"
    listed = ingest(home, tmp_path, "listed", "school_workbook", school("4141062201", "2026-10", 5), "2026-10")
    assert listed["status"] == "accepted"
    outsider = ingest(home, tmp_path, "outsider", "school_workbook", school("4141062299", "2026-10", 5), "2026-10")
    assert outsider["status"] == "rejected"
    assert [(r["sheet"], r["column"], r["rule"]) for r in outsider["reasons"]] == [("学校信息", "填报单位", "not_in_frame")]


def test_only_periods_inside_the_revision_window_are_open(home, tmp_path):
    assert ingest(home, tmp_path, "oct", "school_workbook", school("4141062201", "2026-10", 5), "2026-10")["status"] == "accepted"
    late = ingest(home, tmp_path, "aug", "school_workbook", school("4141062202", "2026-08", 5), "2026-08")
    assert late["status"] == "accepted"  # two months back: still open
    closed = ingest(home, tmp_path, "jun", "school_workbook", school("4141062203", "2026-06", 5), "2026-06")
    assert closed["status"] == "rejected" and [r["rule"] for r in closed["reasons"]] == ["period_closed"]


def test_the_shares_are_configuration(home, tmp_path, monkeypatch):
    """CHANJIAO_GATE_REGISTER_SHRINK reaches the rule (read by chanjiao.settings, passed to the gate); a
    value that is no share stops the command with one line naming it."""
    assert ingest(home, tmp_path, "r9", "above_scale_register", register("2026-09", 10), "2026-09")["status"] == "accepted"
    monkeypatch.setenv("CHANJIAO_GATE_REGISTER_SHRINK", "lots")
    path = write_workbook(kinds()["above_scale_register"], tmp_path / "r10.xlsx", register("2026-10", 7))
    refused = run_cli(home, "ingest", str(path), "--period", "2026-10", "--json")
    assert refused.returncode not in (0, 3) and "CHANJIAO_GATE_REGISTER_SHRINK='lots' is not a number" in refused.stderr
    assert "Traceback" not in refused.stderr
    monkeypatch.setenv("CHANJIAO_GATE_REGISTER_SHRINK", "0.5")
    assert ingest(home, tmp_path, "r10", "above_scale_register", register("2026-10", 7), "2026-10")["status"] == "accepted"  # 30% < 50%


def test_thresholds_from_a_mapping():
    assert Thresholds.from_mapping({}) == Thresholds(teacher_change=0.3, register_shrink=0.2)
    assert Thresholds.from_mapping({"CHANJIAO_GATE_TEACHER_CHANGE": "0.5", "CHANJIAO_GATE_REGISTER_SHRINK": "0"}) == Thresholds(0.5, 0.0)
    for value, reason in (("30%", "is not a number"), ("-0.1", "must be 0 or more"), ("inf", "finite")):
        with pytest.raises(SettingError, match=f"CHANJIAO_GATE_TEACHER_CHANGE='{value}' .*{reason}"):
            Thresholds.from_mapping({"CHANJIAO_GATE_TEACHER_CHANGE": value})
