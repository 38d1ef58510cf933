"""Notices the core publishes to whoever listens (the TUI, the headless runner, tests).

Listeners are plain callables called synchronously in the core's event loop; they must return
quickly (the TUI posts a Textual message, headless prints a line). A failing listener is logged and
never stops ingestion.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel, Field

from .model import Alert, HyperparamChange

log = logging.getLogger("sentinel.bus")


class ConnectionChanged(BaseModel):
    kind: Literal["connection"] = "connection"
    state: Literal["connecting", "connected", "reconnecting", "down"]
    url: str
    attempt: int = 0
    error: str | None = None
    endpoint: int = 1
    """Which of the configured endpoints ``url`` is (from 1; see ``endpoints``)."""
    endpoints: int = 1
    """How many endpoints are configured (``[network] urls``, ``--network`` given several times)."""
    previous: str | None = None
    """After a switch: the endpoint switched from (the notices of that connection carry it)."""
    reason: str | None = None
    """After a switch: why (``ws://a stalled: no head for 30 s``, ``ws://a lags 5 blocks behind
    ws://b``, ``ws://a: connection refused``)."""


class HeadUpdated(BaseModel):
    kind: Literal["head"] = "head"
    best: int | None = None
    finalized: int | None = None
    spec_version: int | None = None


class BlockProcessed(BaseModel):
    kind: Literal["block"] = "block"
    number: int
    hash: str
    timestamp: int | None = None
    extrinsics: int = 0
    failed: int = 0
    events: int = 0
    notable: list[str] = Field(default_factory=list)
    block_time: float | None = None
    """Seconds since the previous block (from the Timestamp inherents)."""
    source: Literal["live", "backfill", "fast_backfill"] = "live"
    spec_version: int | None = None
    latency_ms: float | None = None
    """From the head notification arriving to the block being stored (live only)."""


AlertSource = Literal["live", "backfill", "fast_backfill", "snapshot", "stall"]
"""Which route raised an alert: a live block, a backfilled block (either mode), a metagraph snapshot
rule, or the live stall watch."""

HISTORY_SOURCES: frozenset[str] = frozenset({"backfill", "fast_backfill"})
"""The sources whose alerts are history (found in old blocks), not happening now."""


class AlertRaised(BaseModel):
    kind: Literal["alert"] = "alert"
    alert: Alert
    source: AlertSource = "live"
    history: bool = False
    """True for an alert found in history (a backfilled block): shown as history, not toasted and not
    counted as unacknowledged. Set from ``source`` by
    :func:`~sentinel_core.alerts.raising.announce_alerts`."""


class HyperparamChanged(BaseModel):
    kind: Literal["hyperparam"] = "hyperparam"
    change: HyperparamChange


class WorkerProgress(BaseModel):
    worker: int
    done: int = 0
    total: int = 0
    current: int | None = None


class BackfillProgress(BaseModel):
    kind: Literal["backfill"] = "backfill"
    run_id: int
    mode: Literal["backfill", "fast_backfill"]
    start: int
    end: int
    done: int
    total: int
    rate: float = 0.0
    """Units (blocks, or snapshots) per second over the recent window."""
    unit: Literal["blocks", "snapshots"] = "blocks"
    """What ``done``, ``total`` and ``rate`` count."""
    eta_seconds: float | None = None
    state: Literal["running", "paused", "done", "cancelled", "failed"] = "running"
    workers: list[WorkerProgress] = Field(default_factory=list)
    backoffs: int = 0
    calls_per_second: float = 0.0
    call_limit: float | None = None
    """The calls per second the node permits, as learned from its refusals (None: none seen)."""
    frame_calls: int | None = None
    """Calls in one batch frame now (a block batch's, or fewer when cut to fit the node's limit)."""
    concurrency: int = 0
    error: str | None = None


class RulesReloaded(BaseModel):
    kind: Literal["rules"] = "rules"
    count: int
    error: str | None = None


class RuntimeUpgraded(BaseModel):
    kind: Literal["runtime"] = "runtime"
    block: int
    old: int | None
    new: int


class LogLine(BaseModel):
    kind: Literal["log"] = "log"
    level: Literal["info", "warning", "error"] = "info"
    text: str


Notice = (
    ConnectionChanged
    | HeadUpdated
    | BlockProcessed
    | AlertRaised
    | HyperparamChanged
    | BackfillProgress
    | RulesReloaded
    | RuntimeUpgraded
    | LogLine
)
Listener = Callable[[Notice], None]


class Bus:
    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def publish(self, notice: Notice) -> None:
        for listener in list(self._listeners):
            try:
                listener(notice)
            except Exception:  # noqa: BLE001 - a listener must never break ingestion
                log.exception("bus listener failed on %s", notice.kind)
