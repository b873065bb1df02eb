"""Where originals are kept: the content-addressed archive and the quarantine. Paths are made here only.

The archive holds every file received, named by the sha256 of its bytes (the same bytes are kept once);
the archived copy is what is read, checked and quarantined from then on, never the landing file again.
The quarantine holds, per period and file, what a sender must fix: the rejected bytes, reasons.json and
the 退回说明.xlsx. Both hold raw personal data: owner-only (settings.umask).
"""
from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import stat
import uuid
from pathlib import Path

from chanjiao.files import replacing, write_atomic
from chanjiao.settings import Settings
from ingestion.return_notice import write_return_notice

UNKNOWN_PERIOD = "unknown-period"
REASONS, NOTICE = "reasons.json", "退回说明.xlsx"  # what a quarantine folder holds beside the rejected bytes


class NotRegularFile(Exception):
    """A link, pipe, socket or device where a submitted file was expected: refused, never opened or followed."""

    def __init__(self, path: Path, what_zh: str, what_en: str, target: str | None = None):
        super().__init__(f"{path}: {what_en}")
        self.what_zh, self.what_en, self.target = what_zh, what_en, target


def path_of(settings: Settings, sha256: str, file_name: str) -> Path:
    """The archived copy of the bytes `sha256`, received as `file_name` (its suffix is kept: readers go by it)."""
    return settings.archive / sha256[:2] / f"{sha256}{Path(file_name).suffix.lower()}"


def quarantine_folder(settings: Settings, period: str | None, sha256: str) -> Path:
    return settings.quarantine / (period or UNKNOWN_PERIOD) / sha256


def quarantined_originals(settings: Settings, sha256: str) -> list[Path]:
    """The rejected bytes `sha256` wherever they were quarantined (any period): not their reasons.json
    or 退回说明, which say what the sender must fix and hold no cell value."""
    return [p for folder in settings.quarantine.glob(f"*/{sha256}") if folder.is_dir()
            for p in folder.iterdir() if p.is_file() and p.name not in (REASONS, NOTICE)]


def refused_folder(settings: Settings, period: str | None, load_id: str) -> Path:
    return settings.quarantine / (period or UNKNOWN_PERIOD) / "not-regular" / load_id


def _not_regular(path: Path, mode: int) -> NotRegularFile:
    if stat.S_ISLNK(mode):
        try:
            target = os.readlink(path)
        except OSError:
            target = None
        return NotRegularFile(path, "符号链接（快捷方式）", "symbolic link", target)
    for test, zh, en in ((stat.S_ISDIR, "文件夹", "folder"), (stat.S_ISFIFO, "命名管道", "named pipe"), (stat.S_ISSOCK, "套接字", "socket"),
                         (stat.S_ISCHR, "设备文件", "character device"), (stat.S_ISBLK, "设备文件", "block device")):
        if test(mode):
            return NotRegularFile(path, zh, en)
    return NotRegularFile(path, "特殊文件", "special file")


def _open_regular(path: Path) -> int:
    """A descriptor on `path` if, and only if, it is a regular file: links are not followed (O_NOFOLLOW),
    and a pipe or device is never opened for what it would do (its type is read from lstat first; the
    descriptor's fstat confirms it, so a swap between the two is caught)."""
    mode = path.lstat().st_mode
    if not stat.S_ISREG(mode):
        raise _not_regular(path, mode)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as err:
        if err.errno == errno.ELOOP:
            raise _not_regular(path, stat.S_IFLNK) from None
        raise
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise _not_regular(path, mode)
    return fd


def archive(settings: Settings, path: Path) -> tuple[str, Path]:
    """Copy the file into the archive, hashing the very bytes copied, in one read: (sha256, archived path)."""
    fd = _open_regular(path)
    settings.archive.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    tmp = settings.archive / f".incoming-{uuid.uuid4().hex}.part"
    try:
        with os.fdopen(fd, "rb") as src, open(tmp, "wb") as out:
            while chunk := src.read(1 << 20):
                digest.update(chunk)
                out.write(chunk)
        sha = digest.hexdigest()
        target = path_of(settings, sha, path.name)
        if not target.exists():  # the archive is content-addressed: the same bytes are kept once
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)  # a copy cut short by a full disk is removed, never archived
    return sha, target


def quarantine(settings: Settings, archived: Path, name: str, sha: str, period: str | None, reasons: list[dict]) -> None:
    """The rejected bytes (copied from the archive: what was read), their reasons and the 退回说明."""
    folder = quarantine_folder(settings, period, sha)
    folder.mkdir(parents=True, exist_ok=True)
    with replacing(folder / name) as tmp:
        shutil.copyfile(archived, tmp)
    write_atomic(folder / REASONS, json.dumps({"file": name, "sha256": sha, "reasons": reasons}, ensure_ascii=False, indent=2))
    with replacing(folder / NOTICE) as tmp:
        write_return_notice(tmp, name, period, reasons)


def quarantine_entry(settings: Settings, path: Path, load_id: str, period: str | None, reasons: list[dict],
                     refused: NotRegularFile, move: bool) -> None:
    """The reasons, where a link pointed, and — from landing — the entry itself, moved (a rename moves a
    link, never its target)."""
    folder = refused_folder(settings, period, load_id)
    folder.mkdir(parents=True, exist_ok=True)
    write_atomic(folder / "reasons.json", json.dumps({"file": path.name, "type": refused.what_en, "link_target": refused.target,
                                                      "reasons": reasons}, ensure_ascii=False, indent=2))
    if move:
        os.rename(path, folder / path.name)
