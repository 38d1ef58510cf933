"""Every alert goes out once (issue 14): a headless fast_backfill of 3,000 blocks, as a user runs it,
against a webhook receiver that counts POSTs; and the same killed with -9 mid-delivery, then restarted.

The receiver records each POST as it arrives (before answering), so a POST whose answer the killed
process never read counts too: that is the one repeat the design allows (the delivery in flight at the
kill, sent again with the same ``Idempotency-Key``)."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from contextlib import closing
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from sentinel_core.alerts.channels import idempotency_key
from sentinel_core.devnet.background import BackgroundDevnet

ROOT = Path(__file__).resolve().parents[2]
BLOCKS = 3000
ALERT_LINE = re.compile(r"^\[(info|warning|critical)\] #\d+")
"""A line of the console channel (log lines start with a time)."""


class Receiver:
    """A webhook on 127.0.0.1: records every POST as it arrives (its Idempotency-Key and body), then
    answers 200 after ``delay`` seconds."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.posts: list[tuple[str | None, dict[str, Any]]] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server API
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with receiver.lock:
                    receiver.posts.append((self.headers.get("Idempotency-Key"), body))
                if receiver.delay:
                    time.sleep(receiver.delay)
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args: object) -> None:
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request: object, client_address: object) -> None:
                pass  # the killed sender's connection: a broken pipe

        self.server = Server(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/alerts"

    def keys(self) -> Counter[str | None]:
        with self.lock:
            return Counter(key for key, _ in self.posts)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture(scope="module")
def node():
    with BackgroundDevnet(history=BLOCKS + 100, seed=7, produce=False) as devnet:
        yield devnet


def write_config(tmp_path: Path, hook_url: str) -> Path:
    """The default sentinel.toml (its rules fire on the devnet's governance happenings), every rule
    routed to the console and to a generic webhook ``ops`` as well."""
    text = (ROOT / "sentinel.toml").read_text(encoding="utf-8")
    routed = text.replace('channels = ["dashboard", "console"]', 'channels = ["dashboard", "console", "ops"]')
    assert routed != text
    path = tmp_path / "sentinel.toml"
    path.write_text(
        routed + f'\n[[channels.webhook]]\nname = "ops"\nurl = "{hook_url}"\nformat = "generic"\n',
        encoding="utf-8",
    )
    return path


def command(url: str, db: Path, config: Path) -> list[str]:
    return [sys.executable, "-m", "sentinel_tui.main", "--headless", "--mode", "fast_backfill"] + [
        "--start",
        "1",
        "--end",
        str(BLOCKS),
        "--network",
        url,
        "--db",
        str(db),
        "--config",
        str(config),
    ]


ENV = {**os.environ, "COLUMNS": "200"}


def deliveries(db: Path) -> list[tuple[str, str, str]]:
    """(channel, status, the alert's dedup key) of every outbox row."""
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute(
            "SELECT d.channel, d.status, a.dedup_key FROM deliveries d JOIN alerts a ON a.id = d.alert_id"
            " ORDER BY d.id"
        ).fetchall()


def test_every_alert_of_a_backfill_is_posted_exactly_once(node, tmp_path):
    db = tmp_path / "once.db"
    with Receiver() as rx:
        proc = subprocess.run(
            command(node.url, db, write_config(tmp_path, rx.url)),
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=ENV,
            timeout=120,
        )
        assert proc.returncode == 0, proc.stderr
        posts = list(rx.posts)
    rows = deliveries(db)
    assert {status for _, status, _ in rows} == {"delivered"}
    ops = [key for channel, _, key in rows if channel == "ops"]
    assert len(ops) > 50, "the range raises plenty of alerts"
    assert len(posts) == len(ops)
    assert Counter(key for key, _ in posts) == Counter(idempotency_key("ops", k) for k in ops)
    assert all(body["idempotency_key"] == key for key, body in posts)
    assert sorted(body["dedup_key"] for _, body in posts) == sorted(ops)
    # The console channel printed each of its alerts once.
    lines = [line for line in proc.stdout.splitlines() if ALERT_LINE.match(line)]
    assert len(lines) == sum(1 for channel, _, _ in rows if channel == "console")


def test_kill_9_mid_delivery_then_restart_posts_every_alert(node, tmp_path):
    db = tmp_path / "killed.db"
    with Receiver(delay=0.05) as rx:  # 20 POSTs/s: the deliveries trail the backfill
        config = write_config(tmp_path, rx.url)
        with open(tmp_path / "first.out", "w") as out, open(tmp_path / "first.err", "w") as err:
            proc = subprocess.Popen(command(node.url, db, config), stdout=out, stderr=err, cwd=ROOT, env=ENV)
            try:
                deadline = time.monotonic() + 60
                while len(rx.posts) < 10:
                    assert proc.poll() is None, (tmp_path / "first.err").read_text()
                    assert time.monotonic() < deadline, "no POSTs in time"
                    time.sleep(0.02)
            finally:
                proc.send_signal(signal.SIGKILL)
                proc.wait(10)
        at_kill = deliveries(db)
        sending = {key for channel, status, key in at_kill if channel == "ops" and status == "sending"}
        left = [key for channel, status, key in at_kill if channel == "ops" and status != "delivered"]
        assert left, "the kill left deliveries to make"
        again = subprocess.run(
            command(node.url, db, config), capture_output=True, text=True, cwd=ROOT, env=ENV, timeout=120
        )
        assert again.returncode == 0, again.stderr
        posts = list(rx.posts)
    rows = deliveries(db)
    assert {status for _, status, _ in rows} == {"delivered"}
    ops = [key for channel, _, key in rows if channel == "ops"]
    counts = Counter(key for key, _ in posts)
    assert set(counts) == {idempotency_key("ops", k) for k in ops}  # every alert arrived
    assert len(counts) == len(ops)
    assert len(posts) <= len(ops) + len(sending)
    # A repeat is only ever the delivery that was on the wire at the kill: one per channel, at most.
    repeats = {key for key, n in counts.items() if n > 1}
    assert repeats <= {idempotency_key("ops", k) for k in sending}
    assert len(repeats) <= 1 and max(counts.values()) <= 2
