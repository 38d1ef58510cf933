"""The deliverer: drains the store's delivery outbox through the alert channels.

Every due outbox row is sent through its channel; a failure is retried with exponential backoff and
jitter (2 s, 4 s, 8 s ... capped at 5 min) until the channel's ``max_attempts``, then marked failed. A
failing channel leaves its other rows for the next round (no attempt spent on them). Rows live in the
store, so pending deliveries survive restarts.

Each alert goes out once to each of its channels:

- **Claimed before sent.** ``due_deliveries`` claims the rows it returns in one write transaction
  (``pending`` -> ``sending``, see :mod:`sentinel_core.store.alerts`); only the claimer sends a row and
  records its outcome (``delivered``, ``pending`` again with a back-off, or ``failed``). Two deliverers
  on one store, e.g. a drain's ``run_once`` while ``run_forever`` runs, never send the same row.
  ``sending`` means claimed: a round claims up to ``batch`` rows, and sends each channel's one after
  the other (the channels side by side).
- **Single-flight.** One round at a time per deliverer: a second ``run_once`` waits for the round
  under way, then delivers what is left (the console never prints a line twice).
- **Stops cleanly.** Cancelled mid-send, the deliverer lets the send in flight finish and records its
  outcome before it stops. Rows it claimed and has not tried yet (a failing channel's, held for its
  next round, or those after a stop) stay ``sending``: its next round tries them first, or, once the
  process is gone, the next one on the file. They were never sent. An outcome the store refused to
  record is kept and written first next round; the row stays claimed meanwhile, not sent again.
- **Crash-safe, with an idempotency key.** Rows a killed process left ``sending`` go back to pending
  when the next process claims deliveries, and are sent again with the same ``Idempotency-Key``
  header (:func:`~sentinel_core.alerts.channels.idempotency_key`, from the alert's dedup key and the
  channel's name; the generic JSON body carries it too). So a kill after the receiver has taken a POST
  (answered 200 or about to) and before we wrote ``delivered`` repeats that POST once after the
  restart: at most one POST per delivery in flight at the kill, which is one per channel. The key
  lets the receiver drop the repeat. Everything else is delivered exactly once.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import random
import time
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from sentinel_core.alerts.channels import DEFAULT_MAX_ATTEMPTS, Channel
from sentinel_core.model import Alert

if TYPE_CHECKING:
    from sentinel_core.store import StoreAPI

log = logging.getLogger(__name__)

BACKOFF_BASE = 2.0
BACKOFF_CAP = 300.0

T = TypeVar("T")


def backoff_delay(
    attempts: int, *, rng: random.Random | None = None, base: float = BACKOFF_BASE, cap: float = BACKOFF_CAP
) -> float:
    """Delay before the next try after ``attempts`` failed attempts (1, 2, ...): exponential
    (base * 2^(attempts-1), capped) with "equal jitter" (a random half of it)."""
    delay = min(cap, base * (2.0 ** max(0, attempts - 1)))
    r = (rng or random).random()
    return delay / 2 + r * delay / 2


async def _finish(coro: Coroutine[Any, Any, T]) -> T:
    """``await coro`` in a task of its own that a cancellation of the caller does not cut short: the
    cancellation is raised once the task has ended (a send in flight is finished and its outcome
    recorded, never left half done). Cancelled again while it waits, it gives up waiting."""
    task = asyncio.ensure_future(coro)
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        task.add_done_callback(_retrieve)
        if not task.done():
            await asyncio.wait([task])
        raise


def _retrieve(task: asyncio.Future[Any]) -> None:
    """Mark a task's exception retrieved (it was raised, or logged, elsewhere)."""
    if not task.cancelled():
        task.exception()


class Deliverer:
    """Drains the delivery outbox of the (async) store: ``due_deliveries`` (which claims the rows),
    then ``mark_delivered``, ``mark_retry`` or ``mark_failed`` per row. Created in the event loop it
    runs in; ``run_once`` and ``run_forever`` are called from that loop only."""

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
        self._round_lock = asyncio.Lock()
        self._held: list[dict[str, Any]] = []
        """Rows this deliverer claimed and has not tried yet (their channel failed this round)."""
        self._unrecorded: list[Callable[[], Awaitable[bool]]] = []
        """Outcomes the store refused to record, written first next round."""
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

    async def _record(self, outcome: Callable[[], Awaitable[bool]]) -> None:
        """Write a row's outcome; one the store refuses is kept for the next round, and raised."""
        try:
            await outcome()
        except Exception:
            self._unrecorded.append(outcome)
            raise

    async def _send(self, row: dict[str, Any], now: float) -> bool:
        """Send one claimed row and record the outcome; True when delivered."""
        store, delivery_id = self.store, row["id"]
        channel = self.channels.get(row["channel"])
        if channel is None:
            error = f"unknown channel {row['channel']!r}"
            await self._record(functools.partial(store.mark_failed, delivery_id, error))
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
                await self._record(functools.partial(store.mark_failed, delivery_id, error))
                self.failed += 1
                log.warning(
                    "alert delivery to %s failed for good after %d attempts: %s",
                    row["channel"],
                    attempts,
                    error,
                )
            else:
                at = now + backoff_delay(attempts, rng=self.rng)
                await self._record(functools.partial(store.mark_retry, delivery_id, at, error))
            return False
        await self._record(functools.partial(store.mark_delivered, delivery_id))
        self.delivered += 1
        return True

    async def _drain_channel(self, rows: list[dict[str, Any]], now: float) -> int:
        """One channel's rows, one after the other."""
        done = 0
        for i, row in enumerate(rows):
            try:
                sent = await _finish(self._send(row, now))
            except BaseException:
                self._held.extend(rows[i + 1 :])  # claimed, not tried: the next round's
                raise
            if sent:
                done += 1
            elif row["channel"] in self.channels:
                # The channel is failing: hold its other rows for the next round (no attempt spent).
                self._held.extend(rows[i + 1 :])
                break
        return done

    async def run_once(self) -> int:
        """Deliver every due outbox row once; returns how many were delivered. One round at a time: a
        call while a round is under way waits for it, then delivers what is left."""
        async with self._round_lock:
            return await self._round()

    async def _round(self) -> int:
        while self._unrecorded:
            await self._unrecorded[0]()
            self._unrecorded.pop(0)
        now = self.clock()
        claimed = await self.store.due_deliveries(now, self.batch)
        rows = {r["id"]: r for r in self._held}
        rows.update((r["id"], r) for r in claimed)
        self._held = []
        by_channel: dict[str, list[dict[str, Any]]] = {}
        for row in sorted(rows.values(), key=lambda r: (r["next_attempt_at"], r["id"])):
            by_channel.setdefault(row["channel"], []).append(row)
        results = await asyncio.gather(
            *(self._drain_channel(r, now) for r in by_channel.values()), return_exceptions=True
        )
        total = 0
        for result in results:
            if isinstance(result, BaseException):
                raise result
            total += result
        return total

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
