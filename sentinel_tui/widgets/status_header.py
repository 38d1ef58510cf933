"""The header: network, connection, heads, lag, throughput, runtime and rules, at a glance.

The facts are packed into as many lines as the width needs (one line from ~110 columns up), so the
header works at 80x24 and scales up. A failed rules reload adds a red line with the
``sentinel.toml:LINE: field: problem`` text; the old rules keep running.

With several endpoints (failover) the header names the one in use (``via ws://b (2/2)``) and, for
``SWITCH_NOTE_SECONDS`` after a switch, why it switched (``⇄ switched from ws://a: ws://a stalled: no
head for 30 s``).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

from rich.text import Text
from textual.geometry import Size
from textual.widget import Widget

from ..format import block_no
from ..messages import BlockNotice, ConnectionNotice, HeadNotice, RulesNotice, RuntimeNotice

RATE_WINDOW = 30.0
"""Seconds of block arrivals the blocks/s figure is computed over."""
CATCH_UP_LAG = 3
"""Connected and this many blocks or more behind the head: the state says ``catching up``."""
SWITCH_NOTE_SECONDS = 60.0
"""How long after an endpoint switch the header says why it switched."""


def rate_text(rate: float | None) -> str:
    """A rate as a person reads it: ``2,126`` from 10 up, one decimal below (``4.8``), ``—`` unknown."""
    if rate is None:
        return "—"
    return f"{rate:,.0f}" if rate >= 10 else f"{rate:.1f}"


class StatusHeader(Widget):
    """One or two lines of status; updated by the notice messages the app routes to it."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic, id: str | None = None) -> None:
        super().__init__(id=id)
        self.clock = clock
        self.network = "…"
        self.state = "starting"
        self.attempt = 0
        self.conn_error: str | None = None
        self.best: int | None = None
        self.finalized: int | None = None
        self.last_stored: int | None = None
        self.spec_version: int | None = None
        self.rules_count: int | None = None
        self.rules_error: str | None = None
        self.core_error: str | None = None
        self.url: str | None = None
        self.activity: str | None = None
        """What the core is doing before it watches the chain (``starting the devnet …``), shown as the
        state until the first connection notice."""
        self._arrivals: deque[float] = deque(maxlen=256)
        self.endpoint = 1
        self.endpoints = 1
        """Which of how many configured endpoints ``url`` is (several: failover)."""
        self.switch_note: tuple[str, str, float] | None = None
        """The last endpoint switch: (from which endpoint, why, when by ``clock``)."""

    def on_mount(self) -> None:
        self.set_interval(1.0, self._tick)

    def _tick(self) -> None:
        if self.switch_note is not None and not self._switch_fresh():
            self.switch_note = None
            self._changed()
        elif self._arrivals:
            self.refresh()

    def _switch_fresh(self) -> bool:
        note = self.switch_note
        return note is not None and self.clock() - note[2] < SWITCH_NOTE_SECONDS

    # -- state setters (called from the app's message routing) ---------------------------------------
    def set_network(self, label: str) -> None:
        self.network = label
        self._changed()

    def set_activity(self, text: str | None) -> None:
        """Say what is happening while the core starts (replaced by the connection state)."""
        self.activity = text
        self._changed()

    def set_live_off(self) -> None:
        self.state = "live off"
        self._changed()

    def set_core_error(self, error: str) -> None:
        self.state = "down"
        self.core_error = error
        self._changed()

    def set_rules(self, count: int, error: str | None) -> None:
        self.rules_count = count
        self.rules_error = error
        self._changed()

    def set_stored(self, number: int | None, spec_version: int | None = None) -> None:
        if number is not None:
            self.last_stored = number if self.last_stored is None else max(self.last_stored, number)
        if spec_version is not None:
            self.spec_version = spec_version
        self._changed()

    def _changed(self) -> None:
        """Repaint; re-layout only when the number of lines changes (numbers grow, errors appear)."""
        width = self.content_size.width
        if not width or len(self._lines(width)) != self.content_size.height:
            self.refresh(layout=True)
        else:
            self.refresh()

    # -- notices ---------------------------------------------------------------------------------------
    def on_connection_notice(self, message: ConnectionNotice) -> None:
        n = message.notice
        self.activity = None
        self.url = n.url
        self.state = n.state
        self.attempt = n.attempt
        self.conn_error = n.error if n.state in ("reconnecting", "down") else None
        self.endpoint, self.endpoints = n.endpoint, n.endpoints
        if n.previous is not None and n.reason:
            note = self.switch_note
            if note is None or (note[0], note[1]) != (n.previous, n.reason):
                self.switch_note = (n.previous, n.reason, self.clock())
        self._changed()

    def on_head_notice(self, message: HeadNotice) -> None:
        n = message.notice
        if n.best is not None:
            self.best = n.best
        if n.finalized is not None:
            self.finalized = n.finalized
        if n.spec_version is not None:
            self.spec_version = n.spec_version
        self._changed()

    def on_block_notice(self, message: BlockNotice) -> None:
        n = message.notice
        self._arrivals.append(self.clock())
        self.last_stored = n.number if self.last_stored is None else max(self.last_stored, n.number)
        if self.best is None or n.number > self.best:
            self.best = n.number
        if n.spec_version is not None:
            self.spec_version = n.spec_version
        self._changed()

    def on_rules_notice(self, message: RulesNotice) -> None:
        self.set_rules(message.notice.count, message.notice.error)

    def on_runtime_notice(self, message: RuntimeNotice) -> None:
        if message.notice.new >= 0:
            self.spec_version = message.notice.new
            self._changed()

    # -- figures ---------------------------------------------------------------------------------------
    @property
    def lag(self) -> int | None:
        if self.best is None or self.last_stored is None:
            return None
        return max(0, self.best - self.last_stored)

    @property
    def rate(self) -> float | None:
        """Blocks per second over the last ``RATE_WINDOW`` seconds (decays while the chain stalls)."""
        now = self.clock()
        recent = [t for t in self._arrivals if now - t <= RATE_WINDOW]
        if len(recent) < 2:
            return 0.0 if self._arrivals else None
        span = max(recent[-1] - recent[0], 1e-6)
        gap = span / (len(recent) - 1)
        if now - recent[-1] > 2 * gap:  # blocks stopped coming: let the figure fall
            span = now - recent[0]
        return (len(recent) - 1) / span

    # -- rendering -------------------------------------------------------------------------------------
    def _segments(self, compact: bool = False) -> list[Text]:
        network = self.network.split(" (", 1)[0] if compact else self.network
        segs = [] if compact else [Text("◆ SENTINEL", style="bold")]
        segs.append(Text(network, style="bold"))
        segs.append(self._state_text())
        if self.endpoints > 1 and self.url:
            segs.append(Text.assemble(("via ", "dim"), f"{self.url} ({self.endpoint}/{self.endpoints})"))
        if compact:
            segs.append(
                Text.assemble(block_no(self.best), (" (fin ", "dim"), block_no(self.finalized), (")", "dim"))
            )
        else:
            segs.append(Text.assemble(("best ", "dim"), block_no(self.best)))
            segs.append(Text.assemble(("final ", "dim"), block_no(self.finalized)))
        lag = self.lag
        lag_style = (
            "green" if lag is not None and lag <= 2 else "yellow" if lag is not None and lag <= 20 else "red"
        )
        segs.append(
            Text.assemble(
                ("lag ", "dim"), ("—" if lag is None else f"{lag:,}", lag_style if lag is not None else "")
            )
        )
        segs.append(Text.assemble(rate_text(self.rate), ("/s" if compact else " blk/s", "dim")))
        segs.append(
            Text.assemble(("spec ", "dim"), "—" if self.spec_version is None else str(self.spec_version))
        )
        if self.rules_count is None:
            segs.append(Text.assemble(("rules ", "dim"), "—"))
        elif self.rules_error:
            segs.append(Text.assemble(("rules ", "dim"), (f"{self.rules_count} ✗", "bold red")))
        else:
            segs.append(Text.assemble(("rules ", "dim"), (f"{self.rules_count} ✓", "green")))
        return segs

    @property
    def catching_up(self) -> bool:
        """Connected and storing the blocks between the last stored one and the head."""
        lag = self.lag
        return self.state == "connected" and lag is not None and lag >= CATCH_UP_LAG

    def _state_text(self) -> Text:
        state = self.state
        if self.activity is not None and state == "starting":
            return Text(f"◌ {self.activity}", style="yellow")
        if self.catching_up:
            return Text.assemble(
                ("● catching up ", "bold yellow"),
                block_no(self.last_stored),
                (" / ", "dim"),
                block_no(self.best),
            )
        if state == "connected":
            return Text("● connected", style="bold green")
        if state == "reconnecting":
            return Text(f"↻ reconnecting (attempt {self.attempt})", style="bold yellow")
        if state == "connecting":
            return Text(f"◌ connecting to {self.url}" if self.url else "◌ connecting", style="yellow")
        if state == "down":
            return Text("✖ down", style="bold red")
        if state == "live off":
            return Text("○ live off", style="dim")
        return Text(f"◌ {state}", style="yellow")

    def _detail_lines(self) -> list[Text]:
        lines = []
        if self.rules_error:
            lines.append(
                Text.assemble(
                    ("✗ rules not reloaded (old rules still running): ", "bold red"),
                    (self.rules_error, "red"),
                )
            )
        if self.core_error:
            lines.append(Text.assemble(("✖ ", "bold red"), (self.core_error, "red")))
        elif self.conn_error and self.state in ("reconnecting", "down"):
            lines.append(Text.assemble(("↻ ", "yellow"), (self.conn_error, "dim")))
        note = self.switch_note
        if note is not None and self._switch_fresh():
            lines.append(
                Text.assemble(("⇄ ", "yellow"), (f"switched from {note[0]}: ", "yellow"), (note[1], "dim"))
            )
        return lines

    def _lines(self, width: int) -> list[Text]:
        width = max(width, 10)
        sep = Text("  ")
        segments = self._segments()
        if sum(seg.cell_len for seg in segments) + 2 * (len(segments) - 1) > width:
            segments = self._segments(compact=True)
        lines: list[Text] = []
        current = Text()
        for seg in segments:
            if current.cell_len and current.cell_len + sep.cell_len + seg.cell_len > width:
                lines.append(current)
                current = Text()
            if current.cell_len:
                current.append_text(sep)
            current.append_text(seg)
        lines.append(current)
        for detail in self._detail_lines():
            detail.truncate(width * 2, overflow="ellipsis")
            lines.extend(detail.wrap(self.app.console, width))
        return lines

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._lines(width))

    def render(self) -> Text:
        return Text("\n").join(self._lines(self.content_size.width or self.size.width))

    @property
    def plain(self) -> str:
        """The header as plain text (for tests and the README capture)."""
        return "\n".join(line.plain for line in self._lines(self.content_size.width or 120))
