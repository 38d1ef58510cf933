"""The SQLite backend: :class:`Store` (synchronous, one thread at a time) and :class:`AsyncStore`.

``Store`` is assembled from the areas' classes (blocks, alerts and outbox, hyperparameters,
metagraph snapshots, backfill runs, meta) over one :class:`~.connection.Connection`; the CLI uses it
directly. ``AsyncStore`` runs the same methods on the one writer thread, as explicit coroutines
(it satisfies :class:`~.api.StoreAPI`), so the async core never blocks its event loop.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Concatenate, ParamSpec, TypeVar

from ..metagraph import ApyPoint, Metagraph
from ..model import Alert, Block, HyperparamChange, Severity
from .alerts import AlertsStore
from .api import StoreAPI
from .blocks import BlockItem, BlockRows, BlocksStore
from .connection import StoreError, WriterThread
from .hyperparams import HyperparamsStore
from .meta import MetaStore
from .runs import RunsStore
from .snapshots import Neighbours, SnapshotsStore

P = ParamSpec("P")
R = TypeVar("R")


class Store(BlocksStore, AlertsStore, HyperparamsStore, SnapshotsStore, RunsStore, MetaStore):
    """The SQLite store. Not thread-safe: use it from one thread at a time (``AsyncStore`` does)."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncStore:
    """A Store driven from asyncio: every public Store method as a coroutine of the same name, run on
    one dedicated thread (where the sqlite connection is also created)."""

    def __init__(self, store: Store, thread: WriterThread) -> None:
        """Use ``await AsyncStore.open(path)``; ``store`` must have been created on ``thread``."""
        self._store = store
        self._thread = thread

    @classmethod
    async def open(
        cls, path: str | os.PathLike[str], readonly: bool = False, *, delegated: bool = False
    ) -> AsyncStore:
        """Open ``path`` (``delegated``: as a child process of the writer, under its lock)."""
        thread = WriterThread(str(path))
        try:
            store = await thread.call(Store, path, readonly=readonly, delegated=delegated)
        except BaseException:
            thread.shutdown(wait=False)
            raise
        return cls(store, thread)

    @property
    def path(self) -> str:
        return self._store.path

    @property
    def readonly(self) -> bool:
        return self._store.readonly

    @property
    def closed(self) -> bool:
        return self._store.closed

    async def close(self) -> None:
        if self._thread.closed:
            return
        try:
            await self._thread.call(self._store.close)
        finally:
            self._thread.shutdown(wait=True)

    async def __aenter__(self) -> AsyncStore:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # -- several steps on the store's thread ----------------------------------------------------

    async def read(self, fn: Callable[Concatenate[Store, P], R], /, *args: P.args, **kwargs: P.kwargs) -> R:
        """``fn(store, *args, **kwargs)`` on the store's thread: several reads with nothing written
        in between. SQLite only (not in :class:`~.api.StoreAPI`)."""
        return await self._thread.call(fn, self._store, *args, **kwargs)

    async def write(self, fn: Callable[Concatenate[Store, P], R], /, *args: P.args, **kwargs: P.kwargs) -> R:
        """``fn(store, *args, **kwargs)`` on the store's thread, where nothing else writes in between
        its steps. SQLite only (not in :class:`~.api.StoreAPI`)."""
        if self._store.readonly:
            raise StoreError(f"cannot write to {self._store.path}: it was opened read-only")
        return await self._thread.call(fn, self._store, *args, **kwargs)

    async def quick_check(self, seconds: float | None = None) -> str | None:
        """The first problem ``PRAGMA quick_check`` finds in the file, None when none (see
        :meth:`Store.quick_check`). SQLite only (not in :class:`~.api.StoreAPI`)."""
        return await self._thread.call(self._store.quick_check, seconds)

    # -- blocks ---------------------------------------------------------------------------------

    async def write_block(
        self, block: Block, changes: Iterable[HyperparamChange] = (), alerts: Iterable[Alert] = ()
    ) -> list[Alert]:
        return await self._thread.call(self._store.write_block, block, changes, alerts)

    async def write_blocks(self, items: Iterable[BlockItem]) -> list[Alert]:
        return await self._thread.call(self._store.write_blocks, items)

    async def write_rows(self, rows: BlockRows) -> list[Alert]:
        return await self._thread.call(self._store.write_rows, rows)

    async def mark_finalized(self, up_to: int) -> int:
        return await self._thread.call(self._store.mark_finalized, up_to)

    async def get_block(self, number: int) -> Block | None:
        return await self._thread.call(self._store.get_block, number)

    async def has_block(self, number: int) -> bool:
        return await self._thread.call(self._store.has_block, number)

    async def block_hash(self, number: int) -> str | None:
        return await self._thread.call(self._store.block_hash, number)

    async def latest_block(self) -> int | None:
        return await self._thread.call(self._store.latest_block)

    async def present_numbers(self, start: int, end: int) -> set[int]:
        return await self._thread.call(self._store.present_numbers, start, end)

    async def missing_in(self, start: int, end: int) -> list[tuple[int, int]]:
        return await self._thread.call(self._store.missing_in, start, end)

    async def gaps(self) -> list[tuple[int, int]]:
        return await self._thread.call(self._store.gaps)

    async def stats(self) -> dict[str, Any]:
        return await self._thread.call(self._store.stats)

    async def recent_blocks(self, limit: int = 50) -> list[dict[str, Any]]:
        return await self._thread.call(self._store.recent_blocks, limit)

    # -- alerts and the delivery outbox ---------------------------------------------------------

    async def write_alerts(self, alerts: Iterable[Alert]) -> list[Alert]:
        return await self._thread.call(self._store.write_alerts, alerts)

    async def list_alerts(
        self,
        since_block: int | None = None,
        since_time: float | None = None,
        rule: str | None = None,
        severity: Severity | str | None = None,
        netuid: int | None = None,
        limit: int = 200,
    ) -> list[tuple[int, Alert, bool]]:
        return await self._thread.call(
            self._store.list_alerts, since_block, since_time, rule, severity, netuid, limit
        )

    async def acknowledge(self, alert_id: int) -> bool:
        return await self._thread.call(self._store.acknowledge, alert_id)

    async def alert_exists(self, dedup_key: str) -> bool:
        return await self._thread.call(self._store.alert_exists, dedup_key)

    async def due_deliveries(self, now: float, limit: int = 100) -> list[dict[str, Any]]:
        return await self._thread.call(self._store.due_deliveries, now, limit)

    async def mark_delivered(self, delivery_id: int) -> bool:
        return await self._thread.call(self._store.mark_delivered, delivery_id)

    async def mark_retry(self, delivery_id: int, next_attempt_at: float, error: str) -> bool:
        return await self._thread.call(self._store.mark_retry, delivery_id, next_attempt_at, error)

    async def mark_failed(self, delivery_id: int, error: str) -> bool:
        return await self._thread.call(self._store.mark_failed, delivery_id, error)

    async def pending_deliveries_count(self) -> int:
        return await self._thread.call(self._store.pending_deliveries_count)

    async def deliveries(self, alert_id: int | None = None) -> list[dict[str, Any]]:
        return await self._thread.call(self._store.deliveries, alert_id)

    # -- hyperparameters ------------------------------------------------------------------------

    async def write_changes(self, changes: Iterable[HyperparamChange]) -> None:
        await self._thread.call(self._store.write_changes, changes)

    async def hyperparam_history(
        self, netuid: int | None = None, name: str | None = None, limit: int = 200
    ) -> list[HyperparamChange]:
        return await self._thread.call(self._store.hyperparam_history, netuid, name, limit)

    async def write_hyperparam_poll(self, block: int, netuid: int, values: dict[str, Any]) -> None:
        await self._thread.call(self._store.write_hyperparam_poll, block, netuid, values)

    async def latest_hyperparam_poll(
        self, netuid: int, at_or_before: int | None = None
    ) -> tuple[int, dict[str, Any]] | None:
        return await self._thread.call(self._store.latest_hyperparam_poll, netuid, at_or_before)

    # -- metagraph snapshots --------------------------------------------------------------------

    async def write_snapshots(
        self, snapshots: Sequence[Metagraph], points: Sequence[int] | int = 0, *, unchecked: bool = False
    ) -> int:
        return await self._thread.call(self._store.write_snapshots, snapshots, points, unchecked=unchecked)

    async def write_snapshots_and_neighbours(
        self, snapshots: Sequence[Metagraph], points: Sequence[int] | int = 0, *, unchecked: bool = False
    ) -> list[Neighbours]:
        return await self._thread.call(
            self._store.write_snapshots_and_neighbours, snapshots, points, unchecked=unchecked
        )

    async def unchecked_neighbours(self) -> list[Neighbours]:
        return await self._thread.call(self._store.unchecked_neighbours)

    async def unchecked_snapshots(self) -> list[tuple[int, int]]:
        return await self._thread.call(self._store.unchecked_snapshots)

    async def mark_checked(self, keys: Sequence[tuple[int, int]] | None) -> None:
        await self._thread.call(self._store.mark_checked, keys)

    async def read_snapshot(self, netuid: int, block: int) -> Metagraph | None:
        return await self._thread.call(self._store.read_snapshot, netuid, block)

    async def read_snapshot_raw(self, netuid: int, block: int, *, neurons: bool = True) -> Metagraph | None:
        return await self._thread.call(self._store.read_snapshot_raw, netuid, block, neurons=neurons)

    async def snapshot_blocks(
        self, netuid: int, start: int | None = None, end: int | None = None, *, point: int | None = None
    ) -> list[int]:
        return await self._thread.call(self._store.snapshot_blocks, netuid, start, end, point=point)

    async def taken(self, pairs: Iterable[tuple[int, int]]) -> set[tuple[int, int]]:
        return await self._thread.call(self._store.taken, pairs)

    async def recent_snapshot_blocks(self, netuid: int, limit: int, *, point: int | None = None) -> list[int]:
        return await self._thread.call(self._store.recent_snapshot_blocks, netuid, limit, point=point)

    async def snapshot_netuids(self) -> list[int]:
        return await self._thread.call(self._store.snapshot_netuids)

    async def adjacent_snapshot_blocks(self, netuid: int, block: int) -> tuple[int | None, int | None]:
        return await self._thread.call(self._store.adjacent_snapshot_blocks, netuid, block)

    async def snapshot_changes(
        self, netuid: int, start: int | None = None, end: int | None = None, *, point: int | None = None
    ) -> list[dict[str, Any]]:
        return await self._thread.call(self._store.snapshot_changes, netuid, start, end, point=point)

    async def apy_series(
        self, netuid: int, start: int | None = None, end: int | None = None, *, block_time: float = 12.0
    ) -> list[ApyPoint]:
        return await self._thread.call(self._store.apy_series, netuid, start, end, block_time=block_time)

    # -- backfill runs --------------------------------------------------------------------------

    async def start_run(self, mode: str, start: int, end: int) -> int:
        return await self._thread.call(self._store.start_run, mode, start, end)

    async def update_run(self, run_id: int, blocks_done: int) -> None:
        await self._thread.call(self._store.update_run, run_id, blocks_done)

    async def finish_run(self, run_id: int, status: str) -> None:
        await self._thread.call(self._store.finish_run, run_id, status)

    async def list_runs(self, limit: int = 20, status: str | None = None) -> list[dict[str, Any]]:
        return await self._thread.call(self._store.list_runs, limit, status)

    async def run_counts(self) -> dict[str, int]:
        return await self._thread.call(self._store.run_counts)

    # -- meta -----------------------------------------------------------------------------------

    async def get_meta(self, key: str, default: str | None = None) -> str | None:
        return await self._thread.call(self._store.get_meta, key, default)

    async def set_meta(self, key: str, value: Any) -> None:
        await self._thread.call(self._store.set_meta, key, value)


_check: type[StoreAPI] = AsyncStore
"""mypy proves here that AsyncStore implements the store's interface."""
