"""Issue #15, hardened for a statistics office: each test runs the real CLI on a real home."""
from __future__ import annotations

import fcntl
import hashlib
import json
import os
import resource
import shutil
import signal
import stat
import subprocess
import time
from pathlib import Path

import duckdb
import pytest

from tests.conftest import CLI, PII_KEY, run_cli
from tests.faults import ROOT, ingest_command, ingest_env
from tests.ingestion.test_safety import good

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
    assert "无法识别的文件：junk.csv（被退回）" in text.stdout

    data = run_cli(home, "status", "--period", PERIOD, "--json")
    assert data.returncode == 0, data.stderr[-2000:]
    assert data.data["unidentified_files"] == [{"file": "junk.csv", "status": "rejected"}]
    assert data.data["submitters"] == []  # a file of no kind is nobody's submission: listed once, as unidentified


# --- 8. two ingests of one landing folder; query limits; unknown codes ---------------------------------

def _lock_waiters(lock: Path) -> int:
    """Processes waiting for the flock on `lock` (Linux /proc/locks: blocked requests are marked '->')."""
    inode = lock.stat().st_ino
    return sum(1 for line in Path("/proc/locks").read_text().splitlines()
               if "->" in line and line.split()[-3].rsplit(":", 1)[-1] == str(inode))


def test_two_ingests_of_one_landing_folder_both_finish_and_take_each_file_once(tmp_path):
    home = tmp_path / "home"
    assert run_cli(home, "init").returncode == 0
    landing = home / "landing"
    names = [good(landing / f"register{i}.xlsx", n=2, serial=10 * i).name for i in range(3)]
    lock = home / "warehouse.lock"
    env = {**os.environ, "CHANJIAO_HOME": str(home), "CHANJIAO_PII_KEY": PII_KEY}
    with open(lock, "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # both runs start while a third holds the warehouse
        runs = [subprocess.Popen([str(CLI), "ingest", str(landing), "--period", PERIOD, "--json"], env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
        deadline = time.monotonic() + 60
        while _lock_waiters(lock) < 2:
            assert all(r.poll() is None for r in runs), [r.communicate() for r in runs]
            assert time.monotonic() < deadline, "the two ingests never reached the writer lock"
            time.sleep(0.1)
        fcntl.flock(held, fcntl.LOCK_UN)
    results = [r.communicate(timeout=300) + (r.returncode,) for r in runs]
    assert [code for _, _, code in results] == [0, 0], [err[-2000:] for _, err, _ in results]
    assert all("Traceback" not in err for _, err, _ in results)
    outcomes = [o for out, _, _ in results if out.strip().startswith("[") for o in json.loads(out)]
    assert sorted(o["file"] for o in outcomes) == sorted(names)  # each file once, by one of the two
    assert {o["status"] for o in outcomes} == {"accepted"}
    assert not list(landing.iterdir())
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from raw.loads").fetchone()[0] == 3


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """A home built with nothing loaded: the marts hold the region and indicator dimensions."""
    home = tmp_path_factory.mktemp("built") / "home"
    result = run_cli(home, "build")
    assert result.returncode == 0, result.stderr[-3000:]
    return home


def test_query_stops_at_its_time_limit(built, monkeypatch):
    monkeypatch.setenv("CHANJIAO_QUERY_TIMEOUT_SECONDS", "1")
    started = time.monotonic()
    slow = run_cli(built, "query", "select sum(a.range * b.range) from range(1000000) a, range(1000000) b")
    assert slow.returncode == 1 and time.monotonic() - started < 30
    assert slow.stderr.strip().splitlines() == [
        "chanjiao query: query stopped after 1 s, the time limit (CHANJIAO_QUERY_TIMEOUT_SECONDS): narrow it, or raise the limit"]
    quick = run_cli(built, "query", "select count(*) as n from marts.dim_indicator")
    assert quick.returncode == 0 and quick.stdout.startswith("n\n")


def test_query_stops_at_its_memory_limit(built, monkeypatch):
    sql = "select len(list(range)) as n from range(5000000)"  # 40 MB of list that cannot spill to disk
    assert run_cli(built, "query", sql).stdout == "n\n5000000\n"  # within the default limit
    monkeypatch.setenv("CHANJIAO_QUERY_MEMORY_LIMIT", "20MB")
    capped = run_cli(built, "query", sql)
    assert capped.returncode == 1, capped.stdout
    assert len(capped.stderr.strip().splitlines()) == 1
    assert capped.stderr.startswith("chanjiao query: query needs more than the memory limit of 20MB (CHANJIAO_QUERY_MEMORY_LIMIT)")
    monkeypatch.setenv("CHANJIAO_QUERY_MEMORY_LIMIT", "lots")
    wrong = run_cli(built, "query", "select 1")
    assert (wrong.returncode, wrong.stderr.strip()) == (1, "chanjiao query: CHANJIAO_QUERY_MEMORY_LIMIT must be a size such as 512MB or 2GB, not 'lots'")


@pytest.mark.parametrize("option, code", [("--region", "999999"), ("--indicator", "no_such_indicator")])
def test_indicators_with_an_unknown_code_fails_naming_it(built, option, code):
    result = run_cli(built, "indicators", "--period", PERIOD, option, code, "--json")
    assert result.returncode == 1 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("chanjiao indicators: unknown") and repr(code) in lines[0]


def test_indicators_for_a_known_region_without_data_still_succeeds(built):
    result = run_cli(built, "indicators", "--period", PERIOD, "--region", "410600", "--indicator", "dual_teacher_ratio")
    assert (result.returncode, result.stdout.strip()) == (0, f"no indicator values for {PERIOD}")


# --- 5. one clear line instead of a traceback ---------------------------------------------------------

@pytest.mark.parametrize("sql", ["", "-- c", ";", "  ;; "])
def test_query_without_a_statement_says_so(built, sql):
    result = run_cli(built, "query", sql)
    assert result.returncode == 1, result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("chanjiao query: no SQL statement"), result.stderr[-2000:]


# --- 7. identical bytes in one batch -----------------------------------------------------------------

def test_a_copy_of_a_rejected_file_in_the_same_batch_is_rejected_too(tmp_path):
    home = tmp_path / "home"
    landing = home / "landing"
    junk = unidentifiable(landing / "junk.csv")
    (landing / "junk-copy.csv").write_bytes(junk.read_bytes())
    accepted = good(landing / "register.xlsx", n=2)
    (landing / "register-again.xlsx").write_bytes(accepted.read_bytes())
    result = run_cli(home, "ingest", str(landing), "--period", PERIOD, "--json")
    assert result.returncode == 3, result.stderr[-2000:]
    by_file = {o["file"]: o for o in result.data}
    assert {f: o["status"] for f, o in by_file.items()} == {
        "junk.csv": "rejected", "junk-copy.csv": "rejected", "register.xlsx": "accepted", "register-again.xlsx": "duplicate"}
    assert by_file["junk-copy.csv"]["reasons"] == by_file["junk.csv"]["reasons"] != []
    assert by_file["register-again.xlsx"]["reasons"] == [] and by_file["register-again.xlsx"]["rows"] == 0
    folder = home / "quarantine" / PERIOD / by_file["junk.csv"]["sha256"]
    assert (folder / "junk.csv").exists() and (folder / "junk-copy.csv").exists() and (folder / "退回说明.xlsx").exists()
    assert not list(landing.iterdir())  # every outcome committed: nothing is left to be taken again
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        assert sorted(con.execute("select file_name, status from raw.loads").fetchall()) == [
            ("junk-copy.csv", "rejected"), ("junk.csv", "rejected"), ("register-again.xlsx", "duplicate"), ("register.xlsx", "accepted")]
        assert con.execute("select count(*) from raw.above_scale_enterprises").fetchone()[0] == 2


def test_chanjiao_home_pointing_at_a_file_says_so(tmp_path):
    not_a_folder = tmp_path / "home"
    not_a_folder.write_text("oops")
    for args in (("init",), ("status", "--period", PERIOD), ("ingest", str(not_a_folder))):
        result = run_cli(not_a_folder, *args)
        assert result.returncode == 1, result.stderr[-2000:]
        assert result.stderr.strip().splitlines() == [
            f"chanjiao {args[0]}: CHANJIAO_HOME is {not_a_folder}, which is a file, not a folder: "
            "point CHANJIAO_HOME at a folder (it is created if missing)"]
    assert not_a_folder.read_text() == "oops"


def _limited(limit: int):
    """A file-size limit for the child, as a full disk would: writes past it fail with EFBIG."""
    def preexec():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return preexec


def _cli(home: Path, *args: str, limit: int) -> subprocess.CompletedProcess:
    env = {**os.environ, "CHANJIAO_HOME": str(home), "CHANJIAO_PII_KEY": PII_KEY}
    return subprocess.run([str(CLI), *args], env=env, capture_output=True, text=True, timeout=600, preexec_fn=_limited(limit))


def _one_failure_line(result: subprocess.CompletedProcess, command: str) -> str:
    assert result.returncode == 1, result.stdout + result.stderr[-3000:]
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    ours = [line for line in result.stderr.splitlines() if line.startswith("chanjiao ")]
    assert len(ours) == 1 and ours[0].startswith(f"chanjiao {command}: "), result.stderr[-3000:]
    return ours[0]


def test_a_full_disk_during_the_archive_copy_is_one_line_and_leaves_nothing_half_copied(tmp_path):
    home = tmp_path / "home"
    assert run_cli(home, "init").returncode == 0
    waiting = good(home / "landing" / "register.xlsx", n=200)
    content = waiting.read_bytes()
    limit = waiting.stat().st_size // 2  # the archive copy is the first thing ingest writes
    line = _one_failure_line(_cli(home, "ingest", str(home / "landing"), "--period", PERIOD, limit=limit), "ingest")
    assert "File too large" in line and "disk" in line
    assert [p for p in (home / "archive").rglob("*") if p.is_file()] == []  # no truncated copy, no .part
    assert waiting.exists()
    retried = run_cli(home, "ingest", str(home / "landing"), "--period", PERIOD, "--json")
    assert retried.returncode == 0 and [o["status"] for o in retried.data] == ["accepted"]
    archived = [p for p in (home / "archive").rglob("*") if p.is_file()]
    assert len(archived) == 1 and archived[0].read_bytes() == content


def test_a_report_lost_to_a_full_disk_is_written_whole_by_the_next_run(tmp_path):
    """The report is written after the load commits: when the disk fills there, the file stays in landing
    and the next run, finding its bytes already accepted, writes the missing report (whole, or not at all)."""
    home = tmp_path / "home"
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    first = run_cli(home, "ingest", str(good(inbox / "register.xlsx", n=40)), "--period", PERIOD, "--json")
    assert first.returncode == 0
    report = home / "reports" / PERIOD / f"{first.data[0]['load_id']}.html"
    whole = report.read_bytes()
    report.unlink()  # as a full disk after the commit leaves it
    again = home / "landing" / "register.xlsx"
    again.write_bytes((inbox / "register.xlsx").read_bytes())  # the same bytes, still in landing
    line = _one_failure_line(_cli(home, "ingest", str(home / "landing"), "--period", PERIOD, limit=len(whole) // 2), "ingest")
    assert "File too large" in line
    assert list(report.parent.iterdir()) == []  # no truncated report, no temporary file
    assert again.exists()
    retried = run_cli(home, "ingest", str(home / "landing"), "--period", PERIOD, "--json")
    assert retried.returncode == 0 and [o["status"] for o in retried.data] == ["duplicate"]
    assert report.read_bytes() == whole and not again.exists()


@pytest.fixture(scope="module")
def school_home(tmp_path_factory) -> Path:
    """One school's October workbook accepted and built: enough to publish."""
    from ingestion.registry import kinds
    from ingestion.templates import write_workbook
    from tests.expectations.test_batch_rules import school

    root = tmp_path_factory.mktemp("school")
    path = write_workbook(kinds()["school_workbook"], root / "school.xlsx", school("4141062201", PERIOD, 6))
    home = root / "home"
    assert run_cli(home, "ingest", str(path), "--period", PERIOD).returncode == 0
    built = run_cli(home, "build")
    assert built.returncode == 0, built.stderr[-3000:]
    return home


def copy_of(home: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "home"
    shutil.copytree(home, copy, symlinks=True)
    return copy


def test_a_full_disk_during_publish_is_one_line_and_leaves_no_version(school_home, tmp_path):
    home = copy_of(school_home, tmp_path)
    # csv files fit under 8 kB, the workbook does not
    line = _one_failure_line(_cli(home, "publish", "--period", PERIOD, limit=8000), "publish")
    assert "File too large" in line
    assert list((home / "publications" / PERIOD).iterdir()) == []
    published = run_cli(home, "publish", "--period", PERIOD, "--json")
    assert published.returncode == 0 and published.data["version"] == "v1", published.stderr[-2000:]


# --- 2. links and other non-regular entries in landing ----------------------------------------------

def test_links_pipes_and_linked_folders_in_landing_are_refused_unread_and_reported_once(tmp_path):
    home = tmp_path / "home"
    assert run_cli(home, "init").returncode == 0
    landing = home / "landing"
    secret = tmp_path / "elsewhere" / "secret.csv"
    secret.parent.mkdir()
    secret.write_bytes(b"uscc,name\nSECRET-BYTES-NEVER-COPIED,x\n")
    (landing / "x.csv").symlink_to(secret)
    (landing / "gone.xlsx").symlink_to(tmp_path / "nothing-here.xlsx")
    (landing / "folder").symlink_to(secret.parent, target_is_directory=True)
    os.mkfifo(landing / "pipe.csv")
    good(landing / "register.xlsx", n=2)
    result = run_cli(home, "ingest", str(landing), "--period", PERIOD, "--json")
    assert result.returncode == 3, result.stderr[-2000:]
    by_file = {o["file"]: o for o in result.data}
    assert {f: o["status"] for f, o in by_file.items()} == {
        "x.csv": "rejected", "gone.xlsx": "rejected", "folder": "rejected", "pipe.csv": "rejected", "register.xlsx": "accepted"}
    for name, what in (("x.csv", "symbolic link"), ("gone.xlsx", "symbolic link"), ("folder", "symbolic link"), ("pipe.csv", "named pipe")):
        (reason,) = by_file[name]["reasons"]
        assert reason["rule"] == "not_regular_file"
        assert f"{name} is a {what}, not a regular file" in reason["message"] and "不是普通文件" in reason["message"]
    # nothing of what the link points at was copied anywhere under the home
    for f in home.rglob("*"):
        if f.is_file() and not f.is_symlink():
            assert b"SECRET-BYTES-NEVER-COPIED" not in f.read_bytes(), f
    assert secret.read_bytes().startswith(b"uscc")  # the target is untouched
    # the links themselves (not their targets) moved into quarantine: landing is empty, the next run finds nothing
    assert list(landing.iterdir()) == []
    moved = {p.name: p for p in (home / "quarantine" / PERIOD / "not-regular").rglob("*") if p.name != "reasons.json" and p.parent.parent.name == "not-regular"}
    assert moved["x.csv"].is_symlink() and os.readlink(moved["x.csv"]) == str(secret)
    again = run_cli(home, "ingest", str(landing), "--period", PERIOD, "--json")
    assert (again.returncode, again.data) == (0, [])
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from raw.loads where status = 'rejected' and archive_path is null").fetchone()[0] == 4


# --- 1. what is read is what was archived --------------------------------------------------------------

def test_the_bytes_read_are_the_bytes_archived_even_if_landing_changes_meanwhile(tmp_path):
    home = tmp_path / "home"
    assert run_cli(home, "init").returncode == 0
    landing = home / "landing"
    sent = good(landing / "register.xlsx", n=2)
    original = sent.read_bytes()
    run = subprocess.Popen(ingest_command(str(landing), "--period", PERIOD, pause="after_archive:register.xlsx"), env=ingest_env(home, PII_KEY),
                           cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not (home / "paused-after_archive").exists():
        assert run.poll() is None and time.monotonic() < deadline, run.communicate()
        time.sleep(0.1)
    # archived and hashed; now the sender overwrites the file in landing with a bigger one
    replacement = good(tmp_path / "other.xlsx", n=7, serial=50)
    os.replace(replacement, sent)
    (home / "resume-after_archive").touch()
    out, err = run.communicate(timeout=300)
    assert run.returncode == 0, err[-3000:]
    (outcome,) = json.loads(out)
    assert outcome["status"] == "accepted"
    assert outcome["sha256"] == hashlib.sha256(original).hexdigest()
    assert outcome["rows"] == 2  # the archived workbook's rows, not the 7 of the bytes now in landing
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from raw.above_scale_enterprises").fetchone()[0] == 2
        (archive_path, sha) = con.execute("select archive_path, sha256 from raw.loads").fetchone()
    assert (home / archive_path).read_bytes() == original and sha == outcome["sha256"]


# --- 3. personal data is private whatever the caller's umask; publications readable and read-only ----

def _open_umask(home: Path, *args: str, **extra: str) -> subprocess.CompletedProcess:
    """The CLI run by someone whose umask is 000: left to it, every file would be world-writable."""
    env = {**os.environ, "CHANJIAO_HOME": str(home), "CHANJIAO_PII_KEY": PII_KEY, **extra}
    result = subprocess.run([str(CLI), *args], env=env, capture_output=True, text=True, timeout=600, preexec_fn=lambda: os.umask(0))
    assert result.returncode in (0, 3), result.stderr[-3000:]
    return result


def _modes(root: Path) -> dict[str, int]:
    return {str(p.relative_to(root)): stat.S_IMODE(p.lstat().st_mode) for p in root.rglob("*") if not p.is_symlink()}


@pytest.mark.dbt
def test_the_home_is_owner_only_and_a_publication_world_readable_and_read_only(tmp_path):
    from ingestion.registry import kinds
    from ingestion.templates import write_workbook
    from tests.expectations.test_batch_rules import school

    home = tmp_path / "home"
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_workbook(kinds()["school_workbook"], inbox / "school.xlsx", school("4141062201", PERIOD, 6))
    unidentifiable(inbox / "junk.csv")
    _open_umask(home, "ingest", str(inbox), "--period", PERIOD)
    _open_umask(home, "build")
    _open_umask(home, "publish", "--period", PERIOD)

    assert stat.S_IMODE(home.stat().st_mode) == 0o711  # passable to reach the publications, not listable
    modes = _modes(home)
    public = {p: m for p, m in modes.items() if p.startswith("publications")}
    private = {p: m for p, m in modes.items() if not p.startswith("publications")}
    for name in ("warehouse.duckdb", "marts.duckdb"):
        assert private[name] == 0o600
    assert any(p.startswith("quarantine/") and p.endswith("junk.csv") for p in private)
    assert any(p.startswith("reports/") for p in private) and any(p.startswith("archive/") for p in private)
    exposed = {p: oct(m) for p, m in private.items() if m & 0o077}
    assert exposed == {}, exposed  # archive, quarantine, reports, dbt's target, logs, lineage: the owner's alone
    version = f"publications/{PERIOD}/v1"
    assert public["publications"] == public[f"publications/{PERIOD}"] == 0o755
    assert public[version] == public[f"{version}/docs"] == 0o555  # nothing can be added to or removed from a version
    files = {p: m for p, m in public.items() if (home / p).is_file()}
    assert f"{version}/indicators.xlsx" in files and f"{version}/docs/index.html" in files
    assert set(files.values()) == {0o444}, {p: oct(m) for p, m in files.items()}


def test_a_shared_group_reads_the_home_but_others_do_not(tmp_path):
    home = tmp_path / "home"
    junk = unidentifiable(tmp_path / "inbox" / "junk.csv")
    _open_umask(home, "ingest", str(junk), "--period", PERIOD, CHANJIAO_SHARE_GROUP="1", CHANJIAO_PUBLICATIONS_READERS="group")
    modes = _modes(home)
    assert stat.S_IMODE(home.stat().st_mode) == 0o750
    assert modes["warehouse.duckdb"] == 0o640 and modes["archive"] == 0o750 and modes["publications"] == 0o750
    assert {m & 0o007 for m in modes.values()} == {0}  # nothing for others
    assert {m & 0o020 for m in modes.values()} == {0}  # and the group reads, never writes
    wrong = run_cli(home, "status", "--period", PERIOD)
    assert wrong.returncode == 0
    os.environ["CHANJIAO_SHARE_GROUP"] = "maybe"
    try:
        refused = run_cli(home, "status", "--period", PERIOD)
    finally:
        del os.environ["CHANJIAO_SHARE_GROUP"]
    assert (refused.returncode, refused.stderr.strip()) == (1, "chanjiao status: CHANJIAO_SHARE_GROUP must be 1 or 0, not 'maybe'")


# --- 4. no child outlives the command --------------------------------------------------------------

def _processes() -> dict[int, tuple[int, str, list[str]]]:
    """pid → (parent pid, state, command line) of every process now."""
    out = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                cmdline = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            out[int(entry.name)] = (int(fields[1]), fields[0], [c.decode("utf-8", "replace") for c in cmdline if c])
    return out


def _descendants(root: int) -> dict[int, list[str]]:
    procs = _processes()
    found, todo = {}, [root]
    while todo:
        parent = todo.pop()
        for pid, (ppid, _, cmd) in procs.items():
            if ppid == parent and pid not in found:
                found[pid] = cmd
                todo.append(pid)
    return found


def _alive(pids) -> list[int]:
    procs = _processes()
    return [pid for pid in pids if pid in procs and procs[pid][1] != "Z"]


def _start_and_wait_for_dbt(home: Path, *args: str) -> tuple[subprocess.Popen, dict[int, list[str]]]:
    """The command started, once dbt itself runs under it. Its output goes to files, not pipes: waiting for
    the end of a pipe would wait for every process holding it, the very children under test."""
    env = {**os.environ, "CHANJIAO_HOME": str(home), "CHANJIAO_PII_KEY": PII_KEY}
    log = home.parent / f"{args[0]}.stderr"
    # SIGINT as at a terminal: a shell ignores it in background jobs, and a process started with it
    # ignored keeps it ignored (a suite run in the background would otherwise test nothing)
    proc = subprocess.Popen([str(CLI), *args], env=env, stdout=subprocess.DEVNULL, stderr=open(log, "w"),
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    proc.stderr_file = log
    seen: dict[int, list[str]] = {}
    deadline = time.monotonic() + 120
    while True:
        assert proc.poll() is None, log.read_text()[-3000:]
        assert time.monotonic() < deadline, f"dbt never started: {seen}"
        seen.update(_descendants(proc.pid))
        # dbt itself running: the session process (chanjiao.dbt_session) under the supervisor
        if any("chanjiao.dbt_session" in cmd[:3] for pid, cmd in seen.items() if _alive([pid])):
            return proc, seen
        time.sleep(0.2)


def _no_child_left(proc: subprocess.Popen, seen: dict[int, list[str]], home: Path) -> None:
    """Within a few seconds of the command's end (dbt alone would run on for far longer), none of its
    children is left, and the warehouse lock is free."""
    deadline = time.monotonic() + 8
    while _alive(seen) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _alive(seen) == [], {pid: seen[pid] for pid in _alive(seen)}
    with open(home / "warehouse.lock", "a+") as fh:  # and the warehouse is free
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(fh, fcntl.LOCK_UN)


@pytest.mark.dbt
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL])
def test_stopping_a_build_stops_dbt(tmp_path, sig):
    home = tmp_path / "home"
    proc, seen = _start_and_wait_for_dbt(home, "build")
    proc.send_signal(sig)
    proc.wait(timeout=60)
    err = proc.stderr_file.read_text()
    if sig == signal.SIGKILL:
        assert proc.returncode == -signal.SIGKILL
    else:
        assert proc.returncode == 128 + sig, err[-3000:]
        assert "Traceback" not in err, err[-3000:]
        assert err.strip().splitlines()[-1] == f"chanjiao build: stopped by {sig.name} (its child processes were stopped too)"
    _no_child_left(proc, seen, home)


def test_stopping_a_publish_stops_dbt_docs_and_leaves_no_version(school_home, tmp_path):
    home = copy_of(school_home, tmp_path)
    # a warehouse built without its docs site (by an earlier version): this publish generates it with dbt
    (home / "dbt_target" / "static_index.html").unlink()
    proc, seen = _start_and_wait_for_dbt(home, "publish", "--period", PERIOD)
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=60)
    err = proc.stderr_file.read_text()
    assert proc.returncode == 128 + signal.SIGTERM, err[-3000:]
    _no_child_left(proc, seen, home)
    assert list((home / "publications" / PERIOD).iterdir()) == []  # neither a version nor a half-written folder


# --- backup and restore --------------------------------------------------------------------------------

def _tree(root: Path, parts=("warehouse.duckdb", "marts.duckdb", "archive", "quarantine", "reports", "publications")) -> dict[str, str]:
    out = {}
    for part in parts:
        top = root / part
        for path in ([top] if top.is_file() else sorted(top.rglob("*"))):
            if path.is_file() and not path.is_symlink():
                out[path.relative_to(root).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def test_backup_and_restore_give_back_the_same_home_and_refuse_a_damaged_backup(school_home, tmp_path):
    home = copy_of(school_home, tmp_path)
    assert run_cli(home, "publish", "--period", PERIOD).returncode == 0
    unidentifiable(home / "landing" / "waiting.csv")
    dest = tmp_path / "backups" / "2026-11-05"
    taken = run_cli(home, "backup", str(dest), "--json")
    assert taken.returncode == 0, taken.stderr[-2000:]
    manifest = json.loads((dest / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["files"]["warehouse.duckdb"]["sha256"] == hashlib.sha256((home / "warehouse.duckdb").read_bytes()).hexdigest()
    assert "landing/waiting.csv" in manifest["files"] and not any(k.startswith("dbt_target") for k in manifest["files"])

    restored = tmp_path / "restored"
    result = run_cli(restored, "restore", str(dest), "--json")
    assert result.returncode == 0, result.stderr[-2000:]
    assert _tree(restored) == _tree(home)
    assert (restored / "landing" / "waiting.csv").exists()
    assert stat.S_IMODE((restored / "publications" / PERIOD / "v1" / "indicators.csv").stat().st_mode) == 0o444
    sql = "select indicator_code, region_code, value from marts.fct_indicator_value order by all"
    assert run_cli(restored, "query", sql).stdout == run_cli(home, "query", sql).stdout
    assert run_cli(restored, "status", "--period", PERIOD, "--json").data == run_cli(home, "status", "--period", PERIOD, "--json").data
    # every release can still be reproduced from the restored archive, byte for byte
    for version in sorted((restored / "publications" / PERIOD).iterdir()):
        published = json.loads((version / "manifest.json").read_text(encoding="utf-8"))["published_at"]
        as_of = run_cli(restored, "publish", "--period", PERIOD, "--as-of", published, "--json")
        assert as_of.returncode == 0, as_of.stderr[-2000:]
        assert as_of.data["version"] == version.name and as_of.data["identical"] == {"indicators.csv": True}
        assert (Path(as_of.data["rebuilt"]) / "indicators.csv").read_bytes() == (version / "indicators.csv").read_bytes()

    again = run_cli(restored, "restore", str(dest))  # never over a home that holds something
    assert again.returncode == 1 and "is not empty" in again.stderr
    refused = run_cli(home, "backup", str(dest))
    assert refused.returncode == 1 and "not an empty folder" in refused.stderr

    damaged = tmp_path / "damaged"
    shutil.copytree(dest, damaged, symlinks=True)
    archived = next(p for p in (damaged / "home" / "archive").rglob("*") if p.is_file())
    archived.write_bytes(archived.read_bytes()[:-1] + bytes([archived.read_bytes()[-1] ^ 1]))  # one bit flipped
    empty = tmp_path / "empty"
    failed = run_cli(empty, "restore", str(damaged))
    assert failed.returncode == 1
    assert failed.stderr.strip().splitlines() == [l for l in failed.stderr.strip().splitlines() if l.startswith("chanjiao restore: backup damaged: archive/")]
    assert len(failed.stderr.strip().splitlines()) == 1
    assert not empty.exists() or not any(empty.iterdir())  # nothing restored from a damaged backup
