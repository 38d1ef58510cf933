"""Snapshots of every pane at 120x40 and 80x24 (pytest-textual-snapshot).

Deterministic by construction: a devnet with a fixed seed that does not produce blocks runs in a
thread of its own; a fixture backfills a fixed range from it (one worker, so the rules see the blocks
in order) into a tmp database with a fixed clock, and takes the metagraph snapshots of two subnets
over that range (their epoch blocks and the quarter points after them, so each has a snapshot to
compare with); the app then opens that database with live watching
off, block times in UTC, and the same fixed clock. Every snapshot waits until all panes have loaded.

Regenerate with ``uv run pytest tests/tui/test_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC
from pathlib import Path

import pytest

from sentinel_core.devnet.server import Devnet
from sentinel_core.ingest.backfill import Backfill
from sentinel_core.ingest.snapshots import plan_points, take_snapshots, tempo_schedule
from sentinel_core.service import Sentinel
from sentinel_core.store import Store
from sentinel_tui.app import SentinelApp

HISTORY = 120
FIXED_TIME = 1_700_001_440.0
PANES = {"blocks": "1", "hyperparams": "2", "subnet": "3", "alerts": "4", "backfill": "5"}
SNAPSHOT_SUBNETS = [4, 8]
"""The two subnets whose epochs fall in the range (tempo 99 and 100; the others' tempos are longer)."""
SIZES = {"120x40": (120, 40), "80x24": (80, 24)}


class ThreadedDevnet:
    """A devnet serving from its own event loop in a background thread (the app runs in another)."""

    def __init__(self, **kwargs: object) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="snapshot-devnet", daemon=True)
        self.thread.start()
        self.node: Devnet = self.run(Devnet(**kwargs).start())

    def run(self, coro, timeout: float = 60.0):  # noqa: ANN001, ANN201
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    @property
    def url(self) -> str:
        return self.node.url

    def close(self) -> None:
        self.run(self.node.stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


def _core(settings, url: str) -> Sentinel:
    core = Sentinel(settings, clock=lambda: FIXED_TIME)
    core.url = core.archive_url = url
    return core


@pytest.fixture(scope="module")
def prefilled(tmp_path_factory, tui_helpers):
    make_settings, wait_for = tui_helpers
    tmp: Path = tmp_path_factory.mktemp("snapshots")
    node = ThreadedDevnet(history=HISTORY, seed=1, block_time=12.0, extrinsics_per_block=8, produce=False)
    settings = make_settings(tmp, history=HISTORY, block_time=12.0)

    async def fill() -> None:
        core = _core(settings, node.url)
        await core.start(deliver=False, watch_rules=False)
        try:
            await Backfill(core, start=1, end=HISTORY, mode="fast_backfill", workers=1, batch_size=30).run()
            await _take_snapshots(core)
        finally:
            await core.stop()

    node.run(fill(), timeout=120)
    with Store(settings.storage.path, readonly=True) as store:
        newest = store.hyperparam_history(limit=1)
    focus = (newest[0].netuid, newest[0].name) if newest else None
    yield settings, node.url, focus, wait_for
    node.close()


async def _take_snapshots(core: Sentinel) -> None:
    """What ``SnapshotBackfill(points_per_epoch=4)`` takes over the range, with ``take_snapshots``
    (a backfill would add a run to the Backfill pane's list)."""
    client = await core.connect()
    try:
        schedule = await tempo_schedule(client, SNAPSHOT_SUBNETS, 1, HISTORY)
        plan = plan_points(schedule, 1, HISTORY, points_per_epoch=4)
        assert {n for due in plan.values() for n, _ in due} == set(SNAPSHOT_SUBNETS)
        hashes = await client.block_hashes(list(plan))
        for (block, due), block_hash in zip(plan.items(), hashes):
            for netuid, point in due:
                await take_snapshots(core, client, [netuid], block, block_hash, point=point)
    finally:
        await client.close()


def _app(prefilled) -> SentinelApp:
    settings, url, _, _ = prefilled
    return SentinelApp(settings, live=False, sentinel=_core(settings, url), tz=UTC, clock=lambda: 1000.0)


def _settled(app: SentinelApp) -> bool:
    hp = app.hyperparams
    sn = app.subnet_pane
    return (
        app.core_ready
        and app.head_known
        and app.flow.loaded
        and app.rule_hits.loaded
        and hp.loaded
        and hp.history_loaded
        and sn.loaded
        and sn.apy_loaded
        and app.backfill_pane.runs_loaded
        and app.backfill_pane.query_one("#bf-end").value != ""
    )


def _state(app: SentinelApp) -> str:
    """What has not loaded, and every worker's state (a failure says why)."""
    hp, sn = app.hyperparams, app.subnet_pane
    flags = {
        "core_ready": app.core_ready,
        "head_known": app.head_known,
        "flow": app.flow.loaded,
        "rule_hits": app.rule_hits.loaded,
        "hp": (hp.netuid, hp.loaded, hp.history_loaded),
        "sn": (sn.netuid, sn.loaded, sn.apy_loaded, sn.index_loaded),
        "runs": app.backfill_pane.runs_loaded,
    }
    workers = [(w.group, w.name, w.state.name, repr(w.error)) for w in app.workers]
    return f"{flags} workers={workers}"


def _run_before(prefilled, pane: str):
    _, _, focus, wait_for = prefilled

    async def run_before(pilot) -> None:
        app = pilot.app
        try:
            await wait_for(pilot, lambda: _settled(app), timeout=30, what="dashboard loaded")
        except AssertionError as exc:
            raise AssertionError(f"{exc}: {_state(app)}") from None
        if pane != "blocks":
            await pilot.press(PANES[pane])
        if pane == "hyperparams" and focus is not None:
            netuid, name = focus
            hp = app.hyperparams
            if hp.netuid != netuid:
                hp.select_subnet(netuid)
                await wait_for(pilot, lambda: hp.netuid == netuid and hp.loaded, what="subnet read")
            await wait_for(pilot, lambda: name in hp.table.rows, what="parameter listed")
            hp.table.move_cursor(row=hp.table.get_row_index(name))
            await wait_for(pilot, lambda: hp.selected_name == name and hp.history_loaded, what="history")
        if pane == "subnet":
            # Both panes open on subnet 1, which has no snapshots here: show the first subnet that has.
            sn = app.subnet_pane
            if sn.netuid != SNAPSHOT_SUBNETS[0]:
                app.select_subnet(SNAPSHOT_SUBNETS[0])
                await wait_for(
                    pilot,
                    lambda: sn.netuid == SNAPSHOT_SUBNETS[0] and sn.loaded and sn.apy_loaded,
                    what="snapshot subnet read",
                )
            # Sorted by stake (s: uid -> hotkey -> stake); a sort puts the cursor on the top row (the
            # largest stake, a validator with an APY).
            await pilot.press("s", "s")
            await wait_for(
                pilot, lambda: sn.sort_column == "stake" and sn.apy_points(), what="sorted by stake"
            )
        await pilot.pause(0.2)

    return run_before


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("pane", list(PANES))
def test_pane_snapshot(snap_compare, prefilled, pane: str, size: str) -> None:
    assert snap_compare(_app(prefilled), terminal_size=SIZES[size], run_before=_run_before(prefilled, pane))
