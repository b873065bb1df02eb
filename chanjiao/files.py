"""Writing files so that a failed write (a full disk, a kill) never leaves a truncated file in place.

`replacing(path)` yields a temporary name beside `path`; when the block finishes the temporary file is
renamed over `path` in one step, and when it fails the temporary file is removed. A reader sees the old
file or the whole new one, never half of one.
"""
from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Iterator
from pathlib import Path

FULL = {errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC)}


@contextlib.contextmanager
def replacing(path: Path) -> Iterator[Path]:
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def write_atomic(path: Path, data: bytes | str) -> Path:
    with replacing(path) as tmp:
        tmp.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def confine(settings) -> None:
    """Everything this process and its children create from now on is private (settings.umask),
    whatever the caller's umask was."""
    os.umask(settings.umask)


def chmod_quietly(path: Path, mode: int) -> None:
    """Set the mode of a path we own; one owned by another account (a shared group) is left as it is."""
    path = Path(path)
    if path.is_symlink():  # never the mode of whatever a link points at
        return
    with contextlib.suppress(FileNotFoundError, PermissionError):
        os.chmod(path, mode)


def seal(folder: Path, dir_mode: int, file_mode: int) -> None:
    """Make a finished folder read-only: its files `file_mode`, its folders (itself last) `dir_mode`."""
    for path in sorted(Path(folder).rglob("*"), key=lambda p: len(p.parts), reverse=True):
        if path.is_symlink():
            continue
        os.chmod(path, dir_mode if path.is_dir() else file_mode)
    os.chmod(folder, dir_mode)


def unseal(folder: Path) -> None:
    """Writable again by its owner, so a failed attempt can be removed."""
    if not Path(folder).is_dir():
        return
    for path in [Path(folder), *Path(folder).rglob("*")]:
        if not path.is_symlink():
            with contextlib.suppress(OSError):
                os.chmod(path, 0o700 if path.is_dir() else 0o600)


def os_error_in(err: BaseException) -> OSError | None:
    """The OSError behind `err`: itself, or one a library wrapped (xlsxwriter's FileCreateError)."""
    seen = set()
    while err is not None and id(err) not in seen:
        seen.add(id(err))
        if isinstance(err, OSError):
            return err
        inner = next((a for a in getattr(err, "args", ()) if isinstance(a, OSError)), None)
        err = inner or err.__cause__ or err.__context__
    return None


def describe(err: OSError) -> str:
    """One line for a person: what failed, on which file, and what to do about a full disk."""
    what = err.strerror or str(err)
    if err.filename:
        what += f": {err.filename}"
    if err.errno in FULL:
        what += " — the disk (or the file-size limit) is full: free space, then run the command again; nothing half-written was kept"
    return what
