"""Issue #15, hardened for a statistics office: each test runs the real CLI on a real home."""
from __future__ import annotations

from pathlib import Path

from tests.conftest import run_cli

PERIOD = "2026-10"


def unidentifiable(path: Path, text: str = "a,b\n1,2\n") -> Path:
    """A CSV whose header matches no template: read, but of no known kind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# --- 6. status with a file of no known kind ----------------------------------------------------------

def test_status_lists_an_unidentifiable_file_in_text_and_json(tmp_path):
    home = tmp_path / "home"
    junk = unidentifiable(tmp_path / "inbox" / "junk.csv")
    ingested = run_cli(home, "ingest", str(junk), "--period", PERIOD, "--json")
    assert ingested.returncode == 3 and ingested.data[0]["kind"] is None, ingested.stderr[-2000:]

    text = run_cli(home, "status", "--period", PERIOD)
    assert text.returncode == 0, text.stderr[-2000:]
    assert "Traceback" not in text.stderr
    assert "无法识别 unidentified: junk.csv (rejected)" in text.stdout

    data = run_cli(home, "status", "--period", PERIOD, "--json")
    assert data.returncode == 0, data.stderr[-2000:]
    assert data.data["unidentified_files"] == [{"file": "junk.csv", "status": "rejected"}]
    assert data.data["submitters"] == []  # a file of no kind is nobody's submission: listed once, as unidentified
