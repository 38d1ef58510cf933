"""``kind = "event"``: an event whose attributes meet the rule's conditions."""

from __future__ import annotations

from sentinel_core.model import Event
from sentinel_core.rules.conditions import NameSet, compile_event_check, compile_where
from sentinel_core.rules.matchers.base import BlockCtx, Matcher
from sentinel_core.rules.messages import event_fields
from sentinel_core.rules.spec import EventRule


class EventMatcher(Matcher[EventRule]):
    kind = "event"

    def __init__(self, spec: EventRule) -> None:
        super().__init__(spec)
        self.pallets = NameSet(spec.pallet)
        self.events = NameSet(spec.event)
        self.conds, self.netuids = compile_where(spec.where, spec.netuid, indexed=True)
        self.check = compile_event_check(self.conds)
        self.needs_ex = any(c.head in ("signer", "extrinsic_hash") for c in self.conds)

    def applies(self, pallet: str, name: str) -> bool:
        return pallet in self.pallets and name in self.events

    def applies_name(self, name: str) -> bool:
        return name in self.events

    def on_event(self, ctx: BlockCtx, ev: Event) -> None:
        ex = ctx.extrinsic(ev.extrinsic_index) if self.needs_ex else None
        check = self.check
        if check is not None and not check(ex, ev):
            return
        if ex is None:
            ex = ctx.extrinsic(ev.extrinsic_index)
        if ev.extrinsic_index is not None:
            ctx.matched_ex.add(ev.extrinsic_index)
        fields = event_fields(ex, ev)
        number = ctx.block.number
        self.emit(
            ctx,
            block=number,
            fields=fields,
            key=f"{self.name}:{number}:ev{ev.index}",
            extrinsic_index=ev.extrinsic_index,
            netuid=fields["netuid"],
            extra=ev.attributes if isinstance(ev.attributes, dict) else None,
        )
