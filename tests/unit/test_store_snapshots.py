"""Store: metagraph snapshots with their stored neighbours, and AsyncStore's own-thread helpers."""

from __future__ import annotations

import threading

import pytest

from sentinel_core.metagraph import Metagraph
from sentinel_core.store import AsyncStore, Store, StoreError


def mg(netuid: int, block: int) -> Metagraph:
    return Metagraph(
        netuid=netuid, block=block, block_hash=f"0x{block:x}", method="get_metagraph", exists=False
    )


def test_write_snapshots_and_neighbours(tmp_path):
    with Store(tmp_path / "s.db") as store:
        assert store.write_snapshots_and_neighbours([mg(1, 100)], unchecked=True) == [(1, 100, None, None)]
        got = store.write_snapshots_and_neighbours([mg(1, 300), mg(2, 300), mg(1, 200)], unchecked=True)
        assert got == [(1, 300, 200, None), (2, 300, None, None), (1, 200, 100, 300)]
        assert store.unchecked_neighbours() == [
            (1, 100, None, 200),
            (1, 200, 100, 300),
            (1, 300, 200, None),
            (2, 300, None, None),
        ]
        store.mark_checked([(1, 100), (2, 300)])
        assert store.unchecked_neighbours() == [(1, 200, 100, 300), (1, 300, 200, None)]
        store.mark_checked(None)
        assert store.unchecked_neighbours() == []


async def test_async_snapshots_and_own_thread_helpers(tmp_path):
    path = tmp_path / "a.db"
    async with await AsyncStore.open(path) as store:
        assert await store.write_snapshots_and_neighbours([mg(1, 10), mg(1, 20)], unchecked=True) == [
            (1, 10, None, 20),
            (1, 20, 10, None),
        ]
        assert await store.unchecked_neighbours() == [(1, 10, None, 20), (1, 20, 10, None)]
        assert await store.snapshot_blocks(1) == [10, 20]
        assert await store.read(lambda s, n: s.snapshot_blocks(n), 1) == [10, 20]
        thread = await store.read(lambda _: threading.get_ident())
        assert thread != threading.get_ident()
        assert await store.write(lambda s, k: s.set_meta(k, "v") or threading.get_ident(), "k") == thread
        assert await store.get_meta("k") == "v"
    async with await AsyncStore.open(path, readonly=True) as ro:
        assert await ro.read_snapshot(1, 20) is not None
        with pytest.raises(StoreError, match="read-only"):
            await ro.write(lambda s: s.set_meta("k", "w"))
    with pytest.raises(StoreError, match="closed"):
        await ro.read(lambda s: s.latest_block())
