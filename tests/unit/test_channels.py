"""Alert channels and the outbox deliverer: JSONL, console, webhooks against a real HTTP server on
127.0.0.1 that fails first and succeeds later, backoff with an injected clock, restarts."""

from __future__ import annotations

import asyncio
import json
import random
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from sentinel_core.alerts.channels import (
    ConsoleChannel,
    DashboardChannel,
    DeliveryError,
    JsonlChannel,
    WebhookChannel,
    alert_line,
    build_channels,
    idempotency_key,
    webhook_payload,
)
from sentinel_core.alerts.deliverer import Deliverer, backoff_delay
from sentinel_core.config import ChannelsSettings, WebhookSettings
from sentinel_core.model import Alert, Severity


def make_alert(n: int = 1, channels=("dashboard",), **kw) -> Alert:
    base = dict(
        rule="coldkey-swap",
        severity=Severity.critical,
        block=100 + n,
        extrinsic_index=2,
        netuid=3,
        message=f"coldkey swap #{n}",
        fields={"call": "schedule_swap_coldkey", "n": n},
        dedup_key=f"coldkey-swap:{100 + n}:2:0",
        channels=list(channels),
        created_at=1000.0,
    )
    base.update(kw)
    return Alert(**base)


# -- a webhook receiver on loopback --------------------------------------------------------------


class Receiver:
    """HTTP server on 127.0.0.1 that answers ``fail_first`` requests with 500, then 200."""

    def __init__(self, fail_first: int = 0, status_after: int = 200) -> None:
        self.fail_first = fail_first
        self.status_after = status_after
        self.requests: list[dict] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    receiver.requests.append(
                        {
                            "path": self.path,
                            "body": json.loads(body),
                            "content_type": self.headers.get("Content-Type"),
                            "key": self.headers.get("Idempotency-Key"),
                        }
                    )
                    n = len(receiver.requests)
                status = 500 if n <= receiver.fail_first else receiver.status_after
                payload = b"boom" if status >= 400 else b"ok"
                self.send_response(status)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


# -- a tiny in-memory outbox with the store's delivery methods -----------------------------------


class FakeStore:
    def __init__(self) -> None:
        self.rows: dict[int, dict] = {}
        self.calls: list[tuple] = []

    def add(self, alert: Alert) -> None:
        for ch in alert.channels:
            i = len(self.rows) + 1
            self.rows[i] = {
                "id": i,
                "alert_id": i,
                "channel": ch,
                "attempts": 0,
                "status": "pending",
                "next_attempt_at": 0.0,
                "last_error": None,
                "alert": alert,
            }

    async def due_deliveries(self, now: float, limit: int = 100) -> list[dict]:
        due = [
            dict(r) for r in self.rows.values() if r["status"] == "pending" and r["next_attempt_at"] <= now
        ]
        return sorted(due, key=lambda r: (r["next_attempt_at"], r["id"]))[:limit]

    async def mark_delivered(self, i: int) -> bool:
        self.calls.append(("delivered", i))
        self.rows[i].update(status="delivered", attempts=self.rows[i]["attempts"] + 1)
        return True

    async def mark_retry(self, i: int, at: float, error: str) -> bool:
        self.calls.append(("retry", i, at, error))
        self.rows[i].update(attempts=self.rows[i]["attempts"] + 1, next_attempt_at=at, last_error=error)
        return True

    async def mark_failed(self, i: int, error: str) -> bool:
        self.calls.append(("failed", i, error))
        self.rows[i].update(status="failed", attempts=self.rows[i]["attempts"] + 1, last_error=error)
        return True


class Clock:
    def __init__(self, t: float = 1000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


# -- channels ------------------------------------------------------------------------------------


async def test_jsonl_appends_one_object_per_line(tmp_path):
    path = tmp_path / "deep" / "dir" / "alerts.jsonl"
    ch = JsonlChannel(path)
    await ch.deliver(make_alert(1))
    await ch.deliver(make_alert(2, message="two\nlines ✓"))
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    first, second = (json.loads(x) for x in lines)
    assert first["rule"] == "coldkey-swap" and first["severity"] == "critical"
    assert first["block"] == 101 and first["extrinsic_index"] == 2 and first["netuid"] == 3
    assert first["fields"] == {"call": "schedule_swap_coldkey", "n": 1}
    assert second["message"] == "two\nlines ✓"


async def test_jsonl_unwritable_raises(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(DeliveryError):
        await JsonlChannel(blocker / "alerts.jsonl").deliver(make_alert())


async def test_console_and_dashboard():
    seen: list[str] = []
    await ConsoleChannel(seen.append).deliver(make_alert(1))
    await ConsoleChannel(None).deliver(make_alert(2))  # no sink: nothing, no error
    await DashboardChannel().deliver(make_alert(3))
    assert seen == ["[critical] #101-2 coldkey-swap: coldkey swap #1"]
    assert alert_line(make_alert(1, extrinsic_index=None)) == "[critical] #101 coldkey-swap: coldkey swap #1"


def test_webhook_payload_formats():
    a = make_alert(1)
    assert webhook_payload("discord", a) == {
        "content": "**[critical] coldkey-swap** · block 101\ncoldkey swap #1"
    }
    assert webhook_payload("slack", a) == {"text": "*[critical] coldkey-swap* · block 101\ncoldkey swap #1"}
    generic = webhook_payload("generic", a)
    assert generic["dedup_key"] == a.dedup_key and generic["fields"]["n"] == 1
    long = make_alert(1, message="x" * 5000)
    assert len(webhook_payload("discord", long)["content"]) == 2000


async def test_webhook_posts_json_and_raises_on_errors():
    with Receiver(fail_first=1) as rx:
        hook = WebhookChannel("ops", rx.url, format="discord", timeout=5)
        with pytest.raises(DeliveryError, match="HTTP 500"):
            await hook.deliver(make_alert(1))
        await hook.deliver(make_alert(2))
        assert [r["body"]["content"].splitlines()[1] for r in rx.requests] == [
            "coldkey swap #1",
            "coldkey swap #2",
        ]
        assert rx.requests[0]["content_type"] == "application/json" and rx.requests[0]["path"] == "/hook"
    # nothing listens there any more: a connection error
    with pytest.raises(DeliveryError, match="cannot reach"):
        await WebhookChannel("gone", rx.url, timeout=2).deliver(make_alert(3))


def test_backoff_grows_with_jitter_and_cap():
    rng = random.Random(1)
    delays = [backoff_delay(n, rng=rng) for n in range(1, 12)]
    for n, d in enumerate(delays, start=1):
        full = min(300.0, 2.0 * 2 ** (n - 1))
        assert full / 2 <= d <= full
    assert delays[-1] <= 300.0 and delays[0] <= 2.0
    assert backoff_delay(1, rng=random.Random(0)) != backoff_delay(1, rng=random.Random(5))


def test_build_channels_from_settings(tmp_path):
    cfg = ChannelsSettings(
        jsonl=str(tmp_path / "a.jsonl"),
        console=True,
        webhook=[WebhookSettings(name="ops", url="http://127.0.0.1:9/x", format="slack", max_attempts=3)],
    )
    seen = []
    chans = build_channels(cfg, console_sink=seen.append)
    assert set(chans) == {"dashboard", "console", "jsonl", "ops"}
    assert chans["ops"].max_attempts == 3 and chans["ops"].format == "slack"
    assert set(build_channels(ChannelsSettings())) == {"dashboard", "console"}


# -- the deliverer -------------------------------------------------------------------------------


async def test_deliverer_retries_webhook_until_delivered():
    clock = Clock()
    store = FakeStore()
    store.add(make_alert(1, channels=["ops", "dashboard"]))
    with Receiver(fail_first=2) as rx:
        d = Deliverer(
            store,
            {
                "ops": WebhookChannel("ops", rx.url, format="generic", timeout=5),
                "dashboard": DashboardChannel(),
            },
            clock=clock,
            rng=random.Random(3),
        )
        assert await d.run_once() == 1  # dashboard delivered, webhook failed (500)
        assert store.rows[1]["status"] == "pending" and store.rows[1]["attempts"] == 1
        assert store.rows[2]["status"] == "delivered"
        first_retry = store.rows[1]["next_attempt_at"]
        assert 1001.0 <= first_retry <= 1002.0  # 2 s base, jittered
        assert await d.run_once() == 0 and len(rx.requests) == 1  # not due yet: no request
        clock.t = first_retry
        assert await d.run_once() == 0  # second failure
        second_retry = store.rows[1]["next_attempt_at"]
        assert first_retry + 2.0 <= second_retry <= first_retry + 4.0
        clock.t = second_retry
        assert await d.run_once() == 1
        assert store.rows[1]["status"] == "delivered" and store.rows[1]["attempts"] == 3
        assert len(rx.requests) == 3
        assert rx.requests[-1]["body"]["dedup_key"] == "coldkey-swap:101:2:0"
        assert [c[0] for c in store.calls] == ["delivered", "retry", "retry", "delivered"]


async def test_deliverer_gives_up_after_max_attempts():
    clock = Clock()
    store = FakeStore()
    store.add(make_alert(1, channels=["ops"]))
    with Receiver(fail_first=100) as rx:
        d = Deliverer(
            store,
            {"ops": WebhookChannel("ops", rx.url, max_attempts=3, timeout=5)},
            clock=clock,
            rng=random.Random(0),
        )
        for _ in range(3):
            await d.run_once()
            clock.t += 1000
        assert store.rows[1]["status"] == "failed" and store.rows[1]["attempts"] == 3
        assert "HTTP 500" in store.rows[1]["last_error"]
        await d.run_once()
        assert len(rx.requests) == 3 and d.failed == 1


async def test_deliverer_unknown_channel_and_failing_channel_does_not_block_others():
    clock = Clock()
    store = FakeStore()
    for n in range(3):
        store.add(make_alert(n, channels=["ops", "jsonl", "gone"], dedup_key=f"k{n}"))
    seen = []

    class Jsonl:
        name, max_attempts = "jsonl", 5

        async def deliver(self, alert):
            seen.append(alert.dedup_key)

    with Receiver(fail_first=100) as rx:
        d = Deliverer(store, {"ops": WebhookChannel("ops", rx.url, timeout=5), "jsonl": Jsonl()}, clock=clock)
        assert await d.run_once() == 3
        assert seen == ["k0", "k1", "k2"]
        # the failing webhook was tried once this round, its other rows left for later (no attempt spent)
        assert len(rx.requests) == 1
        ops = [r for r in store.rows.values() if r["channel"] == "ops"]
        assert [r["attempts"] for r in ops] == [1, 0, 0]
        gone = [r for r in store.rows.values() if r["channel"] == "gone"]
        assert all(r["status"] == "failed" and "unknown channel" in r["last_error"] for r in gone)


async def test_run_forever_stops_and_wakes():
    store = FakeStore()
    seen = []
    d = Deliverer(store, {"console": ConsoleChannel(seen.append)}, interval=30)
    stop = asyncio.Event()
    task = asyncio.create_task(d.run_forever(stop))
    await asyncio.sleep(0.05)
    store.add(make_alert(1, channels=["console"]))
    d.wake()
    for _ in range(100):
        if seen:
            break
        await asyncio.sleep(0.01)
    assert seen == ["[critical] #101-2 coldkey-swap: coldkey swap #1"]
    stop.set()
    await asyncio.wait_for(task, 2)


# -- with the real SQLite outbox: pending rows survive a restart ---------------------------------


def _store_module():
    try:
        from sentinel_core import store
    except Exception:  # pragma: no cover - store.py not there yet
        return None
    if not all(hasattr(store, n) for n in ("Store", "AsyncStore")):
        return None
    return store


@pytest.mark.skipif(_store_module() is None, reason="sentinel_core.store not available")
async def test_pending_deliveries_survive_restart(tmp_path: Path):
    store_mod = _store_module()
    db = tmp_path / "s.db"
    clock = Clock()
    with Receiver(fail_first=1) as rx:
        chans = {"ops": WebhookChannel("ops", rx.url, timeout=5), "dashboard": DashboardChannel()}
        s = await store_mod.AsyncStore.open(db)
        try:
            new = await s.write_alerts([make_alert(1, channels=["dashboard", "ops"])])
            assert len(new) == 1
            d = Deliverer(s, chans, clock=clock, rng=random.Random(0))
            assert await d.run_once() == 1  # dashboard ok; the webhook got a 500
        finally:
            await s.close()
        # "restart": a new store object and deliverer on the same file
        clock.t += 10
        s = await store_mod.AsyncStore.open(db)
        try:
            d = Deliverer(s, chans, clock=clock, rng=random.Random(0))
            assert await d.run_once() == 1
            assert await d.run_once() == 0
            rows = await s.deliveries()
            assert sorted((r["channel"], r["status"]) for r in rows) == [
                ("dashboard", "delivered"),
                ("ops", "delivered"),
            ]
        finally:
            await s.close()
        assert len(rx.requests) == 2


# -- exactly once (issue 14): claims, one round at a time, stops and crashes -------------------------


class Counting:
    """A channel that counts what it is given, taking ``delay`` seconds per alert."""

    max_attempts = 5

    def __init__(self, name: str = "ops", delay: float = 0.002) -> None:
        self.name = name
        self.delay = delay
        self.sent: Counter[str] = Counter()

    async def deliver(self, alert: Alert) -> None:
        self.sent[alert.dedup_key] += 1
        await asyncio.sleep(self.delay)


def _statuses(rows: list[dict]) -> list[str]:
    return [r["status"] for r in rows]


def test_due_deliveries_claims_what_it_returns(tmp_path: Path):
    from sentinel_core.store import Store

    db = tmp_path / "c.db"
    with Store(db) as s:
        s.write_alerts([make_alert(n, channels=["ops"], dedup_key=f"k{n}") for n in range(3)])
        first = s.due_deliveries(now=1000.0, limit=2)
        assert [d["alert"].dedup_key for d in first] == ["k0", "k1"]
        assert all(d["status"] == "sending" and d["claimed_by"] for d in first)
        (rest,) = s.due_deliveries(now=1000.0)  # the claimed ones are nobody else's
        assert rest["alert"].dedup_key == "k2" and s.due_deliveries(now=1e12) == []
        assert s.pending_deliveries_count() == 3  # claimed rows are not done yet
        rows = s.deliveries()
        assert _statuses(rows) == ["sending"] * 3 and rows[0]["claimed_at"] == 1000.0
        assert s.mark_delivered(first[0]["id"]) is True
        assert s.mark_delivered(first[0]["id"]) is False  # an outcome only for a claimed row
        assert s.mark_retry(first[0]["id"], 2000.0, "late") is False
        row = s.deliveries()[0]
        assert (row["status"], row["attempts"], row["claimed_by"], row["claimed_at"]) == (
            "delivered",
            1,
            None,
            None,
        )
        assert s.mark_retry(first[1]["id"], 2000.0, "HTTP 503") is True
        assert s.deliveries()[1]["status"] == "pending" and s.deliveries()[1]["claimed_by"] is None
    with Store(db, readonly=True) as ro:  # a reader lists what is due and claims nothing
        assert [d["alert"].dedup_key for d in ro.due_deliveries(now=2000.0)] == ["k1"]
    with Store(db) as s:  # k2 was left "sending" by a store that is gone: pending again, then claimed
        due = s.due_deliveries(now=2000.0)
        assert sorted(d["alert"].dedup_key for d in due) == ["k1", "k2"]


async def test_a_drain_while_the_loop_runs_and_a_second_deliverer_send_each_alert_once(tmp_path: Path):
    """The race of issue 14: ``run_once`` (a drain) while ``run_forever`` runs, and another deliverer on
    the same store: every alert reaches each channel once."""
    from sentinel_core.store import AsyncStore

    s = await AsyncStore.open(tmp_path / "race.db")
    try:
        await s.write_alerts(
            [make_alert(n, channels=["ops", "console"], dedup_key=f"k{n}") for n in range(120)]
        )
        ops, lines = Counting(), []
        chans = {"ops": ops, "console": ConsoleChannel(lines.append)}
        loop_deliverer = Deliverer(s, chans, batch=10, interval=0.01)
        stop = asyncio.Event()
        task = asyncio.create_task(loop_deliverer.run_forever(stop))
        other = Deliverer(s, chans, batch=7)
        while await s.pending_deliveries_count():
            await asyncio.gather(loop_deliverer.run_once(), other.run_once(), loop_deliverer.run_once())
        stop.set()
        await asyncio.wait_for(task, 5)
        assert ops.sent == Counter({f"k{n}": 1 for n in range(120)})
        assert len(lines) == 120 == len(set(lines))
        assert set(_statuses(await s.deliveries())) == {"delivered"}
    finally:
        await s.close()


async def test_one_round_at_a_time_even_over_a_store_that_does_not_claim():
    store = FakeStore()
    for n in range(5):
        store.add(make_alert(n, channels=["console"], dedup_key=f"k{n}"))
    lines: list[str] = []

    async def slow_sink(line: str) -> None:
        await asyncio.sleep(0.005)
        lines.append(line)

    d = Deliverer(store, {"console": ConsoleChannel(slow_sink)})
    assert sorted(await asyncio.gather(d.run_once(), d.run_once(), d.run_once())) == [0, 0, 5]
    assert len(lines) == 5 == len(set(lines))


async def test_cancelled_mid_send_the_send_finishes_and_the_rest_is_delivered_once(tmp_path: Path):
    from sentinel_core.store import AsyncStore

    s = await AsyncStore.open(tmp_path / "stop.db")
    try:
        await s.write_alerts([make_alert(n, channels=["ops"], dedup_key=f"k{n}") for n in range(3)])
        ops = Counting(delay=0.2)
        d = Deliverer(s, {"ops": ops})
        task = asyncio.create_task(d.run_once())
        await asyncio.sleep(0.05)  # k0 is being sent
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        # k0's outcome was recorded before the stop; k1 and k2 stay claimed, never tried
        assert _statuses(await s.deliveries()) == ["delivered", "sending", "sending"]
        assert ops.sent == Counter({"k0": 1})
        ops.delay = 0.0
        assert await d.run_once() == 2
        assert ops.sent == Counter({"k0": 1, "k1": 1, "k2": 1})
        assert set(_statuses(await s.deliveries())) == {"delivered"}
    finally:
        await s.close()


async def test_a_failing_channel_holds_its_claimed_rows_for_the_next_round(tmp_path: Path):
    from sentinel_core.store import AsyncStore

    clock = Clock()
    with Receiver(fail_first=1) as rx:
        s = await AsyncStore.open(tmp_path / "hold.db")
        try:
            await s.write_alerts([make_alert(n, channels=["ops"], dedup_key=f"k{n}") for n in range(3)])
            d = Deliverer(s, {"ops": WebhookChannel("ops", rx.url, timeout=5)}, clock=clock)
            assert await d.run_once() == 0  # k0: HTTP 500; k1, k2 not tried
            rows = await s.deliveries()
            assert [(r["status"], r["attempts"]) for r in rows] == [
                ("pending", 1),
                ("sending", 0),
                ("sending", 0),
            ]
            assert await d.run_once() == 2  # k0 not due yet; the held rows go out
            clock.t += 1000
            assert await d.run_once() == 1
            assert [(r["status"], r["attempts"]) for r in await s.deliveries()] == [("delivered", 2)] + [
                ("delivered", 1)
            ] * 2
        finally:
            await s.close()
    assert [r["body"]["dedup_key"] for r in rx.requests] == ["k0", "k1", "k2", "k0"]


async def test_webhook_key_is_the_same_for_every_try_and_after_a_crash(tmp_path: Path):
    from sentinel_core.store import AsyncStore, Store

    db = tmp_path / "key.db"
    alert = make_alert(1, channels=["ops"])
    key = idempotency_key("ops", alert.dedup_key)
    assert key == idempotency_key("ops", alert.dedup_key) != idempotency_key("other", alert.dedup_key)
    assert key.startswith("sentinel-") and len(key) == len("sentinel-") + 32
    assert webhook_payload("generic", alert, key)["idempotency_key"] == key
    assert "idempotency_key" not in webhook_payload("generic", alert)
    with Store(db) as s:  # a process claims the row, then dies before the outcome is written
        s.write_alerts([alert])
        assert _statuses(s.due_deliveries(now=1000.0)) == ["sending"]
    with Receiver(fail_first=1) as rx:
        s2 = await AsyncStore.open(db)
        try:
            clock = Clock()
            d = Deliverer(s2, {"ops": WebhookChannel("ops", rx.url, timeout=5)}, clock=clock)
            assert await d.run_once() == 0  # pending again, claimed, HTTP 500
            clock.t += 1000
            assert await d.run_once() == 1
            ((row,),) = [await s2.deliveries()]
            assert (row["status"], row["attempts"], row["claimed_by"]) == ("delivered", 2, None)
        finally:
            await s2.close()
    assert [r["key"] for r in rx.requests] == [key, key]
    assert [r["body"]["idempotency_key"] for r in rx.requests] == [key, key]
