"""Metagraph snapshots in the store, and what is derived from consecutive ones.

A snapshot is one subnet's metagraph at one block: a ``subnet_snapshots`` row and its
``neuron_snapshots`` rows (addresses interned in ``snapshot_accounts``; see
:mod:`sentinel_core.store.migrations` for the layout). A subnet that did not exist at a snapshot
block still gets its ``subnet_snapshots`` row (``exists_`` 0), so a resumed backfill knows that block
was done. ``snapshot_unchecked`` notes the snapshots whose pairs the snapshot rules have yet to see.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Sequence
from typing import Any

from ..metagraph import RAW_COLUMNS, ApyPoint, Metagraph, NeuronRow, diff, validator_apy
from ..units import RAO_PER_TAO, U16_MAX
from .connection import Connection, StoreError

Neighbours = tuple[int, int, int | None, int | None]
"""(netuid, block, block of the stored snapshot just before, just after): a snapshot and its neighbours."""

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
_SQL_RAW = (
    f"SELECT {', '.join(RAW_COLUMNS)} FROM neuron_snapshots_v WHERE netuid = ? AND block = ? ORDER BY uid"
)


def _neuron(r: sqlite3.Row) -> NeuronRow:
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


class SnapshotsStore(Connection):
    """Metagraph snapshots: writes, reads, and the changes and APY derived from consecutive ones."""

    _snapshot_accounts: dict[str, int] | None = None
    """address -> id in snapshot_accounts, loaded on the first write."""
    _snapshot_tables: bool = False
    """The snapshot tables were seen (a file of schema 2 opened read-only may lack them)."""

    def _has_snapshot_tables(self) -> bool:
        if not self._snapshot_tables:
            row = self._one(
                "SELECT count(*) FROM sqlite_master WHERE type='table'"
                " AND name IN ('subnet_snapshots','neuron_snapshots')"
            )
            self._snapshot_tables = row[0] == 2
        return self._snapshot_tables

    def _account_ids(self, conn: sqlite3.Connection, addresses: Iterable[str]) -> dict[str, int]:
        """Ids of ``addresses`` in snapshot_accounts (new ones inserted), cached on the store."""
        cache = self._snapshot_accounts
        if cache is None:
            cache = {a: i for i, a in conn.execute("SELECT id, address FROM snapshot_accounts")}
            self._snapshot_accounts = cache
        for a in addresses:
            if a not in cache:
                new_id = conn.execute("INSERT INTO snapshot_accounts (address) VALUES (?)", (a,)).lastrowid
                assert new_id is not None
                cache[a] = new_id
        return cache

    # -- writes -------------------------------------------------------------------------------

    def write_snapshots(
        self, snapshots: Sequence[Metagraph], points: Sequence[int] | int = 0, *, unchecked: bool = False
    ) -> int:
        """Store ``snapshots`` (replacing any at the same block and subnet) in one transaction; returns
        the number of neuron rows written. ``unchecked``: also note them, in the same transaction, as
        snapshots whose pairs the snapshot rules have yet to see (:meth:`mark_checked` once they have)."""
        if isinstance(points, int):
            points = [points] * len(snapshots)
        now = time.time()
        conn = self._c()
        count = 0
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                cache = self._snapshot_accounts
                for mg, point in zip(snapshots, points):
                    raw = mg.raw_rows()
                    if cache is None or any(r[1] not in cache or r[2] not in cache for r in raw):
                        cache = self._account_ids(conn, {a for r in raw for a in (r[1], r[2])})
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
                    ids = cache
                    conn.executemany(
                        _SQL_NEURON,
                        [
                            key + (r[0], ids[r[1]], ids[r[2]]) + r[3:] + extra.get(r[0], (None, None))
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
                self._snapshot_accounts = None  # ids inserted are gone too
                raise
        except sqlite3.Error as exc:
            raise StoreError(f"cannot write snapshots to {self.path}: {exc}") from None
        return count

    def write_snapshots_and_neighbours(
        self, snapshots: Sequence[Metagraph], points: Sequence[int] | int = 0, *, unchecked: bool = False
    ) -> list[Neighbours]:
        """:meth:`write_snapshots`, then each written snapshot's stored neighbours, with nothing written
        in between (so they are exact): ``(netuid, block, before, after)`` per snapshot, in order."""
        self.write_snapshots(snapshots, points, unchecked=unchecked)
        return [
            (mg.netuid, mg.block, *self.adjacent_snapshot_blocks(mg.netuid, mg.block)) for mg in snapshots
        ]

    def unchecked_neighbours(self) -> list[Neighbours]:
        """The :meth:`unchecked_snapshots` with their stored neighbours, ``(netuid, block, before, after)``,
        read with nothing written in between."""
        return [(n, b, *self.adjacent_snapshot_blocks(n, b)) for n, b in self.unchecked_snapshots()]

    def unchecked_snapshots(self) -> list[tuple[int, int]]:
        """``(netuid, block)`` of stored snapshots whose pairs the snapshot rules have not seen: the
        process stopped between storing them and evaluating (killed, a full disk)."""
        if self._q1("SELECT 1 FROM sqlite_master WHERE type='table' AND name='snapshot_unchecked'") is None:
            return []
        return [
            (r[0], r[1])
            for r in self._q("SELECT netuid, block FROM snapshot_unchecked ORDER BY netuid, block")
        ]

    def mark_checked(self, keys: Sequence[tuple[int, int]] | None) -> None:
        """The snapshot rules have seen the pairs of ``keys`` (``(netuid, block)``; None: of every one)."""
        if self.readonly:
            return
        with self._write() as conn:
            if keys is None:
                conn.execute("DELETE FROM snapshot_unchecked")
            else:
                conn.executemany("DELETE FROM snapshot_unchecked WHERE netuid = ? AND block = ?", keys)

    # -- reads --------------------------------------------------------------------------------

    def _subnet_row(self, netuid: int, block: int) -> Metagraph | None:
        """The subnet part of the snapshot of ``netuid`` at ``block``, without neurons (None: no snapshot)."""
        if not self._has_snapshot_tables():
            return None
        s = self._q1("SELECT * FROM subnet_snapshots WHERE netuid = ? AND block = ?", (netuid, block))
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

    def read_snapshot(self, netuid: int, block: int) -> Metagraph | None:
        """The snapshot of ``netuid`` taken at ``block`` (None when there is none)."""
        mg = self._subnet_row(netuid, block)
        if mg is not None:
            rows = self._q(
                "SELECT * FROM neuron_snapshots_v WHERE netuid = ? AND block = ? ORDER BY uid",
                (netuid, block),
            )
            mg.rows = [_neuron(r) for r in rows]
        return mg

    def read_snapshot_raw(self, netuid: int, block: int, *, neurons: bool = True) -> Metagraph | None:
        """Like :meth:`read_snapshot`, but the neurons stay ``RAW_COLUMNS`` tuples (``Metagraph._raw``, as
        ``read_metagraphs(build_rows=False)`` leaves them; ``rows`` empty): a few times faster, for code
        that compares many snapshots. ``neurons=False`` reads the subnet row alone."""
        mg = self._subnet_row(netuid, block)
        if mg is not None and neurons:
            mg._raw = [tuple(r) for r in self._q(_SQL_RAW, (netuid, block))]
        return mg

    def snapshot_blocks(
        self, netuid: int, start: int | None = None, end: int | None = None, *, point: int | None = None
    ) -> list[int]:
        """Blocks at which ``netuid`` has a snapshot, ascending (only epoch blocks with ``point=0``)."""
        if not self._has_snapshot_tables():
            return []
        sql = "SELECT block FROM subnet_snapshots WHERE netuid = ? AND block >= ? AND block <= ?"
        params: list[Any] = [netuid, -1 if start is None else start, 2**62 if end is None else end]
        if point is not None:
            sql += " AND point = ?"
            params.append(point)
        return [r[0] for r in self._q(sql + " ORDER BY block", params)]

    def taken(self, pairs: Iterable[tuple[int, int]]) -> set[tuple[int, int]]:
        """Which ``(block, netuid)`` pairs already have a snapshot."""
        if not self._has_snapshot_tables():
            return set()
        pairs = list(pairs)
        if not pairs:
            return set()
        lo, hi = min(b for b, _ in pairs), max(b for b, _ in pairs)
        have = {
            (r[0], r[1])
            for r in self._q(
                "SELECT block, netuid FROM subnet_snapshots WHERE block BETWEEN ? AND ?", (lo, hi)
            )
        }
        return {p for p in pairs if p in have}

    def recent_snapshot_blocks(self, netuid: int, limit: int, *, point: int | None = None) -> list[int]:
        """The newest ``limit`` blocks at which ``netuid`` has a snapshot, ascending (an index walk from
        the end: cheap however many snapshots are stored)."""
        if limit <= 0 or not self._has_snapshot_tables():
            return []
        sql = "SELECT block FROM subnet_snapshots WHERE netuid = ?"
        params: list[Any] = [netuid]
        if point is not None:
            sql += " AND point = ?"
            params.append(point)
        rows = self._q(sql + " ORDER BY block DESC LIMIT ?", [*params, limit])
        return [r[0] for r in reversed(rows)]

    def snapshot_netuids(self) -> list[int]:
        """The netuids with at least one snapshot, ascending (one index probe per netuid, not a scan)."""
        if not self._has_snapshot_tables():
            return []
        rows = self._q(
            "WITH RECURSIVE n(x) AS (SELECT min(netuid) FROM subnet_snapshots"
            " UNION ALL SELECT (SELECT min(netuid) FROM subnet_snapshots WHERE netuid > n.x) FROM n"
            " WHERE n.x IS NOT NULL) SELECT x FROM n WHERE x IS NOT NULL"
        )
        return [r[0] for r in rows]

    def adjacent_snapshot_blocks(self, netuid: int, block: int) -> tuple[int | None, int | None]:
        """The blocks of ``netuid``'s stored snapshots just before and just after ``block`` (None where
        there is none); two index lookups, whatever the number of snapshots."""
        if not self._has_snapshot_tables():
            return None, None
        before = self._one(
            "SELECT max(block) FROM subnet_snapshots WHERE netuid = ? AND block < ?", (netuid, block)
        )[0]
        after = self._one(
            "SELECT min(block) FROM subnet_snapshots WHERE netuid = ? AND block > ?", (netuid, block)
        )[0]
        return before, after

    def snapshot_changes(
        self, netuid: int, start: int | None = None, end: int | None = None, *, point: int | None = None
    ) -> list[dict[str, Any]]:
        """Changes between consecutive snapshots of ``netuid`` in ``[start, end]``:
        ``[{"block", "previous_block", "changes": [Change, ...]}, ...]`` (the first snapshot in the range
        is compared with the one before it, when there is one)."""
        blocks = self.snapshot_blocks(netuid, None, end, point=point)
        out = []
        prev: Metagraph | None = None
        first = next((i for i, b in enumerate(blocks) if start is None or b >= start), len(blocks))
        for i in range(max(0, first - 1), len(blocks)):
            mg = self.read_snapshot(netuid, blocks[i])
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
        self, netuid: int, start: int | None = None, end: int | None = None, *, block_time: float = 12.0
    ) -> list[ApyPoint]:
        """Validator APY per epoch from the epoch-block snapshots of ``netuid`` in ``[start, end]``
        (see :func:`sentinel_core.metagraph.validator_apy` for the formula)."""
        out: list[ApyPoint] = []
        for block in self.snapshot_blocks(netuid, start, end, point=0):
            mg = self.read_snapshot(netuid, block)
            if mg is None or not mg.exists:
                continue
            if mg.last_step is not None and mg.last_step != block:
                continue  # not an epoch block for this subnet
            out.extend(validator_apy(mg.rows, (mg.tempo or 0) + 1, block, block_time))
        return out
