"""Rules across files and periods, as GX suites over small per-file frames.

- a school's teacher count moving more than a share against its previous accepted period: warning
- cooperation rows naming enterprises absent from every above-scale register known: warning
- a register shrinking by more than a share against the one in force for its region: error
The shares are the caller's `expectations.thresholds.Thresholds` (configuration: CHANJIAO_GATE_TEACHER_CHANGE,
default 0.3, and CHANJIAO_GATE_REGISTER_SHRINK, 0.2, read by chanjiao.settings).
"""
from __future__ import annotations

import great_expectations as gx
import great_expectations.expectations as gxe
import pandas as pd

from expectations.history import FrameRow, History
from expectations.thresholds import DEFAULT_THRESHOLDS, Thresholds
from ingestion.parsed import ParsedFile
from ingestion.regions import covers

REGISTER_KINDS = ("above_scale_register", "certified_enterprises", "carriers")


def _frame_in_force(frame_rows: list[FrameRow], region: str, period: str) -> list[FrameRow] | None:
    """The rows of the latest accepted frame with period <= P covering `region`, or None."""
    key = lambda r: (r.frame_region, r.frame_period, r.received_at, r.sha256)  # noqa: E731 - one frame's identity
    loads = {key(r) for r in frame_rows if r.frame_period <= period and covers(r.frame_region, region)}
    if not loads:
        return None
    latest = max(loads, key=lambda l: (l[1], l[2], l[3]))
    return [r for r in frame_rows if key(r) == latest]


def _suite(name: str, expectation) -> gx.ExpectationSuite:
    return gx.ExpectationSuite(name=name, expectations=[expectation])


def frames(history: History, files: list[ParsedFile], period_of: dict[str, str], thresholds: Thresholds = DEFAULT_THRESHOLDS) -> list:
    out = []
    teacher_change, register_shrink = thresholds.teacher_change, thresholds.register_shrink

    teachers = []
    registers = []
    for f in files:
        period = period_of[f.sha256]
        if f.kind == "school_workbook" and "teachers" in f.sheets:
            previous = next((h.teachers for h in history.loads if h.kind == f.kind and h.submitter == f.submitter and h.period < period), None)
            current = len(f.sheets["teachers"].rows)
            change = abs(current - previous) / previous if previous else None
            teachers.append({"source_file": f.sha256, "source_sheet": f.sheets["teachers"].sheet_name, "source_row": None, "change": change})
        if f.kind in REGISTER_KINDS:
            previous = next((h.row_count for h in history.loads
                             if h.kind == f.kind and h.submitter == f.submitter and h.period <= period and h.sha256 != f.sha256), None)
            sheet = next(iter(f.sheets.values()), None)
            if sheet is not None and previous:
                shrink = (previous - len(sheet.rows)) / previous
                registers.append({"source_file": f.sha256, "source_sheet": sheet.sheet_name, "source_row": None, "shrink": shrink})
    if teachers:
        out.append((_suite("teacher_count_change", gxe.ExpectColumnValuesToBeBetween(
            column="change", max_value=teacher_change, severity="warning",
            meta={"rule": "teacher_count_change", "column": "教师人数",
                  "message": f"教师人数较上一报告期变化超过{teacher_change:.0%}：请确认名册完整（数据已入库，仅作提示）"},
        )), pd.DataFrame(teachers)))
    if registers:
        out.append((_suite("register_shrink", gxe.ExpectColumnValuesToBeBetween(
            column="shrink", max_value=register_shrink,
            meta={"rule": "register_shrink", "column": "名录条数",
                  "message": f"名录条数比现行名录减少超过{register_shrink:.0%}：名录应为本地区完整名单，请核对是否漏报"},
        )), pd.DataFrame(registers)))

    membership = []
    for f in files:
        if f.kind == "reporting_frame" or not f.submitter or not f.sheets:
            continue
        period = period_of[f.sha256]
        frame = _frame_in_force(history.frame_rows, f.region or f.submitter, period)
        if frame is None:
            continue  # no frame covers this submitter's region: nothing to judge against
        listed = any(r.submitter_code == f.submitter and r.kind == f.kind and r.from_period <= period
                     and (r.to_period is None or r.to_period >= period) for r in frame)
        membership.append({"source_file": f.sha256, "source_sheet": next(iter(f.sheets.values())).sheet_name, "source_row": None, "in_frame": listed})
    if membership:
        out.append((_suite("submitter_in_frame", gxe.ExpectColumnValuesToBeInSet(
            column="in_frame", value_set=[True],
            meta={"rule": "not_in_frame", "column": "填报单位",
                  "message": "报送单位不在本期填报单位名录中（或名录未列该报表）：请联系统计部门确认是否应由本单位报送"},
        )), pd.DataFrame(membership)))

    known = set(history.registered_usccs)
    known |= {r["uscc"] for f in files if f.kind == "above_scale_register" for s in f.sheets.values() for r in s.rows}
    partners = [
        {"source_file": f.sha256, "source_sheet": r["source_sheet"], "source_row": r["source_row"], "in_register": r["enterprise_uscc"] in known}
        for f in files if f.kind == "school_workbook" and "cooperations" in f.sheets
        for r in f.sheets["cooperations"].rows if r.get("enterprise_uscc")
    ]
    if partners and known:
        out.append((_suite("cooperation_partner_in_register", gxe.ExpectColumnValuesToBeInSet(
            column="in_register", value_set=[True], severity="warning",
            meta={"rule": "partner_not_in_register", "column": "合作企业统一社会信用代码",
                  "message": "合作企业不在规模以上企业名录中：如为规上企业请核对信用代码（数据已入库，仅作提示）"},
        )), pd.DataFrame(partners)))
    return out
