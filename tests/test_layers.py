"""The house's shape, checked: imports run one way down the layers (import-linter's contracts in
.importlinter), and the environment is read by chanjiao.settings alone."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from chanjiao.settings import REPO_ROOT

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
PACKAGES = ("chanjiao", "ingestion", "expectations", "dags")


def test_import_contracts_are_kept():
    result = subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert re.search(r"Contracts: (\d+) kept, 0 broken", result.stdout)


def test_a_back_arrow_is_caught(tmp_path):
    """The contracts can fail: the same check over a copy of the packages with one import pointing up."""
    import shutil

    for name in ("chanjiao", "ingestion", "expectations"):
        shutil.copytree(REPO_ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO_ROOT / ".importlinter", tmp_path / ".importlinter")
    reader = tmp_path / "ingestion" / "period.py"
    reader.write_text(reader.read_text(encoding="utf-8") + "\nfrom chanjiao import settings  # noqa: E402\n", encoding="utf-8")
    result = subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=tmp_path, capture_output=True, text=True, timeout=300,
                            env={"PYTHONPATH": str(tmp_path), "PATH": str(LINT_IMPORTS.parent)})
    assert result.returncode != 0 and "ingestion.period -> chanjiao.settings" in result.stdout, result.stdout[-3000:]


def test_only_settings_reads_the_environment():
    readers = sorted(str(path.relative_to(REPO_ROOT)) for name in PACKAGES for path in (REPO_ROOT / name).rglob("*.py")
                     if re.search(r"\bos\.(environ|getenv)\b", path.read_text(encoding="utf-8")))
    assert readers == ["chanjiao/settings.py"]
