"""The release calendar: dates and deadlines per period, validation of the file, and its readers."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from chanjiao import calendar
from chanjiao import settings as config

SHANGHAI = ZoneInfo("Asia/Shanghai")


def write(tmp_path, **changes) -> str:
    values = {"timezone": "Asia/Shanghai", "publication_day": 5, "publication_time": "08:00", "publication_deadline": "24:00",
              "collection_deadline_day": 3, "revision_window_months": 3, "first_period": "2026-01", **changes}
    path = tmp_path / "calendar.yaml"
    path.write_text("".join(f"{k}: {v!r}\n" if isinstance(v, str) else f"{k}: {v}\n" for k, v in values.items() if v is not None))
    return str(path)


def test_shipped_calendar_dates():
    cal = config.load({}).calendar
    assert cal.scheduled_at("2026-10") == dt.datetime(2026, 11, 5, 8, 0, tzinfo=SHANGHAI)
    # "before the 5th is over": the end of the publication day
    assert cal.deadline("2026-10") == dt.datetime(2026, 11, 6, 0, 0, tzinfo=SHANGHAI)
    assert cal.deadline("2026-12") == dt.datetime(2027, 1, 6, 0, 0, tzinfo=SHANGHAI)
    assert cal.collection_deadline("2026-10") == dt.datetime(2026, 11, 4, 0, 0, tzinfo=SHANGHAI)
    assert cal.cron() == "0 8 5 * *"
    assert cal.start_date() == dt.datetime(2026, 9, 5, 8, 0, tzinfo=SHANGHAI)


def test_period_of_a_scheduled_run_is_the_previous_month():
    # 2026-01-05 08:00 in Shanghai is still 2026-01-05 00:00 UTC: the release covers December.
    cal = config.load({}).calendar
    assert cal.period_for_run(dt.datetime(2026, 1, 5, 0, 0, tzinfo=dt.UTC)) == "2025-12"
    assert cal.period_for_run(dt.datetime(2026, 10, 31, 17, 0, tzinfo=dt.UTC)) == "2026-10"  # 11-01 01:00 in Shanghai


def test_another_calendar_file_replaces_the_shipped_one(tmp_path):
    env = {"CHANJIAO_CALENDAR": write(tmp_path, publication_day=10, publication_time="09:30", publication_deadline="48:00", revision_window_months=5)}
    settings = config.load(env)
    assert settings.calendar.cron() == "30 9 10 * *"
    assert settings.calendar.deadline("2026-10") == dt.datetime(2026, 11, 12, 0, 0, tzinfo=SHANGHAI)  # the end of the day after
    assert settings.revision_window_months == 5
    assert config.load({**env, "CHANJIAO_REVISION_WINDOW_MONTHS": "1"}).revision_window_months == 1


@pytest.mark.parametrize(("changes", "message"), [
    ({"publication_day": 31}, "1–28"),
    ({"collection_deadline_day": 7}, "after publication"),
    ({"publication_time": "8h"}, "HH:MM"),
    ({"publication_time": "25:00"}, "publication day"),
    ({"publication_deadline": "07:00"}, "before publication_time"),
    ({"first_period": "2026-13"}, "YYYY-MM"),
    ({"revision_window_months": None}, "revision_window_months is missing"),
])
def test_a_wrong_calendar_is_refused_with_a_reason(tmp_path, changes, message):
    path = write(tmp_path, **changes)
    with pytest.raises(ValueError, match=message):
        calendar.load_calendar(path)
    with pytest.raises(config.ConfigError, match=f"^CHANJIAO_CALENDAR .*{message}"):
        config.load({"CHANJIAO_CALENDAR": path})
