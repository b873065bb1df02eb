"""`chanjiao status`: the state of a period's collection, from the load ledger and the reporting frame."""
from __future__ import annotations

import datetime as dt
import unicodedata

from chanjiao import marts
from chanjiao.labels import COLLECTION_STATE, kind_title, label
from chanjiao.settings import Settings
from ingestion.period import shown


def collection_status(settings: Settings, period: str, rows: list[dict], unidentified: list[dict]) -> dict:
    """The ledger's submitters (chanjiao.ledger.by_submitter) and unidentified files, with the frame's view.
    A submitter is `late` when its first file for the period arrived after the calendar's collection
    deadline (a correction sent after the deadline, of a file received in time, is not late)."""
    deadline = settings.calendar.collection_deadline(period)
    late = set()
    for r in rows:
        r["state"] = "accepted" if r["accepted"] else ("rejected" if r["rejected"] else "received")
        r["late"] = r["first_received_at"] is not None and r["first_received_at"] > deadline
        if r["late"]:
            late.add((r["kind"], r["submitter"]))
        for key in ("first_received_at", "last_received_at"):
            r[key] = shown(r[key]) if r[key] else None
    frame = _frame_status(settings, period)
    for f in frame or []:
        f["late"] = (f["kind"], f["submitter_code"]) in late
    if frame is None:
        note = "没有生效的填报单位名录（或尚未构建）：无法列出未报送单位；下表为已收到的文件"
    else:
        counts = {s: sum(1 for f in frame if f["is_expected"] and f["collection_state"] == s) for s in ("accepted", "rejected", "missing")}
        note = (f"按填报单位名录（截至最近一次构建）：应报 {sum(f['is_expected'] for f in frame)}，已接收 {counts['accepted']}，"
                f"被退回 {counts['rejected']}，未报 {counts['missing']}，名录外 {sum(not f['is_expected'] for f in frame)}，"
                f"逾期报送 {sum(f['is_expected'] and f['late'] for f in frame)}（报送截止 {_day_end(shown(deadline))}）")
    return {
        "period": period,
        "collection_deadline": shown(deadline),
        "frame": frame,
        "note": note,
        "submitters": rows,
        "unidentified_files": [{"file": u["file_name"], "status": u["status"]} for u in unidentified],
    }


def _day_end(deadline: str) -> str:
    """A deadline at midnight as people say it: 2026-11-04T00:00:00+08:00 → 2026-11-03 24:00."""
    moment = dt.datetime.fromisoformat(deadline)
    if moment.time() == dt.time(0):
        return f"{moment.date() - dt.timedelta(days=1)} 24:00"
    return f"{moment:%Y-%m-%d %H:%M}"


def _frame_status(settings: Settings, period: str) -> list[dict] | None:
    """The frame's view (expected submitters and strangers) as of the last build, or None without a frame."""
    try:
        with marts.connect(settings) as con:
            rows = marts.records(con, """
                select kind, submitter_code, submitter_name, region_code, is_expected, files_received, files_accepted,
                       files_rejected, collection_state
                from marts.fct_collection_status where period = ? order by is_expected desc, collection_state desc, kind, submitter_code
            """, [period])
    except marts.NotBuilt:
        return None
    return rows or None




def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text))


def format_status(s: dict) -> str:
    """The text a person reads: Chinese throughout, codes only where they identify (submitters, files);
    --json keeps the states' codes."""
    lines = [f"采集状态 {s['period']}", f"  {s['note']}",
             f"  {_pad('报表类型', 26)}{_pad('填报单位', 14)}{_pad('状态', 10)}收到/接收/退回/重复  最新文件"]
    for r in s["submitters"]:
        lines.append(f"  {_pad(kind_title(r['kind']), 26)}{_pad(r['submitter'] or '?', 14)}{_pad(label(COLLECTION_STATE, r['state']), 10)}"
                     f"{r['received']}/{r['accepted']}/{r['rejected']}/{r['duplicates']}           {r['latest_file']}")
    for f in s["frame"] or []:
        if f["collection_state"] != "accepted" or not f["is_expected"] or f.get("late"):
            state = label(COLLECTION_STATE, f["collection_state"]) + ("" if f["is_expected"] else "（名录外）") + ("（逾期）" if f.get("late") else "")
            lines.append(f"  {_pad(state, 14)}{_pad(kind_title(f['kind']), 26)}{_pad(f['submitter_code'] or '?', 20)}{f['submitter_name'] or ''}")
    for u in s["unidentified_files"]:
        lines.append(f"  无法识别的文件：{u['file']}（{label(COLLECTION_STATE, u['status'])}）")
    return "\n".join(lines)
