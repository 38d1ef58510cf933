"""Alert channels and the outbox deliverer.

Channels (each ``async deliver(alert)``; raising means "not delivered, try again later"):

- ``dashboard``  no-op: the UI reads alerts from the store
- ``console``    one line per alert to a callable sink (headless mode prints them)
- ``jsonl``      appends one JSON object per line to a file (parent directory created)
- webhooks       POST JSON (Discord ``{"content"}``, Slack ``{"text"}``, or the generic full alert);
                 a non-2xx answer or a connection error raises

``Deliverer`` drains the store's delivery outbox: every due row is sent through its channel; a failure
is retried with exponential backoff and jitter (2 s, 4 s, 8 s ... capped at 5 min) until the channel's
``max_attempts``, then marked failed. Rows live in SQLite, so pending deliveries survive restarts.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import random
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from sentinel_core.model import Alert

log = logging.getLogger(__name__)

BACKOFF_BASE = 2.0
BACKOFF_CAP = 300.0
DEFAULT_MAX_ATTEMPTS = 8
DISCORD_LIMIT = 2000
SLACK_LIMIT = 3000
USER_AGENT = "sentinel-monitor/0.1"


class DeliveryError(Exception):
    """A channel could not deliver an alert (the deliverer will retry)."""


class Channel(Protocol):
    name: str
    max_attempts: int

    async def deliver(self, alert: Alert) -> None: ...


def alert_line(alert: Alert) -> str:
    """One human line: ``[warning] #1234 hyperparam-change: subnet 3: tempo 360 -> 100``."""
    where = f"#{alert.block}"
    if alert.extrinsic_index is not None:
        where += f"-{alert.extrinsic_index}"
    return f"[{alert.severity.value}] {where} {alert.rule}: {alert.message}"


def alert_json(alert: Alert) -> dict[str, Any]:
    return alert.model_dump(mode="json")


class DashboardChannel:
    """The dashboard reads the store; delivery is a no-op."""

    max_attempts = 1

    def __init__(self, name: str = "dashboard") -> None:
        self.name = name

    async def deliver(self, alert: Alert) -> None:
        return None


class ConsoleChannel:
    """Calls ``sink(line)`` for each alert (no sink: a no-op, e.g. when the TUI runs)."""

    max_attempts = 1

    def __init__(self, sink: Callable[[str], Any] | None = None, name: str = "console") -> None:
        self.name = name
        self.sink = sink

    async def deliver(self, alert: Alert) -> None:
        if self.sink is not None:
            result = self.sink(alert_line(alert))
            if inspect.isawaitable(result):
                await result


class JsonlChannel:
    """Appends ``alert.model_dump(mode="json")`` as one line to ``path``."""

    def __init__(
        self, path: str | Path, name: str = "jsonl", max_attempts: int = DEFAULT_MAX_ATTEMPTS
    ) -> None:
        self.name = name
        self.path = Path(path)
        self.max_attempts = max_attempts
        self._lock = threading.Lock()

    def write(self, alert: Alert) -> None:
        line = json.dumps(alert_json(alert), ensure_ascii=False, separators=(",", ":"))
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as f:
                f.write(line + "\n")

    async def deliver(self, alert: Alert) -> None:
        try:
            self.write(alert)
        except OSError as e:
            raise DeliveryError(f"{self.path}: {e.strerror or e}") from e


def webhook_payload(fmt: str, alert: Alert) -> dict[str, Any]:
    """The JSON body for a webhook of format discord / slack / generic."""
    if fmt == "discord":
        text = f"**[{alert.severity.value}] {alert.rule}** · block {alert.block}\n{alert.message}"
        return {"content": text[:DISCORD_LIMIT]}
    if fmt == "slack":
        text = f"*[{alert.severity.value}] {alert.rule}* · block {alert.block}\n{alert.message}"
        return {"text": text[:SLACK_LIMIT]}
    return alert_json(alert)


class WebhookChannel:
    """POSTs JSON to ``url``; 2xx means delivered, anything else raises ``DeliveryError``."""

    def __init__(
        self,
        name: str,
        url: str,
        *,
        format: str = "generic",
        timeout: float = 10.0,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    ) -> None:
        self.name = name
        self.url = url
        self.format = format
        self.timeout = timeout
        self.max_attempts = max_attempts

    def _post(self, body: bytes) -> int:
        req = urllib.request.Request(
            self.url,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json", "User-Agent": USER_AGENT},
        )
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:  # noqa: S310 - configured URL
                resp.read(65536)
                return resp.status
        except urllib.error.HTTPError as e:
            detail = ""
            try:
                detail = e.read(200).decode("utf-8", "replace").strip()
            except Exception:
                pass
            raise DeliveryError(f"HTTP {e.code}{': ' + detail if detail else ''}") from None
        except urllib.error.URLError as e:
            raise DeliveryError(f"cannot reach {self.url}: {e.reason}") from None
        except (TimeoutError, OSError) as e:
            raise DeliveryError(f"cannot reach {self.url}: {e}") from None

    async def deliver(self, alert: Alert) -> None:
        body = json.dumps(webhook_payload(self.format, alert), ensure_ascii=False).encode("utf-8")
        status = await asyncio.to_thread(self._post, body)
        if not 200 <= status < 300:
            raise DeliveryError(f"HTTP {status}")


def build_channels(settings: Any, *, console_sink: Callable[[str], Any] | None = None) -> dict[str, Channel]:
    """Channels from ``ChannelsSettings`` (config.py): dashboard, console, jsonl (when configured)
    and one per ``[[channels.webhook]]``."""
    channels: dict[str, Channel] = {
        "dashboard": DashboardChannel(),
        "console": ConsoleChannel(console_sink if getattr(settings, "console", True) else None),
    }
    jsonl = getattr(settings, "jsonl", None)
    if jsonl:
        channels["jsonl"] = JsonlChannel(jsonl)
    for hook in getattr(settings, "webhook", None) or []:
        channels[hook.name] = WebhookChannel(
            hook.name, hook.url, format=hook.format, timeout=hook.timeout, max_attempts=hook.max_attempts
        )
    return channels


def backoff_delay(
    attempts: int, *, rng: random.Random | None = None, base: float = BACKOFF_BASE, cap: float = BACKOFF_CAP
) -> float:
    """Delay before the next try after ``attempts`` failed attempts (1, 2, ...): exponential
    (base * 2^(attempts-1), capped) with "equal jitter" (a random half of it)."""
    delay = min(cap, base * (2.0 ** max(0, attempts - 1)))
    r = (rng or random).random()
    return delay / 2 + r * delay / 2


async def _maybe(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


class Deliverer:
    """Drains the delivery outbox of an ``AsyncStore`` (a sync ``Store`` works too)."""

    def __init__(
        self,
        store: Any,
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
        self.delivered = 0
        self.failed = 0
        self.last_error: str | None = None

    def wake(self) -> None:
        """Deliver now (call after writing new alerts)."""
        self._wake.set()

    async def _deliver_row(self, row: dict[str, Any], now: float) -> bool:
        channel = self.channels.get(row["channel"])
        if channel is None:
            await _maybe(self.store.mark_failed(row["id"], f"unknown channel {row['channel']!r}"))
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
                await _maybe(self.store.mark_failed(row["id"], error))
                self.failed += 1
                log.warning(
                    "alert delivery to %s failed for good after %d attempts: %s",
                    row["channel"],
                    attempts,
                    error,
                )
            else:
                at = now + backoff_delay(attempts, rng=self.rng)
                await _maybe(self.store.mark_retry(row["id"], at, error))
            return False
        await _maybe(self.store.mark_delivered(row["id"]))
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
        rows = await _maybe(self.store.due_deliveries(now, self.batch))
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


__all__ = [
    "Channel",
    "DeliveryError",
    "DashboardChannel",
    "ConsoleChannel",
    "JsonlChannel",
    "WebhookChannel",
    "Deliverer",
    "build_channels",
    "backoff_delay",
    "webhook_payload",
    "alert_line",
    "alert_json",
]
