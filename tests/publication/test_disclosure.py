"""Coverage, provisional values and small cells (interface.md), at the default of 3 reporting units, on a
real built home and a real release: what a public release withholds, what statisticians still see, and
every target of the region shown, including those no submission carries data for."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from chanjiao.demo import factory as fx
from chanjiao.publication.csv_files import WITHHELD
from ingestion.registry import kinds
from ingestion.templates import write_workbook
from tests.conftest import ingest_here, make_uscc, run_cli

pytestmark = pytest.mark.dbt

PERIOD = "2026-10"
CITY, PROVINCE = "410600", "410000"
# 浚县 one school (a small cell), 淇县 three (withheld with it: else 鹤壁市 − 淇县 − 淇滨区 = 浚县), 淇滨区 four
SCHOOLS = {"410621": 1, "410622": 3, "410611": 4}
DEFAULTS = {"CHANJIAO_SMALL_CELL_UNITS": ""}  # the tests' conftest turns disclosure control off; here it is on


def school(code: str, region: str, teachers: int, dual: int) -> dict:
    return fx.school(code, f"学校{code}", region, "中职", PERIOD,
                     [{"teacher_id": f"T{i:03d}", "is_professional": True, "is_dual_qualified": i < dual, "employment_type": "专任"}
                      for i in range(teachers)],
                     [fx.cooperation(make_uscc(region, 1), name="甲公司")],
                     enrolled_students=900, staff_quota=50, practical_teaching_hours=900, contact_name=None, contact_phone=None)


def cli(home: Path, *args: str):
    import os

    saved = os.environ.get("CHANJIAO_SMALL_CELL_UNITS")
    os.environ["CHANJIAO_SMALL_CELL_UNITS"] = ""
    try:
        return run_cli(home, *args)
    finally:
        os.environ["CHANJIAO_SMALL_CELL_UNITS"] = saved or ""


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("disclosure")
    book, files = kinds()["school_workbook"], []
    for county, n in SCHOOLS.items():
        for i in range(n):
            code = f"41{county}{i + 1:02d}"
            files.append(write_workbook(book, root / f"{code}.xlsx", school(code, county, 10, 7 + i)))
    home = root / "home"
    assert [o["status"] for o in ingest_here(home, *files, **DEFAULTS)] == ["accepted"] * len(files)
    built = cli(home, "build")
    assert built.returncode == 0, built.stderr[-3000:]
    published = cli(home, "publish", "--period", PERIOD, "--json")
    assert published.returncode == 0, published.stderr[-3000:]
    indicators = cli(home, "indicators", "--period", PERIOD, "--json")
    assert indicators.returncode == 0, indicators.stderr[-3000:]
    return {"home": home, "version": Path(published.data["path"]), "values": indicators.data}


def rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def dual(rows_: list[dict], region: str) -> dict:
    return next(r for r in rows_ if r["indicator"] == "dual_teacher_ratio" and r["region"] == region)


def test_statisticians_see_every_value_with_its_flags(release):
    values = release["values"]
    assert [(dual(values, c)["units"], dual(values, c)["small_cell"], dual(values, c)["withheld"], dual(values, c)["withheld_reason"])
            for c in ("410621", "410622", "410611", CITY)] == [(1, True, True, "small_cell"), (3, False, True, "complementary"),
                                                               (4, False, False, None), (8, False, False, None)]
    assert dual(values, "410621")["value"] == 70.0  # shown to statisticians: 7 of the school's 10
    assert dual(values, PROVINCE)["provisional"] is True and dual(values, CITY)["provisional"] is False  # 河南 from 鹤壁 alone


def test_a_public_release_withholds_small_cells_and_what_would_recover_them(release):
    version = release["version"]
    published = rows(version / "indicators.csv")
    for county in ("410621", "410622"):
        row = dual(published, county)
        assert (row["numerator"], row["denominator"], row["value"], row["conf_status"]) == (WITHHELD, WITHHELD, WITHHELD, "C")
    assert dual(published, "410611")["conf_status"] == "F" and float(dual(published, "410611")["value"]) > 0
    city = dual(published, CITY)
    assert (city["numerator"], city["denominator"], city["conf_status"], city["obs_status"]) == ("65.0", "80.0", "F", "A")  # 7 + 24 + 34
    assert dual(published, PROVINCE)["obs_status"] == "P"
    # nothing of a withheld cell is recoverable: a published parent never has exactly one withheld child
    counties = [r["conf_status"] for r in published if r["indicator"] == "dual_teacher_ratio" and r["region_level"] == "county"]
    assert counties.count("C") == 2

    sdmx = rows(version / "indicators.sdmx.csv")
    obs = {r["REF_AREA"]: r for r in sdmx if r["INDICATOR"] == "dual_teacher_ratio"}
    assert (obs["410621"]["OBS_VALUE"], obs["410621"]["CONF_STATUS"]) == ("NaN", "C")  # SDMX-CSV 2.1: missing on purpose
    assert (obs["410611"]["CONF_STATUS"], obs[PROVINCE]["OBS_STATUS"]) == ("F", "P")

    sheet = CalamineWorkbook.from_path(str(version / "indicators.xlsx")).get_sheet_by_name("指标").to_python()
    header = sheet[0]
    xun = next(r for r in sheet if r[header.index("区划代码")] == "410621" and r[header.index("指标代码")] == "dual_teacher_ratio")
    assert xun[header.index("指标值")] == WITHHELD and xun[header.index("分子")] == WITHHELD

    bulletin = (version / "bulletin.html").read_text(encoding="utf-8")
    assert "<main>" in bulletin and "不予公布" in bulletin and "(初步)" in bulletin
    assert "70.00%" not in bulletin  # 浚县's value (7 of 10), under any 口径


def test_every_target_of_the_region_is_shown_and_only_its_own_sources(release):
    values, version = release["values"], release["version"]
    city = {v["indicator"]: v for v in values if v["region"] == CITY}
    # the 12 targets of 鹤壁 (targets seed) on 11 indicators: those no submission carries are no_data rows
    assert {"certified_enterprise_count", "industry_college_count", "training_fund_extraction_compliance",
            "training_fund_frontline_compliance"} <= {i for i, v in city.items() if v["status"] == "no_data"}
    assert sum(len(v["targets"]) for v in city.values()) == 12
    assert all(t["status"] == "no_data" for v in city.values() if v["status"] == "no_data" for t in v["targets"])
    targets = rows(version / "targets.csv")
    assert len([t for t in targets if t["region"] == CITY]) == 12
    notes = CalamineWorkbook.from_path(str(version / "indicators.xlsx")).get_sheet_by_name("说明").to_python()
    jurisdictions = {r[0] for r in notes if r and isinstance(r[0], str) and r[0].isdigit() and len(r[0]) == 6}
    assert CITY in jurisdictions and not jurisdictions & {"130900", "450200", "610100", "652323"}  # 沧州, 柳州, 西安, 呼图壁
    manifest = json.loads((version / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["files"]["indicators.csv"]


INTERNAL = ("population=", "rule=", "band=", "scope=", "(permission)", "(compilation)", "dual_teacher_ratio", "not_met", "no_data",
            "not_computable", "default", "410621")


@pytest.mark.browser
def test_the_bulletin_reads_as_a_bulletin_in_a_browser(release, browser_page, tmp_path):
    """Headless Chromium: the headline paragraph, a trend chart with its target line per target and the
    counties against it, the provisional and small-cell marks with their footnote, no internal code."""
    page = browser_page
    page.goto((release["version"] / "bulletin.html").as_uri())
    page.wait_for_load_state("load")
    shot = tmp_path / "bulletin.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000 and page.console_errors == [] and page.network_requests == []
    headline = page.locator(f"section#h{CITY}")
    assert headline.locator("p.lead").inner_text().startswith("2026年10月，鹤壁市11项产教融合量化目标中，1项达标")
    points = headline.locator("ul.points li").all_inner_texts()
    assert len(points) == 11 and any(p.startswith("双师型教师占专业课教师比例（双师型或一体化教师口径）为81.25%") for p in points)
    targets = [t for t in rows(release["version"] / "targets.csv") if t["region"] == CITY]
    assert len(targets) == 12
    for t in targets:
        chart = page.locator(f'svg.chart[data-indicator="{t["indicator"]}"][data-region="{CITY}"][data-variant="{t["variant"]}"][data-by="{t["by"]}"]')
        line = chart.first.locator("line.target-line").first
        box = line.bounding_box()
        assert box and box["width"] > 100 and float(line.get_attribute("data-level")) == float(t["value"])
    bars = page.locator(f'svg.chart[data-chart="counties"][data-indicator="dual_teacher_ratio"][data-region="{CITY}"]')
    assert bars.count() == 1 and bars.locator("rect.bar").count() == 1  # 淇滨区 drawn; 浚县 and 淇县 withheld
    assert bars.locator("text.bar-note").all_text_contents() == ["x（不予公布）", "x（不予公布）"]
    text = page.locator("main").inner_text()
    assert "(初步)" in text and "不予公布" in text and "x注" in text.replace("\n", "").replace(" ", "")
    assert not [code for code in INTERNAL if code in text]


def test_the_small_cell_threshold_is_configuration():
    """CHANJIAO_SMALL_CELL_UNITS reaches dbt as its var (only when it is not dbt_project.yml's default, so the
    usual build keeps the cached parse); a value that is no whole number of at least 1 is refused."""
    import yaml

    from chanjiao import build
    from chanjiao import settings as config
    from chanjiao.settings import DBT_PROJECT_DIR

    project = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    assert config.load({"CHANJIAO_HOME": "/tmp/x"}).small_cell_units == project["vars"]["small_cell_units"] == 3
    assert build._vars(config.load({"CHANJIAO_HOME": "/tmp/x"})) == []
    five = config.load({"CHANJIAO_HOME": "/tmp/x", "CHANJIAO_SMALL_CELL_UNITS": "5"})
    assert build._vars(five) == ["--vars", '{"small_cell_units": 5}']
    for bad in ("0", "three"):
        with pytest.raises(config.ConfigError, match="CHANJIAO_SMALL_CELL_UNITS"):
            config.load({"CHANJIAO_HOME": "/tmp/x", "CHANJIAO_SMALL_CELL_UNITS": bad})


@pytest.mark.browser
def test_the_bulletin_has_no_accessibility_violation(release, browser_page):
    """axe-core (bundled by axe-playwright-python), every rule it runs by default, best practices included
    (a <main> landmark, headings in order, table headers, contrast)."""
    from axe_playwright_python.sync_playwright import Axe

    browser_page.goto((release["version"] / "bulletin.html").as_uri())
    results = Axe().run(browser_page, options={"resultTypes": ["violations"],
                                               "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa", "best-practice"]}})
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.browser
def test_the_bulletin_prints_on_a4_without_overflow(release, browser_page, tmp_path):
    """Printed (A4, 15 mm margins: 180 mm ≈ 680 CSS px of line), nothing is wider than the page, and the PDF has
    pages for the whole bulletin."""
    page = browser_page
    page.goto((release["version"] / "bulletin.html").as_uri())
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 680, "height": 960})
    assert page.evaluate("document.documentElement.scrollWidth") <= 680
    pdf = tmp_path / "bulletin.pdf"
    page.pdf(path=str(pdf), format="A4", prefer_css_page_size=True)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and data.count(b"/Type /Page\n") + data.count(b"/Type /Page>>") + data.count(b"/Type/Page") >= 2
