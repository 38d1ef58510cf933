"""What every matcher shares: the per-block scratch space (:class:`BlockCtx`) and the common part of a
compiled rule (:class:`Matcher`: identity, cooldown, turning a happening into an :class:`Alert`)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable, Mapping
from typing import Any, Generic, TypeVar

from sentinel_core.model import Alert, Block, Extrinsic, Severity
from sentinel_core.rules.messages import DEFAULT_MESSAGES, render
from sentinel_core.rules.spec import RuleBase

RECENT_KEYS = 8192
"""How many recent dedup keys (and cooldown scopes) a rule remembers."""

S = TypeVar("S", bound=RuleBase)


class BlockCtx:
    """Per-block scratch space shared by the matchers."""

    __slots__ = (
        "block",
        "number",
        "alerts",
        "matched_ex",
        "matched_setters",
        "stateful",
        "_ex_by_index",
        "now",
        "counts",
    )

    def __init__(self, block: Block, stateful: bool, now: float) -> None:
        self.block = block
        self.number = block.number
        self.alerts: list[Alert] = []
        self.matched_ex: set[int] = set()
        """Extrinsics some rule matched (the sudo catch-all leaves them alone)."""
        self.matched_setters: set[tuple[str, int | None]] = set()
        """``(call, netuid)`` of the hyperparameter changes some rule reported."""
        self.stateful = stateful
        """False when the block was seen before: windows and baselines must not count it twice."""
        self._ex_by_index: dict[int, Extrinsic] | None = None
        self.now = now
        self.counts: tuple[int, int] = (0, 0)
        """(signed extrinsics, failed signed extrinsics), when an anomaly rule needs them."""

    def extrinsic(self, index: int | None) -> Extrinsic | None:
        if index is None:
            return None
        exs = self.block.extrinsics
        if 0 <= index < len(exs) and exs[index].index == index:
            return exs[index]
        if self._ex_by_index is None:
            self._ex_by_index = {x.index: x for x in exs}
        return self._ex_by_index.get(index)


class Matcher(Generic[S]):
    """Common part of a compiled rule: identity, emission, cooldown. ``kind`` names the rule kind a
    subclass compiles (its key in :data:`sentinel_core.rules.matchers.MATCHERS`)."""

    kind: str = ""

    def __init__(self, spec: S) -> None:
        self.spec = spec
        self.name = spec.name
        self.severity = Severity(spec.severity)
        self.message = spec.message if spec.message is not None else DEFAULT_MESSAGES[self.kind]
        self.dedup = spec.dedup
        self.channels = list(spec.channels)
        self.cooldown = spec.cooldown_blocks
        self._last_fired: dict[Hashable, int] = {}
        self._recent: OrderedDict[str, None] = OrderedDict()

    def _cooled(self, scope: Hashable, block: int, key: str) -> bool:
        """True when an alert with ``key`` may be emitted now (cooldown per scope)."""
        if not self.cooldown:
            return True
        if key in self._recent:  # the same happening again (re-processed block): let the store dedup
            return True
        last = self._last_fired.get(scope)
        if last is not None and 0 <= block - last < self.cooldown:
            return False
        self._last_fired[scope] = block
        self._recent[key] = None
        if len(self._recent) > RECENT_KEYS:
            self._recent.popitem(last=False)
        if len(self._last_fired) > RECENT_KEYS:
            horizon = block - self.cooldown
            self._last_fired = {k: v for k, v in self._last_fired.items() if v > horizon}
        return True

    def emit(
        self,
        ctx: BlockCtx,
        *,
        block: int,
        fields: dict[str, Any],
        key: str,
        extrinsic_index: int | None = None,
        netuid: int | None = None,
        scope: Hashable = None,
        extra: Mapping[str, Any] | None = None,
    ) -> Alert | None:
        """Add the alert for one happening to ``ctx`` (unless the rule is cooling down). ``key`` is the
        dedup key (unless the rule has a ``dedup`` template); ``extra`` are template fields that are
        not alert fields (a call's args, an event's attributes)."""
        tpl: dict[str, Any] = dict(extra) if extra else {}
        tpl.update(fields)
        tpl.update(
            rule=self.name,
            severity=self.severity.value,
            block=block,
            extrinsic_index=extrinsic_index,
            netuid=netuid,
        )
        dedup_key = f"{self.name}:{render(self.dedup, tpl)}" if self.dedup else key
        if not self._cooled(scope, block, dedup_key):
            return None
        alert = Alert(
            rule=self.name,
            severity=self.severity,
            block=block,
            extrinsic_index=extrinsic_index,
            netuid=netuid,
            message=render(self.message, tpl),
            fields=fields,
            dedup_key=dedup_key,
            channels=list(self.channels),
            created_at=ctx.now,
        )
        ctx.alerts.append(alert)
        return alert


__all__ = ["RECENT_KEYS", "BlockCtx", "Matcher"]
