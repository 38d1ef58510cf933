"""Alerts from the default rules over a devnet range, and webhook delivery that survives failures."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import HISTORY

from sentinel_core.config import load_config
from sentinel_core.ingest.backfill import Backfill
from sentinel_core.service import Sentinel

ROOT = Path(__file__).resolve().parents[2]
RULE_FOR_KIND = {
    "hyperparam": "hyperparam-change",
    "coldkey_swap_scheduled": "coldkey-swap",
    "coldkey_swapped": "coldkey-swap",
    "subnet_registered": "subnet-registered",
    "subnet_dissolved": "subnet-dissolved",
    "sudo_call": "sudo-call",
}
GOVERNANCE_RULES = set(RULE_FOR_KIND.values())


def default_settings(tmp_path: Path, url: str):
    return load_config(
        ROOT / "sentinel.toml",
        env={},
        overrides={"network": {"name": url}, "storage": {"path": str(tmp_path / "alerts.db")}},
    )


async def all_alerts(sentinel) -> list:
    return [a for _, a, _ in await sentinel.store.list_alerts(limit=100_000)]


def check_against_ledger(alerts: list, ledger: list) -> None:
    governance = [a for a in alerts if a.rule in GOVERNANCE_RULES]
    keys = Counter((a.rule, a.block, a.extrinsic_index, a.fields.get("name")) for a in governance)
    assert all(n == 1 for n in keys.values()), [k for k, n in keys.items() if n > 1]
    expected = set()
    for entry in ledger:
        rule = RULE_FOR_KIND[entry["kind"]]
        key = (
            rule,
            entry["block"],
            entry["extrinsic_index"],
            entry.get("name") if rule == "hyperparam-change" else None,
        )
        if entry["success"]:
            expected.add(key)
        else:
            assert not any(k[1:3] == key[1:3] for k in keys), f"failed happening alerted: {entry}"
    got = {(r, b, i, n if r == "hyperparam-change" else None) for r, b, i, n in keys}
    assert got == expected, {"missed": expected - got, "unexpected": got - expected}


async def test_default_rules_alert_each_happening_exactly_once(devnet, tmp_path):
    ledger = [e for e in devnet.ledger() if e["block"] <= HISTORY]
    s = default_settings(tmp_path, devnet.url)
    async with Sentinel(s) as sentinel:
        await Backfill(sentinel, start=1, end=HISTORY, workers=4, batch_size=20).run()
        alerts = await all_alerts(sentinel)
    check_against_ledger(alerts, ledger)
    quiet = [a for a in alerts if 150 <= a.block <= 199]
    assert quiet == [], [f"{a.rule} #{a.block}: {a.message}" for a in quiet]
    tempo = next(a for a in alerts if a.rule == "hyperparam-change" and a.block == 40)
    assert "tempo" in tempo.message and "-> 111" in tempo.message

    # A crash lost some blocks: processing them again after a restart raises nothing twice.
    with sqlite3.connect(tmp_path / "alerts.db") as conn:
        for table, col in (
            ("events", "block"),
            ("extrinsics", "block"),
            ("hyperparam_changes", "block"),
            ("blocks", "number"),
        ):
            conn.execute(f"DELETE FROM {table} WHERE {col} BETWEEN 38 AND 70")
    async with Sentinel(s) as sentinel:
        result = await Backfill(sentinel, start=1, end=HISTORY, workers=2, batch_size=10).run()
        assert result.done == 33
        again = await all_alerts(sentinel)
    assert Counter(a.dedup_key for a in again) == Counter(a.dedup_key for a in alerts)
    check_against_ledger(again, ledger)


class Hook(BaseHTTPRequestHandler):
    fail_first = 0
    received: list = []
    lock = threading.Lock()

    def do_POST(self) -> None:  # noqa: N802 - http.server API
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with self.lock:
            fail = Hook.fail_first > 0
            if fail:
                Hook.fail_first -= 1
            else:
                Hook.received.append(body)
        self.send_response(500 if fail else 200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def hook_server():
    Hook.fail_first, Hook.received = 0, []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()


def webhook_config(tmp_path: Path, url: str, hook_url: str) -> Path:
    path = tmp_path / "sentinel.toml"
    path.write_text(f"""
[network]
name = "{url}"
[storage]
path = "{tmp_path / "hook.db"}"
[[channels.webhook]]
name = "ops"
url = "{hook_url}"
format = "generic"
max_attempts = 10
[[rules]]
kind = "hyperparam"
name = "hyperparam-change"
severity = "warning"
message = "subnet {{netuid}}: {{change}}"
channels = ["dashboard", "ops"]
""")
    return path


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


async def test_webhook_retries_until_the_server_recovers(devnet, tmp_path, hook_server):
    Hook.fail_first = 2
    hook_url = f"http://127.0.0.1:{hook_server.server_address[1]}/alerts"
    clock = FakeClock()
    s = load_config(webhook_config(tmp_path, devnet.url, hook_url), env={})
    async with Sentinel(s, clock=clock) as sentinel:
        await sentinel.stop_delivery()
        await Backfill(sentinel, start=38, end=46, workers=1, batch_size=9).run()
        raised = await all_alerts(sentinel)
        assert raised, "the scripted setters at blocks 40-45 raise alerts"
        for _ in range(20):
            await sentinel.deliverer.run_once()
            if await sentinel.store.pending_deliveries_count() == 0:
                break
            clock.now += 600  # past any back-off
        assert await sentinel.store.pending_deliveries_count() == 0
    assert sorted(b["dedup_key"] for b in Hook.received) == sorted(a.dedup_key for a in raised)


async def test_undelivered_alerts_are_retried_after_a_restart(devnet, tmp_path, hook_server):
    port = hook_server.server_address[1]
    hook_server.shutdown()
    hook_server.server_close()  # nothing listens there now
    s = load_config(webhook_config(tmp_path, devnet.url, f"http://127.0.0.1:{port}/alerts"), env={})
    async with Sentinel(s) as sentinel:
        await sentinel.stop_delivery()
        await Backfill(sentinel, start=38, end=46, workers=1, batch_size=9).run()
        await sentinel.deliverer.run_once()
        pending = await sentinel.store.pending_deliveries_count()
        raised = await all_alerts(sentinel)
    assert pending == len(raised) > 0
    # The endpoint comes back; a new process delivers what was pending.
    server = ThreadingHTTPServer(("127.0.0.1", port), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        clock = FakeClock()
        clock.now += 10**6
        async with Sentinel(s, clock=clock) as sentinel:
            await sentinel.stop_delivery()
            await sentinel.deliverer.run_once()
            assert await sentinel.store.pending_deliveries_count() == 0
    finally:
        server.shutdown()
        server.server_close()
    assert sorted(b["dedup_key"] for b in Hook.received) == sorted(a.dedup_key for a in raised)
