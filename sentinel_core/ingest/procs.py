"""Decoding processes for fast_backfill.

Decoding blocks, evaluating rules and building rows is CPU work: in one interpreter it caps a
backfill at one core however fast the node answers. With ``processes`` > 1 the backfill keeps the
network (batch frames, pacing, back-off: one throttle for the node) and the single SQLite writer in
its own process, and hands each fetched batch, undecoded, to a pool of decoding processes. Each of
them runs the same :func:`~sentinel_core.ingest.pipeline.prepare` the in-process path runs, on its own
connection (for the runtime metadata and the parent-state reads of hyperparameter changes) and its own
rules engine, and hands back plain rows. The parent writes them in one transaction per batch.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import threading
import time
from concurrent.futures import BrokenExecutor, ProcessPoolExecutor
from typing import Any

from ..chain.client import ChainClient, ChainError, RawBlock, RpcError
from ..rules.engine import RuleEngine
from .pipeline import Prepared, prepare


def auto_processes(blocks: int) -> int:
    """Processes worth starting for ``blocks`` blocks: one per core (at most 4) for a range long
    enough to pay for their start-up (~1 s each), else none beyond this one."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return 1 if blocks < 1000 else max(1, min(cores, 4))


class _Decoder:
    """A decoding process's state: its event loop, connection and rules engine, kept across batches."""

    def __init__(self, url: str, rules: list[Any], artifact: bool, timeout: float) -> None:
        from ..service import tune_gc

        tune_gc()
        self.loop = asyncio.new_event_loop()
        self.url = url
        self.timeout = timeout
        self.engine = RuleEngine(rules)
        self.artifact = artifact
        self.client: ChainClient | None = None

    async def prepare(self, raw: list[RawBlock]) -> Prepared:
        if self.client is None:
            self.client = await ChainClient(self.url, timeout=self.timeout).connect()
        try:
            blocks = await self.client.decode_raw(raw)
            return await prepare(self.client, blocks, self.engine, artifact=self.artifact)
        except ChainError:
            await self.client.close()  # the next batch starts from a fresh connection
            self.client = None
            raise


_decoder: _Decoder | None = None


def _start(url: str, rules: list[Any], artifact: bool, timeout: float) -> None:
    global _decoder
    _decoder = _Decoder(url, rules, artifact, timeout)
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), name="parent-watch", daemon=True).start()


def _exit_with_parent(parent: int) -> None:
    """A killed backfill (kill -9) cannot stop its decoding processes: each stops itself once its
    parent is gone, instead of waiting forever on the pool's queue."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)


def _prepare(raw: list[RawBlock]) -> tuple[str, Any]:
    """Runs in a decoding process. Chain errors come back as data (their classes do not survive
    pickling as they are): ``("ok", Prepared)`` or ``("chain", (method or None, code or None, message))``,
    method and code set for the node's JSON-RPC errors."""
    assert _decoder is not None
    try:
        return "ok", _decoder.loop.run_until_complete(_decoder.prepare(raw))
    except RpcError as exc:
        return "chain", (exc.method, exc.code, exc.message)
    except ChainError as exc:
        return "chain", (None, None, str(exc))


class DecoderDied(Exception):
    """Decoding processes kept ending abruptly (killed, out of memory)."""


class DecoderPool:
    """``processes`` decoding processes (spawned: the parent runs threads and an event loop). If one
    dies, the pool is started again and the batch retried, up to ``max_restarts`` times in all."""

    def __init__(self, processes: int, url: str, rules: list[Any], *, artifact: bool = False,
                 timeout: float = 30.0, max_restarts: int = 3) -> None:
        self.processes = processes
        self.max_restarts = max_restarts
        self.restarts = 0
        self._initargs = (url, list(rules), artifact, timeout)
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=self.processes, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_start, initargs=self._initargs)

    @property
    def pids(self) -> list[int]:
        """The decoding processes running now."""
        return [p.pid for p in (self._pool._processes or {}).values() if p.is_alive()]

    async def prepare(self, raw: list[RawBlock]) -> Prepared:
        """Decode, evaluate and build rows for ``raw`` in a decoding process. Raises ChainError
        (RpcError for the node's refusals) as the in-process path would."""
        loop = asyncio.get_running_loop()
        while True:
            pool = self._pool
            try:
                kind, value = await loop.run_in_executor(pool, _prepare, raw)
                break
            except BrokenExecutor:
                if pool is self._pool:  # the first to notice starts new processes
                    if self.restarts >= self.max_restarts:
                        raise DecoderDied(f"a decoding process died, {self.restarts} restart(s) already "
                                          "spent; run the backfill again to resume") from None
                    self.restarts += 1
                    pool.shutdown(wait=False, cancel_futures=True)
                    self._pool = self._new_pool()
        if kind == "ok":
            return value
        method, code, message = value
        raise RpcError(method, code, message) if method is not None else ChainError(message)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
