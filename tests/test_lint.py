"""The house's lint, checked: `ruff check .` under ruff.toml (pycodestyle, pyflakes, import order, bugbear,
pyupgrade, Airflow's rules, bandit) finds nothing."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from chanjiao.settings import REPO_ROOT

RUFF = Path(sys.executable).with_name("ruff")


def test_ruff_finds_nothing():
    result = subprocess.run([str(RUFF), "check", ".", "--output-format", "concise"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
