"""The store against an attacker's moves (issue 14): a second writer through a symlink or a hard link,
a damaged file, runs left ``running`` by a killed process; decoding processes that outlive their
starter."""

from __future__ import annotations

import asyncio
import os
import re
import sqlite3
import struct
import threading
import time
from pathlib import Path

import pytest

from sentinel_core.chain.client import ChainError
from sentinel_core.ingest.procs import DecoderPool
from sentinel_core.store import AsyncStore, Store, StoreDamaged, StoreError, StoreLocked
from sentinel_core.store import connection as connection_mod
from sentinel_core.store.connection import damaged_message

from .test_store import make_block

LOCKED = re.compile(
    r"^.+ is being written by another Sentinel process \(pid \d+\); open it read-only or stop that process$"
)
DAMAGED = re.compile(r"^.+ is damaged \(.+\): restore a backup or move it aside$")


def filled(path: Path, blocks: int = 200) -> Path:
    with Store(path) as store:
        store.write_blocks([(make_block(n, n_ex=6), [], []) for n in range(1, blocks + 1)])
    return path


def blocks_leaf_page(path: Path) -> tuple[int, int]:
    """(page size, number) of a leaf page in the middle of the ``blocks`` table's b-tree."""
    with Store(path, readonly=True) as store:
        root = store._one("SELECT rootpage FROM sqlite_master WHERE name = 'blocks'")[0]
    data = path.read_bytes()
    size = struct.unpack(">H", data[16:18])[0]
    page = data[(root - 1) * size : root * size]
    if page[0] != 0x05:  # the root is the only page: a leaf already
        return size, root
    cells = struct.unpack(">H", page[3:5])[0]
    pointer = struct.unpack(">H", page[12 + 2 * (cells // 2) : 14 + 2 * (cells // 2)])[0]
    return size, struct.unpack(">I", page[pointer : pointer + 4])[0]


def flip(path: Path, offset: int, count: int = 200) -> None:
    with open(path, "r+b") as f:
        f.seek(offset)
        data = f.read(count)
        f.seek(offset)
        f.write(bytes(b ^ 0xFF for b in data))


def one_line(exc: pytest.ExceptionInfo[BaseException]) -> str:
    text = str(exc.value)
    assert "\n" not in text
    return text


# ------------------------------------------------------------------------------------- the lock


@pytest.mark.parametrize("how", ["symlink", "hard link"])
def test_a_second_writer_through_another_name_is_refused(tmp_path, how):
    db = tmp_path / "a.db"
    other = tmp_path / "other.db"
    with Store(db) as first:
        first.write_blocks([(make_block(n), [], []) for n in range(1, 11)])
        os.symlink(db, other) if how == "symlink" else os.link(db, other)
        with pytest.raises(StoreLocked) as exc:
            Store(other)
        line = one_line(exc)
        assert LOCKED.match(line) and line.startswith(str(other)) and f"(pid {os.getpid()})" in line
        first.write_blocks([(make_block(n), [], []) for n in range(11, 21)])  # the writer goes on
        # Readers are welcome: by the symlink too (it is resolved: one WAL), a hard link's name has
        # a WAL of its own, sqlite's limit (a reader by it fails while the writer writes by the other).
        with Store(other if how == "symlink" else db, readonly=True) as reader:
            assert reader.latest_block() == 20
    with Store(other) as again:  # the lock went with the first writer
        assert again.stats()["blocks"] == 20 and again.gaps() == []
        assert again.get_block(7) == make_block(7) and again.get_block(17) == make_block(17)


def test_a_delegated_writer_writes_only_under_its_parents_lock(tmp_path):
    """The dashboard's backfill process opens the database ``delegated``: without a writer, or under a
    writer that is not its parent (here: this process itself), it is refused in one line."""
    db = tmp_path / "a.db"
    with Store(db) as writer:
        writer.write_block(make_block(1))
    with pytest.raises(StoreLocked) as exc:
        Store(db, delegated=True)  # nobody holds the lock
    assert "not written by this process's parent (writer pid none)" in one_line(exc)
    with Store(db) as writer:
        with pytest.raises(StoreLocked) as exc:
            Store(db, delegated=True)  # the writer is this process, not its parent
        assert f"(writer pid {os.getpid()})" in one_line(exc)
        writer.write_block(make_block(2))  # the refused open left the writer alone
    with Store(db, readonly=True) as reader:
        assert reader.latest_block() == 2


def test_a_refused_open_leaves_the_writers_sqlite_locks_alone(tmp_path):
    """Closing any descriptor of a file drops the process's POSIX locks on it, SQLite's too: the
    descriptor of a refused open (in the writer's own process) is closed only after the writer's."""
    if not os.path.exists("/proc/locks"):
        pytest.skip("no /proc/locks here")
    db = tmp_path / "a.db"
    inode = None

    def sqlite_locks() -> list[str]:
        with open("/proc/locks") as f:
            return [line for line in f if " POSIX " in line and f":{inode} " in line]

    with Store(db) as writer:
        writer.write_block(make_block(1))
        inode = os.stat(db).st_ino
        before = sqlite_locks()
        assert before, "a WAL connection holds a SHARED lock on the file while it is open"
        fds = len(os.listdir("/proc/self/fd"))
        for _ in range(5):
            with pytest.raises(StoreLocked):
                Store(db)
        assert sqlite_locks() == before
        assert len(os.listdir("/proc/self/fd")) <= fds + 1, "one deferred descriptor, not one per try"
        writer.write_block(make_block(2))
    with Store(db) as again:
        assert again.latest_block() == 2


def test_a_new_file_a_failed_open_created_is_removed(tmp_path, monkeypatch):
    db = tmp_path / "new.db"

    def fail(self):
        raise StoreError("boom")

    monkeypatch.setattr(connection_mod.Connection, "_migrate", fail)
    with pytest.raises(StoreError, match="boom"):
        Store(db)
    monkeypatch.undo()
    assert not db.exists() or db.stat().st_size > 0
    with Store(db) as store:
        assert store.latest_block() is None


# -------------------------------------------------------------------------------- damaged files


@pytest.mark.parametrize("journal", ["wal", "delete"])
def test_a_damaged_file_is_refused_by_a_writer_and_left_as_it_is(tmp_path, journal):
    db = filled(tmp_path / "d.db")
    if journal == "delete":  # a file not in WAL yet: the check comes before switching it (a write)
        conn = sqlite3.connect(db)
        assert conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0] == "delete"
        conn.close()
    size = db.stat().st_size
    page = struct.unpack(">H", db.read_bytes()[16:18])[0]
    flip(db, (size // page // 2) * page)  # 200 bytes at the start of a page in the middle of the file
    damaged = db.read_bytes()
    for _ in range(2):
        with pytest.raises(StoreDamaged) as exc:
            Store(db)
        line = one_line(exc)
        assert DAMAGED.match(line) and line.startswith(f"{db} is damaged (")
        assert isinstance(exc.value, StoreError)
    assert db.read_bytes() == damaged, "nothing was written to the damaged file"


def test_quick_check_tells_a_reader_what_a_writer_refuses(tmp_path):
    """Damage off the pages a read touches goes unseen by reads; ``quick_check`` finds it, read-only
    (what ``db stats`` can show)."""
    db = filled(tmp_path / "q.db")
    with Store(db, readonly=True) as reader:
        assert reader.quick_check() is None and reader.quick_check(10.0) is None
    size = db.stat().st_size
    page = struct.unpack(">H", db.read_bytes()[16:18])[0]
    flip(db, (size // page // 2) * page)
    with Store(db, readonly=True) as reader:
        problem = reader.quick_check()
        assert problem and problem != "ok"
    with pytest.raises(StoreDamaged) as exc:
        Store(db)
    assert damaged_message(str(db), problem) == str(exc.value)


def test_a_damaged_file_read_only_is_one_line(tmp_path):
    db = filled(tmp_path / "d.db")
    size, leaf = blocks_leaf_page(db)
    flip(db, (leaf - 1) * size)  # the page header and cell pointers of a page of ``blocks``
    with pytest.raises(StoreDamaged) as exc:
        with Store(db, readonly=True) as reader:
            reader.stats()
    assert DAMAGED.match(one_line(exc))


def test_a_broken_header_is_damage_and_a_stranger_is_not_a_database(tmp_path):
    broken = filled(tmp_path / "h.db")
    flip(broken, 16, 84)  # page size, versions, counters: the header past its magic string
    for readonly in (True, False):
        with pytest.raises(StoreDamaged) as exc:
            Store(broken, readonly=readonly)
        assert DAMAGED.match(one_line(exc))
    stranger = tmp_path / "s.db"
    stranger.write_bytes(b"no sqlite here" * 300)
    with pytest.raises(StoreError, match="not an SQLite database") as exc2:
        Store(stranger, readonly=True)
    assert not isinstance(exc2.value, StoreDamaged)


def test_the_check_is_bounded_in_time(tmp_path, monkeypatch):
    """A check still running when its time is up is stopped, the file taken as it is, and nothing
    after it is interrupted."""
    db = filled(tmp_path / "b.db")
    monkeypatch.setattr(connection_mod, "QUICK_CHECK_SECONDS", 0.0)
    for _ in range(5):
        with Store(db) as store:
            store.write_block(make_block(500))
            time.sleep(0.01)
            assert store.has_block(500) and store.stats()["blocks"] == 201


# -------------------------------------------------------------------------------------- runs


def test_runs_left_unfinished_are_marked_interrupted_when_a_writer_opens(tmp_path):
    db = tmp_path / "r.db"
    with Store(db) as store:
        killed = store.start_run("fast_backfill", 1, 1000)
        store.update_run(killed, 300)
        done = store.start_run("fast_backfill", 1, 10)
        store.finish_run(done, "done")
        paused = store.start_run("backfill", 5, 50)
        store._c().execute("UPDATE backfill_runs SET status = 'paused' WHERE id = ?", (paused,))
        # closed without finishing them: what a kill -9 leaves
    with Store(db, readonly=True) as reader:  # a reader changes nothing
        assert reader.run_counts() == {"done": 1, "paused": 1, "running": 1}
    opened = time.time()
    with Store(db) as store:
        runs = store.list_runs(status="interrupted")
        assert [r["id"] for r in runs] == [paused, killed]
        assert all(r["finished_at"] >= opened - 1 for r in runs)
        assert runs[1]["blocks_done"] == 300 and runs[1]["start"] == 1 and runs[1]["end"] == 1000
        assert store.run_counts() == {"done": 1, "interrupted": 2}
        assert [r["status"] for r in store.list_runs()] == ["interrupted", "done", "interrupted"]
        live = store.start_run("fast_backfill", 1, 5)  # a run of this writer stays running
        assert store.list_runs(1)[0]["status"] == "running"
        finished = store.list_runs(status="done")[0]["finished_at"]
    with Store(db) as store:
        assert store.list_runs(1, status="interrupted")[0]["id"] == live
        assert store.list_runs(status="done")[0]["finished_at"] == finished


async def test_the_async_store_lists_interrupted_runs(tmp_path):
    db = tmp_path / "a.db"
    with Store(db) as store:
        store.start_run("fast_backfill", 1, 100)
    async with await AsyncStore.open(db) as store:
        assert [r["status"] for r in await store.list_runs(5, "interrupted")] == ["interrupted"]
        assert await store.run_counts() == {"interrupted": 1}
        assert await store.quick_check() is None


# ------------------------------------------------------------------------------ decoding processes


def children(pid: int) -> dict[int, str]:
    """pid -> state of the processes whose parent is ``pid`` (from /proc)."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found[int(entry)] = fields[0]
    return found


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="no /proc here")
def test_decoding_processes_outlive_the_thread_that_started_the_pool_and_are_reaped():
    """Linux's parent-death signal follows the *thread* that started a process: the pool starts its
    processes from one thread of its own, so a pool made (and used) by a thread that then ends keeps
    them. Closing the pool reaps them: no zombie."""
    made: dict[str, DecoderPool] = {}

    def make() -> None:
        pool = DecoderPool(2, "ws://127.0.0.1:9", [], timeout=5)
        made["pool"] = pool
        with pytest.raises(ChainError):  # one round trip: the process is up and serving
            asyncio.run(pool.prepare([]))

    thread = threading.Thread(target=make)
    thread.start()
    thread.join(60)
    pool = made["pool"]
    try:
        pids = pool.pids
        assert len(pids) == 2
        time.sleep(1.0)
        assert pool.pids == pids, "a decoding process died with the thread that made the pool"
    finally:
        pool.close()
    left = children(os.getpid())
    assert not set(pids) & set(left), f"decoding processes left after close: {left}"
