"""Standard formats checked by readers that are not ours (issue "Outputs a bureau can forward as they are").

- The release's SDMX-CSV is read by sdmx1 (PyPI `sdmx1`, import name `sdmx`), an SDMX library written
  independently of the pysdmx that writes the file, against a data structure built here from
  interface.md alone: every observation must come back as a number, or as missing where the value is
  missing on purpose, with the attributes indicators.csv gives it.
- The workbooks (the release's indicators.xlsx, `chanjiao query --format xlsx`) are opened by LibreOffice
  Calc, headless, and saved as flat OpenDocument (.fods), whose XML says of every cell whether Calc took
  it as a number (office:value-type="float") or as text: numbers must stay numbers, codes and
  formula-looking text must stay text.
"""
from __future__ import annotations

import csv
import math
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import openpyxl
import pytest

from chanjiao.publication.sdmx import write_sdmx_csv
from tests.conftest import run_cli
from tests.publication.month import PERIOD

pytestmark = pytest.mark.dbt

# interface.md, "Monthly release" and "Coverage, provisional values and small cells": the dataflow, its
# dimensions, its measure and its attributes with their codes (SDMX CL_OBS_STATUS, CL_CONF_STATUS)
DATAFLOW = ("CHANJIAO", "DF_IEI", "1.0")
DIMENSIONS = ("INDICATOR", "REF_AREA", "TIME_PERIOD")
CODES = {"UNIT_MEASURE": {"PT", "CNY", "NUMBER"}, "OBS_STATUS": {"A", "P", "O"}, "REVISED": {"Y", "N"}, "CONF_STATUS": {"F", "C"}}
UNITS = {"%": "PT", "元": "CNY", "家": "NUMBER", "个": "NUMBER"}


def rows_of(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


# --- SDMX-CSV read by sdmx1 -------------------------------------------------------------------------

def sdmx1_dataflow():
    """The dataflow as sdmx1 models it (SDMX 3.0 information model), from the codes above, not from chanjiao."""
    from sdmx.model import common, v30

    agency = common.Agency(id=DATAFLOW[0])
    dsd = v30.DataStructureDefinition(id="DSD_IEI", maintainer=agency, version=DATAFLOW[2])
    for dimension in DIMENSIONS:
        dsd.dimensions.getdefault(dimension)
    dsd.measures.getdefault("OBS_VALUE")
    for attribute in CODES:
        dsd.attributes.getdefault(attribute)
    return v30.Dataflow(id=DATAFLOW[1], maintainer=agency, version=DATAFLOW[2], structure=dsd)


def read_with_sdmx1(path: Path) -> dict[tuple[str, str, str], dict]:
    """Every observation of the SDMX-CSV file as sdmx1 gives it: the value as pandas has it (a float,
    NaN where missing) and the attribute values, by (INDICATOR, REF_AREA, TIME_PERIOD)."""
    import pandas as pd
    import sdmx
    from sdmx.model import common

    message = sdmx.read_sdmx(path, structure=sdmx1_dataflow())
    [dataset] = message.data  # one data set: one dataflow, one action
    # SDMX-CSV 2.1: Replace, not the deprecated Information (chanjiao/publication/sdmx.py)
    assert dataset.action == common.ActionType.replace
    flow = dataset.described_by
    assert (flow.maintainer.id, flow.id, str(flow.version)) == DATAFLOW
    table = sdmx.to_pandas(dataset, attributes="o")  # the value and the observation's attributes
    assert pd.api.types.is_float_dtype(table["value"]), table["value"].dtype  # numbers, not text
    assert list(table.index.names) == list(DIMENSIONS) and table.index.is_unique
    return {key: dict(row) for key, row in table.iterrows()}


def assert_observations_match(observations: dict, rows: list[dict], revised: set[tuple[str, str]]) -> None:
    """Each published row of indicators.csv is one observation with its value and attributes; nothing else is."""
    assert set(observations) == {(r["indicator"], r["region"], r["period"]) for r in rows} and len(observations) == len(rows)
    for row in rows:
        obs = observations[(row["indicator"], row["region"], row["period"])]
        if row["conf_status"] == "C" or row["value"] == "":  # withheld, or no value: missing on purpose
            assert isinstance(obs["value"], float) and math.isnan(obs["value"]), (row, obs)
        else:
            assert obs["value"] == float(row["value"]), (row, obs)
        assert obs["OBS_STATUS"] == row["obs_status"] and obs["CONF_STATUS"] == row["conf_status"], (row, obs)
        assert obs["UNIT_MEASURE"] == UNITS[row["unit"]], (row, obs)
        assert obs["REVISED"] == ("Y" if (row["indicator"], row["region"]) in revised else "N"), (row, obs)
        for attribute, codes in CODES.items():
            assert obs[attribute] in codes, (attribute, obs)


def test_sdmx1_reads_every_observation_of_v1_as_numbers_and_attributes(v1):
    observations = read_with_sdmx1(v1 / "indicators.sdmx.csv")
    rows = rows_of(v1 / "indicators.csv")
    assert_observations_match(observations, rows, revised=set())
    # the month has values that do not exist (OBS_STATUS O): sdmx1 reads them as NaN, not as text
    assert any(r["value"] == "" for r in rows) and any(math.isnan(o["value"]) for o in observations.values())


def test_sdmx1_reads_the_revised_values_of_v2(v2):
    revised = {(r["indicator"], r["region"]) for r in rows_of(v2 / "revisions.csv") if r["table"] == "indicator" and r["field"] != "obs_status"}
    assert revised  # the late correction changed values
    assert_observations_match(read_with_sdmx1(v2 / "indicators.sdmx.csv"), rows_of(v2 / "indicators.csv"), revised)


def test_sdmx1_reads_withheld_and_missing_values_as_missing(tmp_path):
    """The tests' months publish no small cell (their conftest turns disclosure control off): the rows
    csv_files.indicator_rows gives for a withheld cell ("x", CONF_STATUS C), a value that does not exist
    and a count, written by the release's own writer."""
    rows = [
        {"indicator": "dual_teacher_ratio", "region": "410622", "period": PERIOD, "value": "66.0", "unit": "%", "obs_status": "A", "conf_status": "F"},
        {"indicator": "dual_teacher_ratio", "region": "410621", "period": PERIOD, "value": "x", "unit": "%", "obs_status": "P", "conf_status": "C"},
        {"indicator": "dual_teacher_ratio", "region": "410611", "period": PERIOD, "value": "", "unit": "%", "obs_status": "O", "conf_status": "F"},
        {"indicator": "cooperating_enterprises", "region": "410600", "period": PERIOD, "value": "3", "unit": "家", "obs_status": "A", "conf_status": "F"},
    ]
    path = tmp_path / "indicators.sdmx.csv"
    write_sdmx_csv(path, rows, revised={("dual_teacher_ratio", "410621")})
    fields = list(csv.reader(path.read_text(encoding="utf-8").splitlines()))
    # SDMX-CSV 2.1: missing on purpose is "NaN" for the double OBS_VALUE; no field is left empty ("not to be changed")
    assert [f[6] for f in fields[1:]] == ["66.0", "NaN", "NaN", "3.0"] and all(all(f) for f in fields)
    assert_observations_match(read_with_sdmx1(path), rows, revised={("dual_teacher_ratio", "410621")})


# --- workbooks opened by LibreOffice -------------------------------------------------------------

NS = {"office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0", "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
      "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0"}
NUMERIC = {"float", "percentage", "currency"}


def _q(prefix: str, name: str) -> str:
    return f"{{{NS[prefix]}}}{name}"


def _text(cell: ET.Element) -> str:
    """A cell's text as Calc shows it: its paragraphs, with the runs of spaces ODF writes as <text:s/>."""
    def walk(node: ET.Element) -> str:
        out = node.text or ""
        for child in node:
            if child.tag == _q("text", "s"):
                out += " " * int(child.get(_q("text", "c"), "1"))
            elif child.tag == _q("text", "tab"):
                out += "\t"
            elif child.tag == _q("text", "line-break"):
                out += "\n"
            else:
                out += walk(child)
            out += child.tail or ""
        return out
    return "\n".join(walk(p) for p in cell.findall("text:p", NS))


def _trim(cells: list) -> list:
    while cells and cells[-1] is None:
        cells.pop()
    return cells


def opened_in_libreoffice(soffice: str, workbook: Path, work: Path) -> dict[str, list[list]]:
    """Each sheet of `workbook` as LibreOffice Calc reads it: rows of cells, each None (empty), a float
    (a number to Calc) or a str (text to Calc). A cell holding a formula fails the test."""
    out, profile = work / "fods", work / "lo-profile"
    done = subprocess.run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                           "--convert-to", "fods", "--outdir", str(out), str(workbook)], capture_output=True, text=True, timeout=300)
    converted = out / (workbook.stem + ".fods")
    assert done.returncode == 0 and converted.exists(), (done.stdout, done.stderr)
    sheets = {}
    # the XML LibreOffice just wrote from our own workbook, not untrusted input
    for table in ET.parse(converted).getroot().iter(_q("table", "table")):  # noqa: S314
        rows: list[list] = []
        for row in table.iter(_q("table", "table-row")):
            cells: list = []
            for cell in row:
                if cell.tag not in (_q("table", "table-cell"), _q("table", "covered-table-cell")):
                    continue
                assert cell.get(_q("table", "formula")) is None, ET.tostring(cell, encoding="unicode")
                kind = cell.get(_q("office", "value-type"))
                value = float(cell.get(_q("office", "value"))) if kind in NUMERIC else _text(cell) if kind else None
                repeat = int(cell.get(_q("table", "number-columns-repeated"), "1"))
                cells.extend([value] * (repeat if value is not None or repeat < 1000 else 0))  # not the blank filler to column XFD
            cells = _trim(cells)
            repeat = int(row.get(_q("table", "number-rows-repeated"), "1"))
            rows.extend([list(cells) for _ in range(repeat if cells or repeat < 1000 else 0)])
        while rows and not rows[-1]:
            rows.pop()
        sheets[table.get(_q("table", "name"))] = rows
    return sheets


def written_with(workbook: Path) -> dict[str, list[list]]:
    """The same sheets as the writer meant them (openpyxl reads the cells' types as stored)."""
    book = openpyxl.load_workbook(workbook)
    sheets = {}
    for sheet in book.worksheets:
        rows = [_trim([c.value for c in row]) for row in sheet.iter_rows()]
        while rows and not rows[-1]:
            rows.pop()
        sheets[sheet.title] = rows
    return sheets


def assert_read_as_written(opened: dict, written: dict) -> None:
    assert list(opened) == list(written)
    for name, rows in written.items():
        assert len(opened[name]) == len(rows), name
        for r, (seen, meant) in enumerate(zip(opened[name], rows), start=1):
            assert len(seen) == len(meant), (name, r, seen, meant)
            for c, (got, want) in enumerate(zip(seen, meant), start=1):
                where = (name, r, c, got, want)
                if want is None:
                    assert got is None, where
                elif isinstance(want, (int, float)) and not isinstance(want, bool):
                    assert isinstance(got, float) and got == pytest.approx(want), where  # a number, not the text of one
                else:
                    assert isinstance(want, str) and got == want, where  # text stays text, formula-looking or not


def test_release_workbook_opens_in_libreoffice_with_numbers_as_numbers(v1, soffice, tmp_path):
    opened = opened_in_libreoffice(soffice, v1 / "indicators.xlsx", tmp_path)
    assert list(opened) == ["指标", "目标", "说明"]
    assert_read_as_written(opened, written_with(v1 / "indicators.xlsx"))
    header, *body = opened["指标"]
    col = {h: i for i, h in enumerate(header)}
    rows = rows_of(v1 / "indicators.csv")
    assert len(body) == len(rows)
    numbers = 0
    for cells, row in zip(body, rows):
        assert cells[col["区划代码"]] == row["region"]  # a code stays text: "410622", not 410622
        value = cells[col["指标值"]] if col["指标值"] < len(cells) else None
        if row["value"]:
            assert isinstance(value, float) and value == pytest.approx(float(row["value"])), (row, cells)
            numbers += 1
        else:
            assert value is None, (row, cells)
    assert numbers > 0


def test_query_workbook_opens_in_libreoffice_with_numbers_as_numbers(month, soffice, tmp_path):
    out = tmp_path / "values.xlsx"
    sql = ("select indicator_code, region_code, value, numerator, denominator, '=1+2' as note, period from marts.fct_indicator_value "
           f"where variant_code = 'default' and period = '{PERIOD}' and indicator_code = 'dual_teacher_ratio' order by region_code")
    written = run_cli(month["home"], "query", sql, "--format", "xlsx", "--output", str(out))
    assert written.returncode == 0, written.stderr
    expected = run_cli(month["home"], "query", sql, "--json").data
    opened = opened_in_libreoffice(soffice, out, tmp_path)
    assert list(opened) == ["查询结果"]
    assert_read_as_written(opened, written_with(out))
    header, *body = opened["查询结果"]
    assert header == ["指标代码", "区划代码", "指标值", "分子", "分母", "note", "统计期"] and len(body) == len(expected) > 0
    for cells, row in zip(body, expected):
        assert cells[1] == row["region_code"] and cells[5] == "=1+2" and cells[6] == PERIOD  # text, not a number or a formula
        for i, key in ((2, "value"), (3, "numerator"), (4, "denominator")):
            if row[key] is None:
                assert cells[i] is None, (key, cells, row)
            else:
                assert isinstance(cells[i], float) and cells[i] == pytest.approx(row[key]), (key, cells, row)
