"""Rule hits: stored alerts, newest first, coloured by severity; filter, acknowledge, mute.

The list is read from the store through the read model (so it survives restarts and carries the ids acknowledgement needs);
``AlertNotice`` messages trigger a debounced re-read. ``/`` filters with words and
``rule:NAME`` / ``sev:LEVEL`` (that level and above) / ``net:N``; ``m`` mutes the selected alert's
rule for this session, ``M`` unmutes all.

The Message column takes the width the other columns leave (laid out again on a resize), and the
line under the table shows the highlighted alert's whole message, wrapped. Alerts of backfilled
blocks are history: marked ``hist`` and not counted as unacknowledged. The bus says so for the
alerts raised while the app runs (``AlertRaised.history``); for those read from the store, an alert
of a block in the range of a stored backfill run counts as history (the store records no source).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.timer import Timer
from textual.widgets import DataTable, Input, Label, Static

from sentinel_core.model import Alert
from sentinel_core.views import Views

from ..format import SEVERITY_ICON, SEVERITY_STYLE
from ..messages import AcknowledgeAlert, AlertAcknowledged, AlertNotice, CoreStarted, OpenAlert
from .filter_bar import FilterBar
from .steady_table import SteadyTable

LIMIT = 500
SEVERITIES = ("info", "warning", "critical")
COLUMNS = ("id", "ack", "block", "severity", "rule", "net", "message")
RULE_WIDTH = (8, 20)
"""The Rule column fits the longest rule name shown, within these bounds."""
MESSAGE_MIN = 12
NARROW = 100
"""Below this table width the Severity column shows only its icon (the message needs the room)."""
RUNS_READ = 1000
"""How many stored backfill runs decide which stored alerts are history."""


@dataclass
class AlertFilter:
    rule: str | None = None
    severity: str | None = None
    netuid: int | None = None
    words: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def matches(self, alert: Alert) -> bool:
        if self.rule and self.rule not in alert.rule.lower():
            return False
        hay = f"{alert.rule} {alert.message}".lower()
        return all(w in hay for w in self.words)

    def describe(self) -> str:
        parts = []
        if self.rule:
            parts.append(f"rule:{self.rule}")
        if self.severity:
            parts.append(f"sev:{self.severity}+")
        if self.netuid is not None:
            parts.append(f"net:{self.netuid}")
        parts.extend(self.words)
        return " ".join(parts)


def parse_filter(text: str) -> AlertFilter:
    """``rule:coldkey sev:warn net:3 dissolved`` -> AlertFilter (unknown values noted, not fatal)."""
    f = AlertFilter()
    for token in text.lower().split():
        key, sep, value = token.partition(":")
        if not sep or not value:
            f.words.append(token)
        elif key in ("rule", "r"):
            f.rule = value
        elif key in ("sev", "severity", "s", "level"):
            match = next((s for s in SEVERITIES if s.startswith(value)), None)
            if match is None:
                f.problems.append(f"unknown severity {value!r}")
            else:
                f.severity = match
        elif key in ("net", "netuid", "subnet", "n", "sn"):
            if value.isdigit():
                f.netuid = int(value)
            else:
                f.problems.append(f"net:{value} is not a number")
        else:
            f.words.append(token)
    return f


def severity_text(severity: str) -> Text:
    return Text(f"{SEVERITY_ICON.get(severity, '?')} {severity}", style=SEVERITY_STYLE.get(severity, ""))


def _sort_key(cells: Any) -> tuple[int, int]:
    block, ident = cells
    return (int(block.plain.lstrip("#").replace(",", "")), int(ident.plain))


class RuleHitsPane(Vertical):
    """Alerts pane."""

    DEFAULT_CSS = """
    #alerts-detail {
        height: auto;
        max-height: 6;
        padding: 0 1;
        border-top: hkey $panel-lighten-2;
    }
    """

    BINDINGS = [
        Binding("enter", "open_alert", "Open"),
        Binding("a", "acknowledge", "Ack"),
        Binding("m", "mute", "Mute rule"),
        Binding("M", "unmute", "Unmute all", show=False),
    ]

    def __init__(self, views: Views, *, limit: int = LIMIT, id: str | None = None) -> None:
        super().__init__(id=id)
        self.views = views
        self.limit = limit
        self.items: dict[int, tuple[Alert, bool]] = {}
        self.muted: set[str] = set()
        self.filter = AlertFilter()
        self.loaded = False
        self._reload_timer: Timer | None = None
        self._live_new = 0
        self._stale = False
        """Alerts were read while the pane was not shown: the table shows them when it is."""
        self.history_keys: set[str] = set()
        """Dedup keys of the alerts the bus said are history (found by a backfill)."""
        self.history_ranges: list[tuple[int, int]] | None = None
        """The block ranges of the stored backfill runs (read once, at the first load)."""
        self._layout: tuple[int, int, bool] | None = None
        """The (message width, rule width, narrow) the columns were laid out for."""

    def compose(self) -> ComposeResult:
        yield Label("", id="alerts-info")
        yield FilterBar("filter: words · rule:NAME · sev:warning (and above) · net:3", id="alerts-filter")
        yield SteadyTable(id="alerts-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="alerts-detail")

    def on_mount(self) -> None:
        self._add_columns(*self._fit())

    def _fit(self) -> tuple[int, int, bool]:
        """(message width, rule width, narrow) for the table's width now: the message takes what
        the other columns (and the scrollbar) leave."""
        table = self.table
        width = table.size.width
        narrow = 0 < width < NARROW
        names = [a.rule for a, _ in self.items.values()]
        rule = min(RULE_WIDTH[1], max([RULE_WIDTH[0], *(len(n) for n in names)]))
        fixed = 5 + 4 + 10 + (1 if narrow else 10) + rule + 4
        pad = 2 * table.cell_padding * len(COLUMNS)
        message = width - table.styles.scrollbar_size_vertical - pad - fixed
        return max(MESSAGE_MIN, message), rule, narrow

    def _add_columns(self, message: int, rule: int, narrow: bool) -> None:
        table = self.table
        self._layout = (message, rule, narrow)
        table.add_column("ID", key="id", width=5)
        table.add_column("", key="ack", width=4)
        table.add_column("Block", key="block", width=10)
        table.add_column("S" if narrow else "Severity", key="severity", width=1 if narrow else 10)
        table.add_column("Rule", key="rule", width=rule)
        table.add_column("Net", key="net", width=4)
        table.add_column("Message", key="message", width=message)

    def _refit(self) -> bool:
        """Lay the columns out again (and fill the table) when the table's width or the longest rule
        name changed; False when the layout stays."""
        if not self.is_attached:
            return False
        layout = self._fit()
        if layout == self._layout:
            return False
        table = self.table
        selected = self.selected_id()
        table.clear(columns=True)
        self._add_columns(*layout)
        self._sync_table(keep=selected)
        return True

    def on_resize(self, _: events.Resize) -> None:
        self.call_after_refresh(self._refit)

    @property
    def table(self) -> DataTable[Any]:
        return self.query_one("#alerts-table", DataTable)

    def focus_main(self) -> None:
        self.table.focus()

    # -- loading ----------------------------------------------------------------------------------------
    def on_core_started(self, _: CoreStarted) -> None:
        self.reload()

    def on_alert_notice(self, message: AlertNotice) -> None:
        if message.notice.history:
            self.history_keys.add(message.notice.alert.dedup_key)
        if message.notice.alert.rule in self.muted:
            return
        self._live_new += 1
        if self._reload_timer is None:
            self._reload_timer = self.set_timer(0.5, self._debounced_reload)

    def on_show(self) -> None:
        if self._stale:
            self._stale = False
            self.call_after_refresh(self._show_items)  # the pane as it was first, then the news

    def _debounced_reload(self) -> None:
        self._reload_timer = None
        self.reload()

    @work(group="alerts-load", exclusive=True, exit_on_error=False)
    async def reload(self) -> None:
        if not self.views.ready:
            return
        f = self.filter
        if self.history_ranges is None:
            overview = await self.views.backfill_overview(RUNS_READ)
            self.history_ranges = [(int(r["start"]), int(r["end"])) for r in overview.runs]
        rows = await self.views.alerts(severity=f.severity, netuid=f.netuid, limit=self.limit)
        if not self.is_attached:
            return
        self.items = {i: (alert, acked) for i, alert, acked in rows}
        self.loaded = True
        if not self.is_on_screen:
            # Shown when the pane is: a pane switched to draws what it drew before at once (a
            # backfill's stream of alerts would otherwise make every switch here draw anew).
            self._stale = True
            return
        self._show_items()

    def _show_items(self) -> None:
        if not self._refit():  # a longer rule name lays the columns out again (and fills the table)
            self._sync_table()

    def is_history(self, alert: Alert) -> bool:
        """Found in history (a backfilled block), not happening now."""
        if alert.dedup_key in self.history_keys:
            return True
        return any(start <= alert.block <= end for start, end in self.history_ranges or ())

    def _visible(self, alert: Alert) -> bool:
        return alert.rule not in self.muted and self.filter.matches(alert)

    def _mark(self, alert: Alert, acked: bool) -> Text:
        if acked:
            return Text("✓", style="green")
        if self.is_history(alert):
            return Text("hist", style="dim")
        return Text("●", style=SEVERITY_STYLE.get(alert.severity.value, ""))

    def _cells(self, ident: int, alert: Alert, acked: bool) -> tuple[Text, ...]:
        quiet = acked or self.is_history(alert)
        dim = "dim" if quiet else ""
        message, rule, narrow = self._layout or (MESSAGE_MIN, RULE_WIDTH[1], False)
        sev = alert.severity.value
        icon = SEVERITY_ICON.get(sev, "?")
        if narrow:
            severity = Text(icon, style="dim" if quiet else SEVERITY_STYLE.get(sev, ""))
        else:
            severity = severity_text(sev) if not quiet else Text(f"{icon} {sev}", style="dim")
        return (
            Text(str(ident), style="dim", justify="right"),
            self._mark(alert, acked),
            Text(f"#{alert.block:,}", style=dim),
            severity,
            Text(alert.rule, style="dim" if quiet else "bold", no_wrap=True, overflow="ellipsis"),
            Text("—" if alert.netuid is None else str(alert.netuid), style="dim", justify="right"),
            Text(" ".join(alert.message.split()), style=dim, no_wrap=True, overflow="ellipsis"),
        )

    def _sync_table(self, keep: int | None = None) -> None:
        """Make the table show the visible items: remove gone rows, add new ones, newest first
        (``keep``: the alert to highlight after a new layout)."""
        table = self.table
        want = {str(i): v for i, v in self.items.items() if self._visible(v[0])}
        selected = self.selected_id() if keep is None else keep
        at_top = table.cursor_row <= 0
        for row_key in [k for k in table.rows if k.value not in want]:
            table.remove_row(row_key)
        changed = False
        for key, (alert, acked) in want.items():
            if key in table.rows:
                mark = table.get_cell(key, "ack")
                if mark.plain != self._mark(alert, acked).plain:
                    for col, cell in zip(COLUMNS, self._cells(int(key), alert, acked)):
                        table.update_cell(key, col, cell)
                continue
            table.add_row(*self._cells(int(key), alert, acked), key=key)
            changed = True
        if changed:
            table.sort("block", "id", key=_sort_key, reverse=True)
        if (at_top and keep is None) or selected is None or str(selected) not in table.rows:
            table.move_cursor(row=0, scroll=True)
        else:
            table.move_cursor(row=table.get_row_index(str(selected)), scroll=True)
        self._update_info()
        self._show_detail()

    @on(DataTable.RowHighlighted, "#alerts-table")
    def _row_highlighted(self, _: DataTable.RowHighlighted) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        """The highlighted alert's whole message (wrapped) under the table."""
        detail = self.query_one("#alerts-detail", Static)
        ident = self.selected_id()
        if ident is None or ident not in self.items:
            detail.update(Text("no alert selected", style="dim"))
            return
        alert, acked = self.items[ident]
        text = Text.assemble(
            (alert.rule, "bold"),
            (f" #{alert.block:,}", "dim"),
            (" · history (a backfilled block)" if self.is_history(alert) else "", "dim"),
            (" · acknowledged" if acked else "", "green"),
            "  ",
            alert.message,
        )
        detail.update(text)

    def _update_info(self) -> None:
        shown = self.table.row_count
        unacked = self.unacknowledged()
        history = sum(1 for a, _ in self.items.values() if self._visible(a) and self.is_history(a))
        info = Text.assemble(
            (f"{shown} alert{'s' if shown != 1 else ''}", "bold"),
            " · ",
            (f"{unacked} unacknowledged", "bold red" if unacked else "dim"),
        )
        if history:
            info.append(f" · {history} history", style="dim")
        by_sev = {s: 0 for s in SEVERITIES}
        for alert, _ in self.items.values():
            if self._visible(alert):
                by_sev[alert.severity.value] += 1
        for sev in reversed(SEVERITIES):
            if by_sev[sev]:
                info.append("  ")
                info.append_text(Text(f"{SEVERITY_ICON[sev]} {by_sev[sev]}", style=SEVERITY_STYLE[sev]))
        desc = self.filter.describe()
        if desc:
            info.append(f"  · filter: {desc}", style="cyan")
        if self.filter.problems:
            info.append(f"  ({'; '.join(self.filter.problems)})", style="red")
        if self.muted:
            info.append(f"  · muted: {', '.join(sorted(self.muted))}", style="dim")
        info.append("   enter open · a ack · m mute · / filter", style="dim")
        self.query_one("#alerts-info", Label).update(info)

    def unacknowledged(self) -> int:
        """Alerts shown that are neither acknowledged nor history."""
        return sum(
            1 for a, acked in self.items.values() if not acked and self._visible(a) and not self.is_history(a)
        )

    # -- selection and actions ------------------------------------------------------------------------
    def selected_id(self) -> int | None:
        table = self.table
        if table.row_count == 0:
            return None
        try:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        except Exception:  # noqa: BLE001
            return None
        return int(key.value) if key.value is not None else None

    @on(DataTable.RowSelected, "#alerts-table")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_alert()

    def action_open_alert(self) -> None:
        ident = self.selected_id()
        if ident is not None and ident in self.items:
            alert, acked = self.items[ident]
            self.post_message(OpenAlert(ident, alert, acked))

    def action_acknowledge(self) -> None:
        ident = self.selected_id()
        if ident is not None:
            self.post_message(AcknowledgeAlert(ident))

    def on_alert_acknowledged(self, message: AlertAcknowledged) -> None:
        if message.alert_id in self.items:
            alert, _ = self.items[message.alert_id]
            self.items[message.alert_id] = (alert, True)
            self._sync_table()

    def action_mute(self) -> None:
        ident = self.selected_id()
        if ident is None or ident not in self.items:
            return
        rule = self.items[ident][0].rule
        self.muted.add(rule)
        self.app.notify(f"rule {rule} muted for this session (M unmutes)", timeout=3)
        self._sync_table()

    def action_unmute(self) -> None:
        if self.muted:
            self.muted.clear()
            self.app.notify("all rules unmuted", timeout=2)
            self._sync_table()

    # -- filter ---------------------------------------------------------------------------------------
    def open_filter(self) -> None:
        self.query_one("#alerts-filter", FilterBar).open()

    @on(Input.Changed, "#alerts-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        new = parse_filter(event.value)
        old = self.filter
        self.filter = new
        if (new.severity, new.netuid) != (old.severity, old.netuid):
            self.reload()
        else:
            self._sync_table()

    @on(FilterBar.Closed, "#alerts-filter")
    def _filter_closed(self) -> None:
        self.table.focus()

    # -- for tests ------------------------------------------------------------------------------------
    def row_texts(self) -> list[str]:
        table = self.table
        return [
            " | ".join(c.plain if isinstance(c, Text) else str(c) for c in table.get_row_at(i))
            for i in range(table.row_count)
        ]
