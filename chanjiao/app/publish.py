"""Publish: `chanjiao publish` and the publish DAG's task — a new release version of a period only when
what it is built from changed (chanjiao.publication.release); `--as-of` is chanjiao.app.as_of."""
from __future__ import annotations

import datetime as dt

from chanjiao import lock
from chanjiao.app._home import writing
from chanjiao.publication.release import PublishedAtRefused
from chanjiao.publication.release import publish as write_release
from chanjiao.settings import Settings

__all__ = ["PublishedAtRefused", "publish"]


def publish(settings: Settings, period: str, published_at: dt.datetime | None = None) -> dict:
    """`published_at`: the real clock unless given — only a backfill of a past calendar day gives one (the
    publish DAG when its conf says so; the demo's simulated months). A time in the future, before the
    previous version's or before the receipt of a file the release is built from is refused
    (PublishedAtRefused)."""
    details = {"period": period, **({"published_at": published_at.isoformat()} if published_at else {})}
    # the publish lock first (backup takes them in the same order), then the writer lock for dbt docs
    with lock.publish_lock(settings), writing(settings, "publish", **details):
        return write_release(settings, period, published_at)
