"""Every error from the node reaches the user as one line naming the call, with exit code 2.

Each ``sentinel-cli`` command that talks to a node is run once against a devnet to learn which RPC
methods and runtime APIs it asks for (the devnet counts them); then the devnet fails each of those in
turn (``fail_methods``, as ``--fail-method`` does) and the command must exit 2 with one line on
stderr that names the failed call, and no traceback anywhere. The handshake's own calls are failed
once each, in a fresh process (the runtime is cached in-process and on disk after the first
connection). Headless live mode keeps running through a failing call and says so in one line.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import headless_backfill

from sentinel_core.devnet.background import BackgroundDevnet
from sentinel_tui.cli import run

ROOT = Path(__file__).resolve().parents[2]

HANDSHAKE = {
    "system_chain",
    "chain_getBlockHash",
    "chain_getHead",
    "chain_getHeader",
    "state_getRuntimeVersion",
    "state_call:Metadata_metadata_at_version",
}
"""What connecting asks (ChainClient._open): failed once each in test_a_failing_handshake_call..."""

COMMANDS: dict[str, list[str]] = {
    "block show (not stored)": ["block", "show", "100", "--db", "{db}"],
    "extrinsics": ["extrinsics", "--block", "40"],
    "events": ["events", "--block", "40"],
    "block hyperparameters": ["block", "hyperparameters", "--netuid", "1"],
    "block hyperparameters --block": ["block", "hyperparameters", "--netuid", "1", "--block", "40"],
    "block hyperparameters --all": ["block", "hyperparameters", "--all"],
    "subnet metagraph": ["subnet", "metagraph", "--netuid", "1"],
    "subnet metagraph --block": ["subnet", "metagraph", "--netuid", "1", "--block", "40"],
    "subnet metagraph --lite": ["subnet", "metagraph", "--netuid", "1", "--lite"],
    "subnet metagraph --all": ["subnet", "metagraph", "--all"],
    "subnet apy": ["subnet", "apy", "--netuid", "1", "--db", "{db}"],
}
"""Commands that ask the node for more than connecting does (``runtime version`` and ``rules check``
ask only what connecting asks: test_a_failing_handshake_call... runs them)."""

FALLS_BACK = {
    "subnet apy": "shows what the database holds, with a note naming what failed",
    "rules check": "checks names against the known runtimes, with a note naming what failed",
}
"""Commands that are still useful without the node: they exit 0 with one ``note:`` line instead."""


def assert_one_line_naming(name: str, method: str, code: int, out: str, err: str, url: str) -> None:
    lines = err.strip().splitlines()
    shown = method.split(":")[-1]
    fallback = name in FALLS_BACK
    assert code == (0 if fallback else 2), (name, method, out[-300:], err)
    prefix = "note: " if fallback else "error: "
    assert len(lines) == 1 and lines[0].startswith(prefix), (name, method, err)
    assert shown in lines[0], (name, method, lines[0])
    assert url in lines[0], (name, method, lines[0])
    assert "Traceback" not in out + err, (name, method)


@pytest.fixture(scope="module")
def node(tmp_path_factory):
    where = tmp_path_factory.mktemp("node-errors")
    with BackgroundDevnet(history=120, seed=7, block_time=600, produce=False) as node:
        db = where / "s.db"
        headless_backfill(node.url, db, 60)
        config = where / "sentinel.toml"
        config.write_text("")
        yield node, db, config


def fail(node: BackgroundDevnet, methods: dict[str, float]) -> None:
    node.call(lambda n: setattr(n, "fail_methods", dict(methods)))


def cli(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = run(argv)
    return code, out.getvalue(), err.getvalue()


def argv_of(name: str, url: str, db: Path, config: Path, where: Path) -> list[str]:
    """The command's arguments, on a fresh copy of the backfilled database (a run stores snapshots
    it took: the next would not ask for them)."""
    copy = where / f"{len(list(where.iterdir()))}.db"
    shutil.copy(db, copy)
    return [a.format(db=copy, config=config) for a in COMMANDS[name]] + ["--network", url]


@pytest.mark.parametrize("name", list(COMMANDS))
def test_each_call_a_command_makes_fails_in_one_line_naming_it(node, tmp_path, name):
    devnet, db, config = node
    fail(devnet, {})
    before = devnet.call(lambda n: dict(n.calls))
    argv = argv_of(name, devnet.url, db, config, tmp_path)
    code, out, err = cli(argv)
    assert code == 0, (argv, err)
    after = devnet.call(lambda n: dict(n.calls))
    used = {m for m in after if after[m] != before.get(m, 0)} - HANDSHAKE - {"state_call"}
    assert used, f"{name} asked the node nothing beyond connecting"
    try:
        for method in sorted(used):
            fail(devnet, {method: 1.0})
            code, out, err = cli(argv_of(name, devnet.url, db, config, tmp_path))
            assert_one_line_naming(name, method, code, out, err, devnet.url)
    finally:
        fail(devnet, {})


@pytest.mark.parametrize("command", [["runtime", "version"], ["rules", "check"]], ids=" ".join)
@pytest.mark.parametrize("method", sorted(HANDSHAKE))
def test_a_failing_handshake_call_is_one_line_naming_it(node, tmp_path, method, command):
    """Connecting, in a process of its own with an empty runtime cache (the metadata is asked for)."""
    devnet, db, config = node
    fail(devnet, {method: 1.0})
    try:
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "sentinel_tui.cli",
                *command,
                "--network",
                devnet.url,
                "--config",
                str(config),
            ]
            if command[0] == "rules"
            else [sys.executable, "-m", "sentinel_tui.cli", *command, "--network", devnet.url],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=120,
            env={**os.environ, "SENTINEL_CACHE_DIR": str(tmp_path / "cache")},
        )
    finally:
        fail(devnet, {})
    name = " ".join(command)
    assert_one_line_naming(name, method, proc.returncode, proc.stdout, proc.stderr, devnet.url)


def test_a_pruned_node_says_so_and_points_to_an_archive(tmp_path):
    with BackgroundDevnet(history=120, seed=7, block_time=600, produce=False, pruned=20) as devnet:
        code, out, err = cli(
            ["subnet", "metagraph", "--netuid", "1", "--block", "40", "--network", devnet.url]
        )
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1, err
    assert "State already discarded" in lines[0] and "archive" in lines[0], lines[0]
    assert "block #40" in lines[0], lines[0]


def test_headless_live_keeps_running_through_a_failing_call(tmp_path):
    """Live mode with chain_getBlock failing: it goes on (reconnecting, retrying), says what fails in
    one line per notice, and never prints a traceback."""
    with BackgroundDevnet(history=30, seed=7, block_time=0.5, fail_methods={"chain_getBlock": 1.0}) as devnet:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "sentinel_tui.main",
                "--headless",
                "--network",
                devnet.url,
                "--db",
                str(tmp_path / "live.db"),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=ROOT,
        )
        time.sleep(8)
        assert proc.poll() is None, "live mode stopped on a failing call"
        proc.send_signal(signal.SIGINT)
        output, _ = proc.communicate(timeout=30)
    assert "Traceback" not in output, output[-2000:]
    assert "chain_getBlock" in output, output[-2000:]


def test_a_backfill_from_a_pruned_node_points_to_the_archive_and_works_with_one(tmp_path):
    """A pruned node refuses old state: the backfill fails at once with the hint; given --archive
    (a node of the same chain that keeps everything) it fetches from there."""
    with (
        BackgroundDevnet(history=120, seed=7, block_time=600, produce=False, pruned=20) as pruned,
        BackgroundDevnet(history=120, seed=7, block_time=600, produce=False) as archive,
    ):
        base = [sys.executable, "-m", "sentinel_tui.main", "--headless", "--mode", "fast_backfill"]
        base += ["--start", "1", "--end", "50", "--network", pruned.url]
        failed = subprocess.run(
            [*base, "--db", str(tmp_path / "a.db")], capture_output=True, text=True, cwd=ROOT, timeout=120
        )
        assert failed.returncode == 2, failed.stderr
        assert "pruned node" in failed.stderr and "archive" in failed.stderr
        assert "Traceback" not in failed.stdout + failed.stderr
        ok = subprocess.run(
            [*base, "--archive", archive.url, "--db", str(tmp_path / "b.db")],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=120,
        )
        assert ok.returncode == 0, ok.stderr
        assert "50 blocks fetched" in ok.stdout + ok.stderr
    bad = subprocess.run(
        [sys.executable, "-m", "sentinel_tui.main", "--headless", "--archive", "bogusname"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert bad.returncode == 2 and bad.stderr.strip().startswith("error: --archive bogusname:"), bad.stderr
