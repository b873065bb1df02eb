"""The file as a whole: who sent it, for which period and region; what the sheets leave implicit is
filled in (a blank optional 报告期, region and ID verdicts at the period's end, the school of a roster)."""
from __future__ import annotations

import datetime as dt

from ingestion import codes, regions
from ingestion.parsed import ParsedFile, Problem
from ingestion.period import Period
from ingestion.registry import Kind


def identify(parsed: ParsedFile, kind: Kind, collection_period: str | None) -> None:
    """Who sent the file, for which period and region; fill what the sheets leave implicit."""
    parsed.period = _file_period(parsed, kind, collection_period)
    year = Period.parse(parsed.period).year if parsed.period else None
    end = Period.parse(parsed.period).end if parsed.period else dt.date.today()
    for s in parsed.sheets.values():
        # an optional 报告期 left blank (or its column left out) is the collection period
        blank_period = [f.name for f in s.definition.fields if f.type == "period" and not f.required]
        regions = [f.name for f in s.definition.fields if f.type == "region"]  # valid at the period's end
        # GB 11643: a number is valid when it could be held by the period's end (codes.id_number_holdable_from)
        ids = [f"{f.name}_valid" for f in s.definition.fields if f.type == "id_number"]
        for r in s.rows:
            for name in blank_period:
                if r.get(name) is None:
                    r[name] = parsed.period
            for name in regions:
                if r.get(name) is not None:
                    r[f"{name}_valid"] = codes.region_is_valid(r[name], year) if year else False
            for name in ids:
                holdable = r.get(name)
                if holdable is not None:
                    r[name] = holdable is not False and holdable <= end
    _check_single_rows(parsed)
    parsed.submitter, parsed.region = _submitter(parsed, kind)
    if kind.name == "school_workbook":
        for s in parsed.sheets.values():
            if s.definition.key != "school_info":
                for r in s.rows:
                    r["school_code"] = parsed.submitter  # the roster rows belong to the workbook's school


def _file_period(parsed: ParsedFile, kind: Kind, collection_period: str | None) -> str | None:
    if kind.period_field is None:
        return collection_period  # annual finance and the frame carry no 报告期
    key, _, column = kind.period_field.partition(".")
    sheet = parsed.sheets.get(key)
    rows = [r for r in sheet.rows if r.get(column)] if sheet else []
    if not rows:
        return collection_period
    other = next((r for r in rows if r[column] != rows[0][column]), None)
    if other is not None:
        header = sheet.definition.fields[[f.name for f in sheet.definition.fields].index(column)].header
        parsed.problems.append(Problem(sheet.sheet_name, other["source_row"], header, "period_mixed",
                                       f"同一文件中出现多个报告期（{rows[0][column]}和{other[column]}）：一个文件只能报送一个报告期"))
    return min(r[column] for r in rows)


def _check_single_rows(parsed: ParsedFile) -> None:
    for s in parsed.sheets.values():
        if s.definition.rows != "one" or s.header_row is None:
            continue
        if not s.rows:
            parsed.problems.append(Problem(s.sheet_name, None, None, "rows", f"“{s.definition.sheet}”表没有数据行：请在表头下填写一行"))
        elif len(s.rows) > 1:
            parsed.problems.append(Problem(s.sheet_name, s.rows[1]["source_row"], None, "rows", f"“{s.definition.sheet}”表只能有一行数据：请删除多余的行"))


def _column_values(parsed: ParsedFile, ref: str | None) -> list:
    key, _, column = (ref or "").partition(".")
    sheet = parsed.sheets.get(key)
    rows = sheet.rows[:1] if sheet and sheet.definition.rows == "one" else (sheet.rows if sheet else [])
    return [r[column] for r in rows if r.get(column)]


def _submitter(parsed: ParsedFile, kind: Kind) -> tuple[str | None, str | None]:
    """(submitter, region): the one value of the submitter field, with its region, when the file holds
    one (a school, an enterprise); else the region the file covers (a register, a bureau's collection)."""
    covered = covered_region(_column_values(parsed, kind.region_field))
    if kind.submitter_field == "covered_region":
        return covered, covered
    senders = set(_column_values(parsed, kind.submitter_field))
    if len(senders) != 1:
        return covered, covered
    return senders.pop(), covered


def covered_region(region_codes: list[str]) -> str | None:
    """The smallest county/city/province containing every code: the region a register is complete for."""
    distinct = set(region_codes)
    if not distinct:
        return None
    if len(distinct) == 1:
        return distinct.pop()
    for above in (regions.city_of, regions.province_of):
        if len({above(c) for c in distinct}) == 1:
            return above(next(iter(distinct)))
    return regions.COUNTRY
