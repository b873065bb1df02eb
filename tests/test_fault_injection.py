"""Fault injection across the commands that write: `kill -9` of ingest, build, publish and backup at
moments spread over each one's run, and a full disk (RLIMIT_FSIZE: the first write past the limit fails
with EFBIG, as on a full disk) at sizes spread over what each one writes.

After every fault the home is checked, then the command is run again:
- no process of the killed command is left (dbt, the reader workers: nothing started for this home);
- nothing lost or half-written: the ledger holds all of a load or none of it, every archived file is
  named by the sha256 of its bytes, every published version holds exactly the files its manifest hashes,
  the marts copy opens, every check report is a whole page, a backup folder is whole or absent;
- a full disk ends with one line and exit 1, never a traceback;
- the command run again succeeds and gives what it gives without a fault.

`pytest -rP` (or `-s` without xdist) prints how many injection points were tried. Each point is a fresh copy of a prepared home.
"""
from __future__ import annotations

import hashlib
import json
import os
import resource
import shutil
import signal
import subprocess
import time
from pathlib import Path

import duckdb
import pytest

from tests.conftest import CLI, PII_KEY, run_cli

pytestmark = [pytest.mark.dbt, pytest.mark.campaign]

PERIOD = "2026-10"
KILLS = 5                                    # kill moments per command, spread over its run
# bytes, ×8 apart: the first write larger than each fails (a lock or JSON file, a report, a workbook, dbt's
# artifacts, the DuckDB files)
DISK_LIMITS = (1_000, 8_000, 64_000, 512_000, 4_000_000)
TRIED: dict[str, int] = {}
BASELINE: dict[str, tuple[dict, float]] = {}


def _env(home: Path) -> dict[str, str]:
    return {**os.environ, "CHANJIAO_HOME": str(home), "CHANJIAO_PII_KEY": PII_KEY}


def _start(home: Path, args: list[str], limit: int | None = None) -> subprocess.Popen:
    def limited():
        if limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return subprocess.Popen([str(CLI), *args], env=_env(home), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=limited)


def _processes_of(home: Path) -> list[str]:
    """Live processes started for this home (they carry CHANJIAO_HOME in their environment)."""
    marker = f"CHANJIAO_HOME={home}".encode() + b"\0"
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if marker in Path(f"/proc/{pid}/environ").read_bytes() and Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z":
                found.append(Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")[:200])
        except OSError:
            continue
    return found


def _no_process_left(home: Path) -> None:
    deadline = time.monotonic() + 15
    while (left := _processes_of(home)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert left == [], left


def _whole(home: Path) -> dict:
    """The home checked for anything lost or half-written; returns what it holds, to compare runs."""
    state = {"loads": 0, "rows": 0, "versions": [], "marts": False}
    if (home / "warehouse.duckdb").exists():
        with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
            # accepted loads: a file killed between its commit and leaving landing is a duplicate when run again
            state["loads"] = con.execute("select count(*) from raw.loads where status = 'accepted'").fetchone()[0]
            recorded = con.execute("select coalesce(sum(row_count), 0) from raw.loads where status = 'accepted'").fetchone()[0]
            state["rows"] = con.execute("select count(*) from raw.teachers").fetchone()[0]
            if recorded:  # an accepted load's rows are all there: the school workbook's teachers among them
                assert state["rows"] > 0
    for path in (home / "archive").rglob("*") if (home / "archive").exists() else []:
        if path.is_file() and not path.name.startswith("."):
            assert path.stem == hashlib.sha256(path.read_bytes()).hexdigest(), f"half-written archive file {path}"
    for manifest in sorted((home / "publications").glob("*/v*/manifest.json")):
        version = manifest.parent
        listed = json.loads(manifest.read_text(encoding="utf-8"))["files"]
        present = {p.relative_to(version).as_posix() for p in version.rglob("*") if p.is_file()} - {"manifest.json"}
        assert present == set(listed), f"{version}: files {sorted(present ^ set(listed))} differ from its manifest"
        for name, digest in listed.items():
            assert hashlib.sha256((version / name).read_bytes()).hexdigest() == digest, f"half-written {version / name}"
        state["versions"].append(version.name)
    assert not [p for p in (home / "publications").glob("*/*") if p.is_dir() and not (p / "manifest.json").exists()
                and p.name.startswith("v") and p.name[1:].isdigit()], "a version folder without its manifest"
    if (home / "marts.duckdb").exists():
        with duckdb.connect(str(home / "marts.duckdb"), read_only=True) as con:
            con.execute("select count(*) from marts.dim_indicator").fetchone()
        state["marts"] = True
    for report in (home / "reports").rglob("*.html") if (home / "reports").exists() else []:
        assert report.read_text(encoding="utf-8").rstrip().endswith("</html>"), f"half-written report {report}"
    return state


def _backup_whole_or_absent(dest: Path) -> None:
    if not dest.exists():
        return
    listed = json.loads((dest / "manifest.json").read_text(encoding="utf-8"))["files"]
    for rel, entry in listed.items():
        path = dest / "home" / rel
        assert path.is_symlink() or hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"], f"half-written backup file {rel}"


# --- the prepared homes: each command's starting point --------------------------------------------

@pytest.fixture(scope="module")
def prepared(tmp_path_factory) -> dict[str, Path]:
    """Before ingest (a school's workbook in landing), before build, before publish, before backup."""
    from ingestion.registry import kinds
    from ingestion.templates import write_workbook
    from tests.expectations.test_batch_rules import school

    root = tmp_path_factory.mktemp("prepared")
    homes = {}
    home = root / "ingest"
    assert run_cli(home, "init").returncode == 0
    write_workbook(kinds()["school_workbook"], home / "landing" / "school.xlsx", school("4141062201", PERIOD, 300))
    homes["ingest"] = _copy(home, root / "ingest-ready")
    assert run_cli(home, "ingest", str(home / "landing"), "--period", PERIOD).returncode == 0
    homes["build"] = _copy(home, root / "build-ready")
    assert run_cli(home, "build").returncode == 0
    homes["publish"] = _copy(home, root / "publish-ready")
    assert run_cli(home, "publish", "--period", PERIOD).returncode == 0
    homes["backup"] = _copy(home, root / "backup-ready")
    return homes


def _copy(home: Path, to: Path) -> Path:
    shutil.copytree(home, to, symlinks=True)
    for lock in to.glob("*.lock"):
        lock.unlink()
    return to


def _args(command: str, home: Path) -> list[str]:
    return {"ingest": ["ingest", str(home / "landing"), "--period", PERIOD], "build": ["build"],
            "publish": ["publish", "--period", PERIOD], "backup": ["backup", str(home.parent / f"{home.name}-backup")]}[command]


def _finish(command: str, home: Path) -> dict:
    """Run the command again, without a fault: it succeeds, with no traceback; the state it leaves. (A
    backup finished before the kill is checked instead: a backup never writes over one.)"""
    if command == "backup" and (home.parent / f"{home.name}-backup").exists():
        _backup_whole_or_absent(home.parent / f"{home.name}-backup")
        return _whole(home)
    again = run_cli(home, *_args(command, home))
    assert again.returncode in (0, 3) and "Traceback" not in again.stderr, again.stderr[-3000:]
    if command == "backup":
        _backup_whole_or_absent(home.parent / f"{home.name}-backup")
    return _whole(home)


def _baseline(prepared: dict[str, Path], command: str, tmp_path: Path) -> tuple[dict, float]:
    """What the command leaves without a fault, and how long it takes (once per command: the module's
    tests share the prepared homes, so they run on one worker)."""
    if command not in BASELINE:
        started = time.monotonic()
        expected = _finish(command, _copy(prepared[command], tmp_path / "clean"))
        BASELINE[command] = (expected, time.monotonic() - started)
    return BASELINE[command]


def _after_the_fault(command: str, home: Path, expected: dict, fault: str) -> None:
    """No process left, nothing lost or half-written, and the command run again ends as without the fault."""
    _no_process_left(home)
    _whole(home)
    if command == "backup":
        _backup_whole_or_absent(home.parent / f"{home.name}-backup")
    assert _finish(command, home) == expected
    TRIED[f"{fault} {command}"] = TRIED.get(f"{fault} {command}", 0) + 1


@pytest.mark.parametrize("command", ["ingest", "build", "publish", "backup"])
def test_kill_9_at_any_moment_loses_nothing_and_leaves_no_process(prepared, command, tmp_path):
    expected, duration = _baseline(prepared, command, tmp_path)
    for k in range(1, KILLS + 1):
        home = _copy(prepared[command], tmp_path / f"killed-{k}")
        proc = _start(home, _args(command, home))
        time.sleep(duration * k / (KILLS + 1))
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
        _after_the_fault(command, home, expected, "kill -9")
    print(f"[fault injection] kill -9 {command}: {KILLS} moments over its {duration:.1f} s run, 0 lost or half-written files, "
          f"0 processes left, the run again as without a fault")


@pytest.mark.parametrize("command", ["ingest", "build", "publish", "backup"])
def test_a_full_disk_at_any_write_is_one_line_and_loses_nothing(prepared, command, tmp_path):
    expected, _ = _baseline(prepared, command, tmp_path)
    reached = 0
    for limit in DISK_LIMITS:
        home = _copy(prepared[command], tmp_path / f"full-{limit}")
        proc = _start(home, _args(command, home), limit=limit)
        out, err = proc.communicate(timeout=600)
        assert "Traceback" not in err, err[-3000:]
        if proc.returncode not in (0, 3):  # the limit was reached: one line saying so
            reached += 1
            assert proc.returncode == 1, err[-3000:]
            ours = [line for line in err.splitlines() if line.startswith("chanjiao ")]
            assert len(ours) == 1 and ours[0].startswith(f"chanjiao {command}: "), err[-3000:]
        _after_the_fault(command, home, expected, "full disk")
    assert reached >= 2  # the sizes are not all past what the command writes: faults did happen
    print(f"[fault injection] full disk {command}: {len(DISK_LIMITS)} limits, {reached} of them reached by a write; 0 tracebacks, "
          f"0 lost or half-written files, the run again as without a fault")


def teardown_module(module):
    if TRIED:
        print(f"\n[fault injection] {sum(TRIED.values())} injection points tried, each left the home whole with no process "
              f"and no traceback: " + ", ".join(f"{k} {n}" for k, n in sorted(TRIED.items())))
