"""One block: its extrinsics (signer, effective calls with their wrappers, success or error) and events.

Read through the read model in a worker: from the store, or, for a block the store does not have,
from the node. Calls wrapped in ``Sudo`` / ``Utility.batch*`` / ``Proxy.proxy`` are shown
unwrapped: ``AdminUtils.sudo_set_tempo via Sudo.sudo``.
"""

from __future__ import annotations

from datetime import tzinfo

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Label, Static

from sentinel_core.model import Block, Extrinsic
from sentinel_core.views import Views

from ..format import call_label, clock_time, compact_args, compact_value, short_addr
from .key_bar import KeyBar
from .steady_table import SteadyTable


def extrinsic_calls(ex: Extrinsic) -> list[str]:
    """One line per effective call: ``AdminUtils.sudo_set_tempo via Sudo.sudo`` (+ inner failure)."""
    if not ex.calls:
        return [ex.qualname]
    return [call_label(call) for call in ex.calls]


def extrinsic_result(ex: Extrinsic) -> Text:
    """``✓ ok``, ``✗ Pallet.Error``, or for a wrapper that succeeded around a failed call
    ``✓ Sudo.sudo, inner ✗ BadOrigin``."""
    if not ex.success:
        return Text(f"✗ {ex.error or 'failed'}", style="bold red")
    inner = [c for c in ex.calls if not c.success]
    if not inner:
        return Text("✓ ok", style="green")
    errors = ", ".join(sorted({c.error or "failed" for c in inner}))
    return Text(f"✓ {ex.qualname}, inner ✗ {errors}", style="dark_orange")


def interesting(ex: Extrinsic) -> bool:
    """Worth the cursor when a block opens: wrapped calls, governance, failures."""
    return (
        not ex.success or any(c.via or not c.success for c in ex.calls) or ex.pallet in ("Sudo", "AdminUtils")
    )


class BlockDetailScreen(Screen[None]):
    """A block's extrinsics and events; Esc closes."""

    AUTO_FOCUS = "#bd-extrinsics"

    BINDINGS = [
        Binding("escape", "close", "Close"),
        Binding("e", "toggle_events", "All events"),
        Binding("left_square_bracket", "step(-1)", "Prev block"),
        Binding("right_square_bracket", "step(1)", "Next block"),
    ]

    def __init__(
        self, number: int, views: Views, *, extrinsic: int | None = None, tz: tzinfo | None = None
    ) -> None:
        super().__init__(classes="detail-screen")
        self.views = views
        self.number = number
        self.extrinsic = extrinsic
        self.tz = tz
        self.block: Block | None = None
        self.all_events = False
        self.loaded = False

    def compose(self) -> ComposeResult:
        yield Static(Text(f"Block #{self.number:,} · loading…"), id="bd-title", classes="detail-title")
        yield Label("Extrinsics", classes="section-title", id="bd-ex-title")
        yield SteadyTable(id="bd-extrinsics", cursor_type="row", zebra_stripes=True)
        yield Label("Events", classes="section-title", id="bd-events-title")
        yield SteadyTable(id="bd-events", cursor_type="row", zebra_stripes=True)
        yield KeyBar()

    def on_mount(self) -> None:
        ex = self.query_one("#bd-extrinsics", DataTable)
        ex.add_column("#", key="idx", width=3)
        ex.add_column("Signer", key="signer", width=13)
        ex.add_column("Call", key="call")
        ex.add_column("Result", key="result")
        ex.add_column("Args", key="args")
        ev = self.query_one("#bd-events", DataTable)
        ev.add_column("#", key="idx", width=3)
        ev.add_column("Ext", key="ext", width=3)
        ev.add_column("Event", key="event")
        ev.add_column("Attributes", key="attrs")
        ex.loading = True
        self.load()

    @work(group="block-detail", exclusive=True, exit_on_error=False)
    async def load(self) -> None:
        block: Block | None = None
        source = "store"
        error: str | None = None
        try:
            found = await self.views.block(self.number)
            block, source = found.block, found.source
        except Exception as exc:  # noqa: BLE001 - shown to the user
            error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        if not self.is_attached:
            return
        extrinsics = self.query_one("#bd-extrinsics", DataTable)
        extrinsics.loading = False
        self.call_after_refresh(extrinsics.focus)
        if block is None:
            self.query_one("#bd-title", Static).update(
                Text.assemble(
                    (f"Block #{self.number:,} ", "bold"), (f"not found ({error or 'no such block'})", "red")
                )
            )
            self.loaded = True
            return
        self.show_block(block, source)

    def show_block(self, block: Block, source: str = "store") -> None:
        self.block = block
        failed = block.failed_count
        title = Text.assemble(
            (f"Block #{block.number:,}", "bold"),
            "  ",
            (block.hash[:10] + "…" + block.hash[-6:], "dim"),
            "  ",
            (clock_time(block.timestamp, self.tz), ""),
            "  ",
            ("spec ", "dim"),
            str(block.spec_version if block.spec_version is not None else "—"),
            "  ",
            ("finalized" if block.finalized else "not finalized", "green" if block.finalized else "yellow"),
            "  ",
            (f"{len(block.extrinsics)} extrinsics", ""),
            (f" ({failed} failed)" if failed else "", "bold red"),
            "  ",
            (f"{len(block.events)} events", ""),
            "  ",
            (f"from {source}", "dim"),
        )
        if block.decode_error:
            title.append(f"\ndecode error: {block.decode_error}", style="red")
        self.query_one("#bd-title", Static).update(title)
        table = self.query_one("#bd-extrinsics", DataTable)
        table.clear()
        for ex in block.extrinsics:
            calls = extrinsic_calls(ex)
            wrapped = any(c.via for c in ex.calls)
            call_text = Text("\n".join(calls), style="bold yellow" if wrapped else "")
            result = extrinsic_result(ex)
            if ex.calls:
                args = "\n".join(compact_args(c.args, 60) for c in ex.calls)
            else:
                args = compact_args(ex.args, 60)
            table.add_row(
                str(ex.index),
                short_addr(ex.signer),
                call_text,
                result,
                Text(args, style="dim"),
                key=str(ex.index),
                height=max(1, len(calls)),
            )
        self.query_one("#bd-ex-title", Label).update(Text(f"Extrinsics ({len(block.extrinsics)})"))
        focus = self.extrinsic
        if focus is None:
            focus = next((ex.index for ex in block.extrinsics if ex.is_signed and interesting(ex)), None)
        if focus is not None and str(focus) in table.rows:
            table.move_cursor(row=table.get_row_index(str(focus)), scroll=True)
        self.show_events()
        self.loaded = True

    def _selected_extrinsic(self) -> int | None:
        table = self.query_one("#bd-extrinsics", DataTable)
        if table.row_count == 0:
            return None
        try:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        except Exception:  # noqa: BLE001
            return None
        return int(key.value) if key.value is not None else None

    def show_events(self) -> None:
        block = self.block
        if block is None:
            return
        selected = None if self.all_events else self._selected_extrinsic()
        events = (
            block.events if selected is None else [e for e in block.events if e.extrinsic_index == selected]
        )
        table = self.query_one("#bd-events", DataTable)
        table.clear()
        for ev in events:
            style = (
                "red"
                if ev.name == "ExtrinsicFailed"
                else "yellow"
                if ev.pallet in ("Sudo", "AdminUtils")
                else ""
            )
            table.add_row(
                str(ev.index),
                "—" if ev.extrinsic_index is None else str(ev.extrinsic_index),
                Text(f"{ev.pallet}.{ev.name}", style=style),
                Text(compact_value(ev.attributes, 90) if ev.attributes is not None else "", style="dim"),
            )
        which = "all" if selected is None else f"extrinsic {selected}"
        self.query_one("#bd-events-title", Label).update(
            Text.assemble(
                f"Events · {which} ({len(events)})",
                (
                    f"   e: {'events of the highlighted extrinsic' if self.all_events else 'all events'}",
                    "dim",
                ),
            )
        )

    @on(DataTable.RowHighlighted, "#bd-extrinsics")
    def _extrinsic_highlighted(self) -> None:
        if not self.all_events:
            self.show_events()

    def action_toggle_events(self) -> None:
        self.all_events = not self.all_events
        self.show_events()

    def action_step(self, delta: int) -> None:
        target = self.number + delta
        if target >= 0:
            self.app.switch_screen(BlockDetailScreen(target, self.views, tz=self.tz))

    def action_close(self) -> None:
        self.dismiss()

    @property
    def extrinsic_texts(self) -> list[str]:
        """The extrinsics table as plain text rows (tests)."""
        table = self.query_one("#bd-extrinsics", DataTable)
        out = []
        for row_key in table.rows:
            out.append(" | ".join(c.plain if isinstance(c, Text) else str(c) for c in table.get_row(row_key)))
        return out
