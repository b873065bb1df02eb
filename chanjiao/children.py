"""Child processes (dbt) that never outlive the chanjiao command that started them.

A command holding the warehouse lock that dies must not leave dbt writing to the warehouse after the
lock is free. `run(cmd)` starts the command under a small supervisor (`python -m chanjiao.children`),
in a process group of its own:

* the command is interrupted (Ctrl-C, SIGTERM, SIGHUP, any exception while it waits): the group is sent
  SIGTERM, then SIGKILL, before the exception goes on and the lock is released;
* the command is killed outright (SIGKILL, the OOM killer): on Linux the supervisor gets SIGTERM from
  the kernel (PR_SET_PDEATHSIG) and kills its group — the dbt session — then itself.

The group is not the terminal's, so Ctrl-C reaches only the chanjiao command, which stops the rest.
"""
from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time

PR_SET_PDEATHSIG = 1
GRACE_SECONDS = 5.0


class Interrupted(BaseException):
    """The command was asked to stop by a signal (SIGTERM, SIGHUP): unwinds like KeyboardInterrupt."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def stop_on_signals() -> None:
    """SIGTERM and SIGHUP unwind the command (transactions roll back, children are stopped, locks are
    released) instead of ending the process where it stands."""
    def handler(signum, frame):
        raise Interrupted(signum)

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, handler)


def _die_with_parent(parent: int) -> None:
    # Linux: SIGTERM this process when the thread that started it exits; elsewhere libc has no prctl.
    # Runs between fork and exec (preexec_fn): nothing to log with here.
    with contextlib.suppress(AttributeError, OSError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # the parent died before the death signal was armed
        os._exit(1)


def _stop_group(proc: subprocess.Popen) -> None:
    for sig, wait in ((signal.SIGTERM, GRACE_SECONDS), (signal.SIGKILL, GRACE_SECONDS)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline and _group_alive(proc.pid):
            proc.poll()
            time.sleep(0.05)
        if not _group_alive(proc.pid):
            break
    proc.wait()


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def run(cmd: list[str], **popen) -> subprocess.CompletedProcess:
    """subprocess.run(cmd, **popen) without capture, under the supervisor; returns its exit code."""
    parent = os.getpid()
    proc = subprocess.Popen([sys.executable, "-m", "chanjiao.children", *cmd], start_new_session=True,
                            preexec_fn=lambda: _die_with_parent(parent), **popen)
    try:
        code = proc.wait()
    except BaseException:
        _stop_group(proc)
        raise
    return subprocess.CompletedProcess(cmd, code)


def _supervise(cmd: list[str]) -> int:
    child = subprocess.Popen(cmd)  # in this process group, with whatever it starts

    def stop(signum, frame):
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        try:
            os.killpg(0, signal.SIGTERM)
            deadline = time.monotonic() + GRACE_SECONDS
            while child.poll() is None and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            os.killpg(0, signal.SIGKILL)  # what is left of the group, this supervisor last

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGHUP, stop)
    signal.signal(signal.SIGINT, stop)
    code = child.wait()
    return code if code >= 0 else 128 - code


if __name__ == "__main__":
    sys.exit(_supervise(sys.argv[1:]))
