"""When a new version is written: a change only in the reporting frame makes one; a publish that fails
midway leaves neither a temporary folder nor a partial version, and the next publish then succeeds;
folders named like versions by hand are no versions, and the next version is numbered past them.

Each runs on a copy of the month's home taken after v1 (and v2, if the revision tests ran first), so the
session's releases stay as the other tests expect them. The frame names a third 淇县 school that has
not reported: the statistics stay the same, their coverage does not.
"""
from __future__ import annotations

import csv
import hashlib
import json
import logging
import os
import resource
import shutil
import subprocess
from pathlib import Path

import pytest

from chanjiao.app.publish import publish
from chanjiao.demo import factory as fx
from chanjiao.publication.release import versions
from chanjiao.settings import Settings
from tests.conftest import CLI, PII_KEY, ingest_here, run_cli
from tests.publication.month import PERIOD

pytestmark = pytest.mark.dbt

# Small enough that the workbook (about 14 kB) cannot be written, large enough for indicators.csv,
# targets.csv and revisions.csv (about 4 kB at most), which are written before it: the fault lands
# midway through the version, after some of its files exist.
FILE_SIZE_LIMIT = 8192
STATISTICS = ("numerator", "denominator", "value", "status")


def rows_of(path: Path) -> dict[tuple[str, str], dict]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return {(r["indicator"], r["region"]): r for r in csv.DictReader(fh)}


def sdmx_of(path: Path) -> dict[tuple[str, str], dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        return {(o["INDICATOR"], o["REF_AREA"]): o for o in csv.DictReader(fh)}


def digests(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*") if p.is_file()}


def copy_home(month: dict, tmp_path_factory, name: str) -> Path:
    home = tmp_path_factory.mktemp(name) / "home"
    shutil.copytree(month["home"], home, symlinks=True)
    return home


def expect_a_third_school(home: Path) -> None:
    """The collecting bureau's reporting frame now expects three school workbooks from 淇县 (only two
    schools have reported): ingested and built, so the next release's coverage differs."""
    frame = {"reporting_frame": [
        {"submitter_code": code, "submitter_name": name, "kind": "school_workbook", "region_code": "410622", "from_period": "2026-01"}
        for code, name in (("4141062201", "淇县甲校"), ("4141062202", "淇县乙技校"), ("4141062203", "淇县丙校"))]}
    path = fx.write("reporting_frame", home.parent / "frame.xlsx", frame)
    ingested = ingest_here(home, path, period=PERIOD)
    assert [o["status"] for o in ingested] == ["accepted"], ingested
    built = run_cli(home, "build")
    assert built.returncode == 0, built.stderr[-3000:]


@pytest.fixture(scope="module")
def framed(month, v1, tmp_path_factory) -> dict:
    """A copy of the month's home with the reporting frame of a third school (expect_a_third_school)."""
    home = copy_home(month, tmp_path_factory, "framed")
    previous = versions(Settings(home=home, pii_key=None), PERIOD)[-1]
    expect_a_third_school(home)
    return {"home": home, "previous": previous, "before": {p.name: digests(p) for p in versions(Settings(home=home, pii_key=None), PERIOD)}}


@pytest.fixture(scope="module")
def failed_attempt(framed) -> subprocess.CompletedProcess:
    """`chanjiao publish` with the file-size limit lowered, as a full disk would: a real write error, raised
    by the kernel (EFBIG; Python ignores SIGXFSZ) while the version's files are being written."""
    previous = framed["previous"]
    written_first = [previous / "indicators.csv", previous / "targets.csv"]
    assert all(p.stat().st_size < FILE_SIZE_LIMIT for p in written_first)  # so the fault is not at the first file
    assert (previous / "indicators.xlsx").stat().st_size > FILE_SIZE_LIMIT  # and does happen before the last

    def limit_file_size():
        resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_SIZE_LIMIT, FILE_SIZE_LIMIT))

    env = {**os.environ, "CHANJIAO_HOME": str(framed["home"]), "CHANJIAO_PII_KEY": PII_KEY}
    return subprocess.run([str(CLI), "publish", "--period", PERIOD], env=env, capture_output=True, text=True,
                          timeout=600, preexec_fn=limit_file_size)


def test_a_publish_failing_midway_leaves_no_temporary_folder_and_no_partial_version(framed, failed_attempt):
    assert failed_attempt.returncode == 1, failed_attempt.stdout + failed_attempt.stderr[-2000:]
    assert "File too large" in failed_attempt.stderr  # the fault injected, not some other failure
    period = framed["home"] / "publications" / PERIOD
    # exactly the versions there were, each byte for byte as before; nothing else in the period folder
    assert sorted(p.name for p in period.iterdir()) == sorted(framed["before"])
    assert {p.name: digests(p) for p in versions(Settings(home=framed["home"], pii_key=None), PERIOD)} == framed["before"]


def test_a_change_only_in_the_reporting_frame_makes_a_new_version(framed, failed_attempt):
    settings = Settings(home=framed["home"], pii_key=None)
    previous = framed["previous"]
    result = publish(settings, PERIOD)  # after the failed attempt: nothing it left blocks the version
    number = int(previous.name[1:]) + 1
    assert (result["status"], result["version"], result["revisions_against"]) == ("published", f"v{number}", previous.name)
    new = Path(result["path"])

    old_rows, new_rows = rows_of(previous / "indicators.csv"), rows_of(new / "indicators.csv")
    assert old_rows.keys() == new_rows.keys()
    assert all(old_rows[k][f] == new_rows[k][f] for k in old_rows for f in STATISTICS)  # no statistic moved
    provisional = {k for k, r in new_rows.items()
                   if r["value"] and r["coverage_expected"] and float(r["coverage_accepted"]) < float(r["coverage_expected"])}
    assert ("dual_teacher_ratio", "410622") in provisional  # 2 of the 3 schools the frame expects have reported
    assert (new_rows[("dual_teacher_ratio", "410622")]["coverage_expected"], new_rows[("dual_teacher_ratio", "410622")]["coverage_accepted"]) == ("3", "2")
    assert all(old_rows[k]["coverage_expected"] == "" for k in provisional)  # no frame was in force before

    # SDMX: those values are now provisional, and none is marked revised, since no value changed. 河南省
    # is built from 鹤壁 alone of its cities: provisional in both versions (interface.md), so not a change.
    old_sdmx, new_sdmx = sdmx_of(previous / "indicators.sdmx.csv"), sdmx_of(new / "indicators.sdmx.csv")
    province = {k for k, r in new_rows.items() if k[1] == "410000" and r["value"]}
    assert province and all(old_sdmx[k]["OBS_STATUS"] == "P" for k in province)
    assert {k for k, o in new_sdmx.items() if o["OBS_STATUS"] == "P"} == provisional | province
    assert {o["REVISED"] for o in new_sdmx.values()} == {"N"}
    changed_status = {k for k in new_sdmx if new_sdmx[k]["OBS_STATUS"] != old_sdmx[k]["OBS_STATUS"]}
    assert changed_status == provisional - province and changed_status

    # the revisions are exactly those status changes: a published status differs, so it is listed
    with (new / "revisions.csv").open(encoding="utf-8-sig", newline="") as fh:
        listed = [(r["table"], r["indicator"], r["region"], r["field"], r["previous"], r["current"]) for r in csv.DictReader(fh)]
    assert sorted(listed) == sorted(("indicator", i, r, "obs_status", "A", "P") for i, r in changed_status)
    assert result["revisions"] == len(changed_status)
    manifest = json.loads((new / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["revisions_against"] == previous.name

    # earlier versions untouched; publishing again with nothing changed writes nothing
    assert {p.name: digests(p) for p in versions(settings, PERIOD)[:-1]} == framed["before"]
    assert publish(settings, PERIOD)["status"] == "unchanged"
    assert len(versions(settings, PERIOD)) == number


def test_folders_named_like_versions_by_hand_are_no_versions_and_keep_their_names(month, v1, tmp_path_factory, caplog):
    """Two folders made by hand after the last version: one holding some of its files but no manifest.json
    (a half copy, or a half-deleted version), one a whole copy, whose manifest names the version it came from."""
    home = copy_home(month, tmp_path_factory, "stray")
    settings = Settings(home=home, pii_key=None)
    published = versions(settings, PERIOD)  # v1, and v2 if the revision tests ran first
    last = published[-1]
    number = int(last.name[1:])
    half, whole = (last.parent / f"v{number + 1}", last.parent / f"v{number + 2}")
    half.mkdir()
    shutil.copy2(last / "indicators.csv", half / "indicators.csv")
    shutil.copytree(last, whole)
    before = {p.name: digests(p) for p in (half, whole)}

    assert versions(settings, PERIOD) == published  # not listed: no version_as_of, trace or deadline check sees them
    unchanged = publish(settings, PERIOD)  # nothing changed: the last published version is still current
    assert (unchanged["status"], unchanged["version"]) == ("unchanged", last.name)

    expect_a_third_school(home)  # the input changes, so publishing writes a version
    with caplog.at_level(logging.WARNING, logger="chanjiao.publication.release"):
        result = publish(settings, PERIOD)
    new = f"v{number + 3}"  # past every name taken
    assert (result["status"], result["version"], result["revisions_against"]) == ("published", new, last.name)
    warned = [r for r in caplog.records if r.levelname == "WARNING"]
    assert len(warned) == 1 and half.name in warned[0].getMessage() and whole.name in warned[0].getMessage()
    assert versions(settings, PERIOD) == [*published, Path(result["path"])]
    assert json.loads((Path(result["path"]) / "manifest.json").read_text(encoding="utf-8"))["version"] == new
    assert {p.name: digests(p) for p in (half, whole)} == before  # left as they were
    assert sorted(p.name for p in last.parent.iterdir()) == sorted([*(p.name for p in published), half.name, whole.name, new])
