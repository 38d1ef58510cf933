"""Failover between several endpoints of one chain: which one is in use, and when to switch.

An :class:`EndpointPool` holds the endpoints in order of preference, the one in use and what is known
of each (last error, failures, last head and when it was seen). Live mode reports to it the heads it
receives and the failures it meets; :class:`HeadProbe` asks the other endpoints for their head every
few seconds (a ``chain_getHeader`` on a connection of its own, only when there is more than one
endpoint). From that the pool decides:

- ``switch(reason)``: the next endpoint, round robin, skipping those that failed within the
  cool-down (they are retried once it has passed, or when every other one is cooling down too);
- ``check()``: switch when another endpoint's head is more than ``lag_blocks`` ahead of the one in
  use, or go back to a more preferred endpoint once it is healthy again (out of its cool-down,
  answering probes and caught up).

Every method is synchronous and takes a lock: the pool is safe to share between tasks and between
the event loops of several threads (the dashboard runs backfills on a thread of their own).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ..tasks import wait_for
from .transport import ChainError

if TYPE_CHECKING:
    from .client import ChainClient

COOLDOWN = 30.0
"""Seconds a failed endpoint is skipped by :meth:`EndpointPool.switch` (then it is tried again)."""
LAG_BLOCKS = 3
"""Another endpoint this many blocks (or fewer) ahead of the one in use is not a reason to switch."""
PROBE_INTERVAL = 3.0
"""Seconds between two rounds of head probes of the endpoints not in use."""


@dataclass(frozen=True)
class Health:
    """What is known of one endpoint."""

    url: str
    failures: int = 0
    last_error: str | None = None
    failed_at: float | None = None
    head: int | None = None
    head_at: float | None = None


@dataclass(frozen=True)
class Switch:
    """The endpoint in use changed: from ``previous`` to ``current`` (``index`` of ``count``, from 1)."""

    previous: str
    current: str
    reason: str
    index: int
    count: int
    at: float

    @property
    def text(self) -> str:
        """The log line: ``switching from ws://a to ws://b (2/2): ws://a: connection refused``."""
        return f"switching from {self.previous} to {self.current} ({self.index}/{self.count}): {self.reason}"


@dataclass(frozen=True)
class Decision:
    """What :meth:`EndpointPool.check` advises: use ``target``; ``failed``: the endpoint in use is at
    fault (it lags) and is to be reported failed, so it is not taken back at once."""

    target: str
    reason: str
    failed: bool


def brief(url: str, error: BaseException | str) -> str:
    """A failure as one short line that names the endpoint: ``ws://a: connection refused``."""
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    if not text and isinstance(error, BaseException):
        text = type(error).__name__
    for prefix in (f"cannot reach {url}: ", f"cannot talk to {url}: ", f"{url}: "):
        if text.startswith(prefix):
            text = text[len(prefix) :]
            break
    return text if text.startswith(url) else f"{url}: {text}"


class EndpointPool:
    """Endpoints of one chain in order of preference; the one in use starts as the first."""

    def __init__(
        self,
        urls: Sequence[str],
        *,
        cooldown: float = COOLDOWN,
        lag_blocks: int = LAG_BLOCKS,
        fresh: float = 15.0,
        clock: Callable[[], float] = time.monotonic,
        on_switch: Callable[[Switch], None] | None = None,
    ) -> None:
        if not urls:
            raise ValueError("an endpoint pool needs at least one endpoint")
        if len(set(urls)) != len(urls):
            raise ValueError(f"an endpoint is listed twice: {', '.join(urls)}")
        self.urls: tuple[str, ...] = tuple(urls)
        self.cooldown = cooldown
        self.lag_blocks = lag_blocks
        self.fresh = fresh
        """Seconds a probed head counts for the lag and return rules (older ones are not compared)."""
        self.clock = clock
        self.on_switch = on_switch
        """Called (outside the lock) with every :class:`Switch`."""
        self.last_switch: Switch | None = None
        self._lock = threading.Lock()
        self._current = 0
        self._health: dict[str, Health] = {url: Health(url) for url in self.urls}

    # -- what is known ------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.urls)

    def __repr__(self) -> str:
        return f"EndpointPool({list(self.urls)!r}, current={self.current()!r})"

    def current(self) -> str:
        """The endpoint in use."""
        with self._lock:
            return self.urls[self._current]

    def index(self, url: str | None = None) -> int:
        """The position (from 1) of ``url`` (default: the one in use) in the list; 0 when not in it."""
        with self._lock:
            if url is None:
                return self._current + 1
            return self.urls.index(url) + 1 if url in self._health else 0

    def health(self, url: str) -> Health:
        with self._lock:
            return self._health[url]

    def cooling(self, url: str) -> bool:
        """Whether ``url`` failed within the cool-down."""
        with self._lock:
            return self._cooling(url, self.clock())

    def _cooling(self, url: str, now: float) -> bool:
        failed = self._health[url].failed_at
        return failed is not None and now - failed < self.cooldown

    # -- reports ------------------------------------------------------------------------------------
    def report_failure(self, url: str, reason: str) -> None:
        """``url`` failed (could not connect, lost the connection, stalled, lags): it is skipped for
        the cool-down."""
        with self._lock:
            h = self._health.get(url)
            if h is not None:
                self._health[url] = replace(
                    h, failures=h.failures + 1, last_error=reason, failed_at=self.clock()
                )

    def report_head(self, url: str, number: int) -> None:
        """``url``'s best head is ``number`` now."""
        with self._lock:
            h = self._health.get(url)
            if h is not None:
                self._health[url] = replace(h, head=number, head_at=self.clock())

    # -- choosing -----------------------------------------------------------------------------------
    def _others(self) -> list[int]:
        """The other endpoints' positions, round robin from the one after the one in use."""
        n = len(self.urls)
        return [(self._current + k) % n for k in range(1, n)]

    def _healthy_other(self, now: float) -> int | None:
        return next((i for i in self._others() if not self._cooling(self.urls[i], now)), None)

    def alternative(self) -> str | None:
        """The endpoint :meth:`switch` would go to if it is healthy (out of its cool-down); None when
        there is none (a single endpoint, or all the others failed recently)."""
        with self._lock:
            i = self._healthy_other(self.clock())
            return None if i is None else self.urls[i]

    def candidates(self) -> list[str]:
        """The order to try connecting in: the one in use, the healthy others (round robin), then those
        cooling down (the longest ago failed first)."""
        with self._lock:
            now = self.clock()
            others = self._others()
            healthy = [i for i in others if not self._cooling(self.urls[i], now)]
            cooling = sorted(
                (i for i in others if i not in healthy),
                key=lambda i: self._health[self.urls[i]].failed_at or 0.0,
            )
            return [self.urls[i] for i in [self._current, *healthy, *cooling]]

    def switch(self, reason: str) -> str:
        """Move to the next healthy endpoint (round robin); when every other one is cooling down, to the
        one that failed longest ago (it is retried). Returns the endpoint now in use (the same one
        when there is no other)."""
        with self._lock:
            now = self.clock()
            target = self._healthy_other(now)
            if target is None:
                others = self._others()
                if not others:
                    return self.urls[self._current]
                target = min(others, key=lambda i: self._health[self.urls[i]].failed_at or 0.0)
            switched = self._move(target, reason, now)
        self._announce(switched)
        return switched.current

    def use(self, url: str, reason: str) -> bool:
        """Make ``url`` the endpoint in use (a connection to it succeeded where the one in use failed,
        or :meth:`check` advised it). Returns whether it changed."""
        with self._lock:
            if url not in self._health or self.urls[self._current] == url:
                return False
            switched = self._move(self.urls.index(url), reason, self.clock())
        self._announce(switched)
        return True

    def _move(self, target: int, reason: str, now: float) -> Switch:
        previous = self.urls[self._current]
        self._current = target
        switched = Switch(previous, self.urls[target], reason, target + 1, len(self.urls), now)
        self.last_switch = switched
        return switched

    def _announce(self, switched: Switch) -> None:
        if self.on_switch is not None:
            self.on_switch(switched)

    def check(self) -> Decision | None:
        """Whether to leave the endpoint in use, from the heads reported: another healthy endpoint is
        more than ``lag_blocks`` ahead of it (go to the one furthest ahead), or a more preferred one is
        healthy again and caught up (go back to it)."""
        with self._lock:
            if len(self.urls) < 2:
                return None
            now = self.clock()
            current = self.urls[self._current]
            mine = self._health[current].head
            if mine is None:
                return None
            others = [
                (i, self._health[self.urls[i]])
                for i in range(len(self.urls))
                if i != self._current and not self._cooling(self.urls[i], now)
            ]
            known = [
                (i, h)
                for i, h in others
                if h.head is not None and h.head_at is not None and now - h.head_at <= self.fresh
            ]
            if not known:
                return None
            i, ahead = max(known, key=lambda item: (item[1].head or 0, -item[0]))
            assert ahead.head is not None
            if ahead.head - mine > self.lag_blocks:
                behind = ahead.head - mine
                return Decision(ahead.url, f"{current} lags {behind} blocks behind {ahead.url}", failed=True)
            for i, h in sorted(known, key=lambda item: item[0]):
                if i < self._current and h.head is not None and h.head >= mine - 1:
                    why = "is back" if h.failed_at is not None else "is in step"
                    return Decision(h.url, f"{h.url} {why} (preferred endpoint)", failed=False)
            return None


class HeadProbe:
    """Asks every endpoint but the one in use for its best head (``chain_getHeader``), each on a
    :class:`~sentinel_core.chain.client.ChainClient` of its own kept open between rounds, and reports
    heads and failures to the pool. ``connect(url)`` opens a client (and may refuse a node of
    another chain by raising :class:`ChainError`)."""

    def __init__(
        self,
        pool: EndpointPool,
        connect: Callable[[str], Awaitable[ChainClient]],
        *,
        timeout: float = 10.0,
    ) -> None:
        self.pool = pool
        self.connect = connect
        self.timeout = timeout
        self.rounds = 0
        self._clients: dict[str, ChainClient] = {}

    async def probe(self, in_use: ChainClient | None = None) -> None:
        """One round, every endpoint at once: the one in use through ``in_use`` (live mode's own
        connection, so the head compared is the node's, not how far live mode has got), the others
        each through a client of the probe's."""
        current = self.pool.current()
        stale = self._clients.pop(current, None)
        if stale is not None:  # it is in use now: live mode has its own connection to it
            await _close(stale)
        others = [url for url in self.pool.urls if url != current]
        probes = [self._probe(url) for url in others]
        if in_use is not None and in_use.url == current:
            probes.append(self._probe_in_use(in_use))
        await asyncio.gather(*probes)
        self.rounds += 1

    async def _probe_in_use(self, client: ChainClient) -> None:
        from .client import header_number

        try:
            header = await wait_for(client.call("chain_getHeader", []), self.timeout)
            self.pool.report_head(client.url, header_number(header))
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - live mode meets the failure on its own connection
            pass

    async def _probe(self, url: str) -> None:
        from .client import header_number

        client = self._clients.get(url)
        try:
            if client is None:
                client = await wait_for(self.connect(url), self.timeout)
                self._clients[url] = client
            header = await wait_for(client.call("chain_getHeader", []), self.timeout)
            self.pool.report_head(url, header_number(header))
        except asyncio.CancelledError:
            raise
        except TimeoutError:
            await self._drop(url)
            self.pool.report_failure(url, f"{url}: no answer within {self.timeout:g} s")
        except Exception as exc:  # noqa: BLE001 - any failure of a probe is the endpoint's
            await self._drop(url)
            self.pool.report_failure(url, brief(url, exc))

    async def _drop(self, url: str) -> None:
        client = self._clients.pop(url, None)
        if client is not None:
            await _close(client)

    async def close(self) -> None:
        clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            await _close(client)


async def _close(client: ChainClient) -> None:
    with contextlib.suppress(Exception):
        await client.close()


__all__ = [
    "COOLDOWN",
    "LAG_BLOCKS",
    "PROBE_INTERVAL",
    "ChainError",
    "Decision",
    "EndpointPool",
    "HeadProbe",
    "Health",
    "Switch",
    "brief",
]
