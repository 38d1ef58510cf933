"""A devnet on its own thread and event loop, for tests and benchmarks that need a node
independent of the event loop (or loops) of the code under test."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from .server import Devnet

T = TypeVar("T")


class BackgroundDevnet:
    def __init__(self, **kwargs: Any) -> None:
        self.kwargs = kwargs
        self.node: Devnet | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    def start(self, timeout: float = 120.0) -> BackgroundDevnet:
        self._thread = threading.Thread(target=self._main, name="devnet", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout):
            raise TimeoutError("devnet did not start")
        if self._error is not None:
            raise self._error
        return self

    def _main(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        try:
            self.node = Devnet(**self.kwargs)
            loop.run_until_complete(self.node.start())
        except BaseException as exc:  # noqa: BLE001 - reported to start()
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        loop.run_forever()
        loop.run_until_complete(self.node.stop())
        loop.close()

    @property
    def url(self) -> str:
        assert self.node is not None
        return self.node.url

    def call(self, fn: Callable[[Devnet], T], timeout: float = 60.0) -> T:
        """Run ``fn(node)`` on the devnet's loop (a coroutine result is awaited there)."""
        assert self._loop is not None and self.node is not None
        node = self.node

        async def run() -> T:
            result = fn(node)
            if asyncio.iscoroutine(result):
                result = await result
            return result

        return asyncio.run_coroutine_threadsafe(run(), self._loop).result(timeout)

    def ledger(self) -> list[dict[str, Any]]:
        return self.call(lambda n: list(n.chain.ledger))

    def stop(self) -> None:
        if self._loop is not None and self._loop.is_running():
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(30)

    def __enter__(self) -> BackgroundDevnet:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
