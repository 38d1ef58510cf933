"""Subnet hyperparameters read from the chain at any block.

Hyperparameters are read through the newest call the block's own runtime declares:
``SubnetInfoRuntimeApi.get_subnet_hyperparams_v3`` (a list of ``{name, value}``), else ``_v2``,
else ``get_subnet_hyperparams``, else the ``SubtensorModule`` storage maps. Reads for many subnets
travel in one JSON-RPC batch frame.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ... import hyperparams as hp
from ..client import ChainClient, RpcError
from .subnets import runtime_at

API = "SubnetInfoRuntimeApi"
HYPERPARAM_METHODS = ("get_subnet_hyperparams_v3", "get_subnet_hyperparams_v2", "get_subnet_hyperparams")
# Storage fallback: canonical name -> SubtensorModule storage map keyed by netuid.
_STORAGE_FALLBACK = {
    name: spec.storage for name, spec in hp.TABLE.items() if spec.storage and spec.per_subnet
}


def declared_method(runtime: Any) -> str | None:
    """The newest hyperparameter runtime-API method this runtime declares, or None."""
    if getattr(runtime, "metadata_v15", None) is None:
        return None
    methods = runtime.runtime_api_map.get(API, {})
    return next((m for m in HYPERPARAM_METHODS if m in methods), None)


async def read_hyperparams(
    client: ChainClient, netuids: Sequence[int], block_hash: str, *, runtime: Any = None
) -> dict[int, dict[str, Any] | None]:
    """Raw hyperparameters per netuid at ``block_hash`` (None for a subnet that does not exist)."""
    (out,) = await read_hyperparams_at(client, netuids, [(block_hash, runtime)])
    return out


async def read_hyperparams_at(
    client: ChainClient, netuids: Sequence[int], points: Sequence[tuple[str, Any]]
) -> list[dict[int, dict[str, Any] | None]]:
    """Hyperparameters of ``netuids`` at several blocks ``(hash, runtime or None)``: one batch frame.

    A known runtime (the one in force at that block) saves the round trips that finding it costs.
    """
    if not netuids:
        return [{} for _ in points]
    resolved = []
    for block_hash, runtime in points:
        if runtime is None:
            runtime = await runtime_at(client, block_hash)
        resolved.append((block_hash, runtime, declared_method(runtime)))
    declared = [(h, r, method) for h, r, method in resolved if method is not None]
    if len(declared) < len(resolved):
        return [await _read_storage(client, netuids, h) for h, _, _ in resolved]
    calls: list[tuple[str, list[Any]]] = []
    decoders: list[tuple[Any, str, str]] = []
    for block_hash, runtime, method in declared:
        definition = runtime.runtime_api_map[API][method]
        encoder = runtime.runtime_config.create_scale_object(f"scale_info::{definition['inputs'][0]['ty']}")
        for n in netuids:
            calls.append(
                ("state_call", [f"{API}_{method}", "0x" + bytes(encoder.encode(n).data).hex(), block_hash])
            )
            decoders.append((runtime, f"scale_info::{definition['output']}", method))
    results = await client.batch(calls)
    out: list[dict[int, dict[str, Any] | None]] = []
    for i in range(len(resolved)):
        values: dict[int, dict[str, Any] | None] = {}
        for j, n in enumerate(netuids):
            k = i * len(netuids) + j
            result, (runtime, type_string, method) = results[k], decoders[k]
            if isinstance(result, RpcError):
                raise result
            (value,) = runtime.runtime_config.batch_decode([type_string], [bytes.fromhex(result[2:])])
            if value is None:
                values[n] = None
            else:
                values[n] = hp.from_v3(value) if method.endswith("_v3") else hp.from_v2(value)
        out.append(values)
    return out


async def _read_storage(
    client: ChainClient, netuids: Sequence[int], block_hash: str
) -> dict[int, dict[str, Any] | None]:
    sub = client.sub
    runtime = await runtime_at(client, block_hash)
    pallet = runtime.metadata.get_metadata_pallet("SubtensorModule")
    names = [(name, item) for name, item in _STORAGE_FALLBACK.items() if pallet.get_storage_function(item)]
    keys = []
    async with client.library(
        "storage of the SubtensorModule hyperparameters (state_queryStorageAt)", block_hash
    ):
        for n in netuids:
            keys.append(
                await sub.create_storage_key("SubtensorModule", "NetworksAdded", [n], block_hash=block_hash)
            )
            for _, item in names:
                keys.append(await sub.create_storage_key("SubtensorModule", item, [n], block_hash=block_hash))
        pairs: list[tuple[Any, Any]] = await sub.query_multi(keys, block_hash=block_hash)
    values = [v.value if hasattr(v, "value") else v for _, v in pairs]
    out: dict[int, dict[str, Any] | None] = {}
    per = len(names) + 1
    for i, n in enumerate(netuids):
        chunk = values[i * per : (i + 1) * per]
        if not chunk or not chunk[0]:
            out[n] = None
            continue
        out[n] = {name: val for (name, _), val in zip(names, chunk[1:])}
    return out
