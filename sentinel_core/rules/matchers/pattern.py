"""``kind = "pattern"``: a count or a sum over a sliding window of blocks, per group, of the calls,
events or failed extrinsics that match; fires when it exceeds the threshold (once per episode, see
:mod:`sentinel_core.rules.windows`), optionally only for matches involving a watchlisted address."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, Literal, TypeVar

from sentinel_core.model import Call, Event, Extrinsic
from sentinel_core.rules.conditions import NameSet, compile_call_check, compile_event_check, compile_where
from sentinel_core.rules.matchers.base import BlockCtx, Matcher
from sentinel_core.rules.messages import call_fields, event_fields, short
from sentinel_core.rules.spec import MatchSpec, PatternRule
from sentinel_core.rules.values import MISSING, FieldPath, field_path, from_call, from_event, hashable, num
from sentinel_core.rules.windows import SlidingWindow
from sentinel_core.units import RAO_PER_TAO

Source = (
    tuple[Literal["call"], Extrinsic, int, Call, str] | tuple[Literal["event"], Extrinsic | None, Event, str]
)
"""The match that was counted last, made into alert fields when the window fires:
``("call", ex, pos, call, address)`` or ``("event", ex, ev, address)`` (address: the watchlisted one)."""

_A = TypeVar("_A")
_B = TypeVar("_B")
Get = Callable[[_A, _B, FieldPath], Any]

_LAST_FIELDS = (
    "address",
    "pallet",
    "qualname",
    "signer",
    "extrinsic_hash",
    "args",
    "attributes",
    "call",
    "event",
    "error",
)
"""Fields of the last match an alert carries."""


class PatternMatcher(Matcher[PatternRule]):
    kind = "pattern"

    def __init__(self, spec: PatternRule) -> None:
        super().__init__(spec)
        self.metric = spec.metric
        m = spec.match or MatchSpec.model_validate({})
        self.pallets = NameSet(m.pallet)
        self.calls = NameSet(m.call) if m.call is not None else None
        self.events = NameSet(m.event) if m.event is not None else None
        self.errors = NameSet(m.error) if m.error is not None else None
        # failed_extrinsics is not served by the (pallet, name, netuid) index: keep netuid a condition
        self.conds, self.netuids = compile_where(
            m.where, m.netuid, indexed=spec.metric != "failed_extrinsics"
        )
        self.call_check = compile_call_check(self.conds) if spec.metric != "events" else None
        self.event_check = compile_event_check(self.conds) if spec.metric == "events" else None
        self.success_only = m.success_only
        self.via_sudo = m.via_sudo
        self.sum_path = field_path(spec.sum_field)
        self.group_path = field_path(spec.group_by)
        self.watch = frozenset(spec.watchlist) if spec.watchlist else None
        self.watch_paths = [p for p in map(field_path, spec.watch_fields) if p is not None]
        self.window = SlidingWindow(spec.window, spec.threshold)

    # -- name filters
    def applies(self, pallet: str, name: str) -> bool:
        return pallet in self.pallets and self.applies_name(name)

    def applies_name(self, name: str) -> bool:
        names = self.calls if self.metric == "calls" else self.events
        return names is not None and name in names

    def _call_ok(self, ex: Extrinsic, call: Call) -> bool:
        if self.via_sudo is not None and call.via_sudo != self.via_sudo:
            return False
        return self.call_check is None or self.call_check(ex, call)

    def _watched(self, get: Get[_A, _B], a: _A, b: _B, signer: str | None, data: Any) -> str | None:
        """The watchlisted address this match involves; "" without a watchlist; None: no match."""
        watch = self.watch
        if watch is None:
            return ""
        if self.watch_paths:
            for path in self.watch_paths:
                v = get(a, b, path)
                if isinstance(v, str) and v in watch:
                    return v
            return None
        if signer in watch:
            return signer
        values = data.values() if isinstance(data, dict) else data if isinstance(data, (list, tuple)) else ()
        for v in values:
            if isinstance(v, str) and v in watch:
                return v
        return None

    def _add(self, ctx: BlockCtx, get: Get[_A, _B], a: _A, b: _B, src: Source, data: Any) -> None:
        """Count (or sum) one match. ``data`` is the call's args / event's attributes (read directly
        for plain names), ``get(a, b, path)`` the general accessor."""
        plain = type(data) is dict
        sp = self.sum_path
        value: Any
        if sp is None:
            value = 1
        else:
            value = data.get(sp[0], MISSING) if plain and not sp[1] else MISSING
            if value is MISSING:
                value = get(a, b, sp)
            tv = type(value)
            if tv is not int and tv is not float:
                value = None if value is MISSING else num(value)
                if value is None:
                    return
        gp = self.group_path
        group: Any
        if gp is None:
            group = None
        else:
            group = data.get(gp[0], MISSING) if plain and not gp[1] else MISSING
            if group is MISSING:
                group = get(a, b, gp)
            tg = type(group)
            if tg is not int and tg is not str:
                if group is MISSING:
                    return
                group = hashable(group)
        hit = self.window.add(ctx.number, group, value)
        if hit is not None:
            self._fire(ctx, group, hit[0], hit[1], hit[2], src)

    def on_call(self, ctx: BlockCtx, ex: Extrinsic, pos: int, call: Call) -> None:
        if not ctx.stateful:
            return
        if self.success_only and not (ex.success and call.success):
            return
        if self.via_sudo is not None and call.via_sudo != self.via_sudo:
            return
        check = self.call_check
        if check is not None and not check(ex, call):
            return
        if self.watch is None:
            addr = ""
        else:
            found = self._watched(from_call, ex, call, ex.signer, call.args)
            if found is None:
                return
            addr = found
        self._add(ctx, from_call, ex, call, ("call", ex, pos, call, addr), call.args)

    def on_event(self, ctx: BlockCtx, ev: Event) -> None:
        if not ctx.stateful:
            return
        i = ev.extrinsic_index
        exs = ctx.block.extrinsics
        ex = exs[i] if i is not None and 0 <= i < len(exs) and exs[i].index == i else ctx.extrinsic(i)
        check = self.event_check
        if check is not None and not check(ex, ev):
            return
        if self.watch is None:
            addr = ""
        else:
            found = self._watched(from_event, ex, ev, ex.signer if ex is not None else None, ev.attributes)
            if found is None:
                return
            addr = found
        self._add(ctx, from_event, ex, ev, ("event", ex, ev, addr), ev.attributes)

    def on_failed(self, ctx: BlockCtx, ex: Extrinsic) -> None:
        if self.errors is not None and (ex.error is None or ex.error not in self.errors):
            return
        calls = ex.calls or [Call(pallet=ex.pallet, name=ex.call, args=ex.args, success=False)]
        first = next(
            (
                (pos, call)
                for pos, call in enumerate(calls)
                if call.pallet in self.pallets
                and (self.calls is None or call.name in self.calls)
                and self._call_ok(ex, call)
            ),
            None,
        )
        if first is None:
            return
        pos, call = first
        if self.watch is None:
            addr = ""
        else:
            found = self._watched(from_call, ex, call, ex.signer, call.args)
            if found is None:
                return
            addr = found
        self._add(ctx, from_call, ex, call, ("call", ex, pos, call, addr), call.args)

    @staticmethod
    def _source_fields(src: Source) -> dict[str, Any]:
        if src[0] == "call":
            _, ex, pos, call, addr = src
            fields = call_fields(ex, pos, call)
        else:
            _, exe, ev, addr = src
            fields = event_fields(exe, ev)
        if addr:
            fields["address"] = addr
        return fields

    def _fire(
        self, ctx: BlockCtx, group: Hashable, total: float, count: int, first: int, src: Source
    ) -> None:
        number = ctx.block.number
        spec = self.spec
        last = self._source_fields(src)
        value = int(total) if float(total).is_integer() else total
        what = {"failed_extrinsics": "failed extrinsics"}.get(self.metric) or (
            last.get("qualname") or self.metric
        )
        amount = f"{spec.sum_field} total {value}" if spec.sum_field else f"{count} {what}"
        if spec.sum_field and "amount" in spec.sum_field:
            amount += f" (τ{value / RAO_PER_TAO:,.3f})"
        where = f" for {spec.group_by} {group}" if spec.group_by else ""
        fields = {
            "metric": self.metric,
            "value": value,
            "value_tao": value / RAO_PER_TAO,
            "threshold": spec.threshold,
            "window": spec.window,
            "count": count,
            "group": group,
            "group_by": spec.group_by,
            "first_block": first,
            "summary": f"{amount} in {spec.window} blocks{where} (threshold {spec.threshold:g})",
        }
        for k in _LAST_FIELDS:
            if k in last:
                fields[k] = last[k]
        if spec.watchlist and "address" in last:
            fields["summary"] = f"{last.get('summary', what)} (watchlist: {short(last['address'])})"
        extra = {spec.group_by: group} if spec.group_by else None
        netuid = group if spec.group_by == "netuid" and isinstance(group, int) else None
        gkey = "-" if group is None else group
        self.emit(
            ctx,
            block=number,
            fields=fields,
            key=f"{self.name}:{number}:{gkey}",
            netuid=netuid,
            scope=group,
            extra=extra,
        )
