"""A DataTable that keeps what it drew: across focus changes, a pane shown again and rows added.

Textual's DataTable throws away every rendered cell on any style update, a focus change included:
switching panes blurs one table and focuses another, and each then renders all its visible cells
again through Rich (the Blocks pane: ~230 cells, tens of milliseconds, the larger part of a pane
switch). Its caches are keyed by the focus state already, so the cells drawn focused stay right for
the next time it is focused, as long as the styles themselves did not change. This table remembers,
per focus state, the styles it drew with, and keeps its caches when they are the same: a theme or
CSS change (different styles) still clears everything. Likewise a pane shown again is sent a Resize
to the size it had, which DataTable takes for a change of size: this table ignores a Resize to the
size it has drawn at. And DataTable keys its cells by a count every added, removed or sorted row
changes, so a new block on top draws every visible cell again: this table also keeps each body cell
by its row's content (a version, new on add_row and update_cell), column, width and style, and with
``stripes_follow_rows`` a row's stripe stays with the row rather than its position. Within one
drawing of its lines the table's own style and its components' (stripes, header) are computed
once, not once per line: each walks the widget's ancestors to blend their backgrounds (a quarter of
the time a pane switch to the Blocks pane took).
"""

from __future__ import annotations

from itertools import count
from typing import Any, cast

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.cache import LRUCache
from textual.css.styles import RenderStyles
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.widget import PseudoClasses
from textual.widgets import DataTable
from textual.widgets.data_table import RowKey

_versions = count(1)


class _PassStyles:
    """A component's styles during one drawing of the table's lines: its rich style computed once
    (nothing restyles the table while it draws)."""

    __slots__ = ("_styles", "_rich")

    def __init__(self, styles: RenderStyles) -> None:
        self._styles = styles
        self._rich: Style | None = None

    @property
    def rich_style(self) -> Style:
        if self._rich is None:
            self._rich = self._styles.rich_style
        return self._rich

    def __getattr__(self, name: str) -> Any:
        return getattr(self._styles, name)


class SteadyTable(DataTable[Any]):
    def __init__(self, *args: Any, stripes_follow_rows: bool = False, **kwargs: Any) -> None:
        """``stripes_follow_rows``: a row keeps its zebra stripe when rows are added above it (a
        stripe by the order rows were added, not by position), so a new row on top does not restyle,
        and draw again, every row below. For tables whose rows are added in the order shown."""
        super().__init__(*args, **kwargs)
        self.stripes_follow_rows = stripes_follow_rows
        self._ordinal: dict[RowKey, int] = {}
        self._added = 0
        self._drawn_with: dict[PseudoClasses, tuple[Style, ...]] = {}
        self._drawn_size: Size | None = None
        self._row_version: dict[RowKey, int] = {}
        self._cells: LRUCache[tuple[Any, ...], tuple[int, list[list[Segment]]]] = LRUCache(10000)
        self._pass: dict[Any, Any] | None = None
        """Styles computed during the drawing under way (None between drawings)."""

    # -- cells stay drawn while other rows come and go ---------------------------------------------
    def add_row(self, *cells: Any, **kwargs: Any) -> RowKey:
        key = super().add_row(*cells, **kwargs)
        self._row_version[key] = next(_versions)  # a key used again is a new row
        self._ordinal[key] = self._added = self._added + 1
        return key

    def update_cell(self, row_key: Any, column_key: Any, value: Any, *, update_width: bool = False) -> None:
        super().update_cell(row_key, column_key, value, update_width=update_width)
        self._row_version[RowKey(row_key) if isinstance(row_key, str) else row_key] = next(_versions)

    def remove_row(self, row_key: Any) -> None:
        super().remove_row(row_key)
        key = RowKey(row_key) if isinstance(row_key, str) else row_key
        self._row_version.pop(key, None)
        self._ordinal.pop(key, None)

    def clear(self, columns: bool = False) -> Any:
        self._row_version.clear()
        self._ordinal.clear()
        self._cells.clear()
        return super().clear(columns)

    # -- styles computed once per drawing ---------------------------------------------------------------
    def render_lines(self, crop: Region) -> list[Strip]:
        self._pass = {}
        try:
            return super().render_lines(crop)
        finally:
            self._pass = None

    def get_component_styles(self, *names: str) -> RenderStyles:
        memo = self._pass
        if memo is None:
            return super().get_component_styles(*names)
        styles = memo.get(names)
        if styles is None:
            styles = memo[names] = _PassStyles(super().get_component_styles(*names))
        return cast(RenderStyles, styles)

    @property
    def rich_style(self) -> Style:
        memo = self._pass
        if memo is None:
            return super().rich_style
        style = memo.get("rich_style")
        if style is None:
            style = memo["rich_style"] = super().rich_style
        return cast(Style, style)

    def _get_row_style(self, row_index: int, base_style: Style) -> Style:
        if not (self.stripes_follow_rows and self.zebra_stripes and row_index >= self.fixed_rows):
            return super()._get_row_style(row_index, base_style)
        row_key = self._row_locations.get_key(row_index)
        ordinal = row_index if row_key is None else self._ordinal.get(row_key, row_index)
        return self.get_component_styles(
            "datatable--odd-row" if ordinal % 2 else "datatable--even-row"
        ).rich_style

    def _render_cell(
        self,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool = False,
        hover: bool = False,
    ) -> list[list[Segment]]:
        # DataTable's own cache is keyed by its update count, which every added, removed or sorted
        # row changes: a new block on top would draw every visible cell again. A body cell's
        # drawing depends only on its row's content (versioned here), its column, width and style.
        if row_index < 0:  # the header: kept by its label (which may change without a version)
            columns = self.ordered_columns
            column = columns[column_index] if 0 <= column_index < len(columns) else None
            what: tuple[Any, ...] = (
                "header",
                column_index,
                None if column is None else (column.key, repr(column.label)),
                self.header_height,
            )
        else:
            row_key = self._row_locations.get_key(row_index)
            version = None if row_key is None else self._row_version.get(row_key)
            if row_key is None or version is None:
                return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
            what = (
                row_key,
                version,
                self._column_locations.get_key(column_index) if column_index >= 0 else None,
                row_index < self.fixed_rows or column_index < self.fixed_columns,
                self.rows[row_key].height,
            )
        key = (
            *what,
            base_style,
            width,
            cursor,
            hover,
            self.show_cursor,
            self._show_hover_cursor,
            self.cell_padding,
            self._pseudo_class_state,
        )
        hit = self._cells.get(key)
        if hit is None:
            lines = super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
            self._cells[key] = (row_index, lines)
            return lines
        drawn_at, lines = hit
        if drawn_at != row_index:
            # The segments carry their row's index for the mouse (a click selects that row): the row
            # moved (rows were added above it), so its index is set again, styles as they were.
            where = Style.from_meta({"row": row_index, "column": column_index})
            lines = [
                [Segment(seg.text, (seg.style or Style()) + where, seg.control) for seg in line]
                for line in lines
            ]
            self._cells[key] = (row_index, lines)
        return lines

    def _on_resize(self, event: events.Resize) -> None:
        # A pane shown again is sent a Resize to the size it had: DataTable would take that for a
        # new size and draw everything again.
        if event.size == self._drawn_size:
            event.prevent_default()
        self._drawn_size = event.size

    def _look(self) -> tuple[Style, ...]:
        return (
            self.rich_style,
            *(self.get_component_styles(name).rich_style for name in sorted(self.COMPONENT_CLASSES)),
        )

    def notify_style_update(self) -> None:
        state = self.get_pseudo_class_state()
        try:
            look = self._look()
        except KeyError:  # not styled yet (before mount): nothing drawn to keep
            super().notify_style_update()
            return
        known = self._drawn_with.get(state)
        if known == look:
            # Only the focus (or hover) changed, to a state drawn with these same styles before:
            # the caches, keyed by that state, hold what it looks like. Only the per-call style
            # lookup (not keyed by the state) starts again.
            super(DataTable, self).notify_style_update()
            self._get_styles_to_render_cell.cache_clear()
            self.refresh()
            return
        if known is None:
            self._drawn_with[state] = look  # a state not drawn before: what it looks like is new
        else:
            self._drawn_with = {state: look}  # the styles changed: everything drawn is stale
            self._cells.clear()
        super().notify_style_update()
