"""Backfill runs in the store: one ``backfill_runs`` row per run, with its progress and outcome."""

from __future__ import annotations

import time
from typing import Any

from .connection import Connection


class RunsStore(Connection):
    """The ``backfill_runs`` table."""

    def start_run(self, mode: str, start: int, end: int) -> int:
        """Record a run as started; returns its id."""
        with self._write() as conn:
            cur = conn.execute(
                "INSERT INTO backfill_runs (mode, start, [end], started_at, status, blocks_done)"
                " VALUES (?, ?, ?, ?, 'running', 0)",
                (mode, start, end, time.time()),
            )
            run_id = cur.lastrowid
        assert run_id is not None
        return run_id

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
