"""`sentinel-cli block hyperparameters` wall time against a local node, next to btcli.

Both CLIs are run as a user runs them (a fresh process each time) against the same devnet, in its own
process; printed: the median wall time of several runs. The baseline is `btcli sudo get` (the
`bittensor-cli` package) installed into a throwaway environment where the package index has it; when it
cannot be installed or cannot read the devnet, the reason is printed instead. Also printed: that
`--all` for 64 subnets reads all of them in one batched round trip (frames counted by the devnet).
Target: under 1.5 s wall.

    uv run python bench/hyperparams_cli.py [--runs 5] [--btcli PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _common import ROOT, devnet_process, verdict

BTCLI_VENV = Path("/tmp/sentinel-bench-btcli")


def wall(cmd: list[str], runs: int, env: dict | None = None) -> tuple[float, subprocess.CompletedProcess]:
    times, last = [], None
    for _ in range(runs):
        t = time.perf_counter()
        last = subprocess.run(
            cmd, capture_output=True, text=True, cwd=ROOT, timeout=300, env={**os.environ, **(env or {})}
        )
        times.append(time.perf_counter() - t)
    return statistics.median(times), last


def find_btcli(explicit: str | None) -> tuple[str | None, str]:
    if explicit:
        return explicit, "given"
    if shutil.which("btcli"):
        return shutil.which("btcli"), "on PATH"
    exe = BTCLI_VENV / "bin" / "btcli"
    if not exe.exists():
        uv = shutil.which("uv")
        if uv is None:
            return None, "uv not found to install bittensor-cli"
        r = subprocess.run(
            [uv, "venv", "-q", str(BTCLI_VENV), "--python", sys.executable], capture_output=True, text=True
        )
        r = (
            r
            if r.returncode
            else subprocess.run(
                [uv, "pip", "install", "-q", "--python", str(BTCLI_VENV / "bin" / "python"), "bittensor-cli"],
                capture_output=True,
                text=True,
                timeout=900,
            )
        )
        if r.returncode:
            return None, "bittensor-cli did not install: " + (r.stderr.strip().splitlines() or ["?"])[-1]
    return str(exe), "installed in a throwaway venv"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--btcli", default=None)
    args = ap.parse_args()
    with devnet_process("--history", "500", "--block-time", "600") as (url, _):
        ours, proc = wall(
            [
                sys.executable,
                "-m",
                "sentinel_tui.cli",
                "block",
                "hyperparameters",
                "--netuid",
                "1",
                "--network",
                url,
            ],
            args.runs,
            {"COLUMNS": "200"},
        )
        assert proc.returncode == 0, proc.stderr
        print(f"sentinel-cli block hyperparameters --netuid 1: median {ours:.2f} s over {args.runs} runs")
        btcli, how = find_btcli(args.btcli)
        if btcli is None:
            print(f"btcli: not measured ({how})")
        else:
            theirs, proc = wall(
                [btcli, "sudo", "get", "--netuid", "1", "--network", url, "--quiet"], args.runs
            )
            if proc.returncode == 0:
                print(
                    f"btcli sudo get --netuid 1 ({how}): median {theirs:.2f} s  -> ours is {theirs / ours:.1f}x faster"
                )
            else:
                err = (proc.stderr or proc.stdout).strip().splitlines()
                print(
                    f"btcli sudo get ({how}) could not read the devnet: {err[-1] if err else proc.returncode}"
                    f" (after {theirs:.2f} s)"
                )
    print(f"target < 1.5 s: {verdict(ours < 1.5)}")
    asyncio.run(_all_subnets_round_trips())


async def _all_subnets_round_trips() -> None:
    from sentinel_core.chain.client import ChainClient
    from sentinel_core.chain.reads.hyperparams import read_hyperparams
    from sentinel_core.devnet.background import BackgroundDevnet

    with BackgroundDevnet(history=5, subnets=64, produce=False) as node:
        async with ChainClient(node.url) as client:
            (h,) = await client.block_hashes([5])
            await read_hyperparams(client, [1], h)
            before = node.call(lambda n: dict(n.stats))
            t = time.perf_counter()
            values = await read_hyperparams(client, list(range(1, 65)), h)
            dt = time.perf_counter() - t
            after = node.call(lambda n: dict(n.stats))
    frames = after["frames"] - before["frames"]
    print(
        f"--all, 64 subnets: {len(values)} subnets in {frames} round trip(s), {dt * 1000:.0f} ms: "
        f"{verdict(frames == 1 and len(values) == 64)}"
    )


if __name__ == "__main__":
    main()
