"""The reporting period (报告期): a calendar month, written YYYY-MM. Its arithmetic lives here only.

At the floor of the house because every layer needs it: the reader fills a blank 报告期 and judges ID
numbers against the period's end, the gate bounds dates by it, and the warehouse, the calendar and the
DAGs count months with it. Periods travel as their text (JSON, SQL, folder names); `Period` is what a
caller uses to do arithmetic on one.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

# interface.md: a period is YYYY-MM; also the JSON-schema pattern of the DAGs' `period` param
PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"
_PATTERN = re.compile(PATTERN)
TIMEZONE = "Asia/Shanghai"  # interface.md: months (and times shown) are Beijing time


def shown(moment: dt.datetime) -> str:
    """A stored instant as people are shown it (interface.md: stored in UTC, shown in Asia/Shanghai), in ISO
    form with its offset so the instant stays exact: 2026-11-05T10:00:00+08:00. A value without a zone is UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(ZoneInfo(TIMEZONE)).isoformat()


@dataclass(frozen=True, order=True)
class Period:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Period:
        if not isinstance(text, str) or not _PATTERN.match(text):
            raise ValueError(f"period must be YYYY-MM, not {text!r}")
        return cls(int(text[:4]), int(text[5:7]))

    @staticmethod
    def is_valid(text: str) -> bool:
        return isinstance(text, str) and bool(_PATTERN.match(text))

    @classmethod
    def containing(cls, moment: dt.datetime | None = None, timezone: str = TIMEZONE) -> Period:
        """The month `moment` (default: now) falls in, in `timezone`."""
        local = (moment or dt.datetime.now(dt.UTC)).astimezone(ZoneInfo(timezone))
        return cls(local.year, local.month)

    @classmethod
    def collecting(cls, moment: dt.datetime | None = None, timezone: str = TIMEZONE) -> Period:
        """The month under collection at `moment`: the previous one (its release is due early this month)."""
        return cls.containing(moment, timezone).previous()

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def plus(self, months: int) -> Period:
        index = self.year * 12 + self.month - 1 + months
        return Period(index // 12, index % 12 + 1)

    def next(self) -> Period:
        return self.plus(1)

    def previous(self) -> Period:
        return self.plus(-1)

    def months_since(self, earlier: Period) -> int:
        return (self.year - earlier.year) * 12 + self.month - earlier.month

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def end(self) -> dt.date:
        """The last day of the month."""
        return self.next().start - dt.timedelta(days=1)
