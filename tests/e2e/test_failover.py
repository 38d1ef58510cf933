"""Failover (issue 14): live mode on two endpoints of one chain switches when the one in use fails or
stalls, fills the gap from the last stored block and stores every block once; the config and the
command line give the endpoint list."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sentinel_core.bus import ConnectionChanged, LogLine
from sentinel_core.config import ConfigError, load_config
from sentinel_core.devnet.background import BackgroundDevnet
from sentinel_core.ingest.live import LiveRunner
from sentinel_core.service import Sentinel
from sentinel_tui.common import settings_for
from sentinel_tui.main import cli

ROOT = Path(__file__).resolve().parents[2]
NETWORKS = "(finney, test, archive, local, devnet)"


def two_nodes(**a_faults: object) -> tuple[BackgroundDevnet, BackgroundDevnet]:
    """Two nodes of the same chain (same seed); A is started first, so it is not behind B."""
    a = BackgroundDevnet(seed=5, history=200, block_time=0.2, **a_faults).start()
    try:
        b = BackgroundDevnet(seed=5, history=200, block_time=0.2).start()
    except BaseException:
        a.stop()
        raise
    return a, b


def chain_of(node: BackgroundDevnet) -> dict[int, str]:
    return dict(node.call(lambda n: [(blk.number, blk.hash) for blk in n.chain.blocks]))


def settings(tmp_path: Path, urls: list[str], **network: object):
    over = {
        "network": {"name": urls[0], "urls": urls, "probe_interval": 0.5, **network},
        "storage": {"path": str(tmp_path / "f.db")},
        "watch": {"snapshots": False},
    }
    return load_config(ROOT / "sentinel.toml", env={}, overrides=over)


def stored(db: Path) -> list[tuple[int, str]]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT number, hash FROM blocks ORDER BY number").fetchall()


async def until(predicate, timeout: float) -> float:
    """Wait for ``predicate``; how long it took."""
    start = time.monotonic()
    while not predicate():
        assert time.monotonic() - start < timeout, "condition not reached in time"
        await asyncio.sleep(0.05)
    return time.monotonic() - start


def switches(notices: list) -> list[ConnectionChanged]:
    return [n for n in notices if isinstance(n, ConnectionChanged) and n.state == "connected" and n.previous]


def test_two_nodes_of_one_seed_are_one_chain():
    a, b = two_nodes()
    try:
        ca, cb = chain_of(a), chain_of(b)
    finally:
        a.stop()
        b.stop()
    common = sorted(set(ca) & set(cb))
    assert len(common) >= 200 and all(ca[n] == cb[n] for n in common)


async def test_a_node_that_goes_away_is_replaced_and_no_block_is_lost(tmp_path):
    a, b = two_nodes()
    try:
        # lag_blocks is wide here: this test is about the failure, not the lag rule.
        async with Sentinel(settings(tmp_path, [a.url, b.url], lag_blocks=50)) as sentinel:
            notices: list = []
            sentinel.bus.subscribe(notices.append)
            runner = LiveRunner(sentinel)
            task = asyncio.create_task(runner.run())
            try:
                await until(lambda: runner.blocks_processed >= 10, 30)
                assert sentinel.url == a.url
                await asyncio.to_thread(a.stop)
                took = await until(lambda: switches(notices), 15)
                # Within the stall time (live mode's quiet timeout, at least 5 s): the drop is seen at once.
                assert took < 5.0
                moved_at = runner.last_number
                assert moved_at is not None
                await until(
                    lambda: runner.last_number is not None and runner.last_number >= moved_at + 10, 20
                )
            finally:
                task.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await task
            (switch,) = switches(notices)
            assert (switch.url, switch.previous, switch.endpoint, switch.endpoints) == (b.url, a.url, 2, 2)
            assert switch.reason and switch.reason.startswith(a.url)
            logs = [n.text for n in notices if isinstance(n, LogLine)]
            assert any(t.startswith(f"switching from {a.url} to {b.url} (2/2): {a.url}") for t in logs), logs
            assert sentinel.url == b.url and sentinel.pool is not None
            assert sentinel.pool.health(a.url).failures >= 1
        chain = chain_of(b)
    finally:
        a.stop()
        b.stop()
    rows = stored(tmp_path / "f.db")
    numbers = [n for n, _ in rows]
    assert numbers == list(range(numbers[0], numbers[-1] + 1)), "a gap or a block stored twice"
    assert numbers[-1] >= moved_at + 10
    assert all(chain[n] == h for n, h in rows)


async def test_a_node_that_stalls_is_left_within_the_stall_time(tmp_path):
    stall = 20.0
    a, b = two_nodes(stall=stall)
    started = time.monotonic()
    try:
        async with Sentinel(settings(tmp_path, [a.url, b.url])) as sentinel:
            notices: list = []
            sentinel.bus.subscribe(notices.append)
            runner = LiveRunner(sentinel)
            task = asyncio.create_task(runner.run())
            try:
                await until(lambda: switches(notices), stall - 5)
                assert time.monotonic() - started < stall  # A has not produced a block yet
                moved_at = runner.last_number or 0
                await until(lambda: runner.last_number is not None and runner.last_number >= moved_at + 5, 15)
            finally:
                task.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await task
            (switch,) = switches(notices)
            assert (switch.url, switch.previous) == (b.url, a.url)
            # B runs ahead while A produces nothing: the lag rule (or the quiet timeout) says so.
            assert switch.reason is not None
            assert switch.reason.startswith(f"{a.url} lags ") or switch.reason.startswith(f"{a.url} stalled")
            assert a.call(lambda n: n.stalled)
        chain = chain_of(b)
    finally:
        a.stop()
        b.stop()
    rows = stored(tmp_path / "f.db")
    numbers = [n for n, _ in rows]
    assert numbers == list(range(numbers[0], numbers[-1] + 1))
    assert all(chain[n] == h for n, h in rows)


async def test_a_node_that_goes_quiet_midway_is_left_after_the_quiet_time(tmp_path):
    """The lag rule out of the way: the stall detection alone (no head for the quiet time) switches."""
    a, b = two_nodes()
    try:
        async with Sentinel(settings(tmp_path, [a.url, b.url], lag_blocks=10_000)) as sentinel:
            notices: list = []
            sentinel.bus.subscribe(notices.append)
            runner = LiveRunner(sentinel)
            task = asyncio.create_task(runner.run())
            try:
                await until(lambda: runner.blocks_processed >= 10, 30)
                a.call(lambda n: n.stall(30.0))
                quiet = runner._quiet_timeout()
                took = await until(lambda: switches(notices), quiet + 5)
                assert took < quiet + 2
                moved_at = runner.last_number or 0
                await until(lambda: runner.last_number is not None and runner.last_number >= moved_at + 5, 15)
            finally:
                task.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await task
            (switch,) = switches(notices)
            assert switch.reason == f"{a.url} stalled: no head for {quiet:.0f} s"
        chain = chain_of(b)
    finally:
        a.stop()
        b.stop()
    rows = stored(tmp_path / "f.db")
    numbers = [n for n, _ in rows]
    assert numbers == list(range(numbers[0], numbers[-1] + 1))
    assert all(chain[n] == h for n, h in rows)


async def test_connect_goes_to_the_next_endpoint_and_names_each_when_all_fail(tmp_path):
    with BackgroundDevnet(seed=5, history=20, produce=False) as b:
        dead = "ws://127.0.0.1:9"
        async with Sentinel(settings(tmp_path, [dead, b.url])) as sentinel:
            logs: list = []
            sentinel.bus.subscribe(lambda n: logs.append(n.text) if isinstance(n, LogLine) else None)
            client = await sentinel.connect(archive=True)  # no archive configured: the same endpoints
            try:
                assert client.url == b.url and sentinel.url == b.url and sentinel.archive_url == b.url
            finally:
                await client.close()
            assert logs == [f"switching from {dead} to {b.url} (2/2): {dead}: connection refused"]
        # Archive endpoints of their own: their switches are told as the archive's.
        async with Sentinel(settings(tmp_path, [b.url], archive_urls=[dead, b.url])) as sentinel:
            logs.clear()
            sentinel.bus.subscribe(lambda n: logs.append(n.text) if isinstance(n, LogLine) else None)
            client = await sentinel.connect(archive=True)
            await client.close()
            assert sentinel.archive_label == f"{dead}, {b.url}" and sentinel.archive_url == b.url
            assert logs == [f"archive: switching from {dead} to {b.url} (2/2): {dead}: connection refused"]
        async with Sentinel(settings(tmp_path, [dead, "ws://127.0.0.1:10"])) as sentinel:
            with pytest.raises(Exception) as failure:
                await sentinel.connect()
        assert str(failure.value) == (
            f"no endpoint answered: {dead}: connection refused; ws://127.0.0.1:10: connection refused"
        )


async def test_a_client_reopened_after_a_failure_goes_to_the_next_endpoint(tmp_path):
    """What a backfill's worker does with its client after a dropped connection."""
    a = BackgroundDevnet(seed=5, history=20, produce=False).start()
    try:
        with BackgroundDevnet(seed=5, history=20, produce=False) as b:
            async with Sentinel(settings(tmp_path, [a.url, b.url])) as sentinel:
                client = await sentinel.connect(archive=True)
                try:
                    assert client.url == a.url
                    await asyncio.to_thread(a.stop)
                    await sentinel.reconnect(client, f"{a.url}: connection lost")
                    assert client.url == b.url and sentinel.archive_url == b.url
                    assert (await client.head())[0] == 20
                finally:
                    await client.close()
    finally:
        a.stop()


def test_the_network_option_given_twice_is_the_endpoint_list(tmp_path):
    config = tmp_path / "sentinel.toml"
    config.write_text('[network]\nurls = ["ws://x:1", "ws://y:2"]\n')
    s = settings_for(config, ["ws://a:1", "ws://b:2"])
    assert s.network.endpoints == ["ws://a:1", "ws://b:2"] and s.network.name == "ws://a:1"
    s = settings_for(config, ["ws://a:1"])  # one --network: one endpoint, as before
    assert s.network.endpoints == ["ws://a:1"] and s.network.urls is None
    s = settings_for(config, None)
    assert s.network.endpoints == ["ws://x:1", "ws://y:2"] and s.network.url == "ws://x:1"
    s = load_config(config, env={"BITTENSOR_NETWORK": "ws://c:3"})  # one endpoint replaces the list
    assert s.network.endpoints == ["ws://c:3"]
    result = CliRunner().invoke(
        cli, ["--config", str(config), "--network", "ws://a:1", "--network", "bogusname", "--headless"]
    )
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f"error: --network bogusname: not a URL or a known network {NETWORKS}"
    ]


def test_a_bad_endpoint_in_urls_names_its_line(tmp_path):
    config = tmp_path / "sentinel.toml"
    config.write_text('[network]\nurls = [\n  "ws://a:1",\n  "http://b",\n]\n')
    with pytest.raises(ConfigError) as e:
        load_config(config, env={})
    assert e.value.lines == [
        f'{config}:4: network.urls[1]: "http://b" is not a ws:// or wss:// URL or a known network {NETWORKS}'
    ]
    config.write_text('[network]\nurls = ["ws://a:1", "devnet"]\narchive_urls = ["ws://c:1", "ws://c:1"]\n')
    with pytest.raises(ConfigError) as e:
        load_config(config, env={})
    assert e.value.lines == [
        f'{config}:2: network.urls[1]: "devnet" (the built-in devnet) cannot be one of several endpoints',
        f'{config}:3: network.archive_urls[1]: "ws://c:1" is listed twice (also network.archive_urls[0])',
    ]


async def test_a_deaf_connection_is_closed_and_recreated_and_no_block_is_lost(tmp_path):
    """One endpoint whose first connection goes deaf (open, never answering again): live mode
    notices the silence, opens a new connection and fills the gap."""
    with BackgroundDevnet(seed=5, history=50, block_time=0.2, deaf_after=2.0, deaf_connections=1) as node:
        async with Sentinel(settings(tmp_path, [node.url])) as sentinel:
            notices: list = []
            sentinel.bus.subscribe(notices.append)
            runner = LiveRunner(sentinel)
            task = asyncio.create_task(runner.run())
            try:
                await until(lambda: node.call(lambda n: n.stats["deaf_connections"]) == 1, 30)
                deaf_at = runner.last_number or 0
                await until(lambda: runner.last_number is not None and runner.last_number >= deaf_at + 10, 40)
            finally:
                task.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await task
        chain = chain_of(node)
    connected = [n for n in notices if isinstance(n, ConnectionChanged) and n.state == "connected"]
    assert len(connected) >= 2, "no new connection after the first went deaf"
    rows = stored(tmp_path / "f.db")
    numbers = [n for n, _ in rows]
    assert numbers == list(range(numbers[0], numbers[-1] + 1))
    assert all(chain[n] == h for n, h in rows)


async def test_a_fast_backfill_survives_deaf_connections(tmp_path):
    """The first connections go deaf half a second after they open: their calls time out, the clients
    are closed and opened again, and every block is stored once."""
    from sentinel_core.ingest.backfill import Backfill

    with BackgroundDevnet(
        seed=5, history=1000, block_time=600, produce=False, deaf_after=0.5, deaf_connections=3
    ) as node:
        async with Sentinel(settings(tmp_path, [node.url])) as sentinel:
            original = sentinel.connect

            async def connect(*, archive: bool = False, timeout: float = 30.0):
                return await original(archive=archive, timeout=3.0)  # the watchdog's time, short here

            sentinel.connect = connect  # type: ignore[method-assign]
            result = await Backfill(sentinel, start=1, end=1000, workers=4, batch_size=10, processes=1).run()
        deaf = node.call(lambda n: n.stats["deaf_connections"])
    assert result.state == "done" and result.done == 1000
    assert deaf >= 2
    numbers = [n for n, _ in stored(tmp_path / "f.db")]
    assert numbers == list(range(1, 1001))
