"""A real month built once for the release tests, its releases, and a headless Chromium and LibreOffice to open them."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from chanjiao.app.publish import publish
from chanjiao.settings import Settings
from tests.conftest import run_cli
from tests.publication.month import PERIOD, build_month, late_correction

CHROMIUM = "/usr/bin/chromium"
SOFFICE = "/usr/bin/soffice"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def month(tmp_path_factory) -> dict:
    home = tmp_path_factory.mktemp("release-home")
    inbox = tmp_path_factory.mktemp("release-inbox")
    build_month(home, inbox)
    return {"home": home, "inbox": inbox}


@pytest.fixture(scope="session")
def v1(month) -> Path:
    result = publish(Settings(home=month["home"], pii_key=None), PERIOD)
    assert (result["status"], result["version"], result["revisions"], result["revisions_against"]) == ("published", "v1", None, None)
    return Path(result["path"])


@pytest.fixture(scope="session")
def v2(month, v1) -> Path:
    """The release after a late correction of school B's October workbook, published as an operator
    would, with `chanjiao publish`, whose human output says how many values it revises."""
    late_correction(month["home"], month["inbox"])
    human = run_cli(month["home"], "publish", "--period", PERIOD)
    path = month["home"] / "publications" / PERIOD / "v2"
    assert human.returncode == 0, human.stderr[-2000:]
    assert human.stdout.strip() == f"published {PERIOD} v2 to {path}; 7 revisions against v1 (revisions.csv)"
    return path


def _has_cjk_font() -> bool:
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return False
    fonts = subprocess.run([fc_list, ":lang=zh-cn", "family"], capture_output=True, text=True)
    return "Noto Sans CJK SC" in fonts.stdout


def _system_packages(packages: list[str], ready, missing: str, needed_for: str, recommends: bool = True) -> None:
    """Install Debian `packages` unless `ready()`; under CI=true not getting them fails the run, else skips.
    apt waits for dpkg's lock: another test run on the machine may be installing its own packages."""
    problem = None
    if not ready():
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        wait = ["-o", "DPkg::Lock::Timeout=600"]
        for cmd in (["apt-get", "update", "-q", *wait], ["apt-get", "install", "-y", "-q", *wait,
                                                             *([] if recommends else ["--no-install-recommends"]), *packages]):
            done = subprocess.run(cmd, env=env, capture_output=True, text=True)
            if done.returncode != 0:
                problem = f"{' '.join(cmd)} failed: {done.stderr[-500:]}"
                break
    if problem is None and not ready():
        problem = f"{missing} still missing after apt-get install"
    if problem:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{problem} — CI must {needed_for}")
        pytest.skip(problem)


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's Chromium and CJK fonts, installed where missing. Under CI=true not getting them fails the run."""
    _system_packages(["chromium", "fonts-noto-cjk"], lambda: os.path.exists(CHROMIUM) and shutil.which("fc-list") and _has_cjk_font(),
                     f"{CHROMIUM} or the Noto Sans CJK SC font is", "open the bulletin in a browser")
    return CHROMIUM


@pytest.fixture(scope="session")
def soffice() -> str:
    """Debian's LibreOffice Calc without a GUI (what a bureau's office suite reads a workbook with), installed
    where missing. Under CI=true not getting it fails the run."""
    _system_packages(["libreoffice-calc-nogui"], lambda: os.path.exists(SOFFICE), f"{SOFFICE} is", "open the workbooks in LibreOffice",
                     recommends=False)
    return SOFFICE


@pytest.fixture
def browser_page(chromium):
    """A page that may load only local files: any other request is refused and recorded, console errors are kept."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.network_requests = []
        page.console_errors = []

        def route(r):
            if r.request.url.startswith(("file:", "data:", "about:")):
                r.continue_()
            else:
                page.network_requests.append(r.request.url)
                r.abort()

        page.route("**/*", route)
        page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
        page.on("pageerror", lambda e: page.console_errors.append(str(e)))
        try:
            yield page
        finally:
            browser.close()


