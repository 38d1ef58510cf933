"""The devnet in a process of its own, for the dashboard.

In the dashboard's process the devnet would produce its history and answer every request (a
backfill's thousands a second among them) on the interpreter the screen is drawn with. In a child
process it shares only the cores. The child builds the devnet from ``[devnet]``, says its URL over a
pipe and serves until the pipe closes (the parent stopped it or is gone); it ends with its parent even
one killed with kill -9 (``PR_SET_PDEATHSIG``, as the decoding processes do).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import multiprocessing
import os
import signal
import threading
import time
from multiprocessing.connection import Connection
from typing import Any

from ..children import die_with_parent, exit_text, real_stderr
from ..config import DevnetSettings
from ..errors import SentinelError

START_TIMEOUT = 300.0
"""Seconds a devnet may take to produce its history and listen."""


class DevnetProcessError(SentinelError):
    """The devnet's process did not start (or ended before it listened)."""


class DevnetProcess:
    """A devnet served by a child process: ``await DevnetProcess(settings).start()``, ``url``,
    ``await stop()`` (what :class:`~sentinel_core.devnet.server.Devnet` offers its owner)."""

    def __init__(self, settings: DevnetSettings) -> None:
        self.settings = settings
        self.url = ""
        self._conn: Connection | None = None
        self._process: multiprocessing.process.BaseProcess | None = None
        self._starter: threading.Thread | None = None
        self._stopped = threading.Event()

    async def start(self) -> DevnetProcess:
        started: concurrent.futures.Future[str] = concurrent.futures.Future()

        # The process's parent thread lives as long as the process (PR_SET_PDEATHSIG fires when the
        # thread that started it ends): it starts it, waits for the URL, then for the stop.
        def parent_thread() -> None:
            ctx = multiprocessing.get_context("spawn")
            mine, theirs = ctx.Pipe(duplex=True)
            process = ctx.Process(
                target=_serve, args=(theirs, self.settings, os.getpid()), name="sentinel-devnet", daemon=True
            )
            try:
                with real_stderr():
                    process.start()
            except Exception as exc:  # noqa: BLE001 - handed to the awaiting start()
                started.set_exception(DevnetProcessError(f"the devnet did not start: {exc}"))
                return
            theirs.close()
            self._conn, self._process = mine, process
            ok, value = self._await_url(mine, process)
            started.set_result(value) if ok else started.set_exception(value)
            self._stopped.wait()
            with contextlib.suppress(OSError):
                mine.close()  # the devnet stops when its pipe closes
            process.join(2)
            if process.is_alive():
                process.kill()
                process.join(2)

        self._starter = threading.Thread(target=parent_thread, name="sentinel-devnet", daemon=True)
        self._starter.start()
        try:
            self.url = await asyncio.wrap_future(started)
        except BaseException:
            await self.stop()
            raise
        return self

    def _await_url(self, conn: Connection, process: multiprocessing.process.BaseProcess) -> tuple[bool, Any]:
        """In the parent thread: the devnet's URL, or why there is none."""
        deadline = time.monotonic() + START_TIMEOUT
        while not self._stopped.is_set():  # stopped while it starts: the dashboard quit
            if conn.poll(0.2):
                try:
                    kind, value = conn.recv()
                except (EOFError, OSError):
                    process.join(1)
                    return False, DevnetProcessError(
                        f"the devnet ended as it started ({exit_text(process.exitcode)})"
                    )
                return (True, value) if kind == "url" else (False, DevnetProcessError(str(value)))
            if time.monotonic() > deadline:
                return False, DevnetProcessError(f"the devnet did not listen within {START_TIMEOUT:g} s")
        return False, DevnetProcessError("the devnet was stopped as it started")

    async def stop(self) -> None:
        self._stopped.set()
        starter = self._starter
        if starter is not None:
            await asyncio.to_thread(starter.join, 10)


def _serve(conn: Connection, settings: DevnetSettings, parent: int) -> None:
    """The child: build the devnet, say its URL, serve until the pipe closes."""
    die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the dashboard's; it stops us
    try:
        asyncio.run(_run(conn, settings))
    except Exception as exc:  # noqa: BLE001 - said to the parent, which raises it
        with contextlib.suppress(OSError, EOFError):
            conn.send(("error", f"the devnet did not start: {exc}"))


async def _run(conn: Connection, settings: DevnetSettings) -> None:
    from .server import Devnet

    node = await Devnet.from_settings(settings).start()
    try:
        conn.send(("url", node.url))
        # Served until the parent closes its end of the pipe (or is gone).
        await asyncio.to_thread(_wait_closed, conn)
    finally:
        await node.stop()


def _wait_closed(conn: Connection) -> None:
    with contextlib.suppress(EOFError, OSError):
        while True:
            conn.recv()
