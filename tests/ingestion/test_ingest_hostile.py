"""Hostile files through `chanjiao ingest`: a file that aborts the parser, a zip bomb, entity tricks and
HTML saved as .xls are rejected with their reasons while the good files beside them load."""
from __future__ import annotations

import zipfile

import duckdb

from tests.conftest import PII_KEY
from tests.faults import run_ingest
from tests.ingestion.test_safety import SST, good, plain, replace_part, sst

PERIOD = "2026-10"


def test_a_batch_with_hostile_files_loads_the_good_ones(tmp_path, monkeypatch):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for i in range(2):
        good(inbox / f"good{i}.xlsx", n=3 + i, serial=10 * i)
    # calamine#684: in-process this aborts the interpreter; the precheck refuses it
    replace_part(plain(tmp_path / "b1.xlsx"), inbox / "crafted.xlsx", SST, sst(10**12, 10**12))
    # a sheet that inflates to 40 MB, past a 20 MB limit set for this run
    replace_part(plain(tmp_path / "b2.xlsx"), inbox / "bomb.xlsx", "xl/worksheets/sheet1.xml", b"<" + b" " * (40 << 20) + b"/>")
    replace_part(plain(tmp_path / "b3.xlsx"), inbox / "entities.xlsx", SST,
                 b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><sst>&b;</sst>')
    (inbox / "page.xls").write_bytes(b"<html><body><table><tr><td>1</td></tr></table></body></html>")
    # the injected fault makes the worker reading this file abort for real (SIGABRT)
    aborting = good(inbox / "aborting.xlsx", n=2, serial=90)
    with zipfile.ZipFile(aborting, "a") as z:
        z.writestr("docProps/marker.txt", "ABORT-HERE")
    monkeypatch.setenv("CHANJIAO_LIMIT_MAX_INFLATED_BYTES", str(20 << 20))
    home = tmp_path / "home"
    result = run_ingest(home, PII_KEY, str(inbox), "--period", PERIOD, abort_marker="ABORT-HERE")
    assert result.returncode == 3, result.stderr[-3000:]
    by_file = {o["file"]: o for o in result.data}
    assert {f: o["status"] for f, o in by_file.items()} == {
        "good0.xlsx": "accepted", "good1.xlsx": "accepted", "crafted.xlsx": "rejected", "bomb.xlsx": "rejected",
        "entities.xlsx": "rejected", "page.xls": "rejected", "aborting.xlsx": "rejected"}
    assert {f: [r["rule"] for r in o["reasons"]] for f, o in by_file.items() if o["status"] == "rejected"} == {
        "crafted.xlsx": ["implausible_counts"], "bomb.xlsx": ["zip_bomb"], "entities.xlsx": ["xml_entities"],
        "page.xls": ["wrong_format"], "aborting.xlsx": ["crashed"]}
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from raw.above_scale_enterprises").fetchone()[0] == 3 + 4
    for name in ("crafted.xlsx", "bomb.xlsx", "aborting.xlsx"):
        folder = home / "quarantine" / PERIOD / by_file[name]["sha256"]
        assert (folder / name).exists() and (folder / "退回说明.xlsx").exists()
