"""SentinelApp: the dashboard. Layout, key bindings, command palette and the workers that run the core.

The Sentinel core (store, devnet, rules, live watching, backfills) runs in Textual workers in the
app's own event loop: it is async and never blocks. A bus listener turns every core notice into a
Textual message posted to the app; the app routes each message to the widgets that show it. Widgets
read their history from SQLite when the core starts, so reopening the app shows what was stored.
No handler awaits the chain: chain reads (head, hyperparameters, a block not in the store) run in
workers over one shared UI client.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
from collections.abc import Callable
from datetime import tzinfo
from functools import partial
from typing import Any

from textual import work
from textual.app import App, ComposeResult, ScreenStackError
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.css.query import NoMatches
from textual.message import Message
from textual.screen import Screen
from textual.widgets import TabbedContent, TabPane
from textual.worker import Worker, WorkerState

from sentinel_core.bus import HeadUpdated
from sentinel_core.chain.client import ChainClient
from sentinel_core.chain.queries import subnets_at
from sentinel_core.config import Settings
from sentinel_core.ingest.backfill import Backfill, BackfillError
from sentinel_core.ingest.live import LiveRunner
from sentinel_core.service import Sentinel
from sentinel_core.tasks import wait_for

from .messages import (
    AlertAcknowledged,
    AlertNotice,
    BackfillNotice,
    BlockNotice,
    ConnectionNotice,
    CoreFailed,
    CoreStarted,
    HeadNotice,
    HyperparamNotice,
    LogNotice,
    OpenAlert,
    OpenBlock,
    RulesNotice,
    RuntimeNotice,
    SentinelNotice,
    SubnetsKnown,
    to_message,
)
from .widgets.alert_detail import AlertDetailScreen
from .widgets.backfill import BackfillPane
from .widgets.block_detail import BlockDetailScreen
from .widgets.block_flow import BlockFlow
from .widgets.help_screen import HelpScreen
from .widgets.hyperparams import HyperparamsPane
from .widgets.jump_screen import JumpScreen
from .widgets.key_bar import KeyBar
from .widgets.rule_hits import RuleHitsPane
from .widgets.status_header import StatusHeader
from .widgets.subnet import SubnetPane

PANES: dict[str, str] = {
    "blocks": "Blocks",
    "hyperparams": "Hyperparameters",
    "subnet": "Subnet",
    "alerts": "Alerts",
    "backfill": "Backfill",
}
PANE_GROUP = Binding.Group("Panes", compact=True)
TOAST_INTERVAL = 2.0
"""At most one alert / log toast this often (seconds); the lists always have everything."""


class SentinelCommands(Provider):
    """Command palette: panes, subnets (hyperparameters and neurons), backfill, rules, jump to block, help."""

    def _commands(self) -> list[tuple[str, Callable[[], Any], str]]:
        app: SentinelApp = self.app  # type: ignore[assignment]
        commands: list[tuple[str, Callable[[], Any], str]] = [
            (f"Show {title}", partial(app.action_show_pane, pane), f"switch to the {title} pane")
            for pane, title in PANES.items()
        ]
        commands += [
            (
                "Subnet: next subnet",
                partial(app.subnet_pane_action, "subnet", 1),
                "the Subnet pane: the next subnet's neurons",
            ),
            (
                "Subnet: previous subnet",
                partial(app.subnet_pane_action, "subnet", -1),
                "the Subnet pane: the previous subnet's neurons",
            ),
            (
                "Subnet: sort by the next column",
                partial(app.subnet_pane_action, "sort"),
                "the Subnet pane: sort the neurons by the next column",
            ),
            (
                "Subnet: reverse the sort",
                partial(app.subnet_pane_action, "reverse"),
                "the Subnet pane: reverse the neurons' order",
            ),
            (
                "Start backfill",
                app.action_new_backfill,
                "open the backfill form (range, mode, workers, batch)",
            ),
            ("Reload rules", app.action_reload_rules, "re-read the rules from sentinel.toml"),
            ("Jump to block", app.action_jump, "show any block's extrinsics and events"),
            ("Help", app.action_help, "every key"),
        ]
        if app.backfill_running:
            commands += [
                (
                    "Pause / resume backfill",
                    app.toggle_backfill_pause,
                    "pause or resume the running backfill",
                ),
                ("Cancel backfill", app.cancel_backfill, "stop the running backfill"),
            ]
        commands += [
            (f"Switch subnet {n}", partial(app.switch_subnet, n), f"show subnet {n}'s hyperparameters")
            for n in app.known_subnets
        ]
        commands += [
            (
                f"Neurons of subnet {n}",
                partial(app.show_subnet_neurons, n),
                f"show subnet {n}'s neurons (its newest metagraph snapshot)",
            )
            for n in app.known_subnets
        ]
        return commands

    async def discover(self) -> Hits:
        for name, callback, help_text in self._commands():
            if not name.startswith(("Switch subnet", "Neurons of subnet")):
                yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        app: SentinelApp = self.app  # type: ignore[assignment]
        digits = query.strip().lstrip("#").replace(",", "")
        if digits.isdigit():
            number = int(digits)
            yield Hit(
                1.0,
                f"Open block #{number:,}",
                partial(app.open_block, number),
                help="show this block's extrinsics and events",
            )
            if number in app.known_subnets:
                yield Hit(
                    0.9,
                    f"Switch subnet {number}",
                    partial(app.switch_subnet, number),
                    help=f"show subnet {number}'s hyperparameters",
                )
                yield Hit(
                    0.85,
                    f"Neurons of subnet {number}",
                    partial(app.show_subnet_neurons, number),
                    help=f"show subnet {number}'s neurons (its newest metagraph snapshot)",
                )
        matcher = self.matcher(query)
        for name, callback, help_text in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)


class SentinelApp(App):
    """The Sentinel dashboard.

    ``SentinelApp(settings)`` starts the core (and the devnet when the network is ``devnet``) and
    follows the chain. ``live=False`` only shows what is stored (no live watching; the head is read
    once). ``sentinel`` lets a caller pass a core it built (started or not; the app stops it on exit
    only when the app started it). ``tz`` is the time zone for block times (None = local), ``clock``
    the monotonic clock for rates.
    """

    CSS_PATH = "sentinel.tcss"
    TITLE = "Sentinel"
    COMMANDS = App.COMMANDS | {SentinelCommands}
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    AUTO_FOCUS = "#blocks-table"

    BINDINGS = [
        Binding("1", "show_pane('blocks')", "Blocks", group=PANE_GROUP),
        Binding("2", "show_pane('hyperparams')", "Hyperparameters", group=PANE_GROUP),
        Binding("3", "show_pane('subnet')", "Subnet", group=PANE_GROUP),
        Binding("4", "show_pane('alerts')", "Alerts", group=PANE_GROUP),
        Binding("5", "show_pane('backfill')", "Backfill", group=PANE_GROUP),
        Binding("slash", "filter", "Filter"),
        Binding("r", "reload_rules", "Rules"),
        Binding("b", "new_backfill", "Backfill"),
        Binding("g", "jump", "Go to"),
        Binding("question_mark", "help", "Help"),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(
        self,
        settings: Settings,
        *,
        live: bool = True,
        sentinel: Sentinel | None = None,
        tz: tzinfo | None = None,
        clock: Callable[[], float] = time.monotonic,
        max_blocks: int = 500,
    ) -> None:
        super().__init__()
        self.animation_level = "none"  # a monitor redraws often enough; animations only cost frames
        # A backfill decodes on its own thread: hand the interpreter back to the UI thread every 2 ms
        # (default 5 ms) so key presses are not held up behind it.
        sys.setswitchinterval(0.002)
        self.settings = settings
        self.live = live
        self.sentinel = sentinel if sentinel is not None else Sentinel(settings)
        self.tz = tz
        self.clock = clock
        self.max_blocks = max_blocks
        self.known_subnets: list[int] = []
        self.core_ready = False
        self.head_known = False
        self.core_error: str | None = None
        self._owns_sentinel = False
        self._unsubscribe: Callable[[], None] | None = None
        self._ui_client: ChainClient | None = None
        self._ui_lock: asyncio.Lock | None = None
        self._live_worker: Worker | None = None
        self._backfill: Backfill | None = None
        self._backfill_worker: Worker | None = None
        self._backfill_loop: asyncio.AbstractEventLoop | None = None
        self._last_toast = -1e9
        self._focus_form = False
        self._focus_done_for: str | None = None
        self._widgets: dict[str, Any] = {}

    # -- layout -------------------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield StatusHeader(id="status", clock=self.clock)
        with TabbedContent(id="panes", initial="blocks"):
            with TabPane("1 Blocks", id="blocks"):
                yield BlockFlow(id="flow", tz=self.tz, max_rows=self.max_blocks)
            with TabPane("2 Hyperparams", id="hyperparams"):
                yield HyperparamsPane(id="hp")
            with TabPane("3 Subnet", id="subnet"):
                yield SubnetPane(id="sn")
            with TabPane("4 Alerts", id="alerts"):
                yield RuleHitsPane(id="hits")
            with TabPane("5 Backfill", id="backfill"):
                yield BackfillPane(id="bf")
        yield KeyBar()

    def _widget(self, selector: str, cls: type) -> Any:
        """A dashboard widget, looked up once (still answers while screens close at exit)."""
        widget = self._widgets.get(selector)
        if widget is None:
            widget = self._widgets[selector] = self.main_screen.query_one(selector, cls)
        return widget

    @property
    def main_screen(self) -> Screen:
        """The dashboard's own screen (detail and help screens are pushed above it)."""
        return self.screen_stack[0] if self.screen_stack else self.screen

    @property
    def header(self) -> StatusHeader:
        return self._widget("#status", StatusHeader)

    @property
    def flow(self) -> BlockFlow:
        return self._widget("#flow", BlockFlow)

    @property
    def hyperparams(self) -> HyperparamsPane:
        return self._widget("#hp", HyperparamsPane)

    @property
    def subnet_pane(self) -> SubnetPane:
        return self._widget("#sn", SubnetPane)

    @property
    def rule_hits(self) -> RuleHitsPane:
        return self._widget("#hits", RuleHitsPane)

    @property
    def backfill_pane(self) -> BackfillPane:
        return self._widget("#bf", BackfillPane)

    @property
    def active_pane(self) -> str:
        return str(self.main_screen.query_one("#panes", TabbedContent).active)

    # -- start and stop -----------------------------------------------------------------------------------
    def on_mount(self) -> None:
        label = self.settings.network.name
        self.header.set_network(
            f"{label} (starting…)" if self.sentinel.store is None else self.sentinel.network_label
        )
        self._unsubscribe = self.sentinel.bus.subscribe(self._on_bus_notice)
        self.flow.focus_main()
        self.boot()

    @work(group="core", exclusive=True, exit_on_error=False)
    async def boot(self) -> None:
        s = self.sentinel
        try:
            if s.store is None:
                self._owns_sentinel = True
                await s.start()
            store = s.store
            assert store is not None
            latest = await store.latest_block()
            block = await store.get_block(latest) if latest is not None else None
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - shown in the header; the app stays usable
            self.post_message(CoreFailed(f"could not start: {type(exc).__name__}: {exc}"))
            return
        header = self.header
        header.set_network(s.network_label)
        header.set_rules(len(s.engine.rules), s.rules_error)
        header.set_stored(latest, block.spec_version if block is not None else None)
        self.core_ready = True
        self._broadcast(CoreStarted)
        self.refresh_subnets()
        if self.live:
            self._live_worker = self.run_worker(
                self._run_live(), name="live", group="live", exit_on_error=False
            )
        else:
            header.set_live_off()
            self.probe_head()

    async def _run_live(self) -> None:
        try:
            await LiveRunner(self.sentinel).run()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001
            self.post_message(CoreFailed(f"live watching stopped: {type(exc).__name__}: {exc}"))

    @work(group="probe", exclusive=True, exit_on_error=False)
    async def probe_head(self) -> None:
        """live=False: read the head once so the header shows best, finalized and lag."""
        try:
            client = await self.ui_client()
            best, _ = await client.head()
            finalized, _ = await client.finalized_head()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001
            self.drop_ui_client()
            self.header.conn_error = f"head not read: {type(exc).__name__}: {exc}"
            self.header.refresh(layout=True)
            self.head_known = True
            return
        self.post_message(HeadNotice(HeadUpdated(best=best, finalized=finalized)))
        self.head_known = True

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A UI worker that failed is shown, never silent (and never takes the dashboard down)."""
        worker = event.worker
        if event.state == WorkerState.ERROR and worker.error is not None and self.is_running:
            err = worker.error
            self.notify(
                f"{worker.name or worker.group}: {type(err).__name__}: {err}", severity="error", timeout=6
            )

    def on_core_failed(self, message: CoreFailed) -> None:
        self.core_error = message.error
        self.header.set_core_error(message.error)
        self.notify(message.error, severity="error", timeout=10)

    async def on_unmount(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
        for worker in (self._backfill_worker, self._live_worker):
            if worker is not None and not worker.is_finished:
                worker.cancel()
        tasks = [
            t
            for w in (self._backfill_worker, self._live_worker)
            if w is not None and (t := getattr(w, "_task", None)) is not None and not t.done()
        ]
        if tasks:
            await asyncio.wait(tasks, timeout=5)
        await self._close_ui_client()
        if self._owns_sentinel:
            with contextlib.suppress(Exception):
                await self.sentinel.stop()

    # -- the shared UI chain client -----------------------------------------------------------------------
    async def ui_client(self) -> ChainClient:
        """One connection for the UI's own reads (head, hyperparameters, blocks not stored)."""
        if self._ui_lock is None:
            self._ui_lock = asyncio.Lock()
        async with self._ui_lock:
            if self._ui_client is None:
                self._ui_client = await self.sentinel.connect(timeout=15.0)
            return self._ui_client

    def drop_ui_client(self) -> None:
        """Forget a client that failed; the next read reconnects."""
        client, self._ui_client = self._ui_client, None
        if client is not None:
            self.run_worker(client.close(), group="ui-close", exit_on_error=False)

    async def _close_ui_client(self) -> None:
        client, self._ui_client = self._ui_client, None
        if client is not None:
            with contextlib.suppress(Exception):
                await wait_for(client.close(), 5)

    @work(group="subnets", exclusive=True, exit_on_error=False)
    async def refresh_subnets(self) -> None:
        try:
            client = await self.ui_client()
            _, head_hash = await client.head()
            netuids = await subnets_at(client, head_hash)
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - fall back to the subnets the store has seen
            self.drop_ui_client()
            store = self.sentinel.store
            changes = await store.hyperparam_history(limit=2000) if store is not None else []
            netuids = sorted({c.netuid for c in changes if c.netuid is not None})
        self.known_subnets = netuids
        self.hyperparams.post_message(SubnetsKnown(netuids))
        self.subnet_pane.post_message(SubnetsKnown(netuids))

    # -- notices: bus -> message -> widgets ---------------------------------------------------------------
    def _on_bus_notice(self, notice: Any) -> None:
        message = to_message(notice)
        if message is not None:
            self.post_message(message)

    def _route(self, message: SentinelNotice, *names: str) -> None:
        """Post a copy of ``message`` to each named widget (``header``, ``flow``, ...)."""
        try:
            targets = [getattr(self, name) for name in names]
        except (NoMatches, ScreenStackError):  # shutting down: the dashboard screen is gone
            return
        for target in targets:
            target.post_message(message.copy())

    def _broadcast(self, factory: Callable[[], Message]) -> None:
        for target in (
            self.header,
            self.flow,
            self.hyperparams,
            self.subnet_pane,
            self.rule_hits,
            self.backfill_pane,
        ):
            target.post_message(factory())

    def on_connection_notice(self, message: ConnectionNotice) -> None:
        self._route(message, "header")

    def on_head_notice(self, message: HeadNotice) -> None:
        self._route(message, "header", "backfill_pane")

    def on_block_notice(self, message: BlockNotice) -> None:
        self._route(message, "header", "flow", "subnet_pane")

    def on_alert_notice(self, message: AlertNotice) -> None:
        self._route(message, "rule_hits")
        alert = message.notice.alert
        try:
            muted = self.rule_hits.muted
        except (NoMatches, ScreenStackError):
            return
        if alert.severity.value == "critical" and alert.rule not in muted:
            self._toast(f"{alert.rule} at #{alert.block:,}: {alert.message}", severity="error")

    def on_hyperparam_notice(self, message: HyperparamNotice) -> None:
        self._route(message, "hyperparams")

    def on_backfill_notice(self, message: BackfillNotice) -> None:
        self._route(message, "backfill_pane")
        n = message.notice
        if n.state == "done":
            self.notify(f"backfill done: {n.done:,} blocks (#{n.start:,} – #{n.end:,})", timeout=4)
        elif n.state == "failed":
            self.notify(f"backfill failed: {n.error}", severity="error", timeout=8)

    def on_rules_notice(self, message: RulesNotice) -> None:
        self._route(message, "header")
        n = message.notice
        if n.error:
            self.notify(f"rules not reloaded: {n.error}", severity="error", timeout=8)
        else:
            self.notify(f"rules reloaded: {n.count}", timeout=3)

    def on_runtime_notice(self, message: RuntimeNotice) -> None:
        self._route(message, "header")
        self._toast(f"runtime upgraded at #{message.notice.block:,}", severity="warning", force=True)

    def on_log_notice(self, message: LogNotice) -> None:
        n = message.notice
        if n.level in ("warning", "error"):
            self._toast(n.text, severity="warning" if n.level == "warning" else "error")

    def _toast(self, text: str, *, severity: str = "information", force: bool = False) -> None:
        now = self.clock()
        if force or now - self._last_toast >= TOAST_INTERVAL:
            self._last_toast = now
            self.notify(text, severity=severity, timeout=5)  # type: ignore[arg-type]

    # -- requests from widgets ----------------------------------------------------------------------------
    def on_open_block(self, message: OpenBlock) -> None:
        self.open_block(message.number, message.extrinsic)

    def on_open_alert(self, message: OpenAlert) -> None:
        self.push_screen(AlertDetailScreen(message.alert_id, message.alert, message.acknowledged, tz=self.tz))

    def open_block(self, number: int, extrinsic: int | None = None) -> None:
        self.push_screen(BlockDetailScreen(number, extrinsic=extrinsic, tz=self.tz))

    def acknowledge_alert(self, alert_id: int) -> None:
        self._acknowledge(alert_id)

    @work(group="ack", exit_on_error=False)
    async def _acknowledge(self, alert_id: int) -> None:
        store = self.sentinel.store
        if store is None:
            return
        if await store.acknowledge(alert_id):
            self.rule_hits.post_message(AlertAcknowledged(alert_id))
            for screen in self.screen_stack:
                if isinstance(screen, AlertDetailScreen):
                    screen.post_message(AlertAcknowledged(alert_id))
            self.notify(f"alert #{alert_id} acknowledged", timeout=2)

    def switch_subnet(self, netuid: int) -> None:
        self.action_show_pane("hyperparams")
        self.hyperparams.select_subnet(netuid)

    def show_subnet_neurons(self, netuid: int) -> None:
        self.action_show_pane("subnet")
        self.subnet_pane.select_subnet(netuid)

    def subnet_pane_action(self, action: str, *args: Any) -> None:
        """Show the Subnet pane and run one of its actions (``subnet``, ``sort``, ``reverse``)."""
        self.action_show_pane("subnet")
        getattr(self.subnet_pane, f"action_{action}")(*args)

    # -- backfill -----------------------------------------------------------------------------------------
    @property
    def backfill_running(self) -> bool:
        return self._backfill_worker is not None and not self._backfill_worker.is_finished

    def start_backfill(
        self,
        *,
        start: int,
        end: int,
        mode: str = "fast_backfill",
        workers: int | None = None,
        batch_size: int | None = None,
    ) -> str | None:
        """Start a backfill in a worker beside live watching; returns a problem, or None when started."""
        if not self.core_ready:
            return "the core is not started yet"
        if self.backfill_running:
            return "a backfill is already running (c cancels it)"
        try:
            job = Backfill(
                self.sentinel,
                start=start,
                end=end,
                mode=mode,  # type: ignore[arg-type]
                workers=workers,
                batch_size=batch_size,
            )
        except BackfillError as exc:
            return str(exc)
        self._backfill = job
        self._backfill_worker = self.run_worker(
            self._run_backfill(job), name="backfill", group="backfill", exit_on_error=False
        )
        return None

    async def _run_backfill(self, job: Backfill) -> None:
        """The backfill runs on a thread with its own event loop: decoding blocks is CPU work that
        would otherwise hold up key presses in this loop (the GIL's switch interval bounds the wait)."""
        loop = asyncio.new_event_loop()
        self._backfill_loop = loop
        task_box: list[asyncio.Task] = []

        def run() -> None:
            asyncio.set_event_loop(loop)
            try:
                task = loop.create_task(job.run())
                task_box.append(task)
                loop.run_until_complete(task)
            except BaseException:  # noqa: BLE001 - the failure arrives as a BackfillProgress notice too
                pass
            finally:
                loop.run_until_complete(loop.shutdown_asyncgens())
                loop.close()

        thread = asyncio.create_task(asyncio.to_thread(run))
        try:
            await asyncio.shield(thread)
        except asyncio.CancelledError:
            if task_box and not loop.is_closed():
                loop.call_soon_threadsafe(task_box[0].cancel)
            with contextlib.suppress(BaseException):
                await wait_for(asyncio.shield(thread), 10)
            raise
        finally:
            self._backfill_loop = None

    def toggle_backfill_pause(self) -> str | None:
        """Pause or resume the running backfill; the new state, or None when none runs."""
        job = self._backfill
        if job is None or not self.backfill_running:
            return None
        target = job.resume if job.state == "paused" else job.pause
        loop = self._backfill_loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(target)  # the job's events belong to the backfill's own loop
            return "running" if job.state == "paused" else "paused"
        target()
        return job.state

    def cancel_backfill(self) -> bool:
        if not self.backfill_running or self._backfill_worker is None:
            return False
        job = self._backfill
        if job is not None and job.state == "paused":
            loop = self._backfill_loop
            if loop is not None and not loop.is_closed():
                loop.call_soon_threadsafe(job.resume)  # let the workers see the cancellation
            else:
                job.resume()
        self._backfill_worker.cancel()
        return True

    # -- actions ------------------------------------------------------------------------------------------
    def _to_main_screen(self) -> None:
        while len(self.screen_stack) > 1:
            self.pop_screen()

    def _pane_widget(self, pane: str) -> Any:
        return {
            "blocks": self.flow,
            "hyperparams": self.hyperparams,
            "subnet": self.subnet_pane,
            "alerts": self.rule_hits,
            "backfill": self.backfill_pane,
        }.get(pane)

    def _focus_pane(self, pane: str) -> None:
        target = self._pane_widget(pane)
        if (
            target is None
            or self.active_pane != pane
            or len(self.screen_stack) > 1
            or self._focus_done_for == pane
        ):
            return
        self._focus_done_for = pane  # focus() is deferred: later requests for this pane are no-ops
        if pane == "backfill" and self._focus_form:
            self._focus_form = False
            target.focus_form()
        elif self.focused is None or target not in self.focused.ancestors_with_self:
            target.focus_main()

    def action_show_pane(self, pane: str) -> None:
        self._to_main_screen()
        self._focus_done_for = None
        self.main_screen.query_one("#panes", TabbedContent).active = pane
        # Focus the new pane now: otherwise Textual moves the focus off the hidden pane to the next
        # focusable widget (maybe an Input, which would swallow the next key).
        self._focus_pane(pane)
        self.call_after_refresh(self._focus_pane, pane)

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id:
            self.call_after_refresh(self._focus_pane, event.pane.id)
        if event.pane.id == "hyperparams":
            self.hyperparams.refresh_if_stale()
        elif event.pane.id == "subnet" and self.subnet_pane.index_loaded:
            self.subnet_pane.check()

    def action_filter(self) -> None:
        if len(self.screen_stack) > 1:
            return
        pane = {"blocks": self.flow, "hyperparams": self.hyperparams, "alerts": self.rule_hits}.get(
            self.active_pane
        )
        if pane is None:
            self.notify("nothing to filter in this pane", timeout=2)
        else:
            pane.open_filter()

    def action_reload_rules(self) -> None:
        self._reload_rules()

    @work(group="rules", exclusive=True, exit_on_error=False)
    async def _reload_rules(self) -> None:
        await self.sentinel.reload_rules()

    def action_new_backfill(self) -> None:
        self._focus_form = True
        self.action_show_pane("backfill")

    def action_jump(self) -> None:
        def opened(number: int | None) -> None:
            if number is not None:
                self.open_block(number)

        self.push_screen(JumpScreen(), callback=opened)

    def action_help(self) -> None:
        if not any(isinstance(s, HelpScreen) for s in self.screen_stack):
            self.push_screen(HelpScreen())
