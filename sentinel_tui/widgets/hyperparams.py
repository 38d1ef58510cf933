"""Hyperparameters of one subnet: every value with its unit (from the one semantics table), recently
changed values highlighted, and the change history of the selected parameter from the store.

Values are read at the head through the read model in a worker (never in a handler); a
``HyperparamNotice`` for the shown subnet re-reads them. When the node cannot be reached the newest
stored poll is shown instead.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.timer import Timer
from textual.widgets import DataTable, Input, Label, Select, Static
from textual.widgets.data_table import ColumnKey

from sentinel_core import hyperparams as hp
from sentinel_core.views import Views

from ..format import short_addr
from ..messages import CoreStarted, HyperparamNotice, RefreshSubnets, SubnetSelected, SubnetsKnown
from .filter_bar import FilterBar
from .steady_table import SteadyTable

RECENT_BLOCKS = 7200
"""A change within this many blocks of the head is highlighted (one day at 12 s per block)."""
HISTORY_BLOCK_WIDTH = 10
"""The history's Block column (``#1,234,567``); the change column takes the rest of the sidebar."""


def ordered_names(values: dict[str, Any]) -> list[str]:
    """Known parameters in the table's order, then the ones the table does not know, by name."""
    known = [name for name in hp.TABLE if name in values]
    unknown = sorted(name for name in values if name not in hp.TABLE)
    return known + unknown


SELF_EVIDENT_UNITS = {hp.Unit.blocks, hp.Unit.rao, hp.Unit.flag}
"""Units the formatted value already shows (``100 blocks (20m)``, ``τ1.0``, ``yes``)."""


def value_text(name: str, raw: Any, style: str = "") -> Text:
    """The human value with its unit from the table: ``0.2500 u16 fraction``, ``100 blocks (20m)``."""
    text = Text(hp.format_value(name, raw), style=style)
    if hp.unit_of(name) not in SELF_EVIDENT_UNITS:
        text.append(f" {hp.unit_label(name)}", style="dim")
    return text


class HyperparamsPane(Vertical):
    """Hyperparameters pane: subnet picker, values table, history of the highlighted parameter.

    One selected subnet with the Subnet pane: a subnet the user picks here (picker, ``[``/``]``) is
    posted as ``SubnetSelected``; ``select_subnet`` (the app's call) shows one without posting."""

    SCOPED_CSS = False
    DEFAULT_CSS = """
    #hp-desc {
        height: auto;
        padding: 0 1;
    }
    Screen.-narrow #hp-desc {
        display: none;
    }
    """

    BINDINGS = [
        Binding("left_square_bracket", "subnet(-1)", "Prev subnet"),
        Binding("right_square_bracket", "subnet(1)", "Next subnet"),
        Binding("R", "refresh", "Re-read", show=False),
    ]

    def __init__(self, views: Views, *, recent_blocks: int = RECENT_BLOCKS, id: str | None = None) -> None:
        super().__init__(id=id)
        self.views = views
        self.recent_blocks = recent_blocks
        self.netuids: list[int] = []
        self.netuid: int | None = None
        self.values: dict[str, Any] = {}
        self.read_at: int | None = None
        self.last_change: dict[str, Any] = {}
        self.session_changed: set[tuple[int | None, str]] = set()
        self.selected_name: str | None = None
        self.loaded = False
        self.history_loaded = False
        self._tokens: list[str] = []
        self._refresh_timer: Timer | None = None
        self._stale_values = False
        self._note: Text | None = None
        self._shown: dict[str, tuple[Any, ...]] = {}
        """What each row of the values table shows (value, changed recently, last change's block)."""
        self._history: list[Any] = []
        """The changes the history table shows (re-laid out when the sidebar's width changes)."""

    def compose(self) -> ComposeResult:
        with Horizontal(id="hp-bar"):
            yield Label("Subnet ", classes="bar-label")
            yield Select([], id="hp-subnet", compact=True, prompt="—", allow_blank=True)
            yield Label("", id="hp-info")
        yield FilterBar("filter parameters by name (e.g. burn, alpha, rate)", id="hp-filter")
        with Horizontal(id="hp-body"):
            yield SteadyTable(id="hp-table", cursor_type="row", zebra_stripes=True)
            with Vertical(id="hp-side"):
                yield Label("History", id="hp-history-title", classes="section-title")
                yield Static("", id="hp-desc")
                yield SteadyTable(id="hp-history", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one("#hp-table", DataTable)
        table.add_column("Parameter", key="name", width=29)
        table.add_column("Value", key="value", width=30)
        table.add_column("Changed", key="changed", width=9)
        history = self.query_one("#hp-history", DataTable)
        history.add_column("Block", key="block", width=HISTORY_BLOCK_WIDTH)
        history.add_column("Old -> new  ·  who", key="change", width=self._change_width())

    @property
    def table(self) -> DataTable[Any]:
        return self.query_one("#hp-table", DataTable)

    def focus_main(self) -> None:
        self.table.focus()

    # -- subnets --------------------------------------------------------------------------------------
    def on_core_started(self, _: CoreStarted) -> None:
        self.query_one("#hp-info", Label).update(Text("reading subnets…", style="dim"))

    def on_subnets_known(self, message: SubnetsKnown) -> None:
        netuids = sorted(set(message.netuids))
        if netuids == self.netuids and self.netuid is not None:
            return
        self.netuids = netuids
        select = self.query_one("#hp-subnet", Select)
        with self.prevent(Select.Changed):  # programmatic: not the user's pick
            select.set_options([(f"{n}", n) for n in netuids])
            target = (
                self.netuid
                if self.netuid in netuids
                else next((n for n in netuids if n > 0), netuids[0] if netuids else None)
            )
            if target is not None:
                select.value = target
        if target is not None and target != self.netuid:
            self._show_subnet(target)
        elif target is None:
            self.query_one("#hp-info", Label).update(Text("no subnets at the head", style="dim"))

    def select_subnet(self, netuid: int) -> None:
        """Show ``netuid`` (the app's call: the selected subnet), without posting ``SubnetSelected``;
        nothing to do when it is shown already."""
        if netuid != self.netuid:
            self._show_subnet(netuid)

    def _user_selected(self, netuid: int) -> None:
        """The user picked ``netuid`` here: show it and tell the app (the Subnet pane follows)."""
        self._show_subnet(netuid)
        self.post_message(SubnetSelected(netuid))

    def _show_subnet(self, netuid: int) -> None:
        if netuid not in self.netuids:
            self.netuids = sorted({*self.netuids, netuid})
            self.query_one("#hp-subnet", Select).set_options([(f"{n}", n) for n in self.netuids])
        self.netuid = netuid
        select = self.query_one("#hp-subnet", Select)
        if select.value != netuid:
            with self.prevent(Select.Changed):  # programmatic: not the user's pick
                select.value = netuid
        self.loaded = False
        self.query_one("#hp-info", Label).update(Text(f"reading subnet {netuid}…", style="dim"))
        self.load_values()

    @on(Select.Changed, "#hp-subnet")
    def _subnet_picked(self, event: Select.Changed) -> None:
        if event.value is Select.NULL or event.value != event.select.value:  # a stale change
            return
        if isinstance(event.value, int) and event.value != self.netuid:
            self._user_selected(event.value)

    def action_subnet(self, delta: int) -> None:
        if not self.netuids:
            return
        if self.netuid not in self.netuids:
            self._user_selected(self.netuids[0])
            return
        i = (self.netuids.index(self.netuid) + delta) % len(self.netuids)
        self._user_selected(self.netuids[i])

    def refresh_if_stale(self, best: int | None, stale_after: int = 10) -> None:
        """Re-read the values when the head (``best``) moved on since they were read (on showing the
        pane)."""
        if (
            self.loaded
            and self.read_at is not None
            and best is not None
            and best - self.read_at > stale_after
        ):
            self.load_values()

    def action_refresh(self) -> None:
        if self.netuid is not None:
            self.load_values()

    # -- values -------------------------------------------------------------------------------------
    @work(group="hp-values", exclusive=True, exit_on_error=False)
    async def load_values(self) -> None:
        netuid = self.netuid
        if netuid is None:
            return
        views = self.views
        note: Text | None = None
        reading = await views.hyperparams(netuid)
        values, read_at = reading.values, reading.read_at
        if reading.error is not None:
            note = Text(
                f"node unreachable ({reading.error}); "
                + (f"stored snapshot of #{read_at:,}" if reading.source == "store" else "no stored snapshot"),
                style="yellow",
            )
        elif values is None:
            note = Text(f"subnet {netuid} does not exist at #{read_at:,}", style="yellow")
        history = await views.hyperparam_history(netuid=netuid, limit=2000) if views.ready else []
        if netuid != self.netuid or not self.is_attached:
            return
        last: dict[str, Any] = {}
        for change in history:  # newest first
            last.setdefault(change.name, change)
        self.values = values or {}
        self.read_at = read_at
        self.last_change = last
        self._note = note
        self._render_values(note)
        self.loaded = True

    def _is_recent(self, name: str) -> bool:
        if (self.netuid, name) in self.session_changed:
            return True
        change = self.last_change.get(name)
        if change is None or self.read_at is None:
            return False
        return bool(self.read_at - change.block <= self.recent_blocks)

    def _render_values(self, note: Text | None = None) -> None:
        """Show the values. Rows whose name, value and last change are as shown stay as they are
        (drawn already): a backfill filling the history redraws only what it changed."""
        table = self.table
        keep = self.selected_name
        recent = 0
        rows: dict[str, tuple[Any, ...]] = {}
        for name in ordered_names(self.values):
            if self._tokens and not all(t in name for t in self._tokens):
                continue
            is_recent = self._is_recent(name)
            recent += is_recent
            change = self.last_change.get(name)
            rows[name] = (repr(self.values[name]), is_recent, None if change is None else change.block)
        same_rows = list(rows) == [key.value for key in table.rows]
        if not same_rows:
            table.clear()
        for name, shown in rows.items():
            if same_rows and self._shown.get(name) == shown:
                continue
            _, is_recent, block = shown
            style = "bold yellow" if is_recent else ""
            changed = (
                Text("")
                if block is None
                else Text(f"#{block:,}" + (" ●" if is_recent else ""), style="yellow" if is_recent else "dim")
            )
            cells = (Text(name, style=style), value_text(name, self.values[name], style), changed)
            if same_rows:
                for column, cell in zip(("name", "value", "changed"), cells, strict=True):
                    table.update_cell(name, column, cell)
            else:
                table.add_row(*cells, key=name)
        self._shown = rows
        if not same_rows and keep is not None and keep in table.rows:
            table.move_cursor(row=table.get_row_index(keep), scroll=True)
        info = Text.assemble(
            ("read at ", "dim"),
            ("—" if self.read_at is None else f"#{self.read_at:,}", ""),
            (" · ", "dim"),
            (f"{len(self.values)} parameters", ""),
            (" · ", "dim"),
            (f"{recent} changed recently", "yellow" if recent else "dim"),
        )
        if note is not None:
            info.append("  ")
            info.append_text(note)
        self.query_one("#hp-info", Label).update(info)
        if table.row_count:
            self._show_history(self.selected_name if self.selected_name in table.rows else None)

    # -- history of the highlighted parameter ---------------------------------------------------------
    @on(DataTable.RowHighlighted, "#hp-table")
    def _param_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key.value is not None and event.row_key.value != self.selected_name:
            self._show_history(event.row_key.value)

    def _show_history(self, name: str | None) -> None:
        if name is None:
            table = self.table
            if not table.row_count:
                return
            name = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        self.selected_name = name
        self.history_loaded = False
        self.load_history(name)

    @work(group="hp-history", exclusive=True, exit_on_error=False)
    async def load_history(self, name: str) -> None:
        netuid = self.netuid
        views = self.views
        changes = await views.hyperparam_history(netuid=netuid, name=name, limit=200) if views.ready else []
        if name != self.selected_name or netuid != self.netuid or not self.is_attached:
            return
        spec = hp.spec(name)
        title = Text.assemble(
            (name, "bold"),
            (f" · subnet {netuid} · {len(changes)} change{'s' if len(changes) != 1 else ''}", "dim"),
        )
        self.query_one("#hp-history-title", Label).update(title)
        desc = Text(spec.description if spec else "Not in Sentinel's table: shown raw.", style="dim italic")
        if spec is not None and spec.setter:
            desc.append(
                f"  setter {spec.setter}" + (" (owner settable)" if spec.owner_settable else ""), style="dim"
            )
        self.query_one("#hp-desc", Static).update(desc)
        self._history = changes
        self._fill_history()
        self.history_loaded = True

    def _change_width(self) -> int:
        """The history's change column: the sidebar's width less the Block column, the cell padding
        and the scrollbar, so each change wraps instead of being cut."""
        table = self.query_one("#hp-history", DataTable)
        rest = table.size.width - table.styles.scrollbar_size_vertical - 4 * table.cell_padding
        return max(12, rest - HISTORY_BLOCK_WIDTH)

    def _fill_history(self) -> None:
        """Lay out the history rows, each change wrapped at the change column's width."""
        table = self.query_one("#hp-history", DataTable)
        name = self.selected_name or ""
        width = self._change_width()
        table.clear(columns=True)
        table.add_column("Block", key="block", width=HISTORY_BLOCK_WIDTH)
        table.add_column("Old -> new  ·  who", key="change", width=width)
        for change in self._history:
            text = Text(
                f"{hp.format_value(name, change.old)} -> {hp.format_value(name, change.new)}", style="yellow"
            )
            if change.call is None:
                text.append("\nfound by a state snapshot", style="dim")
            else:
                text.append(
                    f"\nby {short_addr(change.signer)} via {'Sudo' if change.via_sudo else 'owner'}",
                    style="dim",
                )
            table.add_row(f"#{change.block:,}", text, height=None)

    def on_resize(self, _: events.Resize) -> None:
        self.call_after_refresh(self._refit_history)

    def _refit_history(self) -> None:
        table = self.query_one("#hp-history", DataTable)
        column = table.columns.get(ColumnKey("change"))
        if column is not None and column.width != self._change_width():
            self._fill_history()

    # -- live changes ---------------------------------------------------------------------------------
    def on_hyperparam_notice(self, message: HyperparamNotice) -> None:
        change = message.notice.change
        if change.netuid is not None and change.netuid not in self.netuids:
            self.post_message(RefreshSubnets())
        if change.netuid != self.netuid or self.netuid is None:
            return
        # A change newer than the values shown (live) means re-reading them; an older one (a
        # backfill filling history) only adds to the history.
        if self.read_at is None or change.block > self.read_at:
            self.session_changed.add((change.netuid, change.name))
            self._stale_values = True
        if self._refresh_timer is None:
            self._refresh_timer = self.set_timer(0.5, self._refresh_after_change)

    def _refresh_after_change(self) -> None:
        self._refresh_timer = None
        if self._stale_values:
            self._stale_values = False
            self.load_values()  # also reloads the history of the selected parameter
        else:
            self.load_change_index()

    @work(group="hp-index", exclusive=True, exit_on_error=False)
    async def load_change_index(self) -> None:
        """Re-read only the stored changes (which parameters changed when) and the shown history."""
        netuid = self.netuid
        if not self.views.ready or netuid is None:
            return
        history = await self.views.hyperparam_history(netuid=netuid, limit=2000)
        if netuid != self.netuid or not self.is_attached:
            return
        last: dict[str, Any] = {}
        for change in history:
            last.setdefault(change.name, change)
        self.last_change = last
        if self.values:
            self._render_values(self._note)

    # -- filter ---------------------------------------------------------------------------------------
    def open_filter(self) -> None:
        self.query_one("#hp-filter", FilterBar).open()

    @on(Input.Changed, "#hp-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self._tokens = event.value.lower().split()
        if self.values:
            self._render_values(self._note)

    @on(FilterBar.Closed, "#hp-filter")
    def _filter_closed(self) -> None:
        self.table.focus()

    # -- for tests ------------------------------------------------------------------------------------
    def value_text(self, name: str) -> str | None:
        table = self.table
        if name not in table.rows:
            return None
        cell: Text = table.get_cell(name, "value")
        return cell.plain

    def history_rows(self) -> list[str]:
        table = self.query_one("#hp-history", DataTable)
        return [
            " | ".join(c.plain if isinstance(c, Text) else str(c) for c in table.get_row_at(i))
            for i in range(table.row_count)
        ]
