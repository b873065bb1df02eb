"""The home as a whole: `init`, `templates`, `backup`, `restore` and `purge`."""
from __future__ import annotations

from pathlib import Path

from chanjiao import access, lock, retention, warehouse
from chanjiao import backup as backups
from chanjiao.app._home import writing
from chanjiao.files import confine
from chanjiao.settings import Settings
from ingestion.templates import write_templates


def init(settings: Settings) -> dict:
    """$CHANJIAO_HOME and an empty warehouse; safe to run twice."""
    with writing(settings, "init"):
        pass
    return {"home": str(settings.home), "warehouse": str(settings.warehouse)}


def templates(folder: Path) -> list[Path]:
    return write_templates(Path(folder))


def backup(settings: Settings, dest: Path) -> dict:
    """A consistent copy: nothing publishes or writes while it is taken (the publish lock, then the writer lock)."""
    confine(settings)
    settings.home.mkdir(parents=True, exist_ok=True)
    with lock.publish_lock(settings), lock.writer_lock(settings):
        access.record(settings, "backup", destination=str(dest))  # a backup reads every original
        return backups.backup(settings, dest)


def restore(settings: Settings, src: Path) -> dict:
    confine(settings)
    result = backups.restore(settings, src)
    with writing(settings, "restore", source=str(src)):  # modes as settings say, and the folders a home has
        pass
    return result




def purge(settings: Settings, originals_before: str) -> dict:
    """Delete the originals received for periods before `originals_before` (chanjiao.retention)."""
    with writing(settings, "purge", originals_before=originals_before), warehouse.connect(settings, read_only=True) as con:
        return retention.purge(con, settings, originals_before)
