"""Snapshot rules end to end: a snapshot backfill over a devnet range (stake moves and re-registrations
in its ledger) raises exactly the alerts the devnet's own neuron state implies, once each, through the
store, the bus and the deliverer; in any order of ranges, and not again on a second run."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from pathlib import Path

from test_metagraph import HISTORY, node, ss58  # noqa: F401 - node: the same devnet fixture

from sentinel_core.bus import AlertRaised
from sentinel_core.config import load_config
from sentinel_core.ingest.snapshots import LiveSnapshots, SnapshotBackfill
from sentinel_core.service import Sentinel
from sentinel_core.units import RAO_PER_TAO as RAO

NETUIDS = (1, 2)
MIN_TAO = 5


def config(tmp_path: Path, url: str, name: str = "s") -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(
        f"""
[network]
name = "{url}"
[storage]
path = "{tmp_path / (name + ".db")}"
[channels]
jsonl = "{tmp_path / (name + ".jsonl")}"

[[rules]]
kind = "snapshot"
name = "validator-gone"
when = "validator_deregistered"
channels = ["dashboard", "jsonl"]

[[rules]]
kind = "snapshot"
name = "big-stake-move"
when = "stake_change"
min_tao = {MIN_TAO}
channels = ["dashboard", "jsonl"]

[[rules]]
kind = "snapshot"
name = "dividends-gone"
when = "dividends_zero"
channels = ["dashboard", "jsonl"]

[[rules]]
kind = "snapshot"
name = "owner"
when = "owner_change"
severity = "critical"
channels = ["dashboard", "jsonl"]

[[rules]]
kind = "hyperparam"
name = "hp"
""",
        encoding="utf-8",
    )
    return path


def expected_alerts(node) -> set[tuple[str, int, int, int]]:
    """(rule, netuid, block, uid) from the devnet's own neuron state at consecutive epoch blocks."""
    out = set()
    for netuid in NETUIDS:
        epochs = node.call(lambda n: n.chain.neurons.epoch_blocks(netuid, 1, HISTORY))
        for a, b in zip(epochs, epochs[1:]):
            before = node.call(lambda n: n.chain.neurons.neurons(netuid, a))
            after = {x.uid: x for x in node.call(lambda n: n.chain.neurons.neurons(netuid, b))}
            for x in before:
                y = after.get(x.uid)
                if y is None or y.hotkey != x.hotkey:
                    if x.validator_permit:
                        out.add(("validator-gone", netuid, b, x.uid))
                    continue
                if abs(y.stake - x.stake) >= MIN_TAO * RAO:
                    out.add(("big-stake-move", netuid, b, x.uid))
                if x.dividends > 0 and y.dividends == 0:
                    out.add(("dividends-gone", netuid, b, x.uid))
    return out


async def backfills(cfg: Path, ranges: list[tuple[int, int, int]]) -> tuple[list, list, int, Path]:
    """Run snapshot backfills over ``ranges`` ((start, end, workers), in that order) in one Sentinel;
    returns the stored alerts, the AlertRaised notices, the deliverer wake-ups and the jsonl path."""
    settings = load_config(cfg, env={})
    raised = []
    wakes = 0
    async with Sentinel(settings) as sentinel:
        sentinel.bus.subscribe(lambda n: raised.append(n.alert) if isinstance(n, AlertRaised) else None)
        wake = sentinel.deliverer.wake

        def counting_wake():
            nonlocal wakes
            wakes += 1
            wake()

        sentinel.deliverer.wake = counting_wake
        for start, end, workers in ranges:
            await SnapshotBackfill(
                sentinel, start, end, list(NETUIDS), workers=workers, calls_per_frame=3
            ).run()
        stored = [a for _, a, _ in await sentinel.store.list_alerts(limit=100_000)]
        jsonl = Path(settings.channels.jsonl)
        for _ in range(100):  # the deliverer was woken: it writes the jsonl lines without its poll
            if stored and jsonl.exists() and len(jsonl.read_text().splitlines()) >= len(stored):
                break
            await asyncio.sleep(0.05)
        for alert_id, _, _ in await sentinel.store.list_alerts(limit=100_000):
            assert {d["channel"] for d in await sentinel.store.deliveries(alert_id)} == {"dashboard", "jsonl"}
    return stored, raised, wakes, jsonl


def keyed(alerts) -> set[tuple[str, int, int, int]]:
    return {(a.rule, a.netuid, a.block, a.fields["uid"]) for a in alerts}


def test_snapshot_backfill_raises_each_expected_alert_once(node, tmp_path):
    expected = expected_alerts(node)
    kinds = Counter(r for r, *_ in expected)
    assert kinds["validator-gone"] >= 3 and kinds["big-stake-move"] >= 3  # the range is not a quiet one

    # Ledger: the re-registrations and stake moves the devnet made are among what is expected.
    ledger = node.call(lambda n: list(n.chain.neuron_ledger))
    replaced = {
        (e["netuid"], ss58(e["replaced"]))
        for e in ledger
        if e["kind"] == "register" and e["replaced"] and e["netuid"] in NETUIDS
    }
    moved = {
        (e["netuid"], ss58(e["hotkey"]))
        for e in ledger
        if e["kind"] in ("stake", "move") and abs(e["delta"]) >= MIN_TAO * RAO and e["netuid"] in NETUIDS
    }

    # The later half first, then everything (the earlier half is then filled in behind it), then again.
    cfg = config(tmp_path, node.url)
    stored, raised, wakes, jsonl = asyncio.run(backfills(cfg, [(HISTORY // 2, HISTORY, 3), (1, HISTORY, 3)]))
    assert keyed(stored) == expected, {
        "missed": expected - keyed(stored),
        "unexpected": keyed(stored) - expected,
    }
    assert Counter(a.dedup_key for a in raised) == Counter(a.dedup_key for a in stored)  # published once each
    assert all(n == 1 for n in Counter(keyed(raised)).values())
    assert wakes >= 1
    delivered = [json.loads(x) for x in jsonl.read_text().splitlines()]
    assert Counter(d["dedup_key"] for d in delivered) == Counter(a.dedup_key for a in stored)
    hotkeys = {(a.netuid, a.fields["hotkey"]) for a in stored if a.rule == "validator-gone"}
    assert hotkeys & replaced and hotkeys <= replaced  # every validator gone was replaced in the ledger
    assert {(a.netuid, a.fields["hotkey"]) for a in stored if a.rule == "big-stake-move"} & moved
    sample = next(a for a in stored if a.rule == "big-stake-move")
    assert sample.message.startswith(f"subnet {sample.netuid}: stake of uid {sample.fields['uid']} (")
    assert (
        " -> τ" in sample.message
        and sample.dedup_key == f"big-stake-move:{sample.netuid}:{sample.block}:{sample.fields['uid']}"
    )

    # A second run over the same range (nothing left to take) and over a sub-range raises nothing.
    again, raised_again, _, _ = asyncio.run(backfills(cfg, [(1, HISTORY, 2), (100, 200, 1)]))
    assert raised_again == []
    assert Counter(a.dedup_key for a in again) == Counter(a.dedup_key for a in stored)

    # In order, in one run, in another database: the same alerts.
    one, _, _, _ = asyncio.run(backfills(config(tmp_path, node.url, "one"), [(1, HISTORY, 4)]))
    assert keyed(one) == expected
    assert sorted(a.message for a in one) == sorted(a.message for a in stored)


def test_live_snapshots_raise_the_same_alerts(node, tmp_path):
    """Live mode: the snapshots taken block by block compare with the stored one before them."""
    cfg = config(tmp_path, node.url, "live")
    start, end = 200, HISTORY
    expected = {k for k in expected_alerts(node) if start < k[2] <= end}
    first_epoch = {n: min(node.call(lambda c: c.chain.neurons.epoch_blocks(n, start, end))) for n in NETUIDS}
    expected = {k for k in expected if k[2] > first_epoch[k[1]]}  # the first live snapshot has no predecessor

    async def go():
        raised = []
        async with Sentinel(load_config(cfg, env={})) as sentinel:
            sentinel.bus.subscribe(lambda n: raised.append(n.alert) if isinstance(n, AlertRaised) else None)
            live = LiveSnapshots(sentinel, list(NETUIDS))
            client = await sentinel.connect()
            try:
                for lo in range(start, end + 1, 20):
                    await live.on_blocks(
                        client, await client.fetch_blocks(list(range(lo, min(end, lo + 19) + 1)))
                    )
            finally:
                await client.close()
            return [a for _, a, _ in await sentinel.store.list_alerts(limit=100_000)], raised, live

    stored, raised, live = asyncio.run(go())
    assert expected and keyed(stored) == expected
    assert Counter(a.dedup_key for a in raised) == Counter(a.dedup_key for a in stored)
    assert live.alerts.raised == len(stored)


def test_rules_test_replays_stored_snapshots(node, tmp_path):
    """`sentinel-cli rules test` finds the same snapshot alerts in the stored snapshots, sending nothing."""
    import subprocess
    import sys

    cfg = config(tmp_path, node.url, "replay")
    stored, _, _, _ = asyncio.run(backfills(cfg, [(1, HISTORY, 2)]))
    lo, hi = HISTORY // 2, HISTORY

    def replay(*extra: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "sentinel_tui.cli",
                "rules",
                "test",
                "--from",
                str(lo),
                "--to",
                str(hi),
                "--config",
                str(cfg),
                *extra,
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )

    proc = replay("--json")
    assert proc.returncode == 0, proc.stderr
    hits = json.loads(proc.stdout)  # one JSON document: an array of hits
    in_range = {(a.rule, a.netuid, a.block, a.fields["uid"]) for a in stored if lo <= a.block <= hi}
    assert in_range and {(h["rule"], h["netuid"], h["block"], h["fields"]["uid"]) for h in hits} == in_range
    text = replay()
    assert text.returncode == 0 and f"{len(hits)} hits in blocks {lo}-{hi}" in text.stdout
    assert "pairs of stored snapshots compared" in text.stdout


def test_snapshots_stored_but_never_evaluated_are_evaluated_on_resume(node, tmp_path, monkeypatch):
    """A kill between storing snapshots and evaluating their pairs: the resumed run (which skips
    stored snapshots) raises their alerts all the same, once."""
    from sentinel_core.ingest import snapshots as ingest_snapshots
    from sentinel_core.store import Store

    class Killed(BaseException):
        pass

    real_check = ingest_snapshots.SnapshotAlerts.check
    calls = 0

    async def check_then_die(self, pairs):
        nonlocal calls
        calls += 1
        if calls == 4:  # the fourth chunk is stored; the process "dies" before evaluating it
            raise Killed
        return await real_check(self, pairs)

    cfg = config(tmp_path, node.url, "resume")
    monkeypatch.setattr(ingest_snapshots.SnapshotAlerts, "check", check_then_die)
    try:
        asyncio.run(backfills(cfg, [(1, HISTORY, 1)]))
    except Killed:
        pass
    else:
        raise AssertionError("the backfill was not interrupted")
    monkeypatch.setattr(ingest_snapshots.SnapshotAlerts, "check", real_check)
    store = Store(tmp_path / "resume.db", readonly=True)
    try:
        left = store.unchecked_snapshots()
    finally:
        store.close()
    assert left  # what the killed run stored and never evaluated

    stored, raised, _, _ = asyncio.run(backfills(cfg, [(1, HISTORY, 1)]))
    assert keyed(stored) == expected_alerts(node)
    assert all(n == 1 for n in Counter(keyed(stored)).values())
    store = Store(tmp_path / "resume.db", readonly=True)
    try:
        assert store.unchecked_snapshots() == []
    finally:
        store.close()
