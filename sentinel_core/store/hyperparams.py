"""Hyperparameters in the store: the changes found in blocks, and the polls (all values read at a block)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Any

from ..model import HyperparamChange
from .connection import Connection
from .encoding import dump, encode, load

SQL_CHANGE = (
    "INSERT OR REPLACE INTO hyperparam_changes (block, netuid, name, old, new, extrinsic_index,"
    " signer, call, via_sudo, known) VALUES (?,?,?,?,?,?,?,?,?,?)"
)

ChangeRow = tuple[int, int | None, str, str | None, str | None, int | None, str | None, str | None, int, int]


def change_row(c: HyperparamChange) -> ChangeRow:
    """The ``hyperparam_changes`` row of a change (``id`` left to sqlite)."""
    return (
        c.block,
        c.netuid,
        c.name,
        dump(c.old),
        dump(c.new),
        c.extrinsic_index,
        c.signer,
        c.call,
        int(c.via_sudo),
        int(c.known),
    )


def _row_to_change(r: sqlite3.Row) -> HyperparamChange:
    return HyperparamChange(
        block=r["block"],
        netuid=r["netuid"],
        name=r["name"],
        old=load(r["old"]),
        new=load(r["new"]),
        extrinsic_index=r["extrinsic_index"],
        signer=r["signer"],
        call=r["call"],
        via_sudo=bool(r["via_sudo"]),
        known=bool(r["known"]),
    )


class HyperparamsStore(Connection):
    """Hyperparameter changes and polls."""

    @property
    def _polls_table(self) -> str:
        # A file of schema 2 opened read-only keeps the polls' old table name.
        return "hyperparam_polls" if self.schema_version >= 3 else "hyperparam_snapshots"

    def write_changes(self, changes: Iterable[HyperparamChange]) -> None:
        """Store hyperparameter changes found outside a block write (e.g. by a snapshot diff).

        They belong to their ``block`` and go when that block is written again."""
        rows = [change_row(c) for c in changes]
        if rows:
            with self._write() as conn:
                conn.executemany(SQL_CHANGE, rows)

    def hyperparam_history(
        self, netuid: int | None = None, name: str | None = None, limit: int = 200
    ) -> list[HyperparamChange]:
        """Stored changes, newest first, optionally for one subnet and/or one parameter."""
        where: list[str] = []
        params: list[Any] = []
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

    def write_hyperparam_poll(self, block: int, netuid: int, values: dict[str, Any]) -> None:
        """Store the hyperparameters of ``netuid`` read at ``block`` (replacing a poll of the same block)."""
        with self._write() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO hyperparam_polls (block, netuid, [values]) VALUES (?, ?, ?)",
                (block, netuid, encode(values)),
            )

    def latest_hyperparam_poll(
        self, netuid: int, at_or_before: int | None = None
    ) -> tuple[int, dict[str, Any]] | None:
        """(block, values) of the newest poll of ``netuid`` at or before the given block."""
        table = self._polls_table
        if at_or_before is None:
            r = self._q1(
                f"SELECT block, [values] FROM {table} WHERE netuid = ? ORDER BY block DESC LIMIT 1",
                (netuid,),
            )
        else:
            r = self._q1(
                f"SELECT block, [values] FROM {table} WHERE netuid = ?"
                " AND block <= ? ORDER BY block DESC LIMIT 1",
                (netuid, at_or_before),
            )
        return None if r is None else (r[0], load(r[1]))
