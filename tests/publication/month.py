"""A real two-month collection for the release tests: generated workbooks, real ingest (GX gate), real dbt build.

淇县 (410622) has two schools. September: A 28 of 40 双师型, B 3 of 10. October: A 30 of 40, B 3 of 10
with 2 一体化 teachers, so 鹤壁市's target variant (双师型 or 一体化) is (33 + 2) / 50 = 70.00 and met.
The late correction of B for October makes 5 of its 10 teachers 双师型.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from ingestion.registry import kinds
from ingestion.templates import write_workbook
from tests.conftest import make_id_number, make_uscc, run_cli, set_received

PERIODS = ("2026-09", "2026-10")
PERIOD = PERIODS[-1]
ENTERPRISES = [make_uscc("410622", i) for i in range(1, 5)]


def teachers(n_prof: int, n_dual: int, integrated: int = 0, prefix: str = "T") -> list[dict]:
    return [{"teacher_id": f"{prefix}{i:03d}", "teacher_name": f"教师{prefix}{i}", "id_number": make_id_number("410622", i % 900),
             "is_professional": True, "is_dual_qualified": i < n_dual, "employment_type": "专任",
             "practice_days_12m": 10, "practice_days_24m": 20, "is_integrated": n_dual <= i < n_dual + integrated}
            for i in range(n_prof)]


def school(code: str, name: str, level: str, period: str, teacher_rows: list[dict], cooperations=()) -> dict:
    return {
        "school_info": [{"school_code": code, "school_name": name, "region_code": "410622", "school_level": level, "period": period,
                         "enrolled_students": 1000, "staff_quota": 60, "total_teaching_hours": 2000, "practical_teaching_hours": 1000,
                         "contact_name": "联系人甲", "contact_phone": "13800001111"}],
        "teachers": teacher_rows,
        "cooperations": [{"enterprise_uscc": u, "enterprise_name": f"企业{u[-4:]}", "cooperation_type": "订单培养",
                          "start_date": dt.date(2025, 9, 1), "end_date": None} for u in cooperations],
    }


def register(period: str) -> dict:
    return {"above_scale_enterprises": [{"uscc": u, "enterprise_name": f"企业{u[-4:]}", "region_code": "410622",
                                         "industry_code": "C36", "period": period} for u in ENTERPRISES]}


def _write(folder: Path, name: str, kind: str, data: dict, received: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return set_received(write_workbook(kinds()[kind], folder / name, data), received)


def build_month(home: Path, inbox: Path) -> None:
    """Ingest both months and build the warehouse, as `chanjiao ingest` and `chanjiao build` do."""
    sept, octo = inbox / "2026-09", inbox / "2026-10"
    _write(sept, "register.xlsx", "above_scale_register", register("2026-09"), "2026-10-01 09:00")
    _write(sept, "a.xlsx", "school_workbook", school("4141062201", "淇县甲校", "中职", "2026-09", teachers(40, 28), ENTERPRISES[:1]), "2026-10-02 09:00")
    _write(sept, "b.xlsx", "school_workbook", school("4141062202", "淇县乙技校", "技工院校", "2026-09", teachers(10, 3, prefix="B")), "2026-10-02 10:00")
    _write(octo, "a.xlsx", "school_workbook", school("4141062201", "淇县甲校", "中职", "2026-10", teachers(40, 30), ENTERPRISES[:2]), "2026-11-02 09:00")
    _write(octo, "b.xlsx", "school_workbook", school("4141062202", "淇县乙技校", "技工院校", "2026-10", teachers(10, 3, 2, prefix="B")), "2026-11-02 10:00")
    for period, folder in zip(PERIODS, (sept, octo)):
        result = run_cli(home, "ingest", str(folder), "--period", period, "--json")
        assert result.returncode == 0 and all(o["status"] == "accepted" for o in result.data), result.stdout + result.stderr[-2000:]
    built = run_cli(home, "build")
    assert built.returncode == 0, built.stderr[-3000:]


def late_correction(home: Path, inbox: Path) -> None:
    """School B resends October after the release: 5 of its 10 teachers are 双师型, not 3."""
    path = _write(inbox / "late", "b_corrected.xlsx", "school_workbook",
                  school("4141062202", "淇县乙技校", "技工院校", "2026-10", teachers(10, 5, 2, prefix="B")), "2026-11-06 16:00")
    result = run_cli(home, "ingest", str(path), "--period", PERIOD, "--json")
    assert result.returncode == 0 and result.data[0]["status"] == "accepted", result.stdout + result.stderr[-2000:]
    built = run_cli(home, "build")
    assert built.returncode == 0, built.stderr[-3000:]
