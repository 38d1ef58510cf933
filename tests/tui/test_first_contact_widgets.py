"""Pilot tests of the panes' first-contact fixes (issue 20), each against a devnet the core starts.

Alerts: the whole message of the highlighted alert is on screen at 80 and 120 columns, and alerts
of backfilled blocks are history. Subnet: ``/`` finds neurons, a sort goes to the top, Home/End.
Backfill form: fast typing stays in the focused field, digits on the Mode dropdown do not switch
panes, the runs table says what the bar says. One selected subnet: the panes post
``SubnetSelected`` when the user picks a subnet, and ``select_subnet`` shows one without posting.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console
from textual import events
from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Select

import sentinel_tui.app
from sentinel_core.bus import WorkerProgress
from sentinel_core.ingest.snapshots import SnapshotBackfill
from sentinel_tui.app import SentinelApp
from sentinel_tui.messages import SubnetSelected
from sentinel_tui.widgets.worker_bars import WorkerBars

SIZES = {"80x24": (80, 24), "120x40": (120, 40)}

LONG_MESSAGE = """
governance_rate = 0.0

[[at]]
block = 24
action = "set_hyperparam"
netuid = 4
name = "serving_rate_limit"
value = 100
via = "sudo"
"""

IN_HISTORY = """
governance_rate = 0.0

[[at]]
block = 5
action = "set_hyperparam"
netuid = 1
name = "tempo"
value = 100
via = "sudo"
"""

SHORT_TEMPO = """
governance_rate = 0.0

[[at]]
block = 2
action = "set_hyperparam"
netuid = 1
name = "tempo"
value = 9
via = "sudo"
"""


def screen_text(app: SentinelApp) -> str:
    """What the terminal shows, as plain text (one line per row)."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), record=True, legacy_windows=False)
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return console.export_text()


def words(text: str) -> str:
    """The text's words, one space apart (a wrapped line reads as one)."""
    return " ".join(text.split())


async def burst(pilot, *keys: str) -> None:
    """Keys arriving together, as from a person typing fast (a terminal delivers them in one read):
    all are queued before the app handles the first."""
    app = pilot.app
    for key in keys:
        app.post_message(events.Key(key, key if len(key) == 1 else None))
    await pilot.pause(0.3)


class RecordingApp(SentinelApp):
    """The dashboard, noting each ``SubnetSelected`` that reaches it."""

    CSS_PATH = str(Path(sentinel_tui.app.__file__).parent / SentinelApp.CSS_PATH)  # type: ignore[operator]

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.subnets_selected: list[int] = []

    def on_subnet_selected(self, message: SubnetSelected) -> None:
        self.subnets_selected.append(message.netuid)


# -- alerts -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("size", list(SIZES))
async def test_the_selected_alerts_whole_message_is_on_screen(settings_for, wait, size):
    app = SentinelApp(settings_for(scenario=LONG_MESSAGE))
    async with app.run_test(size=SIZES[size]) as pilot:
        hits = app.rule_hits
        await wait(
            pilot,
            lambda: any("serving_rate_limit" in a.message for a, _ in hits.items.values()),
            timeout=20,
            what="the serving_rate_limit alert",
        )
        await pilot.press("4")
        await wait(pilot, lambda: app.focused is hits.table, what="alerts table focused")
        table = hits.table
        key = next(k for k, (a, _) in hits.items.items() if "serving_rate_limit" in a.message)
        await wait(pilot, lambda: str(key) in table.rows, what="listed once the pane is shown")
        table.move_cursor(row=table.get_row_index(str(key)))
        await pilot.pause(0.3)
        message = hits.items[key][0].message
        assert "50 -> 100 blocks (10m -> 20m)" in message
        assert words(message) in words(screen_text(app))
        # the Message column takes the width the other columns leave
        width = table.columns[next(c for c in table.columns if c.value == "message")].width
        used = sum(c.get_render_width(table) for c in table.columns.values())
        assert used <= table.size.width and table.size.width - used <= table.styles.scrollbar_size_vertical
        assert width >= (20 if size == "80x24" else 50)


async def test_alerts_of_backfilled_blocks_are_history_and_not_unacknowledged(settings_for, wait):
    settings = settings_for(scenario=IN_HISTORY, history=30)
    # Without live watching (which would see block 5 itself, catching up from the node's first
    # block): the alert comes only from the backfill.
    app = SentinelApp(settings, live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        hits = app.rule_hits
        await wait(pilot, lambda: app.core_ready and hits.loaded, what="core started")
        assert app.start_backfill(start=1, end=20, mode="fast_backfill", workers=2, batch_size=5) is None
        await wait(
            pilot,
            lambda: any(a.block == 5 and a.rule == "hyperparam-change" for a, _ in hits.items.values()),
            timeout=30,
            what="the alert of block 5",
        )
        await wait(pilot, lambda: not app.backfill_running, timeout=30, what="backfill finished")
        # read while the Blocks pane was shown, the hidden table left alone until pane 4 comes up
        # (a switch to it draws what it drew at once, then the news)
        assert hits.table.row_count == 0
        await pilot.press("4")
        await pilot.pause(0.6)
        key = next(k for k, (a, _) in hits.items.items() if a.block == 5)
        alert = hits.items[key][0]
        assert hits.is_history(alert)
        row = hits.table.get_row(str(key))
        assert row[1].plain == "hist"
        assert all(hits.is_history(a) for a, _ in hits.items.values())  # all from the backfill
        assert hits.unacknowledged() == 0
        info = str(hits.query_one("#alerts-info").render())
        assert "0 unacknowledged" in info and f"{len(hits.items)} history" in info

    # Reopened: the stored alert of a backfilled range is still history.
    app = SentinelApp(settings, live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        hits = app.rule_hits
        await wait(pilot, lambda: hits.loaded and hits.items, what="reopened")
        key = next(k for k, (a, _) in hits.items.items() if a.block == 5)
        assert hits.is_history(hits.items[key][0])
        assert hits.table.row_count == 0  # read while another pane is shown: listed once shown
        await pilot.press("4")
        await wait(pilot, lambda: str(key) in hits.table.rows, what="listed when shown")
        assert hits.table.get_row(str(key))[1].plain == "hist"


# -- subnet -------------------------------------------------------------------------------------------
async def test_subnet_pane_finds_neurons_sorts_to_the_top_and_home_end(settings_for, wait):
    app = SentinelApp(settings_for(scenario=SHORT_TEMPO, history=30))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait(pilot, lambda: app.core_ready, what="core started")
        run = await SnapshotBackfill(app.sentinel, 1, 30, [1], workers=1).run()
        assert run.state == "done"
        await pilot.press("3")
        sn = app.subnet_pane
        await wait(pilot, lambda: sn.index_loaded and sn.netuid is not None, what="a subnet chosen")
        sn.select_subnet(1)
        await wait(pilot, lambda: sn.netuid == 1 and sn.loaded and sn.table.row_count, what="subnet 1")
        rows = sn.view.latest.rows
        assert len(rows) > 20
        target = rows[17]

        # / then a uid: only that neuron; Enter keeps the search and goes back to the table
        await pilot.press("slash")
        assert app.focused is sn.query_one("#sn-filter")
        await pilot.press(*str(target.uid))
        await wait(pilot, lambda: sn.row_uids() == [target.uid], what="uid found")
        assert "1 of" in str(sn.query_one("#sn-match").render())
        await pilot.press("enter")
        assert app.focused is sn.table and sn.row_uids() == [target.uid]
        assert sn.selected_uid == target.uid
        # Esc (in the search line) clears it: every neuron again
        await pilot.press("slash", "escape")
        assert len(sn.row_uids()) == len(rows) and app.focused is sn.table

        # part of a hotkey, then part of a coldkey (any case)
        for part in (target.hotkey[3:11], target.coldkey[-8:].lower()):
            await pilot.press("slash")
            await pilot.press(*part)
            await wait(pilot, lambda: target.uid in sn.row_uids(), what=f"found by {part}")
            assert sn.row_uids()[0] == target.uid or len(sn.row_uids()) < len(rows)
            await pilot.press("escape")

        # End and Home go to the last and the first neuron
        table = sn.table
        table.focus()
        await pilot.press("end")
        assert table.cursor_row == table.row_count - 1
        assert sn.selected_uid == sn.row_uids()[-1]
        await pilot.press("home")
        assert table.cursor_row == 0
        # after a sort the view and the cursor are at the top
        await pilot.press("end")
        await pilot.pause(0.2)
        assert table.scroll_y > 0
        await pilot.press("s")
        await pilot.pause(0.2)
        assert sn.sort_column == "hotkey"
        assert table.cursor_row == 0 and table.scroll_y == 0
        assert sn.selected_uid == sn.row_uids()[0]


# -- backfill form ------------------------------------------------------------------------------------
async def test_fast_typing_stays_in_the_focused_field_and_digits_do_not_switch_panes(settings_for, wait):
    app = SentinelApp(settings_for(history=30))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait(pilot, lambda: app.core_ready and app.flow.rows, what="live")
        pane = app.backfill_pane
        await wait(pilot, lambda: pane.query_one("#bf-end").value != "", what="form defaults")
        await pilot.press("b")
        start, end = pane.query_one("#bf-start"), pane.query_one("#bf-end")
        await wait(pilot, lambda: app.focused is start, what="start field focused")
        start.value = ""
        await burst(pilot, *"1500")
        assert start.value == "1500"
        # the field's own keys act in the order typed (they once acted after the digits behind them)
        await burst(pilot, "ctrl+a", "ctrl+k", *"12")
        assert start.value == "12"
        await burst(pilot, "home", "9", "end", "0")
        assert start.value == "9120"
        await burst(pilot, "ctrl+a", "ctrl+k", *"1500")
        assert start.value == "1500"
        # Tab and the next digits together: the digits go to the field Tab moved to
        await burst(pilot, "tab", *"900")
        assert app.focused is end
        assert start.value == "1500" and end.value == "900"
        assert app.active_pane == "backfill"

        # digits typed on the Mode dropdown stay in the form
        mode = pane.query_one("#bf-mode", Select)
        mode.focus()
        await pilot.pause(0.1)
        await pilot.press("3")
        await pilot.pause(0.2)
        assert app.active_pane == "backfill" and app.focused is mode
        await burst(pilot, "shift+tab", *"12")
        assert app.focused is end and end.value == "12"
        assert app.active_pane == "backfill"
        # off the form, digits still switch panes
        pane.focus_main()
        await pilot.pause(0.1)
        await pilot.press("1")
        assert app.active_pane == "blocks"


async def test_the_runs_table_says_what_the_bar_says(settings_for, wait):
    app = SentinelApp(settings_for(history=60))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait(pilot, lambda: app.core_ready and app.flow.rows, what="live")
        pane = app.backfill_pane
        await pilot.press("5")
        assert app.start_backfill(start=1, end=50, mode="backfill", workers=1, batch_size=1) is None
        await wait(pilot, lambda: pane.last is not None and pane.last.done >= 3, timeout=30, what="some done")
        runs = pane.query_one("#bf-runs", DataTable)
        key = str(pane.last.run_id)
        await wait(pilot, lambda: key in runs.rows, what="the running run listed")
        await wait(
            pilot,
            lambda: str(runs.get_cell(key, "done")) == f"{pane.last.done:,}/{pane.last.total:,}",
            what="the running row follows the bar",
        )
        assert app.cancel_backfill()
        await wait(
            pilot, lambda: pane.last.state == "cancelled" and not app.backfill_running, what="cancelled"
        )
        await wait(pilot, lambda: runs.get_cell(key, "status").plain == "cancelled", what="row cancelled")
        bar = pane.stats_text.split()[1]  # "740/900"
        assert str(runs.get_cell(key, "done")) == bar == f"{pane.last.done:,}/{pane.last.total:,}"
        # ...and the column is wide enough to show it whole (it kept the width of "0/50" once).
        done_column = next(c for c in runs.columns.values() if c.key == "done")
        assert done_column.content_width >= len(bar)


# -- one selected subnet ------------------------------------------------------------------------------
async def test_one_selected_subnet_for_both_panes(settings_for, wait):
    app = RecordingApp(settings_for(history=20))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait(pilot, lambda: app.core_ready, what="core started")
        await pilot.press("2")
        hp, sn = app.hyperparams, app.subnet_pane
        await wait(pilot, lambda: hp.netuids and hp.netuid is not None, what="subnets known")
        await wait(pilot, lambda: sn.netuid == hp.netuid, what="both panes open on one subnet")
        before = list(app.subnets_selected)
        first = hp.netuid
        await pilot.press("right_square_bracket")
        await pilot.pause(0.2)
        assert hp.netuid != first
        picked = hp.netuid
        assert app.subnets_selected[len(before) :] == [picked]  # the user's pick is posted, once
        await pilot.press("3")
        await wait(pilot, lambda: sn.loaded, what="subnet pane read")
        assert sn.netuid == picked
        assert sn.query_one("#sn-subnet", Select).value == picked

        # select_subnet shows a subnet without posting back; the subnet shown already is a no-op
        count = len(app.subnets_selected)
        sn.select_subnet(first)
        hp.select_subnet(first)
        await pilot.pause(0.2)
        assert sn.netuid == first and hp.netuid == first
        assert len(app.subnets_selected) == count

        # the Subnet pane's user picks for both panes too
        await pilot.press("right_square_bracket")
        await pilot.pause(0.2)
        assert sn.netuid != first
        assert app.subnets_selected[count:] == [sn.netuid]
        await pilot.press("2")
        await wait(pilot, lambda: hp.netuid == sn.netuid, what="hyperparams follow")


async def test_quick_programmatic_selections_settle_on_the_last(settings_for, wait):
    """Two selections in a row by the app (no user pick): both panes show the last, read it, and
    post nothing. The Select's change event of the first is handled after the second is shown; it
    was taken for the user's pick, and the two panes then sent each other back and forth for ever
    (hundreds of cancelled reads, keys waiting seconds behind them)."""
    app = RecordingApp(settings_for(history=20))
    async with app.run_test(size=(120, 40)) as pilot:
        hp, sn = app.hyperparams, app.subnet_pane
        await wait(pilot, lambda: len(hp.netuids) > 2 and sn.netuid is not None, what="subnets known")
        await wait(pilot, lambda: hp.loaded and sn.loaded, what="both panes read")
        a, b = [n for n in hp.netuids if n != hp.netuid][:2]
        before = len(app.subnets_selected)
        for _ in range(3):
            app.select_subnet(a)
            app.select_subnet(b)
        await pilot.pause(1.0)
        assert (hp.netuid, sn.netuid, app.selected_netuid) == (b, b, b)
        assert hp.query_one("#hp-subnet", Select).value == b and sn.query_one("#sn-subnet", Select).value == b
        assert app.subnets_selected[before:] == []
        await wait(pilot, lambda: hp.loaded and sn.loaded, what="both panes read subnet b")
        loads = [w for w in app.workers if w.group in ("hp-values", "sn-load") and not w.is_finished]
        assert loads == []


class Bars(App[None]):
    """The worker bars alone."""

    def compose(self) -> ComposeResult:
        yield WorkerBars(id="bars")


async def test_worker_bars_redraw_when_a_worker_counts_on_in_the_same_object():
    """The backfill keeps counting in its WorkerProgress objects: the bars compare what they drew,
    not the objects (compared with themselves they never changed and froze after the first draw)."""
    app = Bars()
    async with app.run_test(size=(80, 6)) as pilot:
        bars = app.query_one(WorkerBars)
        drawn: list[int] = []
        original = bars.update

        def update(content="", layout=True):
            drawn.append(sum(w.done for w in bars.rows))
            return original(content, layout=layout)

        bars.update = update  # type: ignore[method-assign]
        worker = WorkerProgress(worker=0, total=40, done=10, current=1)
        bars.show([worker], 40)
        worker.done, worker.current = 40, 31
        bars.show([worker], 40)
        await pilot.pause()
        assert drawn == [10, 40]
        bars.show([worker], 40)  # nothing changed: nothing redrawn
        assert drawn == [10, 40]


async def test_progress_redraws_without_a_new_layout_of_the_screen(monkeypatch: pytest.MonkeyPatch) -> None:
    """A backfill reports 5 times a second: the bars are drawn again, the screen is not laid out
    again (a layout of the whole dashboard would hold up key presses) until a worker is added."""
    layouts = [0]
    original = Screen._refresh_layout

    def counting(self: Screen, *args: object, **kwargs: object) -> None:
        layouts[0] += 1
        original(self, *args, **kwargs)  # type: ignore[arg-type]

    app = Bars()
    async with app.run_test(size=(80, 6)) as pilot:
        bars = app.query_one(WorkerBars)
        bars.show([WorkerProgress(worker=0, total=40, done=1, current=1)], 40)
        await pilot.pause()
        monkeypatch.setattr(Screen, "_refresh_layout", counting)
        for done in range(2, 12):
            bars.show([WorkerProgress(worker=0, total=40, done=done, current=done)], 40)
            await pilot.pause()
        assert layouts[0] == 0
        assert "#11" in bars.line_texts()[0]
        bars.show([WorkerProgress(worker=w, total=20, done=1, current=1) for w in range(2)], 40)
        await pilot.pause()
        assert layouts[0] >= 1 and len(bars.line_texts()) == 2
