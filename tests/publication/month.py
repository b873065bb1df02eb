"""A real two-month collection for the release tests: workbooks from the submissions factory, real ingest (GX gate), real dbt build.

淇县 (410622) has two schools. September: A 28 of 40 双师型, B 3 of 10. October: A 30 of 40, B 3 of 10
with 2 一体化 teachers, so 鹤壁市's target variant (双师型 or 一体化) is (33 + 2) / 50 = 70.00 and met.
The late correction of B for October makes 5 of its 10 teachers 双师型.
"""
from __future__ import annotations

from pathlib import Path

from chanjiao.demo import factory as fx
from tests.conftest import ingest_here, run_cli, set_received

PERIODS = ("2026-09", "2026-10")
PERIOD = PERIODS[-1]
ENTERPRISES = [fx.uscc("410622", i) for i in range(1, 5)]


def _write(folder: Path, name: str, kind: str, data: dict, received: str) -> Path:
    return set_received(fx.write(kind, folder / name, data), received)


def build_month(home: Path, inbox: Path) -> None:
    """Ingest both months (the ingest use case, in this process) and build the warehouse with `chanjiao build`."""
    sept, octo = inbox / "2026-09", inbox / "2026-10"
    _write(sept, "register.xlsx", "above_scale_register", fx.register_of(ENTERPRISES, "2026-09"), "2026-10-01 09:00")
    _write(sept, "a.xlsx", "school_workbook", fx.school("4141062201", "淇县甲校", "410622", "中职", "2026-09", fx.roster(40, 28), ENTERPRISES[:1]),
           "2026-10-02 09:00")
    _write(sept, "b.xlsx", "school_workbook", fx.school("4141062202", "淇县乙技校", "410622", "技工院校", "2026-09", fx.roster(10, 3, prefix="B")),
           "2026-10-02 10:00")
    _write(octo, "a.xlsx", "school_workbook", fx.school("4141062201", "淇县甲校", "410622", "中职", "2026-10", fx.roster(40, 30), ENTERPRISES[:2]),
           "2026-11-02 09:00")
    _write(octo, "b.xlsx", "school_workbook",
           fx.school("4141062202", "淇县乙技校", "410622", "技工院校", "2026-10", fx.roster(10, 3, integrated=2, prefix="B")), "2026-11-02 10:00")
    for period, folder in zip(PERIODS, (sept, octo)):
        outcomes = ingest_here(home, folder, period=period)
        assert all(o["status"] == "accepted" for o in outcomes), outcomes
    built = run_cli(home, "build")
    assert built.returncode == 0, built.stderr[-3000:]


def late_correction(home: Path, inbox: Path) -> None:
    """School B resends October after the release: 5 of its 10 teachers are 双师型, not 3."""
    path = _write(inbox / "late", "b_corrected.xlsx", "school_workbook",
                  fx.school("4141062202", "淇县乙技校", "410622", "技工院校", "2026-10", fx.roster(10, 5, integrated=2, prefix="B")), "2026-11-06 16:00")
    outcomes = ingest_here(home, path, period=PERIOD)
    assert [o["status"] for o in outcomes] == ["accepted"], outcomes
    built = run_cli(home, "build")
    assert built.returncode == 0, built.stderr[-3000:]
