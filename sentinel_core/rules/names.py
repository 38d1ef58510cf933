"""Name checking for rules: the call, event and hyperparameter names a rule names, against the runtimes
the rule will run on, so that a misspelt name is found before it silently never fires.

A rule's pallet names are checked when it is parsed (``spec.py``, against finney's pallets); call and
event names depend on the runtime, so they are checked here, against :class:`RuntimeNames`: the
network's runtime when it can be read (:func:`names_from_metadata`), else the runtimes the project
ships (:func:`known_runtimes`: the devnet's base runtime and the newer one it switches to at
``--upgrade-at``; their names need no node). Hyperparameter names are checked against the runtimes'
``AdminUtils.sudo_set_*`` setters and :mod:`sentinel_core.hyperparams`' table. Every problem comes with
a "did you mean" (difflib) and, for a name that only another runtime has, that runtime's spec version.

Netuids are checked where the rule is parsed (``spec.py``: 0..65535), so the app refuses them too.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any

Loc = tuple[str | int, ...]
"""Where in sentinel.toml a problem is, as the config's locator spells it: ``("rules", 3, "call", 0)``."""

SETTER_PREFIX = "sudo_set_"


@dataclass(frozen=True)
class RuntimeNames:
    """The call and event names of one runtime, per pallet."""

    spec_version: int
    label: str
    """Where it comes from, for messages: ``"devnet base"``, ``"ws://... at #2,000"``."""
    calls: dict[str, frozenset[str]] = field(default_factory=dict)
    events: dict[str, frozenset[str]] = field(default_factory=dict)

    def names(self, what: str) -> dict[str, frozenset[str]]:
        return self.calls if what == "call" else self.events

    @property
    def title(self) -> str:
        return f"spec {self.spec_version} ({self.label})"


@dataclass(frozen=True)
class NameProblem:
    loc: Loc
    message: str
    note: bool = False
    """Not an error: the name is real, but only another known runtime has it (the rule matches it only
    on a chain running that runtime, e.g. a backfill over history)."""


def known_runtimes() -> list[RuntimeNames]:
    """The runtimes the project ships, oldest first: the devnet's base runtime (finney's recorded
    metadata) and the one it switches to at ``--upgrade-at``."""
    from sentinel_core.devnet import pallets as finney
    from sentinel_core.devnet import upgrade
    from sentinel_core.devnet.metadata import RuntimeSpec

    base = RuntimeSpec()
    out = []
    for spec, label in ((base, "devnet base"), (upgrade.TODAY, "devnet --upgrade-at")):
        pallets = spec.pallets if spec is not base else finney.PALLETS
        out.append(
            RuntimeNames(
                spec.spec_version,
                label,
                calls={p.name: frozenset(v.name for v in p.calls or ()) for p in pallets},
                events={p.name: frozenset(v.name for v in p.events or ()) for p in pallets},
            )
        )
    return out


def names_from_metadata(metadata: Any, spec_version: int, label: str) -> RuntimeNames:
    """The names of a runtime read from a node (the library's decoded metadata object)."""
    calls: dict[str, frozenset[str]] = {}
    events: dict[str, frozenset[str]] = {}
    for pallet in metadata.pallets:
        calls[pallet.name] = frozenset(c.name for c in (getattr(pallet, "calls", None) or []))
        events[pallet.name] = frozenset(e.name for e in (getattr(pallet, "events", None) or []))
    return RuntimeNames(spec_version, label, calls=calls, events=events)


def hyperparameter_names(runtimes: Iterable[RuntimeNames]) -> dict[str, set[int]]:
    """Hyperparameter names -> the spec versions whose ``AdminUtils`` has a setter for it (an empty
    set: known to :mod:`sentinel_core.hyperparams` without a setter in these runtimes)."""
    from sentinel_core import hyperparams as hp

    out: dict[str, set[int]] = {name: set() for name in hp.TABLE}
    for rt in runtimes:
        for call in rt.calls.get("AdminUtils", ()):
            specs = hp.by_setter(call)
            names = [s.name for s in specs] or (
                [call.removeprefix(SETTER_PREFIX)] if call.startswith(SETTER_PREFIX) else []
            )
            for name in names:
                out.setdefault(name, set()).add(rt.spec_version)
    return out


def check_rule_names(
    rules: Sequence[Any], targets: Sequence[RuntimeNames], others: Sequence[RuntimeNames] = ()
) -> list[NameProblem]:
    """Problems with the names ``rules`` use: names none of ``targets`` (the runtimes the rules will
    run on) declares. A name that only a runtime of ``others`` declares says which one."""
    problems: list[NameProblem] = []
    hp_names = hyperparameter_names([*targets, *others])
    target_specs = {rt.spec_version for rt in targets}
    for i, rule in enumerate(rules):
        kind = getattr(rule, "kind", None)
        if kind == "call":
            problems += _check_items(("rules", i), rule.pallet, rule.call, "call", targets, others)
        elif kind == "event":
            problems += _check_items(("rules", i), rule.pallet, rule.event, "event", targets, others)
        elif kind == "pattern" and rule.match is not None:
            m = rule.match
            for what in ("call", "event"):
                patterns = getattr(m, what)
                if patterns:
                    problems += _check_items(("rules", i, "match"), m.pallet, patterns, what, targets, others)
        elif kind == "hyperparam":
            problems += _check_hyperparams(("rules", i, "names"), rule.names, hp_names, target_specs)
    return problems


def _pallets_matching(patterns: Sequence[str], rt: RuntimeNames, what: str) -> list[str]:
    return [p for p in rt.names(what) if any(fnmatchcase(p, pat) for pat in patterns)]


def _has(rt: RuntimeNames, pallet_patterns: Sequence[str], what: str, pattern: str) -> bool:
    table = rt.names(what)
    return any(
        fnmatchcase(name, pattern) for p in _pallets_matching(pallet_patterns, rt, what) for name in table[p]
    )


def _check_items(
    loc: Loc,
    pallet_patterns: Sequence[str],
    patterns: Sequence[str],
    what: str,
    targets: Sequence[RuntimeNames],
    others: Sequence[RuntimeNames],
) -> list[NameProblem]:
    out = []
    for j, pattern in enumerate(patterns):
        where = loc + (what, j) if len(patterns) > 1 else loc + (what,)
        if any(_has(rt, pallet_patterns, what, pattern) for rt in targets):
            continue
        pallets = " or ".join(pallet_patterns)
        wild = any(c in pattern for c in "*?[")
        noun = f"{what} pattern" if wild else what
        article = "an" if what == "event" else "a"
        text = (
            f'{noun} "{pattern}" {"matches no" if wild else "is not " + article} {what} of {pallets} '
            f"in {_titles(targets)}"
        )
        elsewhere = [rt for rt in others if _has(rt, pallet_patterns, what, pattern)]
        if elsewhere:
            text += f"; only {_titles(elsewhere)} has it (the rule matches it on that runtime only)"
            out.append(NameProblem(where, text, note=True))
            continue
        else:
            other_pallets = sorted(
                {
                    p
                    for rt in [*targets, *others]
                    for p, names in rt.names(what).items()
                    if any(fnmatchcase(n, pattern) for n in names)
                }
            )
            if other_pallets:
                text += f"; it is {article} {what} of {', '.join(other_pallets)}"
            elif not wild:
                candidates = sorted(
                    {
                        n
                        for rt in targets
                        for p in _pallets_matching(pallet_patterns, rt, what)
                        for n in rt.names(what)[p]
                    }
                )
                close = difflib.get_close_matches(pattern, candidates, n=1)
                if close:
                    text += f'; did you mean "{close[0]}"?'
        out.append(NameProblem(where, text))
    return out


def _check_hyperparams(
    loc: Loc, patterns: Sequence[str], known: dict[str, set[int]], target_specs: set[int]
) -> list[NameProblem]:
    out = []
    for j, pattern in enumerate(patterns):
        where = loc + (j,) if len(patterns) > 1 else loc
        matching = [n for n in known if fnmatchcase(n, pattern)]
        if any(not known[n] or known[n] & target_specs for n in matching):
            continue
        if matching:
            specs = sorted(set().union(*(known[n] for n in matching)))
            out.append(
                NameProblem(
                    where,
                    f'hyperparameter "{pattern}" is not set by any call of these runtimes; only spec '
                    f"{', '.join(map(str, specs))} has its setter",
                    note=True,
                )
            )
            continue
        wild = any(c in pattern for c in "*?[")
        text = f'hyperparameter {"pattern " if wild else ""}"{pattern}" {"matches no" if wild else "is not a"} known hyperparameter'
        close = difflib.get_close_matches(pattern, sorted(known), n=1)
        if close and not wild:
            text += f'; did you mean "{close[0]}"?'
        out.append(NameProblem(where, text))
    return out


def _titles(runtimes: Sequence[RuntimeNames]) -> str:
    return " or ".join(rt.title for rt in runtimes)


__all__ = [
    "NameProblem",
    "RuntimeNames",
    "check_rule_names",
    "hyperparameter_names",
    "known_runtimes",
    "names_from_metadata",
]
