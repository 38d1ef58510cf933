"""Per-worker progress of a running backfill: one line per worker (its name, the block it is on, a
bar of its share), drawn as one widget.

One widget, not a row of widgets per worker: a run with 32 workers updated five times a second would
otherwise cost 64 widget updates (and a layout of each) per update, and that work, on the app's
thread, is what held key presses up during a dashboard backfill.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from rich.console import RenderableType
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from sentinel_core.bus import WorkerProgress

LABEL_WIDTH = 16


class WorkerBars(Static):
    """The workers of the shown run (``show``); ``clear`` empties it for the next run."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self.rows: list[WorkerProgress] = []
        self._share = 0

    def show(self, workers: Sequence[WorkerProgress], total: int) -> None:
        """Show ``workers``' progress; ``total`` is the run's (a worker without a total of its own
        gets an even share of it). Nothing is redrawn when no figure changed."""
        share = math.ceil(total / max(1, len(workers))) if workers else 0
        rows = [w.model_copy() for w in workers]  # compared by value next time
        if rows == self.rows and share == self._share:
            return
        grown = len(rows) != len(self.rows)  # one line per worker: only a new count changes the height
        self.rows, self._share = rows, share
        self.update(self._table(), layout=grown)

    def clear(self) -> None:
        self.rows, self._share = [], 0
        self.update("")

    def _table(self) -> RenderableType:
        grid = Table.grid(expand=True)
        grid.add_column(width=LABEL_WIDTH, no_wrap=True)
        grid.add_column(ratio=1)
        for w in self.rows:
            total = max(w.total, self._share, 1)
            grid.add_row(Text(_label(w), style="dim"), ProgressBar(total=total, completed=min(w.done, total)))
        return grid

    def line_texts(self) -> list[str]:
        """The workers' labels as shown (tests)."""
        return [_label(w) for w in self.rows]


def _label(w: WorkerProgress) -> str:
    return f"w{w.worker:<2} " + ("" if w.current is None else f"#{w.current:,}")
