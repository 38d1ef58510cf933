"""The schema of Sentinel's SQLite file: one numbered list of migrations for every table.

A file records the number of the last migration applied as ``schema_version`` in ``meta``; opening
it for writing applies the later ones in order, in one transaction (:func:`migrate`). A new file
runs them all. Readers never migrate: they read a file of an older version as it is.

    1  blocks, extrinsics, events, hyperparameter changes and polls, alerts, the delivery outbox,
       backfill runs, meta
    2  drops three indexes of schema 1 no query used (keeping them cost a third of every block write)
    3  the metagraph snapshot tables (created lazily outside the numbered schema before), and the
       hyperparameter polls' table renamed ``hyperparam_snapshots`` -> ``hyperparam_polls``
    4  delivery claims: ``deliveries.claimed_by`` and ``claimed_at`` (a row being sent is ``sending``,
       claimed by one deliverer, so no alert goes out twice), and an index of the rows in flight

Layout (JSON columns are compact ``json.dumps(separators=(",", ":"))`` text):

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
    hyperparam_polls    (block, netuid) PK, values: the hyperparameters read at a block
    alerts              id PK, dedup_key UNIQUE, rule, severity, block, extrinsic_index, netuid,
                        message, fields, channels, created_at, acknowledged
    deliveries          id PK, alert_id, channel, status (pending|sending|delivered|failed), attempts,
                        next_attempt_at, last_error, claimed_by, claimed_at (who claimed a ``sending``
                        row and when; NULL in every other status); unique (alert_id, channel)
    backfill_runs       id PK, mode, start, end, started_at, finished_at, status, blocks_done
    meta                key PK, value  (``schema_version`` among others)
    subnet_snapshots    (block, netuid) PK, block_hash, method, exists_, tempo, owner_hotkey,
                        owner_coldkey, registered_at, last_step, neurons, total_stake, point
                        (0 = the epoch block itself; 1..3 the quarter points of the epoch), taken_at
    snapshot_unchecked  (netuid, block) PK: snapshots whose pairs the snapshot rules have yet to see
    neuron_snapshots    (block, netuid, uid) PK, hotkey, coldkey, stake, alpha_stake, trust, consensus,
                        incentive, dividends, validator_trust, rank, emission, dividends_earned,
                        validator_permit, last_update, registered_at, active, weights, bonds
                        (raw on-chain values: u16 fractions as integers, amounts in rao; weights and
                        bonds JSON lists of [uid, value], NULL unless asked for; hotkey and coldkey
                        are ids of snapshot_accounts)
    snapshot_accounts   id PK, address UNIQUE (SS58): a snapshot row is ~60 bytes instead of ~160,
                        which is most of the write cost at 256 neurons x 4 points x 128 subnets
    neuron_snapshots_v  view: neuron_snapshots with the addresses in place of the ids
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

DROPPED_INDEXES = ("events_pallet_name", "extrinsics_pallet_call", "extrinsics_signer")
"""Indexes of schema 1 that no query used; keeping them up to date cost a third of every block write."""

_BASE = """
CREATE TABLE IF NOT EXISTS "meta" (
   "key" TEXT PRIMARY KEY,
   "value" TEXT
);
CREATE TABLE IF NOT EXISTS "blocks" (
   "number" INTEGER PRIMARY KEY,
   "hash" TEXT NOT NULL,
   "parent_hash" TEXT,
   "timestamp" INTEGER,
   "spec_version" INTEGER,
   "finalized" INTEGER DEFAULT 0,
   "extrinsic_count" INTEGER DEFAULT 0,
   "failed_count" INTEGER DEFAULT 0,
   "event_count" INTEGER DEFAULT 0,
   "decode_error" TEXT,
   "notable" TEXT
);
-- The two big tables are clustered on their primary key (WITHOUT ROWID): one b-tree instead of
-- table + key index, which is most of the insert cost in a backfill.
CREATE TABLE IF NOT EXISTS "extrinsics" (
   "block" INTEGER NOT NULL,
   "idx" INTEGER NOT NULL,
   "hash" TEXT,
   "signer" TEXT,
   "pallet" TEXT,
   "call" TEXT,
   "args" TEXT,
   "success" INTEGER,
   "error" TEXT,
   "calls" TEXT,
   PRIMARY KEY ("block", "idx")
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS "events" (
   "block" INTEGER NOT NULL,
   "idx" INTEGER NOT NULL,
   "extrinsic_index" INTEGER,
   "pallet" TEXT,
   "name" TEXT,
   "attributes" TEXT,
   PRIMARY KEY ("block", "idx")
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS "hyperparam_changes" (
   "id" INTEGER PRIMARY KEY,
   "block" INTEGER NOT NULL,
   "netuid" INTEGER NOT NULL,
   "name" TEXT NOT NULL,
   "old" TEXT,
   "new" TEXT,
   "extrinsic_index" INTEGER,
   "signer" TEXT,
   "call" TEXT,
   "via_sudo" INTEGER DEFAULT 0,
   "known" INTEGER DEFAULT 1
);
CREATE TABLE IF NOT EXISTS "hyperparam_snapshots" (
   "block" INTEGER,
   "netuid" INTEGER,
   "values" TEXT,
   PRIMARY KEY ("block", "netuid")
);
CREATE TABLE IF NOT EXISTS "alerts" (
   "id" INTEGER PRIMARY KEY,
   "dedup_key" TEXT NOT NULL,
   "rule" TEXT NOT NULL,
   "severity" TEXT NOT NULL,
   "block" INTEGER,
   "extrinsic_index" INTEGER,
   "netuid" INTEGER,
   "message" TEXT,
   "fields" TEXT,
   "channels" TEXT,
   "created_at" REAL,
   "acknowledged" INTEGER DEFAULT 0
);
CREATE TABLE IF NOT EXISTS "deliveries" (
   "id" INTEGER PRIMARY KEY,
   "alert_id" INTEGER NOT NULL,
   "channel" TEXT NOT NULL,
   "status" TEXT NOT NULL DEFAULT 'pending',
   "attempts" INTEGER DEFAULT 0,
   "next_attempt_at" REAL DEFAULT 0,
   "last_error" TEXT
);
CREATE TABLE IF NOT EXISTS "backfill_runs" (
   "id" INTEGER PRIMARY KEY,
   "mode" TEXT,
   "start" INTEGER,
   "end" INTEGER,
   "started_at" REAL,
   "finished_at" REAL,
   "status" TEXT,
   "blocks_done" INTEGER DEFAULT 0
);
CREATE UNIQUE INDEX IF NOT EXISTS "alerts_dedup_key" ON "alerts" ("dedup_key");
CREATE INDEX IF NOT EXISTS "alerts_block" ON "alerts" ("block");
CREATE INDEX IF NOT EXISTS "alerts_rule" ON "alerts" ("rule");
CREATE INDEX IF NOT EXISTS "alerts_severity" ON "alerts" ("severity");
CREATE INDEX IF NOT EXISTS "hyperparam_changes_netuid_name_block"
    ON "hyperparam_changes" ("netuid", "name", "block");
CREATE UNIQUE INDEX IF NOT EXISTS "deliveries_alert_channel" ON "deliveries" ("alert_id", "channel");
CREATE INDEX IF NOT EXISTS "backfill_runs_status" ON "backfill_runs" ("status");
CREATE UNIQUE INDEX IF NOT EXISTS hyperparam_changes_unique
    ON hyperparam_changes (block, netuid, name, ifnull(extrinsic_index, -1));
CREATE INDEX IF NOT EXISTS blocks_unfinalized ON blocks (number) WHERE finalized = 0;
CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries (next_attempt_at) WHERE status = 'pending';
"""

_SNAPSHOTS = """
CREATE TABLE IF NOT EXISTS subnet_snapshots (
    block INTEGER NOT NULL, netuid INTEGER NOT NULL, block_hash TEXT, method TEXT,
    exists_ INTEGER NOT NULL DEFAULT 1, tempo INTEGER, owner_hotkey TEXT, owner_coldkey TEXT,
    registered_at INTEGER, last_step INTEGER, neurons INTEGER NOT NULL DEFAULT 0,
    total_stake INTEGER NOT NULL DEFAULT 0, point INTEGER NOT NULL DEFAULT 0, taken_at REAL,
    PRIMARY KEY (block, netuid)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS subnet_snapshots_netuid ON subnet_snapshots (netuid, block);
CREATE TABLE IF NOT EXISTS snapshot_unchecked (
    netuid INTEGER NOT NULL, block INTEGER NOT NULL, PRIMARY KEY (netuid, block)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS snapshot_accounts (id INTEGER PRIMARY KEY, address TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS neuron_snapshots (
    block INTEGER NOT NULL, netuid INTEGER NOT NULL, uid INTEGER NOT NULL, hotkey INTEGER NOT NULL,
    coldkey INTEGER, stake INTEGER NOT NULL, alpha_stake INTEGER, trust INTEGER, consensus INTEGER,
    incentive INTEGER, dividends INTEGER, validator_trust INTEGER, rank INTEGER, emission INTEGER,
    dividends_earned INTEGER, validator_permit INTEGER, last_update INTEGER, registered_at INTEGER,
    active INTEGER, weights TEXT, bonds TEXT,
    PRIMARY KEY (block, netuid, uid)) WITHOUT ROWID;
CREATE VIEW IF NOT EXISTS neuron_snapshots_v AS
    SELECT n.block, n.netuid, n.uid, h.address AS hotkey, c.address AS coldkey, n.stake, n.alpha_stake, n.trust,
           n.consensus, n.incentive, n.dividends, n.validator_trust, n.rank, n.emission, n.dividends_earned,
           n.validator_permit, n.last_update, n.registered_at, n.active, n.weights, n.bonds
    FROM neuron_snapshots n JOIN snapshot_accounts h ON h.id = n.hotkey
    LEFT JOIN snapshot_accounts c ON c.id = n.coldkey;
"""


def _script(conn: sqlite3.Connection, script: str) -> None:
    """Run ``;``-separated statements one by one (``executescript`` would commit the transaction)."""
    for statement in script.split(";"):
        lines = [line for line in statement.splitlines() if not line.lstrip().startswith("--")]
        sql = "\n".join(lines).strip()
        if sql:
            conn.execute(sql)


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    row = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone()
    return row is not None


def _m1_base(conn: sqlite3.Connection) -> None:
    _script(conn, _BASE)


def _m2_drop_unused_indexes(conn: sqlite3.Connection) -> None:
    for name in DROPPED_INDEXES:
        conn.execute(f"DROP INDEX IF EXISTS {name}")
    _script(conn, _BASE)  # a schema-1 file gains whatever of the base it lacked (idempotent)


def _m3_snapshots_and_polls(conn: sqlite3.Connection) -> None:
    _script(conn, _SNAPSHOTS)  # IF NOT EXISTS: a schema-2 file may have them already
    if _has_table(conn, "hyperparam_snapshots") and not _has_table(conn, "hyperparam_polls"):
        conn.execute("ALTER TABLE hyperparam_snapshots RENAME TO hyperparam_polls")


def _columns(conn: sqlite3.Connection, table: str) -> set[str]:
    return {r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')}


def _m4_delivery_claims(conn: sqlite3.Connection) -> None:
    have = _columns(conn, "deliveries")
    for name, kind in (("claimed_by", "TEXT"), ("claimed_at", "REAL")):
        if name not in have:
            conn.execute(f'ALTER TABLE deliveries ADD COLUMN "{name}" {kind}')
    conn.execute("CREATE INDEX IF NOT EXISTS deliveries_sending ON deliveries (id) WHERE status = 'sending'")


MIGRATIONS: list[tuple[int, str, Callable[[sqlite3.Connection], None]]] = [
    (1, "base tables", _m1_base),
    (2, "drop the unused indexes of schema 1", _m2_drop_unused_indexes),
    (3, "metagraph snapshot tables; hyperparam_snapshots -> hyperparam_polls", _m3_snapshots_and_polls),
    (4, "delivery claims: deliveries.claimed_by and claimed_at", _m4_delivery_claims),
]
"""Every migration, in order: (version it brings the file to, what it does, the step)."""

SCHEMA_VERSION = MIGRATIONS[-1][0]


def schema_version(conn: sqlite3.Connection) -> int | None:
    """The file's ``schema_version`` (None: not a Sentinel database, or an empty file)."""
    if not _has_table(conn, "meta"):
        return None
    row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row else None


def migrate(conn: sqlite3.Connection, version: int) -> None:
    """Apply the migrations after ``version`` (0: a new file), inside the caller's transaction."""
    for number, _what, step in MIGRATIONS:
        if number > version:
            step(conn)
    conn.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
    )
