"""The dashboard against a node that answers a call with an error: the header says which call failed,
at which block, and live mode goes on; once the node answers again, blocks flow."""

from __future__ import annotations

import shutil

from conftest import SENTINEL_TOML

from sentinel_core.config import load_config
from sentinel_core.devnet.background import BackgroundDevnet
from sentinel_tui.app import SentinelApp


async def test_a_failing_call_is_shown_in_the_header_and_live_mode_goes_on(tmp_path, wait):
    toml = tmp_path / "sentinel.toml"
    shutil.copy(SENTINEL_TOML, toml)
    with BackgroundDevnet(history=20, seed=1, block_time=0.3, fail_methods={"chain_getBlock": 1.0}) as node:
        settings = load_config(
            toml,
            env={},
            overrides={"network": {"name": node.url}, "storage": {"path": str(tmp_path / "s.db")}},
        )
        app = SentinelApp(settings)
        async with app.run_test(size=(120, 40)) as pilot:
            await wait(
                pilot, lambda: "chain_getBlock at block #" in app.header.plain, timeout=30, what="the error"
            )
            assert node.url in app.header.plain
            assert app.is_running and not app.flow.rows
            node.call(lambda n: setattr(n, "fail_methods", {}))
            await wait(pilot, lambda: app.flow.rows, timeout=40, what="blocks once the node answers")
            await wait(
                pilot, lambda: "chain_getBlock" not in app.header.plain, timeout=20, what="error cleared"
            )
