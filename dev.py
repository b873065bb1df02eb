#!/usr/bin/env python3
"""Bootstrap and run chanjiao: `python3 dev.py demo` or `python3 dev.py test [--fast] [pytest args]`.

`dev.py test` is the full suite, as CI runs it; `dev.py test --fast` leaves out the tests that need
Airflow, PostgreSQL or a browser (markers in pyproject.toml). Both run on every CPU (pytest-xdist)
unless the arguments choose otherwise (`-n 0` runs in one process).

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


# What each command installs: the demo runs the cycle through the DAGs, so it needs the Airflow extra;
# the tests need the dev group on top. Deployments choose their own set (see deploy/Dockerfile).
SYNC = {
    "demo": ["--extra", "airflow", "--no-dev"],
    "test": ["--extra", "airflow"],
}


def ensure_venv(command: str) -> None:
    if not ((3, 11) <= sys.version_info[:2] < (3, 14)):
        sys.exit(f"chanjiao needs Python 3.11–3.13; this is {sys.version.split()[0]}")
    lock_hash = hashlib.sha256((ROOT / "uv.lock").read_bytes() + (ROOT / "pyproject.toml").read_bytes()).hexdigest()
    # the test set includes the demo's, so a venv ready for the tests is ready for the demo
    ready = STAMP.read_text().split() if STAMP.exists() else []
    if ready[:1] == [lock_hash] and (command in ready[1:] or "test" in ready[1:]):
        return
    started = time.monotonic()
    print("dev.py: installing the locked environment into .venv (first use or lock changed)…", file=sys.stderr)
    if not (BIN / "python").exists():
        venv.EnvBuilder(with_pip=True).create(VENV)
    if not (BIN / "uv").exists():
        subprocess.run([BIN / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check", f"uv=={UV_VERSION}"], check=True)
    env = {**os.environ, "UV_PROJECT_ENVIRONMENT": str(VENV)}
    # --inexact: installing the demo's set after the tests' must not uninstall the dev group
    subprocess.run([BIN / "uv", "sync", "--frozen", "--inexact", *SYNC[command], "--python", BIN / "python"], cwd=ROOT, env=env, check=True)
    STAMP.write_text(" ".join([lock_hash, *(ready[1:] if ready[:1] == [lock_hash] else []), command]))
    print(f"dev.py: environment ready in {time.monotonic() - started:.0f} s", file=sys.stderr)


# `--fast`: everything that needs no Airflow, PostgreSQL or browser (the markers conftest.py applies),
# without the fault-injection campaign: it alone is 7 minutes of one worker, and it runs in the full suite
FAST_LANE = "not airflow and not postgres and not browser and not campaign"


def pytest_args(args: list[str]) -> list[str]:
    """The pytest command line for `dev.py test`: the lane, then xdist unless the caller chose."""
    fast = "--fast" in args
    args = [a for a in args if a != "--fast"]
    if fast:
        # an -m of the caller's narrows the fast lane, it does not widen it
        for i, arg in enumerate(args):
            if arg == "-m" and i + 1 < len(args):
                args[i + 1] = f"({FAST_LANE}) and ({args[i + 1]})"
                break
            if arg.startswith("-m") and len(arg) > 2:
                args[i] = f"-m({FAST_LANE}) and ({arg[2:]})"
                break
        else:
            args = ["-m", FAST_LANE, *args]
    chose = any(a in ("-n", "--numprocesses", "--dist", "no:xdist") or a.startswith(("--numprocesses=", "--dist="))
                or (a.startswith("-n") and not a.startswith("--")) for a in args)
    if not chose:
        # one worker per CPU; conftest.py puts each test module (or the modules sharing a session fixture)
        # in one xdist group, so module and session fixtures are built once per run, heaviest groups first
        args = ["-n", "auto", "--dist", "loadgroup", "--no-loadscope-reorder", *args]
    return args


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in ("demo", "test"):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    command, rest = sys.argv[1], sys.argv[2:]
    ensure_venv(command)
    if command == "demo":
        return subprocess.run([BIN / "chanjiao", "demo", *rest], cwd=ROOT).returncode
    return subprocess.run([BIN / "python", "-m", "pytest", *pytest_args(rest)], cwd=ROOT).returncode


if __name__ == "__main__":
    sys.exit(main())
