"""The bulletin and the dbt docs site opened by headless Chromium, with every network request refused."""
from __future__ import annotations

import csv

import pytest

from tests.publication.month import PERIOD

pytestmark = [pytest.mark.browser, pytest.mark.dbt]


def test_bulletin_renders_offline_with_a_chart_and_target_line_per_target(v2, browser_page, tmp_path):
    page = browser_page
    page.goto((v2 / "bulletin.html").as_uri())
    page.wait_for_load_state("load")
    shot = tmp_path / "bulletin.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    assert page.console_errors == [] and page.network_requests == []
    assert page.title() == f"产教融合统计公报 {PERIOD} v2"
    with (v2 / "targets.csv").open(encoding="utf-8-sig", newline="") as fh:
        targets = list(csv.DictReader(fh))
    assert targets
    for t in targets:
        selector = f'svg.chart[data-indicator="{t["indicator"]}"][data-region="{t["region"]}"][data-variant="{t["variant"]}"][data-by="{t["by"]}"]'
        chart = page.locator(selector)
        assert chart.count() >= 1, selector
        line = chart.first.locator("line.target-line")
        box = line.first.bounding_box()
        assert box and box["width"] > 100, (selector, box)  # drawn across the plot, not a zero-size element
        assert float(line.first.get_attribute("data-level")) == float(t["value"])
    # the trend has a point for each month the warehouse holds: September and October
    dual = page.locator('svg.chart[data-indicator="dual_teacher_ratio"][data-region="410600"] circle.point')
    assert dual.count() == 2
    # Chinese is set in the installed CJK font, not in a fallback box font
    family = page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily")
    assert family.startswith('"Noto Sans CJK SC"')
    assert page.evaluate("document.fonts.check('16px \"Noto Sans CJK SC\"', '产教融合')")


def test_docs_site_opens_offline(v1, browser_page, tmp_path):
    page = browser_page
    page.goto((v1 / "docs" / "index.html").as_uri() + "#!/model/model.chanjiao.fct_indicator_value")
    # the model page is built from the manifest and catalog inside the file: its Chinese description shows
    page.wait_for_function("document.body.innerText.includes('指标值 — 每个指标 × 口径 × 地区 × 报告期一行')", timeout=60_000)
    page.screenshot(path=str(tmp_path / "docs.png"))
    assert page.network_requests == [], page.network_requests
    # dbt-docs itself asks for its icons through an unrendered Angular template ({{ getIcon(...) }}) before
    # Angular runs; that upstream noise is the only console error allowed here
    assert [e for e in page.console_errors if "getIcon" not in e and "ERR_FILE_NOT_FOUND" not in e] == []
