"""The ``/`` filter line every list pane shares: hidden until opened, Esc clears and closes it."""

from __future__ import annotations

from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input


class FilterBar(Input):
    """An Input that shows on ``open()``; typing filters live (``Input.Changed`` bubbles to the pane)."""

    BINDINGS = [Binding("escape", "close(True)", "Clear filter", show=True)]

    class Closed(Message):
        """The user left the filter (Enter keeps the text, Esc clears it)."""

        def __init__(self, bar: FilterBar) -> None:
            super().__init__()
            self.bar = bar

        @property
        def control(self) -> FilterBar:
            return self.bar

    def __init__(self, placeholder: str, *, id: str | None = None) -> None:
        super().__init__(placeholder=placeholder, id=id, classes="filter-bar", compact=True)
        self.display = False

    def open(self) -> None:
        self.display = True
        self.focus()

    def action_close(self, clear: bool = False) -> None:
        if clear:
            self.value = ""
        if not self.value:
            self.display = False
        self.post_message(self.Closed(self))

    async def action_submit(self) -> None:
        await super().action_submit()
        self.action_close(False)
