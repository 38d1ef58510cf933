"""Backfill pane: a form to start a ``backfill`` / ``fast_backfill`` that runs in a worker while live
watching continues, then progress overall and per worker (blocks/s, ETA, backoffs), pause/resume
(``p``) and cancel (``c``); the runs stored in SQLite are listed below.

The pane drives backfills through the job controller and reads the runs through the read model (both
given to it by the app); the progress comes as ``BackfillNotice`` messages.
"""

from __future__ import annotations

from typing import Literal

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, NoBinding
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, DataTable, Input, Label, ProgressBar, Select, Static

from sentinel_core.bus import BackfillProgress
from sentinel_core.config import IngestSettings
from sentinel_core.ingest.jobs import FINISHED, JobController
from sentinel_core.views import Views

from ..format import duration
from ..messages import BackfillNotice, CoreStarted, HeadNotice
from .steady_table import SteadyTable
from .worker_bars import WorkerBars

STATE_TEXT = {
    "running": ("● running", "bold green"),
    "paused": ("⏸ paused", "bold yellow"),
    "done": ("✓ done", "bold green"),
    "cancelled": ("✖ cancelled", "bold yellow"),
    "failed": ("✖ failed", "bold red"),
}


DASHBOARD_BATCH = 10
"""Default blocks per batch for backfills started from the dashboard."""


class FormInput(Input):
    """A form field that keeps fast typing where the user sees it.

    The app hands each key to the widget focused when the key arrives, while a focus change (Tab)
    takes effect only once the key that asked for it is handled: typed fast, the keys after a Tab
    land in the field that had the focus. Here Tab moves the focus at once, and a key that reaches
    a field no longer focused is passed on to the one that is. The field's own keys (Ctrl-A, Ctrl-K,
    Backspace, ...) act when they arrive, as characters do: left to the app's binding lookup they
    act turns of the event loop later, after characters typed behind them (Ctrl-A Ctrl-K 1 typed
    fast left the field empty)."""

    async def _on_key(self, event: events.Key) -> None:
        screen = self.screen
        focused = screen.focused
        if focused is not None and focused is not self:
            event.stop()
            event.prevent_default()
            focused._forward_event(events.Key(event.key, event.character))
            return
        if event.key in ("tab", "shift+tab"):
            event.stop()
            event.prevent_default()
            if event.key == "tab":
                screen.focus_next()
            else:
                screen.focus_previous()
            return
        if not event.is_printable:
            try:
                bindings = self._bindings.get_bindings_for_key(event.key)
            except NoBinding:
                bindings = []
            if bindings:
                event.stop()
                event.prevent_default()
                await self.run_action(bindings[0].action)
                return
        await super()._on_key(event)


RUN_STYLE = {
    "done": "green",
    "running": "yellow",
    "paused": "yellow",
    "failed": "red",
    "cancelled": "yellow",
    "interrupted": "red",
}


class BackfillPane(Vertical):
    """Backfill pane."""

    BINDINGS = [
        Binding("p", "pause", "Pause/resume"),
        Binding("c", "cancel", "Cancel"),
    ]

    def __init__(
        self, views: Views, jobs: JobController, ingest: IngestSettings, *, id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self.views = views
        self.jobs = jobs
        self.ingest = ingest
        """The configured backfill settings: the form's defaults."""
        self.last: BackfillProgress | None = None
        self._defaults_set = False
        self._first_stored: int | None = None
        self._best: int | None = None
        self.runs_loaded = False
        self._runs_read_for: int | None = None

    def compose(self) -> ComposeResult:
        with Grid(id="bf-form"):
            for label, widget in (
                ("Start block", FormInput(id="bf-start", type="integer", compact=True, placeholder="first")),
                ("End block", FormInput(id="bf-end", type="integer", compact=True, placeholder="last")),
                (
                    "Mode",
                    Select(
                        [("fast_backfill", "fast_backfill"), ("backfill", "backfill")],
                        value="fast_backfill",
                        allow_blank=False,
                        compact=True,
                        id="bf-mode",
                    ),
                ),
                ("Workers", FormInput(id="bf-workers", type="integer", compact=True)),
                ("Batch size", FormInput(id="bf-batch", type="integer", compact=True)),
            ):
                with Vertical(classes="bf-field"):
                    yield Label(label, classes="bf-label")
                    yield widget
            with Vertical(classes="bf-field"):
                yield Label(" ", classes="bf-label")
                yield Button("▶ Start", id="bf-go", compact=True, variant="primary")
        yield Label(
            Text("No backfill running. Fill the range and press Start (Enter).", style="dim"), id="bf-status"
        )
        yield Static(
            Text(
                "fast_backfill fetches batches in parallel (workers × batch size, adapting to rate limits); "
                "backfill goes block by block with the configured pause. Blocks already stored are skipped, "
                "so a run can be repeated after an interruption. Live watching continues meanwhile; "
                "p pauses, c cancels.",
                style="dim italic",
            ),
            id="bf-help",
        )
        with Horizontal(id="bf-overall-row"):
            yield Label("overall", classes="bf-worker-label")
            yield ProgressBar(id="bf-overall", total=100, show_eta=False)
        yield Label("", id="bf-stats")
        with VerticalScroll(id="bf-worker-bars"):
            yield WorkerBars(id="bf-workers-shown")
        yield Label("Runs", classes="section-title")
        yield SteadyTable(id="bf-runs", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        self._show_progress(False)
        runs = self.query_one("#bf-runs", DataTable)
        for label, key in (
            ("Run", "id"),
            ("Mode", "mode"),
            ("Range", "range"),
            ("Status", "status"),
            ("Blocks", "done"),
        ):
            runs.add_column(label, key=key)

    def focus_main(self) -> None:
        self.query_one("#bf-runs", DataTable).focus()

    def on_key(self, event: events.Key) -> None:
        """Keys the form's widgets left (the Mode dropdown's, say): digits are the form's and never
        reach the app's pane keys; Tab moves the focus at once; a character that comes from a widget
        the focus has left since goes to the field now focused."""
        screen = self.screen
        focused = screen.focused
        if focused is None or self.query_one("#bf-form", Grid) not in focused.ancestors:
            return
        if event.key in ("tab", "shift+tab"):
            event.stop()
            event.prevent_default()
            if event.key == "tab":
                screen.focus_next()
            else:
                screen.focus_previous()
        elif event.is_printable and isinstance(focused, FormInput):
            # a focused field handles every character itself: this one was meant for it
            event.stop()
            focused._forward_event(events.Key(event.key, event.character))
        elif event.character is not None and event.character.isdigit():
            event.stop()

    def focus_form(self) -> None:
        """Focus the start field at once (``focus()`` waits for the next turn of the event loop, so
        keys typed right after ``b`` would land wherever the focus was)."""
        self.screen.set_focus(self.query_one("#bf-start", Input))

    # -- defaults -------------------------------------------------------------------------------------
    def on_core_started(self, _: CoreStarted) -> None:
        ing = self.ingest
        self.query_one("#bf-workers", Input).value = str(ing.workers)
        # Small batches keep the dashboard responsive: decoding a big batch answer holds the
        # interpreter for tens of milliseconds at a time (headless keeps ingest.batch_size).
        self.query_one("#bf-batch", Input).value = str(min(ing.batch_size, DASHBOARD_BATCH))
        if ing.mode in ("backfill", "fast_backfill"):
            self.query_one("#bf-mode", Select).value = ing.mode
        if ing.block_start is not None and ing.block_end is not None:
            self.query_one("#bf-start", Input).value = str(ing.block_start)
            self.query_one("#bf-end", Input).value = str(ing.block_end)
            self._defaults_set = True
        self.load_runs()

    def on_head_notice(self, message: HeadNotice) -> None:
        if message.notice.best is not None:
            self._best = message.notice.best
            self._fill_defaults()

    def _fill_defaults(self) -> None:
        """Once the head and the stored range are known: the 1,000 blocks before the first stored
        block (or before the head when the store starts at genesis)."""
        if self._defaults_set or self._best is None or not self.runs_loaded:
            return
        self._defaults_set = True
        start_in, end_in = self.query_one("#bf-start", Input), self.query_one("#bf-end", Input)
        if start_in.value or end_in.value:
            return
        end = self._best
        if self._first_stored is not None and self._first_stored > 1:
            end = self._first_stored - 1
        end_in.value = str(end)
        start_in.value = str(max(1, end - 999))  # genesis (#0) has no parent state to read

    @work(group="bf-runs", exclusive=True, exit_on_error=False)
    async def load_runs(self) -> None:
        if not self.views.ready:
            return
        overview = await self.views.backfill_overview(10)
        self._first_stored = overview.first_stored
        runs = overview.runs
        if not self.is_attached:
            return
        table = self.query_one("#bf-runs", DataTable)
        table.clear()
        last = self.last
        for r in runs:
            status, done = r["status"], f"{r['blocks_done']:,}"
            if last is not None and last.run_id == r["id"]:
                # The run the bar shows: the bar's figures (the record is written only now and then).
                status, done = last.state, self._done_text(last)
            table.add_row(
                str(r["id"]),
                r["mode"],
                f"#{r['start']:,} – #{r['end']:,}",
                Text(status, style=RUN_STYLE.get(status, "")),
                done,
                key=str(r["id"]),
            )
        self.runs_loaded = True
        self._fill_defaults()

    # -- start ------------------------------------------------------------------------------------------
    def _int(self, widget_id: str, name: str, minimum: int = 0) -> int:
        text = self.query_one(widget_id, Input).value.strip().replace("_", "").replace(",", "")
        if not text:
            raise ValueError(f"{name}: required")
        try:
            value = int(text)
        except ValueError:
            raise ValueError(f"{name}: must be a whole number") from None
        if value < minimum:
            raise ValueError(f"{name}: must be >= {minimum}")
        return value

    @on(Button.Pressed, "#bf-go")
    def _go(self) -> None:
        self.start()

    @on(Input.Submitted, "#bf-form Input")
    def _submitted(self) -> None:
        self.start()

    def start(self) -> bool:
        """Validate the form and start the backfill; problems are shown in the status line."""
        try:
            start = self._int("#bf-start", "start")
            end = self._int("#bf-end", "end")
            workers = self._int("#bf-workers", "workers", 1)
            batch = self._int("#bf-batch", "batch size", 1)
            if start > end:
                raise ValueError(f"start {start} > end {end}")
            if workers > 1024:
                raise ValueError("workers: at most 1024")
        except ValueError as exc:
            self._status(Text(f"✖ {exc}", style="bold red"))
            return False
        mode: Literal["backfill", "fast_backfill"] = (
            "backfill" if self.query_one("#bf-mode", Select).value == "backfill" else "fast_backfill"
        )
        error = self.jobs.start_backfill(start=start, end=end, mode=mode, workers=workers, batch_size=batch)
        if error:
            self._status(Text(f"✖ {error}", style="bold red"))
            return False
        self._status(Text(f"◌ starting {mode} #{start:,} – #{end:,}…", style="yellow"))
        self.query_one("#bf-workers-shown", WorkerBars).clear()
        self.query_one("#bf-runs", DataTable).focus()
        return True

    def _show_progress(self, show: bool) -> None:
        for selector in ("#bf-overall-row", "#bf-stats"):
            self.query_one(selector).display = show
        self.query_one("#bf-help").display = not show

    def _status(self, text: Text) -> None:
        # One line of a fixed width (sentinel.tcss): a new text never needs a new layout of the screen.
        self.query_one("#bf-status", Label).update(text, layout=False)

    # -- progress -------------------------------------------------------------------------------------
    def on_backfill_notice(self, message: BackfillNotice) -> None:
        n = message.notice
        self.last = n
        self._show_progress(True)
        overall = self.query_one("#bf-overall", ProgressBar)
        if n.total == 0:
            overall.update(total=1, progress=1 if n.state == "done" else 0)
        else:
            overall.update(total=n.total, progress=n.done)
        label, style = STATE_TEXT.get(n.state, (n.state, ""))
        status = Text.assemble(
            (label, style),
            "  ",
            (n.mode, "bold"),
            f"  #{n.start:,} – #{n.end:,}",
            (f"  run {n.run_id}", "dim"),
        )
        if n.total == 0 and n.state == "done":
            status.append("  nothing to fetch: every block is stored", style="dim")
        if n.error:
            status.append(f"  {n.error}", style="red")
        self._status(status)
        pct = 100.0 if n.total == 0 else 100.0 * n.done / n.total
        stats = Text.assemble(
            (f"{pct:.0f}%", "bold"),
            "  ",
            f"{n.done:,}/{n.total:,} {n.unit}",
            ("  ·  ", "dim"),
            f"{n.rate:.1f} {'blk' if n.unit == 'blocks' else 'snap'}/s",
            ("  ·  ETA ", "dim"),
            "—" if n.state != "running" else duration(n.eta_seconds),
            ("  ·  backoffs ", "dim"),
            (str(n.backoffs), "yellow" if n.backoffs else ""),
            ("  ·  in flight ", "dim"),
            str(n.concurrency),
            ("  ·  ", "dim"),
            f"{n.calls_per_second:.0f} calls/s",
        )
        if n.call_limit is not None:  # the node refused calls: what the pacer learned of its limit
            stats.append_text(
                Text.assemble(
                    (" (node limit ~", "dim"),
                    (f"{n.call_limit:.0f}/s", "yellow"),
                    (f", {n.frame_calls} a frame)", "dim"),
                )
            )
        self.query_one("#bf-stats", Label).update(stats, layout=False)  # as #bf-status
        self._update_workers(n)
        self._update_run_row(n)
        if n.state in FINISHED:
            self.load_runs()

    @staticmethod
    def _done_text(n: BackfillProgress) -> str:
        """The Blocks cell of the run the bar shows: the bar's own ``done/total``."""
        return f"{n.done:,}/{n.total:,}"

    def _update_run_row(self, n: BackfillProgress) -> None:
        """Keep the runs table's row of this run in step with the bar (a new run is read in)."""
        table = self.query_one("#bf-runs", DataTable)
        key = str(n.run_id)
        if key not in table.rows:
            if self.runs_loaded and n.state not in FINISHED and self._runs_read_for != n.run_id:
                self._runs_read_for = n.run_id
                self.load_runs()
            return
        # The column grows with its text ("0/1,949" at the start is narrower than "620/1,949").
        table.update_cell(key, "status", Text(n.state, style=RUN_STYLE.get(n.state, "")), update_width=True)
        table.update_cell(key, "done", self._done_text(n), update_width=True)

    def _update_workers(self, n: BackfillProgress) -> None:
        self.query_one("#bf-workers-shown", WorkerBars).show(n.workers, n.total)

    # -- control ----------------------------------------------------------------------------------------
    def action_pause(self) -> None:
        state = self.jobs.toggle_pause()
        if state is None:
            self.app.notify("no backfill running", timeout=2)

    def action_cancel(self) -> None:
        if not self.jobs.cancel():
            self.app.notify("no backfill running", timeout=2)

    @property
    def stats_text(self) -> str:
        """The progress line as plain text (tests)."""
        content = self.query_one("#bf-stats", Label).content
        return content.plain if isinstance(content, Text) else str(content)
