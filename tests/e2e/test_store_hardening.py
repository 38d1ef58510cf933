"""Issue 14, as an attacker would: a second writer through a symlink or a hard link, a damaged file,
kill -9 of a backfill with decoding processes. Sentinel as a user runs it (subprocesses)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import struct
import subprocess
import sys
import time
from pathlib import Path

from conftest import headless, headless_backfill

from sentinel_core.devnet.background import BackgroundDevnet

ROOT = Path(__file__).resolve().parents[2]


def db_stats(db: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sentinel_tui.cli", "db", "stats", "--json", "--db", str(db)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )


def blocks(db: Path) -> list[int]:
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return [r[0] for r in conn.execute("SELECT number FROM blocks ORDER BY number")]


def runs(db: Path) -> list[tuple[int, str, float | None]]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT id, status, finished_at FROM backfill_runs ORDER BY id").fetchall()


def wait_rows(db: Path, count: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if len(blocks(db)) >= count:
                return
        except (sqlite3.Error, AssertionError):
            pass
        time.sleep(0.05)
    raise AssertionError(f"fewer than {count} blocks stored in time")


def one_error_line(proc: subprocess.CompletedProcess[str] | subprocess.Popen[str], err: str) -> str:
    assert proc.returncode == 2, err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


def test_second_writers_through_a_symlink_and_a_hard_link_are_refused(tmp_path):
    db = tmp_path / "a.db"
    sym, hard = tmp_path / "sym.db", tmp_path / "hard.db"
    with BackgroundDevnet(history=200, seed=41, produce=False) as node:
        first = headless(
            "--mode", "fast_backfill", "--start", "1", "--end", "200", "--network", node.url,
            "--workers", "1", "--batch-size", "5", "--max-rps", "60", db=db,
        )  # fmt: skip
        try:
            wait_rows(db, 10)
            os.symlink(db, sym)
            os.link(db, hard)
            seconds = {
                name: headless(
                    "--mode", "fast_backfill", "--start", "1", "--end", "200", "--network", node.url, db=name
                )
                for name in (sym, hard)
            }
            for name, second in seconds.items():
                _, err = second.communicate(timeout=60)
                line = one_error_line(second, err)
                assert line.startswith(f"error: {name} is being written by another Sentinel process (pid ")
                assert f"(pid {first.pid})" in line
            for name in (db, sym):  # readers are fine meanwhile (by the symlink too: it is resolved)
                reader = db_stats(name)
                assert reader.returncode == 0 and '"blocks"' in reader.stdout, reader.stderr
            assert first.poll() is None, "the first writer was still writing throughout"
            out, err = first.communicate(timeout=120)
        finally:
            if first.poll() is None:
                first.kill()
                first.wait()
        assert first.returncode == 0, err
    assert blocks(db) == list(range(1, 201))
    assert [status for _, status, _ in runs(db)] == ["done"]


def test_a_damaged_file_is_refused_by_fast_backfill_and_db_stats(tmp_path):
    db = tmp_path / "d.db"
    with BackgroundDevnet(history=300, seed=42, produce=False) as node:
        headless_backfill(node.url, db, 300)
        # 200 bytes flipped at a page of the blocks table, in the middle of its b-tree
        with sqlite3.connect(db) as conn:
            root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'blocks'").fetchone()[0]
        data = db.read_bytes()
        size = struct.unpack(">H", data[16:18])[0]
        page = data[(root - 1) * size : root * size]
        assert page[0] == 0x05, "an interior page: the table spans several pages"
        middle = 12 + 2 * (struct.unpack(">H", page[3:5])[0] // 2)  # the middle cell's pointer
        pointer = struct.unpack(">H", page[middle : middle + 2])[0]
        leaf = struct.unpack(">I", page[pointer : pointer + 4])[0]
        offset = (leaf - 1) * size
        db.write_bytes(
            data[:offset] + bytes(b ^ 0xFF for b in data[offset : offset + 200]) + data[offset + 200 :]
        )
        damaged = db.read_bytes()

        again = headless(
            "--mode", "fast_backfill", "--start", "1", "--end", "300", "--network", node.url, db=db
        )
        out, err = again.communicate(timeout=60)
        line = one_error_line(again, err)
        assert line.startswith(f"error: {db} is damaged (") and "restore a backup or move it aside" in line
        assert "stored already" not in out
    stats = db_stats(db)
    line = one_error_line(stats, stats.stderr)
    assert f"{db} is damaged (" in line, line
    assert db.read_bytes() == damaged, "nothing was written to the damaged file"


def children(pid: int) -> dict[int, str]:
    """pid -> command line of the processes whose parent is ``pid`` (from /proc)."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            if ppid == pid:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    found[int(entry)] = f.read().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, ValueError, IndexError):
            continue
    return found


def alive(pid: int) -> bool:
    """Running (a zombie waiting for a reaper that never comes, in some containers, is not)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_kill_9_takes_the_decoding_processes_along_and_the_run_is_marked_interrupted(tmp_path):
    db = tmp_path / "k.db"
    with BackgroundDevnet(history=1500, seed=43, produce=False) as node:
        proc = headless(
            "--mode", "fast_backfill", "--start", "1", "--end", "1500", "--network", node.url,
            "--processes", "2", "--workers", "2", "--batch-size", "10", db=db,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            while True:
                helpers = children(proc.pid)
                decoders = [pid for pid, cmd in helpers.items() if "spawn_main" in cmd]
                if len(decoders) >= 2:
                    break
                assert proc.poll() is None and time.monotonic() < deadline, "no decoding processes"
                time.sleep(0.05)
            wait_rows(db, 50)
            helpers = children(proc.pid)  # the decoding processes and multiprocessing's tracker
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.communicate(timeout=10)
        deadline = time.monotonic() + 5
        while any(alive(pid) for pid in helpers) and time.monotonic() < deadline:
            time.sleep(0.05)
        left = {pid: cmd for pid, cmd in helpers.items() if alive(pid)}
        assert not left, f"outlived a killed backfill: {left}"
        killed = runs(db)
        assert [status for _, status, _ in killed] == ["running"]

        again = headless(
            "--mode", "fast_backfill", "--start", "1", "--end", "1500", "--network", node.url, db=db
        )
        out, err = again.communicate(timeout=120)
        assert again.returncode == 0, err
    (run_id, status, finished_at), (_, last, _) = runs(db)
    assert run_id == killed[0][0] and status == "interrupted" and finished_at is not None
    assert last == "done"
    assert blocks(db) == list(range(1, 1501))
    # db stats says so.
    stats = db_stats(db)
    assert stats.returncode == 0 and json.loads(stats.stdout)["interrupted_runs"] == 1, stats.stderr
