"""The airflow_prod tests need the local PostgreSQL (and Redis for Celery): under CI=true their absence
fails the run, elsewhere the tests skip and say why."""
from __future__ import annotations

import os

import pytest


def require(error: str | None) -> None:
    if error is None:
        return
    if os.environ.get("CI", "").lower() in ("true", "1"):
        pytest.fail(f"{error} (CI=true: these tests must run, not skip)", pytrace=False)
    pytest.skip(error)
