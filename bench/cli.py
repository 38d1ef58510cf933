"""Wall time of sentinel-cli commands as a user runs them (a fresh process each time), next to btcli.

Started by the bench: a devnet in its own process (``sentinel-cli devnet``) and a database of its
history (a headless fast_backfill), so that ``db stats`` and ``alerts list`` read real rows. Timed, N
runs each, min / median / max: ``sentinel-cli --help``, ``db stats``, ``alerts list`` and ``block
hyperparameters --netuid 1`` (against the devnet), through the installed console script; next to them
the same run's floor (``python -c pass``, the interpreter alone) and, when btcli is installed (on PATH,
or given with ``--btcli``), ``btcli sudo get --netuid 1`` against the same devnet; otherwise that column
says why it is missing (``bench/hyperparams_cli.py`` can install it into a throwaway venv).
Also printed: whether each command loaded the chain stack (async_substrate_interface, websockets).

Bytecode: an installed package runs from its cached ``.pyc`` files. Where ``PYTHONDONTWRITEBYTECODE``
is set (as in some sandboxes) every module is compiled from source on every run; the bench measures
with a bytecode cache of its own (``PYTHONPYCACHEPREFIX`` in a temporary directory, warmed by one run;
the source tree gets no ``__pycache__``) and prints the median without any cache next to it.

    uv run python bench/cli.py [--runs 7] [--btcli PATH]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import ROOT, devnet_process, verdict

BTCLI_VENV = Path("/tmp/sentinel-bench-btcli")
PROBE = (
    "import sys; from sentinel_tui.cli import run; code = run(sys.argv[1:]); "
    "print(' '.join(m for m in ('async_substrate_interface', 'websockets', 'sentinel_core.devnet') "
    "if m in sys.modules), file=sys.stderr); sys.exit(code)"
)


def wall(
    cmd: list[str], runs: int, env: dict[str, str | None] | None = None
) -> tuple[list[float], subprocess.CompletedProcess]:
    times, last = [], None
    environ = {k: v for k, v in {**os.environ, **(env or {})}.items() if v is not None}
    for _ in range(runs):
        t = time.perf_counter()
        last = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=300, env=environ)
        times.append(time.perf_counter() - t)
    assert last is not None
    return times, last


def figures(times: list[float]) -> str:
    return f"{min(times):6.2f} {statistics.median(times):6.2f} {max(times):6.2f}"


def find_btcli(explicit: str | None) -> tuple[str | None, str]:
    if explicit:
        return explicit, "given"
    if shutil.which("btcli"):
        return shutil.which("btcli"), "on PATH"
    if (BTCLI_VENV / "bin" / "btcli").exists():
        return str(BTCLI_VENV / "bin" / "btcli"), f"in {BTCLI_VENV}"
    return (
        None,
        "btcli is not installed (not on PATH; bench/hyperparams_cli.py installs it into a throwaway venv)",
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--btcli", default=None)
    args = ap.parse_args()
    script = shutil.which("sentinel-cli", path=str(Path(sys.executable).parent))
    if script is None:
        sys.exit("sentinel-cli is not installed in this environment (uv sync)")
    with (
        tempfile.TemporaryDirectory() as tmp,
        devnet_process("--history", "1000", "--block-time", "600") as (url, _),
    ):
        db = Path(tmp) / "bench.db"
        t = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-m", "sentinel_tui.main", "--headless", "--mode", "fast_backfill"]
            + ["--start", "1", "--end", "1000", "--network", url, "--db", str(db)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=600,
        )
        if proc.returncode:
            sys.exit(f"backfill failed: {proc.stderr.strip()[-300:]}")
        print(f"devnet {url}, 1,000 blocks backfilled into {db.name} in {time.perf_counter() - t:.1f} s")
        commands = {
            "sentinel-cli --help": ["--help"],
            "sentinel-cli db stats": ["db", "stats", "--db", str(db)],
            "sentinel-cli alerts list": ["alerts", "list", "--db", str(db)],
            "sentinel-cli block hyperparameters --netuid 1": [
                "block",
                "hyperparameters",
                "--netuid",
                "1",
                "--network",
                url,
            ],
        }
        cache = Path(tmp) / "pycache"
        env = {"COLUMNS": "200", "PYTHONPYCACHEPREFIX": str(cache), "PYTHONDONTWRITEBYTECODE": None}
        no_cache = {"COLUMNS": "200", "PYTHONDONTWRITEBYTECODE": "1"}
        floor, _ = wall([sys.executable, "-c", "pass"], args.runs)
        btcli, how = find_btcli(args.btcli)
        theirs = None
        if btcli is not None:
            times, p = wall([btcli, "sudo", "get", "--netuid", "1", "--network", url, "--quiet"], args.runs)
            if p.returncode == 0:
                theirs = times
            else:
                err = (p.stderr or p.stdout).strip().splitlines()
                how = f"btcli could not read the devnet: {err[-1] if err else p.returncode}"
        print(f"wall time in seconds over {args.runs} runs (min median max); {os.cpu_count()} CPUs")
        print(
            "with a warmed bytecode cache (PYTHONDONTWRITEBYTECODE is "
            + (
                "set here: the no-.pyc column is what a run costs here)"
                if os.environ.get("PYTHONDONTWRITEBYTECODE")
                else "unset)"
            )
        )
        print(f"{'command':<48} {'min':>6} {'median':>6} {'max':>6}  {'no .pyc':>7}  chain stack loaded")
        print(f"{'python -c pass (the floor)':<48} {figures(floor)}")
        medians = {}
        for label, argv in commands.items():
            wall([script, *argv], 1, env)  # fills the bytecode cache
            times, p = wall([script, *argv], args.runs, env)
            cold, _ = wall([script, *argv], max(1, args.runs // 2), no_cache)
            if p.returncode:
                print(f"{label:<48} failed: {p.stderr.strip()[-200:]}")
                continue
            probe = subprocess.run(
                [sys.executable, "-c", PROBE, *argv], capture_output=True, text=True, cwd=ROOT, timeout=300
            )
            stack = probe.stderr.strip().splitlines()[-1] if probe.stderr.strip() else ""
            medians[label] = statistics.median(times)
            print(f"{label:<48} {figures(times)}  {statistics.median(cold):7.2f}  {stack or 'no'}")
        if theirs is not None:
            ratio = statistics.median(theirs) / medians.get(
                "sentinel-cli block hyperparameters --netuid 1", 1
            )
            print(
                f"{'btcli sudo get --netuid 1 (' + how + ')':<48} {figures(theirs)}  (ours {ratio:.1f}x faster)"
            )
        else:
            print(f"{'btcli sudo get --netuid 1':<48} not measured: {how}")
    local = [
        medians.get(k, 99)
        for k in ("sentinel-cli --help", "sentinel-cli db stats", "sentinel-cli alerts list")
    ]
    print(f"--help, db stats, alerts list under 1.0 s median: {verdict(max(local) < 1.0)}")


if __name__ == "__main__":
    main()
