"""`chanjiao status`: the state of a period's collection, from the load ledger and the reporting frame."""
from __future__ import annotations

from chanjiao import marts
from chanjiao.settings import Settings
from ingestion.period import shown


def collection_status(settings: Settings, period: str, rows: list[dict], unidentified: list[dict]) -> dict:
    """The ledger's submitters (chanjiao.ledger.by_submitter) and unidentified files, with the frame's view."""
    for r in rows:
        r["state"] = "accepted" if r["accepted"] else ("rejected" if r["rejected"] else "received")
        r["last_received_at"] = shown(r["last_received_at"]) if r["last_received_at"] else None
    frame = _frame_status(settings, period)
    if frame is None:
        note = "没有生效的填报单位名录（或尚未构建）：无法列出未报送单位；下表为已收到的文件"
    else:
        counts = {s: sum(1 for f in frame if f["is_expected"] and f["collection_state"] == s) for s in ("accepted", "rejected", "missing")}
        note = (f"按填报单位名录（截至最近一次构建）：应报 {sum(f['is_expected'] for f in frame)}，已接收 {counts['accepted']}，"
                f"被退回 {counts['rejected']}，未报 {counts['missing']}，名录外 {sum(not f['is_expected'] for f in frame)}")
    return {
        "period": period,
        "frame": frame,
        "note": note,
        "submitters": rows,
        "unidentified_files": [{"file": u["file_name"], "status": u["status"]} for u in unidentified],
    }


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


def format_status(s: dict) -> str:
    lines = [f"采集状态 collection status {s['period']}", f"  {s['note']}", f"  {'类型':<22}{'填报单位':<14}{'状态':<10}收到/接收/退回/重复  最新文件"]
    for r in s["submitters"]:
        lines.append(f"  {r['kind'] or '?':<22}{r['submitter'] or '?':<14}{r['state']:<10}"
                     f"{r['received']}/{r['accepted']}/{r['rejected']}/{r['duplicates']}           {r['latest_file']}")
    for f in s["frame"] or []:
        if f["collection_state"] != "accepted" or not f["is_expected"]:
            label = {"missing": "未报", "rejected": "被退回"}.get(f["collection_state"], "已接收") + ("" if f["is_expected"] else "（名录外）")
            lines.append(f"  {label:<10}{f['kind'] or '?':<22}{f['submitter_code'] or '?':<20}{f['submitter_name'] or ''}")
    for u in s["unidentified_files"]:
        lines.append(f"  无法识别 unidentified: {u['file']} ({u['status']})")
    return "\n".join(lines)
