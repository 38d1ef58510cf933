"""Sliding windows over block numbers, for pattern rules.

A ``SlidingWindow`` keeps the per-block, per-group values (e.g. per netuid) of the last ``size``
blocks in one queue, and a running total per group. Adding a block first evicts what fell out of the
window, so memory is bounded by ``size`` x (groups touched per block).

Episodes: ``add`` reports a group as *crossing* the first time its total exceeds the threshold;
the group re-arms once its total has fallen back to the threshold or below, so a sustained condition
fires once, not once per block.

Blocks are expected in roughly ascending order (live, backfill); the window is anchored at the newest
block seen, so an older block added late counts until the window moves past it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable
from typing import Any

# per-group state: [total, count, armed]
_TOTAL, _COUNT, _ARMED = 0, 1, 2


class SlidingWindow:
    """Per-group totals over the last ``size`` blocks (block numbers ``newest - size + 1 .. newest``)."""

    __slots__ = ("size", "threshold", "groups", "entries", "newest", "_current")

    def __init__(self, size: int, threshold: float) -> None:
        self.size = size
        self.threshold = threshold
        self.groups: dict[Hashable, list[Any]] = {}
        self.entries: deque[list[Any]] = deque()  # [block, group, value, count], oldest first
        self.newest = -1
        self._current: dict[Hashable, list[Any]] = {}  # this block's entry per group

    def _evict(self, newest: int) -> None:
        limit = newest - self.size
        entries = self.entries
        groups = self.groups
        threshold = self.threshold
        while entries and entries[0][0] <= limit:
            _, key, value, count = entries.popleft()
            g = groups[key]
            g[_COUNT] -= count
            if g[_COUNT] <= 0:
                del groups[key]
                continue
            g[_TOTAL] -= value
            if g[_TOTAL] <= threshold:
                g[_ARMED] = True

    def add(self, block: int, key: Hashable, value: float) -> tuple[float, int, int] | None:
        """Add one match of ``value`` to group ``key`` at ``block``. Returns ``(total, count,
        first_block_in_window)`` when this makes the group cross the threshold, else None."""
        entries = self.entries
        if block != self.newest:
            if block > self.newest:
                self.newest = block
                if entries and entries[0][0] <= block - self.size:
                    self._evict(block)
            self._current = {}
        g = self.groups.get(key)
        if g is None:
            g = self.groups[key] = [0, 0, True]
        entry = self._current.get(key)
        if entry is None:  # one queue entry per (block, group): matches of a block are coalesced
            entry = self._current[key] = [block, key, value, 1]
            entries.append(entry)
        else:
            entry[2] += value
            entry[3] += 1
        total = g[_TOTAL] + value
        g[_TOTAL] = total
        g[_COUNT] += 1
        if g[_ARMED] and total > self.threshold:
            g[_ARMED] = False
            first = min(e[0] for e in entries if e[1] == key)
            return total, g[_COUNT], first
        return None

    def __len__(self) -> int:
        return len(self.groups)
