"""The read model of the dashboard (and of the CLI): what the panes show, read from the store and,
when asked, from the chain.

:class:`Views` answers with plain data (dataclasses and the core's pydantic models): the recent
blocks with their block times, one block (from the store, else from the node), the stored alerts
(list, acknowledge, one alert with its deliveries), a subnet's newest metagraph snapshot with the one
before and what changed between them and its validators' APY per epoch, a subnet's hyperparameters
(read from the chain, else the newest stored poll) with their change history, the backfill runs, and
the chain head and the subnets that exist there.

Two start-up helpers write, through the core's normal paths, so that the first screen is not emptier
than the chain: :meth:`Views.seed_recent_blocks` (on an empty store, one block through the pipeline,
so live mode's start-up gap fill stores the recent blocks) and :meth:`Views.snapshot_if_missing` (one
metagraph snapshot through ``take_snapshots``).

Chain reads go over one lazily opened connection, the UI's own (``chain()``); a read that failed
drops it (``drop_chain()``) and the next one reconnects. ``close()`` closes it. Nothing here blocks an
event loop: store reads run on the store's thread.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from .chain.client import ChainClient
from .chain.reads.hyperparams import read_hyperparams
from .chain.reads.subnets import subnets_at
from .errors import SentinelError
from .metagraph import Change, Metagraph, diff
from .model import Alert, Block, HyperparamChange, Severity
from .tasks import wait_for
from .units import block_time

if TYPE_CHECKING:
    from .service import Sentinel
    from .store import StoreAPI

APY_EPOCHS = 60
"""The APY series covers at most this many of the newest epoch snapshots."""
APY_CHUNK = 6
"""Epoch snapshots read per trip to the store's thread while building the APY series."""
APY_BLOCK_TIME = 12.0
"""Seconds per block for annualising (as ``sentinel-cli subnet apy`` by default)."""


class NotStarted(SentinelError):
    """The Sentinel core has no store yet (``await sentinel.start()`` first)."""


# -- what the read model answers ------------------------------------------------------------------------
@dataclass(frozen=True)
class BlockSummary:
    """One stored block, as the block list shows it."""

    number: int
    timestamp: int | None
    extrinsics: int
    failed: int
    events: int
    notable: list[str]
    block_time: float | None
    """Seconds since the block before, when that one is stored too."""


@dataclass(frozen=True)
class BlockLookup:
    """One block and where it came from (``store``, or ``node`` for a block the store lacks)."""

    block: Block | None
    source: Literal["store", "node"]


@dataclass(frozen=True)
class StoredHead:
    """The newest stored block (None in an empty store)."""

    number: int | None
    block: Block | None


@dataclass(frozen=True)
class AlertDetail:
    """One stored alert, whether it was acknowledged, and its delivery outbox rows."""

    alert_id: int
    alert: Alert
    acknowledged: bool
    deliveries: list[dict[str, Any]]


@dataclass(frozen=True)
class HyperparamReading:
    """A subnet's hyperparameters as read: from the chain (``source="chain"``), or, when the node
    could not be reached (``error`` names the exception), the newest stored poll (``source="store"``,
    None when there is none). ``values`` None with ``source="chain"``: the subnet does not exist at
    ``read_at``."""

    netuid: int
    values: dict[str, Any] | None
    read_at: int | None
    source: Literal["chain", "store"] | None
    error: str | None = None


@dataclass
class SubnetView:
    """What the Subnet pane shows of one subnet: its newest snapshot and the changes since the one
    before."""

    netuid: int
    latest: Metagraph | None = None
    previous_block: int | None = None
    changes: list[Change] = field(default_factory=list)


@dataclass(frozen=True)
class SnapshotIndex:
    """The netuids with metagraph snapshots, and the newest snapshot block of one of them."""

    netuids: list[int]
    netuid: int | None
    latest: int | None


@dataclass(frozen=True)
class ApySeries:
    """Validator APY per epoch of one subnet, per ``(uid, hotkey)``: ``[(block, apy), ...]`` ascending,
    from the epoch snapshots up to ``block``; ``epochs`` is how many epoch blocks it covers."""

    netuid: int
    block: int
    series: dict[tuple[int, str], list[tuple[int, float | None]]]
    epochs: int


@dataclass(frozen=True)
class BackfillOverview:
    """The first stored block (where a new backfill's range ends by default) and the newest runs."""

    first_stored: int | None
    runs: list[dict[str, Any]]


class Views:
    """The read model over ``sentinel`` (its store once started, its node when asked).

    ``store`` overrides the Sentinel's own store (a second backend, tests)."""

    def __init__(self, sentinel: Sentinel, store: StoreAPI | None = None) -> None:
        self.sentinel = sentinel
        self._store = store
        self._client: ChainClient | None = None
        self._lock: asyncio.Lock | None = None
        self._closing: set[asyncio.Task[None]] = set()

    @property
    def ready(self) -> bool:
        """Whether there is a store to read (the core has started)."""
        return (self._store or self.sentinel.store) is not None

    @property
    def store(self) -> StoreAPI:
        if self._store is not None:
            return self._store
        if not self.sentinel.started:
            raise NotStarted("the core is not started yet")
        return self.sentinel.store

    # -- the UI's chain connection --------------------------------------------------------------------
    async def chain(self) -> ChainClient:
        """One connection for the UI's own reads (head, hyperparameters, blocks not stored)."""
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if self._client is None:
                self._client = await self.sentinel.connect(timeout=15.0)
            return self._client

    def drop_chain(self) -> None:
        """Forget a connection that failed (closed in the background); the next read reconnects."""
        client, self._client = self._client, None
        if client is not None:
            task = asyncio.get_running_loop().create_task(self._close_quietly(client))
            self._closing.add(task)
            task.add_done_callback(self._closing.discard)

    @staticmethod
    async def _close_quietly(client: ChainClient) -> None:
        with contextlib.suppress(Exception):
            await client.close()

    async def close(self) -> None:
        """Close the UI's connection (and wait for dropped ones to be closed)."""
        client, self._client = self._client, None
        if client is not None:
            with contextlib.suppress(Exception):
                await wait_for(client.close(), 5)
        if self._closing:
            await asyncio.wait(set(self._closing), timeout=5)

    async def head(self) -> tuple[int, int]:
        """(best, finalized) block numbers at the node (a failure drops the connection and raises)."""
        try:
            client = await self.chain()
            best, _ = await client.head()
            finalized, _ = await client.finalized_head()
        except Exception:
            self.drop_chain()
            raise
        return best, finalized

    async def subnets(self) -> list[int]:
        """The netuids at the head; when the node cannot be reached, those the stored hyperparameter
        changes name."""
        try:
            client = await self.chain()
            _, head_hash = await client.head()
            return await subnets_at(client, head_hash)
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - fall back to the subnets the store has seen
            self.drop_chain()
            if not self.ready:
                return []
            changes = await self.store.hyperparam_history(limit=2000)
            return sorted({c.netuid for c in changes if c.netuid is not None})

    # -- blocks ---------------------------------------------------------------------------------------
    async def stored_head(self) -> StoredHead:
        store = self.store
        latest = await store.latest_block()
        return StoredHead(latest, await store.get_block(latest) if latest is not None else None)

    async def seed_recent_blocks(self, count: int) -> int | None:
        """On an empty store, store the block ``count`` below the node's head (through the pipeline,
        as a one-block backfill: its alerts are history). Live mode fills the gap from the newest
        stored block to the head when it starts, so it then stores the ``count`` recent blocks and
        the block flow shows them. Returns the block stored (None: the store has blocks, or nothing
        was stored); a failure drops the UI's connection and raises."""
        store = self.store
        if count <= 0 or await store.latest_block() is not None:
            return None
        sentinel = self.sentinel
        try:
            client = await self.chain()
            head, _ = await client.head()
            first = max(0, head - count)
            blocks = await client.fetch_blocks([first])
            await sentinel.pipeline.process(client, blocks, sentinel.engine, source="backfill")
        except asyncio.CancelledError:
            raise
        except Exception:
            self.drop_chain()
            raise
        return first

    async def recent_blocks(self, limit: int) -> list[BlockSummary]:
        """The newest ``limit`` stored blocks, oldest first, each with the time since the one before."""
        recent: list[dict[str, Any]] = await self.store.recent_blocks(limit)
        out: list[BlockSummary] = []
        prev: dict[str, Any] | None = None
        for r in reversed(recent):
            bt = None
            if (
                prev is not None
                and prev["number"] == r["number"] - 1
                and prev["timestamp"]
                and r["timestamp"]
            ):
                bt = block_time(prev["timestamp"], r["timestamp"])
            out.append(
                BlockSummary(
                    number=r["number"],
                    timestamp=r["timestamp"],
                    extrinsics=r["extrinsic_count"],
                    failed=r["failed_count"],
                    events=r["event_count"],
                    notable=r["notable"],
                    block_time=bt,
                )
            )
            prev = r
        return out

    async def block(self, number: int) -> BlockLookup:
        """Block ``number`` from the store, else from the node (raises when the node fails)."""
        block: Block | None = None
        if self.ready:
            block = await self.store.get_block(number)
        if block is not None:
            return BlockLookup(block, "store")
        client = await self.chain()
        return BlockLookup(await client.fetch_block(number=number), "node")

    # -- alerts ---------------------------------------------------------------------------------------
    async def alerts(
        self, *, severity: Severity | str | None = None, netuid: int | None = None, limit: int = 200
    ) -> list[tuple[int, Alert, bool]]:
        """``(id, alert, acknowledged)``, newest block first; ``severity`` means at least that level."""
        rows: list[tuple[int, Alert, bool]] = await self.store.list_alerts(
            severity=severity, netuid=netuid, limit=limit
        )
        return rows

    async def acknowledge(self, alert_id: int) -> bool:
        """Mark an alert acknowledged; False when there is no such alert."""
        done: bool = await self.store.acknowledge(alert_id)
        return done

    async def alert_detail(self, alert_id: int, *, search: int = 10_000) -> AlertDetail | None:
        """One alert (among the newest ``search``) with its delivery rows; None when not found."""
        for ident, alert, acked in await self.alerts(limit=search):
            if ident == alert_id:
                deliveries: list[dict[str, Any]] = await self.store.deliveries(alert_id)
                return AlertDetail(ident, alert, acked, deliveries)
        return None

    # -- hyperparameters ------------------------------------------------------------------------------
    async def hyperparams(
        self, netuid: int, block: int | None = None, *, chain: bool = True
    ) -> HyperparamReading:
        """``netuid``'s hyperparameters at ``block`` (None: the head): from the node when ``chain``
        (falling back to the newest stored poll at or before the block when the node fails), else
        from the stored polls only."""
        error: str | None = None
        if chain:
            try:
                client = await self.chain()
                if block is None:
                    read_at, block_hash = await client.head()
                else:
                    (found,) = await client.block_hashes([block])
                    if found is None:
                        raise SentinelError(f"block {block} is not known to the node")
                    read_at, block_hash = block, found
                values = (await read_hyperparams(client, [netuid], block_hash)).get(netuid)
                return HyperparamReading(netuid, values, read_at, "chain")
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - fall back to the store
                self.drop_chain()
                error = type(exc).__name__
        poll = await self._latest_poll(netuid, block) if self.ready else None
        if poll is None:
            return HyperparamReading(netuid, None, None, None, error)
        return HyperparamReading(netuid, poll[1], poll[0], "store", error)

    async def _latest_poll(self, netuid: int, at_or_before: int | None) -> tuple[int, dict[str, Any]] | None:
        poll: tuple[int, dict[str, Any]] | None = await self.store.latest_hyperparam_poll(
            netuid, at_or_before
        )
        return poll

    async def hyperparam_history(
        self, netuid: int | None = None, name: str | None = None, limit: int = 200
    ) -> list[HyperparamChange]:
        """Stored changes, newest first, optionally of one subnet and/or one parameter."""
        changes: list[HyperparamChange] = await self.store.hyperparam_history(
            netuid=netuid, name=name, limit=limit
        )
        return changes

    # -- subnets: metagraph snapshots -----------------------------------------------------------------
    async def snapshot_index(self, netuid: int | None) -> SnapshotIndex:
        """The netuids with snapshots, and the newest snapshot block of ``netuid`` (index probes only)."""
        store = self.store
        latest = None
        if netuid is not None:
            blocks = await store.recent_snapshot_blocks(netuid, 1)
            latest = blocks[-1] if blocks else None
        return SnapshotIndex(await store.snapshot_netuids(), netuid, latest)

    async def snapshot_if_missing(self, netuid: int) -> int | None:
        """Take a metagraph snapshot of ``netuid`` at the node's head when the store has none of it
        (``take_snapshots``: stored, and the snapshot rules see it), so the Subnet pane has one before
        the next epoch. Returns its block (None: one was stored already, or the subnet does not
        exist); a failure drops the UI's connection and raises."""
        from .ingest.snapshots import take_snapshots

        if await self.store.recent_snapshot_blocks(netuid, 1):
            return None
        try:
            client = await self.chain()
            number, block_hash = await client.head()
            mgs = await take_snapshots(self.sentinel, client, [netuid], number, block_hash)
        except asyncio.CancelledError:
            raise
        except Exception:
            self.drop_chain()
            raise
        return number if any(mg.exists for mg in mgs) else None

    async def subnet_view(self, netuid: int) -> SubnetView:
        """The newest snapshot of ``netuid`` and what changed since the previous one (as consecutive
        snapshots are compared everywhere)."""
        store = self.store
        blocks = await store.recent_snapshot_blocks(netuid, 2)
        if not blocks:
            return SubnetView(netuid)
        latest = await store.read_snapshot(netuid, blocks[-1])
        previous = await store.read_snapshot(netuid, blocks[0]) if len(blocks) > 1 else None
        changes: list[Change] = []
        if latest is not None and previous is not None:
            changes = diff(
                previous.rows if previous.exists else [],
                latest.rows if latest.exists else [],
                previous_owner=previous.owner_coldkey,
                owner=latest.owner_coldkey,
            )
        return SubnetView(netuid, latest, None if previous is None else previous.block, changes)

    async def apy_series(
        self,
        netuid: int,
        up_to: int,
        *,
        epochs: int = APY_EPOCHS,
        chunk: int = APY_CHUNK,
        seconds_per_block: float = APY_BLOCK_TIME,
        keep_going: Callable[[], bool] = lambda: True,
    ) -> ApySeries | None:
        """Validator APY per epoch over the newest ``epochs`` epoch snapshots up to ``up_to``, read
        ``chunk`` epochs per trip to the store's thread (which also writes live blocks); None when
        ``keep_going()`` turns false between two trips."""
        store = self.store
        blocks: list[int] = await store.recent_snapshot_blocks(netuid, epochs, point=0)
        blocks = [b for b in blocks if b <= up_to]
        series: dict[tuple[int, str], list[tuple[int, float | None]]] = {}
        for i in range(0, len(blocks), chunk):
            part = blocks[i : i + chunk]
            points: Sequence[Any] = await store.apy_series(
                netuid, part[0], part[-1], block_time=seconds_per_block
            )
            if not keep_going():
                return None
            for p in points:
                series.setdefault((p.uid, p.hotkey), []).append((p.block, p.apy))
        count = len({b for points_ in series.values() for b, _ in points_})
        return ApySeries(netuid, up_to, series, count)

    # -- backfill runs --------------------------------------------------------------------------------
    async def backfill_overview(self, limit: int = 10) -> BackfillOverview:
        store = self.store
        stats: dict[str, Any] = await store.stats()
        runs: list[dict[str, Any]] = await store.list_runs(limit)
        return BackfillOverview(stats.get("first_block"), runs)
