"""Backfill runs in the store: one ``backfill_runs`` row per run, with its progress and outcome.

A run's ``status`` is ``running`` (or ``paused``) while its process works on it, then ``done``,
``cancelled`` or ``failed``; a run whose process was killed is marked ``interrupted`` by the next
writer to open the file (it holds the writer lock, so no live process owns such a run).
"""

from __future__ import annotations

import time
from typing import Any

from .connection import Connection

UNFINISHED = ("running", "paused")
"""The statuses of a run its process is still working on."""


class RunsStore(Connection):
    """The ``backfill_runs`` table."""

    def _writer_opened(self) -> None:
        super()._writer_opened()
        self._mark_interrupted()

    def _mark_interrupted(self) -> int:
        """Runs left unfinished by a process that is gone become ``interrupted``; returns how many."""
        with self._write() as conn:
            cur = conn.execute(
                "UPDATE backfill_runs SET status = 'interrupted', finished_at = ?"
                f" WHERE status IN ({', '.join('?' * len(UNFINISHED))})",
                (time.time(), *UNFINISHED),
            )
            return cur.rowcount

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

    def list_runs(self, limit: int = 20, status: str | None = None) -> list[dict[str, Any]]:
        """Backfill runs, newest first; only those with ``status`` when given (``"interrupted"``:
        the runs of killed processes)."""
        if status is None:
            rows = self._q("SELECT * FROM backfill_runs ORDER BY id DESC LIMIT ?", (limit,))
        else:
            rows = self._q(
                "SELECT * FROM backfill_runs WHERE status = ? ORDER BY id DESC LIMIT ?", (status, limit)
            )
        return [dict(r) for r in rows]

    def run_counts(self) -> dict[str, int]:
        """How many runs have each status, e.g. ``{"done": 12, "interrupted": 1}``."""
        rows = self._q("SELECT status, count(*) FROM backfill_runs GROUP BY status ORDER BY status")
        return {str(r[0]): int(r[1]) for r in rows}
