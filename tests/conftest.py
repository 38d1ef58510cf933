"""Shared test fixtures: a devnet per test session (real JSON-RPC over a real websocket)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from sentinel_core.devnet.background import BackgroundDevnet  # noqa: E402
from sentinel_core.devnet.scenario import Happening, Scenario  # noqa: E402

HISTORY = 240

# Scripted happenings at known blocks, on top of the seed's random governance.
SCENARIO = Scenario(
    governance_rate=0.06,
    quiet=[(150, 199)],
    at=[
        Happening(block=40, action="set_hyperparam", netuid=1, name="tempo", value=111, via="sudo"),
        Happening(block=41, action="set_hyperparam", netuid=2, name="kappa", value=16383, via="owner"),
        Happening(
            block=42, action="set_hyperparam", netuid=3, name="immunity_period", value=100, via="batch"
        ),
        Happening(
            block=43, action="set_hyperparam", netuid=4, name="max_burn", value=200_000_000_000, via="proxy"
        ),
        Happening(block=44, action="set_hyperparam", netuid=5, name="tempo", value=720, via="sudo_failed"),
        Happening(
            block=45, action="set_hyperparam", netuid=1, name="alpha_values", value=[40000, 62000], via="sudo"
        ),
        Happening(block=50, action="schedule_swap_coldkey"),
        Happening(block=55, action="register_network", netuid=20),
        Happening(block=60, action="dissolve_network", netuid=20),
        Happening(block=65, action="sudo_call"),
    ],
)


@pytest.fixture(scope="session", autouse=True)
def runtime_cache_dir(tmp_path_factory: pytest.TempPathFactory):
    """Sentinel's runtime cache in a directory of the test session's own (also for the CLI processes
    tests start, which inherit the environment), never the user's ``~/.cache/sentinel``."""
    patch = pytest.MonkeyPatch()
    path = tmp_path_factory.mktemp("sentinel-cache")
    patch.setenv("SENTINEL_CACHE_DIR", str(path))
    yield path
    patch.undo()


@pytest.fixture(scope="session")
def devnet():
    """A devnet that produces no blocks by itself (tests call ``produce``): fully deterministic."""
    with BackgroundDevnet(history=HISTORY, seed=7, block_time=1.0, scenario=SCENARIO, produce=False) as node:
        yield node


def devnet_with_chain(chain: object, **kwargs: object) -> BackgroundDevnet:
    """A started devnet whose node builds its chain with ``chain`` (a ``DevChain`` class or factory,
    e.g. with more uids per subnet) instead of the default one."""
    from sentinel_core.devnet import server

    original = server.DevChain
    server.DevChain = chain
    try:
        return BackgroundDevnet(**kwargs).start()
    finally:
        server.DevChain = original


def headless_backfill(url: str, db: Path, end: int, start: int = 1) -> None:
    """Store blocks ``start``-``end`` of the node at ``url`` into ``db`` with a headless fast_backfill,
    as a user runs it (a subprocess); fails the test when it does not complete."""
    import subprocess

    proc = subprocess.run(
        [sys.executable, "-m", "sentinel_tui.main", "--headless", "--mode", "fast_backfill"]
        + ["--start", str(start), "--end", str(end), "--network", url, "--db", str(db)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stderr


def headless(*args: str, db: Path, **kw: object) -> subprocess.Popen[str]:
    """``sentinel-tui --headless --db DB ARGS`` as a subprocess (stdout and stderr piped, text)."""
    return subprocess.Popen(  # type: ignore[call-overload]
        [sys.executable, "-m", "sentinel_tui.main", "--headless", "--db", str(db), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "COLUMNS": "200"},
        **kw,
    )
