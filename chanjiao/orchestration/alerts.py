"""Alerts to people: a task that failed for good, a release that missed its publication day.

Channels are configuration (dags/README.md): CHANJIAO_ALERT_EMAIL sends through Airflow's own email
settings ([email] backend, [smtp] host/port/sender), CHANJIAO_ALERT_WEBHOOK POSTs JSON to a URL (the
text format WeCom and DingTalk robots accept, plus a machine-readable `event`). Both may be set; with
neither, the alert is only logged. A channel that fails is logged and the others still get the alert:
an alert must never hide the failure it reports.
"""
from __future__ import annotations

import html
import json
import logging
import urllib.request

from chanjiao import settings as config
from chanjiao.settings import Settings

log = logging.getLogger(__name__)
WEBHOOK_TIMEOUT = 10  # seconds: a hung receiver must not hold a worker slot


def send_alert(settings: Settings, event: str, subject: str, text: str, details: dict) -> list[str]:
    """Send one alert on every configured channel; returns the channels that accepted it."""
    delivered = []
    log.warning("alert %s: %s", event, text)
    if settings.alert_email:
        try:
            from airflow.utils.email import send_email

            body = "<pre>" + html.escape(text + "\n\n" + json.dumps(details, ensure_ascii=False, indent=2, default=str)) + "</pre>"
            send_email(list(settings.alert_email), subject, body)
            delivered.append("email")
        except Exception:
            log.exception("alert %s: sending email to %s failed", event, ", ".join(settings.alert_email))
    if settings.alert_webhook:
        payload = {"msgtype": "text", "text": {"content": f"{subject}\n{text}"}, "event": {"type": event, **details}}
        request = urllib.request.Request(settings.alert_webhook,  # noqa: S310 - http(s) only, checked by settings._webhook
                                         data=json.dumps(payload, ensure_ascii=False, default=str).encode(),
                                         headers={"Content-Type": "application/json; charset=utf-8"}, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT) as response:  # noqa: S310 - http(s) only, checked by settings._webhook
                response.read()
            delivered.append("webhook")
        except Exception:
            log.exception("alert %s: POST to the webhook failed", event)
    return delivered


def on_task_failure(context) -> None:
    """Airflow's on_failure_callback: called once a task has failed and has no retries left."""
    ti = context["ti"]
    run = context.get("dag_run")
    error = context.get("exception")
    period = (run.conf or {}).get("period") if run is not None else None
    details = {"dag_id": ti.dag_id, "task_id": ti.task_id, "map_index": getattr(ti, "map_index", -1),
               "run_id": ti.run_id, "try_number": ti.try_number, "period": period,
               "error": f"{type(error).__name__}: {error}" if error else None, "log_url": getattr(ti, "log_url", None)}
    subject = f"【chanjiao 告警】任务失败 {ti.dag_id}.{ti.task_id}"
    text = (f"任务 {ti.dag_id}.{ti.task_id} 在运行 {ti.run_id} 中失败（已用尽重试）"
            f"{'，报告期 ' + period if period else ''}。\n原因：{details['error']}\n日志：{details['log_url']}")
    # Airflow calls this: it is an entry point, and reads the settings as a task does
    send_alert(config.load(), "task_failed", subject, text, details)


def deadline_missed(settings: Settings, period: str, deadline, published: list[str]) -> list[str]:
    """No version of `period` had been published by its deadline (end of its publication day)."""
    when = deadline.strftime("%Y-%m-%d %H:%M %Z")
    subject = f"【chanjiao 告警】{period} 月度发布逾期"
    later = f"此后已发布 {', '.join(published)}。" if published else "目前仍没有任何版本。"
    text = f"报告期 {period} 的指标发布应在 {when} 前完成，但截至该时间未发布任何版本；{later}请检查 chanjiao_publish 的运行。"
    return send_alert(settings, "deadline_missed", subject, text, {"period": period, "deadline": deadline.isoformat(), "published_later": published})
