"""Sentinel: the core objects wired together, shared by the dashboard, headless mode and the CLI.

``Sentinel(settings)`` opens the store, starts the built-in devnet when the network is ``devnet``,
builds the rules engine and the alert channels, and offers the long-running jobs (live watching,
backfills) as coroutines that publish their progress on ``sentinel.bus``.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .alerts.channels import build_channels
from .alerts.deliverer import Deliverer
from .bus import Bus, LogLine, RulesReloaded
from .chain.client import ChainClient, ChainError
from .config import ConfigError, Settings, load_rules_only
from .errors import SentinelError
from .ingest.pipeline import ArtifactWriter, Pipeline
from .rules.engine import RuleEngine
from .store import AsyncStore, StoreAPI
from .tasks import cancel_and_wait

log = logging.getLogger("sentinel")


class Sentinel:
    def __init__(
        self,
        settings: Settings,
        *,
        bus: Bus | None = None,
        clock: Callable[[], float] = time.time,
        console_sink: Callable[[str], Any] | None = None,
    ) -> None:
        self.settings = settings
        self.bus = bus or Bus()
        self.clock = clock
        self.console_sink = console_sink
        self._store: AsyncStore | None = None
        self.devnet: Any = None
        self.url: str | None = settings.network.url
        self.archive_url: str | None = settings.network.archive_url
        self.engine = RuleEngine(settings.rules, clock=clock)
        self.rules_error: str | None = None
        self._pipeline: Pipeline | None = None
        self._deliverer: Deliverer | None = None
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._deliver_task: asyncio.Task[None] | None = None
        self._rules_mtime: float | None = None

    # -- the started core ---------------------------------------------------------------------------
    @property
    def started(self) -> bool:
        """True between ``start()`` and ``stop()``: the store, pipeline and deliverer exist."""
        return self._store is not None

    @property
    def store(self) -> StoreAPI:
        """The open store (``start()`` first)."""
        if self._store is None:
            raise SentinelError("Sentinel is not started: no store is open")
        return self._store

    @property
    def pipeline(self) -> Pipeline:
        """The one path every block goes through (``start()`` first)."""
        if self._pipeline is None:
            raise SentinelError("Sentinel is not started: no pipeline")
        return self._pipeline

    @property
    def deliverer(self) -> Deliverer:
        """The alert deliverer (``start()`` first)."""
        if self._deliverer is None:
            raise SentinelError("Sentinel is not started: no deliverer")
        return self._deliverer

    # -- lifecycle ----------------------------------------------------------------------------------
    async def start(self, *, deliver: bool = True, watch_rules: bool = True) -> Sentinel:
        tune_gc()
        store = self._store = await AsyncStore.open(self.settings.storage.path)
        if self.url is None:
            await self._start_devnet()
        artifact = ArtifactWriter(self.settings.storage.artifact) if self.settings.storage.artifact else None
        channels = build_channels(self.settings.channels, console_sink=self.console_sink)
        deliverer = self._deliverer = Deliverer(store, channels, clock=self.clock)
        # Pipelines may run on other threads' loops (the dashboard's backfill): on_new_alerts wakes the
        # deliverer in its own.
        self._pipeline = Pipeline(
            store,
            self.bus,
            artifact=artifact,
            on_new_alerts=deliverer.on_new_alerts,
            clock=self.clock,
        )
        if deliver:
            self._deliver_task = asyncio.create_task(deliverer.run_forever(self._stop), name="deliverer")
            self._tasks.append(self._deliver_task)
        if watch_rules and self.settings.source is not None:
            self._rules_mtime = _mtime(self.settings.source)
            self._tasks.append(asyncio.create_task(self._watch_rules(), name="rules-watch"))
        return self

    async def stop_delivery(self) -> None:
        """Stop the background deliverer (tests then drive ``deliverer.run_once`` themselves)."""
        task = self._deliver_task
        if task is not None:
            await cancel_and_wait(task)
            self._tasks.remove(task)
            self._deliver_task = None

    async def _start_devnet(self) -> None:
        from .devnet.server import Devnet

        self.devnet = await Devnet.from_settings(self.settings.devnet).start()
        self.url = self.devnet.url
        if self.archive_url is None:
            self.archive_url = self.url

    async def stop(self) -> None:
        self._stop.set()
        await cancel_and_wait(*self._tasks)
        self._tasks.clear()
        if self.devnet is not None:
            await self.devnet.stop()
            self.devnet = None
        if self._store is not None:
            await self._store.close()
            self._store = None

    async def __aenter__(self) -> Sentinel:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # -- chain -----------------------------------------------------------------------------------------
    async def connect(self, *, archive: bool = False, timeout: float = 30.0) -> ChainClient:
        url = self.archive_url if archive else self.url
        if url is None:
            raise ChainError("no network configured")
        return await ChainClient(url, timeout=timeout).connect()

    @property
    def network_label(self) -> str:
        name = self.settings.network.name
        return f"devnet ({self.url})" if self.devnet is not None else name

    # -- rules -----------------------------------------------------------------------------------------
    def new_engine(self) -> RuleEngine:
        return RuleEngine(self.engine.rules, clock=self.clock)

    async def reload_rules(self) -> RulesReloaded:
        """Re-read the rules from sentinel.toml; a broken file keeps the old rules running."""
        source = self.settings.source
        if source is None:
            notice = RulesReloaded(count=len(self.engine.rules), error="no sentinel.toml to reload")
        else:
            try:
                rules = await asyncio.to_thread(load_rules_only, source)
            except ConfigError as exc:
                self.rules_error = str(exc).splitlines()[0]
                notice = RulesReloaded(count=len(self.engine.rules), error=self.rules_error)
            else:
                self.engine.replace_rules(rules)
                self.rules_error = None
                notice = RulesReloaded(count=len(rules))
        self.bus.publish(notice)
        if notice.error:
            self.bus.publish(LogLine(level="error", text=f"rules not reloaded: {notice.error}"))
        return notice

    async def _watch_rules(self) -> None:
        source = self.settings.source
        assert source is not None
        while True:
            await asyncio.sleep(1.0)
            mtime = _mtime(source)
            if mtime is not None and mtime != self._rules_mtime:
                self._rules_mtime = mtime
                await self.reload_rules()


def tune_gc() -> None:
    """Decoding a block allocates thousands of small objects; with the default gen-0 threshold (700)
    the collector runs several times per block and costs a third of backfill throughput. Objects
    created before ingestion starts are frozen out of collection, and gen 0 collects less often."""
    gc.freeze()
    gc.set_threshold(50_000, 20, 50)


def collect_connection_garbage() -> None:
    """Every connection builds its codec's type classes anew, and they become cyclic garbage when it
    closes (~40 KB each). With the thresholds of :func:`tune_gc` the collector would let them pile up
    over the reconnects of a long run; one full collection after a connection ends (~30 ms, rare)
    keeps memory flat."""
    gc.collect()


def _mtime(path: Path) -> float | None:
    try:
        return path.stat().st_mtime
    except OSError:
        return None
