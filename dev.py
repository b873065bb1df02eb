#!/usr/bin/env python3
"""Bootstrap and run chanjiao: `python3 dev.py demo` or `python3 dev.py test [pytest args]`.

Needs only Python 3.11+. On first use (or when uv.lock changes) it creates .venv and installs
exactly what uv.lock pins, with the uv version the lock was made with.
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / "bin"
UV_VERSION = "0.13.8"  # keep equal to the uv pin in pyproject.toml's dev group
STAMP = VENV / ".uv.lock.sha256"


def ensure_venv() -> None:
    if not ((3, 11) <= sys.version_info[:2] < (3, 14)):
        sys.exit(f"chanjiao needs Python 3.11–3.13; this is {sys.version.split()[0]}")
    lock_hash = hashlib.sha256((ROOT / "uv.lock").read_bytes() + (ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == lock_hash:
        return
    started = time.monotonic()
    print("dev.py: installing the locked environment into .venv (first use or lock changed)…", file=sys.stderr)
    if not (BIN / "python").exists():
        venv.EnvBuilder(with_pip=True).create(VENV)
    if not (BIN / "uv").exists():
        subprocess.run([BIN / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check", f"uv=={UV_VERSION}"], check=True)
    env = {**os.environ, "UV_PROJECT_ENVIRONMENT": str(VENV)}
    subprocess.run([BIN / "uv", "sync", "--frozen", "--python", BIN / "python"], cwd=ROOT, env=env, check=True)
    STAMP.write_text(lock_hash)
    print(f"dev.py: environment ready in {time.monotonic() - started:.0f} s", file=sys.stderr)


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in ("demo", "test"):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    ensure_venv()
    command, rest = sys.argv[1], sys.argv[2:]
    if command == "demo":
        return subprocess.run([BIN / "chanjiao", "demo", *rest], cwd=ROOT).returncode
    return subprocess.run([BIN / "python", "-m", "pytest", *rest], cwd=ROOT).returncode


if __name__ == "__main__":
    sys.exit(main())
