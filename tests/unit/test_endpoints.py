"""EndpointPool and HeadProbe (failover, issue 14): order, cool-down, coming back, the lag rule."""

from __future__ import annotations

import asyncio

import pytest

from sentinel_core.bus import ConnectionChanged
from sentinel_core.chain.endpoints import ChainError, Decision, EndpointPool, HeadProbe, Switch, brief
from sentinel_tui.messages import ConnectionNotice
from sentinel_tui.widgets.status_header import SWITCH_NOTE_SECONDS, StatusHeader

A, B, C = "ws://a", "ws://b", "ws://c"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def pool(*urls: str, **kw) -> tuple[EndpointPool, Clock, list[Switch]]:
    clock = Clock()
    seen: list[Switch] = []
    return EndpointPool(urls or (A, B, C), clock=clock, on_switch=seen.append, **kw), clock, seen


def test_starts_on_the_first_and_goes_round_robin():
    p, _, seen = pool()
    assert p.current() == A and p.index() == 1 and len(p) == 3
    assert p.switch("x") == B
    assert p.switch("y") == C
    assert p.switch("z") == A  # nothing failed: round robin wraps
    assert [(s.previous, s.current, s.reason, s.index, s.count) for s in seen] == [
        (A, B, "x", 2, 3),
        (B, C, "y", 3, 3),
        (C, A, "z", 1, 3),
    ]
    assert seen[0].text == "switching from ws://a to ws://b (2/3): x"


def test_one_endpoint_never_switches():
    p, _, seen = pool(A)
    p.report_failure(A, "ws://a: connection refused")
    assert p.alternative() is None and p.switch("again") == A and seen == []
    assert p.check() is None and p.candidates() == [A]


def test_failed_endpoints_are_skipped_for_the_cooldown_then_retried():
    p, clock, _ = pool(cooldown=30.0)
    p.report_failure(B, "ws://b: connection refused")
    assert p.cooling(B) and p.alternative() == C
    assert p.switch("ws://a: connection lost") == C  # B skipped
    assert p.candidates() == [C, A, B]  # B last: cooling down
    clock.now += 30.0
    assert not p.cooling(B)
    assert p.switch("ws://c: connection lost") == A and p.switch("again") == B  # retried


def test_all_others_cooling_goes_to_the_one_that_failed_longest_ago():
    p, clock, _ = pool()
    p.report_failure(C, "c down")
    clock.now += 5
    p.report_failure(B, "b down")
    clock.now += 5
    p.report_failure(A, "a down")
    assert p.alternative() is None
    assert p.switch("a down") == C  # no healthy one: the oldest failure is tried again
    h = p.health(A)
    assert (h.failures, h.last_error, h.failed_at) == (1, "a down", clock.now)


def test_use_records_a_switch_only_when_it_changes():
    p, _, seen = pool()
    assert not p.use(A, "same") and seen == []
    assert p.use(C, "ws://a: connection refused; ws://b: connection refused")
    assert p.current() == C and p.last_switch is seen[-1] and seen[-1].index == 3
    assert not p.use("ws://unknown", "x")


def test_lag_rule_switches_to_the_endpoint_furthest_ahead():
    p, _, _ = pool(lag_blocks=3)
    assert p.check() is None  # no heads known yet
    p.report_head(A, 100)
    p.report_head(B, 103)
    p.report_head(C, 102)
    assert p.check() is None  # 3 behind is within the rule
    p.report_head(B, 105)
    p.report_head(C, 104)
    assert p.check() == Decision(B, "ws://a lags 5 blocks behind ws://b", failed=True)
    p.report_failure(B, "ws://b: connection lost")
    assert p.check() == Decision(C, "ws://a lags 4 blocks behind ws://c", failed=True)


def test_lag_rule_ignores_stale_probes():
    p, clock, _ = pool(A, B, fresh=10.0)
    p.report_head(B, 200)
    clock.now += 11
    p.report_head(A, 100)
    assert p.check() is None


def test_comes_back_to_the_preferred_endpoint_once_it_is_healthy_and_caught_up():
    p, clock, seen = pool(A, B, cooldown=30.0)
    p.report_failure(A, "ws://a: connection refused")
    assert p.switch("ws://a: connection refused") == B
    p.report_head(B, 300)
    p.report_head(A, 300)  # A answers probes again, but it failed 0 s ago
    assert p.check() is None
    clock.now += 31
    p.report_head(B, 302)
    p.report_head(A, 299)  # out of its cool-down, but 3 behind: not yet
    assert p.check() is None
    p.report_head(A, 301)
    decision = p.check()
    assert decision == Decision(A, "ws://a is back (preferred endpoint)", failed=False)
    assert p.use(decision.target, decision.reason) and p.current() == A
    assert seen[-1].text == "switching from ws://b to ws://a (1/2): ws://a is back (preferred endpoint)"


def test_brief_names_the_endpoint_once():
    assert brief(A, ChainError("cannot reach ws://a: connection refused")) == "ws://a: connection refused"
    assert brief(A, "cannot talk to ws://a: garbage") == "ws://a: garbage"
    assert brief(A, ChainError("ws://a: connection lost")) == "ws://a: connection lost"
    assert brief(A, "subscription ended") == "ws://a: subscription ended"
    assert brief(A, "ws://a stalled: no head for 30 s") == "ws://a stalled: no head for 30 s"
    assert brief(A, TimeoutError()) == "ws://a: TimeoutError"


def test_a_pool_refuses_nothing_or_duplicates():
    with pytest.raises(ValueError):
        EndpointPool([])
    with pytest.raises(ValueError):
        EndpointPool([A, A])


class FakeClient:
    def __init__(self, url: str, heads: dict[str, int | Exception]) -> None:
        self.url = url
        self.heads = heads
        self.closed = False

    async def call(self, method: str, params: list) -> dict:
        assert method == "chain_getHeader"
        head = self.heads[self.url]
        if isinstance(head, Exception):
            raise head
        return {"number": hex(head)}

    async def close(self) -> None:
        self.closed = True


async def test_the_probe_asks_every_endpoint_and_reports_to_the_pool():
    p, _, _ = pool(lag_blocks=3)
    heads: dict[str, int | Exception] = {A: 10, B: 20, C: ChainError("ws://c: connection lost")}
    opened: list[FakeClient] = []

    async def connect(url: str) -> FakeClient:
        if url == "ws://refused":
            raise ChainError(f"cannot reach {url}: connection refused")
        client = FakeClient(url, heads)
        opened.append(client)
        return client

    probe = HeadProbe(p, connect)  # type: ignore[arg-type]
    in_use = FakeClient(A, heads)
    await probe.probe(in_use)  # type: ignore[arg-type]
    assert [c.url for c in opened] == [B, C]  # A through live mode's own connection
    assert p.health(A).head == 10 and p.health(B).head == 20
    assert p.health(C).last_error == "ws://c: connection lost" and opened[1].closed
    assert p.check() == Decision(B, "ws://a lags 10 blocks behind ws://b", failed=True)
    heads[C] = 21
    await probe.probe(in_use)  # type: ignore[arg-type]
    assert [c.url for c in opened] == [B, C, C]  # B's client kept, C's reopened
    assert p.health(C).head == 21 and probe.rounds == 2
    await probe.close()
    assert all(c.closed for c in opened)


async def test_a_probe_that_hangs_times_out():
    p, _, _ = pool(A, B)

    async def connect(url: str):
        await asyncio.sleep(10)

    probe = HeadProbe(p, connect, timeout=0.05)  # type: ignore[arg-type]
    await probe.probe()
    assert p.cooling(B) and p.health(B).last_error == "ws://b: no answer within 0.05 s"


def test_the_header_names_the_endpoint_and_says_why_it_switched():
    clock = Clock()
    header = StatusHeader(clock=clock)
    header.set_network("ws://a, ws://b")
    header.on_connection_notice(ConnectionNotice(ConnectionChanged(state="connected", url=A)))
    assert "via" not in " ".join(s.plain for s in header._segments()) and header._detail_lines() == []
    header.on_connection_notice(
        ConnectionNotice(
            ConnectionChanged(
                state="connected",
                url=B,
                endpoint=2,
                endpoints=2,
                previous=A,
                reason="ws://a stalled: no head for 30 s",
            )
        )
    )
    assert "via ws://b (2/2)" in [s.plain for s in header._segments()]
    assert [t.plain for t in header._detail_lines()] == [
        "⇄ switched from ws://a: ws://a stalled: no head for 30 s"
    ]
    clock.now += SWITCH_NOTE_SECONDS
    assert header._detail_lines() == []
    assert "via ws://b (2/2)" in [s.plain for s in header._segments()]
