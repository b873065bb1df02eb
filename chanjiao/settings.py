"""Configuration: every setting chanjiao reads from the environment is read here, by `load()`, once per
command or DAG task, and handed down as one `Settings`. Nothing else reads os.environ.

Everything chanjiao keeps lives under ``$CHANJIAO_HOME`` (default ``./var``): the warehouse, the
landing/archive/quarantine folders, the publications and the demo's Airflow metadata DB.
"""
from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from chanjiao.calendar import ReleaseCalendar, load_calendar
from expectations.thresholds import Thresholds
from ingestion.limits import Limits
from ingestion.setting import SettingError

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
DAGS_DIR = REPO_ROOT / "dags"
DEFAULT_CALENDAR = Path(__file__).with_name("calendar.yaml")


class ConfigError(RuntimeError):
    """A setting is missing or wrong; the message says which and how to fix it."""


@dataclass(frozen=True)
class Postgres:
    """The PostgreSQL target of `chanjiao build --target postgres` (CHANJIAO_PG_*; profiles.yml reads the same)."""
    host: str = "127.0.0.1"
    port: int = 5432
    user: str = "postgres"
    password: str = ""
    dbname: str = "chanjiao"

    def params(self) -> dict:
        return {"host": self.host, "port": self.port, "user": self.user, "password": self.password, "dbname": self.dbname}


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
    # interface.md, small cells: a value aggregated from fewer reporting units is withheld in public
    # releases (CHANJIAO_SMALL_CELL_UNITS; dbt's var small_cell_units, whose default is this one)
    small_cell_units: int = 3
    # Who may read what chanjiao writes. The home holds personal data: owner-only (folders 0700, files 0600)
    # unless CHANJIAO_SHARE_GROUP=1 (0750 / 0640) for an office whose staff share a service account's group.
    # Publications are for others: CHANJIAO_PUBLICATIONS_READERS=all (default: files 0444, folders 0755),
    # group (0440 / 0750) or owner (0400 / 0700); a published version's files and folders are read-only.
    share_group: bool = False
    publication_readers: str = "all"
    # Where a build keeps dbt's parse of the project (partial_parse.msgpack) for the next home that builds
    # with the same project and dbt: a new home's first build then parses in ~1 s instead of ~5 s. It holds
    # no data; dbt checks every file against it and parses again what changed. CHANJIAO_DBT_PARSE_CACHE
    # (default $XDG_CACHE_HOME/chanjiao/dbt, or ~/.cache/chanjiao/dbt); empty: no cache.
    dbt_parse_cache: Path | None = None
    # Where `--as-of` rebuilds are kept, outside the home (which they never write into): one warehouse per
    # home and release version, reused while the version's inputs fingerprint is the same. It holds no
    # original (the copies are deleted once rebuilt) and pseudonyms made with a throwaway key.
    # CHANJIAO_AS_OF_CACHE (default $XDG_CACHE_HOME/chanjiao/as-of, or ~/.cache/chanjiao/as-of); empty: a
    # temporary folder per command, removed after it.
    as_of_cache: Path | None = None
    # The release calendar (CHANJIAO_CALENDAR, default chanjiao/calendar.yaml) and an override of its
    # revision window (CHANJIAO_REVISION_WINDOW_MONTHS).
    calendar_file: Path = DEFAULT_CALENDAR
    revision_window_override: int | None = None
    # Untrusted-file limits (CHANJIAO_LIMIT_*) and the batch rules' shares (CHANJIAO_GATE_*).
    limits: Limits = field(default_factory=Limits)
    gate_thresholds: Thresholds = field(default_factory=Thresholds)
    postgres: Postgres = field(default_factory=Postgres)
    # The DAGs: task retries (CHANJIAO_TASK_RETRIES; the demo and tests set 0), files per ingest chunk
    # (CHANJIAO_INGEST_CHUNK_FILES), how long a file must sit unchanged in landing before the scheduled
    # ingest takes it (CHANJIAO_LANDING_SETTLE_SECONDS), and how often the deadline watch looks
    # (CHANJIAO_DEADLINE_POKE_SECONDS).
    task_retries: int | None = None  # None: not set (the DAGs retry twice, the demo not at all)
    ingest_chunk_files: int = 100
    landing_settle_seconds: int = 120
    deadline_poke_seconds: int = 600

    @property
    def calendar(self) -> ReleaseCalendar:
        return load_calendar(self.calendar_file)

    @property
    def revision_window_months(self) -> int:
        return self.revision_window_override if self.revision_window_override is not None else self.calendar.revision_window_months

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
    def access_log(self) -> Path:
        # Who read originals or wrote the warehouse, when (chanjiao.access); appended to, never rewritten.
        return self.home / "access.log"

    @property
    def purge_log(self) -> Path:
        # The originals deleted at the end of their retention (chanjiao.retention), one JSON line each.
        return self.home / "purged.jsonl"

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

    def child_env(self, **extra: str) -> dict[str, str]:
        """The environment of a child process (dbt, Airflow): this one's, these settings, and `extra`."""
        return {**os.environ, **self.env(), **extra}

    def env(self) -> dict[str, str]:
        """Environment that hands these settings to a child process (dbt, Airflow)."""
        env = {**({"CHANJIAO_TASK_RETRIES": str(self.task_retries)} if self.task_retries is not None else {}),
               "CHANJIAO_HOME": str(self.home), "CHANJIAO_WAREHOUSE": str(self.warehouse),
               "CHANJIAO_SHARE_GROUP": "1" if self.share_group else "0", "CHANJIAO_PUBLICATIONS_READERS": self.publication_readers,
               "CHANJIAO_DBT_PARSE_CACHE": str(self.dbt_parse_cache or "")}
        env.update({f"CHANJIAO_PG_{k.upper()}": str(v) for k, v in self.postgres.params().items() if k != "dbname"},
                   CHANJIAO_PG_DATABASE=self.postgres.dbname)
        if self.pii_key:
            env["CHANJIAO_PII_KEY"] = self.pii_key.decode()
        return env


def _query_timeout(env: Mapping[str, str]) -> float:
    text = env.get("CHANJIAO_QUERY_TIMEOUT_SECONDS") or ""
    if not text:
        return Settings.query_timeout_seconds
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0 or value == float("inf"):
        raise ConfigError(f"CHANJIAO_QUERY_TIMEOUT_SECONDS must be a positive number of seconds, not {text!r}")
    return value


def _query_memory(env: Mapping[str, str]) -> str:
    text = (env.get("CHANJIAO_QUERY_MEMORY_LIMIT") or "").strip()
    if not text:
        return Settings.query_memory_limit
    if not re.fullmatch(r"\d+(\.\d+)?\s*([KMGT]i?B)", text, re.IGNORECASE):
        raise ConfigError(f"CHANJIAO_QUERY_MEMORY_LIMIT must be a size such as 512MB or 2GB, not {text!r}")
    return text


def _flag(env: Mapping[str, str], name: str) -> bool:
    text = (env.get(name) or "").strip().lower()
    if text in ("", "0", "false", "no", "off"):
        return False
    if text in ("1", "true", "yes", "on"):
        return True
    raise ConfigError(f"{name} must be 1 or 0, not {text!r}")


def _readers(env: Mapping[str, str]) -> str:
    text = (env.get("CHANJIAO_PUBLICATIONS_READERS") or "all").strip().lower()
    if text not in ("all", "group", "owner"):
        raise ConfigError(f"CHANJIAO_PUBLICATIONS_READERS must be all, group or owner, not {text!r}")
    return text


def _whole(env: Mapping[str, str], name: str, default: int, least: int = 0) -> int:
    text = (env.get(name) or "").strip()
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {text!r}") from None
    if value < least:
        raise ConfigError(f"{name} must be at least {least}, not {value}")
    return value


def _calendar(env: Mapping[str, str]) -> Path:
    path = Path(env.get("CHANJIAO_CALENDAR") or DEFAULT_CALENDAR)
    try:
        load_calendar(path)  # a broken calendar fails here, at start, naming the file
    except (OSError, ValueError) as err:
        raise ConfigError(f"CHANJIAO_CALENDAR ({path}): {err}") from None
    return path


def _webhook(env: Mapping[str, str]) -> str | None:
    url = (env.get("CHANJIAO_ALERT_WEBHOOK") or "").strip() or None
    # only the web: urllib would also open file:// and ftp:// URLs, which no alert robot has
    if url is not None and not re.match(r"https?://[^/\s]+", url, re.IGNORECASE):
        raise ConfigError(f"CHANJIAO_ALERT_WEBHOOK must be an http:// or https:// URL, not {url!r}")
    return url


def load(env: Mapping[str, str] | None = None) -> Settings:
    """The settings of this process, from `env` (default: the environment). The one reader of os.environ."""
    env = os.environ if env is None else env
    home = Path(env.get("CHANJIAO_HOME") or "var").resolve()
    if home.exists() and not home.is_dir():
        raise ConfigError(f"CHANJIAO_HOME is {home}, which is a file, not a folder: point CHANJIAO_HOME at a folder (it is created if missing)")
    key = env.get("CHANJIAO_PII_KEY") or None
    emails = tuple(a.strip() for a in env.get("CHANJIAO_ALERT_EMAIL", "").split(",") if a.strip())
    window = env.get("CHANJIAO_REVISION_WINDOW_MONTHS")
    try:
        limits, thresholds = Limits.from_mapping(env), Thresholds.from_mapping(env)
    except SettingError as err:
        raise ConfigError(str(err)) from None
    return Settings(home=home, pii_key=key.encode() if key else None, alert_email=emails,
                    alert_webhook=_webhook(env),
                    query_timeout_seconds=_query_timeout(env), query_memory_limit=_query_memory(env),
                    share_group=_flag(env, "CHANJIAO_SHARE_GROUP"), publication_readers=_readers(env),
                    calendar_file=_calendar(env),
                    revision_window_override=_whole(env, "CHANJIAO_REVISION_WINDOW_MONTHS", 0) if window else None,
                    limits=limits, gate_thresholds=thresholds,
                    postgres=Postgres(host=env.get("CHANJIAO_PG_HOST", "127.0.0.1"), port=_whole(env, "CHANJIAO_PG_PORT", 5432, 1),
                                      user=env.get("CHANJIAO_PG_USER", "postgres"), password=env.get("CHANJIAO_PG_PASSWORD", ""),
                                      dbname=env.get("CHANJIAO_PG_DATABASE", "chanjiao")),
                    task_retries=_whole(env, "CHANJIAO_TASK_RETRIES", 0) if env.get("CHANJIAO_TASK_RETRIES") else None,
                    ingest_chunk_files=_whole(env, "CHANJIAO_INGEST_CHUNK_FILES", 100, 1),
                    landing_settle_seconds=_whole(env, "CHANJIAO_LANDING_SETTLE_SECONDS", 120),
                    deadline_poke_seconds=_whole(env, "CHANJIAO_DEADLINE_POKE_SECONDS", 600, 1),
                    small_cell_units=_whole(env, "CHANJIAO_SMALL_CELL_UNITS", 3, 1),
                    dbt_parse_cache=_parse_cache(env), as_of_cache=_cache(env, "CHANJIAO_AS_OF_CACHE", "as-of"))


def _parse_cache(env: Mapping[str, str]) -> Path | None:
    return _cache(env, "CHANJIAO_DBT_PARSE_CACHE", "dbt")


def _cache(env: Mapping[str, str], name: str, folder: str) -> Path | None:
    """`name` if set (empty: none), else $XDG_CACHE_HOME/chanjiao/`folder` (or ~/.cache/chanjiao/`folder`)."""
    if name in env:
        text = env[name].strip()
        return Path(text).expanduser().resolve() if text else None
    base = env.get("XDG_CACHE_HOME") or (str(Path(env["HOME"]) / ".cache") if env.get("HOME") else "")
    return Path(base) / "chanjiao" / folder if base else None


def prepare_process() -> None:
    """Process-wide switches set before anything heavy is imported: Great Expectations' usage
    statistics stay off (a statistics office's machine does not phone home)."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
