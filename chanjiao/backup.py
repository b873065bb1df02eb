"""`chanjiao backup DEST` and `chanjiao restore SRC`: a consistent copy of a home, checked byte for byte.

A backup is taken while holding the publish lock and the warehouse's writer lock (in the order publish
takes them; chanjiao.app takes them), so no ingest, build or publish changes anything while it is copied. It holds what cannot
be made again — the warehouse and the marts copy, landing, the archive, quarantine, the check reports,
the publications and the lineage events — and `manifest.json`, the sha256 and size of every file,
hashed from the very bytes written into the backup. dbt's target folder, the demo's Airflow database,
rebuild scratch homes and lock files are left out: they are made again.

A backup is written into a temporary folder beside DEST and renamed to DEST when complete: a backup cut
short by a full disk is never mistaken for one. `restore` goes into an empty or missing home only, checks
every file of the backup against the manifest before copying anything, checks every copy again as it is
written, and renames the restored home into place at the end; published versions are made read-only again.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
from pathlib import Path

from chanjiao.files import seal, unseal
from chanjiao.settings import Settings

FORMAT = "chanjiao-backup/1"
INCLUDED = ("warehouse.duckdb", "warehouse.duckdb.wal", "marts.duckdb", "landing", "archive", "quarantine", "reports",
            "publications", "lineage", "access.log", "purged.jsonl")


class BackupError(RuntimeError):
    """A backup or restore refused or failed; the message says which file and why."""


def _entries(root: Path):
    """(relative path, path) of the files and links under the included parts of a home, in order."""
    for name in INCLUDED:
        top = root / name
        if top.is_symlink() or top.is_file():
            yield name, top
        elif top.is_dir():
            for path in sorted(top.rglob("*")):
                if path.is_symlink() or path.is_file():
                    if not path.relative_to(root).parts[-1].startswith((".incoming-",)):
                        yield path.relative_to(root).as_posix(), path
                elif not path.is_dir():
                    raise BackupError(f"{path}: neither a file, a folder nor a link; move it out of the home and run the backup again")


def _copy_hashing(src: Path, dst: Path) -> tuple[str, int]:
    """Copy src to dst and return the sha256 and size of the bytes written (one read of src)."""
    digest, size = hashlib.sha256(), 0
    dst.parent.mkdir(parents=True, exist_ok=True)
    with open(src, "rb") as fin, open(dst, "xb") as fout:
        while chunk := fin.read(1 << 20):
            digest.update(chunk)
            fout.write(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _hash(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def backup(settings: Settings, dest: Path) -> dict:
    """The caller (chanjiao.app) holds the publish lock and the writer lock: nothing changes meanwhile."""
    dest = Path(dest).absolute()
    if not settings.warehouse.exists():
        raise BackupError(f"nothing to back up: {settings.home} holds no warehouse")
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise BackupError(f"{dest} exists and is not an empty folder: back up into a new or empty folder")
    if dest.resolve().is_relative_to(settings.home.resolve()):
        raise BackupError(f"{dest} is inside the home {settings.home}: back up to another place")
    tmp = dest.with_name(f".{dest.name}.partial")
    unseal(tmp)
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        files: dict[str, dict] = {}
        for rel, path in _entries(settings.home):
            target = tmp / "home" / rel
            if path.is_symlink():
                target.parent.mkdir(parents=True, exist_ok=True)
                os.symlink(os.readlink(path), target)
                files[rel] = {"link": os.readlink(path)}
            else:
                sha, size = _copy_hashing(path, target)
                files[rel] = {"sha256": sha, "size": size}
        taken = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
        manifest = {"format": FORMAT, "taken_at": taken, "home": str(settings.home), "files": files}
        (tmp / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        if dest.exists():
            dest.rmdir()
        os.rename(tmp, dest)
    except BaseException:
        unseal(tmp)
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return {"status": "backed_up", "path": str(dest), "files": len(files), "taken_at": taken,
            "bytes": sum(f.get("size", 0) for f in files.values())}


def _read_manifest(src: Path) -> dict:
    try:
        manifest = json.loads((src / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise BackupError(f"{src} is no chanjiao backup: manifest.json cannot be read ({err})") from None
    if manifest.get("format") != FORMAT or not isinstance(manifest.get("files"), dict):
        raise BackupError(f"{src} is no chanjiao backup: manifest.json is not of format {FORMAT}")
    return manifest


def verify(src: Path) -> dict:
    """The manifest, once every file it lists is there with its sha256 and size, and nothing else is."""
    src = Path(src)
    manifest = _read_manifest(src)
    listed = manifest["files"]
    data = src / "home"
    present = {p.relative_to(data).as_posix() for p in data.rglob("*") if p.is_symlink() or not p.is_dir()} if data.is_dir() else set()
    if extra := sorted(present - set(listed)):
        raise BackupError(f"backup damaged: {extra[0]} is not in the manifest" + (f" (and {len(extra) - 1} more)" if len(extra) > 1 else ""))
    for rel, entry in listed.items():
        path = data / rel
        if "link" in entry:
            if not path.is_symlink() or os.readlink(path) != entry["link"]:
                raise BackupError(f"backup damaged: {rel} is not the link the manifest names")
            continue
        if path.is_symlink() or not path.is_file():
            raise BackupError(f"backup damaged: {rel} is missing")
        sha, size = _hash(path)
        if (sha, size) != (entry["sha256"], entry["size"]):
            raise BackupError(f"backup damaged: {rel} has sha256 {sha[:12]}… ({size} bytes), the manifest {entry['sha256'][:12]}… ({entry['size']} bytes)")
    return manifest


def restore(settings: Settings, src: Path) -> dict:
    src = Path(src).absolute()
    home = settings.home
    if home.exists() and (not home.is_dir() or any(home.iterdir())):
        raise BackupError(f"{home} is not empty: restore into a new or empty CHANJIAO_HOME")
    manifest = verify(src)  # before anything is copied
    tmp = home.with_name(f".{home.name}.restoring")
    unseal(tmp)
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        for rel, entry in manifest["files"].items():
            target = tmp / rel
            if "link" in entry:
                target.parent.mkdir(parents=True, exist_ok=True)
                os.symlink(entry["link"], target)
                continue
            sha, size = _copy_hashing(src / "home" / rel, target)
            if (sha, size) != (entry["sha256"], entry["size"]):  # the backup changed under us, or the copy went wrong
                raise BackupError(f"restore failed: the copy of {rel} does not match the manifest; nothing was restored")
        for name in ("landing", "archive", "quarantine", "reports", "publications"):
            (tmp / name).mkdir(exist_ok=True)
        _, dir_mode, file_mode = settings.publication_modes
        for version in (tmp / "publications").glob("*/v*"):
            if version.is_dir() and not version.is_symlink():
                seal(version, dir_mode, file_mode)  # a published version is read-only, as publish left it
        if home.exists():
            home.rmdir()
        os.rename(tmp, home)
    except BaseException:
        unseal(tmp)
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return {"status": "restored", "home": str(home), "files": len(manifest["files"]), "taken_at": manifest["taken_at"]}
