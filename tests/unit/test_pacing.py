"""CallPacer against a small in-process limiter (a token bucket, as hosted nodes use): it learns the
permitted rate from refusals, settles just under it, cuts frames that cannot fit, and never stalls."""

from __future__ import annotations

import asyncio
import random
import time

import pytest

from sentinel_core.chain.pacing import CallPacer


class Bucket:
    """A limiter of ``n`` per second, burst ``n``, counting calls or frames; a call-counting one
    answers the items of a frame it can pay for and refuses the rest (``partial``) or refuses the
    frame whole."""

    def __init__(self, n: float, *, unit: str = "call", partial: bool = True) -> None:
        self.n, self.unit, self.partial = n, unit, partial
        self.tokens = n
        self.at = time.monotonic()

    def take(self, calls: int) -> int:
        now = time.monotonic()
        self.tokens = min(self.n, self.tokens + (now - self.at) * self.n)
        self.at = now
        cost = 1 if self.unit == "frame" else calls
        if self.tokens >= cost:
            self.tokens -= cost
            return calls
        if self.unit == "call" and self.partial and self.tokens >= 1:
            ok = int(self.tokens)
            self.tokens -= ok
            return ok
        return 0


async def run(
    bucket: Bucket, *, seconds: float, workers: int = 8, frame: int = 22
) -> tuple[int, int, CallPacer]:
    """Workers sending frames of ``frame`` calls through one pacer for ``seconds``; refused items are
    asked again (as ChainClient.batch does). Returns (calls answered, frames answered whole, pacer)."""
    pacer = CallPacer(rng=random.Random(1))
    answered = 0
    batches = 0
    stop = time.monotonic() + seconds

    async def worker() -> None:
        nonlocal answered, batches
        while time.monotonic() < stop:
            left = frame
            while left and time.monotonic() < stop:
                size = min(left, pacer.frame_calls() or left)
                await pacer.pace(size)
                await asyncio.sleep(0.002)  # the round trip
                ok = bucket.take(size)
                pacer.answered(ok)
                if ok < size:
                    pacer.refused(size - ok)
                answered += ok
                left -= ok
            if not left:
                batches += 1

    await asyncio.gather(*(worker() for _ in range(workers)))
    return answered, batches, pacer


@pytest.mark.parametrize(
    "unit, partial",
    [("call", True), ("call", False)],
    ids=["calls-partial-answers", "calls-whole-refusals"],
)
async def test_a_call_limit_is_learned_and_mostly_used(unit, partial):
    answered, batches, pacer = await run(Bucket(200, unit=unit, partial=partial), seconds=2.5)
    achieved = answered / 2.5
    assert batches > 0
    assert pacer.rate is not None and 120 <= pacer.rate <= 260, pacer.rate
    # Over 2.5 s including the first second of learning; the bench measures the steady figure.
    assert achieved >= 0.7 * 200, achieved


async def test_a_frame_limit_is_used_as_frames():
    answered, batches, pacer = await run(Bucket(20, unit="frame"), seconds=2.0)
    frames_per_second = batches / 2.0
    assert frames_per_second >= 0.7 * 20, frames_per_second
    assert pacer.frame_calls() is not None and pacer.frame_calls() >= 22


async def test_frames_larger_than_the_limit_are_cut_to_fit_and_progress():
    # 5 calls per second, burst 5, refusing whole frames that do not fit: a 22-call frame could never
    # be answered; cut to the learned cap it is.
    answered, batches, pacer = await run(Bucket(5, unit="call", partial=False), seconds=3.0, workers=2)
    assert pacer.frame_calls() is not None and pacer.frame_calls() <= 5
    assert answered >= 4, answered


def test_no_cap_until_a_refusal_and_the_users_cap_holds():
    pacer = CallPacer()
    assert pacer.cap() is None and pacer.frame_calls() is None
    pacer.refused(3)
    assert pacer.rate is not None and pacer.rate >= 1.0
    capped = CallPacer(max_rps=7.0)
    assert capped.cap() == 7.0 and capped.frame_calls() == 3
