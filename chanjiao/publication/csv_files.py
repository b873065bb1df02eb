"""The release's CSV files (UTF-8 with BOM so Excel on Chinese Windows opens them without mojibake).

indicators.csv is a pure function of the warehouse contents: no timestamp or version inside, so a
release rebuilt from the archive gives the same bytes.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

from chanjiao.publication.cells import neutralise

INDICATOR_COLUMNS = ["indicator", "indicator_name", "region", "region_name", "region_level", "period", "cohort_year",
                     "numerator", "denominator", "value", "unit", "status", "coverage_expected", "coverage_accepted",
                     "obs_status", "conf_status"]
# interface.md, small cells: what a public release shows in place of a withheld value, numerator and
# denominator (the footnote in notes.DISCLOSURE says why). "x" as the statistical yearbooks mark
# figures withheld for confidentiality.
WITHHELD = "x"
TARGET_COLUMNS = ["indicator", "region", "kind", "variant", "comparator", "value", "upper", "by", "variant_value",
                  "status", "deadline_state", "value_at_deadline", "status_at_deadline", "source"]
REVISION_COLUMNS = ["table", "indicator", "region", "variant", "by", "field", "previous", "current"]


def obs_status(value: object, provisional: bool, withheld: bool = False) -> str:
    """SDMX CL_OBS_STATUS: O where there is no value, P where it is provisional (interface.md: submitters
    of the region's reporting frame still missing, or a province built from part of its cities), A
    otherwise. A withheld value exists: its status is that of the value, its CONF_STATUS says C."""
    if (value is None or value == "") and not withheld:
        return "O"
    return "P" if provisional else "A"


def indicator_rows(values: list[dict]) -> list[dict]:
    """The indicator values as a public release shows them: withheld cells (small cells and their
    complementary cells) without value, numerator or denominator; SDMX's observation and confidentiality
    statuses as columns, so a reader of the CSV sees what the SDMX file says."""
    rows = []
    for v in values:
        withheld = bool(v.get("withheld"))
        row = {**v, "coverage_expected": (v["coverage"] or {}).get("expected"), "coverage_accepted": (v["coverage"] or {}).get("accepted"),
               "obs_status": obs_status(v["value"], bool(v.get("provisional")), withheld), "conf_status": "C" if withheld else "F"}
        if withheld:
            row.update(numerator=WITHHELD, denominator=WITHHELD, value=WITHHELD)
        rows.append(row)
    return rows


def target_rows(values: list[dict]) -> list[dict]:
    """Every target of every value, its variant's value withheld where the region's value is."""
    rows = []
    for v in values:
        for t in v["targets"]:
            row = {"indicator": v["indicator"], "region": v["region"], **t}
            if v.get("withheld"):
                row.update(variant_value=WITHHELD, value_at_deadline=WITHHELD)
            rows.append(row)
    return rows


def cell_text(value: object) -> str:
    """How a value is spelled in every CSV of the release (and so how versions are compared)."""
    return "" if value is None else str(neutralise(value))


def csv_text(columns: list[str], rows: list[dict]) -> str:
    out = io.StringIO()
    # CRLF as RFC 4180 has it: the csv module then quotes a field holding a carriage return, which
    # with a bare LF terminator it would leave unquoted and so split the row for every reader.
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([cell_text(row.get(k)) for k in columns])
    return out.getvalue()


def write_csv(path: Path, columns: list[str], rows: list[dict]) -> None:
    path.write_bytes(csv_text(columns, rows).encode("utf-8-sig"))


def read_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))
