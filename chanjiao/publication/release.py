"""Write a release version for a period, only when what it is built from has changed.

A version is written to a temporary folder and renamed into place, so a reader never sees half a
release, and an existing version is never touched.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import logging
import os
import re
import shutil
from pathlib import Path

from chanjiao import marts
from chanjiao.indicators import indicator_values
from chanjiao.publication.cells import neutralise
from chanjiao.settings import Settings
from chanjiao.version import code_version

log = logging.getLogger(__name__)

CSV_COLUMNS = ["indicator", "indicator_name", "region", "region_name", "region_level", "period", "cohort_year",
               "numerator", "denominator", "value", "unit", "status", "coverage_expected", "coverage_accepted"]
TARGET_COLUMNS = ["indicator", "region", "kind", "variant", "comparator", "value", "upper", "by", "variant_value",
                  "status", "deadline_state", "value_at_deadline", "status_at_deadline", "source"]

LOADS_SQL = """
select distinct l.load_id, l.sha256, l.file_name, l.kind, l.submitter, l.period, l.received_at, l.validation
from marts.fct_indicator_contribution c
join marts.fct_load l using (load_id)
where c.period = ?
order by l.sha256
"""


def versions(settings: Settings, period: str) -> list[Path]:
    folder = settings.publications / period
    found = [p for p in folder.glob("v*") if p.is_dir() and re.fullmatch(r"v\d+", p.name)] if folder.exists() else []
    return sorted(found, key=lambda p: int(p.name[1:]))


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def publish(settings: Settings, period: str) -> dict:
    values = indicator_values(settings, period)
    if not values:
        raise marts.NotBuilt(f"no indicator values for {period}: nothing accepted for that period has been built")
    with marts.connect(settings) as con:
        loads = marts.records(con, LOADS_SQL, [period])
    inputs = {"loads": sorted(l["sha256"] for l in loads), "code_version": code_version()}
    fingerprint = hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()
    existing = versions(settings, period)
    if existing:
        last = json.loads((existing[-1] / "manifest.json").read_text(encoding="utf-8"))
        if last["inputs_fingerprint"] == fingerprint:
            log.info("release %s %s is current: its loads and code version are unchanged", period, existing[-1].name)
            return {"status": "unchanged", "period": period, "version": existing[-1].name, "path": str(existing[-1])}
    version = f"v{int(existing[-1].name[1:]) + 1 if existing else 1}"
    final = settings.publications / period / version
    tmp = settings.publications / period / f".{version}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)

    _write_csv(tmp / "indicators.csv", CSV_COLUMNS, [
        {**v, "coverage_expected": (v["coverage"] or {}).get("expected"), "coverage_accepted": (v["coverage"] or {}).get("accepted")}
        for v in values
    ])
    _write_csv(tmp / "targets.csv", TARGET_COLUMNS, [
        {"indicator": v["indicator"], "region": v["region"], **t} for v in values for t in v["targets"]
    ])
    manifest = {
        "period": period,
        "version": version,
        "published_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "code_version": inputs["code_version"],
        "inputs_fingerprint": fingerprint,
        "files": {p.name: _sha256(p) for p in sorted(tmp.iterdir())},
        "loads": [
            {"load_id": l["load_id"], "sha256": l["sha256"], "file": l["file_name"], "kind": l["kind"],
             "submitter": l["submitter"], "period": l["period"], "received_at": l["received_at"].isoformat(),
             "checks": json.loads(l["validation"] or "[]")}
            for l in loads
        ],
    }
    (tmp / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    os.rename(tmp, final)  # atomic: the version appears whole or not at all
    log.info("published %s %s (%d values) to %s", period, version, len(values), final)
    return {"status": "published", "period": period, "version": version, "path": str(final)}


def version_as_of(settings: Settings, period: str, as_of: dt.datetime) -> Path | None:
    """The latest version of `period` published at or before `as_of`."""
    current = None
    for path in versions(settings, period):
        published = dt.datetime.fromisoformat(json.loads((path / "manifest.json").read_text(encoding="utf-8"))["published_at"])
        if published <= as_of:
            current = path
    return current


def _write_csv(path: Path, columns: list[str], rows: list[dict]) -> None:
    # UTF-8 with BOM so Excel on Chinese Windows opens it without mojibake.
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: neutralise(row.get(k)) for k in columns})
