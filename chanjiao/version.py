"""The code version stamped on loads and releases."""
from __future__ import annotations

import functools
import shutil
import subprocess

from chanjiao.settings import REPO_ROOT


@functools.cache
def code_version() -> str:
    """The git commit of the checkout (with `-dirty` for uncommitted changes), else the package version."""
    git = shutil.which("git")  # an absolute path, from PATH: no git installed is the package version too
    if git is not None:
        try:
            head = subprocess.run([git, "rev-parse", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True, check=True).stdout.strip()
            dirty = subprocess.run([git, "status", "--porcelain", "--untracked-files=no"], cwd=REPO_ROOT,
                                   capture_output=True, text=True, check=True).stdout.strip()
            return head + ("-dirty" if dirty else "")
        except (OSError, subprocess.CalledProcessError):
            pass  # not a checkout (an installed package), or git failed: fall back below
    from importlib.metadata import version

    return "chanjiao-" + version("chanjiao")
