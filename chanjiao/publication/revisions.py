"""Revisions of version N against version N-1 of the same period: every published value or status that differs.

Compared as the CSV files spell them (csv_files.cell_text), so a revision is exactly what a reader of
the two versions' files would see change. One row per changed field, so nothing unchanged is listed.
The SDMX observation status (A/P/O) is a published status too: it is derived from each version's own
indicators.csv with the function that wrote indicators.sdmx.csv, so a value that turns provisional
because the reporting frame now expects more units is listed although no figure moved.
"""
from __future__ import annotations

from pathlib import Path

from chanjiao.publication.csv_files import cell_text, obs_status, read_csv

# The published statistic of an indicator value, and of a target's judgement. Names and coverage
# counts are context, not values: they are not revisions (the status they imply, obs_status, is).
INDICATOR_FIELDS = ("numerator", "denominator", "value", "status", "obs_status")
TARGET_FIELDS = ("variant_value", "status", "deadline_state", "value_at_deadline", "status_at_deadline")


def _indicator_key(row: dict) -> tuple:
    return ("indicator", row["indicator"], row["region"], "default", "")


def _target_key(row: dict) -> tuple:
    return ("target", row["indicator"], row["region"], row["variant"], row["by"], row["kind"], row["comparator"], row["value"])


def _diff(previous: dict[tuple, dict], current: dict[tuple, dict], fields: tuple[str, ...]) -> list[dict]:
    out = []
    for key in sorted(previous.keys() | current.keys()):
        before, after = previous.get(key, {}), current.get(key, {})
        for field in fields:
            old, new = before.get(field, ""), after.get(field, "")
            if old != new:
                out.append({"table": key[0], "indicator": key[1], "region": key[2], "variant": key[3], "by": key[4],
                            "field": field, "previous": old, "current": new})
    return out


def _short(row: dict) -> bool:
    expected, accepted = row.get("coverage_expected"), row.get("coverage_accepted")
    return expected not in (None, "") and float(accepted or 0) < float(expected)


def revisions(previous_version: Path, indicator_rows: list[dict], target_rows: list[dict]) -> list[dict]:
    """What changed since `previous_version` (a folder holding indicators.csv and targets.csv)."""
    def spelled(rows: list[dict]) -> list[dict]:
        return [{k: cell_text(v) for k, v in row.items() if k != "targets" and k != "coverage"} for row in rows]

    def with_obs_status(rows: list[dict]) -> list[dict]:
        # versions written before indicators.csv had the column: derived as they derived it then
        return [r if r.get("obs_status") else {**r, "obs_status": obs_status(r["value"], _short(r))} for r in rows]

    prev_ind = {_indicator_key(r): r for r in with_obs_status(read_csv(previous_version / "indicators.csv"))}
    prev_tgt = {_target_key(r): r for r in read_csv(previous_version / "targets.csv")}
    cur_ind = {_indicator_key(r): r for r in with_obs_status(spelled(indicator_rows))}
    cur_tgt = {_target_key(r): r for r in spelled(target_rows)}
    return _diff(prev_ind, cur_ind, INDICATOR_FIELDS) + _diff(prev_tgt, cur_tgt, TARGET_FIELDS)


def revised_values(rows: list[dict]) -> set[tuple[str, str]]:
    """(indicator, region) of every indicator value whose published figures changed: SDMX's REVISED=Y.
    A change of OBS_STATUS alone is not one: interface.md's REVISED is for a value changed."""
    return {(r["indicator"], r["region"]) for r in rows if r["table"] == "indicator" and r["field"] != "obs_status"}
