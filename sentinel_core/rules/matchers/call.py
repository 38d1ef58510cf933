"""``kind = "call"``: an effective (unwrapped) call whose args meet the rule's conditions."""

from __future__ import annotations

from sentinel_core.model import Call, Extrinsic
from sentinel_core.rules.conditions import NameSet, compile_call_check, compile_where
from sentinel_core.rules.matchers.base import BlockCtx, Matcher
from sentinel_core.rules.messages import call_fields
from sentinel_core.rules.spec import CallRule


class CallMatcher(Matcher[CallRule]):
    kind = "call"

    def __init__(self, spec: CallRule) -> None:
        super().__init__(spec)
        self.pallets = NameSet(spec.pallet)
        self.calls = NameSet(spec.call)
        self.conds, self.netuids = compile_where(spec.where, spec.netuid, indexed=True)
        self.check = compile_call_check(self.conds)
        self.success_only = spec.success_only
        self.via_sudo = spec.via_sudo

    def applies(self, pallet: str, name: str) -> bool:
        return pallet in self.pallets and name in self.calls

    def applies_name(self, name: str) -> bool:
        return name in self.calls

    def on_call(self, ctx: BlockCtx, ex: Extrinsic, pos: int, call: Call) -> None:
        if self.success_only and not (ex.success and call.success):
            return
        if self.via_sudo is not None and call.via_sudo != self.via_sudo:
            return
        check = self.check
        if check is not None and not check(ex, call):
            return
        ctx.matched_ex.add(ex.index)
        fields = call_fields(ex, pos, call)
        number = ctx.block.number
        self.emit(
            ctx,
            block=number,
            fields=fields,
            key=f"{self.name}:{number}:{ex.index}:{pos}",
            extrinsic_index=ex.index,
            netuid=fields["netuid"],
            extra=call.args if isinstance(call.args, dict) else None,
        )
