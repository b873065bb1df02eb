"""The deadline watch: was a version of P published by the end of its publication day?

Judged from the releases' own manifests (published_at), so the answer does not depend on when the
check runs. Only runs that began (by the wall clock) before the deadline watch it: a catch-up or
backfill run begins after the deadline it would report, and its lateness is no news to whoever started it.
"""
from __future__ import annotations

import datetime as dt

from chanjiao.orchestration import alerts
from chanjiao.publication.release import version_as_of, versions
from chanjiao.settings import Settings


def watch_done(settings: Settings, period: str, now: dt.datetime | None = None) -> bool:
    """The sensor's poke: done once a version of `period` exists or its deadline has passed."""
    now = now or dt.datetime.now(dt.UTC)
    return bool(versions(settings, period)) or now >= settings.calendar.deadline(period)


def check_deadline(settings: Settings, period: str, run_started_at: dt.datetime) -> dict:
    deadline = settings.calendar.deadline(period)
    if run_started_at >= deadline:
        return {"status": "not_watched", "period": period, "deadline": deadline.isoformat()}
    on_time = version_as_of(settings, period, deadline)
    if on_time is not None:
        return {"status": "on_time", "period": period, "deadline": deadline.isoformat(), "version": on_time.name}
    published = versions(settings, period)
    delivered = alerts.deadline_missed(settings, period, deadline, [v.name for v in published])
    return {"status": "missed", "period": period, "deadline": deadline.isoformat(), "alerted": delivered}
