"""``kind = "stall"``: no new block for ``after_seconds``. The engine's :meth:`check_stall` asks every
stall rule once per watchdog tick; each fires once per stall episode (identified by the last block
seen) and re-arms when a new block arrives."""

from __future__ import annotations

from sentinel_core.rules.matchers.base import BlockCtx, Matcher
from sentinel_core.rules.spec import StallRule


class StallMatcher(Matcher[StallRule]):
    kind = "stall"

    def __init__(self, spec: StallRule) -> None:
        super().__init__(spec)
        self.after = spec.after_seconds

    def fire(self, ctx: BlockCtx, seconds: float, last_block: int | None, last_block_at: float) -> None:
        """Raise the stall alert: no block for ``seconds`` since ``last_block`` (at ``last_block_at``)."""
        number = ctx.number
        fields = {
            "seconds": seconds,
            "last_block": last_block,
            "last_block_at": last_block_at,
            "after_seconds": self.after,
            "summary": f"no new block for {seconds:.0f}s (last block {last_block})",
        }
        self.emit(ctx, block=number, fields=fields, key=f"{self.name}:{number}")
