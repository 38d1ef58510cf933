"""Issue 20 ("first contact"): what a new user meets in the dashboard's first minutes.

A bad database exits with one line and code 2; the header's lag and rates during a catch-up; what
the first screen shows (recent blocks, a metagraph snapshot); start-up words and a quick quit; the
command palette and the key bar; one selected subnet; backfilled alerts are history.
"""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

from textual.command import CommandList, CommandPalette

from sentinel_core.bus import AlertRaised
from sentinel_core.devnet.background import BackgroundDevnet
from sentinel_core.ingest.backfill import Backfill
from sentinel_core.service import Sentinel
from sentinel_tui.app import RECENT_BLOCKS_AT_START, TOAST_INTERVAL, SentinelApp, SentinelCommands
from sentinel_tui.widgets.key_bar import KeyBar
from sentinel_tui.widgets.status_header import rate_text

REPO = Path(__file__).resolve().parents[2]

SIZE = (120, 40)
CATCH_UP_HISTORY = 800


def _core_on(settings, url: str) -> Sentinel:
    """A core on an already running node (not the devnet the settings would start)."""
    core = Sentinel(settings)
    core.url = core.archive_url = url
    return core


def _run_in_pty(args: list[str], timeout: float = 60.0) -> tuple[int, str]:
    """Run ``sentinel-tui`` in a pseudo-terminal (the dashboard needs one); its exit code and output."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "sentinel_tui.main", *args],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        cwd=REPO,
        env={**os.environ, "TERM": "xterm-256color", "COLUMNS": "250", "LINES": "30"},
        close_fds=True,
    )
    os.close(slave)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    data = os.read(master, 65536)
                except OSError:
                    break
                if not data:
                    break
                chunks.append(data)
            elif proc.poll() is not None:
                break
        else:
            proc.kill()
            raise AssertionError("sentinel-tui did not exit: " + b"".join(chunks).decode(errors="replace"))
        code = proc.wait(10)
    finally:
        os.close(master)
    return code, b"".join(chunks).decode(errors="replace")


def test_a_bad_db_exits_the_dashboard_with_one_line_and_code_2(tmp_path: Path):
    not_sqlite = tmp_path / "notes.db"
    not_sqlite.write_text("these are my notes, not a database; long enough to be read as a header\n" * 4)
    for db, expected in (
        (tmp_path, f"error: cannot open {tmp_path}: "),
        (not_sqlite, f"error: cannot open {not_sqlite}: the file is not an SQLite database"),
        (tmp_path / "missing" / "x.db", "error: cannot create database at "),
    ):
        code, output = _run_in_pty(["--network", "devnet", "--db", str(db)])
        assert code == 2, output
        # after the dashboard restored the terminal: the one line, no traceback
        tail = re.sub(r"\x1b\[[0-9;?]*[a-zA-Z]", "", output.rsplit("\x1b[?1049l", 1)[-1])
        lines = [line for line in tail.replace("\r", "").splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith(expected), lines
        assert "Traceback" not in output


async def test_a_bad_db_ends_the_app_with_its_error(settings_for, wait, tmp_path: Path):
    settings = settings_for()
    settings.storage.path = str(tmp_path)  # a directory
    app = SentinelApp(settings)
    async with app.run_test(size=SIZE) as pilot:
        await wait(pilot, lambda: app.fatal_error is not None, what="the start failed")
    assert app.return_code == 2
    assert app.fatal_error.startswith(f"cannot open {tmp_path}")
    assert not app.sentinel.started  # nothing left open


# -- the header during a catch-up ---------------------------------------------------------------------


def test_rates_are_rounded_as_a_person_reads_them():
    assert [rate_text(r) for r in (None, 0.0, 4.84, 9.94, 10.4, 2125.71)] == [
        "—",
        "0.0",
        "4.8",
        "9.9",
        "10",
        "2,126",
    ]


async def test_the_header_shows_the_lag_while_live_mode_catches_up(settings_for, wait):
    with BackgroundDevnet(history=CATCH_UP_HISTORY, seed=3, block_time=1.0, produce=False) as node:
        settings = settings_for()
        core = _core_on(settings, node.url)
        await core.start(deliver=False, watch_rules=False)
        try:  # one old block stored: live mode stores every block from it up to the head first
            await Backfill(core, start=5, end=5, mode="backfill").run()
        finally:
            await core.stop()
        app = SentinelApp(settings, sentinel=_core_on(settings, node.url))
        seen: list[tuple[int | None, str]] = []
        async with app.run_test(size=SIZE) as pilot:

            def caught_up() -> bool:
                header = app.header
                seen.append((header.lag, header.plain))
                return header.last_stored == CATCH_UP_HISTORY and header.lag == 0

            await wait(pilot, caught_up, timeout=60, what="caught up")
        lags = [lag for lag, _ in seen if lag is not None]
        assert max(lags) > 100, lags  # the head was known while the old blocks were stored
        assert any(re.search(rf"catching up #[\d,]+ / #{CATCH_UP_HISTORY:,}", text) for _, text in seen), (
            seen[-1]
        )
        # the rate: a whole number from 10 up, one decimal below
        rates = [m.group(1) for _, text in seen for m in [re.search(r"  ([\d.,—]+) blk/s", text)] if m]
        assert rates and all(re.fullmatch(r"—|\d\.\d|[1-9]\d{0,2}(,\d{3})*", r) for r in rates), rates


# -- start-up words and a quick quit -----------------------------------------------------------------


def _small_devnet_config(tmp_path: Path, history: int = 60) -> Path:
    """A copy of sentinel.toml with a small, fast devnet."""
    text = (REPO / "sentinel.toml").read_text()
    text = re.sub(r"(?m)^history = \d+", f"history = {history}", text)
    text = re.sub(r"(?m)^block_time = [\d.]+", "block_time = 0.5", text)
    path = tmp_path / "sentinel.toml"
    path.write_text(text)
    return path


class _Pty:
    """``sentinel-tui`` in a pseudo-terminal: read its screen output, type keys."""

    def __init__(self, args: list[str]) -> None:
        self.master, slave = pty.openpty()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "sentinel_tui.main", *args],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            cwd=REPO,
            env={**os.environ, "TERM": "xterm-256color", "COLUMNS": "120", "LINES": "40"},
            close_fds=True,
        )
        os.close(slave)
        self.output = b""

    def read_until(self, predicate, timeout: float) -> bool:  # noqa: ANN001
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate(self.output.decode(errors="replace")):
                return True
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if ready:
                try:
                    self.output += os.read(self.master, 65536)
                except OSError:
                    return False
        return predicate(self.output.decode(errors="replace"))

    def drain_until_exit(self, timeout: float) -> int | None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.master], [], [], 0.01)
            if ready:
                try:
                    self.output += os.read(self.master, 65536)
                except OSError:
                    pass
            code = self.proc.poll()
            if code is not None:
                return code
        return None

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        os.close(self.master)


def test_the_start_says_what_happens_and_quitting_takes_under_a_second(tmp_path: Path):
    config = _small_devnet_config(tmp_path)
    term = _Pty(["--config", str(config), "--db", str(tmp_path / "s.db")])
    try:
        assert term.read_until(lambda out: "starting the devnet (60 blocks of history)" in out, 30), (
            term.output[-2000:]
        )
        assert term.read_until(lambda out: "connected" in out, 60), term.output[-2000:]
        time.sleep(2.0)
        quits = time.monotonic()
        os.write(term.master, b"q")
        code = term.drain_until_exit(10)
        took = time.monotonic() - quits
    finally:
        term.close()
    assert code == 0
    assert took < 1.0, f"quitting took {took:.2f} s"


# -- the first screen: the node's recent blocks, a metagraph snapshot ---------------------------------


async def test_the_first_screen_shows_recent_blocks_and_a_snapshot_of_the_selected_subnet(settings_for, wait):
    history = 150
    app = SentinelApp(settings_for(history=history, block_time=3.0))
    async with app.run_test(size=SIZE) as pilot:
        flow = app.flow
        # A fresh database: live mode's start-up gap fill stored the node's recent blocks, so the
        # flow starts with more than a screenful (not only the blocks since start).
        await wait(
            pilot,
            lambda: flow.loaded and len(flow.rows) >= RECENT_BLOCKS_AT_START,
            timeout=30,
            what="a screenful of blocks",
        )
        assert min(flow.rows) <= history - RECENT_BLOCKS_AT_START + 1
        assert flow.table.row_count >= RECENT_BLOCKS_AT_START
        store = app.sentinel.store
        assert await store.missing_in(history - RECENT_BLOCKS_AT_START + 1, history) == []
        # ... and a metagraph snapshot of the selected subnet, not "no snapshot yet" until an epoch.
        sn = app.subnet_pane
        await wait(pilot, lambda: app.selected_netuid is not None, what="a subnet selected")
        netuid = app.selected_netuid
        assert app.hyperparams.netuid == netuid
        await wait(
            pilot,
            lambda: sn.netuid == netuid and sn.view is not None and sn.view.latest is not None,
            timeout=30,
            what="the selected subnet's snapshot shown",
        )
        blocks = await store.recent_snapshot_blocks(netuid, 5)
        assert blocks and blocks[0] >= history  # taken at the head at start
        await pilot.press("3")
        await pilot.pause(0.2)
        assert "no snapshot" not in str(sn.query_one("#sn-info").render())


# -- backfilled alerts are history -------------------------------------------------------------------

SWAPS = """
governance_rate = 0.0

[[at]]
block = 20
action = "swap_coldkey"
via = "sudo"

[[at]]
block = 95
action = "swap_coldkey"
via = "sudo"
"""


async def test_alerts_of_backfilled_blocks_are_history_and_not_toasted(settings_for, wait):
    # 80 blocks of history: the fresh database starts with the newest 50 (#30 on); the swap at #20 is
    # older (a backfill finds it), the one at #95 comes after the history (live mode sees it).
    app = SentinelApp(settings_for(scenario=SWAPS, history=80, block_time=0.3))
    raised: list[AlertRaised] = []
    app.sentinel.bus.subscribe(lambda n: raised.append(n) if isinstance(n, AlertRaised) else None)
    toasts: list[str] = []
    notify = app.notify

    def recording_notify(message, **kwargs):  # noqa: ANN001, ANN003, ANN202
        toasts.append(str(message))
        return notify(message, **kwargs)

    app.notify = recording_notify  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        swaps = lambda: [n for n in raised if n.alert.rule == "coldkey-swap"]  # noqa: E731
        # the live swap at #95 (after the history): live, toasted
        await wait(pilot, lambda: any(n.alert.block == 95 for n in swaps()), timeout=40, what="live swap")
        live = next(n for n in swaps() if n.alert.block == 95)
        assert live.source == "live" and not live.history
        await wait(pilot, lambda: any("#95" in t for t in toasts), what="the live swap toasted")
        await pilot.pause(TOAST_INTERVAL + 0.5)  # toasts are spaced: the next one may show
        # a backfill of the range before the recent blocks finds the swap at #20: history
        assert app.start_backfill(start=1, end=29, mode="fast_backfill", workers=2, batch_size=5) is None
        await wait(pilot, lambda: any(n.alert.block == 20 for n in swaps()), timeout=40, what="old swap")
        old = next(n for n in swaps() if n.alert.block == 20)
        assert old.source == "fast_backfill" and old.history
        await wait(pilot, lambda: not app.backfill_running, timeout=40, what="backfill done")
        await pilot.pause(0.3)
        assert not any("#20" in t for t in toasts), toasts
        assert {n.alert.block for n in swaps()} >= {20, 95}


# -- the command palette, the footer, one selected subnet -------------------------------------------


async def _palette_hits(pilot, app: SentinelApp, query: str, wait) -> list[str]:  # noqa: ANN001
    """What the command palette lists for ``query`` (then closed again)."""
    await pilot.press("ctrl+p")
    await wait(pilot, lambda: isinstance(app.screen, CommandPalette), what="palette open")
    await pilot.press(*query)
    texts: list[str] = []

    def listed() -> bool:
        options = app.screen.query_one(CommandList)
        texts[:] = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        return bool(texts)

    await wait(pilot, listed, what=f"palette hits for {query!r}")
    await pilot.pause(0.3)
    listed()
    await pilot.press("escape")
    await wait(pilot, lambda: not isinstance(app.screen, CommandPalette), what="palette closed")
    return texts


async def test_every_key_is_in_the_palette_and_the_footer_keeps_the_essential_keys(settings_for, wait):
    app = SentinelApp(settings_for(history=20), live=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait(pilot, lambda: app.core_ready and app.flow.loaded, what="core started")
        assert any("Go to block (g)" in t for t in await _palette_hits(pilot, app, "go to", wait))
        block_hits = await _palette_hits(pilot, app, "block", wait)
        assert any("Go to block (g)" in t for t in block_hits), block_hits
        assert any("Open block (⏎)" in t for t in block_hits), block_hits  # the Blocks pane's enter
        for query, expected in (("quit", "Quit (q"), ("filter", "Filter (/)"), ("help", "Help (?)")):
            hits = await _palette_hits(pilot, app, query, wait)
            assert any(expected in t for t in hits), (query, hits)
        # every described key of the app and of the focused pane is listed (discovery: empty query)
        provider = SentinelCommands(app.screen)
        names = [name for name, _, _ in provider._commands()]
        keys_named = {
            k for name in names for m in [re.search(r"\(([^()]*)\)$", name)] if m for k in m[1].split(" / ")
        }
        for binding in SentinelApp.BINDINGS:
            assert app.get_key_display(binding) in keys_named, (binding, names)
        assert "⏎" in keys_named  # the focused Blocks pane's "Open block"
        # a pane's key from the palette runs it: the Subnet pane's "Next subnet"
        await pilot.press("3")
        await wait(pilot, lambda: app.subnet_pane.netuid is not None, what="a subnet shown")
        hits = await _palette_hits(pilot, app, "next subnet", wait)
        assert any("Next subnet (])" in t for t in hits), hits

        # the footer at 80 columns keeps the panes, go to, help and quit on every pane
        for key in "12345":
            await pilot.press(key)
            await pilot.pause(0.2)
            footer = app.screen.query_one(KeyBar).plain
            assert len(footer) <= 80
            for needed in ("12345", "g Go to", "? Help", "q Quit", "^p palette"):
                assert needed in footer, (key, footer)


async def test_one_selected_subnet_for_the_hyperparams_and_subnet_panes(settings_for, wait):
    app = SentinelApp(settings_for(history=20), live=False)
    async with app.run_test(size=SIZE) as pilot:
        hp, sn = app.hyperparams, app.subnet_pane
        await wait(pilot, lambda: app.selected_netuid is not None, what="a subnet selected")
        first = app.selected_netuid
        await wait(pilot, lambda: hp.netuid == first and sn.netuid == first, what="both on the first subnet")
        await pilot.press("2")
        await wait(pilot, lambda: app.focused is hp.table, what="hyperparameters focused")
        await pilot.press("right_square_bracket")  # the next subnet, picked in the Hyperparams pane
        await wait(pilot, lambda: hp.netuid != first, what="hyperparams moved")
        second = hp.netuid
        await wait(
            pilot, lambda: app.selected_netuid == second and sn.netuid == second, what="subnet followed"
        )
        await pilot.press("3")
        await wait(pilot, lambda: app.focused is sn.table, what="subnet pane focused")
        await pilot.press("left_square_bracket")  # back, picked in the Subnet pane
        await wait(pilot, lambda: sn.netuid == first, what="subnet pane moved")
        await wait(
            pilot, lambda: app.selected_netuid == first and hp.netuid == first, what="hyperparams followed"
        )
        # the palette's subnet commands select it for both
        app.switch_subnet(second)
        await wait(pilot, lambda: hp.netuid == second and sn.netuid == second, what="palette: both")
