"""Stopping background tasks: the stopper's own cancellation is never swallowed."""

from __future__ import annotations

import asyncio
import sys

import pytest

from sentinel_core.tasks import cancel_and_wait, stop_requested, wait_for


async def slow_to_stop(stopped: list[str]) -> None:
    try:
        await asyncio.sleep(3600)
    except asyncio.CancelledError:
        await asyncio.sleep(0.2)  # cleanup that takes a while
        stopped.append("child")
        raise


async def failing() -> None:
    raise ValueError("already broken")


async def test_children_are_cancelled_and_their_errors_dropped():
    stopped: list[str] = []
    children = [asyncio.create_task(slow_to_stop(stopped)), asyncio.create_task(failing())]
    await asyncio.sleep(0)
    await cancel_and_wait(*children)
    assert stopped == ["child"] and all(c.done() for c in children)


async def test_a_cancellation_that_arrives_while_waiting_is_raised_after_the_children_end():
    stopped: list[str] = []
    after: list[str] = []
    helpers: list[asyncio.Task] = []

    async def loop_forever() -> None:
        # The shape that hung: a loop whose cleanup stops a helper task, then goes round again.
        while True:
            helper = asyncio.create_task(slow_to_stop(stopped))
            helpers.append(helper)
            await asyncio.sleep(0.01)
            await cancel_and_wait(helper)
            after.append("went round")

    runner = asyncio.create_task(loop_forever())
    await asyncio.sleep(0.05)  # inside cancel_and_wait, waiting for the helper's cleanup
    runner.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(runner, 5)
    assert runner.cancelled() and after == []  # the round that was cancelled did not go on
    assert len(helpers) == 1 and helpers[0].done()


async def test_cleanup_during_a_cancellation_already_under_way_is_not_cut_short():
    stopped: list[str] = []
    cleaned: list[str] = []

    async def owner() -> None:
        helpers = [asyncio.create_task(slow_to_stop(stopped)) for _ in range(2)]
        try:
            await asyncio.sleep(3600)
        finally:
            await cancel_and_wait(*helpers)
            cleaned.append("rest of the cleanup")

    task = asyncio.create_task(owner())
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert cleaned == ["rest of the cleanup"] and stopped == ["child", "child"]


async def test_stop_requested_sees_a_cancellation_a_library_swallowed():
    seen: list[bool] = []

    async def swallowing_library() -> None:
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            pass  # what some websocket code does
        seen.append(stop_requested())

    task = asyncio.create_task(swallowing_library())
    await asyncio.sleep(0.01)
    task.cancel()
    await task
    assert seen == [True]
    assert not stop_requested()


@pytest.mark.parametrize("which", ["ours", "asyncio"])
async def test_wait_for_keeps_a_cancellation_that_lands_as_the_result_does(which):
    """Python 3.11's asyncio.wait_for returns the result instead (the live runner's head loop went on)."""
    fut = asyncio.get_running_loop().create_future()
    impl = wait_for if which == "ours" else asyncio.wait_for
    task = asyncio.create_task(impl(fut, 10))
    await asyncio.sleep(0)  # the task now waits on fut
    fut.set_result("head")
    task.cancel()
    outcome = await asyncio.gather(task, return_exceptions=True)
    if which == "ours":
        assert isinstance(outcome[0], asyncio.CancelledError)
    elif sys.version_info < (3, 12):  # the flaw this module exists for (fixed in 3.12)
        assert outcome == ["head"]


async def test_wait_for_times_out():
    with pytest.raises(TimeoutError):
        await wait_for(asyncio.sleep(5), 0.05)
    assert await wait_for(asyncio.sleep(0, "done"), 1) == "done"
