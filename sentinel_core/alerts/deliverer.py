"""The deliverer: drains the store's delivery outbox through the alert channels.

Every due outbox row is sent through its channel; a failure is retried with exponential backoff and
jitter (2 s, 4 s, 8 s ... capped at 5 min) until the channel's ``max_attempts``, then marked failed. A
failing channel leaves its other rows for the next round (no attempt spent on them). Rows live in the
store, so pending deliveries survive restarts.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from sentinel_core.alerts.channels import DEFAULT_MAX_ATTEMPTS, Channel
from sentinel_core.model import Alert

if TYPE_CHECKING:
    from sentinel_core.store import StoreAPI

log = logging.getLogger(__name__)

BACKOFF_BASE = 2.0
BACKOFF_CAP = 300.0


def backoff_delay(
    attempts: int, *, rng: random.Random | None = None, base: float = BACKOFF_BASE, cap: float = BACKOFF_CAP
) -> float:
    """Delay before the next try after ``attempts`` failed attempts (1, 2, ...): exponential
    (base * 2^(attempts-1), capped) with "equal jitter" (a random half of it)."""
    delay = min(cap, base * (2.0 ** max(0, attempts - 1)))
    r = (rng or random).random()
    return delay / 2 + r * delay / 2


class Deliverer:
    """Drains the delivery outbox of the (async) store: ``due_deliveries``, then ``mark_delivered``,
    ``mark_retry`` or ``mark_failed`` per row. Created in the event loop it runs in."""

    def __init__(
        self,
        store: StoreAPI,
        channels: dict[str, Channel],
        *,
        clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
        batch: int = 100,
        interval: float = 1.0,
    ) -> None:
        self.store = store
        self.channels = channels
        self.clock = clock
        self.rng = rng or random.Random()
        self.batch = batch
        self.interval = interval
        self._wake = asyncio.Event()
        try:
            self._loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            self._loop = None
        self.delivered = 0
        self.failed = 0
        self.last_error: str | None = None

    def wake(self) -> None:
        """Deliver now (call after writing new alerts), in the deliverer's own event loop."""
        self._wake.set()

    def on_new_alerts(self, alerts: Sequence[Alert]) -> None:
        """The hook of :func:`~sentinel_core.alerts.raising.raise_alerts`: wake up to deliver the new
        ``alerts``. Safe from any thread (the dashboard's backfill runs its pipeline in another
        thread's loop): the wake-up happens in the deliverer's own loop."""
        loop = self._loop
        if loop is None:
            self.wake()
        else:
            loop.call_soon_threadsafe(self.wake)

    async def _deliver_row(self, row: dict[str, Any], now: float) -> bool:
        channel = self.channels.get(row["channel"])
        if channel is None:
            await self.store.mark_failed(row["id"], f"unknown channel {row['channel']!r}")
            self.failed += 1
            return False
        try:
            await channel.deliver(row["alert"])
        except asyncio.CancelledError:
            raise
        except Exception as e:  # every failure is retried
            error = str(e) or type(e).__name__
            self.last_error = f"{row['channel']}: {error}"
            attempts = int(row.get("attempts") or 0) + 1
            max_attempts = getattr(channel, "max_attempts", DEFAULT_MAX_ATTEMPTS)
            if attempts >= max_attempts:
                await self.store.mark_failed(row["id"], error)
                self.failed += 1
                log.warning(
                    "alert delivery to %s failed for good after %d attempts: %s",
                    row["channel"],
                    attempts,
                    error,
                )
            else:
                at = now + backoff_delay(attempts, rng=self.rng)
                await self.store.mark_retry(row["id"], at, error)
            return False
        await self.store.mark_delivered(row["id"])
        self.delivered += 1
        return True

    async def _drain_channel(self, rows: list[dict[str, Any]], now: float) -> int:
        done = 0
        for row in rows:
            if await self._deliver_row(row, now):
                done += 1
            elif row["channel"] in self.channels:
                # The channel is failing: leave its other rows for the next round (no attempt spent).
                break
        return done

    async def run_once(self) -> int:
        """Deliver every due outbox row once; returns how many were delivered."""
        now = self.clock()
        rows = await self.store.due_deliveries(now, self.batch)
        by_channel: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            by_channel.setdefault(row["channel"], []).append(row)
        results = await asyncio.gather(*(self._drain_channel(r, now) for r in by_channel.values()))
        return sum(results)

    async def run_forever(self, stop_event: asyncio.Event) -> None:
        """Deliver until ``stop_event`` is set; errors are logged and retried next round."""
        while not stop_event.is_set():
            try:
                n = await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception as e:  # the store may be briefly busy; never die
                self.last_error = str(e)
                log.warning("alert delivery round failed: %s", e)
                n = 0
            if n >= self.batch:
                continue  # more may be due right away
            self._wake.clear()
            stop_wait = asyncio.ensure_future(stop_event.wait())
            wake_wait = asyncio.ensure_future(self._wake.wait())
            try:
                await asyncio.wait(
                    {stop_wait, wake_wait}, timeout=self.interval, return_when=asyncio.FIRST_COMPLETED
                )
            finally:
                for t in (stop_wait, wake_wait):
                    t.cancel()


__all__ = ["BACKOFF_BASE", "BACKOFF_CAP", "Deliverer", "backoff_delay"]
