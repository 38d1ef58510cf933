"""Headless runs as a new user meets them (issue 20): the STORE_ARTIFACT flag and ``--artifact``,
alerts before the completion line, whole status lines, a broken reload said once, channels reloaded
with the rules, a backfill on the archive node alone, and a database of another chain refused."""

from __future__ import annotations

import http.server
import json
import os
import re
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from sentinel_core.devnet.background import BackgroundDevnet
from sentinel_core.devnet.scenario import Happening, Scenario

HISTORY = 60
SUDO_AT = 95
SCENARIO = Scenario(
    governance_rate=0.0,
    at=[
        Happening(block=20, action="sudo_call"),
        Happening(block=30, action="set_hyperparam", netuid=1, name="tempo", value=99, via="sudo"),
        Happening(block=SUDO_AT, action="sudo_call"),
    ],
)

RULES = """
[[rules]]
kind = "sudo_catchall"
name = "sudo-call"
severity = "warning"
message = "sudo: {summary}"
channels = [CHANNELS]

[[rules]]
kind = "hyperparam"
name = "hyperparam-change"
severity = "warning"
message = "subnet {netuid}: {change}"
channels = ["dashboard", "console"]
"""


def config(
    tmp_path: Path, *, network: str | None, channels: str = '"dashboard", "console"', extra: str = ""
) -> Path:
    path = tmp_path / "sentinel.toml"
    net = f'[network]\nname = "{network}"\n' if network else ""
    path.write_text(f"{net}[watch]\nsnapshots = false\n{extra}\n" + RULES.replace("CHANNELS", channels))
    return path


def env(**extra: str) -> dict[str, str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in ("STORE_ARTIFACT", "BITTENSOR_NETWORK", "BITTENSOR_ARCHIVE_NETWORK", "SENTINEL_MODE")
    }
    return {**base, "COLUMNS": "200", **extra}


def headless(
    cwd: Path, *args: str, environ: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sentinel_tui.main", "--headless", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=180,
        env=environ or env(),
    )


@pytest.fixture(scope="module")
def node():
    with BackgroundDevnet(history=HISTORY, seed=11, block_time=1.0, scenario=SCENARIO, produce=False) as n:
        yield n


def backfill_args(cfg: Path, db: Path, end: int = HISTORY) -> tuple[str, ...]:
    return (
        "--config",
        str(cfg),
        "--db",
        str(db),
        "--mode",
        "fast_backfill",
        "--start",
        "1",
        "--end",
        str(end),
    )


# -- STORE_ARTIFACT and --artifact ----------------------------------------------------------------------


def test_store_artifact_true_writes_beside_the_database_and_says_where(node, tmp_path):
    cfg = config(tmp_path, network=node.url)
    db = tmp_path / "data" / "chain.db"
    db.parent.mkdir()
    proc = headless(tmp_path, *backfill_args(cfg, db), environ=env(STORE_ARTIFACT="true"))
    assert proc.returncode == 0, proc.stderr
    artifact = tmp_path / "data" / "chain.artifact.jsonl"
    assert not (tmp_path / "true").exists(), "the flag's value is not a path"
    lines = artifact.read_text().splitlines()
    assert len(lines) == HISTORY and all(json.loads(x)["number"] for x in lines)
    said = [x for x in proc.stdout.splitlines() if "JSON line" in x]
    assert len(said) == 1 and said[0].endswith(
        f"artifact: every processed block as a JSON line to {artifact}"
    )


def test_artifact_option_false_and_a_bad_flag(node, tmp_path):
    cfg = config(tmp_path, network=node.url)
    out = tmp_path / "blocks.jsonl"
    proc = headless(tmp_path, *backfill_args(cfg, tmp_path / "a.db", 10), "--artifact", str(out))
    assert proc.returncode == 0, proc.stderr
    assert len(out.read_text().splitlines()) == 10
    assert f"JSON line to {out}" in proc.stdout

    proc = headless(tmp_path, *backfill_args(cfg, tmp_path / "b.db", 10), environ=env(STORE_ARTIFACT="no"))
    assert proc.returncode == 0, proc.stderr
    assert not list(tmp_path.glob("b.artifact*")) and "JSON line" not in proc.stdout

    proc = headless(
        tmp_path, *backfill_args(cfg, tmp_path / "c.db", 10), environ=env(STORE_ARTIFACT="out.jsonl")
    )
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        "error: env STORE_ARTIFACT: 'out.jsonl' is not a flag: use true/1/yes or false/0/no "
        "(give the artifact's path with --artifact FILE or [storage] artifact)"
    ]
    assert not (tmp_path / "out.jsonl").exists() and not (tmp_path / "c.db").exists()


# -- output order -----------------------------------------------------------------------------------------


class SlowHook(http.server.BaseHTTPRequestHandler):
    """A webhook receiver that takes its time: the deliverer's rounds are long while the backfill runs."""

    def do_POST(self) -> None:  # noqa: N802 - http.server API
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        time.sleep(0.15)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_backfill_alerts_come_before_the_completion_line(tmp_path):
    # 1,000 blocks (the decoding processes run); a slow webhook beside the console keeps the deliverer
    # busy, so alerts of the last batches were printed after the completion line.
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), SlowHook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    hook = f"http://127.0.0.1:{server.server_address[1]}/hook"
    try:
        with BackgroundDevnet(history=1010, seed=3, produce=False) as big:
            cfg = config(
                tmp_path,
                network=big.url,
                extra=f'[[channels.webhook]]\nname = "slow"\nurl = "{hook}"\n',
                channels='"dashboard", "console", "slow"',
            )
            text = cfg.read_text().replace('["dashboard", "console"]', '["dashboard", "console", "slow"]')
            cfg.write_text(text)
            proc = headless(tmp_path, *backfill_args(cfg, tmp_path / "o.db", 1000))
    finally:
        server.shutdown()
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    done = [i for i, x in enumerate(lines) if "fast_backfill 1-1000 complete: 1,000 blocks fetched" in x]
    alerts = [i for i, x in enumerate(lines) if x.startswith("[warning] #")]
    assert len(done) == 1 and done[0] == len(lines) - 1, lines[-5:]
    assert len(alerts) >= 10, lines
    assert max(alerts) < done[0]
    last = max(int(m.group(1)) for i in alerts if (m := re.match(r"\[warning\] #(\d+)", lines[i])))
    assert last > 900, last  # alerts of the last batches too


# -- the archive node alone --------------------------------------------------------------------------------


def test_archive_network_alone_starts_no_devnet(node, tmp_path):
    cfg = config(tmp_path, network=None)  # [network] name stays "devnet"
    t0 = time.monotonic()
    proc = headless(
        tmp_path, *backfill_args(cfg, tmp_path / "ar.db", 20), environ=env(BITTENSOR_ARCHIVE_NETWORK=node.url)
    )
    elapsed = time.monotonic() - t0
    assert proc.returncode == 0, proc.stderr
    first = next(x for x in proc.stdout.splitlines() if "sentinel fast_backfill on" in x)
    assert f"sentinel fast_backfill on {node.url}," in first
    assert "devnet" not in proc.stdout
    assert "fast_backfill 1-20 complete: 20 blocks fetched" in proc.stdout
    # The in-process devnet (5,000 blocks of history by default) alone took ~9 s to start.
    assert elapsed < 30, elapsed


# -- a database of another chain ---------------------------------------------------------------------------


def test_a_database_of_another_chain_is_refused_in_one_line(node, tmp_path):
    with BackgroundDevnet(history=20, seed=12, block_time=1.0, produce=False) as other:
        db = tmp_path / "one.db"
        proc = headless(tmp_path, *backfill_args(config(tmp_path, network=node.url), db, 15))
        assert proc.returncode == 0, proc.stderr
        with sqlite3.connect(db) as conn:
            (genesis,) = conn.execute("SELECT value FROM meta WHERE key = 'genesis_hash'").fetchone()
            count = conn.execute("SELECT count(*) FROM blocks").fetchone()[0]
        assert re.fullmatch(r"0x[0-9a-f]{64}", genesis) and count == 15

        pattern = (
            rf"error: {re.escape(str(db))}: this database holds chain {genesis[:10]}… \(genesis\), "
            r"the node is 0x[0-9a-f]{8}…; use another --db"
        )
        other_cfg = config(tmp_path, network=other.url)
        for args in (backfill_args(other_cfg, db, 15), ("--config", str(other_cfg), "--db", str(db))):
            proc = headless(tmp_path, *args)
            assert proc.returncode == 2, (proc.stdout, proc.stderr)
            assert len(proc.stderr.splitlines()) == 1 and re.fullmatch(pattern, proc.stderr.strip()), (
                proc.stderr
            )
            assert not proc.stderr.strip().endswith(genesis[:10] + "…; use another --db")
        with sqlite3.connect(db) as conn:
            assert conn.execute("SELECT count(*) FROM blocks").fetchone()[0] == count

        # The database's own chain is still welcome.
        proc = headless(tmp_path, *backfill_args(config(tmp_path, network=node.url), db, 20))
        assert proc.returncode == 0, proc.stderr


# -- live: the status line, a broken reload, channels reloaded ----------------------------------------------


class Lines:
    """A running process's stdout lines, read on a thread."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.lines: list[str] = []
        self._thread = threading.Thread(target=self._read, args=(proc,), daemon=True)
        self._thread.start()

    def _read(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, text: str, timeout: float, tick: object = None) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [x for x in self.lines if text in x]
            if found:
                return found[0]
            if callable(tick):
                tick()
            time.sleep(0.3)
        raise AssertionError(f"no line with {text!r} in {timeout}s: {self.lines[-10:]}")


def test_live_status_broken_reload_once_and_a_new_jsonl_channel(node, tmp_path):
    cfg = config(tmp_path, network=node.url)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sentinel_tui.main",
            "--headless",
            "--config",
            str(cfg),
            "--db",
            str(tmp_path / "l.db"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        env=env(),
    )
    out = Lines(proc)
    produced: list[int] = []

    last = [0.0]

    def produce() -> None:
        # About a block a second, staying below the sudo happening until the new channel is in.
        if len(produced) < 30 and time.monotonic() - last[0] >= 0.7:
            last[0] = time.monotonic()
            blocks = node.call(lambda n: n.produce(1))
            produced.append(blocks[-1].number)

    try:
        out.wait_for("connected", 60)
        status = out.wait_for("live: #", 40, tick=produce)
        assert re.search(
            r"live: #[\d,]+, [\d,]+ blocks processed; [\d,]+ blocks, [\d,]+ extrinsics \([\d,]+ failed\) "
            r"in the last \d+s$",
            status,
        ), status
        assert max(produced) < SUDO_AT

        time.sleep(1.1)  # a new mtime
        cfg.write_text(cfg.read_text() + "\n[[rules]]\nkind = \n")
        out.wait_for("rules not reloaded", 20)

        alerts = tmp_path / "alerts.jsonl"
        time.sleep(1.1)
        config(
            tmp_path,
            network=node.url,
            channels='"dashboard", "jsonl"',
            extra=f'[channels]\njsonl = "{alerts}"\n',
        )
        out.wait_for("rules reloaded: 2 rules", 20)
        node.call(lambda n: n.produce(SUDO_AT + 2 - len(n.chain.blocks) + 1))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not (alerts.exists() and alerts.read_text().strip()):
            time.sleep(0.3)
        assert alerts.exists(), out.lines[-10:]
        rows = [json.loads(x) for x in alerts.read_text().splitlines()]
        assert [(r["rule"], r["block"]) for r in rows] == [("sudo-call", SUDO_AT)], rows
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    text = "\n".join(out.lines)
    assert text.count("rules not reloaded") == 1 and "rules NOT reloaded" not in text, text
    assert "unknown channel" not in text + err
