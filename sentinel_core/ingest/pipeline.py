"""The one path every ingestion mode sends its blocks through.

For each block: hyperparameter changes (old values from the parent block's chain state), rule
evaluation, then one store transaction for the blocks with their extrinsics, events, changes and
alerts; new alerts are queued for delivery and everything is published on the bus.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple

from ..alerts.raising import announce_alerts
from ..bus import AlertSource, BlockProcessed, Bus, HyperparamChanged, RuntimeUpgraded
from ..chain.client import ChainClient
from ..model import Alert, Block, HyperparamChange
from ..notable import notable_calls
from ..rules.engine import RuleEngine
from ..store import BlockRows, StoreAPI, block_rows
from ..units import block_time
from .changes import hyperparam_changes


class ArtifactWriter:
    """``STORE_ARTIFACT``: one JSON object per processed block, appended."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)

    def _write(self, lines: list[str]) -> None:
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write("".join(lines))

    async def write(self, lines: list[str]) -> None:
        await asyncio.to_thread(self._write, lines)


class Prepared(NamedTuple):
    """A run of blocks made ready to store: rows (alerts among them), the changes found, and the
    artifact lines when an artifact is kept. Plain data, so a decoding process can hand it over."""

    rows: BlockRows
    changes: list[HyperparamChange]
    artifact_lines: list[str]


def artifact_line(block: Block) -> str:
    return json.dumps(block.model_dump(mode="json"), separators=(",", ":")) + "\n"


async def prepare(
    client: ChainClient, blocks: Sequence[Block], engine: RuleEngine, *, artifact: bool = False
) -> Prepared:
    """Everything about ``blocks`` (ascending) short of writing it: hyperparameter changes with old
    values from the parent's state, the rules' alerts, the rows."""
    items: list[tuple[Block, list[HyperparamChange], list[Alert]]] = []
    for block in blocks:
        changes = await hyperparam_changes(client, block)
        items.append((block, changes, engine.evaluate(block, changes)))
    return Prepared(
        block_rows(items),
        [c for _, changes, _ in items for c in changes],
        [artifact_line(b) for b in blocks] if artifact else [],
    )


def alert_source(source: str) -> AlertSource:
    """The :class:`~sentinel_core.bus.AlertRaised` source of a pipeline run's alerts (a backfill's
    alerts are history)."""
    return "backfill" if source == "backfill" else "fast_backfill" if source == "fast_backfill" else "live"


class Pipeline:
    def __init__(
        self,
        store: StoreAPI,
        bus: Bus,
        *,
        artifact: ArtifactWriter | None = None,
        on_new_alerts: Callable[[list[Alert]], None] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.bus = bus
        self.artifact = artifact
        self.on_new_alerts = on_new_alerts
        self.clock = clock
        self._last_spec: int | None = None
        self._last_timestamp: dict[int, int] = {}

    async def process(
        self,
        client: ChainClient,
        blocks: Sequence[Block],
        engine: RuleEngine,
        *,
        source: str = "live",
        received_at: float | None = None,
    ) -> list[Alert]:
        """Process ``blocks`` (ascending) and return the alerts that were new."""
        prepared = await prepare(client, blocks, engine, artifact=self.artifact is not None)
        return await self.commit(prepared, blocks, source=source, received_at=received_at)

    async def commit(
        self,
        prepared: Prepared,
        blocks: Sequence[Block] | None = None,
        *,
        source: str = "live",
        received_at: float | None = None,
    ) -> list[Alert]:
        """Write what :func:`prepare` made (here or in a decoding process) in one transaction (the
        alerts with their delivery outbox among the rows), append the artifact, publish, and raise the
        new alerts (:func:`~sentinel_core.alerts.raising.announce_alerts`). ``blocks``, when at hand,
        feed the live block flow."""
        new_alerts = await self.store.write_rows(prepared.rows)
        if self.artifact is not None and prepared.artifact_lines:
            await self.artifact.write(prepared.artifact_lines)
        self._publish(blocks or (), prepared.changes, source, received_at)
        announce_alerts(self.bus, new_alerts, self.on_new_alerts, source=alert_source(source))
        return new_alerts

    def _publish(
        self,
        blocks: Sequence[Block],
        changes: list[HyperparamChange],
        source: str,
        received_at: float | None,
    ) -> None:
        bus = self.bus
        if source == "live":
            for block in blocks:
                prev = self._last_timestamp.get(block.number - 1)
                seconds = block_time(prev, block.timestamp)
                if block.timestamp is not None:
                    self._last_timestamp[block.number] = block.timestamp
                    self._last_timestamp.pop(block.number - 64, None)
                latency = (time.monotonic() - received_at) * 1000.0 if received_at is not None else None
                bus.publish(
                    BlockProcessed(
                        number=block.number,
                        hash=block.hash,
                        timestamp=block.timestamp,
                        extrinsics=len(block.extrinsics),
                        failed=block.failed_count,
                        events=len(block.events),
                        notable=notable_calls(block),
                        block_time=seconds,
                        source="live",
                        spec_version=block.spec_version,
                        latency_ms=latency,
                    )
                )
                if any(ev.pallet == "System" and ev.name == "CodeUpdated" for ev in block.events):
                    bus.publish(RuntimeUpgraded(block=block.number, old=block.spec_version, new=-1))
        for change in changes:
            bus.publish(HyperparamChanged(change=change))
