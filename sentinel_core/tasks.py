"""Stopping background tasks without swallowing the stopper's own cancellation.

``task.cancel(); with suppress(CancelledError): await task`` is the usual idiom, and it is wrong in a
long-running loop: if the task that runs it is itself cancelled while it waits, the suppress eats that
cancellation too, and the loop goes on forever (a live runner told to stop while it was closing a
dropped connection reconnected instead). These helpers tell the two apart with ``Task.cancelling()``.

Python 3.11's ``asyncio.wait_for`` has the same flaw (fixed in 3.12): cancelled at the moment its
awaitable completes, it returns the result and the cancellation is lost. :func:`wait_for` here is the
3.12 behaviour, built on ``asyncio.timeout``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any, TypeVar

T = TypeVar("T")


async def wait_for(aw: Awaitable[T], timeout: float | None) -> T:
    """``await aw``, raising TimeoutError after ``timeout`` seconds; a cancellation is never lost."""
    async with asyncio.timeout(timeout):
        return await aw


def stop_requested() -> bool:
    """Whether the running task has been asked to cancel (and has not taken the request back), even if
    some library caught the CancelledError on its way up."""
    return _cancelling() > 0


def raise_if_stop_requested() -> None:
    """For the top of a long loop: end it if the task was cancelled and a library it called swallowed
    the CancelledError (the websocket library does, and 3.11's ``asyncio.wait_for`` can)."""
    if stop_requested():
        raise asyncio.CancelledError


def _cancelling() -> int:
    task = asyncio.current_task()
    return task.cancelling() if task is not None else 0


async def cancel_and_wait(*tasks: asyncio.Future[Any]) -> None:
    """Cancel ``tasks`` and wait until each has ended, dropping their results and errors. If the calling
    task is cancelled while it waits, that cancellation is raised once all of them have ended (one that
    was already under way before the call goes on propagating by itself: cleanup is not cut short)."""
    before = _cancelling()
    for task in tasks:
        task.cancel()
    for task in tasks:
        try:
            await task
        except asyncio.CancelledError:
            pass
        except Exception:  # noqa: BLE001 - the task's own failure no longer matters: it is being stopped
            pass
    if _cancelling() > before:
        raise asyncio.CancelledError
