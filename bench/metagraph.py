"""Metagraph speed: a 256-neuron metagraph from the CLI, and snapshots of 8 subnets over 1,000 epochs.

A devnet runs in its own process (this file with ``--serve``): 8 subnets (+ root) of 256 neurons,
tempo 4 on every subnet (5-block epochs, set by a scenario in block 1) and enough history for 1,000
epochs. Printed:

1. ``sentinel-cli subnet metagraph --netuid N --json`` wall time (a fresh process, as a user runs it)
   beside the same read written with the library alone (a fresh process calling
   ``AsyncSubstrateInterface.runtime_call(get_metagraph)``), and the warm in-process cost of one read
   both ways (our batched ``state_call`` + compiled decoder vs the library's ``runtime_call``).
   Target: < 1 s wall from the CLI.
2. ``SnapshotBackfill`` of subnets 1-8 over every epoch boundary of the range (>= 8,000 snapshots,
   stored in SQLite). Target: < 2 minutes.

    uv run python bench/metagraph.py [--epochs 1000] [--tempo 4] [--neurons 256]

Until chain.py wires the NeuronState hooks itself, the served devnet uses ``NeuronChain`` below (the
same hook calls); once it does, the devnet's own chain is used as it is.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import peak_rss_mb, verdict  # noqa: E402

BOOT = (
    "import sys; from sentinel_tui.cli import app; from sentinel_tui import cli_subnet; "
    "'subnet' in [g.name for g in app.registered_groups] or cli_subnet.register(app); app()"
)


# -- the devnet process ----------------------------------------------------------------------------------
def neuron_chain_class(neurons: int | None):
    from sentinel_core.devnet.chain import DevChain
    from sentinel_core.devnet.metadata import DevRuntime
    from sentinel_core.devnet.neurons import NeuronState

    class NeuronChain(DevChain):
        """DevChain + the NeuronState hook calls chain.py is to make."""

        def __init__(self, *args, runtime=None, **kwargs):
            runtime = runtime or DevRuntime()
            self.neurons = NeuronState(kwargs.get("seed", 1), runtime)
            super().__init__(*args, runtime=runtime, **kwargs)

        def _add_subnet(self, block, netuid, owner, owner_hotkey, rng=None):
            super()._add_subnet(block, netuid, owner, owner_hotkey, rng)
            self.neurons.genesis_subnet(block, netuid, owner, owner_hotkey, neurons or None)

        def _remove_subnet(self, block, netuid):
            super()._remove_subnet(block, netuid)
            self.neurons.remove_subnet(block, netuid)

        def _rollback(self, number):
            super()._rollback(number)
            self.neurons.rollback(number)

        def _build(self, number, parent_hash, salt):
            self.neurons.on_block(number, lambda n: self.hyperparam_at(n, "tempo", number - 1))
            return super()._build(number, parent_hash, salt)

        def _routine(self, number, idx, rng, force_fail=False):
            ext = super()._routine(number, idx, rng, force_fail)
            ns = self.neurons
            for _, name, f in ext.events:
                if name == "StakeAdded":
                    ns.on_stake(number, f[4], f[1], f[0], f[2])
                elif name == "StakeRemoved":
                    ns.on_stake(number, f[4], f[1], f[0], -f[2])
                elif name == "StakeMoved":
                    ns.on_stake(number, f[4], f[3], f[0], -ns.on_stake(number, f[2], f[1], f[0], -f[5]))
                elif name == "NeuronRegistered":
                    ns.on_register(
                        number,
                        f[0],
                        f[2],
                        self.coldkeys[f[2][0] % len(self.coldkeys)],
                        immunity_period=self.hyperparam_at(f[0], "immunity_period", number),
                    )
            return ext

        def runtime_call(self, method, data, number):
            api, _, name = method.partition("_")
            if self.runtime_at(number).api_method(api, name) is not None:
                out = self.neurons.answer(
                    method,
                    data,
                    number,
                    lambda n: self.hyperparam_at(n, "tempo", number),
                    lambda n: self.hyperparams_v2(n, number),
                )
                if out is not None:
                    return out
            return super().runtime_call(method, data, number)

    return NeuronChain


def serve(args: argparse.Namespace) -> None:
    from sentinel_core.devnet import server
    from sentinel_core.devnet.chain import DevChain
    from sentinel_core.devnet.scenario import Happening, Scenario

    if "neurons" not in DevChain.__init__.__code__.co_names:  # chain.py does not call the hooks yet
        server.DevChain = neuron_chain_class(args.neurons)
    at = (
        [
            Happening(block=1, action="set_hyperparam", netuid=n, name="tempo", value=args.tempo, via="sudo")
            for n in range(1, 9)
        ]
        if args.tempo
        else []
    )
    scenario = Scenario(governance_rate=0.0, at=at)

    async def run() -> None:
        node = server.Devnet(
            history=args.history,
            seed=args.seed,
            block_time=600.0,
            produce=False,
            extrinsics_per_block=args.extrinsics,
            scenario=scenario,
        )
        await node.start()
        print(f"devnet listening on {node.url} (head #{node.chain.head.number})", flush=True)
        await asyncio.Event().wait()

    asyncio.run(run())


@contextmanager
def devnet(*args: str, timeout: float = 600.0):
    """This file's ``--serve`` devnet in its own process; yields its ws:// URL."""
    proc = subprocess.Popen(
        [sys.executable, __file__, "--serve", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        deadline = time.monotonic() + timeout
        url = None
        while url is None and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                raise RuntimeError("devnet exited before listening")
            m = re.search(r"(ws://[\d.]+:\d+)", line)
            url = m.group(1) if m else None
        if url is None:
            raise RuntimeError("devnet did not start in time")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


# -- part 1: one metagraph -----------------------------------------------------------------------------
LIBRARY_READ = """
import asyncio, sys
from async_substrate_interface import AsyncSubstrateInterface
async def main(url, netuid):
    async with AsyncSubstrateInterface(url, ss58_format=42) as s:
        h = await s.get_chain_head()
        v = await s.runtime_call("SubnetInfoRuntimeApi", "get_metagraph", [netuid], block_hash=h)
        print(len(v["hotkeys"]))
asyncio.run(main(sys.argv[1], int(sys.argv[2])))
"""


def wall(cmd: list[str], runs: int, untimed: int = 1, **extra_env: str) -> tuple[float, str]:
    """Median wall time of ``runs`` fresh processes, after ``untimed`` untimed runs. Bytecode caching
    is left on (PYTHONDONTWRITEBYTECODE dropped): an installed CLI runs from compiled modules, and
    compiling every import from source costs ~1.3 s a run here. So is Sentinel's runtime cache: pass
    ``SENTINEL_CACHE_DIR`` (the untimed run fills it, as a user's first command does)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["COLUMNS"] = "200"
    env.update(extra_env)
    times, output = [], ""
    for i in range(runs + untimed):
        t = time.perf_counter()
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300, env=env)
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd[:4])}...: {proc.stderr.strip()[-300:]}")
        output = proc.stdout
        if i >= untimed:
            times.append(time.perf_counter() - t)
    return statistics.median(times), output


async def warm_reads(url: str, netuid: int, repeat: int = 10) -> tuple[float, float]:
    from async_substrate_interface import AsyncSubstrateInterface

    from sentinel_core.chain.client import ChainClient
    from sentinel_core.chain.reads.metagraph import read_metagraph

    async with ChainClient(url) as client:
        _, h = await client.head()
        await read_metagraph(client, netuid, h)
        t = time.perf_counter()
        for _ in range(repeat):
            await read_metagraph(client, netuid, h)
        ours = (time.perf_counter() - t) / repeat
    async with AsyncSubstrateInterface(url, ss58_format=42) as s:
        await s.runtime_call("SubnetInfoRuntimeApi", "get_metagraph", [netuid], block_hash=h)
        t = time.perf_counter()
        for _ in range(repeat):
            await s.runtime_call("SubnetInfoRuntimeApi", "get_metagraph", [netuid], block_hash=h)
        library = (time.perf_counter() - t) / repeat
    return ours, library


async def biggest_subnet(url: str) -> tuple[int, int]:
    from sentinel_core.chain.client import ChainClient
    from sentinel_core.chain.reads.metagraph import read_all_summaries
    from sentinel_core.chain.reads.subnets import subnets_at

    async with ChainClient(url) as client:
        _, h = await client.head()
        summaries = await read_all_summaries(client, [n for n in await subnets_at(client, h) if n], h)
    best = max(summaries, key=lambda s: (s.neurons, -s.netuid))
    return best.netuid, best.neurons


def part_one(url: str, runs: int) -> bool:
    import json

    netuid, neurons = asyncio.run(biggest_subnet(url))
    print(f"\n1. metagraph of subnet {netuid} ({neurons} neurons)")
    cmd = [
        sys.executable,
        "-c",
        BOOT,
        "subnet",
        "metagraph",
        "--netuid",
        str(netuid),
        "--network",
        url,
        "--json",
    ]
    with tempfile.TemporaryDirectory() as cache:
        # The runtime cache of a user who ran a command before (the untimed run fills it), and of one
        # who never did: an empty cache each time.
        ours, text = wall(cmd, runs, SENTINEL_CACHE_DIR=cache)
        cold = statistics.median(
            wall(cmd, 1, untimed=0, SENTINEL_CACHE_DIR=tempfile.mkdtemp(dir=cache))[0] for _ in range(runs)
        )
    rows = len(json.loads(text)["rows"])
    library, text = wall([sys.executable, "-c", LIBRARY_READ, url, str(netuid)], runs)
    print(
        f"   sentinel-cli subnet metagraph --json (fresh process, {rows} rows): {ours:6.3f} s wall (median of {runs})"
    )
    print(f"     the same with an empty runtime cache (decodes and caches the metadata): {cold:6.3f} s")
    print(f"   library alone, runtime_call(get_metagraph) (fresh process):      {library:6.3f} s wall")
    imports, _ = wall([sys.executable, "-c", "import sentinel_tui.cli"], runs)
    print(f"   of which importing sentinel_tui.cli (every sentinel-cli command pays it): {imports:6.3f} s")
    warm_ours, warm_library = asyncio.run(warm_reads(url, netuid))
    print(
        f"   warm, in process: read_metagraph {warm_ours * 1000:6.1f} ms   library runtime_call "
        f"{warm_library * 1000:6.1f} ms   ({warm_library / warm_ours:.1f}x)"
    )
    ok = ours < 1.0 and rows == neurons
    print(f"   target < 1 s wall from the CLI: {verdict(ok)}")
    return ok


# -- part 2: snapshots -----------------------------------------------------------------------------------
async def snapshots(url: str, epochs: int, workers: int) -> tuple[float, int, int]:
    from sentinel_core.chain.client import ChainClient
    from sentinel_core.config import load_config
    from sentinel_core.ingest.snapshots import SnapshotBackfill
    from sentinel_core.service import Sentinel

    async with ChainClient(url) as client:
        head, _ = await client.head()
    with tempfile.TemporaryDirectory() as d:
        settings = load_config(
            ROOT / "sentinel.toml",
            env={},
            overrides={"network": {"name": url}, "storage": {"path": str(Path(d) / "bench.db")}},
        )
        async with Sentinel(settings) as sentinel:
            t = time.perf_counter()
            run = SnapshotBackfill(sentinel, 2, head, list(range(1, 9)), workers=workers)
            result = await run.run()
            dt = time.perf_counter() - t
            per_subnet = {
                n: len([b for b, items in run.plan.items() if any(x == n for x, _ in items)])
                for n in range(1, 9)
            }
            rows = await sentinel.store.read(
                lambda s: s._c().execute("SELECT count(*) FROM neuron_snapshots").fetchone()[0]
            )
    assert result.done == result.total, (result.done, result.total)
    return dt, min(per_subnet.values()), rows


def part_two(url: str, epochs: int, workers: int) -> bool:
    print(f"\n2. snapshots of subnets 1-8 at every epoch boundary ({epochs} epochs each)")
    dt, fewest, rows = asyncio.run(snapshots(url, epochs, workers))
    print(
        f"   {8 * fewest:,}+ snapshots ({rows:,} neuron rows) in {dt:6.1f} s  "
        f"({rows / dt:,.0f} neuron rows/s, {workers} workers)"
    )
    ok = dt < 120 and fewest >= epochs
    print(f"   target 8 subnets x {epochs} epochs < 2 minutes: {verdict(ok)}")
    return ok


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--history", type=int, default=0, help=argparse.SUPPRESS)
    ap.add_argument("--seed", type=int, default=3, help=argparse.SUPPRESS)
    ap.add_argument("--extrinsics", type=int, default=4, help="Extrinsics per devnet block.")
    ap.add_argument("--epochs", type=int, default=1000)
    ap.add_argument("--tempo", type=int, default=4)
    ap.add_argument("--neurons", type=int, default=256, help="Neurons per subnet (0: 64-256, from the seed).")
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    if args.serve:
        serve(args)
        return
    history = args.epochs * (args.tempo + 1) + 2 * (args.tempo + 1) + 2
    print(
        f"devnet: {history} blocks, 8 subnets of {args.neurons} neurons, tempo {args.tempo}, in its own process"
    )
    t = time.perf_counter()
    with devnet(
        "--history",
        str(history),
        "--tempo",
        str(args.tempo),
        "--neurons",
        str(args.neurons),
        "--extrinsics",
        str(args.extrinsics),
        "--seed",
        str(args.seed),
    ) as url:
        print(f"   ready in {time.perf_counter() - t:.0f} s at {url}")
        one = part_one(url, args.runs)
        two = part_two(url, args.epochs, args.workers)
    print(f"\npeak RSS (this process): {peak_rss_mb():.0f} MiB    all targets: {verdict(one and two)}")


if __name__ == "__main__":
    main()
