"""``kind = "sudo_catchall"``: a call made through Sudo (or a Sudo.* extrinsic) that no other rule
matched in its extrinsic; one alert per extrinsic. The engine collects the candidates during its pass
over the calls and hands them over at the end of the block (:meth:`SudoCatchallMatcher.finish`)."""

from __future__ import annotations

from fnmatch import fnmatchcase

from sentinel_core.model import Call
from sentinel_core.rules.matchers.base import BlockCtx, Matcher
from sentinel_core.rules.messages import call_fields
from sentinel_core.rules.spec import SudoCatchallRule
from sentinel_core.rules.values import netuid_of

SudoCandidates = dict[int, list[tuple[int, Call]]]
"""Extrinsic index -> the ``(position, call)`` of its calls made through Sudo."""


class SudoCatchallMatcher(Matcher[SudoCatchallRule]):
    kind = "sudo_catchall"

    def __init__(self, spec: SudoCatchallRule) -> None:
        super().__init__(spec)
        self.success_only = spec.success_only
        self.ignore = tuple(spec.ignore)

    def ignored(self, qualname: str) -> bool:
        return any(fnmatchcase(qualname, p) for p in self.ignore)

    def finish(self, ctx: BlockCtx, candidates: SudoCandidates) -> None:
        number = ctx.block.number
        for ex_index, calls in candidates.items():
            if ex_index in ctx.matched_ex:
                continue
            ex = ctx.extrinsic(ex_index)
            if ex is None:
                continue
            if self.success_only and not ex.success:
                continue
            picked = [
                (pos, c)
                for pos, c in calls
                if (not self.success_only or c.success)
                and (c.qualname, netuid_of(c.args)) not in ctx.matched_setters
                and not self.ignored(c.qualname)
            ]
            if not picked:
                continue
            pos, first = picked[0]
            fields = call_fields(ex, pos, first)
            fields["calls"] = [c.qualname for _, c in picked]
            fields["count"] = len(picked)
            if len(picked) > 1:
                fields["summary"] += f" (+{len(picked) - 1} more)"
            self.emit(
                ctx,
                block=number,
                fields=fields,
                key=f"{self.name}:{number}:{ex_index}",
                extrinsic_index=ex_index,
                netuid=fields["netuid"],
            )
