"""The runtime cache against the devnet: a connection whose runtime came from the disk cache decodes
blocks and reads chain state exactly as one that decoded the metadata itself, and CLI commands print
the same with a cold cache, a warm one, and none at all."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sentinel_core.chain import runtime_cache as rc
from sentinel_core.chain.client import ChainClient, ChainError
from sentinel_core.chain.reads import metagraph as mgm
from sentinel_core.chain.reads.hyperparams import read_hyperparams
from sentinel_core.chain.reads.subnets import subnets_at
from sentinel_core.chain.runtimes import RuntimeRegistry

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def fresh_process_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A cache directory of this test's own, and no runtimes shared in this process (as in a new
    process); what other tests shared is put back afterwards."""
    monkeypatch.setenv(rc.CACHE_ENV, str(tmp_path / "cache"))
    saved = RuntimeRegistry.reset_shared()
    yield tmp_path / "cache"
    RuntimeRegistry.reset_shared(saved)


async def read_everything(url: str) -> dict:
    RuntimeRegistry.reset_shared()  # no runtimes (nor codecs derived from them) shared in this process
    async with ChainClient(url) as client:
        blocks = await client.fetch_blocks(list(range(1, 91)))
        _, head = await client.head()
        netuids = await subnets_at(client, head)
        (h45,) = await client.block_hashes([45])
        return {
            "blocks": [b.model_dump(mode="json") for b in blocks],
            "hyperparams": await read_hyperparams(client, netuids, head),
            "hyperparams_45": await read_hyperparams(client, netuids, h45),
            "metagraph": (await mgm.read_metagraph(client, netuids[-1], head)).model_dump(mode="json"),
            "summaries": [
                s.model_dump(mode="json") for s in await mgm.read_all_summaries(client, netuids, head)
            ],
        }


async def test_cached_runtime_reads_like_a_decoded_one(devnet, fresh_process_state: Path) -> None:
    before = dict(rc.STATS)
    decoded = await read_everything(devnet.url)
    assert rc.STATS["misses"] - before["misses"] == 1 and rc.STATS["writes"] - before["writes"] == 1
    assert len(list((fresh_process_state / "runtimes").glob("*.bin"))) == 1
    cached = await read_everything(devnet.url)
    assert rc.STATS["hits"] - before["hits"] == 1 and rc.STATS["misses"] - before["misses"] == 1
    assert cached["blocks"] == decoded["blocks"]
    assert not any(b["decode_error"] for b in cached["blocks"])
    outer = {f"{x['pallet']}.{x['call']}" for b in cached["blocks"] for x in b["extrinsics"]}
    assert {"Sudo.sudo", "Utility.batch", "Proxy.proxy"} <= outer  # wrapped calls went through the codec
    assert any(c["via"] for b in cached["blocks"] for x in b["extrinsics"] for c in x["calls"])
    for key in ("hyperparams", "hyperparams_45", "metagraph", "summaries"):
        assert cached[key] == decoded[key], key


async def test_runtime_without_v15_metadata_takes_the_library_way(
    devnet, fresh_process_state: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    decoded = await read_everything(devnet.url)
    monkeypatch.setattr(rc, "metadata_from_option", lambda answer: None)  # as if the node had no V15
    before = dict(rc.STATS)
    assert await read_everything(devnet.url) == decoded
    assert rc.STATS == before  # the library loaded the runtime; the cache was not asked


async def test_connection_errors_stay_one_line(fresh_process_state: Path) -> None:
    with pytest.raises(ChainError, match=r"^cannot reach ws://127\.0\.0\.1:9: connection refused$"):
        await ChainClient("ws://127.0.0.1:9", timeout=5).connect()


def cli(*args: str, cache: Path | str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sentinel_tui.cli", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        env={**os.environ, "COLUMNS": "200", rc.CACHE_ENV: str(cache)},
    )


@pytest.mark.parametrize(
    "command",
    [
        ("block", "hyperparameters", "--netuid", "1", "--block", "45", "--json"),
        ("block", "show", "42", "--json"),
        ("subnet", "metagraph", "--all", "--json"),
    ],
)
def test_cli_prints_the_same_cold_warm_and_uncached(devnet, tmp_path: Path, command: tuple[str, ...]) -> None:
    args = [*command, "--network", devnet.url]
    if command[:2] == ("block", "show"):
        args += ["--db", str(tmp_path / "none.db")]
    cold = cli(*args, cache=tmp_path / "cache")
    assert cold.returncode == 0, cold.stderr
    assert len(list((tmp_path / "cache" / "runtimes").glob("*.bin"))) == 1
    warm = cli(*args, cache=tmp_path / "cache")
    assert warm.returncode == 0, warm.stderr
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    uncached = cli(*args, cache=blocker / "cache")
    assert uncached.returncode == 0, uncached.stderr
    assert json.loads(cold.stdout) == json.loads(warm.stdout) == json.loads(uncached.stdout)
    assert warm.stderr == cold.stderr == uncached.stderr == ""


def test_cli_ignores_a_corrupt_cache_file(devnet, tmp_path: Path) -> None:
    args = ["block", "hyperparameters", "--netuid", "2", "--json", "--network", devnet.url]
    first = cli(*args, cache=tmp_path)
    (path,) = (tmp_path / "runtimes").glob("*.bin")
    path.write_bytes(path.read_bytes()[:1000])
    again = cli(*args, cache=tmp_path)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout) == json.loads(first.stdout)
    assert len(path.read_bytes()) > 1000  # written again


async def test_an_older_runtime_comes_from_the_disk_cache_too(fresh_process_state: Path) -> None:
    """Blocks before an upgrade need the older runtime: decoded once, then read from the cache."""
    from sentinel_core.devnet.background import BackgroundDevnet
    from sentinel_core.devnet.scenario import Scenario

    with BackgroundDevnet(history=40, seed=12, produce=False, scenario=Scenario(upgrade_at=20)) as node:

        async def read() -> list[dict]:
            RuntimeRegistry.reset_shared()
            async with ChainClient(node.url) as client:
                blocks = await client.fetch_blocks(list(range(1, 41)))
            assert {b.spec_version for b in blocks if b.number < 20} != {
                b.spec_version for b in blocks if b.number > 20
            }
            return [b.model_dump(mode="json") for b in blocks]

        before = dict(rc.STATS)
        decoded = await read()
        assert rc.STATS["misses"] - before["misses"] == 2  # the head's runtime and the older one
        assert len(list((fresh_process_state / "runtimes").glob("*.bin"))) == 2
        cached = await read()
        assert rc.STATS["hits"] - before["hits"] == 2 and rc.STATS["misses"] - before["misses"] == 2
    assert cached == decoded and not any(b["decode_error"] for b in cached)
