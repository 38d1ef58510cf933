"""The dashboard's devnet in a child process: it serves real JSON-RPC on the URL it says, stops when
asked, ends with a parent killed with kill -9, and a devnet that cannot start says why in one line."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from sentinel_core.chain.client import ChainClient
from sentinel_core.config import DevnetSettings
from sentinel_core.devnet.process import DevnetProcess, DevnetProcessError

ROOT = Path(__file__).resolve().parents[2]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as f:  # a zombie is gone for our purposes
        return f.read().split()[2] != "Z"


async def test_the_devnet_process_serves_its_chain_and_stops() -> None:
    node = await DevnetProcess(DevnetSettings(history=30, block_time=0.5)).start()
    process = node._process
    assert process is not None and process.pid != os.getpid() and node.url.startswith("ws://127.0.0.1:")
    client = await ChainClient(node.url).connect()
    try:
        head, _ = await client.head()
        assert head >= 30
        await asyncio.sleep(1.2)
        assert (await client.head())[0] > head  # it goes on producing blocks
    finally:
        await client.close()
    await node.stop()
    assert not alive(process.pid)


async def test_a_devnet_that_cannot_start_says_why(tmp_path: Path) -> None:
    with pytest.raises(DevnetProcessError) as exc:
        await DevnetProcess(DevnetSettings(history=5, scenario=str(tmp_path / "missing.toml"))).start()
    text = str(exc.value)
    assert "\n" not in text and text.startswith("the devnet did not start:") and "missing.toml" in text


def test_the_devnet_process_ends_with_a_parent_killed_with_kill_9() -> None:
    script = textwrap.dedent(
        """
        import asyncio, sys, time
        from sentinel_core.config import DevnetSettings
        from sentinel_core.devnet.process import DevnetProcess

        async def main():
            node = await DevnetProcess(DevnetSettings(history=5)).start()
            print(node._process.pid, flush=True)
            await asyncio.sleep(600)

        if __name__ == "__main__":
            asyncio.run(main())
        """
    )
    parent = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout is not None
        child = int(parent.stdout.readline())
        assert alive(child)
        parent.send_signal(signal.SIGKILL)
        parent.wait(10)
        deadline = time.monotonic() + 10
        while alive(child) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not alive(child), "the devnet outlived its parent"
    finally:
        parent.kill()
