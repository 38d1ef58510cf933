"""Blocks in the store: blocks, their extrinsics and events, gaps and totals.

A block is always written whole in one transaction together with its hyperparameter changes and
alerts: writing a number again (a retry or a reorg before finality) replaces what was stored for it.
:func:`block_rows` turns blocks into plain row tuples (cheap to send between processes: the
backfill's workers prepare them) and :meth:`BlocksStore.write_rows` writes them.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from ..model import Alert, Block, Call, Event, Extrinsic, HyperparamChange
from ..notable import notable_calls
from .alerts import insert_alert
from .connection import Connection
from .encoding import encode, load
from .hyperparams import SQL_CHANGE, ChangeRow, change_row

Row = tuple[Any, ...]

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


def _block_row(block: Block) -> tuple[Row, list[Row], list[Row]]:
    """(blocks row, extrinsics rows, events rows) for one block. The backfill hot path: kept flat.

    ``calls`` is NULL when the extrinsic's only effective call is itself, unwrapped.
    """
    n = block.number
    row: Row
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
    enc = encode
    notable = notable_calls(block)
    ex_rows: list[Row] = []
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
    ev_rows: list[Row] = [
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


class BlockRows(NamedTuple):
    """The rows of a run of blocks, ready for one transaction (plain tuples: cheap to send between
    processes)."""

    numbers: list[int]
    blocks: list[Row]
    extrinsics: list[Row]
    events: list[Row]
    changes: list[ChangeRow]
    alerts: list[Alert]


BlockItem = tuple[Block, Sequence[HyperparamChange], Sequence[Alert]]
"""A block with the hyperparameter changes and alerts found in it, written together."""


def block_rows(items: Iterable[BlockItem]) -> BlockRows:
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
        rows.changes.extend(change_row(c) for c in changes)
    return rows


def mark_rows_finalized(rows: BlockRows, up_to: int) -> BlockRows:
    """``rows`` with the blocks numbered <= ``up_to`` (the finalized head when they were fetched)
    marked finalized."""
    if not rows.blocks or rows.numbers[0] > up_to:
        return rows
    blocks = [r if r[0] > up_to or r[5] else (*r[:5], 1, *r[6:]) for r in rows.blocks]
    return rows._replace(blocks=blocks)


class BlocksStore(Connection):
    """Blocks, extrinsics and events; gaps and totals."""

    # -- writes -------------------------------------------------------------------------------

    def write_block(
        self,
        block: Block,
        changes: Iterable[HyperparamChange] = (),
        alerts: Iterable[Alert] = (),
    ) -> list[Alert]:
        """Store one block with its changes and alerts atomically; return the new alerts."""
        return self.write_blocks([(block, list(changes), list(alerts))])

    def write_blocks(self, items: Iterable[BlockItem]) -> list[Alert]:
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
                    (encode(rows.numbers),),
                )
            }
            stale = [(n,) for n in rows.numbers if n in present]
            if stale:
                conn.executemany("DELETE FROM extrinsics WHERE block = ?", stale)
                conn.executemany("DELETE FROM events WHERE block = ?", stale)
                conn.executemany("DELETE FROM hyperparam_changes WHERE block = ?", stale)
            self._flush(conn, rows.blocks, rows.extrinsics, rows.events, rows.changes)
            for alert in rows.alerts:
                new = insert_alert(conn, alert)
                if new is not None:
                    new_alerts.append(new)
        return new_alerts

    @staticmethod
    def _flush(
        conn: sqlite3.Connection, blocks: list[Row], exs: list[Row], evs: list[Row], chs: list[ChangeRow]
    ) -> None:
        if blocks:
            conn.executemany(_SQL_BLOCK, blocks)
        if exs:
            conn.executemany(_SQL_EXTRINSIC, exs)
        if evs:
            conn.executemany(_SQL_EVENT, evs)
        if chs:
            conn.executemany(SQL_CHANGE, chs)

    def mark_finalized(self, up_to: int) -> int:
        """Mark every stored block numbered <= ``up_to`` finalized; return how many changed."""
        with self._write() as conn:
            cur = conn.execute(
                "UPDATE blocks SET finalized = 1 WHERE finalized = 0 AND number <= ?", (up_to,)
            )
            return cur.rowcount

    # -- reads --------------------------------------------------------------------------------

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
                attributes=load(r["attributes"]),
            )
            for r in self._q("SELECT * FROM events WHERE block = ? ORDER BY idx", (number,))
        ]
        by_ex: dict[int, list[Event]] = {}
        for e in events:
            if e.extrinsic_index is not None:
                by_ex.setdefault(e.extrinsic_index, []).append(e)
        extrinsics = []
        for r in self._q("SELECT * FROM extrinsics WHERE block = ? ORDER BY idx", (number,)):
            args = load(r["args"]) or {}
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
        if r is None:
            return None
        value: str = r[0]
        return value

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
        lo, hi = self._one(
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
        return [] if lo is None or hi is None else self.missing_in(lo, hi)

    def _bounds(self) -> tuple[int | None, int | None]:
        # Two subqueries: SQLite only turns a lone min() or max() into an index seek.
        r = self._one("SELECT (SELECT min(number) FROM blocks), (SELECT max(number) FROM blocks)")
        return r[0], r[1]

    def stats(self) -> dict[str, Any]:
        """Totals for status displays. Counts come from the per-block columns (one pass over
        ``blocks``), not from counting the much larger extrinsics/events tables."""
        first, last = self._bounds()
        r = self._one(
            "SELECT count(*), total(extrinsic_count), total(failed_count), total(event_count),"
            " count(decode_error) FROM blocks"
        )
        finalized = self._q1("SELECT number FROM blocks WHERE finalized = 1 ORDER BY number DESC LIMIT 1")
        gaps = [] if first is None or last is None else self.missing_in(first, last)
        return {
            "first_block": first,
            "last_block": last,
            "blocks": r[0],
            "gaps": [[a, b] for a, b in gaps],
            "missing_blocks": sum(b - a + 1 for a, b in gaps),
            "extrinsics": int(r[1]),
            "failed_extrinsics": int(r[2]),
            "events": int(r[3]),
            "alerts": self._one("SELECT count(*) FROM alerts")[0],
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
                "notable": load(r["notable"]) or [],
            }
            for r in self._q("SELECT * FROM blocks ORDER BY number DESC LIMIT ?", (limit,))
        ]
