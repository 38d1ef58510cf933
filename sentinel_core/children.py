"""Child processes of ours (the decoding processes, the dashboard's backfill and devnet): how they
end with their parent, and how they are started under Textual's capture of standard error.

A child ends with its parent, even one killed with kill -9: on Linux the kernel sends it SIGKILL
then (``PR_SET_PDEATHSIG``); everywhere a thread also watches its parent (a parent gone is a changed
``getppid()``). Linux sends that signal when the *thread* that started the process ends, so whoever
starts one does it from a thread that lives as long as the child.

Processes start with a real standard error in place: under the dashboard ``sys.stderr`` is Textual's
capture, whose ``fileno()`` is -1, and multiprocessing hands that number to the resource tracker it
starts with the first process (``bad value(s) in fds_to_keep``).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

_start_lock = threading.Lock()


def _has_fd(stream: Any) -> bool:
    try:
        fd = stream.fileno()
        return isinstance(fd, int) and fd >= 0
    except (AttributeError, OSError, ValueError):
        return False


@contextlib.contextmanager
def real_stderr() -> Iterator[None]:
    """``sys.stderr`` with a file descriptor for the time a process starts: the interpreter's own
    standard error, else the null device. multiprocessing passes ``sys.stderr.fileno()`` on to the
    resource tracker it starts with the first process, and Textual's capture of stderr answers -1."""
    with _start_lock:
        current = sys.stderr
        if _has_fd(current):
            yield
            return
        devnull = None
        if _has_fd(sys.__stderr__):
            sys.stderr = sys.__stderr__
        else:
            devnull = open(os.devnull, "w")  # noqa: SIM115 - closed below
            sys.stderr = devnull
        try:
            yield
        finally:
            sys.stderr = current
            if devnull is not None:
                devnull.close()


PR_SET_PDEATHSIG = 1
"""prctl(2): the signal this process gets when its parent (the thread that started it) ends."""


def die_with_parent(parent: int) -> None:
    """A killed backfill (kill -9) cannot stop its decoding processes: each ends with it. On Linux
    the kernel kills this process as its parent ends; everywhere a thread watches ``getppid()`` as
    well (the fallback, even in the middle of a batch). A parent gone before this ran is noticed
    here: the process was handed to another (init or a subreaper) already."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    if os.getppid() != parent:
        os._exit(0)
    threading.Thread(target=_exit_with_parent, args=(parent,), name="parent-watch", daemon=True).start()


def _exit_with_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)


def exit_text(code: int | None) -> str:
    """A child's end in words, from its ``exitcode``: ``exit code 1``, ``killed by SIGKILL``."""
    if code is None:
        return "still running"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"killed by {name}"
    return f"exit code {code}"
