"""Rebuild the release that was current at a past time, from the archive (`publish --as-of`, `trace --as-of`).

The version current at T is the latest one published at or before T (interface.md). Its manifest names
the loads it was built from; their original bytes are in the content-addressed archive. They are
ingested again, in the order received and with their original receipt time, period and (from the
bytes) submitter, into a scratch home under $CHANJIAO_HOME/rebuilds/P/vN; that home is built with the
same dbt project and published there. Its indicators.csv must be byte-identical to the original's.

Versions are immutable, so a finished rebuild is kept and reused (`trace --as-of` reads its warehouse).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import logging
import os
import shutil
import time
from itertools import groupby
from pathlib import Path

from chanjiao import access, archive, marts, retention
from chanjiao.app.build import build
from chanjiao.app.ingest import ingest
from chanjiao.app.publish import publish
from chanjiao.files import unseal
from chanjiao.publication.release import version_as_of as find
from chanjiao.settings import Settings
from chanjiao.version import code_version

log = logging.getLogger(__name__)

# The release compares against the original byte for byte; the workbook and manifest carry the time
# of writing, so only these files are promised identical.
IDENTICAL_FILES = ("indicators.csv",)
DONE = "rebuilt.json"


class NotPublished(LookupError):
    """No version of the period had been published by the time asked for."""


class RebuildFailed(RuntimeError):
    """The archive could not reproduce the release: a file is missing, was refused, or the result differs."""


def version_as_of(settings: Settings, period: str, as_of: dt.datetime) -> tuple[Path, dict]:
    path = find(settings, period, as_of)
    if path is None:
        raise NotPublished(f"no version of {period} had been published by {as_of.isoformat()}")
    return path, json.loads((path / "manifest.json").read_text(encoding="utf-8"))


def _frame_loads(settings: Settings, manifest: dict) -> list[dict]:
    """Reporting-frame loads for P or earlier (a frame stays in force until replaced) accepted before the release was published.

    The frame decides the coverage columns of indicators.csv but contributes no indicator row, so the
    manifest's loads (the contributing ones) do not name it; the ledger does. published_at is written
    to the second, so "before" allows the rest of that second.
    """
    published = dt.datetime.fromisoformat(manifest["published_at"]) + dt.timedelta(seconds=1)
    with marts.connect(settings) as con:
        rows = marts.records(con, "select sha256, file_name, kind, submitter, period, received_at from marts.fct_load "
                                  "where kind = 'reporting_frame' and status = 'accepted' and ingested_at < ? and period <= ? "
                                  "order by received_at, sha256", [published, manifest["period"]])
    return [{"sha256": r["sha256"], "file": r["file_name"], "kind": r["kind"], "submitter": r["submitter"], "period": r["period"],
             "received_at": r["received_at"].isoformat()} for r in rows]


def _archived(settings: Settings, load: dict) -> Path:
    sha = load["sha256"]
    path = archive.path_of(settings, sha, load["file"])
    if not path.exists() and (gone := retention.purged(settings).get(sha)):
        raise RebuildFailed(f"{load['file']} (sha256 {sha}, period {gone['period']}) was deleted at the end of its retention on "
                            f"{gone['purged_at']} (chanjiao purge --originals-before {gone['originals_before']}): this release can no longer be rebuilt")
    if not path.exists():
        raise RebuildFailed(f"{load['file']} (sha256 {sha}) is not in the archive {settings.archive}")
    if hashlib.sha256(path.read_bytes()).hexdigest() != sha:
        raise RebuildFailed(f"the archived copy of {load['file']} no longer has sha256 {sha}: the archive was altered")
    return path


def _stage(settings: Settings, scratch: Path, loads: list[dict]) -> list[tuple[str, list[Path]]]:
    """Copy each archived original under its own file name with its receipt time as mtime (ingestion
    reads the receipt time from there), grouped into batches of one period in order of receipt."""
    incoming = scratch / "incoming"
    batches = []
    ordered = sorted(loads, key=lambda l: (l["received_at"], l["sha256"]))
    for n, (period, group) in enumerate(groupby(ordered, key=lambda l: l["period"])):
        paths = []
        for i, load in enumerate(group):
            target = incoming / f"{n:03d}" / f"{i:04d}" / load["file"]  # one folder each: resubmissions keep their name
            target.parent.mkdir(parents=True)
            shutil.copyfile(_archived(settings, load), target)
            received = dt.datetime.fromisoformat(load["received_at"]).timestamp()
            os.utime(target, (received, received))
            paths.append(target)
        batches.append((period, paths))
    return batches


def rebuild(settings: Settings, period: str, as_of: dt.datetime) -> dict:
    """The release of `period` current at `as_of`, rebuilt from the archive into a scratch home, through
    the same use cases as the live one (ingest, build, publish) on the scratch home's settings."""
    started = time.monotonic()
    original, manifest = version_as_of(settings, period, as_of)
    scratch = settings.home / "rebuilds" / period / original.name
    done = scratch / DONE
    if done.exists():
        return json.loads(done.read_text(encoding="utf-8"))
    unseal(scratch)  # an unfinished earlier attempt, perhaps with a (read-only) version in it
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    settings.require_pii_key()
    home = dataclasses.replace(settings, home=scratch / "home")
    loads = manifest["loads"] + [f for f in _frame_loads(settings, manifest) if f["sha256"] not in {l["sha256"] for l in manifest["loads"]}]
    log.info("rebuilding %s %s (published %s) from %d archived files", period, original.name, manifest["published_at"], len(loads))
    batches = _stage(settings, scratch, loads)
    access.record(settings, "rebuild from the archive", period=period, version=original.name, as_of=as_of.isoformat(), originals=len(loads))
    try:
        for batch_period, paths in batches:
            refused = [o for o in ingest(home, paths, period=batch_period) if o["status"] != "accepted"]
            if refused:
                raise RebuildFailed("archived files the release was built from were not accepted again: "
                                    + "; ".join(f"{o['file']}: {o['status']} {[r['rule'] for r in o['reasons']]}" for o in refused))
    finally:
        shutil.rmtree(scratch / "incoming", ignore_errors=True)  # copies of originals: the scratch home's archive has them
    build(home)
    result = publish(home, period)
    rebuilt = Path(result["path"])
    rebuilt_manifest = json.loads((rebuilt / "manifest.json").read_text(encoding="utf-8"))
    if sorted(l["sha256"] for l in rebuilt_manifest["loads"]) != sorted(l["sha256"] for l in manifest["loads"]):
        raise RebuildFailed(f"the rebuilt release of {period} is made of other loads than {original.name}'s manifest names")
    same = {name: (rebuilt / name).read_bytes() == (original / name).read_bytes() for name in sorted(manifest["files"]) if (rebuilt / name).exists()}
    summary = {
        "status": "rebuilt",
        "period": period,
        "version": original.name,
        "published_at": manifest["published_at"],
        "as_of": as_of.isoformat(),
        "original": str(original),
        "rebuilt": str(rebuilt),
        "home": str(home.home),
        "loads": len(loads),
        "seconds": round(time.monotonic() - started, 1),
        "identical": {name: same.get(name, False) for name in IDENTICAL_FILES},
        "other_files_identical": {k: v for k, v in same.items() if k not in IDENTICAL_FILES},
        "code_version": {"original": manifest["code_version"], "rebuild": code_version()},
    }
    if not all(summary["identical"].values()):
        raise RebuildFailed(f"the rebuilt {', '.join(k for k, v in summary['identical'].items() if not v)} of {period} {original.name} "
                            f"differs from the original (original code {manifest['code_version']}, now {code_version()}); the rebuild is in {rebuilt}")
    done.write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    return summary


def settings_as_of(settings: Settings, period: str, as_of: dt.datetime) -> tuple[Settings, dict]:
    """Settings of the rebuilt home whose warehouse holds what was in force when the version current at `as_of` was published."""
    summary = rebuild(settings, period, as_of)
    return dataclasses.replace(settings, home=Path(summary["home"])), summary
