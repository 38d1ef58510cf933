"""Snapshot rules: what changed between two consecutive metagraph snapshots of a subnet.

A :class:`SnapshotFinder` (one per ``kind = "snapshot"`` rule) turns a pair ``(previous, current)``
of :class:`~sentinel_core.metagraph.Metagraph` into :class:`Finding` s. It is a pure function of the
two snapshots and the rule: no state, no I/O. The rule's matcher
(:mod:`sentinel_core.rules.matchers.snapshot`, fed by :meth:`RuleEngine.evaluate_snapshot`) turns
findings into alerts (message, dedup key ``rule:netuid:block:uid`` or ``rule:netuid:block:owner``,
cooldowns).

A neuron is "the same" in both snapshots when the same hotkey holds the same uid; a uid whose hotkey
changed (or that is gone) was deregistered. Neuron-level rules say nothing when the subnet does not
exist in one of the two snapshots (a dissolved subnet is the business of the call rules).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from sentinel_core.metagraph import Metagraph
from sentinel_core.rules.messages import short
from sentinel_core.rules.spec import SnapshotRule
from sentinel_core.units import RAO_PER_TAO, U16_MAX, to_u16


class Finding(NamedTuple):
    """One thing a snapshot rule found: ``tag`` ends the dedup key (a uid, or ``owner``),
    ``scope`` is the cooldown scope, ``fields`` the alert's template fields."""

    tag: str
    scope: Any
    fields: dict[str, Any]


def tao_text(value: float) -> str:
    """``τ1,200`` / ``τ12.50`` / ``τ0.0042``."""
    a = abs(value)
    if a >= 100:
        return f"τ{value:,.0f}"
    if a >= 1:
        return f"τ{value:,.2f}"
    return "τ0" if value == 0 else f"τ{value:.4g}"


def pct_text(rel: float | None) -> str:
    if rel is None:
        return "new stake"
    pct = rel * 100
    return f"{pct:+.0f}%" if abs(pct) >= 10 or pct == 0 else f"{pct:+.1f}%"


class Neuron(NamedTuple):
    """What snapshot rules look at of a neuron (raw on-chain values)."""

    uid: int
    hotkey: str
    coldkey: str
    stake_rao: int
    dividends_u16: int
    validator_permit: bool


def neurons(mg: Metagraph) -> list[Neuron]:
    """A snapshot's neurons, from its rows or, when it was read without building them
    (``build_rows=False``, ``read_snapshot_raw``), from its ``RAW_COLUMNS`` tuples."""
    if mg.rows:
        return [
            Neuron(r.uid, r.hotkey, r.coldkey, r.stake_rao, to_u16(r.dividends), bool(r.validator_permit))
            for r in mg.rows
        ]
    raw = mg._raw
    if not raw:
        return []
    return [Neuron(r[0], r[1], r[2] or "", r[3], r[8] or 0, bool(r[13])) for r in raw]


class SnapshotFinder:
    """A ``kind = "snapshot"`` rule, compiled: ``find(previous, current)`` -> findings."""

    def __init__(self, spec: SnapshotRule) -> None:
        self.spec = spec
        self.when = spec.when
        self.netuids = spec.all_netuids
        self.hotkeys = frozenset(spec.hotkeys) if spec.hotkeys else None
        self.top = spec.top
        self.min_change = spec.min_change
        self.min_rao = None if spec.min_tao is None else spec.min_tao * RAO_PER_TAO
        self.direction = spec.direction or "both"

    @property
    def needs_rows(self) -> bool:
        """False when the subnet rows (owner, existence) are all the rule looks at."""
        return self.when != "owner_change"

    def applies(self, netuid: int) -> bool:
        return self.netuids is None or netuid in self.netuids

    def find(self, previous: Metagraph | None, current: Metagraph) -> list[Finding]:
        if previous is None or previous.netuid != current.netuid or previous.block >= current.block:
            return []
        if not self.applies(current.netuid):
            return []
        if self.when == "owner_change":
            return self._owner(previous, current)
        if not (previous.exists and current.exists):
            return []
        before, now = neurons(previous), neurons(current)
        if self.when == "validator_deregistered":
            return self._deregistered(previous, current, before, {r.uid: r for r in now})
        now_by_uid = {r.uid: r for r in now}
        pairs = []
        watch = self.hotkeys
        for a in before:
            b = now_by_uid.get(a.uid)
            if b is not None and b.hotkey == a.hotkey and (watch is None or a.hotkey in watch):
                pairs.append((a, b))
        if self.when == "dividends_zero":
            return self._dividends(previous, current, pairs)
        return self._stake(previous, current, pairs)

    # -- the four kinds ------------------------------------------------------------------------------
    @staticmethod
    def _base(previous: Metagraph, current: Metagraph, when: str, change: str) -> dict[str, Any]:
        return {
            "when": when,
            "previous_block": previous.block,
            "change": change,
            "summary": f"subnet {current.netuid}: {change}",
        }

    def _owner(self, previous: Metagraph, current: Metagraph) -> list[Finding]:
        old, new = previous.owner_coldkey, current.owner_coldkey
        if not (previous.exists and current.exists) or old is None or new is None or old == new:
            return []
        fields = self._base(previous, current, "owner_change", f"owner {short(old)} -> {short(new)}")
        fields.update(
            old=old,
            new=new,
            coldkey=new,
            owner_hotkey=current.owner_hotkey,
            old_owner_hotkey=previous.owner_hotkey,
        )
        return [Finding("owner", current.netuid, fields)]

    def _deregistered(
        self, previous: Metagraph, current: Metagraph, before: list[Neuron], now: dict[int, Neuron]
    ) -> list[Finding]:
        validators = sorted((r for r in before if r.validator_permit), key=lambda r: (-r.stake_rao, r.uid))
        if self.top is not None:
            validators = validators[: self.top]
        out = []
        for rank, a in enumerate(validators, 1):
            b = now.get(a.uid)
            if b is not None and b.hotkey == a.hotkey:
                continue
            if self.hotkeys is not None and a.hotkey not in self.hotkeys:
                continue
            new_hotkey = None if b is None else b.hotkey
            then = f" (uid now {short(new_hotkey)})" if new_hotkey is not None else " (uid gone)"
            stake = a.stake_rao / RAO_PER_TAO
            change = (
                f"validator uid {a.uid} ({short(a.hotkey)}, #{rank} by stake, {tao_text(stake)}) "
                f"deregistered{then}"
            )
            fields = self._base(previous, current, "validator_deregistered", change)
            fields.update(
                uid=a.uid,
                hotkey=a.hotkey,
                coldkey=a.coldkey,
                new_hotkey=new_hotkey,
                old=a.hotkey,
                new=new_hotkey,
                stake_tao=stake,
                rank=rank,
                top=self.top,
            )
            out.append(Finding(str(a.uid), (current.netuid, a.uid), fields))
        return out

    def _dividends(
        self, previous: Metagraph, current: Metagraph, pairs: list[tuple[Neuron, Neuron]]
    ) -> list[Finding]:
        out = []
        for a, b in pairs:
            if a.dividends_u16 > 0 and b.dividends_u16 == 0:
                old = a.dividends_u16 / U16_MAX
                change = f"uid {a.uid} ({short(a.hotkey)}) dividends {old:.4g} -> 0"
                fields = self._base(previous, current, "dividends_zero", change)
                fields.update(
                    uid=a.uid,
                    hotkey=a.hotkey,
                    coldkey=b.coldkey,
                    old=old,
                    new=0.0,
                    stake_tao=b.stake_rao / RAO_PER_TAO,
                )
                out.append(Finding(str(a.uid), (current.netuid, a.uid), fields))
        return out

    def _stake(
        self, previous: Metagraph, current: Metagraph, pairs: list[tuple[Neuron, Neuron]]
    ) -> list[Finding]:
        out = []
        direction, min_rao, min_rel = self.direction, self.min_rao, self.min_change
        for a, b in pairs:
            delta = b.stake_rao - a.stake_rao
            if delta == 0 or (direction == "up" and delta < 0) or (direction == "down" and delta > 0):
                continue
            if min_rao is not None and abs(delta) < min_rao:
                continue
            rel = delta / a.stake_rao if a.stake_rao > 0 else None
            if min_rel is not None and rel is not None and abs(rel) < min_rel:
                continue
            old, new = a.stake_rao / RAO_PER_TAO, b.stake_rao / RAO_PER_TAO
            change = f"stake of uid {a.uid} ({short(a.hotkey)}) {tao_text(old)} -> {tao_text(new)} ({pct_text(rel)})"
            fields = self._base(previous, current, "stake_change", change)
            fields.update(
                uid=a.uid,
                hotkey=a.hotkey,
                coldkey=b.coldkey,
                old=old,
                new=new,
                old_stake_tao=old,
                new_stake_tao=new,
                stake_tao=new,
                delta_tao=delta / RAO_PER_TAO,
                rel_change=rel,
            )
            out.append(Finding(str(a.uid), (current.netuid, a.uid), fields))
        return out


__all__ = ["Finding", "Neuron", "SnapshotFinder", "neurons", "short", "tao_text", "pct_text"]
