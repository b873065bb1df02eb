"""The monthly cycle's steps, as both the CLI and the Airflow DAG call them."""
from __future__ import annotations

from collections import Counter

from chanjiao import settings as config


def ingest_landing(period: str) -> dict:
    """Ingest everything waiting in the landing folder for `period`; returns counts per outcome."""
    from ingestion.ingest import ingest

    settings = config.load()
    settings.landing.mkdir(parents=True, exist_ok=True)
    outcomes = ingest([settings.landing], settings, period=period)
    return {"period": period, "files": len(outcomes), **Counter(o["status"] for o in outcomes)}


def build_warehouse() -> dict:
    from chanjiao.build import build

    return build(config.load())


def publish_release(period: str) -> dict:
    from chanjiao.publication.release import publish

    return publish(config.load(), period)
