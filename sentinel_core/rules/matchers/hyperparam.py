"""``kind = "hyperparam"``: a subnet hyperparameter change (old -> new), with optional thresholds on
how much it moved (in the parameter's displayed unit, see :mod:`sentinel_core.hyperparams`)."""

from __future__ import annotations

import math

from sentinel_core import hyperparams
from sentinel_core.model import HyperparamChange
from sentinel_core.rules.conditions import NameSet
from sentinel_core.rules.matchers.base import BlockCtx, Matcher
from sentinel_core.rules.messages import short
from sentinel_core.rules.spec import HyperparamRule
from sentinel_core.rules.values import num


class HyperparamMatcher(Matcher[HyperparamRule]):
    kind = "hyperparam"

    def __init__(self, spec: HyperparamRule) -> None:
        super().__init__(spec)
        self.names = NameSet(spec.names) if spec.names else None
        nets = set(spec.netuids) | set(spec.netuid or [])
        self.netuids = frozenset(nets) if nets else None
        self.min_abs = spec.min_abs_change
        self.min_rel = spec.min_rel_change
        self.via_sudo = spec.via_sudo

    def _changes(self, ch: HyperparamChange) -> tuple[bool, float | None, float | None]:
        """Whether the change passes the thresholds, its absolute and its relative size."""
        try:
            old, new = hyperparams.normalize(ch.name, ch.old), hyperparams.normalize(ch.name, ch.new)
        except Exception:
            old, new = ch.old, ch.new
        o, n = num(old), num(new)
        abs_change = rel = None
        if o is not None and n is not None:
            try:
                abs_change = abs(float(n) - float(o))
                rel = abs_change / abs(float(o)) if o != 0 else (math.inf if abs_change else 0.0)
            except (OverflowError, ValueError):
                abs_change = rel = None
        ok = True
        if self.min_abs is not None and abs_change is not None and abs_change < self.min_abs:
            ok = False
        if self.min_rel is not None and rel is not None and rel < self.min_rel:
            ok = False
        return ok, abs_change, rel

    def on_change(self, ctx: BlockCtx, ch: HyperparamChange) -> None:
        if self.names is not None and ch.name not in self.names:
            return
        if self.netuids is not None and ch.netuid not in self.netuids:
            return
        if self.via_sudo is not None and bool(ch.via_sudo) != self.via_sudo:
            return
        ok, abs_change, rel = self._changes(ch)
        if not ok:
            return
        if ch.extrinsic_index is not None:
            ctx.matched_ex.add(ch.extrinsic_index)
        if ch.call:
            ctx.matched_setters.add((ch.call, ch.netuid))
        try:
            change: str | None = hyperparams.format_change(ch.name, ch.old, ch.new)
        except Exception:
            change = None
        if change is None:
            change = f"{ch.name} {ch.old} -> {ch.new}"
        ex = ctx.extrinsic(ch.extrinsic_index)
        by = f" by {short(ch.signer)}" if ch.signer else ""
        fields = {
            "name": ch.name,
            "old": ch.old,
            "new": ch.new,
            "change": change,
            "signer": ch.signer,
            "call": ch.call,
            "via_sudo": ch.via_sudo,
            "known": ch.known,
            "abs_change": abs_change,
            "rel_change": None if rel is None or math.isinf(rel) else rel,
            "extrinsic_hash": ex.hash if ex is not None else None,
            "summary": f"subnet {ch.netuid}: {change}{' via sudo' if ch.via_sudo else ''}{by}",
        }
        number = ctx.block.number
        tag = "s" if ch.extrinsic_index is None else ch.extrinsic_index
        self.emit(
            ctx,
            block=number,
            fields=fields,
            key=f"{self.name}:{number}:{ch.netuid}:{ch.name}:{tag}",
            extrinsic_index=ch.extrinsic_index,
            netuid=ch.netuid,
        )
