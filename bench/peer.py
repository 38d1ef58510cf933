"""Side by side with the published Sentinel core, ``bittensor-sentinel`` (CLI ``sentinel``).

Installs it into a throwaway virtualenv (``uv venv`` + ``uv pip install bittensor-sentinel``, from
the package index), starts one devnet (bench/metagraph.py's ``--serve`` devnet, in its own process)
and runs against it, each as a fresh process:

    sentinel -f json extrinsics --block N --network URL      sentinel-cli extrinsics --block N --json
    sentinel -f json events --block N --network URL          sentinel-cli events --block N --json
    sentinel -f json subnet --netuid U --block N \\           sentinel-cli subnet metagraph --netuid U
        --network URL metagraph                                 --block N --json

Printed per command: both wall times (median of ``--runs``) and whether the rows agree, or the peer's
error where it cannot read the devnet. Nothing of the peer's code is used here: only its CLI.

    uv run python bench/peer.py [--block 50] [--netuid 1] [--venv /tmp/peer-venv]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from metagraph import BOOT, devnet  # noqa: E402

PACKAGE = "bittensor-sentinel"


def install(venv: Path) -> str:
    exe = venv / "bin" / "sentinel"
    if not exe.exists():
        print(f"installing {PACKAGE} into {venv} ...", flush=True)
        subprocess.run(["uv", "venv", "-q", str(venv)], check=True)
        subprocess.run(["uv", "pip", "install", "-q", "--python", str(venv), PACKAGE], check=True)
    version = subprocess.run([str(venv / "bin" / "python"), "-c",
                              f"import importlib.metadata as m; print(m.version({PACKAGE!r}))"],
                             capture_output=True, text=True).stdout.strip()
    return version


def run(cmd: list[str], runs: int, *, env: dict[str, str] | None = None) -> tuple[float, subprocess.CompletedProcess]:
    times, proc = [], None
    for _ in range(runs):
        t = time.perf_counter()
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300, env=env)
        times.append(time.perf_counter() - t)
    assert proc is not None
    return statistics.median(times), proc


def json_in(text: str) -> Any:
    """The JSON document in ``text`` (the peer may log lines before it); None when there is none."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line[:1] in ("{", "["):
            try:
                return json.loads("\n".join(lines[i:]))
            except ValueError:
                continue
    return None


def peer_error(proc: subprocess.CompletedProcess) -> str | None:
    """The peer's own error, as one line (its JSON ``error``, else the exception it died with)."""
    data = json_in(proc.stdout)
    if isinstance(data, dict) and data.get("error"):
        return str(data["error"])
    if proc.returncode == 0:
        return None
    text = proc.stdout + "\n" + proc.stderr
    found = re.findall(r"^([A-Za-z_.]*(?:Error|Exception|NotFound)[A-Za-z_]*: .+)$", text, re.M)
    found = [f for f in found if "Event loop is closed" not in f]
    return (found[-1] if found else (text.strip().splitlines() or ["exit code %d" % proc.returncode])[-1])[:200]


SDK_PROBE = """
import sys, bittensor
try:
    bittensor.Subtensor(network=sys.argv[1]).block_info(int(sys.argv[2]))
    print("ok")
except Exception as exc:
    print(f"{type(exc).__name__}: {exc}")
"""


def sdk_cause(venv: Path, url: str, block: int) -> str:
    """What the bittensor SDK under the peer says reading the block (the peer logs only a warning)."""
    proc = subprocess.run([str(venv / "bin" / "python"), "-c", SDK_PROBE, url, str(block)], capture_output=True,
                          text=True, timeout=120)
    lines = proc.stdout.strip().splitlines()
    return lines[0][:160] if lines else (proc.stderr.strip().splitlines() or ["?"])[-1][:160]


def rows_of(data: Any) -> list[dict[str, Any]]:
    """The list of row dicts in a JSON document (the first list of dicts found, depth first)."""
    if isinstance(data, list) and (not data or isinstance(data[0], dict)):
        return data
    if isinstance(data, dict):
        for key in ("rows", "extrinsics", "events", "neurons", "data", "items"):
            if key in data:
                found = rows_of(data[key])
                if found is not None:
                    return found
        for value in data.values():
            found = rows_of(value)
            if found:
                return found
    return []


def pick(row: dict[str, Any], *names: str) -> Any:
    for n in names:
        if n in row:
            return row[n]
        for v in row.values():
            if isinstance(v, dict) and n in v:
                return v[n]
    return None


def compare(kind: str, peer: list[dict[str, Any]], ours: list[dict[str, Any]]) -> str:
    if len(peer) != len(ours):
        return f"differ: {len(peer)} rows vs our {len(ours)}"
    if kind == "extrinsics":
        keys = (("hash", "extrinsic_hash"), ("hash",))
    elif kind == "events":
        keys = (("event_id", "name", "event"), ("name",))
    else:
        keys = (("hotkey",), ("hotkey",))
    theirs_key, ours_key = keys
    a = [pick(r, *theirs_key) for r in peer]
    b = [pick(r, *ours_key) for r in ours]
    if all(x is None for x in a):
        return f"agree on {len(ours)} rows (count only: no comparable field)"
    bad = [i for i, (x, y) in enumerate(zip(a, b)) if x != y]
    return f"agree on all {len(ours)} rows" if not bad else f"differ at {len(bad)} rows (first: row {bad[0]})"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--venv", type=Path, default=Path("/tmp/peer-venv"))
    ap.add_argument("--block", type=int, default=50)
    ap.add_argument("--netuid", type=int, default=1)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    version = install(args.venv)
    peer = str(args.venv / "bin" / "sentinel")
    print(f"peer: {PACKAGE} {version}")
    ours_env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    no_db = str(Path("/tmp") / f"sentinel-peer-bench-{os.getpid()}.db")
    with devnet("--history", str(max(args.block, 120) + 10), "--tempo", "9", "--neurons", "128") as url:
        print(f"devnet: {url}\n")
        b, u = str(args.block), str(args.netuid)
        pairs = [
            ("extrinsics", [peer, "-f", "json", "extrinsics", "--block", b, "--network", url],
             [sys.executable, "-c", BOOT, "extrinsics", "--block", b, "--network", url, "--db", no_db, "--json"]),
            ("events", [peer, "-f", "json", "events", "--block", b, "--network", url],
             [sys.executable, "-c", BOOT, "events", "--block", b, "--network", url, "--db", no_db, "--json"]),
            ("subnet metagraph", [peer, "-f", "json", "subnet", "--netuid", u, "--block", b, "--network", url,
                                  "metagraph"],
             [sys.executable, "-c", BOOT, "subnet", "metagraph", "--netuid", u, "--block", b, "--network", url,
              "--json"]),
        ]
        print(f"{'command':<18} {'peer wall':>10} {'ours wall':>10}  result")
        faster = True
        for name, peer_cmd, our_cmd in pairs:
            run(our_cmd, 1, env=ours_env)  # compile our modules once, as an installed CLI has them
            peer_time, peer_proc = run(peer_cmd, args.runs)
            our_time, our_proc = run(our_cmd, args.runs, env=ours_env)
            if our_proc.returncode != 0:
                result = f"OUR ERROR: {our_proc.stderr.strip()[-200:]}"
            elif (error := peer_error(peer_proc)) is not None:
                result = f"peer cannot read the devnet: {error}"
                if "not found for block" in error:
                    result += f" (its SDK: {sdk_cause(args.venv, url, args.block)})"
            else:
                result = compare(name.split()[-1], rows_of(json_in(peer_proc.stdout)),
                                 rows_of(json.loads(our_proc.stdout)))
            faster = faster and our_time < peer_time
            print(f"{name:<18} {peer_time:>9.2f}s {our_time:>9.2f}s  {result}", flush=True)
        print(f"\nours faster on every command: {'yes' if faster else 'NO'}")


if __name__ == "__main__":
    main()
