"""Metagraph snapshots in Sentinel's SQLite file, and what is derived from consecutive ones.

Two tables beside the store's own (created on first use through the store's connection):

    subnet_snapshots    (block, netuid) PK, block_hash, method, exists_, tempo, owner_hotkey,
                        owner_coldkey, registered_at, last_step, neurons, total_stake, point
                        (0 = the epoch block itself; 1..3 the quarter points of the epoch), taken_at
    neuron_snapshots    (block, netuid, uid) PK, hotkey, coldkey, stake, alpha_stake, trust, consensus,
                        incentive, dividends, validator_trust, rank, emission, dividends_earned,
                        validator_permit, last_update, registered_at, active, weights, bonds
                        (raw on-chain values: u16 fractions as integers, amounts in rao; weights and
                        bonds JSON lists of [uid, value], NULL unless asked for; hotkey and coldkey
                        are ids of snapshot_accounts)
    snapshot_accounts   id PK, address UNIQUE (SS58): a snapshot row is ~60 bytes instead of ~160,
                        which is most of the write cost at 256 neurons x 4 points x 128 subnets
    neuron_snapshots_v  view: neuron_snapshots with the addresses in place of the ids

A subnet that did not exist at a snapshot block still gets its ``subnet_snapshots`` row (``exists_``
0), so a resumed backfill knows that block was done.

Every function takes a :class:`~sentinel_core.store.Store` and runs on the thread that owns its
connection; from async code use ``await arun(async_store, fn, ...)``.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Sequence
from typing import Any

from .metagraph import RAW_COLUMNS, ApyPoint, Change, Metagraph, NeuronRow, diff, validator_apy
from .store import AsyncStore, Store, StoreError
from .units import RAO_PER_TAO, U16_MAX

_SCHEMA = """
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

_SQL_SUBNET = (
    "INSERT OR REPLACE INTO subnet_snapshots (block, netuid, block_hash, method, exists_, tempo,"
    " owner_hotkey, owner_coldkey, registered_at, last_step, neurons, total_stake, point, taken_at)"
    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
)
_SQL_NEURON = (
    "INSERT OR REPLACE INTO neuron_snapshots (block, netuid, uid, hotkey, coldkey, stake, alpha_stake,"
    " trust, consensus, incentive, dividends, validator_trust, rank, emission, dividends_earned,"
    " validator_permit, last_update, registered_at, active, weights, bonds)"
    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
)


def _conn(store: Store) -> sqlite3.Connection:
    return store._c()


def _account_ids(store: Store, conn: sqlite3.Connection, addresses: Iterable[str]) -> dict[str, int]:
    """Ids of ``addresses`` in snapshot_accounts (new ones inserted), cached on the store."""
    cache: dict[str, int] | None = getattr(store, "_snapshot_accounts", None)
    if cache is None:
        cache = {a: i for i, a in conn.execute("SELECT id, address FROM snapshot_accounts")}
        store._snapshot_accounts = cache  # type: ignore[attr-defined]
    for a in addresses:
        if a not in cache:
            cache[a] = conn.execute("INSERT INTO snapshot_accounts (address) VALUES (?)", (a,)).lastrowid
    return cache


def ensure_schema(store: Store) -> None:
    """Create the snapshot tables if they are missing (a no-op on a read-only store)."""
    conn = _conn(store)
    if store.readonly:
        return
    if getattr(store, "_snapshot_schema", False):
        return
    try:
        conn.executescript(_SCHEMA)
    except sqlite3.Error as exc:
        raise StoreError(f"cannot create the snapshot tables in {store.path}: {exc}") from None
    store._snapshot_schema = True  # type: ignore[attr-defined]


def _has_tables(store: Store) -> bool:
    row = (
        _conn(store)
        .execute(
            "SELECT count(*) FROM sqlite_master WHERE type='table' AND name IN ('subnet_snapshots','neuron_snapshots')"
        )
        .fetchone()
    )
    return row[0] == 2


def write_snapshots(
    store: Store, snapshots: Sequence[Metagraph], points: Sequence[int] | int = 0, *, unchecked: bool = False
) -> int:
    """Store ``snapshots`` (replacing any at the same block and subnet) in one transaction; returns
    the number of neuron rows written. ``unchecked``: also note them, in the same transaction, as
    snapshots whose pairs the snapshot rules have yet to see (:func:`mark_checked` once they have)."""
    ensure_schema(store)
    if isinstance(points, int):
        points = [points] * len(snapshots)
    now = time.time()
    conn = _conn(store)
    count = 0
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            cache: dict[str, int] | None = getattr(store, "_snapshot_accounts", None)
            for mg, point in zip(snapshots, points):
                raw = mg.raw_rows()
                if cache is None or any(r[1] not in cache or r[2] not in cache for r in raw):
                    cache = _account_ids(store, conn, {a for r in raw for a in (r[1], r[2])})
                conn.execute(
                    _SQL_SUBNET,
                    (
                        mg.block,
                        mg.netuid,
                        mg.block_hash,
                        mg.method,
                        int(mg.exists),
                        mg.tempo,
                        mg.owner_hotkey,
                        mg.owner_coldkey,
                        mg.registered_at,
                        mg.last_step,
                        len(raw),
                        sum(r[3] for r in raw),
                        point,
                        now,
                    ),
                )
                conn.execute(
                    "DELETE FROM neuron_snapshots WHERE block = ? AND netuid = ?", (mg.block, mg.netuid)
                )
                extra = {
                    r.uid: (
                        None if r.weights is None else json.dumps(r.weights),
                        None if r.bonds is None else json.dumps(r.bonds),
                    )
                    for r in mg.rows
                    if r.weights is not None or r.bonds is not None
                }
                key = (mg.block, mg.netuid)
                conn.executemany(
                    _SQL_NEURON,
                    [
                        key + (r[0], cache[r[1]], cache[r[2]]) + r[3:] + extra.get(r[0], (None, None))
                        for r in raw
                    ],
                )
                count += len(raw)
            if unchecked:
                conn.executemany(
                    "INSERT OR IGNORE INTO snapshot_unchecked (netuid, block) VALUES (?, ?)",
                    [(mg.netuid, mg.block) for mg in snapshots],
                )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            store._snapshot_accounts = None  # type: ignore[attr-defined]  # ids inserted are gone too
            raise
    except sqlite3.Error as exc:
        raise StoreError(f"cannot write snapshots to {store.path}: {exc}") from None
    return count


def unchecked_snapshots(store: Store) -> list[tuple[int, int]]:
    """``(netuid, block)`` of stored snapshots whose pairs the snapshot rules have not seen: the process
    stopped between storing them and evaluating (killed, a full disk)."""
    conn = _conn(store)
    if not conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type='table' AND name='snapshot_unchecked'"
    ).fetchone():
        return []
    return [
        (r[0], r[1])
        for r in conn.execute("SELECT netuid, block FROM snapshot_unchecked ORDER BY netuid, block")
    ]


def mark_checked(store: Store, keys: Sequence[tuple[int, int]] | None) -> None:
    """The snapshot rules have seen the pairs of ``keys`` (``(netuid, block)``; None: of every one)."""
    if store.readonly:
        return
    ensure_schema(store)
    with store._write() as conn:
        if keys is None:
            conn.execute("DELETE FROM snapshot_unchecked")
        else:
            conn.executemany("DELETE FROM snapshot_unchecked WHERE netuid = ? AND block = ?", keys)


def _row(r: sqlite3.Row) -> NeuronRow:
    stake, alpha, emission = r["stake"], r["alpha_stake"] or 0, r["emission"] or 0
    return NeuronRow(
        uid=r["uid"],
        hotkey=r["hotkey"],
        coldkey=r["coldkey"] or "",
        stake_rao=stake,
        alpha_stake_rao=alpha,
        stake_tao=stake / RAO_PER_TAO,
        alpha_stake=alpha / RAO_PER_TAO,
        trust=(r["trust"] or 0) / U16_MAX,
        consensus=(r["consensus"] or 0) / U16_MAX,
        incentive=(r["incentive"] or 0) / U16_MAX,
        dividends=(r["dividends"] or 0) / U16_MAX,
        validator_trust=None if r["validator_trust"] is None else r["validator_trust"] / U16_MAX,
        rank=(r["rank"] or 0) / U16_MAX,
        emission_rao=emission,
        emission=emission / RAO_PER_TAO,
        dividends_rao=r["dividends_earned"],
        validator_permit=bool(r["validator_permit"]),
        last_update=r["last_update"] or 0,
        registered_at=r["registered_at"],
        active=bool(r["active"]),
        weights=None if r["weights"] is None else [tuple(x) for x in json.loads(r["weights"])],
        bonds=None if r["bonds"] is None else [tuple(x) for x in json.loads(r["bonds"])],
    )


def _subnet_row(store: Store, netuid: int, block: int) -> Metagraph | None:
    """The subnet part of the snapshot of ``netuid`` at ``block``, without neurons (None: no snapshot)."""
    if not _has_tables(store):
        return None
    s = (
        _conn(store)
        .execute("SELECT * FROM subnet_snapshots WHERE netuid = ? AND block = ?", (netuid, block))
        .fetchone()
    )
    if s is None:
        return None
    return Metagraph(
        netuid=netuid,
        block=block,
        block_hash=s["block_hash"] or "",
        method=s["method"] or "",
        exists=bool(s["exists_"]),
        tempo=s["tempo"],
        owner_hotkey=s["owner_hotkey"],
        owner_coldkey=s["owner_coldkey"],
        registered_at=s["registered_at"],
        last_step=s["last_step"],
    )


def read_snapshot(store: Store, netuid: int, block: int) -> Metagraph | None:
    """The snapshot of ``netuid`` taken at ``block`` (None when there is none)."""
    mg = _subnet_row(store, netuid, block)
    if mg is not None:
        rows = (
            _conn(store)
            .execute(
                "SELECT * FROM neuron_snapshots_v WHERE netuid = ? AND block = ? ORDER BY uid",
                (netuid, block),
            )
            .fetchall()
        )
        mg.rows = [_row(r) for r in rows]
    return mg


_SQL_RAW = (
    f"SELECT {', '.join(RAW_COLUMNS)} FROM neuron_snapshots_v WHERE netuid = ? AND block = ? ORDER BY uid"
)


def read_snapshot_raw(store: Store, netuid: int, block: int, *, neurons: bool = True) -> Metagraph | None:
    """Like :func:`read_snapshot`, but the neurons stay ``RAW_COLUMNS`` tuples (``Metagraph._raw``, as
    ``read_metagraphs(build_rows=False)`` leaves them; ``rows`` empty): a few times faster, for code
    that compares many snapshots. ``neurons=False`` reads the subnet row alone."""
    mg = _subnet_row(store, netuid, block)
    if mg is not None and neurons:
        mg._raw = [tuple(r) for r in _conn(store).execute(_SQL_RAW, (netuid, block))]
    return mg


def snapshot_blocks(
    store: Store, netuid: int, start: int | None = None, end: int | None = None, *, point: int | None = None
) -> list[int]:
    """Blocks at which ``netuid`` has a snapshot, ascending (only epoch blocks with ``point=0``)."""
    if not _has_tables(store):
        return []
    sql = "SELECT block FROM subnet_snapshots WHERE netuid = ? AND block >= ? AND block <= ?"
    params: list[Any] = [netuid, -1 if start is None else start, 2**62 if end is None else end]
    if point is not None:
        sql += " AND point = ?"
        params.append(point)
    return [r[0] for r in _conn(store).execute(sql + " ORDER BY block", params)]


def taken(store: Store, pairs: Iterable[tuple[int, int]]) -> set[tuple[int, int]]:
    """Which ``(block, netuid)`` pairs already have a snapshot."""
    if not _has_tables(store):
        return set()
    pairs = list(pairs)
    if not pairs:
        return set()
    lo, hi = min(b for b, _ in pairs), max(b for b, _ in pairs)
    have = {
        (r[0], r[1])
        for r in _conn(store).execute(
            "SELECT block, netuid FROM subnet_snapshots WHERE block BETWEEN ? AND ?", (lo, hi)
        )
    }
    return {p for p in pairs if p in have}


def latest_snapshot_block(store: Store, netuid: int, at_or_before: int | None = None) -> int | None:
    blocks = snapshot_blocks(store, netuid, None, at_or_before)
    return blocks[-1] if blocks else None


def recent_snapshot_blocks(store: Store, netuid: int, limit: int, *, point: int | None = None) -> list[int]:
    """The newest ``limit`` blocks at which ``netuid`` has a snapshot, ascending (an index walk from
    the end: cheap however many snapshots are stored)."""
    if limit <= 0 or not _has_tables(store):
        return []
    sql = "SELECT block FROM subnet_snapshots WHERE netuid = ?"
    params: list[Any] = [netuid]
    if point is not None:
        sql += " AND point = ?"
        params.append(point)
    rows = _conn(store).execute(sql + " ORDER BY block DESC LIMIT ?", [*params, limit]).fetchall()
    return [r[0] for r in reversed(rows)]


def snapshot_netuids(store: Store) -> list[int]:
    """The netuids with at least one snapshot, ascending (one index probe per netuid, not a scan)."""
    if not _has_tables(store):
        return []
    rows = (
        _conn(store)
        .execute(
            "WITH RECURSIVE n(x) AS (SELECT min(netuid) FROM subnet_snapshots"
            " UNION ALL SELECT (SELECT min(netuid) FROM subnet_snapshots WHERE netuid > n.x) FROM n"
            " WHERE n.x IS NOT NULL) SELECT x FROM n WHERE x IS NOT NULL"
        )
        .fetchall()
    )
    return [r[0] for r in rows]


def adjacent_snapshot_blocks(store: Store, netuid: int, block: int) -> tuple[int | None, int | None]:
    """The blocks of ``netuid``'s stored snapshots just before and just after ``block`` (None where
    there is none); two index lookups, whatever the number of snapshots."""
    if not _has_tables(store):
        return None, None
    conn = _conn(store)
    before = conn.execute(
        "SELECT max(block) FROM subnet_snapshots WHERE netuid = ? AND block < ?", (netuid, block)
    ).fetchone()[0]
    after = conn.execute(
        "SELECT min(block) FROM subnet_snapshots WHERE netuid = ? AND block > ?", (netuid, block)
    ).fetchone()[0]
    return before, after


def changes(
    store: Store, netuid: int, start: int | None = None, end: int | None = None, *, point: int | None = None
) -> list[dict[str, Any]]:
    """Changes between consecutive snapshots of ``netuid`` in ``[start, end]``:
    ``[{"block", "previous_block", "changes": [Change, ...]}, ...]`` (the first snapshot in the range
    is compared with the one before it, when there is one)."""
    blocks = snapshot_blocks(store, netuid, None, end, point=point)
    out = []
    prev: Metagraph | None = None
    first = next((i for i, b in enumerate(blocks) if start is None or b >= start), len(blocks))
    for i in range(max(0, first - 1), len(blocks)):
        mg = read_snapshot(store, netuid, blocks[i])
        if prev is not None and mg is not None and i >= first:
            out.append(
                {
                    "block": mg.block,
                    "previous_block": prev.block,
                    "changes": diff(
                        prev.rows if prev.exists else [],
                        mg.rows if mg.exists else [],
                        previous_owner=prev.owner_coldkey,
                        owner=mg.owner_coldkey,
                    ),
                }
            )
        prev = mg
    return out


def apy_series(
    store: Store, netuid: int, start: int | None = None, end: int | None = None, *, block_time: float = 12.0
) -> list[ApyPoint]:
    """Validator APY per epoch from the epoch-block snapshots of ``netuid`` in ``[start, end]``
    (see :func:`sentinel_core.metagraph.validator_apy` for the formula)."""
    out: list[ApyPoint] = []
    for block in snapshot_blocks(store, netuid, start, end, point=0):
        mg = read_snapshot(store, netuid, block)
        if mg is None or not mg.exists:
            continue
        if mg.last_step is not None and mg.last_step != block:
            continue  # not an epoch block for this subnet
        out.extend(validator_apy(mg.rows, (mg.tempo or 0) + 1, block, block_time))
    return out


def change_list(items: Sequence[dict[str, Any]]) -> list[Change]:
    return [c for item in items for c in item["changes"]]


async def arun(store: AsyncStore, fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Run ``fn(store, ...)`` on an AsyncStore's own thread."""
    return await store._run(fn, store._store, *args, **kwargs)
