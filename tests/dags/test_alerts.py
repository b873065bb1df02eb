"""Alerts reach a real local SMTP server (through Airflow's email settings) and a local webhook."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from chanjiao import settings as config
from chanjiao.orchestration.alerts import send_alert
from chanjiao.orchestration.deadline import check_deadline
from tests.dags.receivers import free_port, smtp_env, smtp_receiver, wait_for, webhook_receiver

pytestmark = pytest.mark.airflow  # chanjiao.orchestration.alerts sends mail with Airflow's email settings

PERIOD = "2026-10"


@pytest.fixture
def receivers(home, monkeypatch):
    with smtp_receiver() as (port, mails), webhook_receiver() as (url, posts):
        for key, value in smtp_env(port).items():
            monkeypatch.setenv(key, value)
        # the SMTP connection Airflow looks up, from the environment rather than a metadata DB
        monkeypatch.setenv("AIRFLOW_CONN_SMTP_DEFAULT", f"smtp://127.0.0.1:{port}")
        monkeypatch.setenv("CHANJIAO_ALERT_EMAIL", "tongji@example.org, duty@example.org")
        monkeypatch.setenv("CHANJIAO_ALERT_WEBHOOK", url)
        yield mails, posts


def release(home, version: str, published_at: dt.datetime):
    folder = home / "publications" / PERIOD / version
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_text(json.dumps({"period": PERIOD, "version": version, "published_at": published_at.isoformat()}))


def test_missed_deadline_alerts_both_channels(home, receivers):
    mails, posts = receivers
    deadline = config.load().calendar.deadline(PERIOD)
    result = check_deadline(config.load(), PERIOD, run_started_at=deadline - dt.timedelta(hours=16))
    assert result["status"] == "missed" and result["alerted"] == ["email", "webhook"]
    mail = wait_for(mails)[0]
    assert "2026-10 月度发布逾期" in mail["Subject"]
    assert set(a.strip() for a in mail["To"].split(",")) == {"tongji@example.org", "duty@example.org"}
    assert "2026-11-06 00:00" in mail.get_body().get_content()
    post = wait_for(posts)[0]
    assert post["msgtype"] == "text" and "逾期" in post["text"]["content"]
    assert post["event"] == {"type": "deadline_missed", "period": PERIOD, "deadline": deadline.isoformat(), "published_later": []}


def test_a_version_published_after_the_deadline_does_not_excuse_it(home, receivers):
    mails, posts = receivers
    deadline = config.load().calendar.deadline(PERIOD)
    release(home, "v1", deadline + dt.timedelta(minutes=5))
    result = check_deadline(config.load(), PERIOD, run_started_at=deadline - dt.timedelta(hours=16))
    assert result["status"] == "missed"
    assert wait_for(posts)[0]["event"]["published_later"] == ["v1"]


def test_on_time_release_and_catch_up_runs_send_nothing(home, receivers):
    mails, posts = receivers
    deadline = config.load().calendar.deadline(PERIOD)
    assert check_deadline(config.load(), PERIOD, run_started_at=deadline + dt.timedelta(days=20))["status"] == "not_watched"
    release(home, "v1", deadline - dt.timedelta(hours=15))
    assert check_deadline(config.load(), PERIOD, run_started_at=deadline - dt.timedelta(hours=16)) == {
        "status": "on_time", "period": PERIOD, "deadline": deadline.isoformat(), "version": "v1"}
    assert wait_for(mails, seconds=1) == [] and posts == []


def test_a_dead_channel_does_not_stop_the_other(home, receivers, monkeypatch):
    mails, posts = receivers
    monkeypatch.setenv("CHANJIAO_ALERT_WEBHOOK", f"http://127.0.0.1:{free_port()}/nobody-listens")
    assert send_alert(config.load(), "task_failed", "subject", "text", {"dag_id": "x"}) == ["email"]
    assert len(wait_for(mails)) == 1


def test_without_channels_an_alert_is_only_logged(home, monkeypatch, caplog):
    monkeypatch.delenv("CHANJIAO_ALERT_EMAIL", raising=False)
    monkeypatch.delenv("CHANJIAO_ALERT_WEBHOOK", raising=False)
    assert send_alert(config.load(), "task_failed", "subject", "发布失败", {}) == []
    assert "发布失败" in caplog.text
