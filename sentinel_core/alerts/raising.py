"""Raising an alert: the one definition, used by every route an alert takes (the pipeline's block
commit, the snapshot rules, the live stall watch).

An alert is raised when it is stored with its delivery outbox rows (once per dedup key: the same
happening raised again is not new), then each new alert is published on the bus as
:class:`~sentinel_core.bus.AlertRaised`, then the ``on_new`` hook is told (the deliverer's
:meth:`~sentinel_core.alerts.deliverer.Deliverer.on_new_alerts`, which wakes it). :func:`raise_alerts`
does all three; the pipeline writes its alerts in the same transaction as their blocks and then calls
:func:`announce_alerts`, the part after the write.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from sentinel_core.bus import HISTORY_SOURCES, AlertRaised, AlertSource, Bus
from sentinel_core.model import Alert

if TYPE_CHECKING:
    from sentinel_core.store import StoreAPI

AlertHook = Callable[[list[Alert]], object]
"""Told the alerts just raised (after they are stored and published)."""


def announce_alerts(
    bus: Bus, new: list[Alert], on_new: AlertHook | None = None, *, source: AlertSource = "live"
) -> None:
    """The part of raising after the write: publish each of the ``new`` (stored, not seen before)
    alerts as ``AlertRaised`` (``source`` says which route found them; alerts of backfilled blocks
    are marked ``history``), then tell ``on_new``."""
    history = source in HISTORY_SOURCES
    for alert in new:
        bus.publish(AlertRaised(alert=alert, source=source, history=history))
    if new and on_new is not None:
        on_new(new)


async def raise_alerts(
    store: StoreAPI,
    bus: Bus,
    alerts: Sequence[Alert],
    on_new: AlertHook | None = None,
    *,
    source: AlertSource = "live",
) -> list[Alert]:
    """Raise ``alerts``: store them with their delivery outbox (the same happening only once), then
    :func:`announce_alerts` the new ones. Returns those that were new."""
    if not alerts:
        return []
    new = await store.write_alerts(alerts)
    announce_alerts(bus, new, on_new, source=source)
    return new


__all__ = ["AlertHook", "announce_alerts", "raise_alerts"]
