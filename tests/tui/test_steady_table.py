"""SteadyTable draws exactly what Textual's DataTable draws, and draws it once: a focus change, a
pane shown again or a row added on top does not render the other cells again; a theme change and an
updated cell do."""

from __future__ import annotations

from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.widgets import DataTable, Input

from sentinel_tui.widgets.steady_table import SteadyTable


class Tables(App[None]):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__()
        self.kwargs = kwargs

    def compose(self) -> ComposeResult:
        yield Input(id="other")
        yield SteadyTable(id="steady", cursor_type="row", zebra_stripes=True, **self.kwargs)
        yield DataTable(id="plain", cursor_type="row", zebra_stripes=True)


def fill(table: DataTable[Any], rows: range) -> None:
    if not table.columns:
        table.add_column("Block", key="n", width=8)
        table.add_column("Note", key="note")
    for n in rows:
        table.add_row(f"#{n}", f"note {n}", key=str(n))


def lines(table: DataTable[Any]) -> list[tuple[str, tuple[Any, ...]]]:
    """What the table draws, line by line: the text and the styles of its segments."""
    out = []
    for y in range(table.size.height):
        strip = table.render_line(y)
        out.append((strip.text, tuple(seg.style for seg in strip)))
    return out


class Misses:
    """Counts the cells DataTable renders through Rich (its cache missed)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, table: DataTable[Any]) -> None:
        self.n = 0
        original = DataTable._render_cell

        def counting(this: DataTable[Any], *args: Any, **kwargs: Any) -> Any:
            if this is table:
                self.n += 1
            return original(this, *args, **kwargs)

        monkeypatch.setattr(DataTable, "_render_cell", counting)


async def test_it_draws_what_a_datatable_draws_through_focus_changes_and_a_theme_change() -> None:
    app = Tables()
    async with app.run_test(size=(60, 30)) as pilot:
        steady, plain = app.query_one("#steady", SteadyTable), app.query_one("#plain", DataTable)
        for table in (steady, plain):
            fill(table, range(1, 9))

        async def drawn(focus: str) -> tuple[Any, Any]:
            app.query_one(focus).focus()
            await pilot.pause()
            return lines(steady), lines(plain)

        for _ in range(3):  # focused, blurred, focused again...: the same as a DataTable each time
            steady_focused, _ = await drawn("#steady")
            _, plain_focused = await drawn("#plain")
            assert steady_focused == plain_focused
            steady_blurred, plain_blurred = await drawn("#other")
            assert steady_blurred == plain_blurred
            assert steady_focused != steady_blurred, "the cursor row looks different without focus"
        app.theme = "nord" if app.theme != "nord" else "gruvbox"
        await pilot.pause()
        steady_themed, _ = await drawn("#steady")
        _, plain_themed = await drawn("#plain")
        assert steady_themed == plain_themed != steady_focused, (
            "a theme change draws it again, in its colours"
        )


async def test_a_focus_change_back_renders_no_cell_again(monkeypatch: pytest.MonkeyPatch) -> None:
    app = Tables()
    async with app.run_test(size=(60, 30)) as pilot:
        steady = app.query_one("#steady", SteadyTable)
        fill(steady, range(1, 9))
        for target in ("#steady", "#other") * 2:  # both focus states drawn (and settled) first
            app.query_one(target).focus()
            await pilot.pause()
        misses = Misses(monkeypatch, steady)
        for target in ("#steady", "#other", "#steady"):
            app.query_one(target).focus()
            await pilot.pause()
            lines(steady)
        assert misses.n == 0


async def test_a_shown_again_table_renders_no_cell_again(monkeypatch: pytest.MonkeyPatch) -> None:
    app = Tables()
    async with app.run_test(size=(60, 30)) as pilot:
        steady = app.query_one("#steady", SteadyTable)
        fill(steady, range(1, 9))
        await pilot.pause()
        lines(steady)
        misses = Misses(monkeypatch, steady)
        steady.display = False
        await pilot.pause()
        steady.display = True
        await pilot.pause()
        lines(steady)
        assert misses.n == 0


async def test_a_row_added_on_top_renders_only_that_row(monkeypatch: pytest.MonkeyPatch) -> None:
    app = Tables(stripes_follow_rows=True)
    async with app.run_test(size=(60, 30)) as pilot:
        steady = app.query_one("#steady", SteadyTable)
        steady.focus()
        fill(steady, range(1, 9))
        steady.sort("n", reverse=True)
        await pilot.pause()
        before = lines(steady)
        misses = Misses(monkeypatch, steady)
        fill(steady, range(9, 10))
        steady.sort("n", reverse=True)
        steady.move_cursor(row=0)
        await pilot.pause()
        after = lines(steady)
        # The new row (where the cursor is now) and the row the cursor left: not the header (kept by
        # its labels) nor the other seven rows (a DataTable draws all 18 body cells again, and the header).
        assert misses.n <= 4
        assert after[1][0].strip().startswith("#9")

        # Each old row keeps its stripe (its styles), one line lower, and says its new index to the
        # mouse (a click on it selects it).
        def look(line: tuple[str, tuple[Any, ...]]) -> tuple[Any, ...]:
            return tuple(s.clear_meta_and_links() for s in line[1] if s is not None)

        assert [look(line) for line in after[3:9]] == [look(line) for line in before[2:8]]
        for y in range(1, 10):
            rows = {s.meta.get("row") for s in after[y][1] if s is not None and s.meta}
            assert rows == {y - 1}, f"line {y}: {rows}"

        # a header label that changes is drawn again (as a DataTable draws it, after a new column)
        from rich.text import Text

        plain = app.query_one("#plain", DataTable)
        fill(plain, range(1, 10))
        for table in (steady, plain):
            table.columns[next(iter(table.columns))].label = Text("Height")
            table.add_column("More", key="more")
        await pilot.pause()
        assert lines(steady)[0][0] == lines(plain)[0][0] and lines(steady)[0][0].startswith(" Height")


async def test_an_updated_cell_is_drawn_again() -> None:
    app = Tables()
    async with app.run_test(size=(60, 30)) as pilot:
        steady = app.query_one("#steady", SteadyTable)
        fill(steady, range(1, 4))
        await pilot.pause()
        assert "note 2" in lines(steady)[2][0]
        steady.update_cell("2", "note", "changed", update_width=True)
        await pilot.pause()
        assert "changed" in lines(steady)[2][0]
        steady.remove_row("2")
        steady.add_row("#2", "again", key="2")
        await pilot.pause()
        assert any("again" in text for text, _ in lines(steady))
        steady.clear()
        fill(steady, range(5, 7))
        await pilot.pause()
        assert "note 5" in lines(steady)[1][0]


async def test_a_drawing_computes_the_styles_once_and_draws_what_a_datatable_draws(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Within one drawing (``render_lines``) the table's style and its components' are computed once,
    not once per line (each walks the ancestors to blend backgrounds); the lines are a DataTable's."""
    from textual.dom import DOMNode
    from textual.geometry import Region

    app = Tables(stripes_follow_rows=True)
    async with app.run_test(size=(60, 30)) as pilot:
        steady, plain = app.query_one("#steady", SteadyTable), app.query_one("#plain", DataTable)
        for table in (steady, plain):
            fill(table, range(1, 13))
        steady.focus()
        await pilot.pause()
        computed = {"steady": 0, "plain": 0}
        original = DOMNode.rich_style

        def counting(this: DOMNode) -> Any:
            if this is steady:
                computed["steady"] += 1
            elif this is plain:
                computed["plain"] += 1
            return original.fget(this)  # type: ignore[attr-defined]

        monkeypatch.setattr(DOMNode, "rich_style", property(counting))

        def drawn(table: DataTable[Any]) -> list[tuple[str, tuple[Any, ...]]]:
            table._styles_cache.clear()  # draw every line now
            table._line_cache.clear()
            table._row_render_cache.clear()
            strips = table.render_lines(Region(0, 0, table.size.width, table.size.height))
            return [(s.text, tuple(seg.style for seg in s)) for s in strips]

        plain.focus()
        await pilot.pause()
        plain_lines = drawn(plain)
        steady.focus()
        await pilot.pause()
        computed.update(steady=0, plain=0)
        steady_lines = drawn(steady)
        assert computed["steady"] == 1, computed  # once for the drawing, not once per line (13)
        plain.focus()
        await pilot.pause()
        computed.update(steady=0, plain=0)
        assert drawn(plain) == plain_lines and computed["plain"] > 10
        steady.focus()
        await pilot.pause()
        assert drawn(steady) == steady_lines
        assert [text for text, _ in steady_lines] == [text for text, _ in plain_lines]
