"""Configuration, read from the environment in one place.

Everything chanjiao keeps lives under ``$CHANJIAO_HOME`` (default ``./var``): the warehouse, the
landing/archive/quarantine folders, the publications and the demo's Airflow metadata DB.
"""
from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from expectations.thresholds import Thresholds
from ingestion.limits import Limits
from ingestion.setting import SettingError

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
DAGS_DIR = REPO_ROOT / "dags"
TIMEZONE = "Asia/Shanghai"


class ConfigError(RuntimeError):
    """A setting is missing or wrong; the message says which and how to fix it."""


@dataclass(frozen=True)
class Settings:
    home: Path
    pii_key: bytes | None
    # Where alerts go (chanjiao.orchestration.alerts): email recipients, and a webhook URL.
    alert_email: tuple[str, ...] = ()
    alert_webhook: str | None = None
    # `chanjiao query`: a statement running longer is interrupted; DuckDB's memory for it is capped
    # (CHANJIAO_QUERY_TIMEOUT_SECONDS, CHANJIAO_QUERY_MEMORY_LIMIT, e.g. 512MB or 2GB).
    query_timeout_seconds: float = 300.0
    query_memory_limit: str = "2GB"
    # Who may read what chanjiao writes. The home holds personal data: owner-only (folders 0700, files 0600)
    # unless CHANJIAO_SHARE_GROUP=1 (0750 / 0640) for an office whose staff share a service account's group.
    # Publications are for others: CHANJIAO_PUBLICATIONS_READERS=all (default: files 0444, folders 0755),
    # group (0440 / 0750) or owner (0400 / 0700); a published version's files and folders are read-only.
    share_group: bool = False
    publication_readers: str = "all"

    @property
    def umask(self) -> int:
        """The process umask every chanjiao command (and its children: dbt, DuckDB, the readers) runs under."""
        return 0o027 if self.share_group else 0o077

    @property
    def private_dir_mode(self) -> int:
        return 0o777 & ~self.umask

    @property
    def private_file_mode(self) -> int:
        return 0o666 & ~self.umask

    @property
    def publication_modes(self) -> tuple[int, int, int]:
        """(folder holding versions, a published version's folders, a published file)."""
        return {"all": (0o755, 0o555, 0o444), "group": (0o750, 0o550, 0o440), "owner": (0o700, 0o500, 0o400)}[self.publication_readers]

    @property
    def home_mode(self) -> int:
        """Private, but passable (not listable) by those who may read the publications inside it."""
        passable = {"all": 0o011, "group": 0o010, "owner": 0}[self.publication_readers]
        return self.private_dir_mode | passable

    @property
    def warehouse(self) -> Path:
        return self.home / "warehouse.duckdb"

    @property
    def marts_copy(self) -> Path:
        # The read-only copy statisticians open; replaced atomically after each build.
        return self.home / "marts.duckdb"

    @property
    def landing(self) -> Path:
        return self.home / "landing"

    @property
    def archive(self) -> Path:
        return self.home / "archive"

    @property
    def quarantine(self) -> Path:
        return self.home / "quarantine"

    @property
    def reports(self) -> Path:
        # One HTML page of checks per load, regenerable from the ledger (expectations.report).
        return self.home / "reports"

    @property
    def publications(self) -> Path:
        return self.home / "publications"

    @property
    def airflow_home(self) -> Path:
        return self.home / "airflow"

    @property
    def dbt_target_dir(self) -> Path:
        return self.home / "dbt_target"

    @property
    def lock_file(self) -> Path:
        return self.home / "warehouse.lock"

    @property
    def pii_key_id(self) -> str:
        """A short public fingerprint of the key, stored beside each hash so keys can be rotated."""
        key = self.require_pii_key()
        return "k" + hashlib.sha256(b"chanjiao-key-id:" + key).hexdigest()[:12]

    def require_pii_key(self) -> bytes:
        if not self.pii_key:
            raise ConfigError(
                "CHANJIAO_PII_KEY is not set: personal data cannot be pseudonymised. "
                "Set it to a long random secret (e.g. `python -c \"import secrets; print(secrets.token_hex(32))\"`) "
                "kept outside the repository."
            )
        return self.pii_key

    def env(self) -> dict[str, str]:
        """Environment that hands these settings to a child process (dbt, Airflow)."""
        env = {"CHANJIAO_HOME": str(self.home), "CHANJIAO_WAREHOUSE": str(self.warehouse),
               "CHANJIAO_SHARE_GROUP": "1" if self.share_group else "0", "CHANJIAO_PUBLICATIONS_READERS": self.publication_readers}
        if self.pii_key:
            env["CHANJIAO_PII_KEY"] = self.pii_key.decode()
        return env


def _query_timeout() -> float:
    text = os.environ.get("CHANJIAO_QUERY_TIMEOUT_SECONDS") or ""
    if not text:
        return Settings.query_timeout_seconds
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0 or value == float("inf"):
        raise ConfigError(f"CHANJIAO_QUERY_TIMEOUT_SECONDS must be a positive number of seconds, not {text!r}")
    return value


def _query_memory() -> str:
    text = (os.environ.get("CHANJIAO_QUERY_MEMORY_LIMIT") or "").strip()
    if not text:
        return Settings.query_memory_limit
    if not re.fullmatch(r"\d+(\.\d+)?\s*([KMGT]i?B)", text, re.IGNORECASE):
        raise ConfigError(f"CHANJIAO_QUERY_MEMORY_LIMIT must be a size such as 512MB or 2GB, not {text!r}")
    return text


def _flag(name: str) -> bool:
    text = (os.environ.get(name) or "").strip().lower()
    if text in ("", "0", "false", "no", "off"):
        return False
    if text in ("1", "true", "yes", "on"):
        return True
    raise ConfigError(f"{name} must be 1 or 0, not {text!r}")


def _readers() -> str:
    text = (os.environ.get("CHANJIAO_PUBLICATIONS_READERS") or "all").strip().lower()
    if text not in ("all", "group", "owner"):
        raise ConfigError(f"CHANJIAO_PUBLICATIONS_READERS must be all, group or owner, not {text!r}")
    return text


def load() -> Settings:
    home = Path(os.environ.get("CHANJIAO_HOME") or "var").resolve()
    if home.exists() and not home.is_dir():
        raise ConfigError(f"CHANJIAO_HOME is {home}, which is a file, not a folder: point CHANJIAO_HOME at a folder (it is created if missing)")
    key = os.environ.get("CHANJIAO_PII_KEY") or None
    emails = tuple(a.strip() for a in os.environ.get("CHANJIAO_ALERT_EMAIL", "").split(",") if a.strip())
    return Settings(home=home, pii_key=key.encode() if key else None, alert_email=emails,
                    alert_webhook=os.environ.get("CHANJIAO_ALERT_WEBHOOK") or None,
                    query_timeout_seconds=_query_timeout(), query_memory_limit=_query_memory(),
                    share_group=_flag("CHANJIAO_SHARE_GROUP"), publication_readers=_readers())


def file_limits() -> Limits:
    """What a submitted file may cost (CHANJIAO_LIMIT_<FIELD>, see ingestion.limits)."""
    try:
        return Limits.from_mapping(os.environ)
    except SettingError as err:
        raise ConfigError(str(err)) from None


def gate_thresholds() -> Thresholds:
    """The batch rules' shares (CHANJIAO_GATE_TEACHER_CHANGE, CHANJIAO_GATE_REGISTER_SHRINK, see expectations.thresholds)."""
    try:
        return Thresholds.from_mapping(os.environ)
    except SettingError as err:
        raise ConfigError(str(err)) from None
