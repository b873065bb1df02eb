"""Shared fixtures: an isolated $CHANJIAO_HOME, the CLI as a user runs it, and builders of real files."""
from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from stdnum.cn import ric, uscc

PII_KEY = "test-key-for-pseudonymisation"
CLI = Path(sys.executable).with_name("chanjiao")


def make_uscc(region: str, serial: int) -> str:
    body = f"91{region}MA{serial:07d}"
    return body + uscc.calc_check_digit(body)


def make_id_number(region: str, serial: int) -> str:
    body = f"{region}19900101{serial:03d}"
    return body + ric.calc_check_digit(body + "0")  # stdnum expects a placeholder check digit


def set_received(path: Path, when: str) -> Path:
    """Receipt time = the file's modification time in landing (Asia/Shanghai wall time here)."""
    ts = dt.datetime.fromisoformat(when).replace(tzinfo=ZoneInfo("Asia/Shanghai")).timestamp()
    os.utime(path, (ts, ts))
    return path


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "home"
    monkeypatch.setenv("CHANJIAO_HOME", str(path))
    monkeypatch.setenv("CHANJIAO_PII_KEY", PII_KEY)
    return path


def run_cli(home: Path, *args: str, key: str | None = PII_KEY, check_json: bool = True) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("CHANJIAO_PII_KEY",)}
    env["CHANJIAO_HOME"] = str(home)
    if key:
        env["CHANJIAO_PII_KEY"] = key
    result = subprocess.run([str(CLI), *args], env=env, capture_output=True, text=True, timeout=600)
    if check_json and "--json" in args and result.returncode in (0, 3):
        result.data = json.loads(result.stdout)  # stdout holds one JSON document and nothing else
    return result
