"""The rules engine: Block + hyperparameter changes -> alerts.

``RuleEngine.evaluate(block, changes)`` is a pure function of the block plus bounded in-memory state
(sliding windows, rolling baselines, cooldowns). Alerts carry deterministic dedup keys built from the
happening (``rule:block:extrinsic:call``), so re-processing a block, in this process or after a
restart, never alerts twice: the store keeps one alert per key.

The engine is an index and a dispatcher. Rules are compiled once into matchers (one per rule kind, see
:mod:`sentinel_core.rules.matchers`); the matchers interested in calls and events are indexed by
``(name, pallet)`` and, when a rule names subnets, by ``netuid``. The index is filled lazily per
distinct name, so a block costs one dict lookup per call and per event plus the conditions of the rules
that apply. No regex is compiled and no pydantic model is built per block except for the alerts emitted.

Snapshot rules (``kind = "snapshot"``) never see blocks: ``RuleEngine.evaluate_snapshot(previous,
current)`` compares two consecutive metagraph snapshots of a subnet (see ``snapshot_rules``).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from itertools import compress, repeat
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias, TypeVar, cast

from sentinel_core.model import Alert, Block, Call, Event, Extrinsic, HyperparamChange
from sentinel_core.rules.matchers import (
    AnomalyMatcher,
    AnyMatcher,
    CallMatcher,
    EventMatcher,
    HyperparamMatcher,
    PatternMatcher,
    SnapshotMatcher,
    StallMatcher,
    SudoCatchallMatcher,
    compile_rule,
)
from sentinel_core.rules.matchers.anomaly import COUNT_METRICS, StakeFlowTap, observe_block
from sentinel_core.rules.matchers.base import BlockCtx
from sentinel_core.rules.matchers.sudo_catchall import SudoCandidates
from sentinel_core.rules.spec import AnyRule, SnapshotRule

if TYPE_CHECKING:
    from sentinel_core.metagraph import Metagraph

_UNSET: Any = object()
_NAME = attrgetter("name")
_SEEN_BLOCKS = 4096


# -- the index -----------------------------------------------------------------------------------


class _Consumer(Protocol):
    """A matcher the index can serve: it says which ``pallet.name`` it wants, and which subnets."""

    @property
    def netuids(self) -> frozenset[int] | None: ...

    def applies(self, pallet: str, name: str) -> bool: ...

    def applies_name(self, name: str) -> bool: ...


class CallConsumer(_Consumer, Protocol):
    """Sees the effective calls it applies to (call rules, pattern rules on calls)."""

    def on_call(self, ctx: BlockCtx, ex: Extrinsic, pos: int, call: Call) -> None: ...


class EventConsumer(_Consumer, Protocol):
    """Sees the events it applies to (event rules, pattern rules on events, the stake flow tap)."""

    def on_event(self, ctx: BlockCtx, ev: Event) -> None: ...


_C = TypeVar("_C", bound=_Consumer)
Found: TypeAlias = "tuple[tuple[_C, ...], dict[int, tuple[_C, ...]] | None] | tuple[()]"
"""The consumers of one ``pallet.name``: ``(always, {netuid: consumers} | None)``, or ``()``: none."""
Index: TypeAlias = "dict[str, dict[str, Found[_C]] | None]"
"""name -> pallet -> consumers; a name maps to None when no consumer can match it in any pallet."""


def _consumers(index: Index[_C], rules: Sequence[_C], pallet: str, name: str) -> Found[_C]:
    """Rules interested in ``pallet.name``, cached in ``index[name][pallet]``; ``index[name]`` is None
    when no rule can match the name in any pallet (most calls and events then cost one dict lookup)."""
    pallets: dict[str, Found[_C]] | None = index.get(name, _UNSET)
    if pallets is _UNSET:
        pallets = index[name] = {} if any(r.applies_name(name) for r in rules) else None
    if pallets is None:
        return ()
    found = pallets.get(pallet)
    if found is None:
        plain: list[_C] = []
        by_net: dict[int, list[_C]] = {}
        for r in rules:
            if r.applies(pallet, name):
                if r.netuids is None:
                    plain.append(r)
                else:
                    for n in r.netuids:
                        by_net.setdefault(n, []).append(r)
        found = pallets[pallet] = (
            (tuple(plain), {n: tuple(v) for n, v in by_net.items()} or None) if plain or by_net else ()
        )
    return found


# -- the engine ----------------------------------------------------------------------------------


class RuleEngine:
    """Evaluates rules over blocks. Not thread-safe: one engine per pipeline."""

    def __init__(
        self, rules: Iterable[AnyRule | dict[str, Any]] = (), *, clock: Callable[[], float] = time.time
    ) -> None:
        self.clock = clock
        self.hits: dict[str, int] = {}
        """Alerts emitted per rule name since start (for the UI's rule-hits panel)."""
        self._seen: OrderedDict[tuple[int, str], None] = OrderedDict()
        self._prev_ts: tuple[int, int] | None = None
        self._stall_ref: int | None = None
        self._stall_fired: set[str] = set()
        self._compiled: dict[str, AnyMatcher] = {}
        self._install(self._coerce(rules))

    # -- rules ----------------------------------------------------------------------------------

    @staticmethod
    def _coerce(rules: Iterable[AnyRule | dict[str, Any]]) -> list[AnyRule]:
        items: list[Any] = list(rules)
        if any(isinstance(r, dict) for r in items):
            from sentinel_core.config import parse_rules

            items = parse_rules([r if isinstance(r, dict) else r.model_dump(by_alias=True) for r in items])
        return cast("list[AnyRule]", items)

    @property
    def rules(self) -> list[AnyRule]:
        return [c.spec for c in self._compiled.values()]

    def _install(self, specs: list[AnyRule]) -> None:
        old = self._compiled
        compiled: dict[str, AnyMatcher] = {}
        for spec in specs:
            if not spec.enabled:
                continue
            prev = old.get(spec.name)
            if prev is not None and prev.spec == spec:
                compiled[spec.name] = prev  # unchanged: keep its windows, baselines, cooldowns
            else:
                compiled[spec.name] = compile_rule(spec)
        self._compiled = compiled
        values = list(compiled.values())
        self._call_rules = [c for c in values if isinstance(c, CallMatcher)]
        self._event_rules = [c for c in values if isinstance(c, EventMatcher)]
        self._catchalls = [c for c in values if isinstance(c, SudoCatchallMatcher)]
        self._hp_rules = [c for c in values if isinstance(c, HyperparamMatcher)]
        patterns = [c for c in values if isinstance(c, PatternMatcher)]
        self._call_consumers: list[CallConsumer] = [
            *self._call_rules,
            *(p for p in patterns if p.metric == "calls"),
        ]
        self._event_consumers: list[EventConsumer] = [
            *self._event_rules,
            *(p for p in patterns if p.metric == "events"),
        ]
        self._failed_consumers = [p for p in patterns if p.metric == "failed_extrinsics"]
        self._anomalies = [c for c in values if isinstance(c, AnomalyMatcher)]
        metrics = {c.metric for c in self._anomalies}
        self._count_extrinsics = bool(metrics & COUNT_METRICS)
        self._tap = StakeFlowTap() if "stake_flow" in metrics else None
        if self._tap is not None:
            self._event_consumers.append(self._tap)
        self._stalls = [c for c in values if isinstance(c, StallMatcher)]
        self._snapshot_rules = [c for c in values if isinstance(c, SnapshotMatcher)]
        self._call_index: Index[CallConsumer] = {}
        self._event_index: Index[EventConsumer] = {}
        self._event_names: dict[str, bool] = {}  # event name -> can any rule match it
        self._call_names: dict[str, bool] = {}
        self._stall_fired &= {c.name for c in self._stalls}

    def replace_rules(self, rules: Iterable[AnyRule | dict[str, Any]]) -> None:
        """Hot reload: install new rules; rules whose spec did not change keep their state."""
        self._install(self._coerce(rules))
        self.hits = {k: v for k, v in self.hits.items() if k in self._compiled}

    def _count_hits(self, alerts: list[Alert]) -> list[Alert]:
        for a in alerts:
            self.hits[a.rule] = self.hits.get(a.rule, 0) + 1
        return alerts

    # -- blocks ---------------------------------------------------------------------------------

    def evaluate(self, block: Block, changes: Sequence[HyperparamChange] = ()) -> list[Alert]:
        """Alerts raised by ``block`` (and the hyperparameter changes found at it)."""
        return self._count_hits(self._evaluate(block, changes))

    def warm(self, block: Block, changes: Sequence[HyperparamChange] = ()) -> None:
        """Feed a block to windows and baselines without raising alerts (e.g. history at start)."""
        self._evaluate(block, changes)  # alerts discarded; dedup keys make a later re-raise safe

    def _first_time(self, block: Block) -> bool:
        key = (block.number, block.hash)
        if key in self._seen:
            return False
        self._seen[key] = None
        if len(self._seen) > _SEEN_BLOCKS:
            self._seen.popitem(last=False)
        return True

    def _evaluate(self, block: Block, changes: Sequence[HyperparamChange]) -> list[Alert]:
        stateful = self._first_time(block)
        ctx = BlockCtx(block, stateful, self.clock())
        if self._stall_ref is None or block.number > self._stall_ref:
            self._stall_ref = block.number  # a new block re-arms the stall rules
            self._stall_fired.clear()
        for ch in changes:
            for r in self._hp_rules:
                r.on_change(ctx, ch)
        if self._tap is not None:
            self._tap.reset()
        if self._count_extrinsics:
            ctx.counts = _signed_and_failed(block)
        sudo_candidates = self._dispatch_calls(ctx)
        if self._event_consumers:
            self._dispatch_events(ctx)
        if sudo_candidates:
            for catchall in self._catchalls:
                catchall.finish(ctx, sudo_candidates)
        if stateful:
            if self._anomalies:
                observe_block(self._anomalies, ctx, self._prev_ts, self._tap)
            if block.timestamp is not None:
                self._prev_ts = (block.number, block.timestamp)
        return ctx.alerts

    def _dispatch_calls(self, ctx: BlockCtx) -> SudoCandidates:
        """Every effective call to the rules indexed for it, failed extrinsics to the pattern rules that
        count them; returns the calls made through Sudo, per extrinsic, for the catch-all rules."""
        call_index, call_rules = self._call_index, self._call_consumers
        failed = self._failed_consumers if ctx.stateful else ()
        catchalls = self._catchalls
        names = self._call_names
        sudo_candidates: SudoCandidates = {}
        for ex in ctx.block.extrinsics:
            calls = ex.calls
            for pos, call in enumerate(calls):
                name = call.name
                if not names.get(name, True):
                    continue
                pallets = call_index.get(name, _UNSET)
                if pallets is _UNSET:
                    _consumers(call_index, call_rules, call.pallet, name)
                    pallets = call_index[name]
                    names[name] = pallets is not None
                    if pallets is None:
                        continue
                cons = pallets.get(call.pallet)
                if cons is None:
                    cons = _consumers(call_index, call_rules, call.pallet, name)
                if cons:
                    plain, by_net = cons
                    for r in plain:
                        r.on_call(ctx, ex, pos, call)
                    if by_net is not None:
                        n = call.args.get("netuid")
                        if type(n) is int:
                            for r in by_net.get(n, ()):
                                r.on_call(ctx, ex, pos, call)
            if catchalls and (ex.pallet == "Sudo" or (calls and calls[0].via)):
                found = _sudo_calls(ex)
                if found:
                    sudo_candidates[ex.index] = found
            if failed and not ex.success:
                for p in failed:
                    p.on_failed(ctx, ex)
        return sudo_candidates

    def _dispatch_events(self, ctx: BlockCtx) -> None:
        """Every event to the rules indexed for it."""
        event_index, event_rules = self._event_index, self._event_consumers
        # Skip events whose name no rule can match without running Python code per event:
        # ``_event_names`` maps name -> True/False (unknown names default to True, are looked at
        # below and then remembered).
        names = self._event_names
        events = ctx.block.events
        for ev in compress(events, map(names.get, map(_NAME, events), repeat(True))):
            name = ev.name
            pallets = event_index.get(name, _UNSET)
            if pallets is _UNSET:
                _consumers(event_index, event_rules, ev.pallet, name)
                pallets = event_index[name]
                names[name] = pallets is not None
            if pallets is None:
                continue
            cons = pallets.get(ev.pallet)
            if cons is None:
                cons = _consumers(event_index, event_rules, ev.pallet, ev.name)
            if not cons:
                continue
            plain, by_net = cons
            for r in plain:
                r.on_event(ctx, ev)
            if by_net is not None:
                attrs = ev.attributes
                n = attrs.get("netuid") if type(attrs) is dict else None
                if type(n) is int:
                    for r in by_net.get(n, ()):
                        r.on_event(ctx, ev)

    # -- snapshots ----------------------------------------------------------------------------------

    @property
    def snapshot_rules(self) -> list[SnapshotRule]:
        """The enabled snapshot rules (block evaluation ignores them)."""
        return [c.spec for c in self._snapshot_rules]

    @property
    def snapshot_rules_need_rows(self) -> bool:
        """Whether any snapshot rule looks at neurons (else the subnet rows of snapshots suffice)."""
        return any(c.needs_rows for c in self._snapshot_rules)

    def evaluate_snapshot(self, previous: Metagraph | None, current: Metagraph) -> list[Alert]:
        """Alerts the snapshot rules raise for two consecutive snapshots of one subnet
        (``previous`` the older; None: nothing to compare). Each alert belongs to ``current.block``;
        its dedup key is ``rule:netuid:block:uid`` (or ``:owner``), so comparing the same pair again
        raises nothing new once stored."""
        rules = self._snapshot_rules
        if not rules or previous is None:
            return []
        ctx = BlockCtx(
            Block(number=current.block, hash=current.block_hash or "", parent_hash=""), False, self.clock()
        )
        for r in rules:
            r.on_snapshot(ctx, previous, current)
        return self._count_hits(ctx.alerts)

    # -- stalls -------------------------------------------------------------------------------------

    def check_stall(
        self, now: float, last_block_number: int | None, last_block_at: float | None
    ) -> list[Alert]:
        """Alerts for stall rules: no new block for ``after_seconds``. Each fires once per stall
        episode (identified by the last block seen); a new block re-arms it."""
        if not self._stalls or last_block_at is None:
            return []
        if last_block_number != self._stall_ref:
            if last_block_number is None or self._stall_ref is None or last_block_number > self._stall_ref:
                self._stall_ref = last_block_number
                self._stall_fired.clear()
        seconds = now - last_block_at
        number = last_block_number if last_block_number is not None else 0
        ctx = BlockCtx(Block(number=number, hash="", parent_hash=""), False, self.clock())
        for r in self._stalls:
            if seconds >= r.after and r.name not in self._stall_fired:
                self._stall_fired.add(r.name)
                r.fire(ctx, seconds, last_block_number, last_block_at)
        return self._count_hits(ctx.alerts)


def _signed_and_failed(block: Block) -> tuple[int, int]:
    """(signed extrinsics, failed signed extrinsics) of ``block``."""
    signed = failures = 0
    for ex in block.extrinsics:
        if ex.signer is not None:
            signed += 1
            if not ex.success:
                failures += 1
    return signed, failures


def _sudo_calls(ex: Extrinsic) -> list[tuple[int, Call]]:
    """The ``(position, call)`` of the calls of ``ex`` made through Sudo (or Sudo.* ones). Only
    wrapped extrinsics (every effective call then has a non-empty ``via``) or Sudo.* ones can hold
    one: the engine asks only for those."""
    calls = ex.calls
    if not calls:
        return [(0, Call(pallet=ex.pallet, name=ex.call, args=ex.args, success=ex.success))]
    return [(pos, c) for pos, c in enumerate(calls) if c.pallet == "Sudo" or c.via_sudo]


__all__ = ["RuleEngine"]
