"""The transport seam: the only module that touches async-substrate-interface's internals.

A :class:`Transport` is one websocket to one node, through the library's
``AsyncSubstrateInterface``: it connects, sends one JSON-RPC batch frame and waits for every answer
(failing at once when the connection drops), subscribes to notifications, and closes quietly. It
also hands the library the state a handshake found (chain name, head, runtime), so that the
library's own calls (storage queries, runtime calls) work on the connection, and it classifies
what the node refuses: :class:`RpcError` knows a rate-limit refusal from a transient failure.

Everything else in ``sentinel_core.chain`` talks to the node through this module and the library's
public methods.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import socket
from collections.abc import AsyncIterator, Sequence
from typing import Any
from urllib.parse import urlsplit

from async_substrate_interface import AsyncSubstrateInterface
from async_substrate_interface.types import Runtime
from async_substrate_interface.types import _decode_v15_metadata as _library_decode_v15

from ..errors import SentinelError
from ..tasks import wait_for

# The library logs every refused request at ERROR level to stderr (no handler configured), which would
# scribble over the dashboard; Sentinel reports those failures itself, as one line where they matter.
for _name in ("async_substrate_interface", "raw_websocket", "websockets"):
    logging.getLogger(_name).addHandler(logging.NullHandler())
    logging.getLogger(_name).propagate = False

RATE_LIMIT_CODES = {-32029, 429, -32098, -32005}
PRUNED_HINT = (
    "; this node no longer keeps that block's state (a pruned node): ask an archive node "
    "(--network <archive>; for backfills --archive, [network] archive or BITTENSOR_ARCHIVE_NETWORK)"
)
MAX_FRAME_MB = 32.0
"""The largest answer (one websocket frame) a connection accepts by default, in MB."""
_frame_cap_mb = MAX_FRAME_MB


def set_frame_cap(mb: float) -> None:
    """The largest answer new connections of this process accept (``[network] max_frame_mb``)."""
    global _frame_cap_mb
    _frame_cap_mb = float(mb)


Call = tuple[str, list[Any]]
"""One JSON-RPC request: ``(method, params)``."""


class ChainError(SentinelError):
    """A one-line, user-facing description of what went wrong talking to the node."""


class RpcError(ChainError):
    """A request the node answered with an error: said with the node, the call (the runtime API of a
    ``state_call``, the storage item of a storage read) and the block it was about."""

    def __init__(
        self,
        method: str,
        code: int | None,
        message: str,
        *,
        url: str = "",
        params: Sequence[Any] = (),
        number: int | None = None,
    ) -> None:
        self.method = method
        self.code = code
        self.message = message
        self.url = url
        self.params = list(params)
        self.number = number
        """The number of the block the call was about, when the caller knows it."""
        where = f" at {self.block}" if self.block else ""
        text = f"{self.call}{where}: node answered error {code}: {message}"
        if self.pruned:
            text += PRUNED_HINT
        super().__init__(f"{url}: {text}" if url else text)

    @property
    def call(self) -> str:
        """The call in words: ``runtime API X``, ``storage System.Events``, or the RPC method."""
        params = self.params
        if self.method == "state_call" and params and isinstance(params[0], str):
            return f"state_call {params[0]}"
        if self.method.startswith("state_getStorage") and params and isinstance(params[0], str):
            name = STORAGE_NAMES.get(params[0])
            return f"{self.method} {name or params[0][:18] + '…'}"
        return self.method

    @property
    def block(self) -> str:
        """The block the call was about: ``#N`` or a short hash ('' when none was given)."""
        params = self.params
        if self.number is not None:
            return f"block #{self.number:,}"
        if self.method == "chain_getBlockHash" and params and isinstance(params[0], int):
            return f"block #{params[0]:,}"
        for p in reversed(params):
            if isinstance(p, str) and len(p) == 66 and p.startswith("0x"):
                return f"block {p[:10]}…{p[-4:]}"
        return ""

    def at_block(self, number: int) -> RpcError:
        """The same error, said of block ``number``."""
        return RpcError(self.method, self.code, self.message, url=self.url, params=self.params, number=number)

    @property
    def pruned(self) -> bool:
        """The node answered as a pruned node does for state it discarded."""
        return _is_pruned_text(self.message) or "unknown block" in self.message.lower()

    @property
    def rate_limited(self) -> bool:
        return self.code in RATE_LIMIT_CODES or is_rate_limit_text(self.message)

    @property
    def transient(self) -> bool:
        """An error worth asking again for (the node failed, not the request)."""
        return not self.rate_limited and not self.pruned and self.code in (-32603, -32000, -32001)


STORAGE_NAMES = {
    "0x26aa394eea5630e07c48ae0c9558cef780d41e5e16056765bc8461851072c9d7": "System.Events",
}
"""Storage keys Sentinel reads by key, by name (for error messages)."""


_HTTP_429 = re.compile(r"(?<![0-9a-fx])429(?![0-9a-f])")
"""An HTTP 429 in a message, not the digits 429 inside a block hash or another number."""


def is_rate_limit_text(text: str) -> bool:
    text = text.lower()
    return "too many" in text or "rate limit" in text or _HTTP_429.search(text) is not None


def reason(exc: BaseException) -> str:
    """The first line of ``exc`` (its type name when it says nothing), at most 200 characters."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if isinstance(exc, socket.gaierror):
        if exc.errno in _NO_SUCH_NAME:
            return "the host name does not resolve"
        return f"the host name cannot be resolved now ({exc.strerror or text})"
    if isinstance(exc, ConnectionRefusedError) or "Connect call failed" in text:
        return "connection refused"
    return text[:200]


_NO_SUCH_NAME = {
    getattr(socket, name)
    for name in ("EAI_NONAME", "EAI_NODATA", "EAI_ADDRFAMILY", "EAI_FAIL")
    if hasattr(socket, name)
}
"""getaddrinfo's answers for a name that has no address (the others, like EAI_AGAIN, may pass)."""


async def resolve_host(url: str) -> None:
    """Look the URL's host name up with the event loop's resolver: :class:`socket.gaierror` at once for
    a name that does not resolve (the library would retry the connection until its timeout and then
    say only that there was no answer)."""
    parts = urlsplit(url)
    if not parts.hostname:
        return
    try:
        port = parts.port
    except ValueError:
        port = None
    port = port or (443 if parts.scheme in ("wss", "https") else 80)
    await asyncio.get_running_loop().getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)


@contextlib.asynccontextmanager
async def library_call(url: str, what: str, block: str | int | None = None) -> AsyncIterator[None]:
    """Around a call into the library (its storage queries, runtime calls, runtime loading): whatever
    it raises, other than our own errors and cancellation, becomes one :class:`ChainError` line naming
    the node, what was read and at which block ("... storage SubtensorModule.Keys at block #120: node
    answered error -32000: ..."), with the pruned-node hint when the node discarded that state."""
    try:
        yield
    except (ChainError, asyncio.CancelledError):
        raise
    except Exception as exc:  # noqa: BLE001 - the library's errors are many and untyped
        if block is None:
            at = ""
        elif isinstance(block, int):
            at = f" at block #{block:,}"
        else:
            at = f" at block {block[:10]}…{block[-4:]}" if len(block) == 66 else f" at {block}"
        detail = library_reason(exc)
        text = f"{url}: {what}{at}: {detail}"
        if _is_pruned_text(detail) or type(exc).__name__ == "StateDiscardedError":
            text += PRUNED_HINT
        raise ChainError(text) from None


def library_reason(exc: BaseException) -> str:
    """What the library's exception says, in one line: a JSON-RPC error it passed on as a dict (or the
    repr of one) becomes ``node answered error CODE: MESSAGE``."""
    arg = exc.args[0] if exc.args else None
    if isinstance(arg, dict) and ("code" in arg or "message" in arg):
        return f"node answered error {arg.get('code')}: {arg.get('message', '')}"[:300]
    if isinstance(arg, dict) and isinstance(arg.get("error"), dict):
        e = arg["error"]
        return f"node answered error {e.get('code')}: {e.get('message', '')}"[:300]
    name = type(exc).__name__
    if name == "MaxRetriesExceeded":
        return "no answer after the library's retries (the connection may be dead)"
    if name == "StateDiscardedError":
        return "node answered: state already discarded for that block"
    text = reason(exc)
    if name == "SubstrateRequestException":
        return f"node answered: {text}"
    if text.startswith(name):
        return text
    return f"{name}: {text}" if text != name else name


def _closed_for_size(thing: Any) -> bool:
    """A websocket connection (or the ConnectionClosed the library's receive loop ended with) that
    was closed with code 1009, message too big."""
    if thing is None:
        return False
    if type(thing).__name__ == "PayloadTooBig":
        return True
    protocol = getattr(thing, "protocol", None)
    closes = [getattr(thing, "rcvd", None), getattr(thing, "sent", None)]
    closes += [getattr(protocol, "close_sent", None), getattr(protocol, "close_rcvd", None)]
    return any(getattr(c, "code", None) == 1009 for c in closes if c is not None)


def _is_pruned_text(text: str) -> bool:
    low = text.lower()
    return "state already discarded" in low or "state discarded" in low or "unknownblock" in low


def decode_v15_metadata(metadata: bytes, *, runtime_config: Any) -> Any:
    """The library's decode of raw V15 metadata (magic, version byte, body) into its metadata object."""
    return _library_decode_v15(metadata, runtime_config=runtime_config)


class Transport:
    """One connection to ``url`` through the library, and what the library needs to know of it."""

    def __init__(self, url: str, *, timeout: float, max_frame_mb: float | None = None) -> None:
        self.url = url
        self.timeout = timeout
        self.max_frame_mb = _frame_cap_mb if max_frame_mb is None else max_frame_mb
        self.substrate = AsyncSubstrateInterface(
            url, ss58_format=42, max_retries=2, retry_timeout=timeout, ws_shutdown_timer=None
        )
        # The library accepts frames of up to 4 GiB, read whole into memory: a node that answers
        # 50 MB would cost a CLI 600 MB. Beyond the cap the websocket closes (code 1009) and
        # lost_reason() says why.
        self.substrate.ws._options["max_size"] = int(self.max_frame_mb * 1024 * 1024)
        self._too_big = False
        """A connection was closed for an answer beyond the cap (the library reconnects by itself and
        asks again, so the close code of the socket in use later says nothing)."""
        ws = self.substrate.ws
        receive = ws._start_receiving

        async def watched_receive(conn: Any) -> Any:
            ended = await receive(conn)
            if _closed_for_size(ended) or _closed_for_size(conn):
                self._too_big = True
            return ended

        ws._start_receiving = watched_receive  # type: ignore[method-assign,assignment]

    def lost_reason(self) -> str:
        """Why the connection was lost, in words: the frame cap when that is what closed it."""
        return self.too_big() or "connection lost while waiting for an answer"

    def too_big(self) -> str | None:
        """When the connection was closed for an answer beyond the frame cap, that, in words."""
        if self._too_big or _closed_for_size(getattr(self.substrate.ws, "ws", None)):
            return (
                f"the node sent an answer larger than {self.max_frame_mb:g} MB, the most Sentinel "
                "takes in one frame (raise [network] max_frame_mb if the node is right)"
            )
        return None

    # -- connection ---------------------------------------------------------------------------------
    async def connect(self) -> None:
        """Open the websocket (nothing is asked of the node yet); a host name that does not resolve
        raises :class:`socket.gaierror` at once (see :func:`reason`)."""
        await resolve_host(self.url)
        await self.substrate.ws.connect()  # type: ignore[no-untyped-call]

    async def close(self) -> None:
        """Close the connection; failures to do so are of no interest."""
        with contextlib.suppress(Exception):
            await wait_for(self.substrate.close(), 5)  # type: ignore[no-untyped-call]

    # -- frames -------------------------------------------------------------------------------------
    async def send_batch(self, calls: Sequence[Call]) -> list[Any]:
        """Send ``calls`` as one JSON-RPC batch frame and wait for all their answers: results in order,
        :class:`RpcError` objects for the requests the node refused. A lost connection, a timeout or a
        frame that does not fit raises :class:`ChainError`."""
        if not calls:
            return []
        ws = self.substrate.ws
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
                            raise ChainError(f"{self.url}: {self.lost_reason()}")
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
            raise ChainError(f"{self.url}: {self.too_big() or reason(exc)}") from None
        out: list[Any] = []
        if len(responses) != len(calls):
            raise ChainError(
                f"{self.url}: the node answered {len(responses)} results for {len(calls)} requests"
            )
        for (method, params), resp in zip(calls, responses):
            if not isinstance(resp, dict):
                out.append(
                    RpcError(
                        method, None, f"malformed answer {str(resp)[:80]!r}", url=self.url, params=params
                    )
                )
            elif "error" in resp:
                err: dict[str, Any] = (
                    resp["error"] if isinstance(resp["error"], dict) else {"message": str(resp["error"])}
                )
                out.append(
                    RpcError(
                        method, err.get("code"), str(err.get("message", "")), url=self.url, params=params
                    )
                )
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
            too_big = self.too_big()
            if too_big:
                raise ChainError(f"{self.url}: {too_big}")
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise ChainError(f"{self.url}: no answer within {self.timeout:g} s")
            _, pending = await asyncio.wait(futures, timeout=min(1.0, remaining))
            if not pending:
                continue
            task = w._send_recv_task
            if task is not None and task.done():
                raise ChainError(f"{self.url}: {self.lost_reason()}")

    # -- subscriptions ------------------------------------------------------------------------------
    async def subscribe(self, method: str, *, newest: bool = False) -> AsyncIterator[Any]:
        """Subscribe with ``method`` and yield each notification's ``result`` until the connection ends
        (then :class:`ChainError`). ``newest``: when several are waiting, yield only the latest."""
        ws = self.substrate.ws
        async with ws as w:
            item_id = await w.send({"jsonrpc": "2.0", "method": method, "params": []})
            future = w._received.get(item_id)
            if future is not None:
                await wait_for(asyncio.shield(future), self.timeout)
            resp = await w.retrieve(item_id)
            if resp is None:
                raise ChainError(f"{self.url}: no answer to {method}")
            if "error" in resp:
                raise RpcError(
                    method, resp["error"].get("code"), resp["error"].get("message", ""), url=self.url
                )
            sub_id = resp["result"]
            # Notifications land in this queue (the library creates it on the first one otherwise):
            # wait on it instead of polling, checking the connection every second.
            queue: asyncio.Queue[Any] = w._received_subscriptions.setdefault(sub_id, asyncio.Queue())
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
                yield msg["params"]["result"]

    # -- the library's view of the connection ----------------------------------------------------
    def metadata_call(self, block_hash: str) -> Call:
        """The request for the V15 metadata (the version the library reads) at ``block_hash``."""
        return "state_call", ["Metadata_metadata_at_version", self.substrate.metadata_version_hex, block_hash]

    @property
    def chain(self) -> str:
        return self.substrate.chain or ""

    @property
    def type_registry(self) -> dict[str, Any] | None:
        registry: dict[str, Any] | None = self.substrate.type_registry
        return registry

    @property
    def ss58_format(self) -> int | None:
        return self.substrate.ss58_format

    def add_runtime(self, spec_version: int, runtime: Runtime) -> None:
        """Let the library use ``runtime`` for blocks of ``spec_version`` without loading it again."""
        self.substrate.runtime_cache.add_item(runtime_version=spec_version, runtime=runtime)

    def adopt_head(self, *, chain: str, number: int, head: str, spec_version: int, runtime: Runtime) -> None:
        """Tell the library what a handshake found, as ``initialize()`` would have: the chain's name,
        the head and the runtime in force there."""
        sub = self.substrate
        sub._chain = chain
        sub.runtime_cache.add_item(
            block=number, block_hash=head, runtime_version=spec_version, runtime=runtime
        )
        sub.startup_block_hash = sub.last_block_hash = head
        sub.initialized = True

    async def initialize_library_way(self) -> Runtime | None:
        """The library's own handshake (for a runtime without V15 metadata); the runtime it loaded."""
        sub = self.substrate
        await sub.initialize()
        runtime: Runtime | None = None
        if sub.startup_runtime_task is not None:
            runtime = await sub.startup_runtime_task
            sub.startup_runtime_task = None
        return runtime

    async def runtime_for_version(self, spec_version: int, block_hash: str) -> Runtime:
        """The runtime ``spec_version`` as the library loads it (at ``block_hash``'s parent)."""
        runtime: Runtime = await self.substrate.get_runtime_for_version(spec_version, block_hash)
        return runtime
