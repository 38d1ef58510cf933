"""ChainClient: a thin async layer over AsyncSubstrateInterface.

It connects (with a clear one-line error when it cannot), reads heads, and fetches blocks in
JSON-RPC batch frames: one frame for the hashes of a run of blocks, one for their bodies and
``System.Events``. Each block is decoded with the metadata of its own runtime (the runtime of its
parent, as Substrate defines it) and joined into a :class:`~sentinel_core.model.Block`.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import weakref
from collections.abc import AsyncIterator, Sequence
from typing import Any, NamedTuple

from async_substrate_interface import AsyncSubstrateInterface
from scalecodec.base import ScaleBytes

from ..devnet.types import compact, decode_compact
from ..model import Block
from ..tasks import wait_for
from .decode import build_block

log = logging.getLogger("sentinel.chain")
# The library logs every refused request at ERROR level to stderr (no handler configured), which would
# scribble over the dashboard; Sentinel reports those failures itself, as one line where they matter.
for _name in ("async_substrate_interface", "raw_websocket", "websockets"):
    logging.getLogger(_name).addHandler(logging.NullHandler())
    logging.getLogger(_name).propagate = False

EVENTS_KEY = "0x26aa394eea5630e07c48ae0c9558cef780d41e5e16056765bc8461851072c9d7"
RATE_LIMIT_CODES = {-32029, 429, -32098, -32005}

# Decoded runtimes (metadata + codec) by node URL and spec version, shared by every connection to that
# node: decoding metadata costs ~0.2 s on the devnet (~0.8 s on finney) and the codec compiles its
# decoders per runtime object, so workers of a backfill must not each do it again. A fresh process
# gets the runtime in force at the head through the disk cache of runtime_cache.py instead.
_RUNTIMES: dict[str, dict[int, Any]] = {}
# One lock per event loop and node: asyncio locks belong to the loop that first waits on them.
_CONNECT_LOCKS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, asyncio.Lock]] = (
    weakref.WeakKeyDictionary()
)


def _metadata_call(sub: AsyncSubstrateInterface, block_hash: str) -> tuple[str, list[Any]]:
    """The request for the V15 metadata (the version the library reads) at ``block_hash``."""
    return "state_call", ["Metadata_metadata_at_version", sub.metadata_version_hex, block_hash]


async def _open(client: ChainClient, sub: AsyncSubstrateInterface, known: dict[int, Any]) -> None:
    """Connect ``sub`` and give it the runtime in force at the head, as ``sub.initialize()`` would, in
    two batch frames where the library sends six requests one after the other (each waiting for its
    answer in 10 ms sleeps): chain name, genesis hash, head hash and best header; then the runtime
    version at the head's parent and, for the first connection to the node in this process, its V15
    metadata, built into a runtime through the disk cache (runtime_cache.py). Later connections
    fetch the metadata only for a runtime no connection has loaded yet (``known``). A runtime without
    V15 metadata is loaded the library's way."""
    from .runtime_cache import load_runtime, metadata_from_option

    async def ask(*calls: tuple[str, list[Any]]) -> list[Any]:
        results = await client.batch(list(calls))
        for r in results:
            if isinstance(r, RpcError):
                raise r
        return results

    await sub.ws.connect()
    chain, genesis, head, best = await ask(
        ("system_chain", []), ("chain_getBlockHash", [0]), ("chain_getHead", []), ("chain_getHeader", [])
    )
    # The best header, if no block arrived between the two answers; else the head's own.
    try:
        current = isinstance(best, dict) and _header_hash(best) == head
    except (KeyError, TypeError, ValueError, AttributeError):
        current = False
    header = best if current else (await ask(("chain_getHeader", [head])))[0]
    number = _number(header)
    # The runtime a block runs under is its parent's (genesis, with no parent, its own).
    parent = header["parentHash"] if int(header["parentHash"], 16) else head
    calls: list[tuple[str, list[Any]]] = [("state_getRuntimeVersion", [parent])]
    if not known:
        calls.append(_metadata_call(sub, parent))
    info, *answer = await client.batch(calls)
    if isinstance(info, RpcError):
        raise info
    version = info["specVersion"]
    runtime = known.get(version)
    if runtime is None:
        if not answer:
            answer = await client.batch([_metadata_call(sub, parent)])
        metadata = None if isinstance(answer[0], RpcError) else metadata_from_option(answer[0])
        if metadata is None:
            await sub.initialize()
            if sub.startup_runtime_task is not None:
                runtime = await sub.startup_runtime_task
                sub.startup_runtime_task = None
                if runtime is not None and runtime.runtime_version is not None:
                    known.setdefault(runtime.runtime_version, runtime)
            return
        runtime = known[version] = load_runtime(
            genesis=genesis or "",
            runtime_info=info,
            metadata=metadata,
            chain=chain or "",
            type_registry=sub.type_registry,
            ss58_format=sub.ss58_format,
        )
    sub._chain = chain or ""
    client.genesis = genesis or ""
    sub.runtime_cache.add_item(block=number, block_hash=head, runtime_version=version, runtime=runtime)
    sub.startup_block_hash = sub.last_block_hash = head
    sub.initialized = True


class RawBlock(NamedTuple):
    """A block as the node answered it, with the spec version that executed it (its parent's)."""

    hash: str
    block: dict[str, Any]
    events_hex: str | None
    parent_hash: str
    spec_version: int
    number: int


class ChainError(Exception):
    """A one-line, user-facing description of what went wrong talking to the node."""


class RpcError(ChainError):
    def __init__(self, method: str, code: int | None, message: str) -> None:
        super().__init__(f"{method}: node answered error {code}: {message}")
        self.method = method
        self.code = code
        self.message = message

    @property
    def rate_limited(self) -> bool:
        return self.code in RATE_LIMIT_CODES or is_rate_limit_text(self.message)

    @property
    def transient(self) -> bool:
        """An error worth asking again for (the node failed, not the request)."""
        return not self.rate_limited and self.code in (-32603, -32000, -32001)


def is_rate_limit_text(text: str) -> bool:
    text = text.lower()
    return "too many" in text or "rate limit" in text or "429" in text


class ChainClient:
    def __init__(self, url: str, *, timeout: float = 30.0) -> None:
        if not url.startswith(("ws://", "wss://")):
            raise ChainError(f"{url!r} is not a ws:// or wss:// URL")
        self.url = url
        self.timeout = timeout
        self.substrate: AsyncSubstrateInterface | None = None
        self._runtime_versions: dict[str, int] = {}
        self._error_names: dict[int, dict[tuple[int, int], str]] = {}
        self._events_types: dict[int, str] = {}
        self._ext_decoders: dict[int, tuple | None] = {}
        self.pacer: Any = None
        """Optional ``async () -> None`` awaited before every frame this client sends (rate limits)."""
        self.frames = 0
        self.genesis = ""
        """The chain's genesis hash (keys the disk cache of runtimes); set on connecting."""

    # -- connection -----------------------------------------------------------------------------
    async def connect(self) -> ChainClient:
        sub = AsyncSubstrateInterface(
            self.url, ss58_format=42, max_retries=2, retry_timeout=self.timeout, ws_shutdown_timer=None
        )
        locks = _CONNECT_LOCKS.setdefault(asyncio.get_running_loop(), {})
        lock = locks.setdefault(self.url, asyncio.Lock())
        self.substrate = sub  # the handshake's frames go through batch()
        try:
            # The first connection to a node loads its runtime; the others wait and reuse it.
            async with lock:
                known = _RUNTIMES.setdefault(self.url, {})
                for version, runtime in known.items():
                    sub.runtime_cache.add_item(runtime_version=version, runtime=runtime)
                await wait_for(_open(self, sub, known), self.timeout)
        except BaseException as exc:
            self.substrate = None
            if not isinstance(exc, Exception):  # cancelled, interrupted
                raise
            await _quiet_close(sub)
            if isinstance(exc, asyncio.TimeoutError):
                message = f"cannot reach {self.url}: no answer within {self.timeout:g} s"
            elif isinstance(exc, (OSError, ConnectionError)):
                message = f"cannot reach {self.url}: {_reason(exc)}"
            elif isinstance(exc, ChainError):  # a refused handshake request, or the connection lost in one
                message = f"cannot talk to {self.url}: {str(exc).removeprefix(f'{self.url}: ')[:200]}"
            else:  # anything the library raises while handshaking
                message = f"cannot talk to {self.url}: {_reason(exc)}"
            raise ChainError(message) from None
        return self

    async def close(self) -> None:
        if self.substrate is not None:
            await _quiet_close(self.substrate)
            self.substrate = None

    async def __aenter__(self) -> ChainClient:
        return await self.connect()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def sub(self) -> AsyncSubstrateInterface:
        if self.substrate is None:
            raise ChainError("not connected")
        return self.substrate

    # -- raw RPC -----------------------------------------------------------------------------------
    async def batch(self, calls: Sequence[tuple[str, list[Any]]], *, retries: int = 3) -> list[Any]:
        """Send ``calls`` as one JSON-RPC batch frame; results in order, RpcError objects for errors.

        Requests the node failed with a transient error (internal error, busy) are sent again, alone,
        up to ``retries`` times; rate-limit refusals are left to the caller's pacing.
        """
        results = await self._batch_once(calls)
        for attempt in range(retries):
            again = [i for i, r in enumerate(results) if isinstance(r, RpcError) and r.transient]
            if not again:
                break
            await asyncio.sleep(0.05 * (attempt + 1))
            redo = await self._batch_once([calls[i] for i in again])
            for i, r in zip(again, redo):
                results[i] = r
        return results

    async def _batch_once(self, calls: Sequence[tuple[str, list[Any]]]) -> list[Any]:
        if not calls:
            return []
        ws = self.sub.ws
        if self.pacer is not None:
            await self.pacer()
        self.frames += 1
        payloads = [{"jsonrpc": "2.0", "method": m, "params": p} for m, p in calls]
        try:
            async with ws as w:
                await w.mark_waiting_for_response()
                ids: list[str] = []
                try:
                    ids = await w.send_batch(payloads)
                    await self._answers(w, ids)
                    responses = []
                    for i in ids:
                        r = await w.retrieve(i)
                        if r is None:
                            raise ChainError(f"{self.url}: connection lost while waiting for an answer")
                        responses.append(r)
                finally:
                    await w.mark_response_received()
                    for i in ids:
                        await w.discard_request(i)
        except ChainError:
            raise
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - websocket and protocol failures
            raise ChainError(f"{self.url}: {_reason(exc)}") from None
        out: list[Any] = []
        if len(responses) != len(calls):
            raise ChainError(
                f"{self.url}: the node answered {len(responses)} results for {len(calls)} requests"
            )
        for (method, _), resp in zip(calls, responses):
            if not isinstance(resp, dict):
                out.append(RpcError(method, None, f"malformed answer {str(resp)[:80]!r}"))
            elif "error" in resp:
                err = resp["error"] if isinstance(resp["error"], dict) else {"message": str(resp["error"])}
                out.append(RpcError(method, err.get("code"), str(err.get("message", ""))))
            else:
                out.append(resp.get("result"))
        return out

    async def _answers(self, w: Any, ids: list[str]) -> None:
        """Wait until every request in ``ids`` is answered. A dropped connection fails at once instead
        of after the timeout: the library neither answers nor fails requests in flight when it cannot
        reconnect (a subscription is open), and when it does reconnect it sends them again with new
        futures, which are looked up afresh each second."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        while True:
            futures = [f for i in ids if (f := w._received.get(i)) is not None and not f.done()]
            if not futures:
                return
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise ChainError(f"{self.url}: no answer within {self.timeout:g} s")
            _, pending = await asyncio.wait(futures, timeout=min(1.0, remaining))
            if not pending:
                continue
            task = w._send_recv_task
            if task is not None and task.done():
                raise ChainError(f"{self.url}: connection lost while waiting for an answer")

    async def call(self, method: str, params: list[Any] | None = None) -> Any:
        (result,) = await self.batch([(method, params or [])])
        if isinstance(result, RpcError):
            raise result
        return result

    # -- heads -----------------------------------------------------------------------------------
    async def head(self) -> tuple[int, str]:
        header = await self.call("chain_getHeader", [])
        return _number(header), await self.call("chain_getHead", [])

    async def finalized_head(self) -> tuple[int, str]:
        block_hash = await self.call("chain_getFinalizedHead", [])
        header = await self.call("chain_getHeader", [block_hash])
        return _number(header), block_hash

    async def header(self, block_hash: str) -> dict[str, Any] | None:
        return await self.call("chain_getHeader", [block_hash])

    async def block_hashes(self, numbers: Sequence[int]) -> list[str | None]:
        results = await self.batch([("chain_getBlockHash", [n]) for n in numbers])
        for r in results:
            if isinstance(r, RpcError):
                raise r
        return list(results)

    async def runtime_version(self, block_hash: str) -> dict[str, Any]:
        return await self.call("state_getRuntimeVersion", [block_hash])

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
        runtime upgrade falls inside the run). Rate-limited nodes count frames, not calls.
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
                ends = [h for h in dict.fromkeys((found[0], found[-2])) if h not in self._runtime_versions]
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
        numbers_ = [_number(b["block"]["header"]) for b in bodies]
        # Genesis has no parent (all zeros): its own state tells its runtime.
        parents = [
            h if n == 0 else b["block"]["header"]["parentHash"] for h, b, n in zip(hashes, bodies, numbers_)
        ]
        if ends:
            versions = {h: r["specVersion"] for h, r in zip(ends, results[n:])}
            first, last = versions.get(parents[0]), versions.get(parents[-1])
            if first is not None and first == last:
                for h in parents:  # versions only grow: the run has one runtime
                    self._runtime_versions[h] = first
            else:
                self._runtime_versions.update(versions)
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
                out.append(await self._decode(h, body, ev, parent, version))
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
        unknown = list(dict.fromkeys(h for _, h in by_number if h not in self._runtime_versions))
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
                    self._runtime_versions[h] = ends[0]["specVersion"]
                unknown = []
        if unknown:
            results = await self.batch([("state_getRuntimeVersion", [h]) for h in unknown])
            for h, r in zip(unknown, results):
                if isinstance(r, RpcError):
                    raise r
                self._runtime_versions[h] = r["specVersion"]
        if len(self._runtime_versions) > 50_000:
            keep = {h: self._runtime_versions[h] for h in parent_hashes}
            self._runtime_versions = keep
        return [self._runtime_versions[h] for h in parent_hashes]

    async def runtime(self, spec_version: int, block_hash: str) -> Any:
        """The decoded runtime ``spec_version`` (loaded at ``block_hash`` the first time)."""
        known = _RUNTIMES.setdefault(self.url, {})
        runtime = known.get(spec_version)
        if runtime is None:
            runtime = await self._load_runtime(spec_version, block_hash)
            known[spec_version] = runtime
            self.sub.runtime_cache.add_item(runtime_version=spec_version, runtime=runtime)
        return runtime

    async def _load_runtime(self, spec_version: int, block_hash: str) -> Any:
        """The runtime that executed ``block_hash`` (its parent's), through the disk cache of runtimes
        like the head's on connecting: a backfill across hundreds of upgrades decodes each one's
        metadata once per machine, not once per run. A runtime without V15 metadata, or an answer
        that does not fit, goes the library's way."""
        from .runtime_cache import load_runtime, metadata_from_option

        header = await self.header(block_hash)
        if self.genesis and isinstance(header, dict) and int(header.get("parentHash") or "0x0", 16):
            parent = header["parentHash"]
            info, answer = await self.batch(
                [("state_getRuntimeVersion", [parent]), _metadata_call(self.sub, parent)]
            )
            metadata = None if isinstance(answer, RpcError) else metadata_from_option(answer)
            if isinstance(info, dict) and info.get("specVersion") == spec_version and metadata is not None:
                return load_runtime(
                    genesis=self.genesis,
                    runtime_info=info,
                    metadata=metadata,
                    chain=self.sub.chain or "",
                    type_registry=self.sub.type_registry,
                    ss58_format=self.sub.ss58_format,
                )
        return await self.sub.get_runtime_for_version(spec_version, block_hash)

    @staticmethod
    def _ordered(parent_hashes: Sequence[str]) -> bool:
        return len(parent_hashes) > 0

    async def _decode(
        self, block_hash: str, block: dict[str, Any], events_hex: str | None, parent: str, spec_version: int
    ) -> Block:
        header = block["header"]
        number = _number(header)
        # The library loads a version's metadata at the parent of the hash it is given: the block's own
        # hash yields the parent's runtime, the one that executed this block.
        runtime = await self.runtime(spec_version, block_hash)
        fast = self._extrinsic_decoders(runtime, spec_version)
        extrinsics: list[dict[str, Any] | None] = []
        for data in block.get("extrinsics", []):
            value = _decode_extrinsic_fast(fast, data) if fast is not None else None
            if value is None:
                value = _decode_extrinsic_object(runtime, data, len(extrinsics))
            extrinsics.append(value)
        raw_events: list[dict[str, Any]] = []
        if events_hex:
            (raw_events,) = runtime.runtime_config.batch_decode(
                [self._events_type(runtime, spec_version)], [bytes.fromhex(events_hex[2:])]
            )
        for ev in raw_events:
            if ev.get("module_id") == "System" and ev.get("event_id") == "CodeUpdated":
                # CodeUpdated carries no fields; say which runtime replaced which.
                new = await self.runtime_version(block_hash)
                ev["attributes"] = {"old_spec_version": spec_version, "new_spec_version": new["specVersion"]}
        resolve = self._resolver(runtime, spec_version)
        return build_block(
            number=number,
            block_hash=block_hash,
            parent_hash=header["parentHash"],
            extrinsics=extrinsics,
            events=raw_events,
            spec_version=spec_version,
            resolve=resolve,
        )

    def _extrinsic_decoders(self, runtime: Any, spec_version: int) -> tuple | None:
        """The codec's compiled value decoders for an extrinsic's parts (V15 metadata), or None."""
        if spec_version in self._ext_decoders:
            return self._ext_decoders[spec_version]
        decoders = None
        v15 = getattr(runtime, "metadata_v15", None)
        if v15 is not None:
            try:
                ext = v15.value[1]["V15"]["extrinsic"]
                rc = runtime.runtime_config
                parts = tuple(
                    rc.get_value_decoder(f"scale_info::{ext[k]}")
                    for k in ("address_ty", "signature_ty", "extra_ty", "call_ty")
                )
                decoders = None if any(d is None for d in parts) else parts
            except Exception:  # noqa: BLE001 - unsupported shapes fall back to the object decoder
                decoders = None
        self._ext_decoders[spec_version] = decoders
        return decoders

    def _events_type(self, runtime: Any, spec_version: int) -> str:
        found = self._events_types.get(spec_version)
        if found is None:
            item = runtime.metadata.get_metadata_pallet("System").get_storage_function("Events")
            found = self._events_types[spec_version] = item.get_value_type_string()
        return found

    def _resolver(self, runtime: Any, spec_version: int):
        names = self._error_names.get(spec_version)
        if names is None:
            names = {}
            for pallet in runtime.metadata.pallets:
                errors = pallet.errors if hasattr(pallet, "errors") else None
                for err in errors or []:
                    names[(int(pallet.value["index"]), int(err.value["index"]))] = f"{pallet.name}.{err.name}"
            self._error_names[spec_version] = names
        return lambda p, e: names.get((p, e))

    # -- subscriptions -------------------------------------------------------------------------------
    async def heads(
        self, *, finalized: bool = False, newest: bool = False
    ) -> AsyncIterator[tuple[int, str, str]]:
        """Yield ``(number, hash, parent_hash)`` of new (or finalized) heads until the connection ends.

        ``newest``: when several notifications are waiting, yield only the latest (a consumer that
        fell behind catches up by number, in batches, instead of one head at a time)."""
        method = "chain_subscribeFinalizedHeads" if finalized else "chain_subscribeNewHeads"
        ws = self.sub.ws
        async with ws as w:
            item_id = await w.send({"jsonrpc": "2.0", "method": method, "params": []})
            future = w._received.get(item_id)
            if future is not None:
                await wait_for(asyncio.shield(future), self.timeout)
            resp = await w.retrieve(item_id)
            if resp is None:
                raise ChainError(f"{self.url}: no answer to {method}")
            if "error" in resp:
                raise RpcError(method, resp["error"].get("code"), resp["error"].get("message", ""))
            sub_id = resp["result"]
            # Notifications land in this queue (the library creates it on the first one otherwise):
            # wait on it instead of polling, checking the connection every second.
            queue = w._received_subscriptions.setdefault(sub_id, asyncio.Queue())
            connection = w.ws
            while True:
                try:
                    msg = await wait_for(queue.get(), 1.0)
                except TimeoutError:
                    task = w._send_recv_task
                    if task is not None and task.done():
                        raise ChainError(f"{self.url}: connection lost") from None
                    if w.ws is not connection:
                        # The library reopened a dropped socket by itself; the node forgot our subscription.
                        raise ChainError(f"{self.url}: connection was reopened; subscribing again") from None
                    continue
                while newest and not queue.empty():
                    msg = queue.get_nowait()
                header = msg["params"]["result"]
                yield _number(header), _header_hash(header), header["parentHash"]


def _decode_extrinsic_fast(decoders: tuple, data: str) -> dict[str, Any] | None:
    """Decode a v4 extrinsic with the compiled value decoders; None when it is not that shape."""
    address_dec, signature_dec, extra_dec, call_dec = decoders
    try:
        raw = bytes.fromhex(data[2:])
        _, off = decode_compact(raw, 0)
        version = raw[off]
        off += 1
        if version & 0x7F != 4:
            return None
        out: dict[str, Any] = {"extrinsic_hash": "0x" + hashlib.blake2b(raw, digest_size=32).hexdigest()}
        if version & 0x80:
            out["address"], off = address_dec.decode_at(raw, off)
            out["signature"], off = signature_dec.decode_at(raw, off)
            _, off = extra_dec.decode_at(raw, off)
        out["call"], off = call_dec.decode_at(raw, off)
        return out if off == len(raw) else None
    except Exception:  # noqa: BLE001 - the object decoder gets a second try
        return None


def _decode_extrinsic_object(runtime: Any, data: str, index: int) -> dict[str, Any]:
    try:
        cls = runtime.runtime_config.get_decoder_class("Extrinsic")
        obj = cls(data=ScaleBytes(data), metadata=runtime.metadata, runtime_config=runtime.runtime_config)
        return obj.decode(check_remaining=True)
    except Exception as exc:  # noqa: BLE001 - the block is recorded as undecodable, with this reason
        raise ValueError(f"extrinsic {index} does not decode ({type(exc).__name__}: {exc})") from None


def _header_hash(header: dict[str, Any]) -> str:
    """Block hash from a JSON header (blake2_256 of its SCALE encoding)."""
    number = _number(header)
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


def _number(header: dict[str, Any] | None) -> int:
    if not header:
        raise ChainError("the node returned no header")
    n = header["number"]
    return int(n, 16) if isinstance(n, str) else int(n)


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if isinstance(exc, ConnectionRefusedError) or "Connect call failed" in text:
        return "connection refused"
    return text[:200]


async def _quiet_close(sub: AsyncSubstrateInterface) -> None:
    with contextlib.suppress(Exception):
        await wait_for(sub.close(), 5)
