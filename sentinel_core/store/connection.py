"""Opening Sentinel's SQLite file: pragmas, the single-writer lock, transactions, errors, the writer thread.

:class:`Connection` is the base every area of the store builds on: it opens (or creates and
migrates) the file, holds the one ``sqlite3`` connection, and offers the three primitives the areas
use: :meth:`Connection._write` (one IMMEDIATE transaction), :meth:`Connection._q` and
:meth:`Connection._q1` (reads). Every sqlite failure surfaces as :class:`StoreError` with a one-line
message naming the file (:func:`sqlite_message`).

Only one process may write a database: a writer holds an exclusive ``flock`` on the database file
itself, its inode, whatever name (a symlink, a hard link) it was opened by (:class:`StoreLocked` when
another holds it). On Linux ``flock`` locks and SQLite's POSIX (``fcntl``) locks do not interact, so
readers are not disturbed. A writer also checks the file (``PRAGMA quick_check``, bounded in time)
before it writes to it, and refuses a damaged one (:class:`StoreDamaged`); runs left ``running`` by a
killed process are marked ``interrupted`` then (the writer's lock proves no live process owns them).

A writer may delegate writing to a child process of its own (the dashboard's backfill runs in one):
the child opens the file ``delegated``: it takes no lock, checks that its parent holds it, and
neither migrates, checks nor repairs the file (the parent did). SQLite serialises the two
connections' transactions (each waits up to :data:`BUSY_TIMEOUT_MS` for the other).

:class:`WriterThread` is the one dedicated thread an :class:`~sentinel_core.store.AsyncStore` runs
every store call on, so the async core never blocks its event loop.
"""

from __future__ import annotations

import asyncio
import errno
import fcntl
import functools
import os
import sqlite3
import threading
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, ParamSpec, TypeVar

from ..errors import SentinelError
from .migrations import SCHEMA_VERSION, migrate, schema_version

BUSY_TIMEOUT_MS = 5000

QUICK_CHECK_SECONDS = 3.0
"""How long a writer's ``PRAGMA quick_check`` at open may take. It reads the whole file, whatever its
limit on reported errors: measured, ~0.35 s for 20,000 blocks (240 MiB) and ~1.7 s for 100,000
(1.2 GiB) in the page cache, ~3 s and ~16 s from a cold disk. A check still running then is stopped
and the file taken as it is, checked as far as the check got."""

SQLITE_HEADER = b"SQLite format 3\x00"

P = ParamSpec("P")
R = TypeVar("R")


class StoreError(SentinelError):
    """A storage failure, with a one-line message fit to show the user."""


class StoreLocked(StoreError):
    """Another process is writing this database."""


class StoreDamaged(StoreError):
    """The database file is damaged (corrupt pages, a broken header)."""


def _is_sqlite_file(path: str) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


def damaged_message(path: str, detail: str) -> str:
    """The one line for a damaged file; ``detail`` is sqlite's first complaint (its first line)."""
    lines = [ln.strip() for ln in detail.splitlines() if ln.strip() and not ln.startswith("***")]
    return f"{path} is damaged ({lines[0] if lines else detail.strip()}): restore a backup or move it aside"


def _is_damage(path: str, low: str) -> bool:
    if "malformed" in low or "corrupt" in low:
        return True
    # "file is not a database" of a file that starts as SQLite's do: a broken header, not a stranger
    return "not a database" in low and path != ":memory:" and _is_sqlite_file(path)


def sqlite_message(path: str, exc: BaseException, action: str) -> str:
    """A one-line message for a sqlite failure while doing ``action`` ("open", "write to", ...) on ``path``."""
    text = str(exc)
    low = text.lower()
    if "disk is full" in low or "database or disk is full" in low:
        return f"cannot {action} {path}: the database or disk is full"
    if "readonly" in low or "read-only" in low:
        return f"cannot {action} {path}: the file (or its directory) is read-only"
    if _is_damage(path, low):
        return damaged_message(path, text)
    if "not a database" in low:
        return f"cannot {action} {path}: the file is not an SQLite database"
    if "unable to open" in low:
        return f"cannot {action} {path}: unable to open the file (missing or not permitted)"
    if "locked" in low or "busy" in low:
        return (
            f"cannot {action} {path}: the database stayed locked by another connection "
            f"for more than {BUSY_TIMEOUT_MS / 1000:g}s"
        )
    if "disk i/o" in low:
        return f"cannot {action} {path}: disk I/O error"
    return f"cannot {action} {path}: {text}"


def store_error(path: str, exc: BaseException, action: str) -> StoreError:
    """The :class:`StoreError` (:class:`StoreDamaged` for a damaged file) of a sqlite failure."""
    message = sqlite_message(path, exc, action)
    return StoreDamaged(message) if _is_damage(path, str(exc).lower()) else StoreError(message)


# -- this process's descriptors of database files ---------------------------------------------------
#
# Closing any descriptor of a file drops every POSIX lock the process holds on it, SQLite's among them
# (in WAL mode a connection holds a SHARED lock on the database file as long as it is open; without it
# another process may checkpoint and remove the WAL under it). So the descriptor the writer lock is
# taken on is closed only once none of this process's connections has the file open; until then its
# close is deferred (what SQLite itself does with its own descriptors).

FileKey = tuple[int, int]
"""(st_dev, st_ino): a database file, whatever its name."""

_files_lock = threading.Lock()
_users: dict[FileKey, int] = {}
_deferred: dict[FileKey, list[int]] = {}


def _file_key(st: os.stat_result) -> FileKey:
    return (st.st_dev, st.st_ino)


def _use(key: FileKey) -> None:
    with _files_lock:
        _users[key] = _users.get(key, 0) + 1


def _unuse(key: FileKey) -> None:
    with _files_lock:
        left = _users.get(key, 0) - 1
        if left > 0:
            _users[key] = left
            return
        _users.pop(key, None)
        fds = _deferred.pop(key, [])
    for fd in fds:
        os.close(fd)


def _close_fd(key: FileKey, fd: int) -> None:
    """Close ``fd`` of the file ``key`` now, or once this process's last connection to it is closed."""
    with _files_lock:
        if _users.get(key, 0) > 0:
            _deferred.setdefault(key, []).append(fd)
            return
    os.close(fd)


def _deferred_fd(path: str) -> int | None:
    """A descriptor of ``path`` whose close was deferred, to use again (so a process that keeps
    trying to write a file it reads holds one such descriptor, not one per try)."""
    try:
        key = _file_key(os.stat(path))
    except OSError:
        return None
    with _files_lock:
        fds = _deferred.get(key)
        return fds.pop() if fds else None


def _lock_holder(key: FileKey) -> str | None:
    """The pid holding an exclusive ``flock`` on the file ``key``, from /proc/locks (Linux)."""
    dev, ino = key
    want = f"{os.major(dev):02x}:{os.minor(dev):02x}:{ino}"
    try:
        with open("/proc/locks") as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    for line in lines:
        fields = line.split()
        # "1: FLOCK  ADVISORY  WRITE 1234 fd:01:5678 0 EOF" ("->" marks a waiter)
        if len(fields) >= 6 and fields[1] == "FLOCK" and fields[3] == "WRITE" and fields[5] == want:
            return fields[4] if fields[4] not in ("0", "-1") else None  # 0, -1: not visible here
    return None


class Connection:
    """One open SQLite file. Not thread-safe: use it from one thread at a time (``AsyncStore`` does)."""

    def __init__(
        self, path: str | os.PathLike[str], *, readonly: bool = False, delegated: bool = False
    ) -> None:
        self.path = str(path)
        """The path as given, for messages."""
        self.readonly = readonly
        self.delegated = delegated and not readonly
        """Writing under the parent process's writer lock (see the module's docstring)."""
        self._memory = self.path == ":memory:"
        self._real = self.path if self._memory else os.path.realpath(self.path)
        """The file itself (symlinks resolved): what sqlite opens, so every name shares one WAL."""
        self._key: FileKey | None = None
        self._lock_fd: int | None = None
        self._pid_fd: int | None = None
        self._created = False
        """This open created the file (it did not exist)."""
        self.conn: sqlite3.Connection | None = None
        self.schema_version = SCHEMA_VERSION
        """The schema version of the open file (older than :data:`SCHEMA_VERSION` only read-only)."""
        if self._memory and (readonly or delegated):
            raise StoreError("cannot open an in-memory database read-only or from another process")
        if not readonly and not self._memory:
            self._check_dir()
        try:
            if self.delegated:
                self._check_parent_holds_lock()
            elif not readonly and not self._memory:
                self._acquire_lock()
            self.conn = self._connect()
            if readonly:
                self._check_schema_readonly()
            elif self.delegated:
                self._check_schema_current()
            else:
                self._migrate()
                self._writer_opened()
        except BaseException:
            self._discard_new_file()
            self.close()
            raise

    # -- opening ------------------------------------------------------------------------------

    def _check_dir(self) -> None:
        directory = os.path.dirname(self._real)
        if not os.path.isdir(directory):
            raise StoreError(f"cannot create database at {self.path}: directory {directory} does not exist")
        if not os.path.exists(self._real) and not os.access(directory, os.W_OK | os.X_OK):
            raise StoreError(f"cannot create database at {self.path}: permission denied")

    def _acquire_lock(self) -> None:
        """The exclusive ``flock`` on the database file itself (created empty when new: sqlite takes
        an empty file for a new database), so a second writer is refused whatever name it uses.

        ``<file>.lock`` is kept too, locked and holding the writer's pid: earlier Sentinels lock only
        that file (one of them and this one on the same file still exclude each other), and the pid is
        the refusal's hint where /proc/locks is not there to ask."""
        self._created = not os.path.exists(self._real)
        try:
            fd = _deferred_fd(self._real)
            if fd is None:
                fd = os.open(self._real, os.O_RDONLY | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            action = "create database at" if self._created else "open"
            reason = "permission denied" if isinstance(exc, PermissionError) else exc.strerror or str(exc)
            raise StoreError(f"cannot {action} {self.path}: {reason.lower()}") from None
        key = _file_key(os.fstat(fd))
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            _close_fd(key, fd)
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise self._locked(_lock_holder(key) or self._pid_file_holder()) from None
            raise StoreError(f"cannot lock {self.path}: {exc.strerror}") from None
        self._key, self._lock_fd = key, fd
        _use(key)
        self._lock_pid_file()

    def _check_parent_holds_lock(self) -> None:
        """A delegated writer writes only under its parent's writer lock."""
        try:
            fd = os.open(self._real, os.O_RDONLY | os.O_CLOEXEC)
        except OSError as exc:
            raise StoreError(f"cannot open {self.path}: {(exc.strerror or str(exc)).lower()}") from None
        key = _file_key(os.fstat(fd))
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)  # taken: nobody writes the file
            fcntl.flock(fd, fcntl.LOCK_UN)
            held = False
        except OSError as exc:
            held = exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES)
        finally:
            _close_fd(key, fd)
        holder = (_lock_holder(key) or self._pid_file_holder()) if held else None
        if holder != str(os.getppid()):
            raise StoreLocked(
                f"{self.path}: not written by this process's parent (writer pid {holder or 'none'}); "
                "a delegated writer writes only under its parent's lock"
            )
        self._key = key
        _use(key)

    def _locked(self, holder: str | None) -> StoreLocked:
        return StoreLocked(
            f"{self.path} is being written by another Sentinel process (pid {holder or 'unknown'}); "
            "open it read-only or stop that process"
        )

    def _pid_file_holder(self) -> str | None:
        try:
            with open(self._real + ".lock", "rb") as f:
                return f.read(64).decode(errors="replace").strip() or None
        except OSError:
            return None

    def _lock_pid_file(self) -> None:
        """Lock ``<file>.lock`` and write this process's pid in it (see :meth:`_acquire_lock`)."""
        lock_path = self._real + ".lock"
        try:
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except PermissionError:
            raise StoreError(
                f"cannot create database at {self.path}: permission denied ({lock_path})"
            ) from None
        except OSError as exc:
            raise StoreError(
                f"cannot create database at {self.path}: {(exc.strerror or str(exc)).lower()} ({lock_path})"
            ) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            try:
                holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or None
            finally:
                os.close(fd)
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise self._locked(holder) from None
            raise StoreError(f"cannot lock {lock_path}: {exc.strerror}") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._pid_fd = fd

    def _connect(self) -> sqlite3.Connection:
        action = "create database at" if self._created else "open"
        try:
            if self.readonly:
                if not os.path.exists(self._real):
                    raise StoreError(f"cannot open {self.path} read-only: no such file")
                self._key = _file_key(os.stat(self._real))
                _use(self._key)
                uri = "file:" + urllib.parse.quote(self._real) + "?mode=ro"
                conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
            else:
                conn = sqlite3.connect(self._real, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise store_error(self.path, exc, action) from None
        try:
            self._configure(conn)
        except BaseException as exc:
            conn.close()
            if isinstance(exc, sqlite3.Error):
                raise store_error(self.path, exc, action) from None
            raise
        return conn

    def _configure(self, conn: sqlite3.Connection) -> None:
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if self.readonly:
            conn.execute("PRAGMA query_only = ON")
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return
        conn.execute("PRAGMA cache_size = -16384")  # 16 MiB: bounded memory in long runs
        if self.delegated:  # the parent checked the file and set its journal mode
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = OFF")
            conn.execute("PRAGMA temp_store = MEMORY")
            return
        if not self._memory:
            self._refuse_damage(conn)  # before anything is written (journal_mode may write the header)
        # Only takes effect on a new, empty file; 8 KiB pages insert ~15% faster here.
        conn.execute("PRAGMA page_size = 8192")
        if not self._memory:
            conn.execute("PRAGMA journal_mode = WAL").fetchone()
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("PRAGMA temp_store = MEMORY")

    def _refuse_damage(self, conn: sqlite3.Connection) -> None:
        """A writer refuses a damaged file before writing to it (a damaged file's readable part would
        be taken for all of it: a backfill found its blocks "stored already"), checked in at most
        :data:`QUICK_CHECK_SECONDS`."""
        problem = self._quick_check(conn, QUICK_CHECK_SECONDS)
        if problem is not None:
            raise StoreDamaged(damaged_message(self.path, problem))

    def quick_check(self, seconds: float | None = None) -> str | None:
        """The first problem ``PRAGMA quick_check`` finds in the file (sqlite's words), None when it
        finds none. It reads the whole file; with ``seconds`` a check still running then is stopped
        (sqlite's interrupt: its progress handler is not called inside the b-tree walk, the bulk of
        the work) and None vouches only for what it got through. Read-only stores can run it too."""
        return self._quick_check(self._c(), seconds)

    def _quick_check(self, conn: sqlite3.Connection, seconds: float | None) -> str | None:
        timer: threading.Timer | None = None
        guard = threading.Lock()
        running = True

        def interrupt() -> None:
            with guard:
                if running:
                    conn.interrupt()

        if seconds is not None:
            timer = threading.Timer(seconds, interrupt)
            timer.daemon = True
            timer.start()
        try:
            rows = conn.execute("PRAGMA quick_check(1)").fetchall()
        except sqlite3.Error as exc:
            if "interrupted" in str(exc).lower():
                return None  # a big file read from a cold disk: checked as far as the time allowed
            error = store_error(self.path, exc, "check")
            if isinstance(error, StoreDamaged):
                return str(exc)
            raise error from None
        finally:
            with guard:
                running = False
            if timer is not None:
                timer.cancel()
        first = str(rows[0][0]) if rows else "ok"
        return None if first == "ok" else first

    def _writer_opened(self) -> None:
        """Called once a writer has opened (and migrated) the file, under its lock: areas extend it
        to repair what a killed writer left (they call ``super()._writer_opened()``)."""

    def _discard_new_file(self) -> None:
        """A file this failed open created, still empty, is removed (under the lock, so no one else
        uses it); one that holds anything is left alone."""
        if not self._created or self._lock_fd is None:
            return
        try:
            if os.path.getsize(self._real) == 0:
                os.unlink(self._real)
        except OSError:
            pass

    def _version(self) -> int | None:
        try:
            return schema_version(self._c())
        except sqlite3.Error as exc:
            raise store_error(self.path, exc, "read") from None

    def _too_new(self, version: int) -> StoreError:
        return StoreError(
            f"cannot open {self.path}: schema version {version} is newer than this Sentinel "
            f"understands ({SCHEMA_VERSION})"
        )

    def _check_schema_readonly(self) -> None:
        version = self._version()
        if version is None:
            raise StoreError(f"cannot open {self.path}: not a Sentinel database (no schema)")
        if version > SCHEMA_VERSION:
            raise self._too_new(version)
        self.schema_version = version

    def _check_schema_current(self) -> None:
        version = self._version()
        if version != SCHEMA_VERSION:
            raise StoreError(f"cannot open {self.path}: schema version {version}, expected {SCHEMA_VERSION}")

    def _migrate(self) -> None:
        version = self._version()
        if version is not None and version > SCHEMA_VERSION:
            raise self._too_new(version)
        if version == SCHEMA_VERSION:
            return
        with self._write("create the schema in") as conn:
            migrate(conn, version or 0)

    # -- lifecycle ----------------------------------------------------------------------------

    def close(self) -> None:
        """Close the connection and release the writer lock. Safe to call twice."""
        if self.conn is not None:
            try:
                self.conn.close()
            except sqlite3.Error:
                pass
            self.conn = None
        if self._pid_fd is not None:
            try:
                fcntl.flock(self._pid_fd, fcntl.LOCK_UN)
            finally:
                os.close(self._pid_fd)
                self._pid_fd = None
        key, self._key = self._key, None
        if self._lock_fd is not None:
            fd, self._lock_fd = self._lock_fd, None
            try:
                fcntl.flock(fd, fcntl.LOCK_UN)
            finally:
                assert key is not None
                _unuse(key)
                _close_fd(key, fd)
        elif key is not None:
            _unuse(key)

    @property
    def closed(self) -> bool:
        return self.conn is None

    def __repr__(self) -> str:
        mode = "ro" if self.readonly else "rw"
        return f"<Store {self.path} {mode}{' closed' if self.closed else ''}>"

    # -- plumbing -----------------------------------------------------------------------------

    def _c(self) -> sqlite3.Connection:
        if self.conn is None:
            raise StoreError(f"{self.path}: the store is closed")
        return self.conn

    @contextmanager
    def _write(self, action: str = "write to") -> Iterator[sqlite3.Connection]:
        """One IMMEDIATE transaction; rolled back on any error, sqlite errors become StoreError."""
        if self.readonly:
            raise StoreError(f"cannot write to {self.path}: it was opened read-only")
        conn = self._c()
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise store_error(self.path, exc, action) from None
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException as exc:
            if conn.in_transaction:
                try:
                    conn.execute("ROLLBACK")
                except sqlite3.Error:
                    pass
            if isinstance(exc, sqlite3.Error):
                raise store_error(self.path, exc, action) from None
            raise

    def _q(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[sqlite3.Row]:
        try:
            rows: list[sqlite3.Row] = self._c().execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise store_error(self.path, exc, "read") from None
        return rows

    def _q1(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> sqlite3.Row | None:
        try:
            row: sqlite3.Row | None = self._c().execute(sql, params).fetchone()
        except sqlite3.Error as exc:
            raise store_error(self.path, exc, "read") from None
        return row

    def _one(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> sqlite3.Row:
        """The one row of an aggregate query (``SELECT count(*) ...``)."""
        row = self._q1(sql, params)
        assert row is not None
        return row


class WriterThread:
    """The one thread a store's calls run on (the sqlite connection is also created there)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._executor: ThreadPoolExecutor | None = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="sentinel-store"
        )

    @property
    def closed(self) -> bool:
        return self._executor is None

    async def call(self, fn: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> R:
        """``fn(*args, **kwargs)`` on the thread, awaited."""
        if self._executor is None:
            raise StoreError(f"{self.path}: the store is closed")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(fn, *args, **kwargs))

    def shutdown(self, wait: bool = True) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=wait)
            self._executor = None
