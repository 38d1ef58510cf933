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

from .alerts.channels import DeliveryError, build_channels
from .alerts.deliverer import Deliverer
from .bus import Bus, LogLine, RulesReloaded
from .chain.client import ChainClient, ChainError
from .chain.endpoints import EndpointPool, Switch, brief
from .chain.runtimes import RuntimeRegistry
from .chain.transport import set_frame_cap
from .config import ChannelsSettings, ConfigError, Settings, load_rules_and_channels, resolve_network
from .errors import SentinelError
from .ingest.pipeline import ArtifactWriter, Pipeline
from .model import Alert
from .rules.engine import RuleEngine
from .store import AsyncStore, StoreAPI
from .tasks import cancel_and_wait

log = logging.getLogger("sentinel")

GENESIS_KEY = "genesis_hash"
"""The store's meta key for the genesis hash of the chain its blocks come from."""


class WrongChainError(SentinelError):
    """The node is of another chain than the one the database holds (their genesis hashes differ)."""


class _GoneChannel:
    """Stands in for a channel removed from sentinel.toml by a reload: its deliveries stay pending
    (retried at the deliverer's longest back-off, never given up) until the channel is back."""

    max_attempts = 2**62

    def __init__(self, name: str) -> None:
        self.name = name

    async def deliver(self, alert: Alert) -> None:
        raise DeliveryError(f"channel {self.name!r} is not configured (removed from sentinel.toml)")


class Sentinel:
    def __init__(
        self,
        settings: Settings,
        *,
        bus: Bus | None = None,
        clock: Callable[[], float] = time.time,
        console_sink: Callable[[str], Any] | None = None,
        devnet_process: bool = False,
    ) -> None:
        """``devnet_process``: the built-in devnet, when the network is ``devnet``, runs in a child
        process (the dashboard: it would otherwise produce and serve on the interpreter the screen is
        drawn with)."""
        self.settings = settings
        self.devnet_process = devnet_process
        set_frame_cap(settings.network.max_frame_mb)
        self.bus = bus or Bus()
        self.clock = clock
        self.console_sink = console_sink
        self._store: AsyncStore | None = None
        self.devnet: Any = None
        net = settings.network
        self._pool: EndpointPool | None = self._new_pool(
            [resolve_network(name) for name in net.endpoints], archive=False
        )
        archive = net.archive_endpoints
        self._archive_pool: EndpointPool | None = (
            None if archive is None else self._new_pool([resolve_network(n) for n in archive], archive=True)
        )
        self._archive_shared = archive is None
        """No archive endpoints configured: backfills read from the live endpoints (the same pool)."""
        self.engine = RuleEngine(settings.rules, clock=clock)
        self.rules_error: str | None = None
        self._pipeline: Pipeline | None = None
        self._deliverer: Deliverer | None = None
        self._stop = asyncio.Event()
        self._deliver_stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._deliver_task: asyncio.Task[None] | None = None
        self._rules_mtime: float | None = None
        self._genesis: str | None = None

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
    async def start(
        self, *, deliver: bool = True, watch_rules: bool = True, live: bool = True, delegated: bool = False
    ) -> Sentinel:
        """Open the store, start the devnet when the network is ``devnet``, build the pipeline and the
        deliverer. ``live=False`` (a backfill run) needs only the archive node: when one is configured,
        no devnet is started for the network. ``delegated``: this is a child process writing under
        its parent's writer lock (the dashboard's backfill)."""
        tune_gc()
        store = self._store = await AsyncStore.open(self.settings.storage.path, delegated=delegated)
        if self.url is None and (live or self.settings.network.archive is None):
            await self._start_devnet()
        path = self.settings.storage.artifact_path
        artifact = ArtifactWriter(path) if path is not None else None
        if path is not None:
            self.bus.publish(LogLine(text=f"artifact: every processed block as a JSON line to {path}"))
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
            self._deliver_task = asyncio.create_task(
                deliverer.run_forever(self._deliver_stop), name="deliverer"
            )
            self._tasks.append(self._deliver_task)
        if watch_rules and self.settings.source is not None:
            self._rules_mtime = _mtime(self.settings.source)
            self._tasks.append(asyncio.create_task(self._watch_rules(), name="rules-watch"))
        return self

    async def drain_deliveries(self) -> int:
        """Stop the background deliverer after its current round, then deliver everything due now
        (the end of a backfill: its alerts are out before the run says it is complete). Returns how
        many were delivered here."""
        task = self._deliver_task
        if task is not None:
            self._deliver_stop.set()
            self.deliverer.wake()
            await task
            self._tasks.remove(task)
            self._deliver_task = None
        total = 0
        while True:
            n = await self.deliverer.run_once()
            total += n
            if n < self.deliverer.batch:
                return total

    async def stop_delivery(self) -> None:
        """Stop the background deliverer (tests then drive ``deliverer.run_once`` themselves)."""
        task = self._deliver_task
        if task is not None:
            await cancel_and_wait(task)
            self._tasks.remove(task)
            self._deliver_task = None

    async def _start_devnet(self) -> None:
        if self.devnet_process:
            from .devnet.process import DevnetProcess

            self.devnet = await DevnetProcess(self.settings.devnet).start()
        else:
            from .devnet.server import Devnet

            self.devnet = await Devnet.from_settings(self.settings.devnet).start()
        self.url = self.devnet.url
        if self.archive_url is None:
            self.archive_url = self.url

    async def stop(self) -> None:
        self._stop.set()
        self._deliver_stop.set()
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

    # -- endpoints -------------------------------------------------------------------------------------
    def _new_pool(self, urls: list[str | None], *, archive: bool) -> EndpointPool | None:
        """The pool of ``urls``; None when there is no URL yet (the devnet, started later)."""
        known = [url for url in urls if url is not None]
        if not known or len(known) != len(urls):
            return None
        net = self.settings.network
        return EndpointPool(
            list(dict.fromkeys(known)),
            cooldown=net.cooldown,
            lag_blocks=net.lag_blocks,
            fresh=max(15.0, 5 * net.probe_interval),
            on_switch=lambda switched: self._on_switch(switched, archive),
        )

    def _on_switch(self, switched: Switch, archive: bool) -> None:
        prefix = "archive: " if archive else ""
        self.bus.publish(LogLine(level="warning", text=prefix + switched.text))

    def use_endpoints(self, live: list[str], archive: list[str] | None = None) -> None:
        """Use these endpoints (in this order) instead of the configured ones: a child process is
        given those its parent uses (the devnet it started among them). ``archive`` None: backfills
        read from the live ones."""
        self._pool = self._new_pool(list(live), archive=False)
        self._archive_shared = archive is None
        self._archive_pool = None if archive is None else self._new_pool(list(archive), archive=True)

    def endpoints_in_use(self) -> tuple[list[str], list[str] | None]:
        """The live endpoints and the archive ones (None: the same), each with the one in use first:
        what :meth:`use_endpoints` takes."""

        def ordered(pool: EndpointPool | None) -> list[str]:
            if pool is None:
                return []
            current = pool.current()
            return [current, *(url for url in pool.urls if url != current)]

        return ordered(self._pool), None if self._archive_shared else ordered(self._archive_pool)

    @property
    def pool(self) -> EndpointPool | None:
        """The live endpoints (None before the devnet is started)."""
        return self._pool

    @property
    def archive_pool(self) -> EndpointPool | None:
        """The endpoints backfills read from: the archive endpoints, else the live ones (the same pool)."""
        return self._pool if self._archive_shared else self._archive_pool

    @property
    def url(self) -> str | None:
        """The live endpoint in use (None before the devnet is started)."""
        return None if self._pool is None else self._pool.current()

    @url.setter
    def url(self, value: str | None) -> None:
        """Use this one endpoint (the devnet once started; tests on a node of their own)."""
        self._pool = None if value is None else self._new_pool([value], archive=False)

    @property
    def archive_url(self) -> str | None:
        """The archive endpoint in use."""
        pool = self.archive_pool
        return None if pool is None else pool.current()

    @archive_url.setter
    def archive_url(self, value: str | None) -> None:
        self._archive_shared = False
        self._archive_pool = None if value is None else self._new_pool([value], archive=True)

    # -- chain -----------------------------------------------------------------------------------------
    async def connect(self, *, archive: bool = False, timeout: float = 30.0) -> ChainClient:
        """A connected client to the network (or the archive node); refuses, with
        :class:`WrongChainError`, a node of another chain than the one the database holds.

        With several endpoints it connects to the one in use and, when that fails, to the next ones
        (the pool then uses the one that answered); when every one fails it raises one line naming
        each."""
        pool = self.archive_pool if archive else self._pool
        if pool is None:
            raise ChainError("no network configured")
        if len(pool) == 1:
            return await self._connect_to(pool.current(), timeout)
        failures: list[tuple[str, Exception]] = []
        for url in pool.candidates():
            try:
                client = await self._connect_to(url, timeout)
            except (ChainError, WrongChainError) as exc:
                pool.report_failure(url, brief(url, exc))
                failures.append((url, exc))
                continue
            if failures:
                pool.use(url, "; ".join(brief(u, e) for u, e in failures))
            return client
        text = "; ".join(brief(u, e) for u, e in failures)
        if all(isinstance(e, WrongChainError) for _, e in failures):
            raise WrongChainError(f"no endpoint of this database's chain: {text}")
        raise ChainError(f"no endpoint answered: {text}")

    async def reconnect(
        self, client: ChainClient, error: BaseException | str, *, archive: bool = True
    ) -> None:
        """Reopen ``client`` after ``error`` (for a job that keeps its client objects, as a backfill's
        workers do): with one endpoint on the same one, as ``client.close(); client.connect()`` does;
        with several, the endpoint is reported failed and the client reopened on the pool's endpoint in
        use, switching first when it was this one. Raises :class:`ChainError` when it cannot connect."""
        pool = self.archive_pool if archive else self._pool
        await client.close()
        if pool is not None and len(pool) > 1 and client.url in pool.urls:
            reason = brief(client.url, error)
            pool.report_failure(client.url, reason)
            if pool.current() == client.url:
                pool.switch(reason)
            target = pool.current()
            if target != client.url:
                client.url = target
                client.runtimes = RuntimeRegistry.shared(target)
                client.genesis = ""
        await client.connect()
        try:
            await self._check_genesis(client.genesis)
        except BaseException:
            await client.close()
            raise

    async def _connect_to(self, url: str, timeout: float) -> ChainClient:
        client = await ChainClient(url, timeout=timeout).connect()
        try:
            await self._check_genesis(client.genesis)
        except BaseException:
            await client.close()
            raise
        return client

    async def probe_client(self, url: str, timeout: float = 10.0) -> ChainClient:
        """A client for head probes (live mode's failover): refuses a node of another chain than the
        one connected to so far, without recording anything."""
        client = await ChainClient(url, timeout=timeout).connect()
        genesis = client.genesis.lower()
        if self._genesis and genesis and genesis != self._genesis:
            await client.close()
            raise ChainError(f"{url}: another chain (genesis {_short_hash(genesis)})")
        return client

    async def _check_genesis(self, genesis: str) -> None:
        """The first connection stores the chain's genesis hash in the database's meta; later ones
        (this run or the next) must be to the same chain."""
        store = self._store
        genesis = genesis.lower()
        if store is None or not genesis or genesis == self._genesis:
            return
        stored = await store.get_meta(GENESIS_KEY)
        if stored is None:
            await store.set_meta(GENESIS_KEY, genesis)
        elif stored.lower() != genesis:
            raise WrongChainError(
                f"{self.settings.storage.path}: this database holds chain {_short_hash(stored)} (genesis), "
                f"the node is {_short_hash(genesis)}; use another --db"
            )
        self._genesis = genesis

    @property
    def network_label(self) -> str:
        """The network as configured: its name, or the endpoints (``ws://a, ws://b``) when several."""
        net = self.settings.network
        if self.devnet is not None:
            return f"devnet ({self.url})"
        endpoints = net.endpoints
        return ", ".join(endpoints) if len(endpoints) > 1 else net.name

    @property
    def archive_label(self) -> str:
        """The node backfills read from: the archive node when one is configured, else the network."""
        archive = self.settings.network.archive
        if archive is None or (self.devnet is not None and self.archive_url == self.url):
            return self.network_label
        several = self.settings.network.archive_endpoints or []
        if len(several) > 1:
            return ", ".join(several)
        return archive if archive == self.archive_url else f"{archive} ({self.archive_url})"

    # -- rules -----------------------------------------------------------------------------------------
    def new_engine(self) -> RuleEngine:
        return RuleEngine(self.engine.rules, clock=self.clock)

    async def reload_rules(self) -> RulesReloaded:
        """Re-read the rules and the channels they route to from sentinel.toml; a broken file keeps
        the old rules and channels running. The deliverer's channel table is rebuilt: a channel that
        is gone keeps its pending deliveries pending (said once) until it is configured again."""
        source = self.settings.source
        if source is None:
            notice = RulesReloaded(count=len(self.engine.rules), error="no sentinel.toml to reload")
        else:
            try:
                rules, channels = await asyncio.to_thread(load_rules_and_channels, source)
            except ConfigError as exc:
                self.rules_error = str(exc).splitlines()[0]
                notice = RulesReloaded(count=len(self.engine.rules), error=self.rules_error)
            else:
                if channels != self.settings.channels:
                    await self._replace_channels(channels)
                self.engine.replace_rules(rules)
                self.rules_error = None
                notice = RulesReloaded(count=len(rules))
        self.bus.publish(notice)
        if notice.error:
            self.bus.publish(LogLine(level="error", text=f"rules not reloaded: {notice.error}"))
        return notice

    async def _replace_channels(self, settings: ChannelsSettings) -> None:
        self.settings.channels = settings
        if self._deliverer is None:
            return
        old = self._deliverer.channels
        table = build_channels(settings, console_sink=self.console_sink)
        added = sorted(name for name in table if name not in old or isinstance(old[name], _GoneChannel))
        gone = sorted(name for name in old if name not in table and not isinstance(old[name], _GoneChannel))
        for name, channel in old.items():
            if name not in table:
                table[name] = channel if isinstance(channel, _GoneChannel) else _GoneChannel(name)
        self._deliverer.channels = table
        if added:
            self.bus.publish(LogLine(text=f"channels added: {', '.join(added)}"))
        for name in gone:
            self.bus.publish(
                LogLine(
                    level="warning",
                    text=f"channel {name!r} is no longer in sentinel.toml: deliveries to it stay pending "
                    "until it is configured again",
                )
            )
        self._deliverer.wake()

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


def _short_hash(value: str) -> str:
    value = value.lower()
    return value if len(value) <= 12 else value[:10] + "…"


def _mtime(path: Path) -> float | None:
    try:
        return path.stat().st_mtime
    except OSError:
        return None
