"""dbt's parse of the project is kept between homes (Settings.dbt_parse_cache): a new home's first build
starts from it, and a damaged cache costs a full parse, never a failed build."""
from __future__ import annotations

from pathlib import Path

import pytest

from chanjiao.app.home import init
from chanjiao.build import generate_docs_site
from chanjiao.settings import Settings
from tests.conftest import PII_KEY

pytestmark = pytest.mark.dbt


def _dbt_log(settings: Settings) -> str:
    return (settings.dbt_target_dir / "logs" / "dbt.log").read_text(encoding="utf-8")


def _home(tmp_path: Path, name: str, cache: Path) -> Settings:
    settings = Settings(home=tmp_path / name, pii_key=PII_KEY.encode(), dbt_parse_cache=cache)
    init(settings)
    return settings


def test_a_new_home_parses_from_the_cache_and_a_damaged_cache_is_parsed_again(tmp_path):
    cache = tmp_path / "cache"
    first = _home(tmp_path, "first", cache)
    generate_docs_site(first)  # the session's first step is the parse every dbt command starts with
    assert "Starting full parse" in _dbt_log(first)
    [cached] = cache.rglob("partial_parse.msgpack")
    assert cached.read_bytes() == (first.dbt_target_dir / "partial_parse.msgpack").read_bytes()

    second = _home(tmp_path, "second", cache)
    generate_docs_site(second)
    log = _dbt_log(second)
    assert "Starting full parse" not in log and "Partial parsing enabled" in log, log[-3000:]

    cached.write_bytes(cached.read_bytes()[:5000])  # cut short, as by a full disk
    third = _home(tmp_path, "third", cache)
    assert generate_docs_site(third).is_file()
    assert "Failed to load parsed file" in _dbt_log(third)
    assert cached.read_bytes() == (third.dbt_target_dir / "partial_parse.msgpack").read_bytes()  # whole again
