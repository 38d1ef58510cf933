"""Pacing the calls sent to a node that limits how fast anyone may call it.

Hosted providers and per-IP limiters count calls (every request of a batch frame), some count frames;
some refuse a whole frame that does not fit their budget, some answer its first items and refuse the
rest. :class:`CallPacer` works under all of them. It keeps a one-second window of the calls sent.
Until the node first refuses there is no cap (beyond ``max_rps``). A refusal sets the cap to 90% of
the calls the node *answered* in the last second (what it permits, whichever unit it counts, as long
as frames keep their size; never less than half the cap before; half the cap when nothing at all
was answered) and pauses every sender briefly, with jitter. Each second in which the cap held a
sender back without a refusal raises it, by 2% at first and twice as much each further clean second
(at most 25%), so it settles just under the limit instead of hammering it, and climbs back fast when
it fell far below. Frames are cut to at most half the cap (:meth:`frame_calls`: a frame larger than
the limiter's burst would be refused for ever), and the client asks again only for the refused items
of a partly answered frame (:meth:`~sentinel_core.chain.client.ChainClient.batch`).
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import deque
from dataclasses import dataclass, field

WINDOW = 1.0
"""Seconds over which calls are counted against the cap."""
CUT = 0.9
"""A refusal sets the cap to this share of the calls answered in the last window."""
RAISE = 0.02
"""The first clean second near the cap raises it by this share; each further one by twice as much."""
MAX_RAISE = 0.25


@dataclass
class CallPacer:
    """One node's budget of calls per second, shared by every client of a job (``client.pacer``)."""

    max_rps: float | None = None
    """A cap on calls per second given by the user (``--max-rps``)."""
    rate: float | None = None
    """The cap learned from the node's refusals (calls per second); None until the first one."""
    backoffs: int = 0
    """Frames the node refused (in part or whole)."""
    sent: int = 0
    """Calls sent in all."""
    frames: int = 0
    """Frames sent in all."""
    refused_calls: int = 0
    """Calls the node refused in all (each was asked again)."""
    rng: random.Random = field(default_factory=random.Random)
    _sent: deque[tuple[float, int]] = field(default_factory=deque)
    _in_window: int = 0
    _answered: deque[tuple[float, int]] = field(default_factory=deque)
    _paused_until: float = 0.0
    _last_raise: float = 0.0
    _last_refusal: float = float("-inf")
    _last_cut: float = float("-inf")
    _clean: int = 0
    _held_at: float = float("-inf")
    """When a sender last had to wait for the cap (the cap is what binds)."""

    # -- the cap ----------------------------------------------------------------------------------------
    def cap(self) -> float | None:
        """Calls per second allowed now: the smaller of the user's cap and the learned one."""
        caps = [c for c in (self.max_rps, self.rate) if c]
        return min(caps) if caps else None

    def frame_calls(self) -> int | None:
        """The most calls one frame should carry (None: no limit known): half the cap, so that a frame
        fits the limiter's burst even when the cap has risen a little above it."""
        cap = self.cap()
        return None if cap is None else max(1, int(cap / 2))

    def calls_per_second(self) -> float:
        """Calls sent over the last window."""
        self._trim(time.monotonic())
        return float(self._in_window) / WINDOW

    # -- sending -----------------------------------------------------------------------------------
    async def pace(self, calls: int = 1) -> None:
        """Wait until a frame of ``calls`` calls keeps within the cap, then count it as sent. A frame
        larger than the cap goes alone in an empty window."""
        calls = max(1, calls)
        while True:
            now = time.monotonic()
            if self._paused_until > now:
                await asyncio.sleep(self._paused_until - now)
                continue
            self._trim(now)
            cap = self.cap()
            if cap is None or self._in_window == 0 or self._in_window + calls <= cap:
                self._sent.append((now, calls))
                self._in_window += calls
                self.sent += calls
                self.frames += 1
                return
            self._held_at = now
            await asyncio.sleep(max(0.005, WINDOW - (now - self._sent[0][0])))

    def answered(self, calls: int) -> None:
        """The node answered ``calls`` calls of a frame (errors other than refusals count: it did them)."""
        now = time.monotonic()
        if calls:
            self._answered.append((now, calls))
        while self._answered and now - self._answered[0][0] > WINDOW:
            self._answered.popleft()
        cap = self.rate
        if (
            cap is not None
            and now - self._last_refusal > WINDOW
            and now - self._last_raise > WINDOW
            and now - self._held_at <= WINDOW
        ):
            self.rate = cap * (1.0 + min(MAX_RAISE, RAISE * 2.0**self._clean))
            self._clean += 1
            self._last_raise = now

    def refused(self, calls: int) -> float:
        """The node refused ``calls`` calls of a frame for its rate limit: lower the cap (once per burst
        of refusals) and pause every sender briefly. Returns the pause in seconds."""
        now = time.monotonic()
        self.backoffs += 1
        self.refused_calls += calls
        answered = sum(c for t, c in self._answered if now - t <= WINDOW)
        if answered == 0 and now - self._last_cut > WINDOW:
            # Nothing gets through: the frames may not fit the limiter's burst. Halve (frames follow).
            self._trim(now)
            self.rate = max(1.0, 0.5 * (self.rate or max(1.0, float(self._in_window))))
            self._last_cut = now
        elif answered and now - self._last_refusal > WINDOW:
            basis = max(float(answered), 0.5 * self.rate) if self.rate else float(answered)
            self.rate = max(1.0, CUT * basis)
            self._last_cut = now
        self._clean = 0
        self._last_refusal = now
        delay = (0.5 + self.rng.random()) * 0.3
        self._paused_until = max(self._paused_until, now + delay)
        return delay

    def pause(self, seconds: float) -> None:
        """Hold every sender for ``seconds`` (a connection failure, not a refusal)."""
        self._paused_until = max(self._paused_until, time.monotonic() + seconds)

    def _trim(self, now: float) -> None:
        while self._sent and now - self._sent[0][0] > WINDOW:
            _, calls = self._sent.popleft()
            self._in_window -= calls
