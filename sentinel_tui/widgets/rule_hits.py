"""Rule hits: stored alerts, newest first, coloured by severity; filter, acknowledge, mute.

The list is read from the store through the read model (so it survives restarts and carries the ids acknowledgement needs);
``AlertNotice`` messages trigger a debounced re-read. ``/`` filters with words and
``rule:NAME`` / ``sev:LEVEL`` (that level and above) / ``net:N``; ``m`` mutes the selected alert's
rule for this session, ``M`` unmutes all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.timer import Timer
from textual.widgets import DataTable, Input, Label

from sentinel_core.model import Alert
from sentinel_core.views import Views

from ..format import SEVERITY_ICON, SEVERITY_STYLE
from ..messages import AcknowledgeAlert, AlertAcknowledged, AlertNotice, CoreStarted, OpenAlert
from .filter_bar import FilterBar

LIMIT = 500
SEVERITIES = ("info", "warning", "critical")


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

    def compose(self) -> ComposeResult:
        yield Label("", id="alerts-info")
        yield FilterBar("filter: words · rule:NAME · sev:warning (and above) · net:3", id="alerts-filter")
        yield DataTable(id="alerts-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.table
        table.add_column("ID", key="id", width=5)
        table.add_column("", key="ack", width=1)
        table.add_column("Block", key="block", width=10)
        table.add_column("Severity", key="severity", width=10)
        table.add_column("Rule", key="rule")
        table.add_column("Net", key="net", width=4)
        table.add_column("Message", key="message")

    @property
    def table(self) -> DataTable[Any]:
        return self.query_one("#alerts-table", DataTable)

    def focus_main(self) -> None:
        self.table.focus()

    # -- loading ----------------------------------------------------------------------------------------
    def on_core_started(self, _: CoreStarted) -> None:
        self.reload()

    def on_alert_notice(self, message: AlertNotice) -> None:
        if message.notice.alert.rule in self.muted:
            return
        self._live_new += 1
        if self._reload_timer is None:
            self._reload_timer = self.set_timer(0.5, self._debounced_reload)

    def _debounced_reload(self) -> None:
        self._reload_timer = None
        self.reload()

    @work(group="alerts-load", exclusive=True, exit_on_error=False)
    async def reload(self) -> None:
        if not self.views.ready:
            return
        f = self.filter
        rows = await self.views.alerts(severity=f.severity, netuid=f.netuid, limit=self.limit)
        if not self.is_attached:
            return
        self.items = {i: (alert, acked) for i, alert, acked in rows}
        self._sync_table()
        self.loaded = True

    def _visible(self, alert: Alert) -> bool:
        return alert.rule not in self.muted and self.filter.matches(alert)

    def _cells(self, ident: int, alert: Alert, acked: bool) -> tuple[Text, ...]:
        dim = "dim" if acked else ""
        return (
            Text(str(ident), style="dim", justify="right"),
            Text("✓", style="green")
            if acked
            else Text("●", style=SEVERITY_STYLE.get(alert.severity.value, "")),
            Text(f"#{alert.block:,}", style=dim),
            severity_text(alert.severity.value)
            if not acked
            else Text(f"{SEVERITY_ICON.get(alert.severity.value, '?')} {alert.severity.value}", style="dim"),
            Text(alert.rule, style="bold" if not acked else "dim"),
            Text("—" if alert.netuid is None else str(alert.netuid), style="dim", justify="right"),
            Text(alert.message if len(alert.message) <= 200 else alert.message[:199] + "…", style=dim),
        )

    def _sync_table(self) -> None:
        """Make the table show the visible items: remove gone rows, add new ones, newest first."""
        table = self.table
        want = {str(i): v for i, v in self.items.items() if self._visible(v[0])}
        selected = self.selected_id()
        at_top = table.cursor_row <= 0
        for row_key in [k for k in table.rows if k.value not in want]:
            table.remove_row(row_key)
        changed = False
        for key, (alert, acked) in want.items():
            if key in table.rows:
                mark = table.get_cell(key, "ack")
                if (mark.plain == "✓") != acked:
                    for col, cell in zip(
                        ("id", "ack", "block", "severity", "rule", "net", "message"),
                        self._cells(int(key), alert, acked),
                    ):
                        table.update_cell(key, col, cell)
                continue
            table.add_row(*self._cells(int(key), alert, acked), key=key)
            changed = True
        if changed:
            table.sort("block", "id", key=_sort_key, reverse=True)
        if at_top or selected is None or str(selected) not in table.rows:
            table.move_cursor(row=0, scroll=True)
        else:
            table.move_cursor(row=table.get_row_index(str(selected)))
        self._update_info()

    def _update_info(self) -> None:
        shown = self.table.row_count
        unacked = sum(1 for a, acked in self.items.values() if not acked and self._visible(a))
        info = Text.assemble(
            (f"{shown} alert{'s' if shown != 1 else ''}", "bold"),
            " · ",
            (f"{unacked} unacknowledged", "bold red" if unacked else "dim"),
        )
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
