"""Rebuild the release that was current at a past time, from the archive (`publish --as-of`, `trace --as-of`).

The version current at T is the latest one published at or before T (interface.md). Its manifest names
the loads it was built from; their original bytes are in the content-addressed archive. They are
ingested again, in the order received and with their original receipt time, period and (from the
bytes) submitter, into a scratch home; that home is built with the same dbt project and published
there. Its indicators.csv must be byte-identical to the original's.

The scratch home is outside the live one, which a rebuild only reads (the archive, the publications,
the marts copy) and tells the access log about: under settings.as_of_cache, one folder per live home,
period, version and inputs fingerprint. Versions are immutable, so a finished rebuild is kept and
reused (`trace --as-of` reads its warehouse) — without reading an original again. It is built in a
temporary folder and renamed into place when verified, so a rebuild cut short or running beside
another is never taken for a finished one. Once rebuilt, its copies of the originals are deleted: the
live archive keeps them (and `purge` deletes them there).

Personal data is pseudonymised at ingestion with a key; the pseudonyms are join keys inside one build,
never shown and never in a release. So the rebuild needs no CHANJIAO_PII_KEY: it ingests with a
throwaway random key, kept nowhere, and what it publishes is compared byte for byte with the original.
"""
from __future__ import annotations

import atexit
import dataclasses
import datetime as dt
import hashlib
import json
import logging
import os
import secrets
import shutil
import tempfile
import time
import uuid
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
    manifest's loads (the contributing ones) do not name it; the ledger does. "Before" is when the
    version was really written (written_at; published_at in manifests older than it, and the same unless a
    backfill stamped a past calendar day, while ingested_at is the real clock). It is written to the
    second, so "before" allows the rest of that second.
    """
    published = dt.datetime.fromisoformat(manifest.get("written_at") or manifest["published_at"]) + dt.timedelta(seconds=1)
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
    ordered = sorted(loads, key=lambda l: (dt.datetime.fromisoformat(l["received_at"]), l["sha256"]))  # instants: offsets differ
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


def cache_folder(settings: Settings, period: str, version: Path, manifest: dict) -> Path:
    """Where the rebuild of `version` is kept: named by the live home, the period, the version and its
    inputs fingerprint (the loads and code it was built from), so another home's or a re-published
    version's is never taken for it."""
    key = json.dumps({"home": str(settings.home.resolve()), "period": period, "version": version.name,
                      "inputs_fingerprint": manifest.get("inputs_fingerprint"), "published_at": manifest["published_at"]}, sort_keys=True)
    return settings.as_of_cache / f"{period}-{version.name}-{hashlib.sha256(key.encode()).hexdigest()[:24]}"


def _cached(folder: Path, as_of: dt.datetime) -> dict | None:
    """The summary of a finished rebuild in `folder`, its paths where the folder is now, marked as reused."""
    done = folder / DONE
    if not done.is_file() or not (folder / "home" / "marts.duckdb").is_file():
        return None
    summary = json.loads(done.read_text(encoding="utf-8"))
    return {**summary, "home": str(folder / "home"), "rebuilt": str(folder / "home" / summary["rebuilt_relative"]),
            "as_of": as_of.isoformat(), "cached": True, "seconds": 0.0}


def _drop_originals(scratch: Path) -> None:
    """The scratch home's copies of originals (raw personal data): the live archive has them."""
    for folder in (scratch / "incoming", scratch / "home" / "archive", scratch / "home" / "quarantine", scratch / "home" / "landing"):
        unseal(folder)
        shutil.rmtree(folder, ignore_errors=True)


def rebuild(settings: Settings, period: str, as_of: dt.datetime) -> dict:
    """The release of `period` current at `as_of`, rebuilt from the archive into a scratch home outside
    the live one (or that rebuild, reused), through the same use cases as the live one (ingest, build,
    publish) on the scratch home's settings."""
    started = time.monotonic()
    original, manifest = version_as_of(settings, period, as_of)
    if settings.as_of_cache is None:  # no cache: a temporary folder, gone with the process
        root = Path(tempfile.mkdtemp(prefix="chanjiao-as-of-"))
        atexit.register(lambda: (unseal(root), shutil.rmtree(root, ignore_errors=True)))
        folder = root / original.name
    else:
        folder = cache_folder(settings, period, original, manifest)
        if (cached := _cached(folder, as_of)) is not None:
            log.info("reusing the rebuild of %s %s in %s", period, original.name, folder)
            return cached
    folder.parent.mkdir(parents=True, exist_ok=True, mode=settings.private_dir_mode)
    scratch = folder.parent / f".{folder.name}.{uuid.uuid4().hex[:12]}.part"
    scratch.mkdir(mode=settings.private_dir_mode)
    # a throwaway key: pseudonyms join rows inside this build only and are never shown (see above)
    home = dataclasses.replace(settings, home=scratch / "home", pii_key=secrets.token_hex(32).encode(), as_of_cache=None)
    loads = manifest["loads"] + [f for f in _frame_loads(settings, manifest) if f["sha256"] not in {l["sha256"] for l in manifest["loads"]}]
    log.info("rebuilding %s %s (published %s) from %d archived files in %s", period, original.name, manifest["published_at"], len(loads), folder)
    kept = False
    try:
        batches = _stage(settings, scratch, loads)
        access.record(settings, "rebuild from the archive", period=period, version=original.name, as_of=as_of.isoformat(), originals=len(loads),
                      rebuild=str(folder))
        for batch_period, paths in batches:
            refused = [o for o in ingest(home, paths, period=batch_period) if o["status"] != "accepted"]
            if refused:
                raise RebuildFailed("archived files the release was built from were not accepted again: "
                                    + "; ".join(f"{o['file']}: {o['status']} {[r['rule'] for r in o['reasons']]}" for o in refused))
        build(home)
        result = publish(home, period)
        _drop_originals(scratch)
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
            "rebuilt_relative": str(rebuilt.relative_to(home.home)),
            "loads": len(loads),
            "seconds": round(time.monotonic() - started, 1),
            "identical": {name: same.get(name, False) for name in IDENTICAL_FILES},
            "other_files_identical": {k: v for k, v in same.items() if k not in IDENTICAL_FILES},
            "code_version": {"original": manifest["code_version"], "rebuild": code_version()},
            "inputs_fingerprint": manifest.get("inputs_fingerprint"),
        }
        if not all(summary["identical"].values()):
            failed = folder.parent / f"{folder.name}.failed"
            unseal(failed)
            shutil.rmtree(failed, ignore_errors=True)
            os.rename(scratch, failed)
            kept = True
            raise RebuildFailed(f"the rebuilt {', '.join(k for k, v in summary['identical'].items() if not v)} of {period} {original.name} "
                                f"differs from the original (original code {manifest['code_version']}, now {code_version()}); the rebuild is in "
                                f"{failed / 'home' / summary['rebuilt_relative']}")
        (scratch / DONE).write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
        if folder.exists() and _cached(folder, as_of) is None:  # left unfinished by hand: not a rebuild
            unseal(folder)
            shutil.rmtree(folder, ignore_errors=True)
        try:
            os.rename(scratch, folder)  # finished and verified: from now on the rebuild of this version
            kept = True
        except OSError:  # another command finished the same rebuild first: theirs is as good
            if _cached(folder, as_of) is None:
                raise
    finally:
        if not kept:
            unseal(scratch)
            shutil.rmtree(scratch, ignore_errors=True)
    return {**_cached(folder, as_of), "cached": False, "seconds": summary["seconds"]}


def settings_as_of(settings: Settings, period: str, as_of: dt.datetime) -> tuple[Settings, dict]:
    """Settings of the rebuilt home whose warehouse holds what was in force when the version current at `as_of` was published."""
    summary = rebuild(settings, period, as_of)
    return dataclasses.replace(settings, home=Path(summary["home"])), summary
