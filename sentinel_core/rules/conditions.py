"""The condition compiler: a rule's ``where`` table (and name patterns) made into fast predicates.

``where = { netuid = 3, amount = { gt = 1e9 }, "info.name" = { regex = "^x" } }`` becomes one generated
Python function ``check(ex, item) -> bool`` per rule (:func:`compile_call_check`,
:func:`compile_event_check`), so matching a call or an event costs one Python call, not one per
condition: numbers, plain equality and regexes on strings are tested inline, anything else goes through
the condition's predicate (:func:`compile_condition`). A value that is not there
(:data:`~sentinel_core.rules.values.MISSING`) fails every operator.

:class:`NameSet` matches pallet, call and event names against fnmatch patterns.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from fnmatch import fnmatchcase
from typing import Any, Literal, NamedTuple, cast

from sentinel_core.model import Call, Event, Extrinsic
from sentinel_core.rules.spec import Condition
from sentinel_core.rules.values import MISSING, call_special, event_special, num, walk

Predicate = Callable[[Any], bool]
CallCheck = Callable[[Extrinsic, Call], bool]
"""All of a rule's conditions on a call (made in the extrinsic)."""
EventCheck = Callable[[Extrinsic | None, Event], bool]
"""All of a rule's conditions on an event (emitted by the extrinsic, if any)."""

Fast = tuple[str, Any]
"""How a lone operator can be tested inline: ``(">", bound)``, ``("==", value)``, ``("regex", search)``."""


class Cond(NamedTuple):
    """One compiled condition."""

    head: str
    """The first key of the field's dotted path."""
    rest: tuple[str, ...]
    """The rest of the path."""
    pred: Predicate
    idx: int | None
    """The head as a position (for positional event attributes), when it is a number."""
    fast: Fast | None = None


# -- names ---------------------------------------------------------------------------------------


def _has_wildcard(p: str) -> bool:
    return any(c in p for c in "*?[")


class NameSet:
    """fnmatch patterns; plain names are a set lookup, pattern results are memoized per name."""

    __slots__ = ("exact", "patterns", "any", "_memo")

    def __init__(self, patterns: Iterable[str] | None) -> None:
        pats = list(patterns or ["*"])
        self.any = "*" in pats
        self.exact = frozenset(p for p in pats if not _has_wildcard(p))
        self.patterns = tuple(p for p in pats if _has_wildcard(p))
        self._memo: dict[str, bool] = {}

    def __contains__(self, name: str) -> bool:
        if self.any or name in self.exact:
            return True
        if not self.patterns:
            return False
        hit = self._memo.get(name)
        if hit is None:
            hit = any(fnmatchcase(name, p) for p in self.patterns)
            if len(self._memo) < 4096:
                self._memo[name] = hit
        return hit


# -- one condition -------------------------------------------------------------------------------


def _loose_eq(v: Any, t: Any) -> bool:
    return bool(v == t or (v is not MISSING and type(v) is not type(t) and str(v) == str(t)))


def _slow_num(v: Any) -> float | None:
    return None if v is MISSING else num(v)


def _gt(b: float) -> Predicate:
    def check(v: Any) -> bool:
        if type(v) is int or type(v) is float:
            return bool(v > b)
        n = _slow_num(v)
        return n is not None and n > b

    return check


def _ge(b: float) -> Predicate:
    def check(v: Any) -> bool:
        if type(v) is int or type(v) is float:
            return bool(v >= b)
        n = _slow_num(v)
        return n is not None and n >= b

    return check


def _lt(b: float) -> Predicate:
    def check(v: Any) -> bool:
        if type(v) is int or type(v) is float:
            return bool(v < b)
        n = _slow_num(v)
        return n is not None and n < b

    return check


def _le(b: float) -> Predicate:
    def check(v: Any) -> bool:
        if type(v) is int or type(v) is float:
            return bool(v <= b)
        n = _slow_num(v)
        return n is not None and n <= b

    return check


_COMPARATORS: dict[str, Callable[[float], Predicate]] = {"gt": _gt, "ge": _ge, "lt": _lt, "le": _le}
_INLINE_OPS = {"gt": ">", "ge": ">=", "lt": "<", "le": "<="}


def compile_condition(c: Condition) -> tuple[Predicate, Fast | None]:
    """One predicate for a condition table (all its operators must hold; a missing value fails), and
    how to test it inline when it has a single operator that allows it."""
    checks: list[Predicate] = []
    fast: Fast | None = None
    if c.eq is not None:
        eq = c.eq

        def _eq(v: Any, t: Any = eq) -> bool:
            return bool(v == t) or _loose_eq(v, t)

        checks.append(_eq)
        fast = ("==", eq)
    if c.ne is not None:
        ne = c.ne

        def _ne(v: Any, t: Any = ne) -> bool:
            return v is not MISSING and not _loose_eq(v, t)

        checks.append(_ne)
    if c.in_ is not None:
        values = list(c.in_)
        try:
            exact = frozenset(values)
        except TypeError:
            exact = frozenset()
        as_text = frozenset(str(x) for x in values)

        def _in(
            v: Any,
            exact: frozenset[Any] = exact,
            values: list[Any] = values,
            as_text: frozenset[str] = as_text,
        ) -> bool:
            try:
                if v in exact:
                    return True
            except TypeError:
                pass
            return v is not MISSING and (v in values or str(v) in as_text)

        checks.append(_in)
    for name in ("gt", "ge", "lt", "le"):
        bound = getattr(c, name)
        if bound is not None:
            checks.append(_COMPARATORS[name](bound))
            fast = (_INLINE_OPS[name], bound)
    if c.regex is not None:
        search = re.compile(c.regex).search

        def _rx(v: Any, search: Callable[[str], re.Match[str] | None] = search) -> bool:
            if type(v) is str:
                return search(v) is not None
            return v is not MISSING and search(str(v)) is not None

        checks.append(_rx)
        fast = ("regex", search)
    if len(checks) == 1:
        return checks[0], fast
    checks_t = tuple(checks)

    def _all(v: Any) -> bool:
        for ch in checks_t:
            if not ch(v):
                return False
        return True

    return _all, None


# -- a rule's conditions -------------------------------------------------------------------------


def compile_where(
    where: dict[str, Condition], netuid: list[int] | None, *, indexed: bool = False
) -> tuple[list[Cond], frozenset[int] | None]:
    """A ``where`` table as conditions; the netuid shortcut either becomes a condition or
    (``indexed``) the set returned, which the engine's ``(pallet, name, netuid)`` index serves."""
    conds: list[Cond] = []
    for key, cond in where.items():
        parts = key.split(".")
        head = parts[0]
        pred, fast = compile_condition(cond)
        conds.append(Cond(head, tuple(parts[1:]), pred, int(head) if head.isdigit() else None, fast))
    allowed = frozenset(netuid) if netuid else None
    if allowed is not None and not indexed:

        def _netuid(v: Any, allowed: frozenset[int] = allowed) -> bool:
            return v in allowed if isinstance(v, int) else False

        conds.append(Cond("netuid", (), _netuid, None))
        return conds, None
    return conds, allowed


def compile_call_check(conds: list[Cond]) -> CallCheck | None:
    """All of ``conds`` as one function of ``(extrinsic, call)``; None when there are none."""
    return cast("CallCheck | None", _compile_check(conds, "call"))


def compile_event_check(conds: list[Cond]) -> EventCheck | None:
    """All of ``conds`` as one function of ``(extrinsic or None, event)``; None when there are none."""
    return cast("EventCheck | None", _compile_check(conds, "event"))


def _compile_check(conds: list[Cond], source: Literal["call", "event"]) -> Callable[..., bool] | None:
    """The generated ``check(ex, item) -> bool`` (item: the call or the event)."""
    if not conds:
        return None
    env: dict[str, Any] = {
        "M": MISSING,
        "walk": walk,
        "cspecial": call_special,
        "especial": event_special,
    }
    lines = ["def check(ex, item):"]
    if source == "call":
        lines.append("    a = item.args")
    else:
        lines += ["    a = item.attributes", "    ta = type(a)"]
    for i, (head, rest, pred, idx, fast) in enumerate(conds):
        env[f"p{i}"], env[f"h{i}"], env[f"r{i}"] = pred, head, rest
        if source == "call":
            lines.append(f"    v = a.get(h{i}, M)")
            lines.append(f"    if v is M: v = cspecial(ex, item, h{i})")
        else:
            if idx is not None:
                lines.append(
                    f"    v = a.get(h{i}, M) if ta is dict else "
                    f"(a[{idx}] if (ta is list or ta is tuple) and {idx} < len(a) else M)"
                )
            else:
                lines.append(f"    v = a.get(h{i}, M) if ta is dict else M")
            lines.append(f"    if v is M: v = especial(ex, item, h{i})")
        if rest:
            lines.append(f"    if v is not M: v = walk(v, r{i})")
        if fast is not None:
            op, bound = fast
            env[f"b{i}"] = bound
            if op in (">", ">=", "<", "<="):
                lines += [
                    "    t = type(v)",
                    "    if t is int or t is float:",
                    f"        if not v {op} b{i}: return False",
                    f"    elif not p{i}(v): return False",
                ]
                continue
            if op == "==":
                lines.append(f"    if v != b{i} and not p{i}(v): return False")
                continue
            if op == "regex":
                lines += [
                    "    if type(v) is str:",
                    f"        if b{i}(v) is None: return False",
                    f"    elif not p{i}(v): return False",
                ]
                continue
        lines.append(f"    if not p{i}(v): return False")
    lines.append("    return True")
    exec(compile("\n".join(lines), f"<rule conditions ({source})>", "exec"), env)  # noqa: S102
    check: Callable[..., bool] = env["check"]
    return check


__all__ = [
    "CallCheck",
    "Cond",
    "EventCheck",
    "NameSet",
    "Predicate",
    "compile_call_check",
    "compile_condition",
    "compile_event_check",
    "compile_where",
]
