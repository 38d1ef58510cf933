"""``sentinel-tui --headless --mode fast_backfill --snapshots``: metagraph snapshots over a past range."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from sentinel_core.devnet.background import BackgroundDevnet
from sentinel_core.devnet.scenario import Happening, Scenario

ROOT = Path(__file__).resolve().parents[2]
HISTORY = 120
SCENARIO = Scenario(
    governance_rate=0.0,
    at=[
        Happening(block=2, action="set_hyperparam", netuid=1, name="tempo", value=9, via="sudo"),
        Happening(block=2, action="set_hyperparam", netuid=2, name="tempo", value=14, via="sudo"),
    ],
)


def headless(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sentinel_tui.main", "--headless", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=180,
        env={**os.environ, "COLUMNS": "200"},
    )


def snapshot_rows(db: Path) -> list[tuple[int, int, int]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT netuid, block, point FROM subnet_snapshots ORDER BY netuid, block"
        ).fetchall()


@pytest.fixture(scope="module")
def node():
    with BackgroundDevnet(history=HISTORY, seed=5, scenario=SCENARIO, produce=False) as n:
        yield n


def test_snapshots_of_one_subnet_at_its_epoch_blocks_then_resumed(node, tmp_path):
    db = tmp_path / "s.db"
    args = (
        "--mode",
        "fast_backfill",
        "--snapshots",
        "--start",
        "10",
        "--end",
        str(HISTORY),
        "--netuid",
        "1",
        "--network",
        node.url,
        "--db",
        str(db),
    )
    proc = headless(*args)
    assert proc.returncode == 0, proc.stderr
    epochs = node.call(lambda n: n.chain.neurons.epoch_blocks(1, 10, HISTORY))
    assert len(epochs) >= 10
    assert snapshot_rows(db) == [(1, b, 0) for b in epochs]
    assert (
        f"snapshots 10-{HISTORY} complete: {len(epochs)} snapshots taken (0 were stored already)"
        in proc.stdout
    )
    assert f"fast_backfill 10-{HISTORY}: {len(epochs)}/{len(epochs)} snapshots (done)" in proc.stdout
    assert not re.search(r"blocks \(|blocks/s", proc.stdout)  # its progress counts snapshots, not blocks

    again = headless(*args)
    assert again.returncode == 0, again.stderr
    assert f"complete: 0 snapshots taken ({len(epochs)} were stored already)" in again.stdout
    assert snapshot_rows(db) == [(1, b, 0) for b in epochs]


def test_step_counts_epochs_and_points_add_the_quarter_points(node, tmp_path):
    db = tmp_path / "p.db"
    proc = headless(
        "--mode",
        "fast_backfill",
        "--snapshots",
        "--start",
        "10",
        "--end",
        str(HISTORY),
        "--netuid",
        "2",
        "--step",
        "2",
        "--points",
        "4",
        "--network",
        node.url,
        "--db",
        str(db),
    )
    assert proc.returncode == 0, proc.stderr
    rows = snapshot_rows(db)
    epochs = node.call(lambda n: n.chain.neurons.epoch_blocks(2, 10, HISTORY))
    assert [b for _, b, p in rows if p == 0] == epochs[::2]
    assert {p for _, _, p in rows} == {0, 1, 2, 3}


def test_snapshot_flags_outside_a_snapshot_run_are_one_line_errors(tmp_path):
    proc = headless("--mode", "live", "--snapshots", "--db", str(tmp_path / "x.db"))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "--snapshots is a fast_backfill run" in proc.stderr
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "sentinel_tui.main",
            "--headless",
            "--mode",
            "fast_backfill",
            "--points",
            "4",
            "--start",
            "1",
            "--end",
            "2",
            "--db",
            str(tmp_path / "y.db"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert proc.returncode == 2 and "--points and --weights go with --snapshots" in proc.stderr
