"""Metagraphs read from the chain: per subnet at any block, many in one batch frame, and the
one-line summaries of every subnet.

A metagraph is read through the newest call the block's own runtime declares:
``SubnetInfoRuntimeApi.get_metagraph(netuid)`` (one call, the whole subnet), else
``NeuronInfoRuntimeApi.get_neurons_lite(netuid)``. Reads for many subnets (and many blocks) travel as
``state_call`` requests in one JSON-RPC batch frame and are decoded with the codec's compiled value
decoder for the runtime's output type (about 25x faster than the library's generic decode), so a
256-neuron metagraph costs one round trip and ~2 ms of decoding. Weights and bonds are not part of
either call: when asked (``lite=False``) they come from the ``SubtensorModule.Weights``/``Bonds``
storage maps, where the runtime has them. What the values mean, and the models they become, are in
:mod:`sentinel_core.metagraph`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any, cast

from ...metagraph import (
    SUMMARY_INDEXES,
    Metagraph,
    SubnetSummary,
    metagraph_from_value,
    summary_from_metagraph,
    summary_from_selective,
)
from ..client import ChainClient, ChainError, RpcError, header_number

METAGRAPH_API = "SubnetInfoRuntimeApi"
NEURON_API = "NeuronInfoRuntimeApi"
# (api, method) in order of preference: the newest declared one is used.
METAGRAPH_METHODS: tuple[tuple[str, str], ...] = (
    (METAGRAPH_API, "get_metagraph"),
    (NEURON_API, "get_neurons_lite"),
)


class MetagraphUnavailable(ChainError):
    """The runtime at a block declares none of the metagraph calls (retrying will not help)."""


class _Codec:
    """Per runtime: the metagraph call it declares and the compiled decoder of its output."""

    def __init__(self, runtime: Any) -> None:
        self.runtime = runtime
        self.api: str | None = None
        self.method: str | None = None
        self.decoder: Any = None
        self.type_string: str | None = None
        if getattr(runtime, "metadata_v15", None) is None:
            return
        api_map = runtime.runtime_api_map
        for api, method in METAGRAPH_METHODS:
            definition = api_map.get(api, {}).get(method)
            if definition is not None:
                self.api, self.method = api, method
                self.type_string = f"scale_info::{definition['output']}"
                try:
                    self.decoder = runtime.runtime_config.get_value_decoder(self.type_string)
                except Exception:  # noqa: BLE001 - fall back to the generic decoder
                    self.decoder = None
                break

    def decode(self, raw: bytes) -> Any:
        if self.decoder is not None:
            value, offset = self.decoder.decode_at(raw, 0)
            if offset == len(raw):
                return value
        (value,) = self.runtime.runtime_config.batch_decode([self.type_string], [raw])
        return value


async def _versions(client: ChainClient, hashes: Sequence[str]) -> dict[str, int]:
    """Spec version of the runtime at each block hash (one batch frame for the unknown ones)."""
    known = client.block_versions
    unknown = sorted({h for h in hashes if h not in known})
    if unknown:
        results = await client.batch([("state_getRuntimeVersion", [h]) for h in unknown])
        for h, r in zip(unknown, results):
            if isinstance(r, RpcError):
                raise r
            known[h] = r["specVersion"]
    return {h: known[h] for h in hashes}


async def _codec(client: ChainClient, spec_version: int, block_hash: str) -> _Codec:
    """The metagraph codec of runtime ``spec_version`` (built once per runtime, kept by the registry)."""
    await client.runtime(spec_version, block_hash)
    return client.runtimes.derived(spec_version, "metagraph", _Codec)


async def read_metagraphs(
    client: ChainClient,
    requests: Sequence[tuple[int, int, str]],
    *,
    lite: bool = True,
    build_rows: bool = True,
) -> list[Metagraph]:
    """Metagraphs for ``(netuid, block_number, block_hash)`` requests: two batch frames in all (runtime
    versions, then every ``state_call``), decoded with each block's own runtime.

    ``lite=False`` adds weights and bonds from storage where the runtime has them."""
    if not requests:
        return []
    versions = await _versions(client, [h for _, _, h in requests])
    codecs: dict[str, _Codec] = {}
    for _, _, h in requests:
        if h not in codecs:
            codecs[h] = await _codec(client, versions[h], h)
    calls: list[tuple[str, list[Any]]] = []
    methods: list[str] = []
    for netuid, number, h in requests:
        codec = codecs[h]
        if codec.method is None:
            raise MetagraphUnavailable(
                f"the runtime at block {number} (spec {versions[h]}) declares no metagraph call "
                "(SubnetInfoRuntimeApi.get_metagraph or NeuronInfoRuntimeApi.get_neurons_lite)"
            )
        calls.append(
            ("state_call", [f"{codec.api}_{codec.method}", "0x" + netuid.to_bytes(2, "little").hex(), h])
        )
        methods.append(codec.method)
    results = await client.batch(calls)
    out = []
    for (netuid, number, h), method, result in zip(requests, methods, results):
        codec = codecs[h]
        if isinstance(result, RpcError):
            raise result.at_block(number)
        value = codec.decode(bytes.fromhex(result[2:])) if result and result != "0x" else None
        out.append(metagraph_from_value(method, value, netuid, number, h, build_rows=build_rows or not lite))
    if not lite:
        await asyncio.gather(*(_add_weights(client, mg) for mg in out if mg.exists))
    return out


async def read_metagraph(
    client: ChainClient, netuid: int, block_hash: str, lite: bool = False, block_number: int | None = None
) -> Metagraph:
    """``netuid``'s metagraph at ``block_hash`` (``exists`` False when the subnet is not there)."""
    if block_number is None:
        header = await client.header(block_hash)
        if header is None:
            raise ChainError(f"no block with hash {block_hash}")
        n = header["number"]
        block_number = int(n, 16) if isinstance(n, str) else int(n)
    (mg,) = await read_metagraphs(client, [(netuid, block_number, block_hash)], lite=lite)
    return mg


async def _add_weights(client: ChainClient, mg: Metagraph) -> None:
    """Weights and bonds per uid from ``SubtensorModule.Weights``/``Bonds`` (when the runtime has them;
    a uid with no stored row has the storage default, the empty list)."""
    sub = client.sub
    async with client.library("loading the runtime", mg.block):
        runtime = await sub.init_runtime(block_hash=mg.block_hash)
    pallet = runtime.metadata.get_metadata_pallet("SubtensorModule")
    rows = mg.by_uid()
    for item, attr in (("Weights", "weights"), ("Bonds", "bonds")):
        if pallet is None or pallet.get_storage_function(item) is None:
            continue
        for row in rows.values():
            setattr(row, attr, [])
        async with client.library(f"storage SubtensorModule.{item} (state_getKeysPaged)", mg.block):
            result = await sub.query_map(
                "SubtensorModule", item, [mg.netuid], block_hash=mg.block_hash, page_size=1000
            )
            async for key, value in result:
                uid = int(key.value if hasattr(key, "value") else key)
                v = value.value if hasattr(value, "value") else value
                if uid in rows:
                    setattr(rows[uid], attr, [(int(a), int(b)) for a, b in v or []])


async def read_all_summaries(
    client: ChainClient, netuids: Sequence[int], block_hash: str
) -> list[SubnetSummary]:
    """One line per subnet (neurons, total stake, owner, tempo) from one batched round trip:
    ``get_selective_metagraph`` with the summary fields where declared, else the full calls."""
    if not netuids:
        return []
    async with client.library("loading the runtime", block_hash):
        runtime = await client.sub.init_runtime(block_hash=block_hash)
    api_map = runtime.runtime_api_map if getattr(runtime, "metadata_v15", None) is not None else {}
    if "get_selective_metagraph" in api_map.get(METAGRAPH_API, {}):
        async with client.library(f"state_call {METAGRAPH_API}_get_selective_metagraph", block_hash):
            try:
                values = await client.sub.runtime_calls(
                    [(METAGRAPH_API, "get_selective_metagraph", [n, list(SUMMARY_INDEXES)]) for n in netuids],
                    block_hash=block_hash,
                )
            except (NotImplementedError, ValueError):
                # The library cannot encode or decode this runtime's call: the full metagraph calls do.
                values = None
        if values is not None:
            return [
                summary_from_selective(n, cast("dict[str, Any]", v))
                for n, v in zip(netuids, values)
                if v is not None
            ]
    number = header_number(await client.header(block_hash))
    mgs = await read_metagraphs(client, [(n, number, block_hash) for n in netuids])
    return [summary_from_metagraph(m) for m in mgs if m.exists]
