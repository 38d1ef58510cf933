"""The Subnet pane's neurons table: a DataTable that remembers where on its header line a click landed."""

from __future__ import annotations

from textual import events
from textual.binding import Binding

from .steady_table import SteadyTable


class NeuronTable(SteadyTable):
    """The neurons table: one column of pre-formatted lines; a header click remembers where on the
    header line it landed (``header_click_x``) so the pane can tell which field was clicked."""

    BINDINGS = [
        Binding("home", "scroll_top", "First", show=False),
        Binding("end", "scroll_bottom", "Last", show=False),
    ]
    """Home and End go to the first and the last neuron (a row table has no columns to scroll to)."""

    header_click_x: int | None = None

    async def _on_click(self, event: events.Click) -> None:
        meta = event.style.meta
        if meta.get("row") == -1:
            offset = event.get_content_offset(self)
            self.header_click_x = (
                None if offset is None else offset.x + int(self.scroll_x) - self.cell_padding
            )
        # Textual then runs DataTable's own click handler (handlers are dispatched along the MRO),
        # which posts HeaderSelected.
