"""Pilot tests of the dashboard against a real devnet started by the Sentinel core.

Each test opens ``SentinelApp`` on a fresh database with a fast devnet (0.2 s blocks, short history);
scenario files put exact governance happenings at exact blocks just after the history, so live
watching sees them within a second or two.
"""

from __future__ import annotations

from textual.widgets import DataTable, ProgressBar

from sentinel_core.bus import ConnectionChanged
from sentinel_tui.app import SentinelApp
from sentinel_tui.widgets.alert_detail import AlertDetailScreen
from sentinel_tui.widgets.block_detail import BlockDetailScreen
from sentinel_tui.widgets.help_screen import HelpScreen
from sentinel_tui.widgets.jump_screen import JumpScreen

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
        await wait(pilot, lambda: isinstance(app.screen, BlockDetailScreen) and app.screen.loaded,
                   what="block detail")
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
    app = SentinelApp(settings_for(history=12, block_time=1.5))
    async with app.run_test(size=SIZE) as pilot:
        await wait(pilot, lambda: app.core_ready and app.flow.loaded, what="core started")
        for key, pane in (("2", "hyperparams"), ("3", "alerts"), ("4", "backfill"), ("1", "blocks")):
            await pilot.press(key)
            assert app.active_pane == pane
        await pilot.pause(0.2)
        assert app.focused is app.flow.table
        assert "Panes" in app.screen.query_one("KeyBar").plain
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)
        # g: a block the store does not have (live started at the head) is read from the node
        await pilot.press("g")
        assert isinstance(app.screen, JumpScreen)
        await pilot.press("5", "enter")
        await wait(pilot, lambda: isinstance(app.screen, BlockDetailScreen) and app.screen.loaded,
                   what="jumped block")
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
        app.sentinel.bus.publish(ConnectionChanged(state="reconnecting", url="ws://x", attempt=3, error="gone"))
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
        await wait(pilot, lambda: hp.value_text("tempo") == "100 blocks (20m)", timeout=20,
                   what="tempo 100 after the change at #40")
        assert hp.value_text("kappa") is not None  # every parameter listed, with unit
        table = hp.table
        assert table.get_cell("min_burn", "value").plain.startswith("τ")
        assert table.get_cell("kappa", "value").plain.endswith(" u16 fraction")  # unit from the table
        assert hp._is_recent("tempo")
        assert "●" in table.get_cell("tempo", "changed").plain  # highlighted as recently changed
        table.focus()
        _select_row(table, "tempo")
        await wait(pilot, lambda: hp.selected_name == "tempo" and hp.history_loaded and hp.history_rows(),
                   what="tempo history")
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
        await wait(pilot, lambda: {"coldkey-swap", "hyperparam-change"}
                   <= {a.rule for a, _ in hits.items.values()}, timeout=20, what="alerts listed")
        await pilot.press("3")
        await wait(pilot, lambda: app.focused is hits.table, what="alerts table focused")
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
        await wait(pilot, lambda: hits.items[detail.alert_id][1] and hits.row_texts()[0].split(" | ")[1] == "✓",
                   what="row marked acknowledged")

        # filter: only critical
        await pilot.press("slash")
        await pilot.press(*"sev:critical")
        await wait(pilot, lambda: hits.filter.severity == "critical" and hits.loaded
                   and all("critical" in r for r in hits.row_texts()), what="severity filter")
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
    app = SentinelApp(settings_for(history=60))
    async with app.run_test(size=SIZE) as pilot:
        await wait(pilot, lambda: app.core_ready and app.flow.rows, what="live blocks")
        await pilot.press("b")
        pane = app.backfill_pane
        await wait(pilot, lambda: app.focused is pane.query_one("#bf-start"), what="form focused")
        for selector, value in (("#bf-start", "1"), ("#bf-end", "40"), ("#bf-workers", "4"), ("#bf-batch", "10")):
            pane.query_one(selector).value = value
        live_before = max(app.flow.rows)
        await pilot.press("enter")
        await wait(pilot, lambda: pane.last is not None and pane.last.state == "done", timeout=30,
                   what="backfill done")
        assert pane.query_one("#bf-overall", ProgressBar).percentage == 1.0
        assert pane.stats_text.startswith("100%")
        assert "✓ done" in str(pane.query_one("#bf-status").render())
        workers = pane.query(".bf-worker")
        assert len(workers) >= 1
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
        await wait(pilot, lambda: pane.last.state == "cancelled" and not app.backfill_running, what="cancelled")
        await wait(pilot, lambda: pane.query_one("#bf-runs", DataTable).row_count == 2, what="both runs listed")


async def test_reload_rules_and_a_broken_file_shows_its_line(settings_for, wait):
    settings = settings_for(history=12)
    app = SentinelApp(settings)
    async with app.run_test(size=SIZE) as pilot:
        await wait(pilot, lambda: app.core_ready and app.header.rules_count, what="rules loaded")
        count = app.header.rules_count
        await pilot.press("r")
        await wait(pilot, lambda: app.header.rules_count == count and app.header.rules_error is None,
                   what="reloaded")

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
