"""One alert: rule, severity, message, block, extrinsic, subnet and every field the rule recorded."""

from __future__ import annotations

from datetime import tzinfo

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Label, Static

from sentinel_core.model import Alert

from ..format import SEVERITY_ICON, SEVERITY_STYLE, compact_value, date_time
from ..messages import AcknowledgeAlert, AlertAcknowledged, OpenBlock
from .key_bar import KeyBar
from .steady_table import SteadyTable


class AlertDetailScreen(Screen[None]):
    """Esc closes; ``a`` acknowledges; ``o`` opens the alert's block."""

    AUTO_FOCUS = "#ad-fields"

    BINDINGS = [
        Binding("escape", "close", "Close"),
        Binding("a", "acknowledge", "Ack"),
        Binding("o", "open_block", "Open block"),
    ]

    def __init__(self, alert_id: int, alert: Alert, acknowledged: bool, *, tz: tzinfo | None = None) -> None:
        super().__init__(classes="detail-screen")
        self.alert_id = alert_id
        self.alert = alert
        self.acknowledged = acknowledged
        self.tz = tz

    def compose(self) -> ComposeResult:
        yield Static(id="ad-title", classes="detail-title")
        with VerticalScroll(id="ad-scroll"):
            yield Static(id="ad-facts")
            yield Label("Message", classes="section-title")
            yield Static(Text(self.alert.message), id="ad-message")
            yield Label(f"Fields ({len(self.alert.fields)})", classes="section-title")
            yield SteadyTable(id="ad-fields", cursor_type="row", zebra_stripes=True, show_cursor=False)
        yield KeyBar()

    def on_mount(self) -> None:
        self._render_facts()
        table = self.query_one("#ad-fields", DataTable)
        table.add_column("Field", key="field")
        table.add_column("Value", key="value")
        for name, value in self.alert.fields.items():
            table.add_row(Text(name, style="bold"), Text(compact_value(value, 160)))

    def _render_facts(self) -> None:
        a = self.alert
        sev = a.severity.value
        title = Text.assemble(
            (f"{SEVERITY_ICON.get(sev, '?')} {sev.upper()}", SEVERITY_STYLE.get(sev, "")),
            "  ",
            (a.rule, "bold"),
            (f"  alert #{self.alert_id}", "dim"),
            (
                "  ✓ acknowledged" if self.acknowledged else "  ● not acknowledged",
                "green" if self.acknowledged else "bold",
            ),
        )
        self.query_one("#ad-title", Static).update(title)
        facts = Table.grid(padding=(0, 2))
        facts.add_column(style="dim", no_wrap=True)
        facts.add_column()
        facts.add_row("rule", Text(a.rule))
        facts.add_row("severity", Text(sev, style=SEVERITY_STYLE.get(sev, "")))
        facts.add_row("block", f"#{a.block:,}")
        facts.add_row("extrinsic", "—" if a.extrinsic_index is None else f"{a.block}-{a.extrinsic_index}")
        facts.add_row("subnet", "—" if a.netuid is None else str(a.netuid))
        facts.add_row("raised", date_time(a.created_at, self.tz))
        facts.add_row("channels", ", ".join(a.channels) or "—")
        facts.add_row("dedup key", Text(a.dedup_key))
        self.query_one("#ad-facts", Static).update(facts)

    def action_close(self) -> None:
        self.dismiss()

    def action_acknowledge(self) -> None:
        self.post_message(AcknowledgeAlert(self.alert_id))

    def on_alert_acknowledged(self, message: AlertAcknowledged) -> None:
        if message.alert_id == self.alert_id:
            self.acknowledged = True
            self._render_facts()

    def action_open_block(self) -> None:
        self.post_message(OpenBlock(self.alert.block, self.alert.extrinsic_index))
