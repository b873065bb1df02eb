"""The files of a release (interface.md, "Monthly release"), checked one by one on a real month."""
from __future__ import annotations

import csv
import hashlib
import json

import openpyxl
import pytest

from chanjiao.publication.notes import aims_outside
from tests.conftest import run_cli
from tests.publication.month import PERIOD

pytestmark = pytest.mark.dbt

RELEASE_FILES = {"indicators.xlsx", "indicators.csv", "indicators.sdmx.csv", "bulletin.html", "manifest.json", "targets.csv", "docs/index.html"}
SDMX_HEADER = ["STRUCTURE", "STRUCTURE_ID", "ACTION", "INDICATOR", "REF_AREA", "TIME_PERIOD", "OBS_VALUE", "UNIT_MEASURE", "OBS_STATUS", "REVISED",
               "CONF_STATUS"]


def rows_of(path, encoding="utf-8-sig"):
    with path.open(encoding=encoding, newline="") as fh:
        return list(csv.DictReader(fh))


def files_of(folder):
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def test_v1_holds_every_file_and_the_manifest_hashes_them(v1):
    assert files_of(v1) == RELEASE_FILES  # no revisions file in v1: there is nothing to revise against
    manifest = json.loads((v1 / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["files"]) == RELEASE_FILES - {"manifest.json"}
    for name, digest in manifest["files"].items():
        assert hashlib.sha256((v1 / name).read_bytes()).hexdigest() == digest, name
    assert manifest["version"] == "v1" and manifest["period"] == PERIOD and manifest["revisions_against"] is None
    assert manifest["code_version"]
    # the loads in force for October: both October workbooks and September's register carried forward
    assert sorted((l["file"], l["period"]) for l in manifest["loads"]) == [("a.xlsx", PERIOD), ("b.xlsx", PERIOD), ("register.xlsx", "2026-09")]
    assert all(l["checks"] for l in manifest["loads"])


def test_indicators_csv_is_bom_utf8_and_holds_no_time_or_version(v1):
    raw = (v1 / "indicators.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    published = json.loads((v1 / "manifest.json").read_text(encoding="utf-8"))["published_at"]
    assert published[:10] not in text and "v1" not in text  # a pure function of the warehouse, rebuildable byte for byte
    rows = rows_of(v1 / "indicators.csv")
    qixian = next(r for r in rows if r["indicator"] == "dual_teacher_ratio" and r["region"] == "410622")
    assert (qixian["numerator"], qixian["denominator"], qixian["value"], qixian["status"], qixian["region_name"]) == ("33.0", "50.0", "66.0", "ok", "淇县")


def test_workbook_has_chinese_headers_frozen_header_and_numbers_as_numbers(v1):
    book = openpyxl.load_workbook(v1 / "indicators.xlsx")
    assert book.sheetnames == ["指标", "目标", "说明"]
    values = book["指标"]
    headers = [c.value for c in values[1]]
    assert headers[:4] == ["指标代码", "指标名称", "区划代码", "地区"] and "指标值" in headers and "状态" in headers
    assert values.freeze_panes == "A2" and book["目标"].freeze_panes == "A2"
    col = {h: i for i, h in enumerate(headers)}
    csv_rows = rows_of(v1 / "indicators.csv")
    assert values.max_row == len(csv_rows) + 1
    for cells, row in zip(values.iter_rows(min_row=2), csv_rows):
        assert cells[col["区划代码"]].value == row["region"] and cells[col["区划代码"]].data_type == "s"  # codes stay text: 410622, not a number
        value = cells[col["指标值"]]
        if row["value"]:
            assert value.data_type == "n" and value.value == pytest.approx(float(row["value"]))
            assert value.number_format == {"%": "0.00", "元": "#,##0.00", "家": "#,##0", "个": "#,##0"}[row["unit"]]
        else:
            assert value.value is None
    dual = next(r for r in values.iter_rows(min_row=2, values_only=True) if r[col["指标代码"]] == "dual_teacher_ratio" and r[col["区划代码"]] == "410622")
    assert (dual[col["指标值"]], dual[col["状态"]], dual[col["层级"]]) == (66.0, "正常", "县(区)")


def test_targets_sheet_shows_status_and_deadline_state(v1):
    sheet = openpyxl.load_workbook(v1 / "indicators.xlsx")["目标"]
    headers = [c.value for c in sheet[1]]
    rows = [dict(zip(headers, r)) for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert len(rows) == len(rows_of(v1 / "targets.csv")) > 0
    dual = next(r for r in rows if r["指标代码"] == "dual_teacher_ratio" and r["区划代码"] == "410600")
    # (33 双师型 + 2 一体化) / 50 = 70.00 meets ">= 70"; the 2025 deadline has passed, with no December 2025 data.
    assert (dual["口径值"], dual["比较符"], dual["目标值"], dual["达标状态"], dual["期限状态"], dual["期限年12月状态"]) == \
        (70.0, ">=", 70.0, "达标", "已过期限", "无数据")
    assert dual["政策依据"] == "鹤政办〔2022〕1号 四(三)" and dual["地区"] == "鹤壁市"


def test_notes_sheet_has_definitions_sources_codes_and_aims_tracked_outside(v1):
    text = [str(v) for row in openpyxl.load_workbook(v1 / "indicators.xlsx")["说明"].iter_rows(values_only=True) for v in row if v is not None]
    blob = "\n".join(text)
    codes = {r["indicator"] for r in rows_of(v1 / "indicators.csv")}
    assert codes <= set(text)  # every published indicator is defined
    assert "双师型教师占专业课教师比例" in text and "专任专业课教师数" in text and "full-time professional-course teachers" not in text
    # the sources and aims of the regions the release holds (鹤壁市, its counties, 河南省), not every seeded one
    assert "鹤政办〔2022〕1号" in text and not {"产教融合工作方案 篇3", "产教融合工作方案 篇7"} & set(text)  # 柳州, 西安
    for code in ("ok", "not_computable", "no_data", "met", "not_met", "past_due", "A", "P", "O", "F", "C"):
        assert code in text, code
    assert "不由本系统统计、另行跟踪的目标(无报送数据)" in text and "tracked outside chanjiao" not in blob
    shown = {r["region"] for r in rows_of(v1 / "indicators.csv")}
    assert all(a["aim"] in text for a in aims_outside(shown)) and aims_outside(shown)
    assert "职普比45:55" not in text and "沧州市" not in text  # 沧州's aim, tracked outside chanjiao


def test_sdmx_csv_has_the_dataflow_and_attributes_of_interface_md(v1):
    raw = (v1 / "indicators.sdmx.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    reader = csv.reader(raw.decode("utf-8").splitlines())
    header, *rows = list(reader)
    assert header == SDMX_HEADER
    obs = [dict(zip(header, r)) for r in rows]
    indicators = {(r["indicator"], r["region"]): r for r in rows_of(v1 / "indicators.csv")}
    assert {(o["INDICATOR"], o["REF_AREA"]) for o in obs} == set(indicators) and len(obs) == len(indicators)
    for o in obs:
        # SDMX-CSV 2.1: Replace, not the deprecated Information (chanjiao/publication/sdmx.py)
        assert (o["STRUCTURE"], o["STRUCTURE_ID"], o["ACTION"], o["TIME_PERIOD"], o["REVISED"]) == ("dataflow", "CHANJIAO:DF_IEI(1.0)", "R", PERIOD, "N")
        assert all(o.values())  # no field left empty: in SDMX-CSV 2.1 that is a component omitted, "not to be changed"
        source = indicators[(o["INDICATOR"], o["REF_AREA"])]
        # a value that does not exist is missing on purpose: "NaN", the double OBS_VALUE's intentionally missing value
        assert (o["OBS_VALUE"] == "NaN") if source["value"] == "" else (float(o["OBS_VALUE"]) == float(source["value"]))
        # no reporting frame is in force in this month: only 河南省, built from 鹤壁 alone of its cities, is provisional
        assert o["OBS_STATUS"] == ("O" if source["value"] == "" else "P" if o["REF_AREA"] == "410000" else "A") == source["obs_status"]
        assert o["CONF_STATUS"] == source["conf_status"] == "F"  # the tests' conftest turns disclosure control off
        assert o["UNIT_MEASURE"] == {"%": "PT", "元": "CNY", "家": "NUMBER", "个": "NUMBER"}[source["unit"]]
    assert {o["OBS_STATUS"] for o in obs} == {"A", "O", "P"}


def test_sdmx_structure_is_the_one_interface_md_gives():
    from chanjiao.publication.sdmx import structure

    schema = structure()
    components = schema.components
    assert (schema.context, schema.agency, schema.id, schema.version) == ("dataflow", "CHANJIAO", "DF_IEI", "1.0")
    assert [c.id for c in components.dimensions] == ["INDICATOR", "REF_AREA", "TIME_PERIOD"]
    assert [c.id for c in components.measures] == ["OBS_VALUE"]
    assert [c.id for c in components.attributes] == ["UNIT_MEASURE", "OBS_STATUS", "REVISED", "CONF_STATUS"]
    conf = components["CONF_STATUS"].local_codes
    assert (conf.agency, conf.id, [c.id for c in conf]) == ("SDMX", "CL_CONF_STATUS", ["F", "C"])
    status = components["OBS_STATUS"].local_codes
    assert (status.agency, status.id, [c.id for c in status]) == ("SDMX", "CL_OBS_STATUS", ["A", "P", "O"])
    assert [c.id for c in components["REVISED"].local_codes] == ["Y", "N"]


def test_sdmx_csv_reads_back_with_pysdmx(v1):
    """pysdmx's own SDMX-CSV 2.1 reader gives back the dataflow, the columns and every value of indicators.csv
    (sdmx1, a reader independent of pysdmx, is in test_outside_readers.py)."""
    from pysdmx.io.csv.sdmx21.reader import read
    from pysdmx.model.dataset import ActionType

    [dataset] = read((v1 / "indicators.sdmx.csv").read_text(encoding="utf-8"))
    assert dataset.short_urn == "Dataflow=CHANJIAO:DF_IEI(1.0)" and dataset.action == ActionType.Replace
    # the structural columns are consumed by the reader; what is left is dimensions, measure, attributes in order
    assert list(dataset.data.columns) == SDMX_HEADER[3:]
    observations = dataset.data.astype(object).to_dict(orient="records")
    indicators = {(r["indicator"], r["region"]): r for r in rows_of(v1 / "indicators.csv")}
    assert len(observations) == len(indicators)
    assert {(o["INDICATOR"], o["REF_AREA"]) for o in observations} == set(indicators)
    for o in observations:
        source = indicators[(o["INDICATOR"], o["REF_AREA"])]
        assert (o["TIME_PERIOD"], o["REVISED"]) == (source["period"], "N")
        if source["value"] == "":  # pysdmx keeps SDMX's intentionally missing value as it is written
            assert (o["OBS_VALUE"], o["OBS_STATUS"]) == ("NaN", "O")
        else:
            assert float(o["OBS_VALUE"]) == float(source["value"]) and o["OBS_STATUS"] == ("P" if o["REF_AREA"] == "410000" else "A")
        assert o["UNIT_MEASURE"] == {"%": "PT", "元": "CNY", "家": "NUMBER", "个": "NUMBER"}[source["unit"]]


def test_bulletin_is_self_contained(v1):
    html = (v1 / "bulletin.html").read_text(encoding="utf-8")
    assert "<script" not in html and "http://" not in html.replace("http://www.w3.org/2000/svg", "") and "https://" not in html
    assert "Noto Sans CJK SC" in html and "default-src 'none'" in html
    assert "淇县" in html and "鹤壁市" in html and "不由本系统统计" in html and "<main>" in html
    # 淇县's 双师型 share was 31/50 in September and 33/50 in October: the table has October's; under 鹤壁's target
    # (双师型 or 一体化) the city went from 31/50 to 35/50, which the headline says as a change in points
    assert "66.00%" in html and "（双师型或一体化教师口径）为70.00%，比上月提高8.00个百分点" in html


def test_docs_site_is_the_static_dbt_docs(v1):
    html = (v1 / "docs" / "index.html").read_text(encoding="utf-8")
    # the manifest and the catalog (which has the warehouse's table types) are inside the one file
    assert "model.chanjiao.fct_indicator_value" in html and '"type": "BASE TABLE"' in html
    import re

    assert not re.findall(r"<(?:script|link)[^>]+(?:src|href)=[\"']https?://", html)


def test_publish_again_with_nothing_changed_writes_nothing(month, v1):
    publications = month["home"] / "publications"

    def snapshot():
        return {p.relative_to(publications).as_posix(): (p.stat().st_mtime_ns, p.stat().st_size) for p in publications.rglob("*")}

    before = snapshot()
    again = run_cli(month["home"], "publish", "--period", PERIOD, "--json")
    assert again.returncode == 0 and again.data["status"] == "unchanged", again.stderr[-2000:]
    human = run_cli(month["home"], "publish", "--period", PERIOD)
    assert human.returncode == 0 and "nothing written" in human.stdout
    assert snapshot() == before
