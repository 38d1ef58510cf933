"""``g``: ask for a block number (dismisses with the number, or None on Esc)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label


class JumpScreen(ModalScreen[int | None]):
    AUTO_FOCUS = "#jump-input"
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(id="jump-box"):
            yield Label("Go to block", classes="section-title")
            yield Input(placeholder="block number, e.g. 4200000", type="integer", id="jump-input")
            yield Label("enter open · esc cancel", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#jump-input", Input).focus()

    @on(Input.Submitted, "#jump-input")
    def _submit(self, event: Input.Submitted) -> None:
        text = event.value.strip().lstrip("#").replace(",", "").replace("_", "")
        if text.isdigit():
            self.dismiss(int(text))
        else:
            self.query_one("#jump-input", Input).value = ""

    def action_cancel(self) -> None:
        self.dismiss(None)
