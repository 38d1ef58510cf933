"""Textual messages: the core's bus notices, wrapped, plus the few requests widgets send the app.

The bus listener in :class:`~sentinel_tui.app.SentinelApp` turns every notice into one of the
``*Notice`` messages below (``to_message``) and posts it to the app; the app routes it to the
widgets that show it. Notice messages do not bubble, so a routed copy never comes back up. Requests
(``OpenBlock``, ``AcknowledgeAlert``, ...) bubble from a widget up to the app, which acts on them:
widgets never call the app.

One selected subnet for the Hyperparams and Subnet panes: when the user picks a subnet in either
pane, the pane posts ``SubnetSelected(netuid)`` (it bubbles up to the app). The app keeps the
selected netuid (``SentinelApp.selected_netuid``) and calls ``select_subnet(netuid)`` on both panes
(``HyperparamsPane`` and ``SubnetPane``), the one that posted included; ``select_subnet`` shows that
subnet without posting ``SubnetSelected`` again (so nothing loops) and is a no-op when the subnet is
already shown. At start the app calls ``select_subnet`` on both with the first subnet it knows.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual.message import Message

from sentinel_core import bus


class SentinelNotice(Message, bubble=False):
    """A core notice (``notice`` is the pydantic model from ``sentinel_core.bus``)."""

    notice_type: ClassVar[type] = object

    def __init__(self, notice: Any) -> None:
        super().__init__()
        self.notice = notice

    def copy(self) -> SentinelNotice:
        """A fresh message with the same notice (a message is delivered to one target only)."""
        return type(self)(self.notice)


class ConnectionNotice(SentinelNotice, bubble=False):
    notice_type = bus.ConnectionChanged
    notice: bus.ConnectionChanged


class HeadNotice(SentinelNotice, bubble=False):
    notice_type = bus.HeadUpdated
    notice: bus.HeadUpdated


class BlockNotice(SentinelNotice, bubble=False):
    notice_type = bus.BlockProcessed
    notice: bus.BlockProcessed


class AlertNotice(SentinelNotice, bubble=False):
    notice_type = bus.AlertRaised
    notice: bus.AlertRaised


class HyperparamNotice(SentinelNotice, bubble=False):
    notice_type = bus.HyperparamChanged
    notice: bus.HyperparamChanged


class BackfillNotice(SentinelNotice, bubble=False):
    notice_type = bus.BackfillProgress
    notice: bus.BackfillProgress


class RulesNotice(SentinelNotice, bubble=False):
    notice_type = bus.RulesReloaded
    notice: bus.RulesReloaded


class RuntimeNotice(SentinelNotice, bubble=False):
    notice_type = bus.RuntimeUpgraded
    notice: bus.RuntimeUpgraded


class LogNotice(SentinelNotice, bubble=False):
    notice_type = bus.LogLine
    notice: bus.LogLine


NOTICE_MESSAGES: dict[type, type[SentinelNotice]] = {
    cls.notice_type: cls
    for cls in (
        ConnectionNotice,
        HeadNotice,
        BlockNotice,
        AlertNotice,
        HyperparamNotice,
        BackfillNotice,
        RulesNotice,
        RuntimeNotice,
        LogNotice,
    )
}


def to_message(notice: Any) -> SentinelNotice | None:
    """The message for a bus notice (None for a notice type this UI does not know)."""
    cls = NOTICE_MESSAGES.get(type(notice))
    return None if cls is None else cls(notice)


# -- app lifecycle --------------------------------------------------------------------------------


class CoreStarted(Message, bubble=False):
    """The Sentinel core is up (store open, network known): widgets load their history."""


class CoreFailed(Message, bubble=False):
    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error


class SubnetsKnown(Message, bubble=False):
    """The netuids that exist at the head (for the hyperparameter pane and the command palette)."""

    def __init__(self, netuids: list[int]) -> None:
        super().__init__()
        self.netuids = netuids


# -- the Subnet pane's reads (a worker posts them to the pane) -----------------------------------


class SnapshotIndex(Message, bubble=False):
    """Which subnets have metagraph snapshots, and the newest snapshot block of the shown one."""

    def __init__(
        self, netuids: list[int], netuid: int | None, latest: int | None, force: bool = False
    ) -> None:
        super().__init__()
        self.netuids = netuids
        self.netuid = netuid
        self.latest = latest
        self.force = force


class SubnetSnapshotLoaded(Message, bubble=False):
    """The newest stored snapshot of a subnet, the one before it and the changes between them
    (``view`` is a :class:`~sentinel_core.views.SubnetView`)."""

    def __init__(self, view: Any) -> None:
        super().__init__()
        self.view = view


class SubnetApyLoaded(Message, bubble=False):
    """Validator APY per epoch of one subnet, per ``(uid, hotkey)``: ``[(block, apy), ...]`` ascending,
    from the epoch snapshots up to ``block`` (the newest snapshot shown)."""

    def __init__(
        self,
        netuid: int,
        block: int,
        series: dict[tuple[int, str], list[tuple[int, float | None]]],
        epochs: int,
    ) -> None:
        super().__init__()
        self.netuid = netuid
        self.block = block
        self.series = series
        self.epochs = epochs


# -- requests from widgets (bubble up to the app) ------------------------------------------------


class OpenBlock(Message):
    """Show one block's extrinsics and events."""

    def __init__(self, number: int, extrinsic: int | None = None) -> None:
        super().__init__()
        self.number = number
        self.extrinsic = extrinsic


class OpenAlert(Message):
    """Show one alert's detail (``alert_id`` is the store's id)."""

    def __init__(self, alert_id: int, alert: Any, acknowledged: bool) -> None:
        super().__init__()
        self.alert_id = alert_id
        self.alert = alert
        self.acknowledged = acknowledged


class AlertAcknowledged(Message, bubble=False):
    """An alert was acknowledged (routed to the alert list so it can dim the row)."""

    def __init__(self, alert_id: int) -> None:
        super().__init__()
        self.alert_id = alert_id


class AcknowledgeAlert(Message):
    """Acknowledge one stored alert (the app writes it and answers with ``AlertAcknowledged``)."""

    def __init__(self, alert_id: int) -> None:
        super().__init__()
        self.alert_id = alert_id


class SubnetSelected(Message):
    """The user selected a subnet in a pane (Hyperparams or Subnet): the app keeps it and calls
    ``select_subnet(netuid)`` on both panes so they show the same subnet."""

    def __init__(self, netuid: int) -> None:
        super().__init__()
        self.netuid = netuid


class RefreshSubnets(Message):
    """Read again which subnets exist (a change named a subnet the picker does not offer)."""
