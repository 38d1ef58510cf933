"""ChainClient: reads heads and blocks from a node, over the transport seam.

It connects (with a clear one-line error when it cannot), reads heads, and fetches blocks in
JSON-RPC batch frames: one frame for the hashes of a run of blocks, one for their bodies and
``System.Events``. Each block is decoded (decode.py) with the metadata of its own runtime (the
runtime of its parent, as Substrate defines it), which the client's :class:`RuntimeRegistry` holds,
and joined into a :class:`~sentinel_core.model.Block`. Frames, subscriptions and everything the
library keeps inside go through :class:`~sentinel_core.chain.transport.Transport`.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import AsyncIterator, Sequence
from typing import Any, NamedTuple

from async_substrate_interface import AsyncSubstrateInterface
from async_substrate_interface.types import Runtime

from ..model import Block
from ..scale import compact
from ..tasks import wait_for
from . import runtime_cache, shapes
from .decode import BlockCodec, decode_block
from .pacing import CallPacer
from .runtimes import RuntimeRegistry
from .transport import Call, ChainError, RpcError, Transport, is_rate_limit_text, library_call, reason

__all__ = [
    "EVENTS_KEY",
    "ChainClient",
    "ChainError",
    "RawBlock",
    "RpcError",
    "header_number",
    "is_rate_limit_text",
]

log = logging.getLogger("sentinel.chain")

KNOWN_NUMBERS = 20_000
"""Hash -> number pairs a client keeps for its error messages."""
UNPACED_RATE_RETRIES = 4
"""Without a pacer, a call the node refused for its rate limit is asked again this many times (after
0.5, 1, 2 and 4 s) before the refusal is reported."""

EVENTS_KEY = "0x26aa394eea5630e07c48ae0c9558cef780d41e5e16056765bc8461851072c9d7"


class RawBlock(NamedTuple):
    """A block as the node answered it, with the spec version that executed it (its parent's)."""

    hash: str
    block: dict[str, Any]
    events_hex: str | None
    parent_hash: str
    spec_version: int
    number: int


class ChainClient:
    """One node: heads, blocks, runtimes and raw RPC (``call``, ``batch``) over one connection."""

    def __init__(self, url: str, *, timeout: float = 30.0, runtimes: RuntimeRegistry | None = None) -> None:
        if not url.startswith(("ws://", "wss://")):
            raise ChainError(f"{url!r} is not a ws:// or wss:// URL")
        self.url = url
        self.timeout = timeout
        self.runtimes = RuntimeRegistry.shared(url) if runtimes is None else runtimes
        """Decoded runtimes by spec version: by default shared with every client of this node."""
        self.transport: Transport | None = None
        self.block_versions: dict[str, int] = {}
        """Spec version in force at each block hash seen (the runtime that block's children run)."""
        self.pacer: CallPacer | None = None
        """The call budget of a job (rate limits): paces every frame, cuts frames to its size, learns
        from refusals. None: a refused call is asked again a few times, then reported."""
        self.frames = 0
        self.numbers: dict[str, int] = {}
        """Block numbers of the hashes this client has seen (errors about a block name its number)."""
        self.genesis = ""
        """The chain's genesis hash (keys the disk cache of runtimes); set on connecting."""

    # -- connection -----------------------------------------------------------------------------
    async def connect(self) -> ChainClient:
        transport = Transport(self.url, timeout=self.timeout)
        self.transport = transport  # the handshake's frames go through batch()
        try:
            # The first connection to a node loads its runtime; the others wait and reuse it.
            async with self.runtimes.lock():
                for version, runtime in self.runtimes.items():
                    transport.add_runtime(version, runtime)
                await wait_for(self._open(transport), self.timeout)
        except BaseException as exc:
            self.transport = None
            if not isinstance(exc, Exception):  # cancelled, interrupted
                raise
            await transport.close()
            if isinstance(exc, asyncio.TimeoutError):
                message = f"cannot reach {self.url}: no answer within {self.timeout:g} s"
            elif isinstance(exc, (OSError, ConnectionError)):
                message = f"cannot reach {self.url}: {reason(exc)}"
            elif isinstance(exc, ChainError):  # a refused handshake request, or the connection lost in one
                message = f"cannot talk to {self.url}: {str(exc).removeprefix(f'{self.url}: ')[:200]}"
            else:  # anything the library raises while handshaking
                message = f"cannot talk to {self.url}: {reason(exc)}"
            raise ChainError(message) from None
        return self

    async def _open(self, transport: Transport) -> None:
        """Connect and give the library the runtime in force at the head, as ``initialize()`` would,
        in two batch frames where the library sends six requests one after the other (each waiting
        for its answer in 10 ms sleeps): chain name, genesis hash, head hash and best header; then the
        runtime version at the head's parent and, for the first connection to the node, its V15
        metadata, built into a runtime through the disk cache (runtime_cache.py). Later connections
        fetch the metadata only for a runtime no connection has loaded yet (the registry's). A runtime
        without V15 metadata is loaded the library's way."""
        known = self.runtimes

        async def ask(*calls: Call) -> list[Any]:
            results = await self.batch(list(calls))
            for r in results:
                if isinstance(r, RpcError):
                    raise r
            return results

        await transport.connect()
        chain, genesis, head, best = await ask(
            ("system_chain", []), ("chain_getBlockHash", [0]), ("chain_getHead", []), ("chain_getHeader", [])
        )
        chain = shapes.text(chain, "the chain's name", "system_chain")
        genesis = shapes.block_hash(genesis, "chain_getBlockHash 0")
        head = shapes.block_hash(head, "chain_getHead")
        # The best header, if no block arrived between the two answers; else the head's own.
        try:
            current = isinstance(best, dict) and header_hash(best) == head
        except (KeyError, TypeError, ValueError, AttributeError):
            current = False
        header = shapes.header(
            best if current else (await ask(("chain_getHeader", [head])))[0], "chain_getHeader"
        )
        number = header_number(header)
        # The runtime a block runs under is its parent's (genesis, with no parent, its own).
        parent = header["parentHash"] if int(header["parentHash"], 16) else head
        calls: list[Call] = [("state_getRuntimeVersion", [parent])]
        if not len(known):
            calls.append(transport.metadata_call(parent))
        info, *answer = await self.batch(calls)
        if isinstance(info, RpcError):
            raise info
        version = shapes.runtime_version(info, "state_getRuntimeVersion")["specVersion"]
        runtime = known.get(version)
        if runtime is None:
            if not answer:
                answer = await self.batch([transport.metadata_call(parent)])
            metadata = (
                None if isinstance(answer[0], RpcError) else runtime_cache.metadata_from_option(answer[0])
            )
            if metadata is None:
                loaded = await transport.initialize_library_way()
                if loaded is not None and loaded.runtime_version is not None:
                    known.add(loaded.runtime_version, loaded)
                return
            runtime = known.load(
                genesis=genesis or "",
                runtime_info=info,
                metadata=metadata,
                chain=chain or "",
                type_registry=transport.type_registry,
                ss58_format=transport.ss58_format,
            )
        self.genesis = genesis or ""
        transport.adopt_head(
            chain=chain or "", number=number, head=head, spec_version=version, runtime=runtime
        )

    async def close(self) -> None:
        if self.transport is not None:
            await self.transport.close()
            self.transport = None

    async def __aenter__(self) -> ChainClient:
        return await self.connect()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def _transport(self) -> Transport:
        if self.transport is None:
            raise ChainError("not connected")
        return self.transport

    @property
    def sub(self) -> AsyncSubstrateInterface:
        """The library's interface on this connection (for its storage queries and runtime calls)."""
        return self._transport().substrate

    # -- raw RPC -----------------------------------------------------------------------------------
    async def batch(self, calls: Sequence[Call], *, retries: int = 3) -> list[Any]:
        """Send ``calls`` in JSON-RPC batch frames (one, unless the pacer caps the frame size); results
        in order, RpcError objects for errors.

        Only the requests that need it are asked again: those the node failed with a transient error
        (internal error, busy), up to ``retries`` times; those it refused for its rate limit, paced by
        the pacer for as long as it takes (the answered items of a partly refused frame are kept), or
        without a pacer ``UNPACED_RATE_RETRIES`` times after a growing pause.
        """
        results = await self._frames(calls)
        transient_rounds = limited_rounds = 0
        while True:
            transient = [i for i, r in enumerate(results) if isinstance(r, RpcError) and r.transient]
            limited = [i for i, r in enumerate(results) if isinstance(r, RpcError) and r.rate_limited]
            redo: list[int] = []
            if transient and transient_rounds < retries:
                transient_rounds += 1
                redo += transient
            if limited and (self.pacer is not None or limited_rounds < UNPACED_RATE_RETRIES):
                limited_rounds += 1
                redo += limited
            if not redo:
                return results
            if self.pacer is None and limited:
                await asyncio.sleep(0.5 * 2 ** (limited_rounds - 1))
            elif not limited:
                await asyncio.sleep(0.05 * transient_rounds)
            redo.sort()
            again = await self._frames([calls[i] for i in redo])
            for i, r in zip(redo, again):
                results[i] = r

    async def _frames(self, calls: Sequence[Call]) -> list[Any]:
        """``calls`` in frames of at most the pacer's frame size, one after the other."""
        size = self.pacer.frame_calls() if self.pacer is not None else None
        if not size or len(calls) <= size:
            return await self._frame(calls)
        out: list[Any] = []
        for i in range(0, len(calls), size):
            out.extend(await self._frame(calls[i : i + size]))
        return out

    async def _frame(self, calls: Sequence[Call]) -> list[Any]:
        if not calls:
            return []
        transport = self._transport()
        pacer = self.pacer
        if pacer is not None:
            await pacer.pace(len(calls))
        self.frames += 1
        results = await transport.send_batch(calls)
        numbers = self.numbers
        for i, r in enumerate(results):
            if isinstance(r, RpcError) and r.number is None:
                n = next((numbers[p] for p in r.params if isinstance(p, str) and p in numbers), None)
                if n is not None:
                    results[i] = r.at_block(n)
        if pacer is not None:
            refused = sum(1 for r in results if isinstance(r, RpcError) and r.rate_limited)
            pacer.answered(len(results) - refused)
            if refused:
                pacer.refused(refused)
        return results

    def library(
        self, what: str, block: str | int | None = None
    ) -> contextlib.AbstractAsyncContextManager[None]:
        """Around a call into the library on this connection: whatever it raises becomes one line
        naming this node, ``what`` was read and the block (its number when this client knows it)."""
        if isinstance(block, str):
            block = self.numbers.get(block, block)
        return library_call(self.url, what, block)

    def remember(self, block_hash: str, number: int) -> None:
        """Note ``block_hash``'s number (at most ``KNOWN_NUMBERS`` are kept, the newest)."""
        numbers = self.numbers
        numbers[block_hash] = number
        if len(numbers) > KNOWN_NUMBERS:
            for old in list(numbers)[: len(numbers) // 4]:
                del numbers[old]

    async def call(self, method: str, params: list[Any] | None = None) -> Any:
        (result,) = await self.batch([(method, params or [])])
        if isinstance(result, RpcError):
            raise result
        return result

    # -- heads -----------------------------------------------------------------------------------
    async def head(self) -> tuple[int, str]:
        header = shapes.header(await self.call("chain_getHeader", []), "chain_getHeader")
        head = shapes.block_hash(await self.call("chain_getHead", []), "chain_getHead")
        number = header_number(header)
        self.remember(head, number)
        return number, head

    async def finalized_head(self) -> tuple[int, str]:
        block_hash = shapes.block_hash(
            await self.call("chain_getFinalizedHead", []), "chain_getFinalizedHead"
        )
        header = shapes.header(await self.call("chain_getHeader", [block_hash]), "chain_getHeader")
        number = header_number(header)
        self.remember(block_hash, number)
        return number, block_hash

    async def header(self, block_hash: str) -> dict[str, Any] | None:
        found = await self.call("chain_getHeader", [block_hash])
        if found is None:
            return None
        header = shapes.header(found, "chain_getHeader")
        self.remember(block_hash, header_number(header))
        return header

    async def block_hashes(self, numbers: Sequence[int]) -> list[str | None]:
        results = await self.batch([("chain_getBlockHash", [n]) for n in numbers])
        for r in results:
            if isinstance(r, RpcError):
                raise r
        out = [None if r is None else shapes.block_hash(r, "chain_getBlockHash") for r in results]
        for n, h in zip(numbers, out):
            if h is not None:
                self.remember(h, n)
        return out

    async def runtime_version(self, block_hash: str) -> dict[str, Any]:
        return shapes.runtime_version(
            await self.call("state_getRuntimeVersion", [block_hash]), "state_getRuntimeVersion"
        )

    # -- blocks -----------------------------------------------------------------------------------
    async def fetch_blocks(
        self, numbers: Sequence[int], *, hashes: Sequence[str] | None = None
    ) -> list[Block]:
        """Fetch and decode blocks by number (or by the given hashes): :meth:`fetch_raw`, then
        :meth:`decode_raw`."""
        return await self.decode_raw(await self.fetch_raw(numbers, hashes=hashes))

    async def fetch_raw(
        self, numbers: Sequence[int], *, hashes: Sequence[str] | None = None
    ) -> list[RawBlock]:
        """Fetch blocks by number (or by the given hashes), undecoded, with the runtime of each.

        By number this takes two JSON-RPC batch frames: the hashes (with the parent of the first), then
        bodies, events and the runtime versions at both ends of the run (a third frame only when a
        runtime upgrade falls inside the run); under a pacer, frames of at most its frame size.
        """
        ends: list[str] = []
        if hashes is None:
            lead = [numbers[0] - 1] if numbers and numbers[0] > 0 else []
            found = await self.block_hashes([*lead, *numbers])
            missing = [n for n, h in zip([*lead, *numbers], found) if h is None]
            if missing:
                raise ChainError(f"block {missing[0]} is beyond the chain head")
            hashes = [h for h in found[len(lead) :] if h is not None]
            contiguous = list(numbers) == list(range(numbers[0], numbers[0] + len(numbers)))
            if lead and contiguous:
                # Parents of the run: hash(first - 1) .. hash(last - 1). Their versions come along.
                ends = [
                    h
                    for h in dict.fromkeys((found[0], found[-2]))
                    if h is not None and h not in self.block_versions
                ]
        calls: list[tuple[str, list[Any]]] = []
        for h in hashes:
            calls.append(("chain_getBlock", [h]))
            calls.append(("state_getStorageAt", [EVENTS_KEY, h]))
        calls.extend(("state_getRuntimeVersion", [h]) for h in ends)
        results = await self.batch(calls)
        for r in results:
            if isinstance(r, RpcError):
                raise r
        n = 2 * len(hashes)
        bodies, events = results[0:n:2], results[1:n:2]
        if any(b is None for b in bodies):
            raise ChainError("the node does not have one of the requested blocks (pruned or reorganised)")
        for body, ev in zip(bodies, events):
            if (
                not isinstance(body, dict)
                or not isinstance(body.get("block"), dict)
                or not isinstance(body["block"].get("header"), dict)
                or not (ev is None or isinstance(ev, str))
            ):
                raise ChainError(f"{self.url}: the node answered a malformed block ({str(body)[:60]!r})")
        numbers_ = [header_number(b["block"]["header"]) for b in bodies]
        # Genesis has no parent (all zeros): its own state tells its runtime.
        parents = [
            h if n == 0 else b["block"]["header"]["parentHash"] for h, b, n in zip(hashes, bodies, numbers_)
        ]
        if ends:
            versions = {h: r["specVersion"] for h, r in zip(ends, results[n:])}
            first, last = versions.get(parents[0]), versions.get(parents[-1])
            if first is not None and first == last:
                for h in parents:  # versions only grow: the run has one runtime
                    self.block_versions[h] = first
            else:
                self.block_versions.update(versions)
        spec_versions = await self._spec_versions(parents, numbers_)
        return [
            RawBlock(h, body["block"], ev, parent, version, number)
            for h, body, ev, parent, version, number in zip(
                hashes, bodies, events, parents, spec_versions, numbers_
            )
        ]

    async def decode_raw(self, raw: Sequence[RawBlock]) -> list[Block]:
        """Decode what :meth:`fetch_raw` fetched (here, or in a decoding process with its own client).
        A block that does not decode comes back with ``decode_error`` set; ingestion goes on."""
        out = []
        for h, body, ev, parent, version, number in raw:
            try:
                out.append(await self._decode(h, body, ev, version, number))
            except ChainError:
                raise
            except Exception as exc:  # noqa: BLE001 - one bad block is recorded, ingestion goes on
                reason = (
                    f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"[
                        :300
                    ]
                )
                log.warning("block %s does not decode: %s", number, reason)
                out.append(
                    Block(
                        number=number, hash=h, parent_hash=parent, spec_version=version, decode_error=reason
                    )
                )
        return out

    async def fetch_block(self, number: int | None = None, block_hash: str | None = None) -> Block:
        if block_hash is None:
            if number is None:
                _, block_hash = await self.head()
            else:
                (found,) = await self.block_hashes([number])
                if found is None:
                    raise ChainError(f"block {number} is beyond the chain head")
                block_hash = found
        (block,) = await self.fetch_blocks([], hashes=[block_hash])
        return block

    async def _spec_versions(self, parent_hashes: Sequence[str], numbers: Sequence[int]) -> list[int]:
        """Spec version in force for each block (its parent's runtime), asking only what is unknown."""
        by_number = sorted(zip(numbers, parent_hashes))
        unknown = list(dict.fromkeys(h for _, h in by_number if h not in self.block_versions))
        if len(unknown) > 2:
            # Versions only grow with the block number: when the first and last parent agree, the
            # parents between run the same runtime too.
            ends = await self.batch(
                [("state_getRuntimeVersion", [unknown[0]]), ("state_getRuntimeVersion", [unknown[-1]])]
            )
            if (
                not any(isinstance(e, RpcError) for e in ends)
                and ends[0]["specVersion"] == ends[1]["specVersion"]
            ):
                for h in unknown:
                    self.block_versions[h] = ends[0]["specVersion"]
                unknown = []
        if unknown:
            results = await self.batch([("state_getRuntimeVersion", [h]) for h in unknown])
            for h, r in zip(unknown, results):
                if isinstance(r, RpcError):
                    raise r
                self.block_versions[h] = r["specVersion"]
        if len(self.block_versions) > 50_000:
            keep = {h: self.block_versions[h] for h in parent_hashes}
            self.block_versions = keep
        return [self.block_versions[h] for h in parent_hashes]

    async def runtime(self, spec_version: int, block_hash: str) -> Runtime:
        """The decoded runtime ``spec_version`` (loaded at ``block_hash`` the first time)."""
        runtime = self.runtimes.get(spec_version)
        if runtime is None:
            # One load per runtime: the workers that meet a new one together wait for the first.
            async with self.runtimes.lock():
                runtime = self.runtimes.get(spec_version)
                if runtime is None:
                    runtime = await self._load_runtime(spec_version, block_hash)
            self._transport().add_runtime(spec_version, runtime)
        return runtime

    async def _load_runtime(self, spec_version: int, block_hash: str) -> Runtime:
        """The runtime that executed ``block_hash`` (its parent's), through the disk cache of runtimes
        like the head's on connecting: a backfill across hundreds of upgrades decodes each one's
        metadata once per machine, not once per run. A runtime without V15 metadata, or an answer
        that does not fit, goes the library's way."""
        transport = self._transport()
        header = await self.header(block_hash)
        if self.genesis and isinstance(header, dict) and int(header.get("parentHash") or "0x0", 16):
            parent = header["parentHash"]
            info, answer = await self.batch(
                [("state_getRuntimeVersion", [parent]), transport.metadata_call(parent)]
            )
            metadata = None if isinstance(answer, RpcError) else runtime_cache.metadata_from_option(answer)
            if isinstance(info, dict) and info.get("specVersion") == spec_version and metadata is not None:
                return self.runtimes.load(
                    genesis=self.genesis,
                    runtime_info=info,
                    metadata=metadata,
                    chain=transport.chain,
                    type_registry=transport.type_registry,
                    ss58_format=transport.ss58_format,
                )
        runtime = await transport.runtime_for_version(spec_version, block_hash)
        self.runtimes.add(spec_version, runtime)
        return runtime

    async def _decode(
        self, block_hash: str, block: dict[str, Any], events_hex: str | None, spec_version: int, number: int
    ) -> Block:
        # The library loads a version's metadata at the parent of the hash it is given: the block's own
        # hash yields the parent's runtime, the one that executed this block.
        await self.runtime(spec_version, block_hash)
        codec = self.runtimes.derived(spec_version, "blocks", BlockCodec)
        return await decode_block(
            codec,
            number=number,
            block_hash=block_hash,
            block=block,
            events_hex=events_hex,
            spec_version=spec_version,
            spec_version_after=self._spec_version_at,
        )

    async def _spec_version_at(self, block_hash: str) -> int:
        version: int = (await self.runtime_version(block_hash))["specVersion"]
        return version

    # -- subscriptions -------------------------------------------------------------------------------
    async def heads(
        self, *, finalized: bool = False, newest: bool = False
    ) -> AsyncIterator[tuple[int, str, str]]:
        """Yield ``(number, hash, parent_hash)`` of new (or finalized) heads until the connection ends.

        ``newest``: when several notifications are waiting, yield only the latest (a consumer that
        fell behind catches up by number, in batches, instead of one head at a time)."""
        method = "chain_subscribeFinalizedHeads" if finalized else "chain_subscribeNewHeads"
        async for header in self._transport().subscribe(method, newest=newest):
            header = shapes.header(header, method)
            yield header_number(header), header_hash(header), header["parentHash"]


def header_hash(header: dict[str, Any]) -> str:
    """Block hash from a JSON header (blake2_256 of its SCALE encoding)."""
    number = header_number(header)
    logs = header.get("digest", {}).get("logs", [])
    data = (
        bytes.fromhex(header["parentHash"][2:])
        + compact(number)
        + bytes.fromhex(header["stateRoot"][2:])
        + bytes.fromhex(header["extrinsicsRoot"][2:])
        + compact(len(logs))
        + b"".join(bytes.fromhex(x[2:]) for x in logs)
    )
    return "0x" + hashlib.blake2b(data, digest_size=32).hexdigest()


def header_number(header: dict[str, Any] | None) -> int:
    """The block number of a JSON header (hex or int); ChainError when there is no header."""
    if not header:
        raise ChainError("the node returned no header")
    n = header["number"]
    return int(n, 16) if isinstance(n, str) else int(n)
