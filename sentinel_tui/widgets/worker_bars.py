"""Per-worker progress of a running backfill: one line per worker (its name, the block it is on, a
bar of its share), drawn as one widget.

One widget, not a row of widgets per worker: a run with 32 workers updated five times a second would
otherwise cost 64 widget updates (and a layout of each) per update, and that work, on the app's
thread, is what held key presses up during a dashboard backfill.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence

from rich.console import Console, ConsoleOptions
from rich.measure import Measurement
from rich.segment import Segment
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

    def _table(self) -> _Lines:
        return _Lines(self.rows, self._share)

    def line_texts(self) -> list[str]:
        """The workers' labels as shown (tests)."""
        return [_label(w) for w in self.rows]


class _Lines:
    """The bars as lines of segments: a label and a bar each. Drawn directly (a Rich table of
    progress bars measured its 32 rows on every update: ~30 ms of the app's thread, five times a
    second while the Backfill pane is shown)."""

    def __init__(self, rows: list[WorkerProgress], share: int) -> None:
        self.rows, self.share = rows, share

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(options.max_width, options.max_width)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Segment]:
        width = max(1, options.max_width - LABEL_WIDTH)
        label_style, back = console.get_style("dim"), console.get_style("bar.back")
        complete, finished = console.get_style("bar.complete"), console.get_style("bar.finished")
        for w in self.rows:
            total = max(w.total, self.share, 1)
            done = min(w.done, total)
            filled = width * done // total
            yield Segment(_label(w)[:LABEL_WIDTH].ljust(LABEL_WIDTH), label_style)
            if filled:
                yield Segment("━" * filled, finished if done >= total else complete)
            if width > filled:
                yield Segment("━" * (width - filled), back)
            yield Segment.line()


def _label(w: WorkerProgress) -> str:
    return f"w{w.worker:<2} " + ("" if w.current is None else f"#{w.current:,}")
