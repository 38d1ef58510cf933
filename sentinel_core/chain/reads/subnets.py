"""Subnets and runtimes read from the chain: which subnets exist at a block, their tempos, and the
runtime (object and version) in force at a block."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..client import ChainClient, RpcError


async def runtime_at(client: ChainClient, block_hash: str) -> Any:
    """The library's runtime object in force at ``block_hash``."""
    async with client.library("loading the runtime (state_getRuntimeVersion, metadata)", block_hash):
        return await client.sub.init_runtime(block_hash=block_hash)


async def subnets_at(client: ChainClient, block_hash: str) -> list[int]:
    """Netuids that exist at ``block_hash`` (``SubtensorModule.NetworksAdded``)."""
    runtime = await runtime_at(client, block_hash)
    out = []
    async with client.library("storage SubtensorModule.NetworksAdded (state_getKeysPaged)", block_hash):
        async for key, value in await client.sub.query_map(
            "SubtensorModule", "NetworksAdded", block_hash=block_hash, page_size=1000
        ):
            if value.value if hasattr(value, "value") else value:
                out.append(int(key.value if hasattr(key, "value") else key))
    del runtime
    return sorted(out)


async def runtime_version(client: ChainClient, block_hash: str) -> dict[str, Any]:
    return await client.runtime_version(block_hash)


async def read_tempos(
    client: ChainClient, netuids: Sequence[int], block_hashes: Sequence[str]
) -> list[dict[int, int | None]]:
    """``SubtensorModule.Tempo`` of each netuid after each block (None where the subnet does not
    exist), all in one ``state_queryStorageAt`` per runtime."""
    if not block_hashes:
        return []
    sub = client.sub
    out: list[dict[int, int | None]] = []
    calls = []
    key_sets = []
    for h in block_hashes:
        keys = []
        async with client.library("storage keys of SubtensorModule.Tempo", h):
            for n in netuids:
                keys.append(
                    await sub.create_storage_key("SubtensorModule", "NetworksAdded", [n], block_hash=h)
                )
                keys.append(await sub.create_storage_key("SubtensorModule", "Tempo", [n], block_hash=h))
        key_sets.append(keys)
        calls.append(("state_queryStorageAt", [[k.to_hex() for k in keys], h]))
    results = await client.batch(calls)
    for keys, result in zip(key_sets, results):
        if isinstance(result, RpcError):
            raise result
        changes = {k: v for k, v in (result[0]["changes"] if result else [])}
        values: dict[int, int | None] = {}
        for i, n in enumerate(netuids):
            added = changes.get(keys[2 * i].to_hex())
            tempo = changes.get(keys[2 * i + 1].to_hex())
            if not added or added == "0x00":
                values[n] = None
            else:
                values[n] = int.from_bytes(bytes.fromhex(tempo[2:]), "little") if tempo else 360
        out.append(values)
    return out
