"""Retention of personal data: `chanjiao purge --originals-before YYYY-MM`.

The originals — the archived bytes of every file received, and the rejected bytes in quarantine — are the
only place raw personal data (names, ID numbers, phones) lives; the warehouse holds keyed hashes. After
the retention period an office deletes them. What is kept: the ledger (every load, its sha256 and
reasons), the warehouse, the check reports, each quarantined file's reasons.json and 退回说明, the
publications. `purged.jsonl` names each deleted original and when, so `trace` and `publish --as-of` say
that an original was purged instead of failing on a missing file.

A period still inside its revision window (the release calendar's, counted back from the latest period
collected, as the gate counts it) can still be corrected, and its release rebuilt: its originals are
never purged. The caller (chanjiao.app) holds the writer lock and writes the access log.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
from pathlib import Path

from chanjiao import archive, ledger
from chanjiao.settings import Settings
from ingestion.period import Period


class PurgeRefused(ValueError):
    """The cut-off would reach into the revision window."""


def purge(con, settings: Settings, before: str) -> dict:
    """Delete the originals of every file whose latest period is before `before`, in this home and in the
    homes of `--as-of` rebuilds (which hold copies); record each in purged.jsonl."""
    cutoff = Period.parse(before)
    open_from = ledger.first_open_period(ledger.latest_collected_period(con), settings.revision_window_months)
    if open_from is not None and cutoff > open_from:
        raise PurgeRefused(f"--originals-before {before} would delete originals of {open_from} or later, which are inside the "
                           f"revision window ({settings.revision_window_months} months back from {open_from.plus(settings.revision_window_months)}): "
                           f"the latest cut-off allowed now is {open_from}")
    homes = [settings] + [_scratch(settings, h) for h in sorted((settings.home / "rebuilds").glob("*/*/home"))]
    purged_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    records, freed = [], 0
    for original in ledger.originals(con):
        if Period.parse(original["period"]) >= cutoff:
            continue
        sha = original["sha256"]
        paths = [archive.path_of(h, sha, original["file_name"]) for h in homes]
        paths += [p for h in homes for p in archive.quarantined_originals(h, sha)]
        paths += [p for p in (settings.home / "rebuilds").glob(f"*/*/incoming/*/*/{original['file_name']}")
                  if p.is_file() and _sha256(p) == sha]
        gone = []
        for path in paths:
            if path.is_file() and not path.is_symlink():
                freed += path.stat().st_size
                path.unlink()
                gone.append(str(path.relative_to(settings.home)))
        if gone:
            records.append({"sha256": sha, "file": original["file_name"], "period": original["period"], "purged_at": purged_at,
                            "originals_before": before, "deleted": gone})
    if records:
        with open(settings.purge_log, "a", encoding="utf-8") as fh:
            fh.write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
            fh.flush()
            os.fsync(fh.fileno())
    return {"originals_before": before, "purged": len(records), "files_deleted": sum(len(r["deleted"]) for r in records),
            "bytes_freed": freed, "revision_window_from": str(open_from) if open_from else None}


def purged(settings: Settings) -> dict[str, dict]:
    """sha256 → the record of its purge, for the originals deleted at the end of their retention."""
    if not settings.purge_log.exists():
        return {}
    records = [json.loads(line) for line in settings.purge_log.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {r["sha256"]: r for r in records}


def _scratch(settings: Settings, home: Path) -> Settings:
    return dataclasses.replace(settings, home=home)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
