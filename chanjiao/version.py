"""The code version stamped on loads and releases."""
from __future__ import annotations

import functools
import subprocess

from chanjiao.settings import REPO_ROOT


@functools.cache
def code_version() -> str:
    """The git commit of the checkout (with `-dirty` for uncommitted changes), else the package version."""
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO_ROOT, capture_output=True, text=True, check=True).stdout.strip()
        return head + ("-dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        from importlib.metadata import version

        return "chanjiao-" + version("chanjiao")
