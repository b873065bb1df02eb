"""Which period a scheduled run is for."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from chanjiao.settings import TIMEZONE


def period_for_run(logical_date: dt.datetime) -> str:
    """The month before the run's date in Asia/Shanghai: the release of the 5th covers the previous month."""
    local = logical_date.astimezone(ZoneInfo(TIMEZONE))
    year, month = (local.year, local.month - 1) if local.month > 1 else (local.year - 1, 12)
    return f"{year:04d}-{month:02d}"
