"""``kind = "snapshot"``: a change between two consecutive metagraph snapshots of a subnet. The rule
never sees blocks: :meth:`RuleEngine.evaluate_snapshot` feeds it pairs of snapshots, and what changed is
found by :class:`~sentinel_core.rules.snapshot_rules.SnapshotFinder` (metagraph code, imported only
when a snapshot rule exists)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sentinel_core.rules.matchers.base import BlockCtx, Matcher
from sentinel_core.rules.spec import SnapshotRule

if TYPE_CHECKING:
    from sentinel_core.metagraph import Metagraph


class SnapshotMatcher(Matcher[SnapshotRule]):
    kind = "snapshot"

    def __init__(self, spec: SnapshotRule) -> None:
        super().__init__(spec)
        from sentinel_core.rules.snapshot_rules import SnapshotFinder  # metagraph code: only when used

        self.finder = SnapshotFinder(spec)

    @property
    def needs_rows(self) -> bool:
        """Whether the rule looks at neurons (else the subnet rows of snapshots suffice)."""
        return self.finder.needs_rows

    def on_snapshot(self, ctx: BlockCtx, previous: Metagraph, current: Metagraph) -> None:
        number, netuid = current.block, current.netuid
        for f in self.finder.find(previous, current):
            self.emit(
                ctx,
                block=number,
                fields=f.fields,
                key=f"{self.name}:{netuid}:{number}:{f.tag}",
                netuid=netuid,
                scope=f.scope,
            )
