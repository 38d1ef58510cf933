"""The devnet node: Substrate JSON-RPC over a websocket, block production, and faults on demand.

``Devnet`` owns a :class:`~sentinel_core.devnet.chain.DevChain`, produces a block every
``block_time`` seconds and answers the JSON-RPC methods a Substrate client uses to read a chain
(single requests and batch frames, new/finalized head subscriptions). Responses for blocks and
events are assembled from JSON and hex prepared when the block was produced: nothing is re-encoded.

Faults for reliability tests: ``latency_ms`` delays every answer, ``error_rate`` answers that share of
requests with a JSON-RPC error, ``drop_every`` closes every connection periodically, ``stall(s)``
stops block production for a while, ``rate_limit`` refuses requests beyond N per second (across all
connections, like a public node's per-IP limit; a batch frame counts as one request, as an HTTP request
does) with error -32029 "Too many requests".
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import time
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
        ledger_path: str | Path | None = None,
        produce: bool = True,
        runtime: DevRuntime | None = None,
        upgrade_at: int | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.block_time = block_time
        self.history = history
        self.latency = latency_ms / 1000.0
        self.error_rate = error_rate
        self.drop_every = drop_every
        self.initial_stall = stall
        self.rate_limit = rate_limit
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
            upgrade_at=upgrade_at,
        )
        self._fault_rng = random.Random(f"{seed}:faults")
        self._server: Server | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._conns: set[ServerConnection] = set()
        self._subs: dict[str, tuple[ServerConnection, str]] = {}
        self._next_sub = 0
        self._stalled_until = 0.0
        self._garbage = 0
        self._last_finalized: str | None = None
        self._window_start = 0.0
        self._window_calls = 0
        self.stats = {"frames": 0, "requests": 0, "rate_limited": 0, "errors_injected": 0, "dropped": 0}
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
        for rt in filter(None, (self.chain.genesis_runtime, self.chain.upgraded_runtime)):
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
        with contextlib.suppress(ConnectionClosed):
            await ws.send(msg)

    # -- connections ------------------------------------------------------------------------------------
    async def _handle(self, ws: ServerConnection) -> None:
        self._conns.add(ws)
        try:
            async for message in ws:
                asyncio.ensure_future(self._answer(ws, message))
        except ConnectionClosed:
            pass
        finally:
            self._conns.discard(ws)
            for sub_id in [s for s, (c, _) in self._subs.items() if c is ws]:
                del self._subs[sub_id]

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
        if self._rate_limited():
            # Like a public node's per-IP limit: the whole request (a batch frame counts once) is refused.
            self.stats["rate_limited"] += 1
            items = payload if isinstance(payload, list) else [payload]
            errors = [
                _error(
                    i.get("id") if isinstance(i, dict) else None,
                    RATE_LIMITED,
                    "Too many requests: rate limit exceeded, retry later",
                )
                for i in items
            ]
            await self._send(ws, "[" + ",".join(errors) + "]" if isinstance(payload, list) else errors[0])
            return
        if isinstance(payload, list):
            if not payload:
                await self._send(
                    ws, '{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Invalid request"}}'
                )
                return
            parts = [self._dispatch(ws, item) for item in payload]
            await self._send(ws, "[" + ",".join(p for p in parts if p) + "]")
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

    def _rate_limited(self) -> bool:
        if not self.rate_limit:
            return False
        now = time.monotonic()
        if now - self._window_start >= 1.0:
            self._window_start = now
            self._window_calls = 0
        self._window_calls += 1
        return self._window_calls > self.rate_limit

    def _dispatch(self, ws: ServerConnection, req: JSON) -> str:
        if not isinstance(req, dict) or not isinstance(req.get("method"), str):
            rid = req.get("id") if isinstance(req, dict) else None
            return _error(rid, -32600, "Invalid request")
        rid = req.get("id")
        method = req["method"]
        params = req.get("params") or []
        self.stats["requests"] += 1
        if (
            self.error_rate
            and not method.startswith("chain_unsub")
            and self._fault_rng.random() < self.error_rate
        ):
            self.stats["errors_injected"] += 1
            return _error(rid, -32603, "Internal error (devnet fault injection)")
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
        return '{"jsonrpc":"2.0","id":' + json.dumps(rid) + ',"result":' + raw + "}"

    # -- helpers ---------------------------------------------------------------------------------------
    def _at(self, block_hash: str | None) -> ProducedBlock:
        if block_hash is None:
            return self.chain.head
        block = self.chain.by_hash.get(block_hash)
        if block is None:
            raise _unknown_block(block_hash)
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
