"""The release calendar (发布日历): when the release of each period is due, and which period a run is for.

Kept as configuration in `chanjiao/calendar.yaml` (or the file settings name, CHANJIAO_CALENDAR); the publish
DAG's schedule, the deadline alert and ingest's revision window all read it from here.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from ingestion.period import TIMEZONE, Period

DEFAULT_FILE = Path(__file__).with_name("calendar.yaml")


def _clock(text: str, what: str) -> dt.timedelta:
    """"HH:MM" or "HH:MM:SS" as time since the day's midnight; "24:00" is the end of the day, "48:00" the next one's."""
    match = re.fullmatch(r"(\d{1,3}):(\d{2})(?::(\d{2}))?", str(text))
    if not match or int(match[2]) > 59 or int(match[3] or 0) > 59:
        raise ValueError(f"calendar: {what} must be HH:MM (e.g. 08:00, 24:00), not {text!r}")
    return dt.timedelta(hours=int(match[1]), minutes=int(match[2]), seconds=int(match[3] or 0))


@dataclass(frozen=True)
class ReleaseCalendar:
    timezone: str
    publication_day: int
    publication_time: dt.timedelta
    publication_deadline: dt.timedelta
    collection_deadline_day: int
    revision_window_months: int
    first_period: str

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def _on_day(self, period: str, day: int, clock: dt.timedelta) -> dt.datetime:
        after = Period.parse(period).next()
        midnight = dt.datetime(after.year, after.month, day, tzinfo=self.tz)
        return midnight + clock

    def scheduled_at(self, period: str) -> dt.datetime:
        """When the scheduled publish run for `period` starts."""
        return self._on_day(period, self.publication_day, self.publication_time)

    def deadline(self, period: str) -> dt.datetime:
        """By when a release of `period` must exist."""
        return self._on_day(period, self.publication_day, self.publication_deadline)

    def collection_deadline(self, period: str) -> dt.datetime:
        """The end of the last day on which submissions for `period` are due."""
        return self._on_day(period, self.collection_deadline_day, dt.timedelta(days=1))

    def cron(self) -> str:
        minutes = int(self.publication_time.total_seconds()) // 60
        return f"{minutes % 60} {minutes // 60} {self.publication_day} * *"

    def start_date(self) -> dt.datetime:
        """The first scheduled publish run: the release of `first_period`."""
        return self.scheduled_at(self.first_period)

    def period_for_run(self, logical_date: dt.datetime) -> str:
        """The month before the run's date in the calendar's time zone: the run of the 5th publishes the previous month."""
        return str(Period.containing(logical_date, self.timezone).previous())


def _parse(data: dict, source: str) -> ReleaseCalendar:
    try:
        cal = ReleaseCalendar(
            timezone=str(data.get("timezone", TIMEZONE)),
            publication_day=int(data["publication_day"]),
            publication_time=_clock(data.get("publication_time", "08:00"), "publication_time"),
            publication_deadline=_clock(data.get("publication_deadline", "24:00"), "publication_deadline"),
            collection_deadline_day=int(data["collection_deadline_day"]),
            revision_window_months=int(data["revision_window_months"]),
            first_period=str(data["first_period"]),
        )
    except KeyError as missing:
        raise ValueError(f"calendar {source}: {missing.args[0]} is missing") from None
    ZoneInfo(cal.timezone)  # an unknown zone fails here, at load, not at the first run
    if not 1 <= cal.publication_day <= 28 or not 1 <= cal.collection_deadline_day <= 28:
        raise ValueError(f"calendar {source}: publication_day and collection_deadline_day must be 1–28, so every month has them")
    if cal.collection_deadline_day > cal.publication_day:
        raise ValueError(f"calendar {source}: the collection deadline (day {cal.collection_deadline_day}) falls after publication (day {cal.publication_day})")
    if cal.publication_time >= dt.timedelta(days=1):
        raise ValueError(f"calendar {source}: publication_time must fall on the publication day (before 24:00)")
    if cal.publication_deadline < cal.publication_time:
        raise ValueError(f"calendar {source}: publication_deadline is before publication_time")
    if not Period.is_valid(cal.first_period):
        raise ValueError(f"calendar {source}: first_period must be YYYY-MM, not {cal.first_period!r}")
    return cal


@lru_cache(maxsize=4)
def load_calendar(path: Path) -> ReleaseCalendar:
    return _parse(yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}, str(path))
