"""Write a release version for a period, only when what it is built from has changed.

A version is written to a temporary folder and renamed into place, so a reader never sees half a
release, and an existing version is never touched. What it is built from (the inputs fingerprint) is
the set of loads in force for the period plus the code version: a retried publish finds the same
fingerprint in the latest manifest and writes nothing.

A published version is a folder vN whose manifest.json names it vN. Anything else named like one (a
folder copied or half deleted by hand) is no release: it is not listed, its name is never reused, and it
is left as it is.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import re
import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

from chanjiao.files import chmod_quietly, seal, unseal
from chanjiao.publication.bulletin import render_bulletin
from chanjiao.publication.content import Content, read_content
from chanjiao.publication.csv_files import INDICATOR_COLUMNS, REVISION_COLUMNS, TARGET_COLUMNS, csv_text, indicator_rows, target_rows, write_csv
from chanjiao.publication.docs_site import write_docs_site
from chanjiao.publication.revisions import revised_values, revisions
from chanjiao.publication.sdmx import write_sdmx_csv
from chanjiao.publication.xlsx import write_workbook
from chanjiao.settings import Settings
from chanjiao.version import code_version
from ingestion.period import TIMEZONE, shown

log = logging.getLogger(__name__)


def _numbered(settings: Settings, period: str) -> list[Path]:
    """Everything in the period's folder named like a version, published or not, by number."""
    folder = settings.publications / period
    found = [p for p in folder.glob("v*") if re.fullmatch(r"v\d+", p.name)] if folder.exists() else []
    return sorted(found, key=lambda p: int(p.name[1:]))


def _is_published(path: Path) -> bool:
    """publish writes manifest.json last and renames the whole folder into place, so a published version
    holds a manifest naming it. A folder copied or half deleted by hand does not: it is no release."""
    try:
        return json.loads((path / "manifest.json").read_text(encoding="utf-8")).get("version") == path.name
    except (OSError, ValueError):
        return False


def versions(settings: Settings, period: str) -> list[Path]:
    """The published versions of `period`, oldest first."""
    return [p for p in _numbered(settings, period) if _is_published(p)]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def inputs_fingerprint(content: Content) -> tuple[dict, str]:
    """The loads in force and the code version; and, so that an input outside the contributing loads
    (the reporting frame behind the coverage columns) cannot leave a stale release current, the
    digest of the published statistics themselves. A retry reproduces all three and so writes nothing."""
    statistics = (csv_text(INDICATOR_COLUMNS, indicator_rows(content.values)) + csv_text(TARGET_COLUMNS, target_rows(content.values))).encode()
    inputs = {"loads": sorted(l["sha256"] for l in content.loads), "code_version": code_version(),
              "statistics": hashlib.sha256(statistics).hexdigest()}
    return inputs, hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()


def _current(settings: Settings, period: str, fingerprint: str) -> Path | None:
    existing = versions(settings, period)
    if existing and json.loads((existing[-1] / "manifest.json").read_text(encoding="utf-8"))["inputs_fingerprint"] == fingerprint:
        return existing[-1]
    return None


class PublishedAtRefused(ValueError):
    """A publication time given for a backfill that the release's history cannot have."""


def _published_at(given: dt.datetime | None, previous: Path | None, content: Content) -> dt.datetime:
    """When the new version counts as published: now, or `given` — the publication time of a past calendar
    day that a backfill publishes for (the publish DAG's conf `published_at`; the demo's simulated months).
    `--as-of` picks versions by this time, so `given` may not lie in the future, before the previous
    version's, or before the receipt of a file the release is built from."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    if given is None:
        return now
    if given.tzinfo is None:
        raise PublishedAtRefused(f"published_at {given.isoformat()} has no time zone offset")
    given = given.astimezone(dt.UTC).replace(microsecond=0)
    if given > now:
        raise PublishedAtRefused(f"published_at {given.isoformat()} lies in the future (now {now.isoformat()}): only a past calendar day can be backfilled")
    if previous is not None:
        before = dt.datetime.fromisoformat(json.loads((previous / "manifest.json").read_text(encoding="utf-8"))["published_at"])
        if given < before:
            raise PublishedAtRefused(f"published_at {given.isoformat()} is earlier than {previous.name}'s ({before.isoformat()}): "
                                     "versions are published in order")
    received = max((l["received_at"] for l in content.loads), default=None)
    if received is not None and given < received:
        raise PublishedAtRefused(f"published_at {given.isoformat()} is earlier than the receipt of a file the release is built from "
                                 f"({received.astimezone(dt.UTC).isoformat()})")
    return given


def publish(settings: Settings, period: str, published_at: dt.datetime | None = None) -> dict:
    """A new version of `period` if what it is built from changed. The caller (chanjiao.app) holds the
    publish lock, so a retry racing the original finds the first's version, and the writer lock, which
    the dbt documentation site needs. `published_at`: see _published_at (default: now)."""
    content = read_content(settings, period)
    inputs, fingerprint = inputs_fingerprint(content)
    if current := _current(settings, period, fingerprint):
        log.info("release %s %s is current: its loads, code version and statistics are unchanged", period, current.name)
        return {"status": "unchanged", "period": period, "version": current.name, "path": str(current)}
    numbered = _numbered(settings, period)
    existing = versions(settings, period)
    previous = existing[-1] if existing else None
    published_at = _published_at(published_at, previous, content)
    # Past every name taken, published or not: the rename must not fail on, nor a reader confuse the
    # release with, a stray folder. The stray stays as it is, for a person to look at.
    if stray := [p.name for p in numbered if p not in existing]:
        log.warning("%s: %s in %s named like a version but not a published one (no manifest.json naming it); "
                    "left untouched, the new version is numbered past it", period, ", ".join(stray), settings.publications / period)
    version = f"v{int(numbered[-1].name[1:]) + 1 if numbered else 1}"
    final = settings.publications / period / version
    tmp = settings.publications / period / f".{version}.tmp"
    unseal(tmp)  # what a crashed attempt left (perhaps already read-only); never a published version
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    parent_mode, dir_mode, file_mode = settings.publication_modes
    for folder in (settings.publications, tmp.parent):
        chmod_quietly(folder, parent_mode)
    try:
        revised = _write_files(settings, tmp, content, version, previous, fingerprint, inputs, published_at)
        seal(tmp, dir_mode, file_mode)  # readable as settings say, and read-only: a version never changes
        os.rename(tmp, final)  # atomic: the version appears whole or not at all; fails rather than replace one
    except BaseException:
        unseal(tmp)
        shutil.rmtree(tmp, ignore_errors=True)  # a failed attempt leaves nothing a reader could mistake for a release
        raise
    log.info("published %s %s (%d values, %d revisions) to %s", period, version, len(content.values), len(revised), final)
    return {"status": "published", "period": period, "version": version, "path": str(final), "published_at": shown(published_at),
            "revisions": len(revised) if previous else None, "revisions_against": previous.name if previous else None}


def _write_files(settings: Settings, tmp: Path, content: Content, version: str, previous: Path | None,
                 fingerprint: str, inputs: dict, published_at: dt.datetime) -> list[dict]:
    indicators, targets = indicator_rows(content.values), target_rows(content.values)
    changes = revisions(previous, indicators, targets) if previous else []
    write_csv(tmp / "indicators.csv", INDICATOR_COLUMNS, indicators)
    write_csv(tmp / "targets.csv", TARGET_COLUMNS, targets)
    if previous:
        write_csv(tmp / "revisions.csv", REVISION_COLUMNS, changes)
    write_workbook(tmp / "indicators.xlsx", content, changes, version)
    write_sdmx_csv(tmp / "indicators.sdmx.csv", indicators, revised_values(changes))
    shown_at = published_at.astimezone(ZoneInfo(TIMEZONE)).strftime("%Y-%m-%d %H:%M")
    (tmp / "bulletin.html").write_text(render_bulletin(content, version, shown_at, changes, previous.name if previous else None), encoding="utf-8")
    write_docs_site(settings, tmp / "docs")
    manifest = {
        "period": content.period,
        "version": version,
        # times as people read them (interface.md: shown in Asia/Shanghai), with their offset: the same instants
        "published_at": shown(published_at),
        # when the files were really written: published_at unless a backfill gave a past calendar day
        "written_at": shown(dt.datetime.now(dt.UTC).replace(microsecond=0)),
        "code_version": inputs["code_version"],
        "inputs_fingerprint": fingerprint,
        "revisions_against": previous.name if previous else None,
        "files": {p.relative_to(tmp).as_posix(): _sha256(p) for p in sorted(tmp.rglob("*")) if p.is_file()},
        "loads": [
            {"load_id": l["load_id"], "sha256": l["sha256"], "file": l["file_name"], "kind": l["kind"],
             "submitter": l["submitter"], "period": l["period"], "received_at": shown(l["received_at"]),
             "checks": json.loads(l["validation"] or "[]")}
            for l in content.loads
        ],
    }
    (tmp / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return changes


def version_as_of(settings: Settings, period: str, as_of: dt.datetime) -> Path | None:
    """The latest version of `period` published at or before `as_of`."""
    current = None
    for path in versions(settings, period):
        published = dt.datetime.fromisoformat(json.loads((path / "manifest.json").read_text(encoding="utf-8"))["published_at"])
        if published <= as_of:
            current = path
    return current
