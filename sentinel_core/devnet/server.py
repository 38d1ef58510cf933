"""The devnet node: Substrate JSON-RPC over a websocket, block production, and faults on demand.

``Devnet`` owns a :class:`~sentinel_core.devnet.chain.DevChain`, produces a block every
``block_time`` seconds and answers the JSON-RPC methods a Substrate client uses to read a chain
(single requests and batch frames, new/finalized head subscriptions). Responses for blocks and
events are assembled from JSON and hex prepared when the block was produced: nothing is re-encoded.

Faults for reliability tests:

- ``latency_ms`` delays every answer; ``error_rate`` answers that share of requests with a JSON-RPC
  error; ``drop_every`` closes every connection periodically; ``stall(s)`` stops block production for
  a while.
- ``rate_limit=N`` is a token bucket shared by all connections (like a public node's per-IP limit):
  it holds at most N tokens and gains N a second. With ``rate_limit_unit="call"`` (the default) each
  request costs a token, a batch frame as many as it holds requests; a frame the bucket cannot pay for
  in full has the requests it can pay for answered (in order) and the rest refused one by one, as
  per-call limiters answer. With ``"frame"`` a frame costs one token and a refused frame is refused
  whole. Refusals are error -32029 "Too many requests"; ``chain_unsubscribe*`` is free and
  subscription notifications are never refused.
- ``fail_methods={"METHOD": rate}`` answers that share of a method's requests with error -32000;
  ``"state_call:Api_method"`` names one runtime API method of ``state_call``.
- ``pruned=N`` answers state reads (storage, keys, runtime calls, runtime version, metadata) at blocks
  older than head - N the way a pruned node does (4003 "State already discarded"); blocks stay.
- ``bloat={"METHOD": mb}`` pads every answer of that method (an object) with ``mb`` megabytes, as a
  node gone wrong (or a hostile one) may send: the client's frame cap is what it tests.
- ``deaf_after=s`` makes each connection (the first ``deaf_connections`` only, when given) deaf ``s``
  seconds after it opened: still open, still read, never answered again.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from ..errors import SentinelError
from ..tasks import cancel_and_wait, wait_for
from ..units import BLOCK_TIME
from .chain import DevChain, ProducedBlock
from .metadata import DevRuntime
from .scenario import Scenario

if TYPE_CHECKING:
    from ..config import DevnetSettings

log = logging.getLogger("sentinel.devnet")

JSON = Any
"""A value decoded from a JSON-RPC request (any JSON shape: the handlers check what they take)."""

RATE_LIMITED = -32029
RATE_LIMIT_MESSAGE = "Too many requests: rate limit exceeded, retry later"
RATE_LIMIT_UNITS = ("call", "frame")
FAILED_METHOD = -32000
PRUNED_STATE = 4003
METHODS = [
    "chain_getBlock",
    "chain_getBlockHash",
    "chain_getFinalizedHead",
    "chain_getHead",
    "chain_getHeader",
    "chain_subscribeFinalizedHeads",
    "chain_subscribeNewHeads",
    "chain_unsubscribeFinalizedHeads",
    "chain_unsubscribeNewHeads",
    "rpc_methods",
    "state_call",
    "state_getKeys",
    "state_getKeysPaged",
    "state_getMetadata",
    "state_getRuntimeVersion",
    "state_getStorage",
    "state_getStorageAt",
    "state_queryStorageAt",
    "system_chain",
    "system_health",
    "system_name",
    "system_properties",
    "system_version",
]


class RpcError(SentinelError):
    """A JSON-RPC error the devnet answers a request with (``code``, ``message``)."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _encode_metadata(rt: DevRuntime) -> tuple[bytes, bytes]:
    """Encode ``rt``'s metadata, both versions (cached on it), so no request has to wait for it."""
    return rt.metadata_v14, rt.metadata_v15


def _unknown_block(h: str) -> RpcError:
    return RpcError(4003, f"Client error: UnknownBlock: State already discarded for {h}")


def _discarded(h: str) -> RpcError:
    """What a pruned (non-archive) Substrate node answers for state at a block it no longer keeps."""
    return RpcError(
        PRUNED_STATE, f"Client error: Api called for an unknown Block: State already discarded for {h}"
    )


class TokenBucket:
    """At most ``rate`` tokens, refilled at ``rate`` tokens a second (starts full)."""

    def __init__(self, rate: float) -> None:
        self.rate = float(rate)
        self.capacity = float(rate)
        self.tokens = float(rate)
        self._last = time.monotonic()

    def take(self, wanted: int) -> int:
        """Take up to ``wanted`` whole tokens now: how many were taken."""
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self._last) * self.rate)
        self._last = now
        granted = max(0, min(wanted, int(self.tokens + 1e-9)))
        self.tokens -= granted
        return granted


def runtime_api_methods(runtimes: Iterable[DevRuntime] = ()) -> set[str]:
    """The ``state_call`` method names (``Api_method``) of the devnet's runtimes (both specs, and
    ``runtimes``)."""
    from . import pallets as finney
    from .upgrade import TODAY

    apis = [*finney.APIS, *TODAY.apis, *(a for rt in runtimes for a in rt.spec.apis)]
    return {f"{api.name}_{m.name}" for api in apis for m in api.methods}


def check_fail_method(name: str, rate: float, runtimes: Iterable[DevRuntime] = ()) -> None:
    """ValueError (one line) unless ``name`` is a method the devnet serves (or ``state_call:Api_method``
    of one of its runtime APIs) and ``0 < rate <= 1``."""
    if name.startswith("state_call:"):
        api_method = name.removeprefix("state_call:")
        if api_method not in runtime_api_methods(runtimes):
            raise ValueError(f"{api_method!r} is not a runtime API method of the devnet (Api_method)")
    elif name not in METHODS:
        raise ValueError(f"{name!r} is not a method the devnet serves (see rpc_methods)")
    if not 0 < rate <= 1:
        raise ValueError(f"RATE must be more than 0 and at most 1, not {rate:g}")


def parse_fail_method(text: str) -> tuple[str, float]:
    """``METHOD[:RATE]`` (``--fail-method``) as ``(METHOD, RATE)``, RATE 1 when not given; METHOD may be
    ``state_call:Api_method``. ValueError (one line) for anything else."""
    name, rate = text, 1.0
    head, sep, tail = text.rpartition(":")
    if sep:
        try:
            rate = float(tail)
        except ValueError:
            rate = 1.0  # no RATE: the part after the colon belongs to the method (state_call:X)
        else:
            name = head
    check_fail_method(name, rate)
    return name, rate


def _costs(item: JSON) -> bool:
    """Whether a request costs a rate-limit token (unsubscribing is free; so is a malformed item)."""
    if not isinstance(item, dict):
        return False
    method = item.get("method")
    return isinstance(method, str) and not method.startswith("chain_unsub")


class Devnet:
    """A running devnet: ``async with Devnet(...) as node: node.url``."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        block_time: float = BLOCK_TIME,
        history: int = 5000,
        seed: int = 1,
        extrinsics_per_block: int = 20,
        scenario: Scenario | None = None,
        subnets: int = 8,
        governance_rate: float = 0.05,
        latency_ms: float = 0.0,
        error_rate: float = 0.0,
        drop_every: float | None = None,
        stall: float | None = None,
        rate_limit: float | None = None,
        rate_limit_unit: str = "call",
        fail_methods: Mapping[str, float] | None = None,
        bloat: Mapping[str, float] | None = None,
        pruned: int | None = None,
        deaf_after: float | None = None,
        deaf_connections: int | None = None,
        ledger_path: str | Path | None = None,
        produce: bool = True,
        runtime: DevRuntime | None = None,
        upgrade_at: int | Iterable[int] | None = None,
    ) -> None:
        if rate_limit is not None and rate_limit < 0:
            raise ValueError("rate_limit must be 0 or more (None or 0: no limit)")
        if rate_limit_unit not in RATE_LIMIT_UNITS:
            raise ValueError(
                f"rate_limit_unit must be one of {', '.join(RATE_LIMIT_UNITS)}, not {rate_limit_unit!r}"
            )
        if pruned is not None and pruned < 0:
            raise ValueError("pruned must be 0 or more (None: an archive node)")
        if deaf_after is not None and deaf_after < 0:
            raise ValueError("deaf_after must be 0 or more seconds")
        if deaf_connections is not None and (deaf_after is None or deaf_connections < 1):
            raise ValueError("deaf_connections needs deaf_after, and must be 1 or more")
        self.host = host
        self.port = port
        self.block_time = block_time
        self.history = history
        self.latency = latency_ms / 1000.0
        self.error_rate = error_rate
        self.drop_every = drop_every
        self.initial_stall = stall
        self.rate_limit = rate_limit
        self.rate_limit_unit = rate_limit_unit
        self._bucket = TokenBucket(rate_limit) if rate_limit else None
        self.pruned = pruned
        self.deaf_after = deaf_after
        self.deaf_connections = deaf_connections
        self.ledger_path = Path(ledger_path) if ledger_path else None
        self.produce_blocks = produce
        self.chain = DevChain(
            seed=seed,
            extrinsics_per_block=extrinsics_per_block,
            block_time=block_time,
            governance_rate=governance_rate,
            subnets=subnets,
            scenario=scenario,
            runtime=runtime,
            upgrade_at=upgrade_at if upgrade_at is None or isinstance(upgrade_at, int) else list(upgrade_at),
        )
        self.fail_methods = dict(fail_methods or {})
        self.bloat = {m: float(mb) for m, mb in (bloat or {}).items()}
        for name, mb in self.bloat.items():
            if name not in METHODS or mb <= 0:
                raise ValueError(f"bloat: {name!r} is not a method of the devnet, or {mb:g} MB is not > 0")
        for name, rate in self.fail_methods.items():
            check_fail_method(name, rate, self.chain.runtimes)
        self._fault_rng = random.Random(f"{seed}:faults")
        self._fail_rng = random.Random(f"{seed}:fail-methods")
        self._server: Server | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._conns: set[ServerConnection] = set()
        self._subs: dict[str, tuple[ServerConnection, str]] = {}
        self._next_sub = 0
        self._stalled_until = 0.0
        self._garbage = 0
        self._last_finalized: str | None = None
        self._opened = 0
        self._deaf: set[ServerConnection] = set()
        self.calls: Counter[str] = Counter()
        """Requests dispatched, by method (and ``state_call:Api_method`` for runtime calls): what a
        command asks of a node, for tests that then fail each of those in turn."""
        self.stats = {
            "frames": 0,
            "requests": 0,
            "rate_limited": 0,
            "calls_refused": 0,
            "errors_injected": 0,
            "methods_failed": 0,
            "state_discarded": 0,
            "dropped": 0,
            "deaf_connections": 0,
            "deaf_frames": 0,
        }
        """``rate_limited``: frames with a refused request; ``calls_refused``: requests refused;
        ``methods_failed``: answers of ``fail_methods``; ``state_discarded``: state reads refused as
        pruned; ``deaf_connections``: connections that went deaf; ``deaf_frames``: frames they sent
        after."""
        self.chain.listeners.append(self._on_block)
        self._loop: asyncio.AbstractEventLoop | None = None

    @classmethod
    def from_settings(cls, settings: DevnetSettings, **overrides: Any) -> Devnet:
        """The devnet ``[devnet]`` of sentinel.toml describes (its scenario file loaded); ``overrides``
        are further constructor arguments (``produce=False``, fault flags). The one place a devnet is
        built from settings."""
        from .scenario import load_scenario

        kwargs: dict[str, Any] = {
            "block_time": settings.block_time,
            "history": settings.history,
            "seed": settings.seed,
            "extrinsics_per_block": settings.extrinsics_per_block,
            "scenario": load_scenario(settings.scenario) if settings.scenario else None,
        }
        kwargs.update(overrides)
        return cls(**kwargs)

    # -- lifecycle ----------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"ws://{self.host}:{self.port}"

    async def start(self) -> Devnet:
        self._loop = asyncio.get_running_loop()
        # History is CPU work: do it off the event loop, before anyone can subscribe.
        self.chain.listeners.remove(self._on_block)
        await asyncio.to_thread(self.chain.produce, self.history)
        self.chain.listeners.append(self._on_block)
        for rt in self.chain.runtimes:  # later upgrades share the first upgrade's metadata
            await asyncio.to_thread(_encode_metadata, rt)
        self._server = await serve(
            self._handle, self.host, self.port, max_size=2**26, ping_interval=None, compression=None
        )
        self.port = self._server.sockets[0].getsockname()[1]
        if self.initial_stall:
            self.stall(self.initial_stall)
        if self.produce_blocks:
            self._tasks.append(asyncio.create_task(self._producer(), name="devnet-producer"))
        if self.drop_every:
            self._tasks.append(asyncio.create_task(self._dropper(), name="devnet-dropper"))
        self.write_ledger()
        log.info("devnet listening on %s", self.url)
        return self

    async def stop(self) -> None:
        await cancel_and_wait(*self._tasks)
        self._tasks.clear()
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await wait_for(self._server.wait_closed(), 5)
            self._server = None
        self.write_ledger()

    async def __aenter__(self) -> Devnet:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def write_ledger(self) -> None:
        if self.ledger_path is not None:
            self.ledger_path.write_text(json.dumps(self.chain.ledger, indent=1))

    # -- control (tests, scenarios) -----------------------------------------------------------------
    def produce(self, count: int = 1) -> list[ProducedBlock]:
        """Produce ``count`` blocks now (subscribers are notified)."""
        return self.chain.produce(count)

    def corrupt(self, number: int) -> None:
        """Serve block ``number`` with an extrinsic that does not decode (for fault tests)."""
        block = self.chain.block(number)
        if block is None:
            raise ValueError(f"no block {number}")
        block.extrinsics[-1] = "0x" + "ff" * 40
        block.__post_init__()  # rebuild the prepared JSON

    def answer_garbage(self, count: int = 1) -> None:
        """Answer the next ``count`` requests with text that is not JSON (for fault tests)."""
        self._garbage += count

    def stall(self, seconds: float) -> None:
        self._stalled_until = time.monotonic() + seconds

    @property
    def stalled(self) -> bool:
        return time.monotonic() < self._stalled_until

    async def drop_connections(self) -> None:
        self.stats["dropped"] += len(self._conns)
        for ws in list(self._conns):
            with contextlib.suppress(Exception):
                await ws.close(code=1011, reason="devnet fault: dropped")

    async def _producer(self) -> None:
        next_at = time.monotonic() + self.block_time
        while True:
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))
            next_at += self.block_time
            if self.stalled:
                continue
            self.chain.produce(1)
            if (
                self.ledger_path is not None
                and self.chain.ledger
                and self.chain.ledger[-1]["block"] == self.chain.head.number
            ):
                self.write_ledger()

    async def _dropper(self) -> None:
        assert self.drop_every
        while True:
            await asyncio.sleep(self.drop_every)
            await self.drop_connections()

    # -- subscriptions --------------------------------------------------------------------------------
    def _on_block(self, block: ProducedBlock) -> None:
        if self._loop is None:
            return
        final = self.chain.finalized
        for sub_id, (ws, kind) in list(self._subs.items()):
            if kind == "chain_newHead":
                self._notify(ws, kind, sub_id, block.header_json)
            elif final.hash != self._last_finalized:
                self._notify(ws, kind, sub_id, final.header_json)
        self._last_finalized = final.hash

    def _notify(self, ws: ServerConnection, method: str, sub_id: str, header_json: str) -> None:
        msg = (
            '{"jsonrpc":"2.0","method":"'
            + method
            + '","params":{"subscription":"'
            + sub_id
            + '","result":'
            + header_json
            + "}}"
        )
        asyncio.ensure_future(self._send(ws, msg))

    async def _send(self, ws: ServerConnection, msg: str) -> None:
        if ws in self._deaf:
            return  # answers in flight when it went deaf are lost too
        with contextlib.suppress(ConnectionClosed):
            await ws.send(msg)

    # -- connections ------------------------------------------------------------------------------------
    async def _handle(self, ws: ServerConnection) -> None:
        self._conns.add(ws)
        self._opened += 1
        deafen: asyncio.TimerHandle | None = None
        if self.deaf_after is not None and (
            self.deaf_connections is None or self._opened <= self.deaf_connections
        ):
            deafen = asyncio.get_running_loop().call_later(self.deaf_after, self._go_deaf, ws)
        try:
            async for message in ws:
                if ws in self._deaf:
                    self.stats["deaf_frames"] += 1  # read, never answered
                    continue
                asyncio.ensure_future(self._answer(ws, message))
        except ConnectionClosed:
            pass
        finally:
            if deafen is not None:
                deafen.cancel()
            self._deaf.discard(ws)
            self._conns.discard(ws)
            for sub_id in [s for s, (c, _) in self._subs.items() if c is ws]:
                del self._subs[sub_id]

    def _go_deaf(self, ws: ServerConnection) -> None:
        if ws in self._conns:
            self._deaf.add(ws)
            self.stats["deaf_connections"] += 1

    async def _answer(self, ws: ServerConnection, message: str | bytes) -> None:
        self.stats["frames"] += 1
        try:
            payload = json.loads(message)
        except (ValueError, UnicodeDecodeError):
            await self._send(
                ws, '{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}}'
            )
            return
        if self.latency:
            await asyncio.sleep(self.latency)
        if self._garbage > 0:
            self._garbage -= 1
            await self._send(ws, '{"jsonrpc":"2.0","id":')
            return
        items = payload if isinstance(payload, list) else [payload]
        admitted = self._admit(items)
        if isinstance(payload, list):
            if not payload:
                await self._send(
                    ws, '{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Invalid request"}}'
                )
                return
            parts = [
                self._dispatch(ws, item) if ok else _refused(item) for item, ok in zip(payload, admitted)
            ]
            await self._send(ws, "[" + ",".join(p for p in parts if p) + "]")
        elif not admitted[0]:
            await self._send(ws, _refused(payload))
        else:
            out = self._dispatch(ws, payload)
            if out:
                await self._send(ws, out)
            if isinstance(payload, dict) and payload.get("method") in (
                "chain_subscribeNewHeads",
                "chain_subscribeFinalizedHeads",
            ):
                self._send_initial_head(ws, payload)

    def _send_initial_head(self, ws: ServerConnection, payload: dict[str, JSON]) -> None:
        # A Substrate node sends the current head right after subscribing.
        sub = next((s for s, (c, _) in reversed(list(self._subs.items())) if c is ws), None)
        if sub is None:
            return
        kind = self._subs[sub][1]
        block = self.chain.head if kind == "chain_newHead" else self.chain.finalized
        self._notify(ws, kind, sub, block.header_json)

    def _admit(self, items: list[JSON]) -> list[bool]:
        """Which of a frame's requests the rate limit lets through (the bucket pays for them now).

        Unit ``call``: a token per request, the first ones the bucket can pay for pass, the rest are
        refused. Unit ``frame``: one token for the frame, all pass or all are refused. Requests that
        cost nothing (``chain_unsubscribe*``) pass in a call-unit frame; a frame of only those is free."""
        if self._bucket is None:
            return [True] * len(items)
        costly = [_costs(item) for item in items]
        wanted = sum(costly)
        if not wanted:
            return [True] * len(items)
        if self.rate_limit_unit == "frame":
            admitted = [self._bucket.take(1) == 1] * len(items)
        else:
            granted = self._bucket.take(wanted)
            admitted = []
            for cost in costly:
                if cost and granted <= 0:
                    admitted.append(False)
                    continue
                granted -= cost
                admitted.append(True)
        refused = admitted.count(False)
        if refused:
            self.stats["rate_limited"] += 1
            self.stats["calls_refused"] += refused
        return admitted

    def _failing(self, method: str, params: JSON) -> str | None:
        """The ``fail_methods`` entry that refuses this request now (its name), else None."""
        names = [method]
        if method == "state_call" and isinstance(params, list) and params and isinstance(params[0], str):
            names.insert(0, f"state_call:{params[0]}")
        for name in names:
            rate = self.fail_methods.get(name)
            if rate is not None and (rate >= 1 or self._fail_rng.random() < rate):
                return name
        return None

    def _dispatch(self, ws: ServerConnection, req: JSON) -> str:
        if not isinstance(req, dict) or not isinstance(req.get("method"), str):
            rid = req.get("id") if isinstance(req, dict) else None
            return _error(rid, -32600, "Invalid request")
        rid = req.get("id")
        method = req["method"]
        params = req.get("params") or []
        self.stats["requests"] += 1
        self.calls[method] += 1
        if method == "state_call" and isinstance(params, list) and params and isinstance(params[0], str):
            self.calls[f"state_call:{params[0]}"] += 1
        if (
            self.error_rate
            and not method.startswith("chain_unsub")
            and self._fault_rng.random() < self.error_rate
        ):
            self.stats["errors_injected"] += 1
            return _error(rid, -32603, "Internal error (devnet fault injection)")
        if self.fail_methods:
            failing = self._failing(method, params)
            if failing is not None:
                self.stats["methods_failed"] += 1
                return _error(rid, FAILED_METHOD, f"Client error: devnet --fail-method: {failing} refused")
        handler = getattr(self, "rpc_" + method, None)
        if handler is None:
            return _error(rid, -32601, f"Method not found: {method}")
        try:
            if not isinstance(params, list):
                raise RpcError(-32602, "Invalid params: expected an array")
            raw: str = handler(ws, *params)
        except RpcError as exc:
            return _error(rid, exc.code, exc.message)
        except TypeError as exc:
            return _error(rid, -32602, f"Invalid params: {exc}")
        except (ValueError, KeyError) as exc:
            return _error(rid, -32602, f"Invalid params: {exc}")
        if method in self.bloat and raw.endswith("}"):
            raw = raw[:-1] + ',"padding":"' + "x" * int(self.bloat[method] * 1024 * 1024) + '"}'
        return '{"jsonrpc":"2.0","id":' + json.dumps(rid) + ',"result":' + raw + "}"

    # -- helpers ---------------------------------------------------------------------------------------
    def _at(self, block_hash: str | None) -> ProducedBlock:
        if block_hash is None:
            return self.chain.head
        block = self.chain.by_hash.get(block_hash)
        if block is None:
            raise _unknown_block(block_hash)
        if self.pruned is not None and block.number < self.chain.head.number - self.pruned:
            self.stats["state_discarded"] += 1
            raise _discarded(block.hash)
        return block

    @staticmethod
    def _j(value: JSON) -> str:
        return json.dumps(value, separators=(",", ":"))

    # -- RPC methods (each returns the JSON text of its result) ------------------------------------------
    def rpc_rpc_methods(self, ws: ServerConnection) -> str:
        return self._j({"version": 1, "methods": METHODS})

    def rpc_system_chain(self, ws: ServerConnection) -> str:
        return '"Bittensor"'

    def rpc_system_name(self, ws: ServerConnection) -> str:
        return '"Sentinel devnet"'

    def rpc_system_version(self, ws: ServerConnection) -> str:
        return '"0.1.0-devnet"'

    def rpc_system_properties(self, ws: ServerConnection) -> str:
        return '{"ss58Format":42,"tokenDecimals":9,"tokenSymbol":"TAO"}'

    def rpc_system_health(self, ws: ServerConnection) -> str:
        return '{"peers":0,"isSyncing":false,"shouldHavePeers":false}'

    def rpc_chain_getHead(self, ws: ServerConnection) -> str:
        return self._j(self.chain.head.hash)

    def rpc_chain_getFinalizedHead(self, ws: ServerConnection) -> str:
        return self._j(self.chain.finalized.hash)

    def rpc_chain_getBlockHash(self, ws: ServerConnection, number: JSON = None) -> str:
        if number is None:
            return self._j(self.chain.head.hash)
        if isinstance(number, list):
            return "[" + ",".join(self.rpc_chain_getBlockHash(ws, n) for n in number) + "]"
        n = int(number, 16) if isinstance(number, str) else int(number)
        block = self.chain.block(n)
        return "null" if block is None else self._j(block.hash)

    def rpc_chain_getHeader(self, ws: ServerConnection, block_hash: str | None = None) -> str:
        block = self.chain.head if block_hash is None else self.chain.by_hash.get(block_hash)
        return "null" if block is None else block.header_json

    def rpc_chain_getBlock(self, ws: ServerConnection, block_hash: str | None = None) -> str:
        block = self.chain.head if block_hash is None else self.chain.by_hash.get(block_hash)
        return "null" if block is None else block.block_json

    def rpc_state_getRuntimeVersion(self, ws: ServerConnection, block_hash: str | None = None) -> str:
        block = self._at(block_hash)
        return self._j(self.chain.runtime_at(block.number).runtime_version())

    def rpc_state_getMetadata(self, ws: ServerConnection, block_hash: str | None = None) -> str:
        block = self._at(block_hash)
        return '"0x' + self.chain.runtime_at(block.number).metadata_v14.hex() + '"'

    def rpc_state_getStorage(self, ws: ServerConnection, key: str, block_hash: str | None = None) -> str:
        value = self._storage(bytes.fromhex(key.removeprefix("0x")), self._at(block_hash))
        return "null" if value is None else value

    rpc_state_getStorageAt = rpc_state_getStorage

    def _storage(self, key: bytes, block: ProducedBlock) -> str | None:
        if key == self.chain.events_key:
            return '"' + block.events_hex + '"'
        value = self.chain.storage_value(key, block)
        return None if value is None else '"0x' + value.hex() + '"'

    def rpc_state_queryStorageAt(
        self, ws: ServerConnection, keys: list[str], block_hash: str | None = None
    ) -> str:
        block = self._at(block_hash)
        changes = ",".join(
            "["
            + self._j(k)
            + ","
            + (self._storage(bytes.fromhex(k.removeprefix("0x")), block) or "null")
            + "]"
            for k in keys
        )
        return '[{"block":' + self._j(block.hash) + ',"changes":[' + changes + "]}]"

    def rpc_state_getKeysPaged(
        self,
        ws: ServerConnection,
        prefix: str,
        count: int,
        start_key: str | None = None,
        block_hash: str | None = None,
    ) -> str:
        block = self._at(block_hash)
        keys = self.chain.keys_with_prefix(bytes.fromhex((prefix or "0x").removeprefix("0x")), block.number)
        start = bytes.fromhex(start_key.removeprefix("0x")) if start_key else b""
        out = ["0x" + k.hex() for k in keys if k > start][: int(count)]
        return self._j(out)

    def rpc_state_getKeys(self, ws: ServerConnection, prefix: str, block_hash: str | None = None) -> str:
        return self.rpc_state_getKeysPaged(ws, prefix, 1_000_000, None, block_hash)

    def rpc_state_call(
        self, ws: ServerConnection, method: str, data: str, block_hash: str | None = None
    ) -> str:
        block = self._at(block_hash)
        out = self.chain.runtime_call(method, bytes.fromhex((data or "0x").removeprefix("0x")), block.number)
        if out is None:
            raise RpcError(
                4003, f"Client error: Execution failed: Other: Exported method {method} is not found"
            )
        return '"0x' + out.hex() + '"'

    def _subscribe(self, ws: ServerConnection, kind: str) -> str:
        self._next_sub += 1
        sub_id = f"sub{self._next_sub}"
        self._subs[sub_id] = (ws, kind)
        return self._j(sub_id)

    def _unsubscribe(self, ws: ServerConnection, sub_id: str) -> str:
        return "true" if self._subs.pop(sub_id, None) is not None else "false"

    def rpc_chain_subscribeNewHeads(self, ws: ServerConnection) -> str:
        return self._subscribe(ws, "chain_newHead")

    def rpc_chain_subscribeFinalizedHeads(self, ws: ServerConnection) -> str:
        return self._subscribe(ws, "chain_finalizedHead")

    rpc_chain_unsubscribeNewHeads = _unsubscribe
    rpc_chain_unsubscribeFinalizedHeads = _unsubscribe


def _refused(item: JSON) -> str:
    """The rate-limit refusal of one request."""
    return _error(item.get("id") if isinstance(item, dict) else None, RATE_LIMITED, RATE_LIMIT_MESSAGE)


def _error(rid: JSON, code: int, message: str) -> str:
    return (
        '{"jsonrpc":"2.0","id":'
        + json.dumps(rid)
        + ',"error":{"code":'
        + str(code)
        + ',"message":'
        + json.dumps(message)
        + "}}"
    )
