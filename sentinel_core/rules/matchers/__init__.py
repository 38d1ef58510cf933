"""Matchers: the compiled form of each rule kind, one module per kind, registered in :data:`MATCHERS`.

A matcher holds a rule's spec and whatever state the kind needs (windows, baselines, cooldowns) and
turns what the engine hands it into alerts: calls (``call``, ``pattern`` on calls), events (``event``,
``pattern`` on events), failed extrinsics (``pattern``), the Sudo calls no rule matched
(``sudo_catchall``), hyperparameter changes (``hyperparam``), per-block metrics (``anomaly``), the
stall watchdog (``stall``) and pairs of metagraph snapshots (``snapshot``). Which matchers see which
call or event is the engine's index (:mod:`sentinel_core.rules.engine`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from sentinel_core.rules.matchers.anomaly import AnomalyMatcher
from sentinel_core.rules.matchers.base import BlockCtx, Matcher
from sentinel_core.rules.matchers.call import CallMatcher
from sentinel_core.rules.matchers.event import EventMatcher
from sentinel_core.rules.matchers.hyperparam import HyperparamMatcher
from sentinel_core.rules.matchers.pattern import PatternMatcher
from sentinel_core.rules.matchers.snapshot import SnapshotMatcher
from sentinel_core.rules.matchers.stall import StallMatcher
from sentinel_core.rules.matchers.sudo_catchall import SudoCatchallMatcher
from sentinel_core.rules.spec import KINDS, AnyRule

AnyMatcher = (
    CallMatcher
    | EventMatcher
    | SudoCatchallMatcher
    | HyperparamMatcher
    | PatternMatcher
    | AnomalyMatcher
    | StallMatcher
    | SnapshotMatcher
)

MATCHERS: dict[str, type[AnyMatcher]] = {
    m.kind: m
    for m in (
        CallMatcher,
        EventMatcher,
        SudoCatchallMatcher,
        HyperparamMatcher,
        PatternMatcher,
        AnomalyMatcher,
        StallMatcher,
        SnapshotMatcher,
    )
}
"""Rule kind -> the matcher class that compiles it (every kind of ``spec.KINDS``)."""

assert set(MATCHERS) == set(KINDS), "every rule kind needs a matcher"


def compile_rule(spec: AnyRule) -> AnyMatcher:
    """The matcher of one rule."""
    # The table pairs each kind with the matcher of that kind's spec type (checked above).
    build = cast("Callable[[AnyRule], AnyMatcher]", MATCHERS[spec.kind])
    return build(spec)


__all__ = [
    "MATCHERS",
    "AnomalyMatcher",
    "AnyMatcher",
    "BlockCtx",
    "CallMatcher",
    "EventMatcher",
    "HyperparamMatcher",
    "Matcher",
    "PatternMatcher",
    "SnapshotMatcher",
    "StallMatcher",
    "SudoCatchallMatcher",
    "compile_rule",
]
