"""The footer: the keys that work right now, as one line of text.

Textual's ``Footer`` re-mounts a widget per key whenever the focus changes; on a busy dashboard that
costs a visible fraction of a second per pane switch. This footer renders the same information (the
screen's active bindings, grouped bindings as ``12345 Panes``, the palette key on the right) as one
line, re-rendered when the bindings change. Clicking a key runs its action.
"""

from __future__ import annotations

from itertools import groupby
from typing import Any

from rich.text import Text
from textual import events
from textual.screen import Screen
from textual.widget import Widget


class KeyBar(Widget):
    """A footer of key bindings (``key description`` pairs).

    When the keys do not fit the width, they are packed tighter, then the ``expendable`` actions
    are left out (the first named goes first), so the ``essential`` ones (actions, or a prefix such
    as ``show_pane``) always show, with the palette key on the right (where every action is listed)."""

    def __init__(
        self,
        *,
        essential: tuple[str, ...] = (),
        expendable: tuple[str, ...] = (),
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.essential = essential
        self.expendable = expendable
        self._spans: list[tuple[int, int, str, object]] = []

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[Any]) -> None:
        if self.is_attached and screen is self.screen:
            self.refresh()

    def _entries(self) -> list[tuple[str, str, str, object, bool]]:
        """(key text, description, action, namespace, enabled) in display order.

        Walks the focus chain like ``Screen.active_bindings`` but keeps, per key, the first binding
        that is meant to be shown: a pane's ``enter  Open`` stays visible although the focused
        table binds Enter too (without a description) and forwards it to the pane as a selection.
        """
        screen = self.screen
        app = self.app
        chain: Any
        try:
            chain = screen._modal_binding_chain  # noqa: SLF001 - the focus chain, as Footer uses it
        except AttributeError:  # pragma: no cover - older Textual
            chain = [(ns, [(k, b)]) for k, (ns, b, _, _) in screen.active_bindings.items()]
        shown: dict[str, tuple[Any, ...]] = {}
        by_action: dict[str, tuple[Any, ...]] = {}
        for namespace, bindings in chain:
            for key, binding in (
                bindings.key_to_bindings.items() if hasattr(bindings, "key_to_bindings") else bindings
            ):
                for b in binding if isinstance(binding, list) else [binding]:
                    if not b.show or key in shown or key == app.COMMAND_PALETTE_BINDING:
                        continue
                    state = app._check_action_state(b.action, namespace)  # noqa: SLF001
                    if state is False:
                        continue
                    shown[key] = (b, namespace, bool(state))
                    by_action.setdefault(b.action, shown[key])
        entries: list[tuple[str, str, str, object, bool]] = []
        items = list(by_action.values())
        for group, grouped in groupby(items, key=lambda item: item[0].group):
            members = list(grouped)
            if group is not None and len(members) > 1:
                sep = "" if group.compact else " "
                keys = sep.join(app.get_key_display(b) for b, _, _ in members)
                b, ns, enabled = members[0]
                entries.append((keys, group.description, b.action, ns, enabled))
            else:
                for b, ns, enabled in members:
                    entries.append((app.get_key_display(b), b.description, b.action, ns, enabled))
        return entries

    def _rank(self, action: str) -> int:
        """Which entries go first when the keys do not fit: higher goes earlier (essential: never)."""
        name = action.split("(", 1)[0]
        if any(name == e or action.startswith(e) for e in self.essential):
            return -1
        if name in self.expendable:
            return len(self.expendable) - self.expendable.index(name)
        return 0

    @staticmethod
    def _piece(keys: str, description: str, enabled: bool, tight: int) -> Text:
        key_style = "bold reverse" if enabled else "dim reverse"
        text_style = "" if enabled else "dim"
        if tight == 0:
            return Text.assemble((f" {keys} ", key_style), (f" {description}  ", text_style))
        if tight == 1:
            return Text.assemble((f" {keys} ", key_style), (f" {description} ", text_style))
        return Text.assemble((f" {keys} ", key_style), (f"{description} ", text_style))

    def _fit(self, room: int) -> list[tuple[Text, str, object]]:
        """The pieces shown in ``room`` cells: every entry as loosely packed as fits, else tightly
        packed without the expendable ones that do not fit."""
        entries = self._entries()
        for tight in (0, 1, 2):
            pieces = [(self._piece(k, d, e, tight), a, ns) for k, d, a, ns, e in entries]
            if sum(p.cell_len for p, _, _ in pieces) <= room:
                return pieces
        keep = list(range(len(pieces)))
        # leave out the highest-ranked first (ties: the rightmost first), never the essential ones
        order = sorted(keep, key=lambda i: (self._rank(entries[i][2]), i), reverse=True)
        width = sum(p.cell_len for p, _, _ in pieces)
        for i in order:
            if width <= room or self._rank(entries[i][2]) < 0:
                break
            keep.remove(i)
            width -= pieces[i][0].cell_len
        shown = [pieces[i] for i in keep]
        while shown and sum(p.cell_len for p, _, _ in shown) > room:
            shown.pop()  # still too narrow: cut at the right edge
        return shown

    def render(self) -> Text:
        width = self.content_size.width or self.size.width or 80
        line = Text(no_wrap=True, overflow="ellipsis")
        self._spans = []
        palette = ""
        if self.app.ENABLE_COMMAND_PALETTE:
            active = self.screen.active_bindings.get(self.app.COMMAND_PALETTE_BINDING)
            if active is not None:
                palette = f" {self.app.get_key_display(active.binding)} palette "
        for piece, action, namespace in self._fit(width - len(palette)):
            start = line.cell_len
            line.append_text(piece)
            self._spans.append((start, line.cell_len, action, namespace))
        if palette:
            line.append(" " * max(0, width - line.cell_len - len(palette)))
            start = line.cell_len
            line.append(palette, style="dim")
            self._spans.append((start, line.cell_len, "app.command_palette", None))
        return line

    async def _on_click(self, event: events.Click) -> None:
        for start, end, action, namespace in self._spans:
            if start <= event.x < end:
                event.stop()
                if namespace is None:
                    await self.app.run_action(action)
                else:
                    await self.app.run_action(action, namespace)  # type: ignore[arg-type]
                return

    @property
    def plain(self) -> str:
        return self.render().plain
