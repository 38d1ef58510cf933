"""Sentinel's storage: one SQLite file, written by one process, read by many.

``Store`` is the synchronous store the CLI uses directly; ``AsyncStore`` runs the same methods on
one dedicated worker thread so the async core never blocks its event loop.

Layout (schema version 2; JSON columns are compact ``json.dumps(separators=(",", ":"))`` text):

    blocks              number PK, hash, parent_hash, timestamp, spec_version, finalized,
                        extrinsic_count, failed_count, event_count, decode_error,
                        notable (JSON list of notable call qualnames, NULL when none)
    extrinsics          (block, idx) PK, hash, signer, pallet, call, args, success, error, calls
                        (calls: JSON list of Call dicts; NULL when the one effective call is the
                        extrinsic's own, unwrapped call, which is most of them)
    events              (block, idx) PK, extrinsic_index, pallet, name, attributes
    hyperparam_changes  id PK, block, netuid, name, old, new, extrinsic_index, signer, call,
                        via_sudo, known;
                        unique on (block, netuid, name, ifnull(extrinsic_index, -1))
    hyperparam_snapshots (block, netuid) PK, values
    alerts              id PK, dedup_key UNIQUE, rule, severity, block, extrinsic_index, netuid,
                        message, fields, channels, created_at, acknowledged
    deliveries          id PK, alert_id, channel, status (pending|delivered|failed), attempts,
                        next_attempt_at, last_error; unique (alert_id, channel)
    backfill_runs       id PK, mode, start, end, started_at, finished_at, status, blocks_done
    meta                key PK, value  (``schema_version`` among others)

A block is always written whole in one transaction together with its hyperparameter changes and
alerts: writing a number again (a retry or a reorg before finality) replaces what was stored for it.
Alerts are never replaced: ``dedup_key`` makes each happening alert once, also across restarts, and
each new alert enqueues one ``deliveries`` row per channel (the outbox the channel sender drains).

Only one process may write a database: a writer holds an exclusive ``flock`` on ``<path>.lock``.
Every sqlite failure surfaces as ``StoreError`` with a one-line message naming the file.
"""

from __future__ import annotations

import asyncio
import errno
import fcntl
import functools
import json
import os
import sqlite3
import time
import urllib.parse
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, NamedTuple

from sentinel_core.model import Alert, Block, Call, Event, Extrinsic, HyperparamChange, Severity
from sentinel_core.notable import notable_calls

SCHEMA_VERSION = 2
DROPPED_INDEXES = ("events_pallet_name", "extrinsics_pallet_call", "extrinsics_signer")
"""Indexes of schema 1 that no query used; keeping them up to date cost a third of every block write."""
BUSY_TIMEOUT_MS = 5000


def _json_default(o: Any) -> Any:
    raise TypeError(f"Object of type {type(o).__name__} is not JSON serializable")


def _make_encoder() -> Any:
    """Compact JSON encoder, as ``json.dumps(v, separators=(",", ":"), ensure_ascii=False)``.

    Calls the C encoder directly: ``JSONEncoder.encode`` rebuilds it for every value, which costs
    two thirds of the time for the small dicts stored per event (the backfill hot path).
    """
    fallback = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
    c_make_encoder = getattr(json.encoder, "c_make_encoder", None)
    if c_make_encoder is None:
        return fallback
    try:
        c_enc = c_make_encoder(
            None, _json_default, json.encoder.encode_basestring, None, ":", ",", False, False, True
        )
        for probe in ({"a": [1, "é\n", None, True, 1.5], 2: {}}, 's"', 7, None, []):
            if "".join(c_enc(probe, 0)) != fallback(probe):
                return fallback
    except Exception:
        return fallback

    def encode(value: Any, _c=c_enc, _join="".join) -> str:
        return _join(_c(value, 0))

    return encode


_encode = _make_encoder()
_SEVERITY_ORDER = [s.value for s in sorted(Severity, key=lambda s: s.rank)]


class StoreError(Exception):
    """A storage failure, with a one-line message fit to show the user."""


class StoreLocked(StoreError):
    """Another process is writing this database."""


# --------------------------------------------------------------------------------------- helpers


def _dump(value: Any) -> str | None:
    return None if value is None else _encode(value)


def _load(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def _call_dict(c: Call) -> dict[str, Any]:
    return {
        "pallet": c.pallet,
        "name": c.name,
        "args": c.args,
        "via": c.via,
        "success": c.success,
        "error": c.error,
    }


def _calls_from_row(r: sqlite3.Row, args: dict[str, Any]) -> list[Call]:
    if r["calls"] is None:
        return [
            Call(pallet=r["pallet"], name=r["call"], args=args, success=bool(r["success"]), error=r["error"])
        ]
    return [Call(**c) for c in json.loads(r["calls"])]


def _block_events(block: Block) -> list[Event]:
    """The events to store: ``block.events``, or when that is empty those hung on extrinsics."""
    if block.events:
        return block.events
    return sorted((e for ex in block.extrinsics for e in ex.events), key=lambda e: e.index)


def _sqlite_message(path: str, exc: BaseException, action: str) -> str:
    text = str(exc)
    low = text.lower()
    if "disk is full" in low or "database or disk is full" in low:
        return f"cannot {action} {path}: the database or disk is full"
    if "readonly" in low or "read-only" in low:
        return f"cannot {action} {path}: the file (or its directory) is read-only"
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
    if "malformed" in low or "corrupt" in low:
        return f"cannot {action} {path}: the database file is corrupt ({text})"
    return f"cannot {action} {path}: {text}"


def _row_to_change(r: sqlite3.Row) -> HyperparamChange:
    return HyperparamChange(
        block=r["block"],
        netuid=r["netuid"],
        name=r["name"],
        old=_load(r["old"]),
        new=_load(r["new"]),
        extrinsic_index=r["extrinsic_index"],
        signer=r["signer"],
        call=r["call"],
        via_sudo=bool(r["via_sudo"]),
        known=bool(r["known"]),
    )


def _row_to_alert(r: sqlite3.Row) -> Alert:
    return Alert(
        rule=r["rule"],
        severity=r["severity"],
        block=r["block"],
        extrinsic_index=r["extrinsic_index"],
        netuid=r["netuid"],
        message=r["message"],
        fields=_load(r["fields"]) or {},
        dedup_key=r["dedup_key"],
        channels=_load(r["channels"]) or [],
        created_at=r["created_at"],
    )


def _block_row(block: Block) -> tuple[tuple, list[tuple], list[tuple]]:
    """(blocks row, extrinsics rows, events rows) for one block. The backfill hot path: kept flat.

    ``calls`` is NULL when the extrinsic's only effective call is itself, unwrapped.
    """
    n = block.number
    if block.decode_error is not None:
        row = (
            n,
            block.hash,
            block.parent_hash,
            block.timestamp,
            block.spec_version,
            int(block.finalized),
            0,
            0,
            0,
            block.decode_error,
            None,
        )
        return row, [], []
    enc = _encode
    notable = notable_calls(block)
    ex_rows = []
    failed = 0
    for ex in block.extrinsics:
        success = ex.success
        if not success:
            failed += 1
        calls = ex.calls
        calls_json = None
        if len(calls) == 1:
            c = calls[0]
            if (
                c.via
                or c.name != ex.call
                or c.pallet != ex.pallet
                or c.success != success
                or c.error != ex.error
                or c.args != ex.args
            ):
                calls_json = enc([_call_dict(c)])
        else:
            calls_json = enc([_call_dict(c) for c in calls])
        ex_rows.append(
            (
                n,
                ex.index,
                ex.hash,
                ex.signer,
                ex.pallet,
                ex.call,
                enc(ex.args),
                1 if success else 0,
                ex.error,
                calls_json,
            )
        )
    ev_rows = [
        (n, e.index, e.extrinsic_index, e.pallet, e.name, None if e.attributes is None else enc(e.attributes))
        for e in _block_events(block)
    ]
    row = (
        n,
        block.hash,
        block.parent_hash,
        block.timestamp,
        block.spec_version,
        int(block.finalized),
        len(ex_rows),
        failed,
        len(ev_rows),
        None,
        enc(notable) if notable else None,
    )
    return row, ex_rows, ev_rows


def _change_row(c: HyperparamChange) -> tuple:
    return (
        c.block,
        c.netuid,
        c.name,
        _dump(c.old),
        _dump(c.new),
        c.extrinsic_index,
        c.signer,
        c.call,
        int(c.via_sudo),
        int(c.known),
    )


class BlockRows(NamedTuple):
    """The rows of a run of blocks, ready for one transaction (plain tuples: cheap to send between
    processes)."""

    numbers: list[int]
    blocks: list[tuple]
    extrinsics: list[tuple]
    events: list[tuple]
    changes: list[tuple]
    alerts: list[Alert]


def block_rows(items: Iterable[tuple[Block, Sequence[HyperparamChange], Sequence[Alert]]]) -> BlockRows:
    """Rows for blocks with their changes and alerts. A number repeated in ``items``: the last wins
    (its alerts all stay: they are deduplicated on their key when written)."""
    items = list(items)
    last_of = {block.number: pos for pos, (block, _, _) in enumerate(items)}
    rows = BlockRows(sorted(last_of), [], [], [], [], [])
    for pos, (block, changes, block_alerts) in enumerate(items):
        rows.alerts.extend(block_alerts)
        if last_of[block.number] != pos:
            continue
        brow, erows, vrows = _block_row(block)
        rows.blocks.append(brow)
        rows.extrinsics.extend(erows)
        rows.events.extend(vrows)
        rows.changes.extend(_change_row(c) for c in changes)
    return rows


_SQL_BLOCK = (
    "INSERT OR REPLACE INTO blocks (number, hash, parent_hash, timestamp, spec_version, finalized,"
    " extrinsic_count, failed_count, event_count, decode_error, notable)"
    " VALUES (?,?,?,?,?,?,?,?,?,?,?)"
)
_SQL_EXTRINSIC = (
    "INSERT OR REPLACE INTO extrinsics (block, idx, hash, signer, pallet, call, args, success,"
    " error, calls) VALUES (?,?,?,?,?,?,?,?,?,?)"
)
_SQL_EVENT = (
    "INSERT OR REPLACE INTO events (block, idx, extrinsic_index, pallet, name, attributes)"
    " VALUES (?,?,?,?,?,?)"
)
_SQL_CHANGE = (
    "INSERT OR REPLACE INTO hyperparam_changes (block, netuid, name, old, new, extrinsic_index,"
    " signer, call, via_sudo, known) VALUES (?,?,?,?,?,?,?,?,?,?)"
)
_SQL_ALERT = (
    "INSERT OR IGNORE INTO alerts (dedup_key, rule, severity, block, extrinsic_index, netuid,"
    " message, fields, channels, created_at) VALUES (?,?,?,?,?,?,?,?,?,?)"
)
_SQL_DELIVERY = (
    "INSERT OR IGNORE INTO deliveries (alert_id, channel, status, attempts, next_attempt_at)"
    " VALUES (?, ?, 'pending', 0, 0)"
)


# ----------------------------------------------------------------------------------------- Store


class Store:
    """The SQLite store. Not thread-safe: use it from one thread at a time (``AsyncStore`` does)."""

    def __init__(self, path: str | os.PathLike[str], *, readonly: bool = False) -> None:
        self.path = str(path)
        self.readonly = readonly
        self._memory = self.path == ":memory:"
        self._lock_fd: int | None = None
        self.conn: sqlite3.Connection | None = None
        if self._memory and readonly:
            raise StoreError("cannot open an in-memory database read-only")
        if not readonly and not self._memory:
            self._check_dir()
            self._acquire_lock()
        try:
            self.conn = self._connect()
            import sqlite_utils  # imported here: one-shot CLI commands that never open a store stay quick

            self.db = sqlite_utils.Database(self.conn)
            if readonly:
                self._check_schema_readonly()
            else:
                self._create_schema()
        except BaseException:
            self.close()
            raise

    # -- opening ------------------------------------------------------------------------------

    def _check_dir(self) -> None:
        directory = os.path.dirname(os.path.abspath(self.path))
        if not os.path.isdir(directory):
            raise StoreError(f"cannot create database at {self.path}: directory {directory} does not exist")
        if not os.path.exists(self.path) and not os.access(directory, os.W_OK | os.X_OK):
            raise StoreError(f"cannot create database at {self.path}: permission denied")

    def _acquire_lock(self) -> None:
        lock_path = self.path + ".lock"
        try:
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        except PermissionError:
            raise StoreError(
                f"cannot create database at {self.path}: permission denied ({lock_path})"
            ) from None
        except OSError as exc:
            raise StoreError(
                f"cannot create database at {self.path}: {exc.strerror.lower()} ({lock_path})"
            ) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            try:
                holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "unknown"
            finally:
                os.close(fd)
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise StoreLocked(
                    f"{self.path} is being written by another Sentinel process (pid {holder}); "
                    "open it read-only or stop that process"
                ) from None
            raise StoreError(f"cannot lock {self.path}: {exc.strerror}") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._lock_fd = fd

    def _connect(self) -> sqlite3.Connection:
        try:
            if self.readonly:
                if not os.path.exists(self.path):
                    raise StoreError(f"cannot open {self.path} read-only: no such file")
                uri = "file:" + urllib.parse.quote(os.path.abspath(self.path)) + "?mode=ro"
                conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
            else:
                conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            conn.row_factory = sqlite3.Row
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            if self.readonly:
                conn.execute("PRAGMA query_only = ON")
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            else:
                # Only takes effect on a new, empty file; 8 KiB pages insert ~15% faster here.
                conn.execute("PRAGMA page_size = 8192")
                if not self._memory:
                    conn.execute("PRAGMA journal_mode = WAL").fetchone()
                conn.execute("PRAGMA synchronous = NORMAL")
                conn.execute("PRAGMA foreign_keys = OFF")
                conn.execute("PRAGMA cache_size = -16384")  # 16 MiB: bounded memory in long runs
                conn.execute("PRAGMA temp_store = MEMORY")
        except sqlite3.Error as exc:
            action = "open" if self.readonly or os.path.exists(self.path) else "create database at"
            raise StoreError(_sqlite_message(self.path, exc, action)) from None
        return conn

    def _check_schema_readonly(self) -> None:
        version = self._meta_version()
        if version is None:
            raise StoreError(f"cannot open {self.path}: not a Sentinel database (no schema)")
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"cannot open {self.path}: schema version {version} is newer than this Sentinel "
                f"understands ({SCHEMA_VERSION})"
            )

    def _meta_version(self) -> int | None:
        try:
            if not self.db["meta"].exists():
                return None
            row = self.conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        except sqlite3.Error as exc:
            raise StoreError(_sqlite_message(self.path, exc, "read")) from None
        return int(row[0]) if row else None

    def _create_schema(self) -> None:
        version = self._meta_version()
        if version is not None and version > SCHEMA_VERSION:
            raise StoreError(
                f"cannot open {self.path}: schema version {version} is newer than this Sentinel "
                f"understands ({SCHEMA_VERSION})"
            )
        if version == SCHEMA_VERSION:
            return
        db = self.db
        with self._write("create the schema in"):
            t = dict(if_not_exists=True)
            db.create_table("meta", {"key": str, "value": str}, pk="key", **t)
            db.create_table(
                "blocks",
                {
                    "number": int,
                    "hash": str,
                    "parent_hash": str,
                    "timestamp": int,
                    "spec_version": int,
                    "finalized": int,
                    "extrinsic_count": int,
                    "failed_count": int,
                    "event_count": int,
                    "decode_error": str,
                    "notable": str,
                },
                pk="number",
                not_null=["hash"],
                defaults={"finalized": 0, "extrinsic_count": 0, "failed_count": 0, "event_count": 0},
                **t,
            )
            # The two big tables are clustered on their primary key (WITHOUT ROWID): one b-tree
            # instead of table + key index, which is most of the insert cost in a backfill.
            self._create_without_rowid(
                "extrinsics",
                {
                    "block": int,
                    "idx": int,
                    "hash": str,
                    "signer": str,
                    "pallet": str,
                    "call": str,
                    "args": str,
                    "success": int,
                    "error": str,
                    "calls": str,
                },
            )
            self._create_without_rowid(
                "events",
                {
                    "block": int,
                    "idx": int,
                    "extrinsic_index": int,
                    "pallet": str,
                    "name": str,
                    "attributes": str,
                },
            )
            db.create_table(
                "hyperparam_changes",
                {
                    "id": int,
                    "block": int,
                    "netuid": int,
                    "name": str,
                    "old": str,
                    "new": str,
                    "extrinsic_index": int,
                    "signer": str,
                    "call": str,
                    "via_sudo": int,
                    "known": int,
                },
                pk="id",
                not_null=["block", "netuid", "name"],
                defaults={"via_sudo": 0, "known": 1},
                **t,
            )
            db.create_table(
                "hyperparam_snapshots",
                {"block": int, "netuid": int, "values": str},
                pk=("block", "netuid"),
                **t,
            )
            db.create_table(
                "alerts",
                {
                    "id": int,
                    "dedup_key": str,
                    "rule": str,
                    "severity": str,
                    "block": int,
                    "extrinsic_index": int,
                    "netuid": int,
                    "message": str,
                    "fields": str,
                    "channels": str,
                    "created_at": float,
                    "acknowledged": int,
                },
                pk="id",
                not_null=["dedup_key", "rule", "severity"],
                defaults={"acknowledged": 0},
                **t,
            )
            db.create_table(
                "deliveries",
                {
                    "id": int,
                    "alert_id": int,
                    "channel": str,
                    "status": str,
                    "attempts": int,
                    "next_attempt_at": float,
                    "last_error": str,
                },
                pk="id",
                not_null=["alert_id", "channel", "status"],
                defaults={"status": "pending", "attempts": 0, "next_attempt_at": 0},
                **t,
            )
            db.create_table(
                "backfill_runs",
                {
                    "id": int,
                    "mode": str,
                    "start": int,
                    "end": int,
                    "started_at": float,
                    "finished_at": float,
                    "status": str,
                    "blocks_done": int,
                },
                pk="id",
                defaults={"blocks_done": 0},
                **t,
            )

            i = dict(if_not_exists=True)
            for name in DROPPED_INDEXES:  # schema 1 -> 2
                self.conn.execute(f"DROP INDEX IF EXISTS {name}")
            db["alerts"].create_index(["dedup_key"], "alerts_dedup_key", unique=True, **i)
            db["alerts"].create_index(["block"], "alerts_block", **i)
            db["alerts"].create_index(["rule"], "alerts_rule", **i)
            db["alerts"].create_index(["severity"], "alerts_severity", **i)
            db["hyperparam_changes"].create_index(
                ["netuid", "name", "block"], "hyperparam_changes_netuid_name_block", **i
            )
            db["deliveries"].create_index(
                ["alert_id", "channel"], "deliveries_alert_channel", unique=True, **i
            )
            db["backfill_runs"].create_index(["status"], "backfill_runs_status", **i)
            # Expressions and partial indexes are beyond sqlite-utils' create_index.
            self.conn.execute(
                "CREATE UNIQUE INDEX IF NOT EXISTS hyperparam_changes_unique ON "
                "hyperparam_changes (block, netuid, name, ifnull(extrinsic_index, -1))"
            )
            self.conn.execute(
                "CREATE INDEX IF NOT EXISTS blocks_unfinalized ON blocks (number) WHERE finalized = 0"
            )
            self.conn.execute(
                "CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (next_attempt_at) "
                "WHERE status = 'pending'"
            )
            self.conn.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)",
                (str(SCHEMA_VERSION),),
            )

    def _create_without_rowid(self, name: str, columns: dict[str, type]) -> None:
        sql = self.db.create_table_sql(
            name, columns, pk=("block", "idx"), not_null=["block", "idx"], if_not_exists=True
        )
        self.conn.execute(sql.rstrip().rstrip(";") + " WITHOUT ROWID")

    # -- lifecycle ----------------------------------------------------------------------------

    def close(self) -> None:
        """Close the connection and release the writer lock. Safe to call twice."""
        if self.conn is not None:
            try:
                self.conn.close()
            except sqlite3.Error:
                pass
            self.conn = None
        if self._lock_fd is not None:
            try:
                fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
            finally:
                os.close(self._lock_fd)
                self._lock_fd = None

    @property
    def closed(self) -> bool:
        return self.conn is None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

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
            raise StoreError(_sqlite_message(self.path, exc, action)) from None
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
                raise StoreError(_sqlite_message(self.path, exc, action)) from None
            raise

    def _q(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        try:
            return self._c().execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise StoreError(_sqlite_message(self.path, exc, "read")) from None

    def _q1(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Row | None:
        try:
            return self._c().execute(sql, params).fetchone()
        except sqlite3.Error as exc:
            raise StoreError(_sqlite_message(self.path, exc, "read")) from None

    # -- block writes -------------------------------------------------------------------------

    def write_block(
        self,
        block: Block,
        changes: Iterable[HyperparamChange] = (),
        alerts: Iterable[Alert] = (),
    ) -> list[Alert]:
        """Store one block with its changes and alerts atomically; return the new alerts."""
        return self.write_blocks([(block, list(changes), list(alerts))])

    def write_blocks(
        self,
        items: Iterable[tuple[Block, Sequence[HyperparamChange], Sequence[Alert]]],
    ) -> list[Alert]:
        """Store many blocks (with changes and alerts) in one transaction; return the new alerts.

        A number already stored (or repeated in ``items``, last one wins) is replaced whole.
        """
        return self.write_rows(block_rows(items))

    def write_rows(self, rows: BlockRows) -> list[Alert]:
        """Write what :func:`block_rows` prepared (possibly in another process) in one transaction;
        return the alerts that were new."""
        if not rows.numbers:
            return []
        new_alerts: list[Alert] = []
        with self._write() as conn:
            present = {
                r[0]
                for r in conn.execute(
                    "SELECT number FROM blocks WHERE number IN (SELECT value FROM json_each(?))",
                    (_encode(rows.numbers),),
                )
            }
            stale = [(n,) for n in rows.numbers if n in present]
            if stale:
                conn.executemany("DELETE FROM extrinsics WHERE block = ?", stale)
                conn.executemany("DELETE FROM events WHERE block = ?", stale)
                conn.executemany("DELETE FROM hyperparam_changes WHERE block = ?", stale)
            self._flush(conn, rows.blocks, rows.extrinsics, rows.events, rows.changes)
            for alert in rows.alerts:
                new = self._insert_alert(conn, alert)
                if new is not None:
                    new_alerts.append(new)
        return new_alerts

    @staticmethod
    def _flush(conn: sqlite3.Connection, blocks: list, exs: list, evs: list, chs: list) -> None:
        if blocks:
            conn.executemany(_SQL_BLOCK, blocks)
        if exs:
            conn.executemany(_SQL_EXTRINSIC, exs)
        if evs:
            conn.executemany(_SQL_EVENT, evs)
        if chs:
            conn.executemany(_SQL_CHANGE, chs)

    @staticmethod
    def _insert_alert(conn: sqlite3.Connection, alert: Alert) -> Alert | None:
        if alert.created_at is None:
            alert = alert.model_copy(update={"created_at": time.time()})
        cur = conn.execute(
            _SQL_ALERT,
            (
                alert.dedup_key,
                alert.rule,
                Severity(alert.severity).value,
                alert.block,
                alert.extrinsic_index,
                alert.netuid,
                alert.message,
                _encode(alert.fields),
                _encode(alert.channels),
                alert.created_at,
            ),
        )
        if cur.rowcount != 1:
            return None
        alert_id = cur.lastrowid
        channels = list(dict.fromkeys(alert.channels))
        if channels:
            conn.executemany(_SQL_DELIVERY, [(alert_id, ch) for ch in channels])
        return alert

    def write_alerts(self, alerts: Iterable[Alert]) -> list[Alert]:
        """Insert alerts outside a block write (dedup on ``dedup_key``); return the new ones."""
        out: list[Alert] = []
        with self._write() as conn:
            for alert in alerts:
                new = self._insert_alert(conn, alert)
                if new is not None:
                    out.append(new)
        return out

    def write_changes(self, changes: Iterable[HyperparamChange]) -> None:
        """Store hyperparameter changes found outside a block write (e.g. by a snapshot diff).

        They belong to their ``block`` and go when that block is written again."""
        rows = [_change_row(c) for c in changes]
        if rows:
            with self._write() as conn:
                conn.executemany(_SQL_CHANGE, rows)

    def mark_finalized(self, up_to: int) -> int:
        """Mark every stored block numbered <= ``up_to`` finalized; return how many changed."""
        with self._write() as conn:
            cur = conn.execute(
                "UPDATE blocks SET finalized = 1 WHERE finalized = 0 AND number <= ?", (up_to,)
            )
            return cur.rowcount

    # -- block reads --------------------------------------------------------------------------

    def get_block(self, number: int) -> Block | None:
        """Rebuild the full Block; each extrinsic gets the events whose extrinsic_index is its."""
        b = self._q1("SELECT * FROM blocks WHERE number = ?", (number,))
        if b is None:
            return None
        events = [
            Event(
                index=r["idx"],
                extrinsic_index=r["extrinsic_index"],
                pallet=r["pallet"],
                name=r["name"],
                attributes=_load(r["attributes"]),
            )
            for r in self._q("SELECT * FROM events WHERE block = ? ORDER BY idx", (number,))
        ]
        by_ex: dict[int, list[Event]] = {}
        for e in events:
            if e.extrinsic_index is not None:
                by_ex.setdefault(e.extrinsic_index, []).append(e)
        extrinsics = []
        for r in self._q("SELECT * FROM extrinsics WHERE block = ? ORDER BY idx", (number,)):
            args = _load(r["args"]) or {}
            extrinsics.append(
                Extrinsic(
                    index=r["idx"],
                    hash=r["hash"],
                    signer=r["signer"],
                    pallet=r["pallet"],
                    call=r["call"],
                    args=args,
                    success=bool(r["success"]),
                    error=r["error"],
                    calls=_calls_from_row(r, args),
                    events=by_ex.get(r["idx"], []),
                )
            )
        return Block(
            number=b["number"],
            hash=b["hash"],
            parent_hash=b["parent_hash"],
            timestamp=b["timestamp"],
            spec_version=b["spec_version"],
            extrinsics=extrinsics,
            events=events,
            finalized=bool(b["finalized"]),
            decode_error=b["decode_error"],
        )

    def has_block(self, number: int) -> bool:
        return self._q1("SELECT 1 FROM blocks WHERE number = ?", (number,)) is not None

    def block_hash(self, number: int) -> str | None:
        r = self._q1("SELECT hash FROM blocks WHERE number = ?", (number,))
        return None if r is None else r[0]

    def latest_block(self) -> int | None:
        return self._bounds()[1]

    def present_numbers(self, start: int, end: int) -> set[int]:
        """Stored block numbers within [start, end]."""
        return {r[0] for r in self._q("SELECT number FROM blocks WHERE number BETWEEN ? AND ?", (start, end))}

    def missing_in(self, start: int, end: int) -> list[tuple[int, int]]:
        """Inclusive ranges of numbers in [start, end] with no stored block, ascending.

        Done in SQL: every stored block whose successor is absent starts a gap, which ends just
        before the next stored block; both are primary-key seeks. (Measured twice as fast as a
        ``LEAD()`` window over the range, which materialises it.)
        """
        if end < start:
            return []
        lo, hi = self._q1(
            "SELECT (SELECT min(number) FROM blocks WHERE number BETWEEN :s AND :e),"
            " (SELECT max(number) FROM blocks WHERE number BETWEEN :s AND :e)",
            {"s": start, "e": end},
        )
        if lo is None:
            return [(start, end)]
        out: list[tuple[int, int]] = []
        if lo > start:
            out.append((start, lo - 1))
        rows = self._q(
            """
            SELECT a.number + 1, (SELECT min(b.number) FROM blocks b WHERE b.number > a.number) - 1
            FROM blocks a
            WHERE a.number >= ? AND a.number < ?
              AND NOT EXISTS (SELECT 1 FROM blocks b WHERE b.number = a.number + 1)
            ORDER BY a.number
            """,
            (lo, hi),
        )
        out.extend((r[0], r[1]) for r in rows)
        if hi < end:
            out.append((hi + 1, end))
        return out

    def gaps(self) -> list[tuple[int, int]]:
        """Holes between the lowest and the highest stored block."""
        lo, hi = self._bounds()
        return [] if lo is None else self.missing_in(lo, hi)

    def _bounds(self) -> tuple[int | None, int | None]:
        # Two subqueries: SQLite only turns a lone min() or max() into an index seek.
        r = self._q1("SELECT (SELECT min(number) FROM blocks), (SELECT max(number) FROM blocks)")
        return r[0], r[1]

    def stats(self) -> dict[str, Any]:
        """Totals for status displays. Counts come from the per-block columns (one pass over
        ``blocks``), not from counting the much larger extrinsics/events tables."""
        first, last = self._bounds()
        r = self._q1(
            "SELECT count(*), total(extrinsic_count), total(failed_count), total(event_count),"
            " count(decode_error) FROM blocks"
        )
        finalized = self._q1("SELECT number FROM blocks WHERE finalized = 1 ORDER BY number DESC LIMIT 1")
        gaps = [] if first is None else self.missing_in(first, last)
        return {
            "first_block": first,
            "last_block": last,
            "blocks": r[0],
            "gaps": [[a, b] for a, b in gaps],
            "missing_blocks": sum(b - a + 1 for a, b in gaps),
            "extrinsics": int(r[1]),
            "failed_extrinsics": int(r[2]),
            "events": int(r[3]),
            "alerts": self._q1("SELECT count(*) FROM alerts")[0],
            "undecodable_blocks": r[4],
            "finalized_up_to": None if finalized is None else finalized[0],
        }

    def recent_blocks(self, limit: int = 50) -> list[dict[str, Any]]:
        """Block summaries, newest first; ``notable`` lists non-routine call qualnames."""
        return [
            {
                "number": r["number"],
                "hash": r["hash"],
                "timestamp": r["timestamp"],
                "extrinsic_count": r["extrinsic_count"],
                "failed_count": r["failed_count"],
                "event_count": r["event_count"],
                "finalized": bool(r["finalized"]),
                "decode_error": r["decode_error"],
                "notable": _load(r["notable"]) or [],
            }
            for r in self._q("SELECT * FROM blocks ORDER BY number DESC LIMIT ?", (limit,))
        ]

    # -- hyperparameters ----------------------------------------------------------------------

    def write_snapshot(self, block: int, netuid: int, values: dict[str, Any]) -> None:
        with self._write() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO hyperparam_snapshots (block, netuid, [values]) VALUES (?, ?, ?)",
                (block, netuid, _encode(values)),
            )

    def latest_snapshot(
        self, netuid: int, at_or_before: int | None = None
    ) -> tuple[int, dict[str, Any]] | None:
        """(block, values) of the newest snapshot of ``netuid`` at or before the given block."""
        if at_or_before is None:
            r = self._q1(
                "SELECT block, [values] FROM hyperparam_snapshots WHERE netuid = ?"
                " ORDER BY block DESC LIMIT 1",
                (netuid,),
            )
        else:
            r = self._q1(
                "SELECT block, [values] FROM hyperparam_snapshots WHERE netuid = ?"
                " AND block <= ? ORDER BY block DESC LIMIT 1",
                (netuid, at_or_before),
            )
        return None if r is None else (r[0], _load(r[1]))

    def hyperparam_history(
        self, netuid: int | None = None, name: str | None = None, limit: int = 200
    ) -> list[HyperparamChange]:
        """Stored changes, newest first, optionally for one subnet and/or one parameter."""
        where, params = [], []
        if netuid is not None:
            where.append("netuid = ?")
            params.append(netuid)
        if name is not None:
            where.append("name = ?")
            params.append(name)
        sql = "SELECT * FROM hyperparam_changes"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY block DESC, id DESC LIMIT ?"
        return [_row_to_change(r) for r in self._q(sql, [*params, limit])]

    # -- alerts -------------------------------------------------------------------------------

    def list_alerts(
        self,
        since_block: int | None = None,
        since_time: float | None = None,
        rule: str | None = None,
        severity: Severity | str | None = None,
        netuid: int | None = None,
        limit: int = 200,
    ) -> list[tuple[int, Alert, bool]]:
        """(id, alert, acknowledged), newest block first; ``severity`` means at least that level."""
        where, params = [], []
        if since_block is not None:
            where.append("block >= ?")
            params.append(since_block)
        if since_time is not None:
            where.append("created_at >= ?")
            params.append(since_time)
        if rule is not None:
            where.append("rule = ?")
            params.append(rule)
        if severity is not None:
            levels = _SEVERITY_ORDER[Severity(severity).rank :]
            where.append(f"severity IN ({','.join('?' * len(levels))})")
            params.extend(levels)
        if netuid is not None:
            where.append("netuid = ?")
            params.append(netuid)
        sql = "SELECT * FROM alerts"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY block DESC, id DESC LIMIT ?"
        return [(r["id"], _row_to_alert(r), bool(r["acknowledged"])) for r in self._q(sql, [*params, limit])]

    def acknowledge(self, alert_id: int) -> bool:
        """Mark an alert acknowledged; False when no such alert."""
        with self._write() as conn:
            cur = conn.execute("UPDATE alerts SET acknowledged = 1 WHERE id = ?", (alert_id,))
            return cur.rowcount == 1

    def alert_exists(self, dedup_key: str) -> bool:
        return self._q1("SELECT 1 FROM alerts WHERE dedup_key = ?", (dedup_key,)) is not None

    # -- delivery outbox ----------------------------------------------------------------------

    def due_deliveries(self, now: float, limit: int = 100) -> list[dict[str, Any]]:
        """Pending deliveries due at ``now`` (oldest due first), each with its ``alert``."""
        rows = self._q(
            """
            SELECT d.id AS d_id, d.alert_id, d.channel, d.status, d.attempts, d.next_attempt_at,
                   d.last_error, a.*
            FROM deliveries d JOIN alerts a ON a.id = d.alert_id
            WHERE d.status = 'pending' AND d.next_attempt_at <= ?
            ORDER BY d.next_attempt_at, d.id LIMIT ?
            """,
            (now, limit),
        )
        return [
            {
                "id": r["d_id"],
                "alert_id": r["alert_id"],
                "channel": r["channel"],
                "status": r["status"],
                "attempts": r["attempts"],
                "next_attempt_at": r["next_attempt_at"],
                "last_error": r["last_error"],
                "alert": _row_to_alert(r),
            }
            for r in rows
        ]

    def _update_delivery(self, sql: str, params: Sequence[Any]) -> bool:
        with self._write() as conn:
            return conn.execute(sql, params).rowcount == 1

    def mark_delivered(self, delivery_id: int) -> bool:
        """Record a successful attempt."""
        return self._update_delivery(
            "UPDATE deliveries SET status = 'delivered', attempts = attempts + 1 WHERE id = ?", (delivery_id,)
        )

    def mark_retry(self, delivery_id: int, next_attempt_at: float, error: str) -> bool:
        """Record a failed attempt to be retried at ``next_attempt_at``."""
        return self._update_delivery(
            "UPDATE deliveries SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ?",
            (next_attempt_at, error, delivery_id),
        )

    def mark_failed(self, delivery_id: int, error: str) -> bool:
        """Record a failed attempt and give up on this delivery."""
        return self._update_delivery(
            "UPDATE deliveries SET status = 'failed', attempts = attempts + 1, last_error = ? WHERE id = ?",
            (error, delivery_id),
        )

    def pending_deliveries_count(self) -> int:
        return self._q1("SELECT count(*) FROM deliveries WHERE status = 'pending'")[0]

    def deliveries(self, alert_id: int | None = None) -> list[dict[str, Any]]:
        """Outbox rows (all, or one alert's), by id."""
        if alert_id is None:
            rows = self._q("SELECT * FROM deliveries ORDER BY id")
        else:
            rows = self._q("SELECT * FROM deliveries WHERE alert_id = ? ORDER BY id", (alert_id,))
        return [dict(r) for r in rows]

    # -- backfill runs ------------------------------------------------------------------------

    def start_run(self, mode: str, start: int, end: int) -> int:
        with self._write() as conn:
            cur = conn.execute(
                "INSERT INTO backfill_runs (mode, start, [end], started_at, status, blocks_done)"
                " VALUES (?, ?, ?, ?, 'running', 0)",
                (mode, start, end, time.time()),
            )
            return cur.lastrowid

    def update_run(self, run_id: int, blocks_done: int) -> None:
        with self._write() as conn:
            conn.execute("UPDATE backfill_runs SET blocks_done = ? WHERE id = ?", (blocks_done, run_id))

    def finish_run(self, run_id: int, status: str) -> None:
        with self._write() as conn:
            conn.execute(
                "UPDATE backfill_runs SET status = ?, finished_at = ? WHERE id = ?",
                (status, time.time(), run_id),
            )

    def list_runs(self, limit: int = 20) -> list[dict[str, Any]]:
        """Backfill runs, newest first."""
        return [dict(r) for r in self._q("SELECT * FROM backfill_runs ORDER BY id DESC LIMIT ?", (limit,))]

    # -- meta ---------------------------------------------------------------------------------

    def get_meta(self, key: str, default: str | None = None) -> str | None:
        r = self._q1("SELECT value FROM meta WHERE key = ?", (key,))
        return default if r is None else r[0]

    def set_meta(self, key: str, value: Any) -> None:
        """Store ``value`` as text (``str(value)``)."""
        with self._write() as conn:
            conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, str(value)))


# ------------------------------------------------------------------------------------ AsyncStore


class AsyncStore:
    """A Store driven from asyncio: every public Store method, as a coroutine of the same name,
    run on one dedicated worker thread (where the sqlite connection is also created)."""

    def __init__(self, store: Store, executor: ThreadPoolExecutor) -> None:
        """Use ``await AsyncStore.open(path)``; ``store`` must have been created on ``executor``."""
        self._store = store
        self._executor: ThreadPoolExecutor | None = executor

    @classmethod
    async def open(cls, path: str | os.PathLike[str], readonly: bool = False) -> AsyncStore:
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sentinel-store")
        loop = asyncio.get_running_loop()
        try:
            store = await loop.run_in_executor(executor, functools.partial(Store, path, readonly=readonly))
        except BaseException:
            executor.shutdown(wait=False)
            raise
        return cls(store, executor)

    @property
    def path(self) -> str:
        return self._store.path

    @property
    def readonly(self) -> bool:
        return self._store.readonly

    @property
    def closed(self) -> bool:
        return self._store.closed

    async def _run(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        if self._executor is None:
            raise StoreError(f"{self._store.path}: the store is closed")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(fn, *args, **kwargs))

    async def close(self) -> None:
        if self._executor is None:
            return
        try:
            await self._run(self._store.close)
        finally:
            self._executor.shutdown(wait=True)
            self._executor = None

    async def __aenter__(self) -> AsyncStore:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


def _async_method(name: str) -> Any:
    method = getattr(Store, name)

    @functools.wraps(method)
    async def call(self: AsyncStore, *args: Any, **kwargs: Any) -> Any:
        return await self._run(getattr(self._store, name), *args, **kwargs)

    return call


for _name, _member in list(vars(Store).items()):
    if not _name.startswith("_") and callable(_member) and _name not in vars(AsyncStore):
        setattr(AsyncStore, _name, _async_method(_name))
del _name, _member
