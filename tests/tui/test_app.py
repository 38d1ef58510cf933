"""Pilot tests of the dashboard against a real devnet started by the Sentinel core.

Each test opens ``SentinelApp`` on a fresh database with a fast devnet (0.2 s blocks, short history);
scenario files put exact governance happenings at exact blocks just after the history, so live
watching sees them within a second or two.
"""

from __future__ import annotations

import math

from textual.widgets import DataTable, ProgressBar, Sparkline, Static

from sentinel_core.bus import ConnectionChanged
from sentinel_core.ingest.snapshots import SnapshotBackfill
from sentinel_tui.app import SentinelApp
from sentinel_tui.widgets.alert_detail import AlertDetailScreen
from sentinel_tui.widgets.block_detail import BlockDetailScreen
from sentinel_tui.widgets.help_screen import HelpScreen
from sentinel_tui.widgets.jump_screen import JumpScreen
from sentinel_tui.widgets.subnet import APY_EPOCHS, SubnetPane, tao_text
from sentinel_tui.widgets.worker_bars import WorkerBars

SIZE = (120, 40)

GOVERNANCE = """
governance_rate = 0.0

[[at]]
block = 40
action = "set_hyperparam"
netuid = 1
name = "tempo"
value = 100
via = "sudo"

[[at]]
block = 42
action = "swap_coldkey"
via = "sudo"
"""


def _select_row(table: DataTable, key: str) -> None:
    table.move_cursor(row=table.get_row_index(key))


async def test_blocks_stream_in_and_open_with_sudo_unwrapped(settings_for, wait):
    app = SentinelApp(settings_for(scenario=GOVERNANCE))
    async with app.run_test(size=SIZE) as pilot:
        await wait(pilot, lambda: app.header.state == "connected", what="connected")
        # the tempo change at 40 and at least two newer blocks (so 40 is not the followed top row)
        await wait(pilot, lambda: max(app.flow.rows, default=0) >= 42, what="blocks 40..42 in the flow")
        flow = app.flow
        assert {39, 40, 41, 42} <= set(flow.rows)
        assert any("AdminUtils.sudo_set_tempo via Sudo.sudo" in n for n in flow.rows[40].notable)
        assert "connected" in app.header.plain and "best #" in app.header.plain
        table = flow.table
        assert table.row_count == len(flow.rows)
        assert table.get_row_at(0)[0].plain == f"#{max(flow.rows):,}"  # newest on top

        table.focus()
        _select_row(table, "40")
        await pilot.press("enter")
        await wait(
            pilot,
            lambda: isinstance(app.screen, BlockDetailScreen) and app.screen.loaded,
            what="block detail",
        )
        detail = app.screen
        assert detail.number == 40
        rows = detail.extrinsic_texts
        sudo_rows = [r for r in rows if "AdminUtils.sudo_set_tempo via Sudo.sudo" in r]
        assert sudo_rows, rows
        assert "✓ ok" in sudo_rows[0]
        assert "tempo=100" in sudo_rows[0]
        # the cursor starts on the sudo extrinsic, so its events are listed
        events = detail.query_one("#bd-events", DataTable)
        names = [events.get_row(k)[2].plain for k in events.rows]
        assert "SubtensorModule.TempoSet" in names and "Sudo.Sudid" in names
        await pilot.press("e")  # all events of the block
        assert events.row_count == len(detail.block.events)
        await pilot.press("escape")
        await wait(pilot, lambda: not isinstance(app.screen, BlockDetailScreen), what="detail closed")


async def test_panes_help_jump_palette_and_connection_states(settings_for, wait):
    # 80 blocks of history: a fresh database starts with the newest 50 (#30 on), so #5 is not stored
    app = SentinelApp(settings_for(history=80, block_time=1.5))
    async with app.run_test(size=SIZE) as pilot:
        await wait(pilot, lambda: app.core_ready and app.flow.loaded, what="core started")
        for key, pane in (
            ("2", "hyperparams"),
            ("3", "subnet"),
            ("4", "alerts"),
            ("5", "backfill"),
            ("1", "blocks"),
        ):
            await pilot.press(key)
            assert app.active_pane == pane
        await pilot.pause(0.2)
        assert app.focused is app.flow.table
        assert "Panes" in app.screen.query_one("KeyBar").plain
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)
        # g: a block the store does not have (older than the recent blocks stored at start) is read
        # from the node
        await pilot.press("g")
        assert isinstance(app.screen, JumpScreen)
        await pilot.press("5", "enter")
        await wait(
            pilot,
            lambda: isinstance(app.screen, BlockDetailScreen) and app.screen.loaded,
            what="jumped block",
        )
        assert app.screen.number == 5 and app.screen.block is not None
        assert "from node" in str(app.screen.query_one("#bd-title").render())
        await pilot.press("escape")
        # command palette: switch pane, reload rules
        await pilot.press("ctrl+p")
        await pilot.press(*"alerts")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait(pilot, lambda: app.active_pane == "alerts", what="palette switched pane")
        # connection states come from the core's notices
        app.sentinel.bus.publish(
            ConnectionChanged(state="reconnecting", url="ws://x", attempt=3, error="gone")
        )
        await wait(pilot, lambda: "reconnecting (attempt 3)" in app.header.plain, what="reconnecting")
        app.sentinel.bus.publish(ConnectionChanged(state="down", url="ws://x", attempt=4, error="refused"))
        await wait(pilot, lambda: "✖ down" in app.header.plain, what="down")


async def test_hyperparams_values_and_change_history(settings_for, wait):
    app = SentinelApp(settings_for(scenario=GOVERNANCE))
    async with app.run_test(size=SIZE) as pilot:
        await wait(pilot, lambda: app.core_ready, what="core started")
        await pilot.press("2")
        hp = app.hyperparams
        await wait(pilot, lambda: hp.netuids and hp.loaded, what="hyperparameters read")
        if hp.netuid != 1:
            hp.select_subnet(1)
        await wait(
            pilot,
            lambda: hp.value_text("tempo") == "100 blocks (20m)",
            timeout=20,
            what="tempo 100 after the change at #40",
        )
        assert hp.value_text("kappa") is not None  # every parameter listed, with unit
        table = hp.table
        assert table.get_cell("min_burn", "value").plain.startswith("τ")
        assert table.get_cell("kappa", "value").plain.endswith(" u16 fraction")  # unit from the table
        assert hp._is_recent("tempo")
        assert "●" in table.get_cell("tempo", "changed").plain  # highlighted as recently changed
        table.focus()
        _select_row(table, "tempo")
        await wait(
            pilot,
            lambda: hp.selected_name == "tempo" and hp.history_loaded and hp.history_rows(),
            what="tempo history",
        )
        rows = hp.history_rows()
        assert rows[0].startswith("#40 | ") and "-> 100 blocks (20m)" in rows[0] and rows[0].endswith("Sudo")

        # [ and ] step through subnets
        before = hp.netuid
        await pilot.press("right_square_bracket")
        assert hp.netuid != before
        await pilot.press("left_square_bracket")
        assert hp.netuid == before


async def test_alerts_list_detail_acknowledge_filter_mute_and_reopen(settings_for, wait):
    settings = settings_for(scenario=GOVERNANCE)
    app = SentinelApp(settings)
    async with app.run_test(size=SIZE) as pilot:
        hits = app.rule_hits
        await wait(
            pilot,
            lambda: {"coldkey-swap", "hyperparam-change"} <= {a.rule for a, _ in hits.items.values()},
            timeout=20,
            what="alerts listed",
        )
        await pilot.press("4")
        await wait(pilot, lambda: app.focused is hits.table, what="alerts table focused")
        await wait(pilot, lambda: hits.table.row_count == len(hits.items), what="listed once shown")
        rows = hits.row_texts()
        assert "coldkey-swap" in rows[0] and "✖ critical" in rows[0]  # newest first
        assert any("hyperparam-change" in r and "subnet 1: tempo" in r for r in rows)

        await pilot.press("enter")
        await wait(pilot, lambda: isinstance(app.screen, AlertDetailScreen), what="alert detail")
        detail = app.screen
        assert detail.alert.rule == "coldkey-swap" and detail.alert.block == 42
        assert "swap_coldkey" in str(detail.query_one("#ad-message").render())
        fields = detail.query_one("#ad-fields", DataTable)
        assert fields.row_count == len(detail.alert.fields) > 0
        await pilot.press("a")
        await wait(pilot, lambda: detail.acknowledged, what="acknowledged")
        stored = {i: acked for i, _, acked in await app.sentinel.store.list_alerts()}
        assert stored[detail.alert_id] is True
        await pilot.press("escape")
        await wait(
            pilot,
            lambda: hits.items[detail.alert_id][1] and hits.row_texts()[0].split(" | ")[1] == "✓",
            what="row marked acknowledged",
        )

        # filter: only critical
        await pilot.press("slash")
        await pilot.press(*"sev:critical")
        await wait(
            pilot,
            lambda: (
                hits.filter.severity == "critical"
                and hits.loaded
                and all("critical" in r for r in hits.row_texts())
            ),
            what="severity filter",
        )
        await pilot.press("escape")
        await wait(pilot, lambda: any("warning" in r for r in hits.row_texts()), what="filter cleared")

        # mute the hyperparam-change rule for the session
        table = hits.table
        key = next(k.value for k in table.rows if "hyperparam-change" in table.get_row(k)[4].plain)
        _select_row(table, key)
        await pilot.press("m")
        assert all("hyperparam-change" not in r for r in hits.row_texts())
        await pilot.press("M")
        assert any("hyperparam-change" in r for r in hits.row_texts())
        seen = {i for i in hits.items}

    # Reopen without live watching: the history comes back from SQLite.
    app = SentinelApp(settings, live=False)
    async with app.run_test(size=SIZE) as pilot:
        await wait(pilot, lambda: app.flow.loaded and app.rule_hits.loaded, what="reopened")
        assert {40, 42} <= set(app.flow.rows)
        assert seen <= set(app.rule_hits.items)
        assert any(acked for _, acked in app.rule_hits.items.values())
        assert "live off" in app.header.plain


async def test_backfill_from_the_form_completes_while_live_continues(settings_for, wait):
    # 100 blocks of history: a fresh database starts with the newest 50, so 1-40 is still to fetch
    app = SentinelApp(settings_for(history=100))
    async with app.run_test(size=SIZE) as pilot:
        await wait(pilot, lambda: app.core_ready and app.flow.rows, what="live blocks")
        await pilot.press("b")
        pane = app.backfill_pane
        await wait(pilot, lambda: app.focused is pane.query_one("#bf-start"), what="form focused")
        for selector, value in (
            ("#bf-start", "1"),
            ("#bf-end", "40"),
            ("#bf-workers", "4"),
            ("#bf-batch", "10"),
        ):
            pane.query_one(selector).value = value
        live_before = max(app.flow.rows)
        await pilot.press("enter")
        await wait(
            pilot,
            lambda: pane.last is not None and pane.last.state == "done",
            timeout=30,
            what="backfill done",
        )
        assert pane.query_one("#bf-overall", ProgressBar).percentage == 1.0
        assert pane.stats_text.startswith("100%")
        assert "✓ done" in str(pane.query_one("#bf-status").render())
        workers = pane.query_one(WorkerBars)
        assert workers.rows and all(t.startswith("w") for t in workers.line_texts())
        # The bars show each worker's final count (they once compared the live objects with
        # themselves and froze after the first update).
        assert sum(w.done for w in workers.rows) == 40
        assert (await app.sentinel.store.missing_in(1, 40)) == []
        await wait(pilot, lambda: max(app.flow.rows) > live_before, what="live kept going")
        await wait(pilot, lambda: pane.query_one("#bf-runs", DataTable).row_count == 1, what="run listed")
        assert not app.backfill_running

        # a sequential backfill (a pause between blocks): pause, resume and cancel from the keyboard
        assert app.start_backfill(start=41, end=60, mode="backfill", workers=1, batch_size=1) is None
        pane.focus_main()
        await wait(pilot, lambda: pane.last.run_id == 2 and pane.last.state == "running", what="second run")
        await pilot.press("p")
        await wait(pilot, lambda: pane.last.state == "paused", what="paused")
        assert "⏸ paused" in str(pane.query_one("#bf-status").render())
        await pilot.press("p")
        await wait(pilot, lambda: pane.last.state == "running", what="resumed")
        await pilot.press("c")
        await wait(
            pilot, lambda: pane.last.state == "cancelled" and not app.backfill_running, what="cancelled"
        )
        await wait(
            pilot, lambda: pane.query_one("#bf-runs", DataTable).row_count == 2, what="both runs listed"
        )


async def test_reload_rules_and_a_broken_file_shows_its_line(settings_for, wait):
    settings = settings_for(history=12)
    app = SentinelApp(settings)
    async with app.run_test(size=SIZE) as pilot:
        await wait(pilot, lambda: app.core_ready and app.header.rules_count, what="rules loaded")
        count = app.header.rules_count
        await pilot.press("r")
        await wait(
            pilot, lambda: app.header.rules_count == count and app.header.rules_error is None, what="reloaded"
        )

        toml = settings.source
        text = toml.read_text()
        lines = text.splitlines()
        line_no = next(i for i, line in enumerate(lines, 1) if line.strip() == 'severity = "critical"')
        lines[line_no - 1] = 'severity = "bogus"'
        toml.write_text("\n".join(lines) + "\n")
        await pilot.press("r")
        await wait(pilot, lambda: app.header.rules_error is not None, what="rules error shown")
        assert f"sentinel.toml:{line_no}:" in app.header.rules_error
        assert f"sentinel.toml:{line_no}:" in app.header.plain
        assert "✗" in app.header.plain
        assert app.header.rules_count == count  # the old rules keep running
        before = max(app.flow.rows, default=0)
        await wait(pilot, lambda: max(app.flow.rows, default=0) > before, what="still watching")

        toml.write_text(text)
        await pilot.press("r")
        await wait(pilot, lambda: app.header.rules_error is None, what="fixed file reloads")


# Subnets 1 and 2 get short tempos at block 2, so a short history holds several epochs of each.
SHORT_TEMPOS = """
governance_rate = 0.0

[[at]]
block = 2
action = "set_hyperparam"
netuid = 1
name = "tempo"
value = 9
via = "sudo"

[[at]]
block = 2
action = "set_hyperparam"
netuid = 2
name = "tempo"
value = 14
via = "sudo"
"""


async def _matches_store(pane: SubnetPane, store, netuid: int) -> tuple[int, list]:
    """The shown block and the stored snapshot's rows, read while the pane kept showing that block
    (live mode may take a newer snapshot meanwhile)."""
    for _ in range(10):
        block = pane.shown_block()
        stored = await store.read_snapshot(netuid, block)
        items = await store.snapshot_changes(netuid, block, block)
        if pane.shown_block() == block and pane.netuid == netuid:
            return block, stored, items
    raise AssertionError("the shown snapshot kept changing")


async def test_subnet_pane_neurons_sorting_changes_and_apy(settings_for, wait):
    app = SentinelApp(settings_for(scenario=SHORT_TEMPOS, history=80))
    async with app.run_test(size=SIZE) as pilot:
        await wait(pilot, lambda: app.core_ready, what="core started")
        store = app.sentinel.store
        # Snapshots of a past range, into the app's own database while it runs (live mode adds one
        # at each epoch boundary from here on; its start-up gap fill took those of the newest 50
        # blocks already, so the backfill takes the rest).
        run = await SnapshotBackfill(app.sentinel, 1, 80, [1, 2], workers=2).run()
        stored = [len(await store.snapshot_blocks(n, 1, 80, point=0)) for n in (1, 2)]
        assert run.state == "done" and run.done >= 1 and sum(stored) >= 10, (run, stored)
        await pilot.press("3")
        assert app.active_pane == "subnet"
        sn = app.subnet_pane
        await wait(pilot, lambda: sn.index_loaded and sn.netuid is not None, what="a subnet chosen")
        if sn.netuid != 1:
            sn.select_subnet(1)
        await wait(
            pilot, lambda: sn.netuid == 1 and sn.loaded and sn.shown_block() is not None, what="subnet 1"
        )
        await wait(pilot, lambda: sn.view.previous_block is not None, what="a previous snapshot")

        # The rows are the stored snapshot's, by uid; the header says what it is.
        block, stored, items = await _matches_store(sn, store, 1)
        assert sn.row_uids() == [r.uid for r in stored.rows]
        table = sn.table
        for r in stored.rows:
            assert sn.cell_text(r.uid, "stake") == tao_text(r.stake_rao)
            assert sn.cell_text(r.uid, "vp") == ("✓" if r.validator_permit else "")
        info = str(sn.query_one("#sn-info").render())
        assert f"snapshot #{block:,}" in info and f"{len(stored.rows)} neurons" in info
        assert f"previous #{items[0]['previous_block']:,}" in info

        # Changes since the previous snapshot (snapshots.changes) are highlighted, with the delta.
        stake_changes = {c.uid: c for c in items[0]["changes"] if c.kind == "stake"}
        assert stake_changes, "emission alone moves validators' stake from epoch to epoch"
        assert set(sn.marks) >= set(stake_changes)
        for uid, change in stake_changes.items():
            assert sn.cell_text(uid, "uid").startswith("● ")
            assert f"{change.delta_tao:+,.3f}" in sn.cell_text(uid, "change")
        unchanged = [r.uid for r in stored.rows if r.uid not in sn.marks]
        for uid in unchanged:
            assert sn.cell_text(uid, "change") == ""
        assert "stake moved" in str(sn.query_one("#sn-legend").render())

        # s cycles the sort column (uid -> hotkey -> stake), S reverses, a header click sorts too.
        await pilot.press("s", "s")
        assert sn.sort_column == "stake" and not sn.reverse
        assert sn.header_text("stake") == "Stake τ ▼"

        def stakes() -> list[int]:
            by_uid = {r.uid: r.stake_rao for r in sn.view.latest.rows}
            return [by_uid[u] for u in sn.row_uids()]

        assert stakes() == sorted(stakes(), reverse=True)
        await pilot.press("S")
        assert sn.reverse and stakes() == sorted(stakes())
        await pilot.click("#sn-table", offset=(3, 0))  # the UID header
        assert sn.sort_column == "uid" and sn.row_uids() == sorted(sn.row_uids())
        await pilot.press("s", "s")

        # The highlighted validator's APY per epoch, from snapshots.apy_series, as a sparkline.
        await wait(pilot, lambda: sn.apy_loaded, what="APY read")
        validator = next(r for r in sn.view.latest.rows if (r.uid, r.hotkey) in sn.apy)
        table.focus()
        table.move_cursor(row=table.get_row_index(str(validator.uid)))
        await wait(pilot, lambda: sn.selected_uid == validator.uid, what="validator selected")
        block = sn.shown_block()
        series = [
            (p.block, p.apy)
            for p in await store.apy_series(1, None, block)
            if p.uid == validator.uid and p.hotkey == validator.hotkey
        ][-APY_EPOCHS:]
        assert len(series) >= 3 and sn.apy_points() == series
        spark = sn.query_one("#sn-apy-spark", Sparkline)
        assert spark.display and list(spark.data) == [a * 100 for _, a in series if math.isfinite(a)]
        title = str(sn.query_one("#sn-apy-title").render())
        assert f"uid {validator.uid}" in title and f"{len(series)} epochs" in title

        # A neuron without a validator permit has no APY: said, no sparkline.
        other = next((r for r in sn.view.latest.rows if not r.validator_permit), None)
        if other is not None:
            table.move_cursor(row=table.get_row_index(str(other.uid)))
            await wait(pilot, lambda: sn.selected_uid == other.uid, what="non-validator selected")
            assert "not a validator" in str(sn.query_one("#sn-apy-note").render())
            assert not spark.display

        # Live mode takes a snapshot at each epoch (every 10 blocks here): the pane follows.
        await wait(pilot, lambda: sn.shown_block() > block, timeout=30, what="a newer live snapshot shown")

        # ] switches to subnet 2: its rows, a highlighted change and the APY sparkline.
        await pilot.press("right_square_bracket")
        assert sn.netuid == 2
        await wait(
            pilot, lambda: sn.loaded and sn.apy_loaded and sn.shown_block() is not None, what="subnet 2"
        )
        block2, stored2, items2 = await _matches_store(sn, store, 2)
        assert sorted(sn.row_uids()) == [r.uid for r in stored2.rows]
        assert sn.marks and any(r.startswith("● ") for r in sn.row_texts())
        top = sn.row_uids()[0]  # still sorted by stake: the top neuron is a validator
        table.move_cursor(row=0)
        await wait(pilot, lambda: sn.selected_uid == top and sn.apy_points(), what="top validator's APY")
        assert spark.display and len(spark.data) >= 2

        # A subnet without snapshots says how they get taken.
        await pilot.press("right_square_bracket")
        assert sn.netuid == 3
        await wait(pilot, lambda: sn.loaded, what="subnet 3")
        empty = sn.query_one("#sn-empty", Static)
        assert empty.display and sn.table.row_count == 0
        text = str(empty.render())
        assert "No metagraph snapshot of subnet 3 yet" in text
        assert "sentinel-cli subnet apy --netuid 3 --from A --to B" in text

        # The command palette steps subnets too.
        await pilot.press("ctrl+p")
        await pilot.press(*"subnet: previous")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait(pilot, lambda: sn.netuid == 2, what="palette: previous subnet")
