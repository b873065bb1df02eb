"""Read many untrusted files so that one hostile file costs only its own rejection.

`read_many(paths, ...)` yields one ParsedFile per path, in input order. Each file is prechecked
(`ingestion.precheck.precheck`) and then parsed inside one of a few persistent worker processes. Each
worker caps its own address space (RLIMIT_AS), never dumps core, and reads one file at a time; the
next file already waits in its pipe, so a worker never idles while the parent takes its result (if
the worker dies, that waiting file goes to another worker, unread). The parent watches every worker:

* a worker that dies (SIGABRT from a native parser, SIGSEGV, SIGKILL from the OOM killer) rejects the
  file it was reading with rule `crashed` (or `memory` when it died for want of memory);
* a worker past the per-file timeout is killed: rule `timeout`;
* a MemoryError in a worker: rule `memory`, and the worker is retired;
* an exception from the reader (a bug, or a file that finds one): rule `reader_error`, logged with
  its traceback.

The dead or retired worker is replaced and the batch goes on. concurrent.futures' process pool is not
used on purpose: there, one dead worker breaks the pool and every file still in it.

Each worker calls `faults.reached("before_read", path)` (`ingestion.faults`) before prechecking a
file: a no-op in production; tests pass a FaultPoints that aborts the worker there, to prove that a
real native crash is contained.
"""
from __future__ import annotations

import collections
import contextlib
import copy
import ctypes
import logging
import multiprocessing
import os
import resource
import shutil
import signal
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.connection import wait
from pathlib import Path

from ingestion.faults import NO_FAULTS, FaultPoints
from ingestion.limits import MB, GiB, Limits
from ingestion.parsed import ParsedFile, Problem, sha256_of
from ingestion.precheck import precheck
from ingestion.read import read_file, warm_up
from ingestion.registry import Sheet, kinds

log = logging.getLogger(__name__)

START_METHOD = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
PRELOAD = ["ingestion.read", "ingestion.precheck", "ingestion.isolation"]  # imported once by the fork server
# Files handed to a worker at a time: the one it reads and one waiting in its pipe. With one, a worker
# sat idle after each file until the parent had taken the result and sent the next (200 workbooks on
# two CPUs took 6% longer). A worker that dies only ever costs the file it was reading: the one
# waiting goes to another worker.
QUEUE_DEPTH = 2

Reader = Callable[[Path, bytes, "str | None"], ParsedFile]

CRASHED = "文件解析时导致读取程序崩溃，疑似损坏或经过特殊构造：请用Excel打开后另存为新文件再报送"
READER_ERROR = "读取文件时程序出错（已记录，由数据管理员处理）：请先用Excel打开后另存为新文件再报送；如仍被退回，请联系数据管理员"


def _memory_message(limits: Limits) -> str:
    cap = f"{limits.worker_memory_bytes / GiB:g}GB" if limits.worker_memory_bytes >= GiB else f"{limits.worker_memory_bytes / MB:.0f}MB"
    return f"文件解析时占用内存超过上限（{cap}），疑似异常文件：请删除多余的空行、空列和格式后另存为新文件再报送"


def _timeout_message(limits: Limits) -> str:
    return f"文件解析超过{limits.timeout_seconds:g}秒仍未完成，疑似异常文件：请删除多余的空行、空列和格式后另存为新文件再报送"


def default_workers(n_files: int) -> int:
    try:
        cpus = len(os.sched_getaffinity(0))  # the CPUs this process may use (containers, taskset)
    except AttributeError:
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, n_files))


def read_many(paths: Iterable[Path], pii_key: bytes, collection_period: str | None = None, limits: Limits | None = None,
              workers: int | None = None, reader: Reader = read_file, faults: FaultPoints = NO_FAULTS) -> Iterator[ParsedFile]:
    """One ParsedFile per path, in input order; a file that fails its precheck, crashes, exhausts memory
    or time is a ParsedFile carrying its path, sha256 and one Problem. `limits` default to `Limits()`;
    the configured ones are the caller's to pass. `reader` and `faults` must be picklable (a module-level
    function, an instance of a module-level class): they run in the workers."""
    files = [Path(p) for p in paths]
    if not files:
        return
    limits = limits or Limits()
    size = max(1, min(workers or default_workers(len(files)), len(files)))
    pool = _Pool(size, (pii_key, collection_period, limits, reader, faults), limits)
    try:
        yield from pool.imap(files)
    finally:
        pool.close()


# --- parent side -----------------------------------------------------------------------------------

@contextlib.contextmanager
def _main_script_hidden(reader: Reader):
    """Start a worker without it running the parent's main script again (spawn and forkserver children
    do, by path). In an Airflow task that script is the `airflow` CLI, whose import needs the metadata
    DB that Airflow 3 keeps from tasks: the worker died on start. Workers need nothing from the main
    script unless the reader was defined there."""
    main = sys.modules.get("__main__")
    if main is None or getattr(reader, "__module__", None) == "__main__":
        yield
        return
    saved = {name: main.__dict__.pop(name) for name in ("__file__", "__spec__") if name in main.__dict__}
    main.__spec__ = None  # multiprocessing reads it unguarded
    try:
        yield
    finally:
        main.__dict__.pop("__spec__", None)
        main.__dict__.update(saved)


class _Worker:
    def __init__(self, ctx, args: tuple, stderr_path: Path):
        parent_end, child_end = ctx.Pipe(duplex=True)
        self.stderr_path = stderr_path
        self.proc = ctx.Process(target=_serve, args=(child_end, *args, str(stderr_path)), name="chanjiao-reader", daemon=True)
        with _main_script_hidden(args[3]):
            self.proc.start()
        child_end.close()
        self.conn = parent_end
        # Files sent and not yet answered, in the order the worker reads them: the first is being read,
        # the next waits in the pipe so the worker starts it without waiting for the parent.
        self.tasks: collections.deque[tuple[int, Path]] = collections.deque()
        self.deadline = 0.0  # for the file being read
        self.definitions: list[Sheet] = []  # the worker's registry, sent once: results refer to it by position

    def wait_ready(self, timeout: float = 60.0) -> None:
        """The worker says it is confined and listening; a worker that cannot start is a setup error
        (e.g. a memory limit too small for Python itself), not the fault of any file."""
        try:
            if self.conn.poll(timeout):
                message = self.conn.recv()
                if isinstance(message, tuple) and message[:2] == ("ready", self.proc.pid):
                    self.definitions = message[2]
                    return
        except (EOFError, OSError):
            pass
        self.proc.kill()
        self.proc.join(timeout=5)
        raise RuntimeError(f"a reader worker process could not start (exit code {self.proc.exitcode}): {self.stderr_tail().strip()[-2000:]}"
                           " — if this comes from the main module, guard it with `if __name__ == '__main__':`")

    def assign(self, index: int, path: Path, deadline: float) -> bool:
        try:
            self.conn.send((index, path))
        except (OSError, ValueError):
            return False
        if not self.tasks:
            self.deadline = deadline  # an idle worker starts it now; a queued file's time starts with it
        self.tasks.append((index, path))
        return True

    def stderr_tail(self, n: int = 4096) -> str:
        """What the worker wrote on stderr for the current file: its start and its end."""
        try:
            with open(self.stderr_path, "rb") as fh:
                head = fh.read(n)
                fh.seek(0, os.SEEK_END)
                end = fh.tell()
                if end <= n:
                    return head.decode("utf-8", "replace")
                fh.seek(max(n, end - n))
                return head.decode("utf-8", "replace") + "\n[...]\n" + fh.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def stop(self, kill: bool) -> None:
        if self.proc.is_alive():
            if kill:
                self.proc.kill()
            else:
                try:
                    self.conn.send(None)
                except (OSError, ValueError):
                    self.proc.kill()
        self.proc.join(timeout=5)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join(timeout=5)
        self.conn.close()


class _Pool:
    def __init__(self, size: int, args: tuple, limits: Limits):
        self.ctx = multiprocessing.get_context(START_METHOD)
        if START_METHOD == "forkserver":
            self.ctx.set_forkserver_preload(PRELOAD)  # used when this process first starts the fork server
        self.args, self.limits = args, limits
        self.tmp = Path(tempfile.mkdtemp(prefix="chanjiao-readers-"))
        self.started = 0
        self.workers: list[_Worker] = []
        try:
            for _ in range(size):
                self.workers.append(self._start(wait=False))
            for worker in self.workers:
                worker.wait_ready()
        except BaseException:
            self.close()
            raise

    def _start(self, wait: bool = True) -> _Worker:
        self.started += 1
        worker = _Worker(self.ctx, self.args, self.tmp / f"worker-{self.started}.stderr")
        if wait:
            worker.wait_ready()
        return worker

    def _replace(self, worker: _Worker, todo: collections.deque, kill: bool = True) -> None:
        """A fresh worker in its slot. Files that were waiting for the old one go back to `todo`: the
        old worker never began them."""
        worker.stop(kill=kill)
        waiting = list(worker.tasks)[1:]
        worker.tasks.clear()
        for item in sorted(waiting, reverse=True):  # `todo` stays in file order
            at = 0
            while at < len(todo) and todo[at][0] < item[0]:
                at += 1
            todo.insert(at, item)
        self.workers[self.workers.index(worker)] = self._start()

    def imap(self, files: list[Path]) -> Iterator[ParsedFile]:
        todo = collections.deque(enumerate(files))
        done: dict[int, ParsedFile] = {}
        window = 4 * len(self.workers)  # results held for in-order delivery stay bounded
        nxt = 0
        while nxt < len(files):
            while nxt in done:
                yield done.pop(nxt)
                nxt += 1
            if nxt >= len(files):
                break
            for slot in range(len(self.workers)):
                failures = 0
                while len(self.workers[slot].tasks) < QUEUE_DEPTH and todo and todo[0][0] < nxt + window:
                    index, path = todo[0]
                    if self.workers[slot].assign(index, path, time.monotonic() + self.limits.timeout_seconds):
                        todo.popleft()
                        continue
                    if self.workers[slot].tasks:
                        break  # it died while reading: _collect says so and replaces it
                    failures += 1  # an idle worker that died: replace it and hand the file to the new one
                    if failures > 3:
                        raise RuntimeError(f"reader worker processes die before reading anything; see {self.workers[slot].stderr_path}")
                    self._replace(self.workers[slot], todo)
            busy = [w for w in self.workers if w.tasks]
            if not busy:
                continue
            timeout = max(0.0, min(w.deadline for w in busy) - time.monotonic())
            ready = wait([w.conn for w in busy] + [w.proc.sentinel for w in busy], timeout)
            now = time.monotonic()
            for worker in busy:
                # Only workers with something to say, or out of time: asking the others (conn.poll())
                # cost the parent more than taking the results did. A second result waiting in the
                # same pipe is taken on the next turn: wait() returns at once for it.
                readable = worker.conn in ready
                if readable or worker.proc.sentinel in ready or now >= worker.deadline:
                    outcome = self._collect(worker, todo, readable)
                    if outcome is not None:
                        done[outcome[0]] = outcome[1]

    def _collect(self, worker: _Worker, todo: collections.deque, readable: bool) -> tuple[int, ParsedFile] | None:
        """The file the worker is reading, once finished; None while it is still within its time.
        `readable`: wait() found the worker's pipe readable (a result, or end of file if it died)."""
        index, path = worker.tasks[0]
        message = None
        try:
            if readable or worker.conn.poll():
                message = worker.conn.recv()
        except (EOFError, OSError):
            message = None
        else:
            if message is None and worker.proc.is_alive():
                if time.monotonic() < worker.deadline:
                    return None
                self._replace(worker, todo, kill=True)
                log.warning("%s: reading took longer than %gs; worker killed", path.name, self.limits.timeout_seconds)
                return index, _failed(path, "timeout", _timeout_message(self.limits))
        if message is not None:
            status, _, payload, shared = message
            if status == "memory":
                log.warning("%s: MemoryError while reading; worker retired", path.name)
                self._replace(worker, todo, kill=False)  # the file waiting for it goes to the new one
                return index, _failed(path, "memory", _memory_message(self.limits))
            worker.tasks.popleft()
            # The worker began its next file, if one was waiting, when it sent this result: the next
            # file's time starts now (a little after it really began, never before).
            worker.deadline = time.monotonic() + self.limits.timeout_seconds
            if status == "ok":
                for key, n in shared:
                    payload.sheets[key].definition = worker.definitions[n]
                return index, payload
            log.error("%s: the reader raised an exception:\n%s", path.name, payload)
            return index, _failed(path, "reader_error", READER_ERROR)
        # The worker died while reading this file.
        worker.proc.join(timeout=5)
        code = worker.proc.exitcode
        tail = worker.stderr_tail()
        self._replace(worker, todo, kill=True)
        died = f"signal {signal.Signals(-code).name}" if code is not None and code < 0 and -code in signal.valid_signals() else f"exit code {code}"
        log.warning("%s: reader process died (%s) while reading it; its stderr:\n%s", path.name, died, tail.strip()[:2000])
        out_of_memory = "memory allocation of" in tail or "MemoryError" in tail or code == -signal.SIGKILL
        return index, _failed(path, "memory" if out_of_memory else "crashed", _memory_message(self.limits) if out_of_memory else CRASHED)

    def close(self) -> None:
        for worker in self.workers:
            worker.stop(kill=bool(worker.tasks))
        self.workers = []
        shutil.rmtree(self.tmp, ignore_errors=True)


def _failed(path: Path, rule: str, message: str) -> ParsedFile:
    try:
        digest = sha256_of(path)
    except OSError:
        digest = ""  # the file vanished meanwhile; nothing to deduplicate it against
    return ParsedFile(path=path, sha256=digest, problems=[Problem(None, None, None, rule, message)])


# --- worker side -----------------------------------------------------------------------------------

def _die_with_parent() -> None:
    # Linux: SIGKILL this worker when the process that forked it exits; elsewhere libc has no prctl
    with contextlib.suppress(AttributeError, OSError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _confine(limits: Limits, stderr_path: str) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle; it stops the workers
    _die_with_parent()
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a crashing parser must not leave gigabyte core files
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = limits.worker_memory_bytes if hard == resource.RLIM_INFINITY else min(limits.worker_memory_bytes, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    # Native parsers report fatal errors on fd 2 just before aborting: keep it, per file, for the parent.
    fd = os.open(stderr_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(fd, 2)
    os.close(fd)


def _send_parsed(conn, index: int, parsed: ParsedFile, positions: dict[int, int]) -> None:
    """The result, with each sheet definition from the registry sent as its position in the list the
    worker sent when it started: unpickling some 50 frozen dataclasses per file was half of what the
    parent spent on each result. Other definitions (a custom reader's) travel as they are."""
    shared, sheets = [], {}
    for key, sheet in (parsed.sheets.items() if isinstance(parsed, ParsedFile) else ()):
        n = positions.get(id(sheet.definition))
        if n is not None:
            sheet = copy.copy(sheet)  # the reader's own objects are left as they were
            sheet.definition = None
            shared.append((key, n))
        sheets[key] = sheet
    if shared:
        parsed = copy.copy(parsed)
        parsed.sheets = sheets
    conn.send(("ok", index, parsed, shared))


def _serve(conn, pii_key: bytes, period: str | None, limits: Limits, reader: Reader, faults: FaultPoints, stderr_path: str) -> None:
    _confine(limits, stderr_path)
    try:
        definitions = [sheet for kind in kinds().values() for sheet in kind.sheets]
    except Exception:  # a broken registry: each file says so (reader_error), as it always did
        definitions = []
    positions = {id(sheet): n for n, sheet in enumerate(definitions)}  # `definitions` keeps the ids taken
    conn.send(("ready", os.getpid(), definitions))
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        index, path = task
        sys.stderr.flush()
        os.ftruncate(2, 0)
        os.lseek(2, 0, os.SEEK_SET)
        try:
            faults.reached("before_read", path)
            problem = precheck(path, limits)
            if problem is not None:
                parsed = ParsedFile(path=path, sha256=sha256_of(path), problems=[problem])
            else:
                parsed = reader(path, pii_key, period)
            _send_parsed(conn, index, parsed, positions)
        except MemoryError:
            parsed = None
            # the parent may be gone (OSError) or memory still short: the worker ends either way
            with contextlib.suppress(OSError, MemoryError):
                conn.send(("memory", index, None, None))
            return  # a fresh worker takes the next file
        except Exception:
            conn.send(("error", index, traceback.format_exc(limit=30), None))


# Imported into the fork server (PRELOAD): workers are forked with the registry and tables loaded.
warm_up()
