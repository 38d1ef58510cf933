"""Shared benchmark helpers: a devnet in its own process, percentiles, peak RSS."""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@contextmanager
def devnet_process(*args: str, timeout: float = 300.0, nice: int = 0):
    """Start ``sentinel-cli devnet`` in its own process on a free port; yield its ws:// URL.
    ``nice``: its scheduling priority (a node on another machine takes none of this one's cores)."""
    cmd = [sys.executable, "-m", "sentinel_tui.cli", "devnet", "--port", "0", *args]
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        preexec_fn=(lambda: os.nice(nice)) if nice else None,  # noqa: PLW1509 - no threads yet here
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    try:
        deadline = time.monotonic() + timeout
        url = None
        while url is None and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                raise RuntimeError("devnet exited before listening")
            m = re.search(r"(ws://[\d.]+:\d+)", line)
            url = m.group(1) if m else None
        if url is None:
            raise RuntimeError("devnet did not start in time")
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    k = min(len(s) - 1, max(0, round(p / 100 * (len(s) - 1))))
    return s[k]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"
