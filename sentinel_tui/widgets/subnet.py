"""Subnet pane: the neurons of one subnet from its newest stored metagraph snapshot, sortable, with
what changed since the snapshot before it highlighted, and the highlighted validator's APY over time.

Snapshots are taken by live mode at each epoch boundary (``[watch] snapshots``) and by
``SnapshotBackfill`` (``sentinel-cli subnet apy`` takes the missing ones of a past range). Every read
goes through the read model (:class:`~sentinel_core.views.Views`, on the store's own thread) from a
worker, and the results reach the pane as messages. While the pane is shown, a ``BlockNotice`` at most every ``CHECK_INTERVAL`` seconds asks for
the newest snapshot block of the shown subnet (one index probe); only a new block reads the snapshots
again. The APY series is read in small chunks of epochs so the store's thread (which also writes the
live blocks) is never held for long, and it covers the newest ``APY_EPOCHS`` epochs only.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from rich.cells import cell_len
from rich.text import Span, Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.coordinate import Coordinate
from textual.widget import Widget
from textual.widgets import DataTable, Input, Label, Select, Sparkline, Static
from textual.widgets.data_table import ColumnKey

from sentinel_core.metagraph import Change, NeuronRow
from sentinel_core.units import RAO_PER_TAO
from sentinel_core.views import APY_BLOCK_TIME, APY_CHUNK, APY_EPOCHS, SubnetView, Views

from ..format import short_addr
from ..messages import (
    CoreStarted,
    SnapshotIndex,
    SubnetApyLoaded,
    SubnetSelected,
    SubnetsKnown,
    SubnetSnapshotLoaded,
)
from .filter_bar import FilterBar
from .neuron_table import NeuronTable

CHECK_INTERVAL = 3.0
"""While the pane is shown, look for a newer snapshot at most this often (seconds, on new blocks)."""
__all__ = ["APY_BLOCK_TIME", "APY_CHUNK", "APY_EPOCHS", "SubnetPane"]


# -- formatting -----------------------------------------------------------------------------------------
def tao_text(rao: int, digits: int = 2) -> str:
    return f"{rao / RAO_PER_TAO:,.{digits}f}"


def frac_text(value: float) -> str:
    return f"{value:.4f}" if value else "0"


def pct_text(apy: float | None) -> str:
    """APY as a percentage: ``18.52%``; huge values (a devnet's yields) in scientific notation."""
    if apy is None:
        return "—"
    if math.isinf(apy):
        return "∞"
    pct = apy * 100
    return f"{pct:,.2f}%" if abs(pct) < 1e7 else f"{pct:.3e}%"


@dataclass
class RowMark:
    """What changed at one uid since the previous snapshot."""

    kinds: set[str] = field(default_factory=set)
    delta_rao: int | None = None

    @property
    def style(self) -> str:
        if "registered" in self.kinds:
            return "bold green"
        if "permit_lost" in self.kinds:
            return "bold red"
        if "permit_gained" in self.kinds:
            return "bold green"
        return "yellow"

    def text(self) -> Text:
        out = Text(justify="right")
        if "registered" in self.kinds:
            out.append("new", style="bold green")
        elif self.delta_rao:
            out.append(
                f"{self.delta_rao / RAO_PER_TAO:+,.3f}", style="green" if self.delta_rao > 0 else "red"
            )
        if "permit_gained" in self.kinds:
            out.append(" +VP", style="bold green")
        if "permit_lost" in self.kinds:
            out.append(" −VP", style="bold red")
        return out


def marks_of(changes: list[Change], uids: set[int]) -> tuple[dict[int, RowMark], int, bool]:
    """Per uid shown, what changed; the number of uids that went (deregistered, not replaced); and
    whether the owner changed."""
    marks: dict[int, RowMark] = {}
    gone = 0
    owner = False
    for c in changes:
        if c.kind == "owner":
            owner = True
            continue
        if c.uid is None:
            continue
        if c.uid not in uids:
            gone += c.kind == "deregistered"
            continue
        if c.kind == "deregistered":
            continue  # the uid was re-registered: its "registered" change says so
        mark = marks.setdefault(c.uid, RowMark())
        mark.kinds.add(c.kind)
        if c.kind == "stake":
            mark.delta_rao = c.delta_rao
    return marks, gone, owner


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int
    ascending: bool
    """The natural order (uids and keys ascending; numbers largest first)."""
    value: Callable[[NeuronRow, RowMark | None], Any]


COLUMNS: tuple[Column, ...] = (
    Column("uid", "UID", 5, True, lambda r, m: r.uid),
    Column("hotkey", "Hotkey", 9, True, lambda r, m: r.hotkey),
    Column("stake", "Stake τ", 13, False, lambda r, m: r.stake_rao),
    Column(
        "change",
        "Δ prev",
        12,
        False,
        lambda r, m: (
            (0, 0)
            if m is None
            else (
                1 + ("registered" in m.kinds) + ("permit_lost" in m.kinds) + ("permit_gained" in m.kinds),
                abs(m.delta_rao or 0),
            )
        ),
    ),
    Column("trust", "Trust", 6, False, lambda r, m: r.trust),
    Column("consensus", "Cons.", 6, False, lambda r, m: r.consensus),
    Column("incentive", "Inc.", 6, False, lambda r, m: r.incentive),
    Column("dividends", "Divs", 6, False, lambda r, m: r.dividends),
    Column("emission", "Emis. τ", 8, False, lambda r, m: r.emission_rao),
    Column("vp", "VP", 2, False, lambda r, m: r.validator_permit),
    Column("updated", "Updated", 7, False, lambda r, m: r.last_update),
    Column("registered", "Reg.", 7, False, lambda r, m: -1 if r.registered_at is None else r.registered_at),
    Column("active", "Act", 3, False, lambda r, m: r.active),
)
"""The table's columns; ``width`` is the content width (the sorted column grows to fit its arrow)."""
COLUMN_KEYS = [c.key for c in COLUMNS]
BY_KEY = {c.key: c for c in COLUMNS}
LEFT = {"hotkey", "vp", "active"}
"""The left-aligned columns (the others are right-aligned)."""
FIELD_GAP = 2
"""Cells between two fields of a line (as DataTable's padding puts between two columns)."""
GAP = " " * FIELD_GAP
LINE = "neuron"
"""The table's one column."""


def neuron_matches(row: NeuronRow, tokens: list[str]) -> bool:
    """Whether ``row`` matches every token of a ``/`` search: a number is a uid, other text a part
    of the hotkey or the coldkey (any case); ``uid:N``, ``hk:TEXT``, ``ck:TEXT`` say which."""
    hotkey, coldkey = row.hotkey.lower(), row.coldkey.lower()
    for token in tokens:
        key, sep, value = token.partition(":")
        if sep and key in ("uid", "hk", "hotkey", "ck", "coldkey") and value:
            if key == "uid":
                ok = value.isdigit() and row.uid == int(value)
            else:
                ok = value in (hotkey if key in ("hk", "hotkey") else coldkey)
        elif token.isdigit():
            ok = row.uid == int(token)
        else:
            ok = token in hotkey or token in coldkey
        if not ok:
            return False
    return True


def sort_neurons(
    rows: list[NeuronRow], marks: dict[int, RowMark], column: str, reverse: bool
) -> list[NeuronRow]:
    """Rows in ``column``'s natural order (ties by uid), reversed on request."""
    col = BY_KEY[column]
    out = sorted(rows, key=lambda r: r.uid)
    out.sort(key=lambda r: col.value(r, marks.get(r.uid)), reverse=not col.ascending)
    if reverse:
        out.reverse()
    return out


EMPTY_HELP = (
    "Metagraph snapshots are stored in the database: live mode takes one of each watched subnet at each "
    "of its epoch boundaries (every tempo + 1 blocks; [watch] snapshots = true in sentinel.toml), so this "
    "pane fills in at the subnet's next epoch. For a past range: "
    "sentinel-cli subnet apy --netuid {n} --from A --to B takes the missing ones (with the dashboard "
    "closed: one process writes a database)."
)


class SubnetPane(Vertical):
    """Subnet pane: subnet picker, summary line, changes legend, neurons table, APY sparkline.

    ``/`` finds neurons by uid, hotkey or coldkey (the table keeps the matching ones; Enter keeps the
    search, Esc clears it). One selected subnet with the Hyperparams pane: a subnet the user picks
    here is posted as ``SubnetSelected``; ``select_subnet`` (the app's call) shows one without
    posting."""

    DEFAULT_CSS = """
    #sn-match {
        height: 1;
        padding: 0 1;
        color: $text-muted;
    }
    """

    BINDINGS = [
        Binding("slash", "filter", "Find", show=False),
        Binding("left_square_bracket", "subnet(-1)", "Prev subnet"),
        Binding("right_square_bracket", "subnet(1)", "Next subnet"),
        Binding("s", "sort", "Sort"),
        Binding("S", "reverse", "Reverse", show=False),
        Binding("R", "refresh", "Re-read", show=False),
    ]

    def __init__(
        self, views: Views, *, watched: list[int] | Literal["all"] = "all", id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self.views = views
        self.watched = watched
        """``[watch] subnets``: the first watched subnet is the one shown at first."""
        self.netuids: list[int] = []
        """Every subnet the picker offers: those at the head and those with snapshots."""
        self.known: list[int] = []
        self.with_snapshots: list[int] = []
        self.netuid: int | None = None
        self.view: SubnetView | None = None
        self.marks: dict[int, RowMark] = {}
        self.sort_column = "uid"
        self.reverse = False
        self.selected_uid: int | None = None
        self.apy: dict[tuple[int, str], list[tuple[int, float | None]]] = {}
        self.apy_for: tuple[int, int] | None = None
        self.apy_epochs = 0
        self.loaded = False
        """The shown subnet's newest snapshot (or its absence) is on screen."""
        self.apy_loaded = False
        self.index_loaded = False
        self._auto_choice = False
        self._last_check = -1e9
        self._shown: tuple[Text, list[tuple[str, Text]]] | None = None
        """The header and lines the table holds (a re-read that changes nothing keeps them)."""
        self._lines_for: tuple[SubnetView | None, dict[int, RowMark], tuple[int, ...]] | None = None
        self._lines_of: dict[int, Text] = {}
        """The formatted line of each uid, for one snapshot, its marks and one layout of the widths."""
        self.search: list[str] = []
        """The ``/`` search's tokens (empty: every neuron)."""

    def compose(self) -> ComposeResult:
        with Horizontal(id="sn-bar"):
            yield Label("Subnet ", classes="bar-label")
            yield Select([], id="sn-subnet", compact=True, prompt="—", allow_blank=True)
            yield Label(Text("waiting for the core…", style="dim"), id="sn-info")
        yield Label("", id="sn-legend")
        yield FilterBar(
            "find a neuron: uid, or part of its hotkey or coldkey (uid:N, hk:…, ck:…)", id="sn-filter"
        )
        yield Label("", id="sn-match")
        yield Static("", id="sn-empty")
        yield NeuronTable(id="sn-table", cursor_type="row", zebra_stripes=True)
        with Vertical(id="sn-apy"):
            yield Label("", id="sn-apy-title")
            yield Sparkline([], id="sn-apy-spark")
            yield Label("", id="sn-apy-note")

    def on_mount(self) -> None:
        self.query_one("#sn-empty", Static).display = False
        self.query_one("#sn-match", Label).display = False
        self._render_table()

    @property
    def table(self) -> NeuronTable:
        return self.query_one("#sn-table", NeuronTable)

    def focus_main(self) -> None:
        self.table.focus()

    # -- subnets --------------------------------------------------------------------------------------
    def on_core_started(self, _: CoreStarted) -> None:
        self.query_one("#sn-info", Label).update(Text("reading snapshots…", style="dim"))
        self.check(force=True)

    def on_subnets_known(self, message: SubnetsKnown) -> None:
        self.known = sorted(set(message.netuids))
        self._set_options()
        if self.netuid is None or self._auto_choice:
            self._choose_default()

    def _set_options(self) -> None:
        netuids = sorted(
            {*self.known, *self.with_snapshots, *([self.netuid] if self.netuid is not None else [])}
        )
        if netuids == self.netuids:
            return
        self.netuids = netuids
        select = self.query_one("#sn-subnet", Select)
        with self.prevent(Select.Changed):  # programmatic: not the user's pick
            select.set_options([(f"{n}", n) for n in netuids])
            if self.netuid is not None:
                select.value = self.netuid

    def _choose_default(self) -> None:
        """The first watched subnet (``[watch] subnets``), else the first with snapshots, else the
        first at the head (subnet 0, root, last)."""
        if not self.index_loaded:
            return
        watched = self.watched
        target: int | None = None
        auto = False
        if isinstance(watched, list) and watched:
            target = watched[0]
        else:
            pool = self.with_snapshots or self.known
            auto = not self.with_snapshots
            target = next((n for n in pool if n > 0), pool[0] if pool else None)
        self._auto_choice = auto
        if target is not None and target != self.netuid:
            self._show_subnet(target, auto=auto)

    def select_subnet(self, netuid: int, *, auto: bool = False) -> None:
        """Show ``netuid`` (the app's call: the selected subnet), without posting ``SubnetSelected``;
        nothing to do when it is shown already (but a subnet chosen by the app is kept, not replaced
        by a default later)."""
        if netuid == self.netuid:
            self._auto_choice = self._auto_choice and auto
            return
        self._show_subnet(netuid, auto=auto)

    def _user_selected(self, netuid: int) -> None:
        """The user picked ``netuid`` here: show it and tell the app (the Hyperparams pane follows)."""
        self._show_subnet(netuid)
        self.post_message(SubnetSelected(netuid))

    def _show_subnet(self, netuid: int, *, auto: bool = False) -> None:
        self._auto_choice = auto
        changed = netuid != self.netuid
        self.netuid = netuid
        self._set_options()
        select = self.query_one("#sn-subnet", Select)
        if select.value != netuid:
            with self.prevent(Select.Changed):  # programmatic: not the user's pick
                select.value = netuid
        if changed:
            self.view = None
            self.apy, self.apy_for, self.apy_epochs = {}, None, 0
            self.selected_uid = None
        self.loaded = self.apy_loaded = False
        self.query_one("#sn-info", Label).update(Text(f"reading snapshots of subnet {netuid}…", style="dim"))
        self.load(netuid)

    @on(Select.Changed, "#sn-subnet")
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

    def action_refresh(self) -> None:
        if self.netuid is not None:
            self._show_subnet(self.netuid)

    # -- finding neurons ------------------------------------------------------------------------------
    def open_filter(self) -> None:
        self.query_one("#sn-filter", FilterBar).open()

    def action_filter(self) -> None:
        self.open_filter()

    @on(Input.Changed, "#sn-filter")
    def _search_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.search = event.value.lower().split()
        self._render_table(top=True)

    @on(FilterBar.Closed, "#sn-filter")
    def _search_closed(self, event: FilterBar.Closed) -> None:
        event.stop()
        self.table.focus()

    # -- looking for new snapshots --------------------------------------------------------------------
    def on_block_notice(self, _: Any) -> None:
        """New blocks may mean new snapshots: look (cheaply) at most every CHECK_INTERVAL seconds, and
        only while the pane is shown (showing it looks at once)."""
        now = time.monotonic()
        if now - self._last_check < CHECK_INTERVAL or not self.index_loaded:
            return
        self._last_check = now
        if self.shown:
            self.check()

    @property
    def shown(self) -> bool:
        """Whether the pane is the one its tabs show (detail screens above it do not count)."""
        return self.is_attached and all(
            node.display for node in self.ancestors_with_self if isinstance(node, Widget)
        )

    @work(group="sn-check", exclusive=True, exit_on_error=False)
    async def check(self, force: bool = False) -> None:
        """Which subnets have snapshots, and whether the shown one has a newer snapshot."""
        self._last_check = time.monotonic()
        if not self.views.ready:
            return
        index = await self.views.snapshot_index(self.netuid)
        self.post_message(SnapshotIndex(index.netuids, index.netuid, index.latest, force))

    def on_snapshot_index(self, message: SnapshotIndex) -> None:
        self.index_loaded = True
        new_subnets = message.netuids != self.with_snapshots
        self.with_snapshots = message.netuids
        if new_subnets:
            self._set_options()
        if self.netuid is None or (
            self._auto_choice and new_subnets and self.netuid not in self.with_snapshots
        ):
            self._choose_default()
            return
        if message.netuid != self.netuid:
            return
        shown = self.view.latest.block if self.view is not None and self.view.latest is not None else None
        if message.force or message.latest != shown or not self.loaded:
            self.load(self.netuid)

    # -- reading the snapshots ------------------------------------------------------------------------
    @work(group="sn-load", exclusive=True, exit_on_error=False)
    async def load(self, netuid: int) -> None:
        views = self.views
        if not views.ready:
            return
        view = await views.subnet_view(netuid)
        if netuid != self.netuid:
            return
        self.post_message(SubnetSnapshotLoaded(view))
        latest = view.latest
        if latest is None or not latest.exists:
            self.post_message(SubnetApyLoaded(netuid, latest.block if latest else -1, {}, 0))
            return
        if self.apy_for == (netuid, latest.block):
            self.post_message(SubnetApyLoaded(netuid, latest.block, self.apy, self.apy_epochs))
            return
        apy = await views.apy_series(
            netuid,
            latest.block,
            epochs=APY_EPOCHS,
            chunk=APY_CHUNK,
            seconds_per_block=APY_BLOCK_TIME,
            keep_going=lambda: netuid == self.netuid,
        )
        if apy is not None:
            self.post_message(SubnetApyLoaded(netuid, latest.block, apy.series, apy.epochs))

    def on_subnet_snapshot_loaded(self, message: SubnetSnapshotLoaded) -> None:
        view: SubnetView = message.view
        if view.netuid != self.netuid:
            return
        self.view = view
        latest = view.latest
        rows = latest.rows if latest is not None and latest.exists else []
        self.marks, gone, owner_changed = marks_of(view.changes, {r.uid for r in rows})
        self._render_info(gone, owner_changed)
        empty = self.query_one("#sn-empty", Static)
        if latest is None or not latest.exists:
            n = view.netuid
            head = (
                Text(f"No metagraph snapshot of subnet {n} yet.\n", style="bold")
                if latest is None
                else Text(
                    f"Subnet {n} did not exist at #{latest.block:,}, its newest snapshot.\n", style="bold"
                )
            )
            empty.update(head + Text(EMPTY_HELP.format(n=n), style="dim"))
            empty.display = True
        else:
            empty.display = False
        self.query_one("#sn-apy").display = bool(rows)
        self._render_table()
        self.loaded = True

    def on_subnet_apy_loaded(self, message: SubnetApyLoaded) -> None:
        if message.netuid != self.netuid:
            return
        self.apy, self.apy_for, self.apy_epochs = (
            message.series,
            (message.netuid, message.block),
            message.epochs,
        )
        self.apy_loaded = True
        self._render_apy()

    # -- rendering ------------------------------------------------------------------------------------
    def _render_info(self, gone: int, owner_changed: bool) -> None:
        view = self.view
        info = self.query_one("#sn-info", Label)
        legend = self.query_one("#sn-legend", Label)
        latest = None if view is None else view.latest
        if view is None or latest is None:
            info.update(Text(f"no snapshot of subnet {self.netuid} yet", style="yellow"))
            legend.update("")
            return
        sep = (" · ", "dim")
        parts: list[Any] = [("snapshot ", "dim"), (f"#{latest.block:,}", "bold")]
        if latest.last_step == latest.block:
            parts.append((" (epoch)", "dim"))
        if latest.exists:
            parts += [
                sep,
                f"{len(latest.rows)} neurons",
                sep,
                ("stake ", "dim"),
                f"τ{latest.total_stake_rao / RAO_PER_TAO:,.0f}",
                sep,
                ("owner ", "dim"),
                short_addr(latest.owner_coldkey),
                sep,
                ("tempo ", "dim"),
                "—" if latest.tempo is None else str(latest.tempo),
            ]
        else:
            parts += [sep, ("subnet did not exist", "yellow")]
        parts += [
            sep,
            ("previous ", "dim"),
            "—" if view.previous_block is None else f"#{view.previous_block:,}",
        ]
        info.update(Text.assemble(*parts))
        if view.previous_block is None:
            legend.update(Text("first snapshot of this subnet: nothing to compare with yet", style="dim"))
            return
        kinds = [k for m in self.marks.values() for k in m.kinds]
        staked = sum(1 for m in self.marks.values() if m.delta_rao)
        registered, gained, lost = (
            kinds.count("registered"),
            kinds.count("permit_gained"),
            kinds.count("permit_lost"),
        )
        text = Text.assemble(
            (f"since #{view.previous_block:,}: ", "dim"),
            ("● ", "yellow"),
            (f"stake moved {staked}", "" if staked else "dim"),
            "  ",
            ("● ", "green"),
            (f"registered {registered}", "" if registered else "dim"),
            "  ",
            ("● ", "red"),
            (f"deregistered {gone}", "" if gone else "dim"),
            "  ",
            ("● ", "green"),
            (f"permit +{gained}", "" if gained else "dim"),
            " ",
            ("● ", "red"),
            (f"−{lost}", "" if lost else "dim"),
        )
        if owner_changed:
            text.append("  owner changed", style="bold red")
        legend.update(text)

    # The table has ONE column: each neuron is one pre-formatted line (its fields padded to the column
    # widths), and the column's label is the header line formatted the same way. DataTable renders
    # (and measures) each cell separately, so 13 columns cost 13 renders per row whenever the pane is
    # shown, sorted or re-read (~150 ms of the UI thread for a screenful); one line is one render.
    def _widths(self) -> list[int]:
        """Each field's width: the sorted column grows to fit its arrow."""
        return [
            max(col.width, cell_len(col.label) + 2) if col.key == self.sort_column else col.width
            for col in COLUMNS
        ]

    def _spans(self) -> list[tuple[int, int]]:
        """Each field's ``(start, end)`` in a line (fields are ``FIELD_GAP`` cells apart)."""
        spans, x = [], 0
        for w in self._widths():
            spans.append((x, x + w))
            x += w + FIELD_GAP
        return spans

    def _line(self, fields: tuple[Text, ...]) -> Text:
        """``fields`` padded (or cut) to the column widths, as one line (its text and style spans
        assembled directly: this runs for every neuron on each new snapshot)."""
        parts: list[str] = []
        spans: list[Span] = []
        pos = 0
        for i, (col, width, field_) in enumerate(zip(COLUMNS, self._widths(), fields)):
            if i:
                parts.append(GAP)
                pos += FIELD_GAP
            if field_.cell_len > width:
                field_ = field_.copy()
                field_.truncate(width, overflow="ellipsis")
            plain = field_.plain
            pad = " " * (width - field_.cell_len)
            start = pos if col.key in LEFT else pos + len(pad)
            parts.append(plain + pad if col.key in LEFT else pad + plain)
            pos += len(plain) + len(pad)
            if field_.style:
                spans.append(Span(start, start + len(plain), field_.style))
            spans.extend(Span(start + s.start, start + s.end, s.style) for s in field_.spans)
        return Text("".join(parts), spans=spans, no_wrap=True, overflow="crop", end="")

    def _header(self) -> Text:
        """The header line: the sorted column underlined, with ▲ or ▼."""
        fields = []
        for col in COLUMNS:
            label, style = col.label, ""
            if col.key == self.sort_column:
                label += " ▲" if col.ascending != self.reverse else " ▼"
                style = "bold underline"
            fields.append(Text(label, style=style))
        return self._line(tuple(fields))

    def _fields(self, r: NeuronRow) -> tuple[Text, ...]:
        mark = self.marks.get(r.uid)
        style = mark.style if mark is not None else ""
        uid = Text()
        if mark is not None:
            uid.append("● ", style=style)
        uid.append(str(r.uid), style=style)
        return (
            uid,
            Text(short_addr(r.hotkey, 4, 4), style=style or "dim"),
            Text(tao_text(r.stake_rao)),
            mark.text() if mark is not None else Text(""),
            Text(frac_text(r.trust), style="" if r.trust else "dim"),
            Text(frac_text(r.consensus), style="" if r.consensus else "dim"),
            Text(frac_text(r.incentive), style="" if r.incentive else "dim"),
            Text(frac_text(r.dividends), style="" if r.dividends else "dim"),
            Text(tao_text(r.emission_rao, 4), style="" if r.emission_rao else "dim"),
            Text("✓" if r.validator_permit else "", style="green"),
            Text(str(r.last_update), style="dim"),
            Text("—" if r.registered_at is None else str(r.registered_at), style="dim"),
            Text("✓" if r.active else "", style="green"),
        )

    def _lines(self) -> tuple[Text, list[tuple[str, Text]]]:
        """The header line and ``(row key, line)`` per neuron, in the current order (the lines are
        kept per layout of the column widths until the snapshot or its marks change)."""
        view = self.view
        rows = view.latest.rows if view is not None and view.latest is not None and view.latest.exists else []
        widths = tuple(self._widths())
        if (
            self._lines_for is None
            or self._lines_for[0] is not view
            or self._lines_for[1] is not self.marks
            or self._lines_for[2] != widths
        ):
            self._lines_for, self._lines_of = (view, self.marks, widths), {}
        lines = self._lines_of
        out = []
        search = self.search
        for r in sort_neurons(rows, self.marks, self.sort_column, self.reverse):
            if search and not neuron_matches(r, search):
                continue
            line = lines.get(r.uid)
            if line is None:
                line = lines[r.uid] = self._line(self._fields(r))
            out.append((str(r.uid), line))
        return self._header(), out

    def _render_table(self, *, top: bool = False) -> None:
        """Fill the table (unless it already shows exactly these lines); the highlighted neuron stays
        highlighted. ``top``: scroll to the top first (a new order)."""
        table = self.table
        header, lines = self._lines()
        shown = (header, lines)
        if shown != self._shown:
            self._shown = shown
            keep = self.selected_uid
            table.clear(columns=True)
            table.add_column(header, key=LINE, width=header.cell_len)
            for key, line in lines:
                table.add_row(line, key=key)
            if top:
                table.scroll_to(y=0, animate=False, immediate=True)
            if keep is not None and str(keep) in table.rows and not top:
                table.move_cursor(row=table.get_row_index(str(keep)), scroll=True)
            elif table.row_count:
                table.move_cursor(row=0, scroll=True)
        elif top and table.row_count:
            table.move_cursor(row=0, scroll=True)
        self._render_match()
        self._sync_selected()

    def _render_match(self) -> None:
        """Under an open search: how many neurons match it."""
        match = self.query_one("#sn-match", Label)
        match.display = bool(self.search)
        if not self.search:
            return
        view = self.view
        total = len(view.latest.rows) if view is not None and view.latest is not None else 0
        shown = self.table.row_count
        match.update(
            Text.assemble(
                (f"{shown} of {total} neurons match ", "bold" if shown else "bold red"),
                (" ".join(self.search), "cyan"),
                ("   enter keeps · esc clears", "dim"),
            )
        )

    def _sync_selected(self) -> None:
        table = self.table
        uid = None
        if table.row_count:
            try:
                uid = int(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value or "")
            except Exception:  # noqa: BLE001 - cursor outside the table
                uid = None
        self.selected_uid = uid
        self._render_apy()

    @on(DataTable.RowHighlighted, "#sn-table")
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        value = event.row_key.value
        if value is not None and int(value) != self.selected_uid:
            self.selected_uid = int(value)
            self._render_apy()

    def selected_row(self) -> NeuronRow | None:
        view = self.view
        if view is None or view.latest is None or self.selected_uid is None:
            return None
        return next((r for r in view.latest.rows if r.uid == self.selected_uid), None)

    def apy_points(self) -> list[tuple[int, float | None]]:
        """The highlighted neuron's APY per epoch, ``[(block, apy), ...]`` (empty when none)."""
        row = self.selected_row()
        if row is None:
            return []
        return self.apy.get((row.uid, row.hotkey), [])

    def _render_apy(self) -> None:
        title = self.query_one("#sn-apy-title", Label)
        spark = self.query_one("#sn-apy-spark", Sparkline)
        note = self.query_one("#sn-apy-note", Label)
        row = self.selected_row()
        values: list[float] = []
        text = Text("")
        remark: Text | None = None
        if row is not None:
            text = Text.assemble(
                ("APY ", "bold"), f"uid {row.uid} ", (short_addr(row.hotkey, 5, 5), "dim"), "  "
            )
            points = self.apy_points()
            if not self.apy_loaded:
                remark = Text("reading the epoch snapshots…", style="dim")
            elif not points:
                remark = Text(
                    "not a validator (no validator permit): no APY"
                    if not row.validator_permit
                    else "no APY history yet: it needs epoch snapshots with this validator's dividends",
                    style="dim",
                )
            else:
                values = [p * 100 for _, p in points if p is not None and math.isfinite(p)]
                first, last = points[0][0], points[-1][0]
                text.append_text(
                    Text.assemble(
                        ("latest ", "dim"),
                        (pct_text(points[-1][1]), "bold"),
                        "  ",
                        f"{len(points)} epoch{'s' if len(points) != 1 else ''}",
                        (f" (#{first:,} – #{last:,})" if first != last else f" (#{first:,})", "dim"),
                    )
                )
                if len(values) > 1:
                    text.append_text(
                        Text.assemble(
                            ("  min ", "dim"),
                            pct_text(min(values) / 100),
                            ("  max ", "dim"),
                            pct_text(max(values) / 100),
                        )
                    )
                if len(values) < len(points):
                    text.append(f"  {len(points) - len(values)} beyond a float", style="dim")
                if len(values) < 2:
                    remark = Text("one epoch so far: the sparkline starts at the second", style="dim")
        title.update(text)
        spark.data = values if len(values) > 1 else []
        spark.display = len(values) > 1
        note.update(remark or "")
        note.display = not spark.display

    # -- sorting --------------------------------------------------------------------------------------
    def set_sort(self, column: str, reverse: bool = False) -> None:
        """Sort by ``column``: the lines are rebuilt (one cell per neuron, so cheap), the view and the
        cursor back at the top (the first neuron in the new order)."""
        self.sort_column = column
        self.reverse = reverse
        self._render_table(top=True)

    def action_sort(self) -> None:
        i = (COLUMN_KEYS.index(self.sort_column) + 1) % len(COLUMN_KEYS)
        self.set_sort(COLUMN_KEYS[i])

    def action_reverse(self) -> None:
        self.set_sort(self.sort_column, not self.reverse)

    def column_at(self, x: int) -> str | None:
        """The field under ``x`` (cells into the line, the cell padding and gaps included: a click
        on the space between two fields counts for the nearer one)."""
        spans = self._spans()
        for i, (col, (_start, end)) in enumerate(zip(COLUMNS, spans)):
            right = end + FIELD_GAP // 2 if i + 1 < len(spans) else end + FIELD_GAP
            if x < right:
                return col.key
        return None

    @on(DataTable.HeaderSelected, "#sn-table")
    def _header_clicked(self, event: DataTable.HeaderSelected) -> None:
        x = self.table.header_click_x
        key = None if x is None else self.column_at(x)
        if key is not None:
            self.set_sort(key, not self.reverse if key == self.sort_column else False)

    # -- for tests ------------------------------------------------------------------------------------
    def shown_block(self) -> int | None:
        view = self.view
        return None if view is None or view.latest is None else view.latest.block

    def row_uids(self) -> list[int]:
        table = self.table
        return [
            int(table.coordinate_to_cell_key(Coordinate(i, 0)).row_key.value or 0)
            for i in range(table.row_count)
        ]

    def _split(self, line: Text) -> dict[str, str]:
        plain = line.plain
        return {col.key: plain[a:b].strip() for col, (a, b) in zip(COLUMNS, self._spans())}

    def cell_text(self, uid: int, column: str) -> str:
        """The text of one field of ``uid``'s line (stripped of its padding)."""
        return self._split(self.table.get_cell(str(uid), LINE))[column]

    def header_text(self, column: str) -> str:
        """One column's header (stripped of its padding)."""
        return self._split(self.table.columns[ColumnKey(LINE)].label)[column]

    def row_texts(self) -> list[str]:
        table = self.table
        return [" | ".join(self._split(table.get_row_at(i)[0]).values()) for i in range(table.row_count)]
