"""The store's interface, :class:`StoreAPI`: what the async core, the alerts and the dashboard call.

A backend implements it (the SQLite one is :class:`~sentinel_core.store.AsyncStore`; a PostgreSQL
one is planned). Its signatures hold only Sentinel's own types, plain Python values and the
:class:`~sentinel_core.store.blocks.BlockRows` row tuples, never a driver's types.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from ..metagraph import ApyPoint, Metagraph
from ..model import Alert, Block, HyperparamChange, Severity
from .blocks import BlockItem, BlockRows
from .snapshots import Neighbours


class StoreAPI(Protocol):
    """Sentinel's storage, asynchronous. Writing a block number again replaces it whole; alerts are
    deduplicated on their ``dedup_key`` and each new one enqueues one delivery per channel."""

    @property
    def path(self) -> str:
        """Where the data lives (a file path or a URL), for messages."""
        ...

    @property
    def readonly(self) -> bool: ...

    @property
    def closed(self) -> bool: ...

    async def close(self) -> None: ...

    # -- blocks ---------------------------------------------------------------------------------

    async def write_block(
        self, block: Block, changes: Iterable[HyperparamChange] = (), alerts: Iterable[Alert] = ()
    ) -> list[Alert]:
        """Store one block with its changes and alerts atomically; return the new alerts."""
        ...

    async def write_blocks(self, items: Iterable[BlockItem]) -> list[Alert]:
        """Store many blocks (with changes and alerts) in one transaction; return the new alerts."""
        ...

    async def write_rows(self, rows: BlockRows) -> list[Alert]:
        """Write what ``block_rows`` prepared in one transaction; return the new alerts."""
        ...

    async def mark_finalized(self, up_to: int) -> int:
        """Mark every stored block numbered <= ``up_to`` finalized; return how many changed."""
        ...

    async def get_block(self, number: int) -> Block | None: ...

    async def has_block(self, number: int) -> bool: ...

    async def block_hash(self, number: int) -> str | None: ...

    async def latest_block(self) -> int | None: ...

    async def present_numbers(self, start: int, end: int) -> set[int]: ...

    async def missing_in(self, start: int, end: int) -> list[tuple[int, int]]:
        """Inclusive ranges of numbers in [start, end] with no stored block, ascending."""
        ...

    async def gaps(self) -> list[tuple[int, int]]:
        """Holes between the lowest and the highest stored block."""
        ...

    async def stats(self) -> dict[str, Any]:
        """Totals for status displays (first_block, last_block, blocks, gaps, alerts, ...)."""
        ...

    async def recent_blocks(self, limit: int = 50) -> list[dict[str, Any]]:
        """Block summaries, newest first."""
        ...

    # -- alerts and the delivery outbox ---------------------------------------------------------

    async def write_alerts(self, alerts: Iterable[Alert]) -> list[Alert]:
        """Insert alerts outside a block write (dedup on ``dedup_key``); return the new ones."""
        ...

    async def list_alerts(
        self,
        since_block: int | None = None,
        since_time: float | None = None,
        rule: str | None = None,
        severity: Severity | str | None = None,
        netuid: int | None = None,
        limit: int = 200,
    ) -> list[tuple[int, Alert, bool]]:
        """(id, alert, acknowledged), newest block first; ``severity`` means at least that level."""
        ...

    async def acknowledge(self, alert_id: int) -> bool: ...

    async def alert_exists(self, dedup_key: str) -> bool: ...

    async def due_deliveries(self, now: float, limit: int = 100) -> list[dict[str, Any]]:
        """Pending deliveries due at ``now`` (oldest due first), each with its ``alert``."""
        ...

    async def mark_delivered(self, delivery_id: int) -> bool: ...

    async def mark_retry(self, delivery_id: int, next_attempt_at: float, error: str) -> bool: ...

    async def mark_failed(self, delivery_id: int, error: str) -> bool: ...

    async def pending_deliveries_count(self) -> int: ...

    async def deliveries(self, alert_id: int | None = None) -> list[dict[str, Any]]: ...

    # -- hyperparameters ------------------------------------------------------------------------

    async def write_changes(self, changes: Iterable[HyperparamChange]) -> None: ...

    async def hyperparam_history(
        self, netuid: int | None = None, name: str | None = None, limit: int = 200
    ) -> list[HyperparamChange]:
        """Stored changes, newest first, optionally for one subnet and/or one parameter."""
        ...

    async def write_hyperparam_poll(self, block: int, netuid: int, values: dict[str, Any]) -> None: ...

    async def latest_hyperparam_poll(
        self, netuid: int, at_or_before: int | None = None
    ) -> tuple[int, dict[str, Any]] | None:
        """(block, values) of the newest poll of ``netuid`` at or before the given block."""
        ...

    # -- metagraph snapshots --------------------------------------------------------------------

    async def write_snapshots(
        self, snapshots: Sequence[Metagraph], points: Sequence[int] | int = 0, *, unchecked: bool = False
    ) -> int: ...

    async def write_snapshots_and_neighbours(
        self, snapshots: Sequence[Metagraph], points: Sequence[int] | int = 0, *, unchecked: bool = False
    ) -> list[Neighbours]:
        """Store ``snapshots``, then return each one's stored neighbours ``(netuid, block, before,
        after)`` with nothing written in between (one transaction's view)."""
        ...

    async def unchecked_neighbours(self) -> list[Neighbours]:
        """The snapshots the snapshot rules have yet to see, with their stored neighbours."""
        ...

    async def unchecked_snapshots(self) -> list[tuple[int, int]]: ...

    async def mark_checked(self, keys: Sequence[tuple[int, int]] | None) -> None: ...

    async def read_snapshot(self, netuid: int, block: int) -> Metagraph | None: ...

    async def read_snapshot_raw(
        self, netuid: int, block: int, *, neurons: bool = True
    ) -> Metagraph | None: ...

    async def snapshot_blocks(
        self, netuid: int, start: int | None = None, end: int | None = None, *, point: int | None = None
    ) -> list[int]: ...

    async def taken(self, pairs: Iterable[tuple[int, int]]) -> set[tuple[int, int]]: ...

    async def recent_snapshot_blocks(
        self, netuid: int, limit: int, *, point: int | None = None
    ) -> list[int]: ...

    async def snapshot_netuids(self) -> list[int]: ...

    async def adjacent_snapshot_blocks(self, netuid: int, block: int) -> tuple[int | None, int | None]: ...

    async def snapshot_changes(
        self, netuid: int, start: int | None = None, end: int | None = None, *, point: int | None = None
    ) -> list[dict[str, Any]]: ...

    async def apy_series(
        self, netuid: int, start: int | None = None, end: int | None = None, *, block_time: float = 12.0
    ) -> list[ApyPoint]: ...

    # -- backfill runs --------------------------------------------------------------------------

    async def start_run(self, mode: str, start: int, end: int) -> int: ...

    async def update_run(self, run_id: int, blocks_done: int) -> None: ...

    async def finish_run(self, run_id: int, status: str) -> None: ...

    async def list_runs(self, limit: int = 20, status: str | None = None) -> list[dict[str, Any]]:
        """Runs, newest first; only those with ``status`` when given. A run whose process was killed
        is ``interrupted`` (marked so when the next writer opens the store)."""
        ...

    async def run_counts(self) -> dict[str, int]:
        """How many runs have each status (``{"done": 12, "interrupted": 1}``)."""
        ...

    # -- meta -----------------------------------------------------------------------------------

    async def get_meta(self, key: str, default: str | None = None) -> str | None: ...

    async def set_meta(self, key: str, value: Any) -> None: ...
