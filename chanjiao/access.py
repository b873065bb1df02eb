"""The access log: who (the OS account), what and when, for every command that reads originals (an
`--as-of` rebuild, a backup) or writes the warehouse (ingest, build, publish, restore, purge).

One JSON line per action in $CHANJIAO_HOME/access.log, written with O_APPEND in one write() call, so
concurrent commands never interleave and nothing already written is rewritten; the file is private like
the rest of the home. An office that needs it tamper-evident ships it off the machine (syslog, SIEM);
chanjiao itself never truncates or rotates it.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import pwd

from chanjiao.settings import Settings


def _user() -> str:
    try:
        return pwd.getpwuid(os.getuid()).pw_name
    except KeyError:  # an account without a passwd entry (a container's arbitrary uid)
        return f"uid {os.getuid()}"


def record(settings: Settings, action: str, **details) -> None:
    """Append who did `action` now, with `details` (what it read or wrote; never a personal value)."""
    entry = {"at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "user": _user(), "uid": os.getuid(), "pid": os.getpid(),
             "action": action, **details}
    line = (json.dumps(entry, ensure_ascii=False, default=str) + "\n").encode("utf-8")
    settings.home.mkdir(parents=True, exist_ok=True)
    fd = os.open(settings.access_log, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, settings.private_file_mode)
    try:
        os.write(fd, line)
    finally:
        os.close(fd)


def entries(settings: Settings) -> list[dict]:
    if not settings.access_log.exists():
        return []
    return [json.loads(line) for line in settings.access_log.read_text(encoding="utf-8").splitlines() if line.strip()]
