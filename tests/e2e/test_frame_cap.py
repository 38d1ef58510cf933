"""A node that answers far more than any call returns (50 MB): the client takes at most
``[network] max_frame_mb`` in one frame, says so in one line (exit 2), and its memory stays bounded."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sentinel_core.devnet.background import BackgroundDevnet

ROOT = Path(__file__).resolve().parents[2]

# Runs a command and prints the peak RSS (kB) of its process tree's largest member: the command's.
MEASURE = (
    "import resource, subprocess, sys\n"
    "p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
    "sys.stdout.write(p.stdout)\n"
    "sys.stderr.write(p.stderr)\n"
    "print('PEAK_RSS_KB', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    "sys.exit(p.returncode)\n"
)


def run_measured(args: list[str], tmp_path: Path) -> tuple[int, str, str, float]:
    proc = subprocess.run(
        [sys.executable, "-c", MEASURE, sys.executable, "-m", "sentinel_tui.cli", *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    out, _, peak = proc.stdout.rpartition("PEAK_RSS_KB ")
    return proc.returncode, out, proc.stderr, int(peak.strip()) / 1024


def test_a_50_mb_answer_is_refused_in_one_line_and_memory_stays_bounded(tmp_path):
    with BackgroundDevnet(
        history=60, seed=3, block_time=600, produce=False, bloat={"chain_getBlock": 50}
    ) as node:
        code, out, err, peak_mb = run_measured(
            ["extrinsics", "--block", "30", "--network", node.url], tmp_path
        )
        # The same command on a node that answers normally: the baseline of the CLI's own memory.
        (tmp_path / "plain").mkdir()
        with BackgroundDevnet(history=60, seed=3, block_time=600, produce=False) as plain:
            ok, _, _, base_mb = run_measured(
                ["extrinsics", "--block", "30", "--network", plain.url], tmp_path
            )
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1, err
    assert "larger than 32 MB" in lines[0] and "max_frame_mb" in lines[0], lines[0]
    assert "Traceback" not in out + err
    assert ok == 0
    # The frame is cut off at the cap: what it costs on top of the CLI is about the cap, not 50 MB
    # parsed into objects (667 MB before).
    assert peak_mb < base_mb + 120, (peak_mb, base_mb)


def test_the_cap_is_the_users_to_set(tmp_path):
    (tmp_path / "sentinel.toml").write_text("[network]\nmax_frame_mb = 2\n")
    with BackgroundDevnet(
        history=60, seed=3, block_time=600, produce=False, bloat={"chain_getBlock": 4}
    ) as node:
        code, _, err, _ = run_measured(["extrinsics", "--block", "30", "--network", node.url], tmp_path)
        assert code == 2 and "larger than 2 MB" in err, err
        (tmp_path / "sentinel.toml").write_text("[network]\nmax_frame_mb = 8\n")
        code, out, err, _ = run_measured(["extrinsics", "--block", "30", "--network", node.url], tmp_path)
        assert code == 0, err
