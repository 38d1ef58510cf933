"""``kind = "anomaly"``: a per-block metric against its own rolling baseline (z-score or percentile).

Metrics: ``block_time`` (seconds since the parent block), ``extrinsic_count`` (signed extrinsics),
``failure_ratio`` (failed / signed) and ``stake_flow`` (net TAO staked per subnet, one baseline per
subnet). :func:`observe_block` measures them once per block for every anomaly rule; the stake flow
comes from the block's ``StakeAdded`` / ``StakeRemoved`` events, collected by :class:`StakeFlowTap`
during the engine's pass over the events, or from the stake calls when the block has no such events.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from typing import Any

from sentinel_core.model import Block, Event
from sentinel_core.rules.baseline import RollingBaseline
from sentinel_core.rules.matchers.base import BlockCtx, Matcher
from sentinel_core.rules.spec import AnomalyRule
from sentinel_core.rules.values import netuid_of, num
from sentinel_core.units import block_time

COUNT_METRICS = frozenset({"extrinsic_count", "failure_ratio"})
"""Metrics that need the block's signed / failed extrinsics counted (``BlockCtx.counts``)."""


class AnomalyMatcher(Matcher[AnomalyRule]):
    kind = "anomaly"

    def __init__(self, spec: AnomalyRule) -> None:
        super().__init__(spec)
        self.metric = spec.metric
        self.method = spec.method
        self.zscore = spec.method == "zscore"
        self.threshold = spec.effective_threshold
        self.direction = spec.direction
        self.size = spec.baseline_blocks
        self.min_samples = spec.min_samples
        self.netuids = frozenset(spec.netuids) if spec.netuids else None
        self.baselines: dict[Hashable, RollingBaseline] = {}

    def observe(self, ctx: BlockCtx, group: int | None, x: float) -> None:
        b = self.baselines.get(group)
        if b is None:
            b = self.baselines[group] = RollingBaseline(self.size, keep_sorted=self.method == "percentile")
        anomalous = False
        z = baseline = None
        if len(b.samples) >= self.min_samples:
            if self.zscore:
                z = b.zscore(x)
                if z is not None:
                    t = self.threshold
                    d = self.direction
                    anomalous = abs(z) > t if d == "both" else z > t if d == "up" else z < -t
            else:
                hi = b.percentile(self.threshold)
                lo = b.percentile(100.0 - self.threshold)
                up = hi is not None and x > hi
                down = lo is not None and x < lo
                anomalous = (
                    (up or down) if self.direction == "both" else up if self.direction == "up" else down
                )
                baseline = hi if (up or self.direction == "up") else lo
        if anomalous:
            if b.armed:
                b.armed = False
                self._fire(ctx, group, x, b, z, b.mean if z is not None else baseline)
        else:
            b.armed = True
        b.add(x)

    def _fire(
        self,
        ctx: BlockCtx,
        group: int | None,
        x: float,
        b: RollingBaseline,
        z: float | None,
        baseline: float | None,
    ) -> None:
        number = ctx.block.number
        where = f" on subnet {group}" if group is not None else ""
        if self.method == "zscore":
            zt = "∞" if z is not None and math.isinf(z) else f"{z:+.1f}"
            detail = f"z {zt} vs mean {b.mean:.4g} ± {b.std:.3g} over {len(b)} blocks"
        else:
            detail = f"beyond p{self.threshold:g} ({baseline:.4g}) of the last {len(b)} blocks"
        fields = {
            "metric": self.metric,
            "method": self.method,
            "value": x,
            "mean": b.mean,
            "std": b.std,
            "zscore": None if z is None or math.isinf(z) else z,
            "baseline": baseline,
            "samples": len(b),
            "threshold": self.threshold,
            "group": group,
            "direction": self.direction,
            "summary": f"{self.metric}{where} {x:.4g}: {detail}",
        }
        gkey = "-" if group is None else group
        self.emit(
            ctx,
            block=number,
            fields=fields,
            key=f"{self.name}:{number}:{gkey}",
            netuid=group if isinstance(group, int) else None,
            scope=group,
        )


# -- stake flow ----------------------------------------------------------------------------------

_STAKE_EVENTS = {"StakeAdded": 1, "StakeRemoved": -1}
_STAKE_CALLS = {
    "add_stake": ("amount_staked", 1),
    "add_stake_limit": ("amount_staked", 1),
    "remove_stake": ("amount_unstaked", -1),
    "remove_stake_limit": ("amount_unstaked", -1),
}


class StakeFlowTap:
    """Collects net TAO staked (+) / unstaked (-) per subnet from ``StakeAdded`` / ``StakeRemoved``
    events during the engine's single pass over a block's events (TAO amount and netuid, positional
    ``[coldkey, hotkey, tao, alpha, netuid, ...]`` or named fields)."""

    netuids: frozenset[int] | None = None
    pallets = frozenset({"SubtensorModule"})

    def __init__(self) -> None:
        self.flow: dict[int, float] = {}
        self.found = False

    def reset(self) -> None:
        self.flow = {}
        self.found = False

    @staticmethod
    def applies(pallet: str, name: str) -> bool:
        return pallet == "SubtensorModule" and name in _STAKE_EVENTS

    @staticmethod
    def applies_name(name: str) -> bool:
        return name in _STAKE_EVENTS

    def on_event(self, ctx: BlockCtx, ev: Event) -> None:
        a = ev.attributes
        ta = type(a)
        if (ta is list or ta is tuple) and len(a) >= 5:
            amount, netuid = a[2], a[4]
        elif ta is dict:
            amount = a.get("tao_amount", a.get("amount"))
            netuid = a.get("netuid")
        else:
            return
        if type(amount) is not int:
            amount = num(amount)
        if amount is None or type(netuid) is not int:
            return
        self.found = True
        self.flow[netuid] = self.flow.get(netuid, 0) + _STAKE_EVENTS[ev.name] * amount


def stake_flow_from_calls(block: Block) -> dict[int, float]:
    """Net stake flow per subnet from successful add/remove_stake calls (blocks without events)."""
    flow: dict[int, float] = {}
    for ex, call in block.iter_calls():
        spec = _STAKE_CALLS.get(call.name)
        if spec is None or call.pallet != "SubtensorModule" or not (ex.success and call.success):
            continue
        amount = num(call.args.get(spec[0])) if isinstance(call.args, dict) else None
        netuid = netuid_of(call.args)
        if amount is None or netuid is None:
            continue
        flow[netuid] = flow.get(netuid, 0) + spec[1] * amount
    return flow


# -- one block -----------------------------------------------------------------------------------


def observe_block(
    rules: Sequence[AnomalyMatcher],
    ctx: BlockCtx,
    previous: tuple[int, int] | None,
    tap: StakeFlowTap | None,
) -> None:
    """Feed ``ctx.block``'s metrics to the anomaly ``rules`` (each measured once). ``previous``: the
    number and timestamp of the last block seen with a timestamp; ``tap``: the stake flow collected
    from the block's events (None when no rule watches stake_flow)."""
    block = ctx.block
    metrics: dict[str, Any] = {}
    for r in rules:
        m = r.metric
        if m not in metrics:
            if m == "block_time":
                metrics[m] = (
                    block_time(previous[1], block.timestamp)
                    if previous and previous[0] == block.number - 1
                    else None
                )
            elif m == "extrinsic_count" or m == "failure_ratio":
                signed, failed = ctx.counts
                metrics["extrinsic_count"] = float(signed)
                metrics["failure_ratio"] = failed / signed if signed else None
            elif m == "stake_flow":
                metrics[m] = tap.flow if tap is not None and tap.found else stake_flow_from_calls(block)
        value = metrics[m]
        if value is None:
            continue
        if m == "stake_flow":
            nets = r.netuids
            for netuid, flow in value.items():
                if nets is None or netuid in nets:
                    r.observe(ctx, netuid, float(flow))
        else:
            r.observe(ctx, None, float(value))


__all__ = ["COUNT_METRICS", "AnomalyMatcher", "StakeFlowTap", "observe_block", "stake_flow_from_calls"]
