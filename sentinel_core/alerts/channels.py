"""Alert channels: where an alert goes once raised (each ``async deliver(alert)``; raising means "not
delivered, try again later", see :mod:`sentinel_core.alerts.deliverer`):

- ``dashboard``  no-op: the UI reads alerts from the store
- ``console``    one line per alert to a callable sink (headless mode prints them)
- ``jsonl``      appends one JSON object per line to a file (parent directory created)
- webhooks       POST JSON (Discord ``{"content"}``, Slack ``{"text"}``, or the generic full alert);
                 a non-2xx answer or a connection error raises. Every POST carries an
                 ``Idempotency-Key`` header, the same for every try of one alert to one channel
                 (:func:`idempotency_key`; the generic body has it too, as ``idempotency_key``), so a
                 receiver can drop the one repeat a crash can cause (see the deliverer)

:func:`build_channels` makes them from the ``[channels]`` settings.
"""

from __future__ import annotations

import asyncio
import hashlib
import inspect
import json
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from sentinel_core.errors import SentinelError
from sentinel_core.model import Alert

if TYPE_CHECKING:
    from sentinel_core.config import ChannelsSettings

DEFAULT_MAX_ATTEMPTS = 8
DISCORD_LIMIT = 2000
SLACK_LIMIT = 3000
USER_AGENT = "sentinel-monitor/0.1"


class DeliveryError(SentinelError):
    """A channel could not deliver an alert (the deliverer will retry)."""


class Channel(Protocol):
    """Where alerts go: ``deliver`` raises when the alert was not delivered (it is then retried, up
    to ``max_attempts`` tries in all)."""

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
    """The alert as JSON-ready data (JSONL lines, generic webhooks)."""
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


def idempotency_key(channel: str, dedup_key: str) -> str:
    """The ``Idempotency-Key`` of the delivery of the alert with ``dedup_key`` to ``channel``: derived
    from what the store keeps of both, so every try, in this process or after a restart, carries the
    same key. ``sentinel-`` and 32 hex digits, whatever characters the dedup key holds."""
    digest = hashlib.sha256(f"{channel}\n{dedup_key}".encode()).hexdigest()
    return f"sentinel-{digest[:32]}"


def webhook_payload(fmt: str, alert: Alert, key: str | None = None) -> dict[str, Any]:
    """The JSON body for a webhook of format discord / slack / generic; the generic one also carries
    ``key`` (the delivery's idempotency key) as ``idempotency_key`` when given."""
    if fmt == "discord":
        text = f"**[{alert.severity.value}] {alert.rule}** · block {alert.block}\n{alert.message}"
        return {"content": text[:DISCORD_LIMIT]}
    if fmt == "slack":
        text = f"*[{alert.severity.value}] {alert.rule}* · block {alert.block}\n{alert.message}"
        return {"text": text[:SLACK_LIMIT]}
    body = alert_json(alert)
    if key is not None:
        body.setdefault("idempotency_key", key)
    return body


class WebhookChannel:
    """POSTs JSON to ``url`` with an ``Idempotency-Key`` header; 2xx means delivered, anything else
    raises ``DeliveryError``."""

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

    def _post(self, body: bytes, key: str | None = None) -> int:
        headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT}
        if key is not None:
            headers["Idempotency-Key"] = key
        req = urllib.request.Request(self.url, data=body, method="POST", headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:  # noqa: S310 - configured URL
                resp.read(65536)
                status: int = resp.status
                return status
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
        key = idempotency_key(self.name, alert.dedup_key)
        body = json.dumps(webhook_payload(self.format, alert, key), ensure_ascii=False).encode("utf-8")
        status = await asyncio.to_thread(self._post, body, key)
        if not 200 <= status < 300:
            raise DeliveryError(f"HTTP {status}")


def build_channels(
    settings: ChannelsSettings, *, console_sink: Callable[[str], Any] | None = None
) -> dict[str, Channel]:
    """Channels from ``ChannelsSettings`` (config.py): dashboard, console, jsonl (when configured)
    and one per ``[[channels.webhook]]``."""
    channels: dict[str, Channel] = {
        "dashboard": DashboardChannel(),
        "console": ConsoleChannel(console_sink if settings.console else None),
    }
    if settings.jsonl:
        channels["jsonl"] = JsonlChannel(settings.jsonl)
    for hook in settings.webhook:
        channels[hook.name] = WebhookChannel(
            hook.name, hook.url, format=hook.format, timeout=hook.timeout, max_attempts=hook.max_attempts
        )
    return channels


__all__ = [
    "DEFAULT_MAX_ATTEMPTS",
    "Channel",
    "ConsoleChannel",
    "DashboardChannel",
    "DeliveryError",
    "JsonlChannel",
    "WebhookChannel",
    "alert_json",
    "alert_line",
    "build_channels",
    "idempotency_key",
    "webhook_payload",
]
