"""SentinelApp: the dashboard. Layout, key bindings, command palette and the workers that run the core.

The Sentinel core (store, devnet, rules, live watching) runs in Textual workers in the app's own
event loop: it is async and never blocks; backfills run on the job controller's own thread
(:class:`~sentinel_core.ingest.jobs.JobController`). A bus listener turns every core notice into a
Textual message posted to the app; the app routes each message to the widgets that show it, and acts
on the requests widgets post (open a block, acknowledge an alert, ...). Widgets get their data
sources through their constructors: the read model (:class:`~sentinel_core.views.Views`: the store,
and chain reads over one shared UI connection) and the job controller. They read their history when
the core starts, so reopening the app shows what was stored. No handler awaits the chain or the store:
reads run in workers.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import time
from collections.abc import Callable
from datetime import tzinfo
from functools import partial
from typing import Any, Literal, TypeVar

from textual import work
from textual.app import App, ComposeResult, ScreenStackError
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.css.query import NoMatches
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import TabbedContent, TabPane
from textual.worker import Worker, WorkerState

from sentinel_core.bus import HeadUpdated
from sentinel_core.config import Settings
from sentinel_core.errors import SentinelError
from sentinel_core.ingest.jobs import JobController
from sentinel_core.ingest.live import LiveRunner
from sentinel_core.service import Sentinel
from sentinel_core.tasks import wait_for
from sentinel_core.views import StoredHead, Views

from .messages import (
    AcknowledgeAlert,
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
    RefreshSubnets,
    RulesNotice,
    RuntimeNotice,
    SentinelNotice,
    SubnetSelected,
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

W = TypeVar("W", bound=Widget)

PANES: dict[str, str] = {
    "blocks": "Blocks",
    "hyperparams": "Hyperparameters",
    "subnet": "Subnet",
    "alerts": "Alerts",
    "backfill": "Backfill",
}
PANE_GROUP = Binding.Group("Panes", compact=True)
ESSENTIAL_KEYS = ("show_pane", "jump", "help", "quit")
"""The footer always shows these actions' keys (the panes, go to, help, quit)."""
EXPENDABLE_KEYS = ("reload_rules", "new_backfill", "filter")
"""The footer leaves these out first when the keys do not fit (they are in the palette and help)."""
RECENT_BLOCKS_AT_START = 50
"""A fresh database starts with this many of the node's recent blocks (more than a screenful)."""
SEED_TIMEOUT = 20.0
"""Seconds to wait for the node at start before live mode takes over (and says how the node is)."""
HEAD_PROBE_EVERY = 2.0
"""Seconds between head reads while live mode catches up (it tells the head only afterwards)."""
TOAST_INTERVAL = 2.0
"""At most one alert / log toast this often (seconds); the lists always have everything."""


Command = tuple[str, Callable[[], Any], str]
"""A palette entry: (name, what it runs, help line)."""


class SentinelCommands(Provider):
    """Command palette: every key's action (with its key), and panes, subnets (hyperparameters and
    neurons), backfill, rules, go to block, help. ``ctrl+p`` then a few letters of what you want."""

    def _commands(self) -> list[Command]:
        app: SentinelApp = self.app  # type: ignore[assignment]
        commands: list[Command] = [
            (
                f"Show {title} ({n})",
                partial(app.action_show_pane, pane),
                f"switch to the {title} pane",
            )
            for n, (pane, title) in enumerate(PANES.items(), 1)
        ]
        commands += [
            (
                "Subnet: next subnet (])",
                partial(app.subnet_pane_action, "subnet", 1),
                "the Subnet pane: the next subnet's neurons",
            ),
            (
                "Subnet: previous subnet ([)",
                partial(app.subnet_pane_action, "subnet", -1),
                "the Subnet pane: the previous subnet's neurons",
            ),
            (
                "Subnet: sort by the next column (s)",
                partial(app.subnet_pane_action, "sort"),
                "the Subnet pane: sort the neurons by the next column",
            ),
            (
                "Subnet: reverse the sort (S)",
                partial(app.subnet_pane_action, "reverse"),
                "the Subnet pane: reverse the neurons' order",
            ),
            (
                "Start backfill (b)",
                app.action_new_backfill,
                "open the backfill form (range, mode, workers, batch)",
            ),
            ("Reload rules (r)", app.action_reload_rules, "re-read the rules from sentinel.toml"),
            ("Go to block (g)", app.action_jump, "jump to any block by number: its extrinsics and events"),
            ("Help (?)", app.action_help, "every key"),
        ]
        if app.backfill_running:
            commands += [
                (
                    "Pause / resume backfill (p)",
                    app.toggle_backfill_pause,
                    "pause or resume the running backfill",
                ),
                ("Cancel backfill (c)", app.cancel_backfill, "stop the running backfill"),
            ]
        commands += self._key_commands(COVERED_ACTIONS)
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

    def _key_commands(self, covered: frozenset[str]) -> list[Command]:
        """Every key binding with a description that works where the palette was opened (the focused
        widget's, its pane's, the screen's and the app's), named ``Description (key)``; the app's own
        actions listed above (``covered``) and the built-in widgets' keys (cursor moves) are left out."""
        app = self.app
        try:
            chain = self.screen._modal_binding_chain  # noqa: SLF001 - the focus chain, as Footer uses it
        except AttributeError:  # pragma: no cover - older Textual
            return []
        found: dict[tuple[str, int], tuple[Any, Binding, list[str]]] = {}
        for namespace, bindings in chain:
            ours = namespace is app or type(namespace).__module__.startswith("sentinel_tui")
            if not ours:
                continue
            for key, key_bindings in bindings.key_to_bindings.items():
                for b in key_bindings:
                    action = b.action
                    if not b.description or key == app.COMMAND_PALETTE_BINDING:
                        continue
                    if namespace is app and action in covered:
                        continue
                    if app._check_action_state(action, namespace) is False:  # noqa: SLF001
                        continue
                    entry = found.setdefault((action, id(namespace)), (namespace, b, []))
                    if b.show and not entry[1].show:  # name it after the binding the footer shows
                        found[(action, id(namespace))] = entry = (namespace, b, entry[2])
                    entry[2].append(app.get_key_display(b))
        out: list[Command] = []
        for namespace, b, keys in found.values():
            keys.sort(key=len)  # q before ^q
            where = "everywhere" if namespace is app else _place(namespace)
            out.append(
                (
                    f"{b.description} ({' / '.join(dict.fromkeys(keys))})",
                    partial(app.run_action, b.action, namespace),
                    b.tooltip or where,
                )
            )
        return out

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


COVERED_ACTIONS = frozenset(
    {f"show_pane('{pane}')" for pane in PANES} | {"new_backfill", "reload_rules", "jump", "help"}
)
"""The app's key actions the palette lists under their own names (``Show Blocks (1)``, ...)."""


def _place(node: object) -> str:
    """Where a key works, for the palette's help line: the pane or screen that binds it."""
    label = getattr(node, "PALETTE_PLACE", None)
    if isinstance(label, str):
        return label
    name = type(node).__name__
    for suffix in ("Pane", "Screen"):
        if name.endswith(suffix) and name != suffix:
            return f"the {name[: -len(suffix)]} {suffix.lower()}"
    return f"the {name}"


class SentinelApp(App[None]):
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
        Binding("slash", "filter", "Filter", tooltip="filter (or find in) the list of this pane"),
        Binding("r", "reload_rules", "Rules", tooltip="re-read the rules from sentinel.toml"),
        Binding("b", "new_backfill", "Backfill", tooltip="open the backfill form"),
        Binding("g", "jump", "Go to", tooltip="go to a block by number"),
        Binding("question_mark", "help", "Help", tooltip="every key"),
        Binding("q", "quit", "Quit", tooltip="leave the dashboard"),
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
        self.settings = settings
        self.live = live
        # The built-in devnet in a process of its own: it produces and serves off the screen's interpreter.
        self.sentinel = sentinel if sentinel is not None else Sentinel(settings, devnet_process=True)
        self.views = Views(self.sentinel)
        """The read model the widgets read through (store, and the UI's chain connection)."""
        self.jobs = JobController(self.sentinel, isolate=True)
        """Backfills: started, paused and cancelled from the Backfill pane and the command palette; a
        block backfill runs in a child process (key presses do not share the interpreter with it)."""
        self.tz = tz
        self.clock = clock
        self.max_blocks = max_blocks
        self.known_subnets: list[int] = []
        self.selected_netuid: int | None = None
        """The subnet the Hyperparams and Subnet panes show (``select_subnet``; a pane's user picks it
        with ``SubnetSelected``)."""
        self.core_ready = False
        self.head_known = False
        self.core_error: str | None = None
        self.fatal_error: str | None = None
        """Why the core could not start (a bad database, ...): the app exits with code 2 and the entry
        point prints this one line."""
        self._owns_sentinel = False
        self._unsubscribe: Callable[[], None] | None = None
        self._live_worker: Worker[None] | None = None
        self._live_heads = False
        """Whether live mode has told the head yet (until then the app reads it: see ``probe_head_until_live``)."""
        self._last_toast = -1e9
        self._focus_form = False
        self._focus_done_for: str | None = None
        self._widgets: dict[str, Widget] = {}

    # -- layout -------------------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        views = self.views
        yield StatusHeader(id="status", clock=self.clock)
        with TabbedContent(id="panes", initial="blocks"):
            with TabPane("1 Blocks", id="blocks"):
                yield BlockFlow(views, id="flow", tz=self.tz, max_rows=self.max_blocks)
            with TabPane("2 Hyperparams", id="hyperparams"):
                yield HyperparamsPane(views, id="hp")
            with TabPane("3 Subnet", id="subnet"):
                yield SubnetPane(views, watched=self.settings.watch.subnets, id="sn")
            with TabPane("4 Alerts", id="alerts"):
                yield RuleHitsPane(views, id="hits")
            with TabPane("5 Backfill", id="backfill"):
                yield BackfillPane(views, self.jobs, self.settings.ingest, id="bf")
        yield KeyBar(essential=ESSENTIAL_KEYS, expendable=EXPENDABLE_KEYS)

    def _widget(self, selector: str, cls: type[W]) -> W:
        """A dashboard widget, looked up once (still answers while screens close at exit)."""
        widget = self._widgets.get(selector)
        if not isinstance(widget, cls):
            widget = self.main_screen.query_one(selector, cls)
            self._widgets[selector] = widget
        return widget

    @property
    def main_screen(self) -> Screen[Any]:
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
            f"{label} (starting…)" if not self.sentinel.started else self.sentinel.network_label
        )
        if not self.sentinel.started:
            self.header.set_activity(self._starting_text())
        self._unsubscribe = self.sentinel.bus.subscribe(self._on_bus_notice)
        self.flow.focus_main()
        self.boot()

    def _starting_text(self) -> str:
        """What the header says while the core starts."""
        settings = self.settings
        if settings.network.url is None:
            return f"starting the devnet ({settings.devnet.history:,} blocks of history)…"
        return f"opening the database {settings.storage.path}…"

    @work(group="core", exclusive=True, exit_on_error=False)
    async def boot(self) -> None:
        s = self.sentinel
        try:
            if not s.started:
                self._owns_sentinel = True
                await s.start()
            stored = await self.views.stored_head()
            if self.live and stored.number is None:
                stored = await self._seed_recent_blocks()
        except asyncio.CancelledError:
            raise
        except (SentinelError, OSError) as exc:  # a bad database, another chain's database, ...
            self.fail_start(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
            return
        except Exception as exc:  # noqa: BLE001 - shown in the header; the app stays usable
            self.post_message(CoreFailed(f"could not start: {type(exc).__name__}: {exc}"))
            return
        header = self.header
        header.set_network(s.network_label)
        header.set_rules(len(s.engine.rules), s.rules_error)
        header.set_stored(stored.number, stored.block.spec_version if stored.block is not None else None)
        self.core_ready = True
        self._broadcast(CoreStarted)
        self.refresh_subnets()
        if self.live:
            header.set_activity(f"connecting to {s.url}…")
            self._live_worker = self.run_worker(
                self._run_live(), name="live", group="live", exit_on_error=False
            )
            self.probe_head_until_live()
        else:
            header.set_live_off()
            self.probe_head()

    async def _seed_recent_blocks(self) -> StoredHead:
        """An empty store: have live mode's start-up gap fill store the node's recent blocks, so the
        block flow starts with a screenful (see ``Views.seed_recent_blocks``)."""
        self.header.set_activity(f"connecting to {self.sentinel.url}…")
        try:
            await wait_for(self.views.seed_recent_blocks(RECENT_BLOCKS_AT_START), SEED_TIMEOUT)
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - live mode then starts at the head and reports the node
            pass
        return await self.views.stored_head()

    def fail_start(self, error: str) -> None:
        """The core cannot start: leave the dashboard with exit code 2 (``fatal_error`` is the line the
        entry point prints, as headless mode does)."""
        self.fatal_error = error
        self.exit(return_code=2)

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
            best, finalized = await self.views.head()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001
            self.header.conn_error = f"head not read: {type(exc).__name__}: {exc}"
            self.header.refresh(layout=True)
            self.head_known = True
            return
        self.post_message(HeadNotice(HeadUpdated(best=best, finalized=finalized)))
        self.head_known = True

    @work(group="probe", exclusive=True, exit_on_error=False)
    async def probe_head_until_live(self) -> None:
        """Live mode stores the blocks between the last stored one and the head before it follows new
        heads (and says nothing of the head meanwhile): read the head every ``HEAD_PROBE_EVERY``
        seconds until live mode's first head notice, so the header's lag is true during a catch-up."""
        while not self._live_heads:
            head: tuple[int, int] | None = None
            try:
                head = await self.views.head()
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - the live connection reports connection trouble
                pass
            if head is not None and not self._live_heads:
                notice = HeadUpdated(best=head[0], finalized=head[1])
                self._route(HeadNotice(notice), "header", "backfill_pane")
            await asyncio.sleep(HEAD_PROBE_EVERY)

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
        """Stop everything at once (quitting takes well under a second): the backfill, live watching
        and the UI's connection together, then the core (devnet, store)."""
        if self._unsubscribe is not None:
            self._unsubscribe()
        self.jobs.cancel()
        worker = self._live_worker
        task = getattr(worker, "_task", None) if worker is not None else None
        # Live watching collects the closed connection's garbage when it ends (a full collection,
        # ~0.15 s of a quit): with the heap frozen meanwhile, there is next to nothing to sweep.
        gc.freeze()
        try:
            if worker is not None and not worker.is_finished:
                worker.cancel()
            waits = [asyncio.ensure_future(self.jobs.wait(5)), asyncio.ensure_future(self.views.close())]
            if task is not None and not task.done():
                waits.append(task)
            await asyncio.wait(waits, timeout=5)
            self.jobs.kill()  # a backfill's process that did not end when cancelled
        finally:
            gc.unfreeze()
        if self._owns_sentinel:
            with contextlib.suppress(Exception):
                await self.sentinel.stop()

    @work(group="subnets", exclusive=True, exit_on_error=False)
    async def refresh_subnets(self) -> None:
        netuids = await self.views.subnets()
        self.known_subnets = netuids
        self.hyperparams.post_message(SubnetsKnown(netuids))
        self.subnet_pane.post_message(SubnetsKnown(netuids))
        if self.selected_netuid is None and netuids:
            with_snapshots = (await self.views.snapshot_index(None)).netuids if self.views.ready else []
            if self.selected_netuid is None:
                self.select_subnet(self._first_subnet(netuids, with_snapshots))
            if self.live and self.settings.watch.snapshots and self.selected_netuid is not None:
                self.snapshot_at_start(self.selected_netuid)

    def _first_subnet(self, netuids: list[int], with_snapshots: list[int]) -> int:
        """The subnet both panes open on: the first watched one (``[watch] subnets``), else the first
        with metagraph snapshots, else the first at the head (subnet 0, root, last)."""
        watched = self.settings.watch.subnets
        if isinstance(watched, list) and watched:
            return watched[0]
        pool = with_snapshots or netuids
        return next((n for n in pool if n > 0), pool[0])

    @work(group="start-snapshot", exclusive=True, exit_on_error=False)
    async def snapshot_at_start(self, netuid: int) -> None:
        """A metagraph snapshot of the selected subnet now, when the store has none (live mode takes
        the next at its epoch, minutes away): the Subnet pane then shows its neurons at once."""
        try:
            taken = await self.views.snapshot_if_missing(netuid)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - the pane keeps saying there is no snapshot yet
            self._toast(f"metagraph snapshot of subnet {netuid} not taken: {exc}", severity="warning")
            return
        if taken is not None:
            self.subnet_pane.check(force=True)

    def select_subnet(self, netuid: int) -> None:
        """The one selected subnet: the Hyperparams and Subnet panes both show ``netuid``."""
        self.selected_netuid = netuid
        for pane in (self.hyperparams, self.subnet_pane):
            pane.select_subnet(netuid)

    def on_subnet_selected(self, message: SubnetSelected) -> None:
        """A pane's user picked a subnet: the other pane follows."""
        message.stop()
        self.select_subnet(message.netuid)

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
        if message.notice.best is not None:
            self._live_heads = True
        self._route(message, "header", "backfill_pane")

    def on_block_notice(self, message: BlockNotice) -> None:
        self._route(message, "header", "flow", "subnet_pane")

    def on_alert_notice(self, message: AlertNotice) -> None:
        self._route(message, "rule_hits")
        if message.notice.history:
            return  # found in a backfilled block: listed (as history), never toasted
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
        self.push_screen(BlockDetailScreen(number, self.views, extrinsic=extrinsic, tz=self.tz))

    def on_acknowledge_alert(self, message: AcknowledgeAlert) -> None:
        self.acknowledge_alert(message.alert_id)

    def on_refresh_subnets(self, _: RefreshSubnets) -> None:
        self.refresh_subnets()

    def acknowledge_alert(self, alert_id: int) -> None:
        self._acknowledge(alert_id)

    @work(group="ack", exit_on_error=False)
    async def _acknowledge(self, alert_id: int) -> None:
        if not self.views.ready:
            return
        if await self.views.acknowledge(alert_id):
            self.rule_hits.post_message(AlertAcknowledged(alert_id))
            for screen in self.screen_stack:
                if isinstance(screen, AlertDetailScreen):
                    screen.post_message(AlertAcknowledged(alert_id))
            self.notify(f"alert #{alert_id} acknowledged", timeout=2)

    def switch_subnet(self, netuid: int) -> None:
        self.action_show_pane("hyperparams")
        self.select_subnet(netuid)

    def show_subnet_neurons(self, netuid: int) -> None:
        self.action_show_pane("subnet")
        self.select_subnet(netuid)

    def subnet_pane_action(self, action: str, *args: Any) -> None:
        """Show the Subnet pane and run one of its actions (``subnet``, ``sort``, ``reverse``)."""
        self.action_show_pane("subnet")
        getattr(self.subnet_pane, f"action_{action}")(*args)

    # -- backfill (the job controller runs it) -----------------------------------------------------------
    @property
    def backfill_running(self) -> bool:
        return self.jobs.running

    def start_backfill(
        self,
        *,
        start: int,
        end: int,
        mode: Literal["backfill", "fast_backfill"] = "fast_backfill",
        workers: int | None = None,
        batch_size: int | None = None,
    ) -> str | None:
        """Start a backfill beside live watching; returns a problem, or None when started."""
        if not self.core_ready:
            return "the core is not started yet"
        return self.jobs.start_backfill(
            start=start, end=end, mode=mode, workers=workers, batch_size=batch_size
        )

    def toggle_backfill_pause(self) -> str | None:
        """Pause or resume the running backfill; the new state, or None when none runs."""
        return self.jobs.toggle_pause()

    def cancel_backfill(self) -> bool:
        return self.jobs.cancel()

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
            self.hyperparams.refresh_if_stale(self.header.best)
        elif event.pane.id == "subnet" and self.subnet_pane.index_loaded:
            self.subnet_pane.check()

    def action_filter(self) -> None:
        if len(self.screen_stack) > 1:
            return
        panes: dict[str, BlockFlow | HyperparamsPane | RuleHitsPane] = {
            "blocks": self.flow,
            "hyperparams": self.hyperparams,
            "alerts": self.rule_hits,
        }
        pane = panes.get(self.active_pane)
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
