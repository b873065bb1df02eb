"""A real `airflow dags test` of chanjiao_publish that fails and misses its publication day: the failure
alert and the deadline alert each reach a local SMTP server and a local webhook."""
from __future__ import annotations

import datetime as dt
import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from chanjiao.app import home as home_use_cases
from chanjiao.demo.run import airflow_env, prepare_airflow
from chanjiao.settings import Settings
from ingestion.period import Period
from tests.conftest import PII_KEY
from tests.dags.receivers import smtp_env, smtp_receiver, wait_for, webhook_receiver

pytestmark = pytest.mark.airflow

SHANGHAI = ZoneInfo("Asia/Shanghai")


def calendar_with_deadline_in(tmp_path: Path, seconds: int) -> tuple[str, str]:
    """A calendar whose deadline for the month before this one falls `seconds` from now."""
    now = dt.datetime.now(SHANGHAI)
    day = min(now.day, 28)
    since_midnight = now + dt.timedelta(seconds=seconds) - dt.datetime(now.year, now.month, day, tzinfo=SHANGHAI)
    total = int(since_midnight.total_seconds())
    path = tmp_path / "calendar.yaml"
    path.write_text(f'timezone: Asia/Shanghai\npublication_day: {day}\npublication_time: "00:00"\n'
                    f'publication_deadline: "{total // 3600:02d}:{total % 3600 // 60:02d}:{total % 60:02d}"\n'
                    f'collection_deadline_day: 1\nrevision_window_months: 3\nfirst_period: "2026-01"\n')
    return str(path), str(Period.containing(now).previous())


def test_failed_publication_and_missed_deadline_alert(tmp_path):
    settings = Settings(home=tmp_path / "home", pii_key=PII_KEY.encode())
    home_use_cases.init(settings)  # an empty warehouse: there is nothing to publish, so publish fails
    prepare_airflow(settings)
    with smtp_receiver() as (port, mails), webhook_receiver() as (url, posts):
        calendar, period = calendar_with_deadline_in(tmp_path, 90)
        env = {**airflow_env(settings), **smtp_env(port), "AIRFLOW_CONN_SMTP_DEFAULT": f"smtp://127.0.0.1:{port}",
               "CHANJIAO_ALERT_EMAIL": "tongji@example.org", "CHANJIAO_ALERT_WEBHOOK": url, "CHANJIAO_CALENDAR": calendar,
               "CHANJIAO_DEADLINE_POKE_SECONDS": "5", "CHANJIAO_TASK_RETRIES": "0"}
        exe = Path(sys.executable).with_name("airflow")
        run = subprocess.run([str(exe), "dags", "test", "chanjiao_publish", dt.datetime.now(SHANGHAI).isoformat(),
                              "--conf", json.dumps({"period": period})], env=env, capture_output=True, text=True, timeout=600)
        wait_for(posts, 2)
        wait_for(mails, 2)
    with sqlite3.connect(settings.airflow_home / "airflow.db") as db:
        states = dict(db.execute("select task_id, state from task_instance where dag_id = 'chanjiao_publish'").fetchall())
    assert states["publish"] == "failed" and states["check_deadline"] == "success", (states, run.stdout[-3000:], run.stderr[-3000:])
    events = {p["event"]["type"]: p["event"] for p in posts}
    assert set(events) == {"task_failed", "deadline_missed"}
    assert events["task_failed"]["task_id"] == "publish" and events["task_failed"]["period"] == period
    assert "NotBuilt" in events["task_failed"]["error"]
    assert events["deadline_missed"]["period"] == period and events["deadline_missed"]["published_later"] == []
    subjects = sorted(m["Subject"] for m in mails)
    assert any("任务失败 chanjiao_publish.publish" in s for s in subjects) and any(f"{period} 月度发布逾期" in s for s in subjects)
