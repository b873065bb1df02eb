"""Publish: `chanjiao publish` and the publish DAG's task — a new release version of a period only when
what it is built from changed (chanjiao.publication.release); `--as-of` is chanjiao.app.as_of."""
from __future__ import annotations

from chanjiao import lock
from chanjiao.app._home import writing
from chanjiao.publication.release import publish as write_release
from chanjiao.settings import Settings


def publish(settings: Settings, period: str) -> dict:
    # the publish lock first (backup takes them in the same order), then the writer lock for dbt docs
    with lock.publish_lock(settings), writing(settings, "publish", period=period):
        return write_release(settings, period)
