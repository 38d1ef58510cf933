"""The block flow: the newest blocks streaming in, newest on top, with sparklines of block time and
extrinsics per block. Bounded (``max_rows``): the oldest rows are removed as new ones arrive.

History comes from the read model (SQLite) when the core starts (so reopening the app shows the last blocks), then
``BlockNotice`` messages append. Updates are coalesced (one table update per ~0.1 s) so a fast chain
never floods the UI. Enter opens the block.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.timer import Timer
from textual.widgets import DataTable, Input, Label, Sparkline

from sentinel_core.units import block_time
from sentinel_core.views import Views

from ..format import clock_time
from ..messages import BlockNotice, CoreStarted, OpenBlock
from .filter_bar import FilterBar
from .steady_table import SteadyTable

FLUSH_DELAY = 0.1


@dataclass
class BlockRow:
    number: int
    timestamp: int | None = None
    extrinsics: int = 0
    failed: int = 0
    events: int = 0
    notable: list[str] = field(default_factory=list)
    block_time: float | None = None

    def matches(self, tokens: list[str]) -> bool:
        hay = " ".join(self.notable).lower()
        for tok in tokens:
            if tok in ("fail", "failed", "failures"):
                if not self.failed:
                    return False
            elif tok == "notable":
                if not self.notable:
                    return False
            elif tok.lstrip("#").isdigit():
                if tok.lstrip("#") not in str(self.number):
                    return False
            elif tok not in hay:
                return False
        return True


def _number_of(cell: Any) -> int:
    text = cell.plain if isinstance(cell, Text) else str(cell)
    return int(text.lstrip("#").replace(",", "") or 0)


class BlockFlow(Vertical):
    """Blocks pane: sparklines on top, the newest blocks below."""

    BINDINGS = [Binding("enter", "open_block", "Open block", show=True)]

    def __init__(
        self, views: Views, *, max_rows: int = 500, tz: tzinfo | None = None, id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self.views = views
        self.max_rows = max_rows
        self.tz = tz
        self.rows: dict[int, BlockRow] = {}
        self._pending: list[BlockRow] = []
        self._flush_timer: Timer | None = None
        self._tokens: list[str] = []
        self._times: deque[float] = deque(maxlen=max_rows)
        self._exts: deque[float] = deque(maxlen=max_rows)
        self.loaded = False

    def compose(self) -> ComposeResult:
        with Horizontal(id="flow-sparks"):
            with Vertical(classes="spark-box"):
                yield Label("block time", id="spark-time-label", classes="spark-label")
                yield Sparkline([], id="spark-time")
            with Vertical(classes="spark-box"):
                yield Label("extrinsics / block", id="spark-ext-label", classes="spark-label")
                yield Sparkline([], id="spark-ext")
        yield FilterBar(
            "filter: words in notable calls (sudo, coldkey…), 'fail', 'notable', a block number",
            id="blocks-filter",
        )
        yield SteadyTable(id="blocks-table", cursor_type="row", zebra_stripes=True, stripes_follow_rows=True)

    def on_mount(self) -> None:
        table = self.query_one("#blocks-table", DataTable)
        table.add_column("Block", key="number", width=11)
        table.add_column("Time", key="time", width=8)
        table.add_column("Ext", key="ext", width=4)
        table.add_column("Fail", key="fail", width=4)
        table.add_column("Events", key="events", width=6)
        table.add_column("Δt", key="dt", width=6)
        table.add_column("Notable calls", key="notable")
        table.loading = True

    @property
    def table(self) -> DataTable[Any]:
        return self.query_one("#blocks-table", DataTable)

    # -- history from the store -----------------------------------------------------------------------
    def on_core_started(self, _: CoreStarted) -> None:
        self.load_history()

    @work(group="blocks-load", exclusive=True, exit_on_error=False)
    async def load_history(self) -> None:
        if not self.views.ready:
            return
        recent = await self.views.recent_blocks(self.max_rows)
        if not self.is_attached:
            return
        rows = [
            BlockRow(
                number=r.number,
                timestamp=r.timestamp,
                extrinsics=r.extrinsics,
                failed=r.failed,
                events=r.events,
                notable=r.notable,
                block_time=r.block_time,
            )
            for r in recent
        ]
        # Blocks that streamed in while we read the store are newer: keep them after the history.
        self._pending = rows + [p for p in self._pending if p.number > (rows[-1].number if rows else -1)]
        self.table.loading = False
        self.loaded = True
        self._flush()
        if self.app.focused is None and self.screen is self.app.screen:
            self.table.focus()

    # -- live blocks ----------------------------------------------------------------------------------
    def on_block_notice(self, message: BlockNotice) -> None:
        n = message.notice
        self._pending.append(
            BlockRow(
                number=n.number,
                timestamp=n.timestamp,
                extrinsics=n.extrinsics,
                failed=n.failed,
                events=n.events,
                notable=list(n.notable),
                block_time=n.block_time,
            )
        )
        if self.loaded and self._flush_timer is None:
            self._flush_timer = self.set_timer(FLUSH_DELAY, self._flush)

    def _cells(self, row: BlockRow) -> tuple[Text, ...]:
        notable = ", ".join(row.notable)
        if len(notable) > 120:
            notable = notable[:119] + "…"
        return (
            Text(f"#{row.number:,}", style="bold"),
            Text(clock_time(row.timestamp, self.tz), style="dim"),
            Text(str(row.extrinsics), justify="right"),
            Text(str(row.failed), justify="right", style="bold red" if row.failed else "dim"),
            Text(str(row.events), justify="right", style="dim"),
            Text("—" if row.block_time is None else f"{row.block_time:.1f}s", justify="right", style="dim"),
            Text(notable, style="yellow" if "(failed)" not in notable else "dark_orange"),
        )

    def _flush(self) -> None:
        self._flush_timer = None
        pending, self._pending = self._pending, []
        if not pending:
            self._update_sparks()
            return
        table = self.table
        following = table.row_count == 0 or table.cursor_row <= 0
        keep_key = None
        if not following:
            try:
                keep_key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
            except Exception:  # noqa: BLE001 - cursor outside the table
                keep_key = None
        for row in pending:
            key = str(row.number)
            if row.number in self.rows and key in table.rows:
                table.remove_row(key)
            self.rows.pop(row.number, None)
            prev = self.rows.get(row.number - 1)
            if row.block_time is None and prev is not None and prev.timestamp and row.timestamp:
                row.block_time = block_time(prev.timestamp, row.timestamp)
            self.rows[row.number] = row
            if row.block_time is not None:
                self._times.append(row.block_time)
            self._exts.append(float(row.extrinsics))
            if self._visible(row):
                table.add_row(*self._cells(row), key=key)
        while len(self.rows) > self.max_rows:
            oldest = min(self.rows)
            del self.rows[oldest]
            if str(oldest) in table.rows:
                table.remove_row(str(oldest))
        table.sort("number", key=_number_of, reverse=True)
        if following:
            table.move_cursor(row=0, scroll=False)
            table.scroll_to(y=0, animate=False)
        elif keep_key is not None and keep_key in table.rows:
            table.move_cursor(row=table.get_row_index(keep_key), scroll=False)
        self._update_sparks()

    def _update_sparks(self) -> None:
        times, exts = list(self._times), list(self._exts)
        self.query_one("#spark-time", Sparkline).data = times
        self.query_one("#spark-ext", Sparkline).data = exts
        if times:
            self.query_one("#spark-time-label", Label).update(  # one line, fixed width: no layout
                layout=False,
                content=Text.assemble(
                    ("block time ", "bold"),
                    f"{times[-1]:.1f}s",
                    (f"  avg {sum(times) / len(times):.1f} max {max(times):.1f}", "dim"),
                ),
            )
        if exts:
            self.query_one("#spark-ext-label", Label).update(
                layout=False,
                content=Text.assemble(
                    ("extrinsics/block ", "bold"),
                    f"{exts[-1]:.0f}",
                    (f"  avg {sum(exts) / len(exts):.1f} max {max(exts):.0f}", "dim"),
                ),
            )

    # -- filter ---------------------------------------------------------------------------------------
    def _visible(self, row: BlockRow) -> bool:
        return not self._tokens or row.matches(self._tokens)

    def open_filter(self) -> None:
        self.query_one("#blocks-filter", FilterBar).open()

    @on(Input.Changed, "#blocks-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self._tokens = event.value.lower().split()
        self._rebuild()

    @on(FilterBar.Closed, "#blocks-filter")
    def _filter_closed(self) -> None:
        self.table.focus()

    def _rebuild(self) -> None:
        table = self.table
        table.clear()
        for number in sorted(self.rows, reverse=True):
            row = self.rows[number]
            if self._visible(row):
                table.add_row(*self._cells(row), key=str(number))
        table.move_cursor(row=0)

    # -- open -----------------------------------------------------------------------------------------
    def focus_main(self) -> None:
        self.table.focus()

    def action_open_block(self) -> None:
        number = self.selected_number()
        if number is not None:
            self.post_message(OpenBlock(number))

    def selected_number(self) -> int | None:
        table = self.table
        if table.row_count == 0:
            return None
        try:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        except Exception:  # noqa: BLE001
            return None
        return int(key.value) if key.value is not None else None

    @on(DataTable.RowSelected, "#blocks-table")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value is not None:
            self.post_message(OpenBlock(int(event.row_key.value)))
