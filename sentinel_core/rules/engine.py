"""The rules engine: Block + hyperparameter changes -> alerts.

``RuleEngine.evaluate(block, changes)`` is a pure function of the block plus bounded in-memory state
(sliding windows, rolling baselines, cooldowns). Alerts carry deterministic dedup keys built from the
happening (``rule:block:extrinsic:call``), so re-processing a block, in this process or after a
restart, never alerts twice: the store keeps one alert per key.

Speed: rules are compiled once into matchers indexed by ``(pallet, name)`` of calls and events; the
index is filled lazily per distinct name, so a block costs one dict lookup per call and per event plus
the conditions of the rules that apply. No regex is compiled and no pydantic model is built per block
except for the alerts emitted.

Snapshot rules (``kind = "snapshot"``) never see blocks: ``RuleEngine.evaluate_snapshot(previous,
current)`` compares two consecutive metagraph snapshots of a subnet (see ``snapshot_rules``).
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from fnmatch import fnmatchcase
from itertools import compress, repeat
from operator import attrgetter
from typing import Any

from sentinel_core.keys import short_key
from sentinel_core.model import Alert, Block, Call, Event, Extrinsic, HyperparamChange, Severity
from sentinel_core.rules.anomaly import RollingBaseline
from sentinel_core.rules.spec import (
    DEFAULT_MESSAGES,
    AnomalyRule,
    CallRule,
    Condition,
    EventRule,
    HyperparamRule,
    MatchSpec,
    PatternRule,
    RuleBase,
    SnapshotRule,
    StallRule,
    SudoCatchallRule,
    render,
)
from sentinel_core.rules.windows import SlidingWindow
from sentinel_core.units import RAO_PER_TAO, block_time

_MISSING: Any = object()
_UNSET: Any = object()
_NAME = attrgetter("name")
_SEEN_BLOCKS = 4096
_RECENT_KEYS = 8192


# -- small helpers -------------------------------------------------------------------------------


def _hp() -> Any:
    """The hyperparameter semantics module, when importable (it is optional for the engine)."""
    global _HP_MODULE
    if _HP_MODULE is False:
        try:
            from sentinel_core import hyperparams
        except Exception:  # pragma: no cover - module missing or broken
            _HP_MODULE = None
        else:
            _HP_MODULE = hyperparams
    return _HP_MODULE


_HP_MODULE: Any = False


def _num(v: Any) -> float | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return v
    if isinstance(v, str):
        try:
            return float(v)
        except ValueError:
            return None
    if isinstance(v, dict) and len(v) == 1:  # tagged values like {"U64": 5}
        return _num(next(iter(v.values())))
    return None


def _short(v: Any) -> str:
    return short_key(v, keep=20, none=None)


def _args_text(args: Any, limit: int = 5) -> str:
    if isinstance(args, dict):
        items = [f"{k}={_short(v)}" for k, v in list(args.items())[:limit]]
        more = len(args) - limit
    elif isinstance(args, (list, tuple)):
        items = [_short(v) for v in list(args)[:limit]]
        more = len(args) - limit
    elif args is None:
        return ""
    else:
        return _short(args)
    if more > 0:
        items.append("…")
    return ", ".join(items)


def _hashable(v: Any) -> Any:
    try:
        hash(v)
        return v
    except TypeError:
        return repr(v)


def _has_wildcard(p: str) -> bool:
    return any(c in p for c in "*?[")


class _NameSet:
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


def _loose_eq(v: Any, t: Any) -> bool:
    return v == t or (v is not _MISSING and type(v) is not type(t) and str(v) == str(t))


def _slow_num(v: Any) -> float | None:
    return None if v is _MISSING else _num(v)


def _gt(b: float) -> Callable[[Any], bool]:
    def check(v: Any) -> bool:
        if type(v) is int or type(v) is float:
            return v > b
        n = _slow_num(v)
        return n is not None and n > b

    return check


def _ge(b: float) -> Callable[[Any], bool]:
    def check(v: Any) -> bool:
        if type(v) is int or type(v) is float:
            return v >= b
        n = _slow_num(v)
        return n is not None and n >= b

    return check


def _lt(b: float) -> Callable[[Any], bool]:
    def check(v: Any) -> bool:
        if type(v) is int or type(v) is float:
            return v < b
        n = _slow_num(v)
        return n is not None and n < b

    return check


def _le(b: float) -> Callable[[Any], bool]:
    def check(v: Any) -> bool:
        if type(v) is int or type(v) is float:
            return v <= b
        n = _slow_num(v)
        return n is not None and n <= b

    return check


_COMPARATORS = {"gt": _gt, "ge": _ge, "lt": _lt, "le": _le}


def _compile_condition(c: Condition) -> Callable[[Any], bool]:
    """One predicate for a condition table (all its operators must hold); a missing value fails."""
    import re

    checks: list[Callable[[Any], bool]] = []
    fast: tuple[str, Any] | None = None
    if c.eq is not None:
        t = c.eq
        checks.append(lambda v, t=t: v == t or _loose_eq(v, t))
        fast = ("==", t)
    if c.ne is not None:
        t = c.ne
        checks.append(lambda v, t=t: v is not _MISSING and not _loose_eq(v, t))
    if c.in_ is not None:
        values = list(c.in_)
        try:
            exact = frozenset(values)
        except TypeError:
            exact = frozenset()
        as_text = frozenset(str(x) for x in values)

        def _in(v: Any, exact=exact, values=values, as_text=as_text) -> bool:
            try:
                if v in exact:
                    return True
            except TypeError:
                pass
            return v is not _MISSING and (v in values or str(v) in as_text)

        checks.append(_in)
    for name in ("gt", "ge", "lt", "le"):
        bound = getattr(c, name)
        if bound is not None:
            checks.append(_COMPARATORS[name](bound))
            fast = ({"gt": ">", "ge": ">=", "lt": "<", "le": "<="}[name], bound)
    if c.regex is not None:
        rx = re.compile(c.regex)

        def _rx(v: Any, search=rx.search) -> bool:
            if type(v) is str:
                return search(v) is not None
            return v is not _MISSING and search(str(v)) is not None

        checks.append(_rx)
        fast = ("regex", rx.search)
    if len(checks) == 1:
        only = checks[0]
        only.fast = fast  # type: ignore[attr-defined]
        return only
    checks_t = tuple(checks)

    def _all(v: Any) -> bool:
        for ch in checks_t:
            if not ch(v):
                return False
        return True

    return _all


def _walk(value: Any, parts: Sequence[str]) -> Any:
    for p in parts:
        if isinstance(value, dict):
            value = value.get(p, _MISSING)
        elif isinstance(value, (list, tuple)) and p.lstrip("-").isdigit():
            i = int(p)
            value = value[i] if -len(value) <= i < len(value) else _MISSING
        else:
            return _MISSING
        if value is _MISSING:
            return value
    return value


Cond = tuple[str, tuple[str, ...], Callable[[Any], bool], "int | None"]
"""(first key, rest of a dotted path, predicate, the key as a position for positional attributes)"""


def _compile_where(
    where: dict[str, Condition], netuid: list[int] | None, *, indexed: bool = False
) -> tuple[list[Cond], frozenset[int] | None]:
    """Conditions as ``(head, rest_of_path, predicate)``; the netuid shortcut either becomes a
    condition or (``indexed``) a set the engine's ``(pallet, name, netuid)`` index uses."""
    conds: list[Cond] = []
    for key, cond in where.items():
        parts = key.split(".")
        head = parts[0]
        conds.append(
            (head, tuple(parts[1:]), _compile_condition(cond), int(head) if head.isdigit() else None)
        )
    allowed = frozenset(netuid) if netuid else None
    if allowed is not None and not indexed:
        conds.append(
            ("netuid", (), lambda v, allowed=allowed: v in allowed if isinstance(v, int) else False, None)
        )
        return conds, None
    return conds, allowed


def _compile_check(conds: list[Cond], source: str) -> Callable[[Any, Any], bool] | None:
    """All of a rule's conditions as one generated function ``check(ex, item) -> bool`` (item: the
    call or the event), so matching costs one Python call, not one per condition. Numbers, plain
    equality and regexes on strings are tested inline; anything else goes through the predicate."""
    if not conds:
        return None
    env: dict[str, Any] = {
        "M": _MISSING,
        "walk": _walk,
        "cspecial": _call_special,
        "especial": _event_special,
    }
    lines = ["def check(ex, item):"]
    if source == "call":
        lines.append("    a = item.args")
    else:
        lines += ["    a = item.attributes", "    ta = type(a)"]
    for i, (head, rest, pred, idx) in enumerate(conds):
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
        fast = getattr(pred, "fast", None)
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
    return env["check"]


def _call_special(ex: Extrinsic, call: Call, head: str) -> Any:
    if head == "signer":
        v = ex.signer
    elif head == "extrinsic_hash":
        v = ex.hash
    elif head == "pallet":
        v = call.pallet
    elif head == "call":
        v = call.name
    elif head == "via_sudo":
        v = call.via_sudo
    elif head == "error":
        v = call.error or ex.error
    else:
        return _MISSING
    return _MISSING if v is None else v


def _event_special(ex: Extrinsic | None, ev: Event, head: str) -> Any:
    if head == "signer":
        v = ex.signer if ex is not None else None
    elif head == "extrinsic_hash":
        v = ex.hash if ex is not None else None
    elif head == "pallet":
        v = ev.pallet
    elif head == "event":
        v = ev.name
    else:
        return _MISSING
    return _MISSING if v is None else v


def _event_value(
    ex: Extrinsic | None, ev: Event, head: str, rest: tuple[str, ...] = (), idx: int | None = None
) -> Any:
    """An event's attribute by name (dict attributes) or position (``idx``, from keys "0", "1", ...
    for positional ones), else signer / extrinsic_hash / pallet / event; ``rest`` walks deeper."""
    attrs = ev.attributes
    v = _MISSING
    ta = type(attrs)
    if ta is dict:
        v = attrs.get(head, _MISSING)
    elif idx is not None and (ta is list or ta is tuple):
        v = attrs[idx] if idx < len(attrs) else _MISSING
    if v is _MISSING:
        v = _event_special(ex, ev, head)
    if rest and v is not _MISSING:
        v = _walk(v, rest)
    return v


def _call_value(
    ex: Extrinsic, call: Call, head: str, rest: tuple[str, ...] = (), idx: int | None = None
) -> Any:
    """A call's arg by name, else signer / extrinsic_hash / pallet / call / via_sudo / error."""
    v = call.args.get(head, _MISSING)
    if v is _MISSING:
        v = _call_special(ex, call, head)
    if rest and v is not _MISSING:
        v = _walk(v, rest)
    return v


def _call_get(ex: Extrinsic, call: Call, path: tuple) -> Any:
    head, rest, _ = path
    v = call.args.get(head, _MISSING)
    if v is _MISSING:
        v = _call_special(ex, call, head)
    if rest and v is not _MISSING:
        v = _walk(v, rest)
    return v


def _event_get(ex: Extrinsic | None, ev: Event, path: tuple) -> Any:
    head, rest, idx = path
    a = ev.attributes
    ta = type(a)
    if ta is dict:
        v = a.get(head, _MISSING)
    elif idx is not None and (ta is list or ta is tuple):
        v = a[idx] if idx < len(a) else _MISSING
    else:
        v = _MISSING
    if v is _MISSING:
        v = _event_special(ex, ev, head)
    if rest and v is not _MISSING:
        v = _walk(v, rest)
    return v


def _path(field: str | None) -> tuple[str, tuple[str, ...], int | None] | None:
    """``"a.b.c"`` -> ``("a", ("b", "c"), None)``; ``"2"`` -> ``("2", (), 2)`` (a position)."""
    if not field:
        return None
    parts = field.split(".")
    return parts[0], tuple(parts[1:]), int(parts[0]) if parts[0].isdigit() else None


def _netuid_of(d: Any) -> int | None:
    if isinstance(d, dict):
        v = d.get("netuid")
        if isinstance(v, int) and not isinstance(v, bool):
            return v
    return None


def _call_fields(ex: Extrinsic, pos: int, call: Call) -> dict[str, Any]:
    via = list(call.via)
    by = f" by {_short(ex.signer)}" if ex.signer else ""
    through = f" via {via[-1]}" if via else ""
    return {
        "pallet": call.pallet,
        "call": call.name,
        "qualname": call.qualname,
        "args": dict(call.args) if isinstance(call.args, dict) else call.args,
        "via": via,
        "via_sudo": call.via_sudo,
        "signer": ex.signer,
        "extrinsic_hash": ex.hash,
        "success": bool(ex.success and call.success),
        "error": call.error or ex.error,
        "call_index": pos,
        "netuid": _netuid_of(call.args),
        "summary": f"{call.qualname}({_args_text(call.args)}){through}{by}",
    }


def _event_fields(ex: Extrinsic | None, ev: Event) -> dict[str, Any]:
    signer = ex.signer if ex is not None else None
    by = f" by {_short(signer)}" if signer else ""
    return {
        "pallet": ev.pallet,
        "event": ev.name,
        "qualname": ev.qualname,
        "attributes": ev.attributes,
        "signer": signer,
        "extrinsic_hash": ex.hash if ex is not None else None,
        "success": ex.success if ex is not None else True,
        "error": ex.error if ex is not None else None,
        "event_index": ev.index,
        "netuid": _netuid_of(ev.attributes),
        "summary": f"{ev.qualname}({_args_text(ev.attributes)}){by}",
    }


class _BlockCtx:
    """Per-block scratch space shared by the matchers."""

    __slots__ = (
        "block",
        "number",
        "alerts",
        "matched_ex",
        "matched_setters",
        "stateful",
        "_ex_by_index",
        "now",
        "counts",
    )

    def __init__(self, block: Block, stateful: bool, now: float) -> None:
        self.block = block
        self.number = block.number
        self.alerts: list[Alert] = []
        self.matched_ex: set[int] = set()
        self.matched_setters: set[tuple[str, int | None]] = set()
        self.stateful = stateful
        self._ex_by_index: dict[int, Extrinsic] | None = None
        self.now = now
        self.counts: tuple[int, int] = (0, 0)
        """(signed extrinsics, failed signed extrinsics), when an anomaly rule needs them."""

    def extrinsic(self, index: int | None) -> Extrinsic | None:
        if index is None:
            return None
        exs = self.block.extrinsics
        if 0 <= index < len(exs) and exs[index].index == index:
            return exs[index]
        if self._ex_by_index is None:
            self._ex_by_index = {x.index: x for x in exs}
        return self._ex_by_index.get(index)


# -- compiled rules ------------------------------------------------------------------------------


class _Compiled:
    """Common part of a compiled rule: identity, emission, cooldown."""

    def __init__(self, spec: RuleBase) -> None:
        self.spec = spec
        self.name = spec.name
        self.severity = Severity(spec.severity)
        self.message = spec.message if spec.message is not None else DEFAULT_MESSAGES[spec.kind]
        self.dedup = spec.dedup
        self.channels = list(spec.channels)
        self.cooldown = spec.cooldown_blocks
        self._last_fired: dict[Any, int] = {}
        self._recent: OrderedDict[str, None] = OrderedDict()

    def _cooled(self, scope: Any, block: int, key: str) -> bool:
        """True when an alert with ``key`` may be emitted now (cooldown per scope)."""
        if not self.cooldown:
            return True
        if key in self._recent:  # the same happening again (re-processed block): let the store dedup
            return True
        last = self._last_fired.get(scope)
        if last is not None and 0 <= block - last < self.cooldown:
            return False
        self._last_fired[scope] = block
        self._recent[key] = None
        if len(self._recent) > _RECENT_KEYS:
            self._recent.popitem(last=False)
        if len(self._last_fired) > _RECENT_KEYS:
            horizon = block - self.cooldown
            self._last_fired = {k: v for k, v in self._last_fired.items() if v > horizon}
        return True

    def emit(
        self,
        ctx: _BlockCtx,
        *,
        block: int,
        fields: dict[str, Any],
        key: str,
        extrinsic_index: int | None = None,
        netuid: int | None = None,
        scope: Any = None,
        extra: dict[str, Any] | None = None,
    ) -> Alert | None:
        tpl: dict[str, Any] = dict(extra) if extra else {}
        tpl.update(fields)
        tpl.update(
            rule=self.name,
            severity=self.severity.value,
            block=block,
            extrinsic_index=extrinsic_index,
            netuid=netuid,
        )
        dedup_key = f"{self.name}:{render(self.dedup, tpl)}" if self.dedup else key
        if not self._cooled(scope, block, dedup_key):
            return None
        alert = Alert(
            rule=self.name,
            severity=self.severity,
            block=block,
            extrinsic_index=extrinsic_index,
            netuid=netuid,
            message=render(self.message, tpl),
            fields=fields,
            dedup_key=dedup_key,
            channels=list(self.channels),
            created_at=ctx.now,
        )
        ctx.alerts.append(alert)
        return alert


class _CallRuleC(_Compiled):
    def __init__(self, spec: CallRule) -> None:
        super().__init__(spec)
        self.pallets = _NameSet(spec.pallet)
        self.calls = _NameSet(spec.call)
        self.conds, self.netuids = _compile_where(spec.where, spec.netuid, indexed=True)
        self.check = _compile_check(self.conds, "call")
        self.success_only = spec.success_only
        self.via_sudo = spec.via_sudo

    def applies(self, pallet: str, name: str) -> bool:
        return pallet in self.pallets and name in self.calls

    def applies_name(self, name: str) -> bool:
        return name in self.calls

    def on_call(self, ctx: _BlockCtx, ex: Extrinsic, pos: int, call: Call) -> None:
        if self.success_only and not (ex.success and call.success):
            return
        if self.via_sudo is not None and call.via_sudo != self.via_sudo:
            return
        check = self.check
        if check is not None and not check(ex, call):
            return
        ctx.matched_ex.add(ex.index)
        fields = _call_fields(ex, pos, call)
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


class _EventRuleC(_Compiled):
    def __init__(self, spec: EventRule) -> None:
        super().__init__(spec)
        self.pallets = _NameSet(spec.pallet)
        self.events = _NameSet(spec.event)
        self.conds, self.netuids = _compile_where(spec.where, spec.netuid, indexed=True)
        self.check = _compile_check(self.conds, "event")
        self.needs_ex = any(c[0] in ("signer", "extrinsic_hash") for c in self.conds)

    def applies(self, pallet: str, name: str) -> bool:
        return pallet in self.pallets and name in self.events

    def applies_name(self, name: str) -> bool:
        return name in self.events

    def on_event(self, ctx: _BlockCtx, ev: Event) -> None:
        ex = ctx.extrinsic(ev.extrinsic_index) if self.needs_ex else None
        check = self.check
        if check is not None and not check(ex, ev):
            return
        if ex is None:
            ex = ctx.extrinsic(ev.extrinsic_index)
        if ev.extrinsic_index is not None:
            ctx.matched_ex.add(ev.extrinsic_index)
        fields = _event_fields(ex, ev)
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


class _CatchallC(_Compiled):
    def __init__(self, spec: SudoCatchallRule) -> None:
        super().__init__(spec)
        self.success_only = spec.success_only
        self.ignore = tuple(spec.ignore)

    def ignored(self, qualname: str) -> bool:
        return any(fnmatchcase(qualname, p) for p in self.ignore)

    def finish(self, ctx: _BlockCtx, candidates: dict[int, list[tuple[int, Call]]]) -> None:
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
                and (c.qualname, _netuid_of(c.args)) not in ctx.matched_setters
                and not self.ignored(c.qualname)
            ]
            if not picked:
                continue
            pos, first = picked[0]
            fields = _call_fields(ex, pos, first)
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


class _HyperparamC(_Compiled):
    def __init__(self, spec: HyperparamRule) -> None:
        super().__init__(spec)
        self.names = _NameSet(spec.names) if spec.names else None
        nets = set(spec.netuids) | set(spec.netuid or [])
        self.netuids = frozenset(nets) if nets else None
        self.min_abs = spec.min_abs_change
        self.min_rel = spec.min_rel_change
        self.via_sudo = spec.via_sudo

    def _changes(self, ch: HyperparamChange) -> tuple[bool, float | None, float | None]:
        hp = _hp()
        old, new = ch.old, ch.new
        if hp is not None:
            try:
                old, new = hp.normalize(ch.name, ch.old), hp.normalize(ch.name, ch.new)
            except Exception:
                old, new = ch.old, ch.new
        o, n = _num(old), _num(new)
        abs_change = rel = None
        if o is not None and n is not None:
            try:
                abs_change = abs(float(n) - float(o))
                rel = abs_change / abs(float(o)) if o != 0 else (math.inf if abs_change else 0.0)
            except (OverflowError, ValueError):
                abs_change = rel = None
        ok = True
        if self.min_abs is not None and abs_change is not None and abs_change < self.min_abs:
            ok = False
        if self.min_rel is not None and rel is not None and rel < self.min_rel:
            ok = False
        return ok, abs_change, rel

    def on_change(self, ctx: _BlockCtx, ch: HyperparamChange) -> None:
        if self.names is not None and ch.name not in self.names:
            return
        if self.netuids is not None and ch.netuid not in self.netuids:
            return
        if self.via_sudo is not None and bool(ch.via_sudo) != self.via_sudo:
            return
        ok, abs_change, rel = self._changes(ch)
        if not ok:
            return
        if ch.extrinsic_index is not None:
            ctx.matched_ex.add(ch.extrinsic_index)
        if ch.call:
            ctx.matched_setters.add((ch.call, ch.netuid))
        hp = _hp()
        try:
            change = hp.format_change(ch.name, ch.old, ch.new) if hp else None
        except Exception:
            change = None
        if change is None:
            change = f"{ch.name} {ch.old} -> {ch.new}"
        ex = ctx.extrinsic(ch.extrinsic_index)
        by = f" by {_short(ch.signer)}" if ch.signer else ""
        fields = {
            "name": ch.name,
            "old": ch.old,
            "new": ch.new,
            "change": change,
            "signer": ch.signer,
            "call": ch.call,
            "via_sudo": ch.via_sudo,
            "known": ch.known,
            "abs_change": abs_change,
            "rel_change": None if rel is None or math.isinf(rel) else rel,
            "extrinsic_hash": ex.hash if ex is not None else None,
            "summary": f"subnet {ch.netuid}: {change}{' via sudo' if ch.via_sudo else ''}{by}",
        }
        number = ctx.block.number
        tag = "s" if ch.extrinsic_index is None else ch.extrinsic_index
        self.emit(
            ctx,
            block=number,
            fields=fields,
            key=f"{self.name}:{number}:{ch.netuid}:{ch.name}:{tag}",
            extrinsic_index=ch.extrinsic_index,
            netuid=ch.netuid,
        )


class _PatternC(_Compiled):
    def __init__(self, spec: PatternRule) -> None:
        super().__init__(spec)
        self.metric = spec.metric
        m = spec.match or MatchSpec()
        self.pallets = _NameSet(m.pallet)
        self.calls = _NameSet(m.call) if m.call is not None else None
        self.events = _NameSet(m.event) if m.event is not None else None
        self.errors = _NameSet(m.error) if m.error is not None else None
        # failed_extrinsics is not served by the (pallet, name, netuid) index: keep netuid a condition
        self.conds, self.netuids = _compile_where(
            m.where, m.netuid, indexed=spec.metric != "failed_extrinsics"
        )
        self.check = _compile_check(self.conds, "event" if spec.metric == "events" else "call")
        self.success_only = m.success_only
        self.via_sudo = m.via_sudo
        self.sum_path = _path(spec.sum_field)
        self.group_path = _path(spec.group_by)
        self.watch = frozenset(spec.watchlist) if spec.watchlist else None
        self.watch_paths = [_path(f) for f in spec.watch_fields]
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
        return self.check is None or self.check(ex, call)

    def _watched(self, get: Callable[..., Any], a: Any, b: Any, signer: str | None, data: Any) -> str | None:
        """The watchlisted address this match involves; "" without a watchlist; None: no match."""
        watch = self.watch
        if watch is None:
            return ""
        if self.watch_paths:
            for path in self.watch_paths:
                v = get(a, b, *path)
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

    def _add(
        self, ctx: _BlockCtx, get: Callable[[Any, Any, tuple], Any], a: Any, b: Any, src: tuple, data: Any
    ) -> None:
        """Count (or sum) one match. ``data`` is the call's args / event's attributes (read
        directly for plain names), ``get(a, b, path)`` the general accessor. ``src`` is turned into
        alert fields only when the window fires: ``("call", ex, pos, call, addr)`` or
        ``("event", ex, ev, addr)``."""
        plain = type(data) is dict
        sp = self.sum_path
        if sp is None:
            value = 1
        else:
            value = data.get(sp[0], _MISSING) if plain and not sp[1] else _MISSING
            if value is _MISSING:
                value = get(a, b, sp)
            tv = type(value)
            if tv is not int and tv is not float:
                value = None if value is _MISSING else _num(value)
                if value is None:
                    return
        gp = self.group_path
        if gp is None:
            group = None
        else:
            group = data.get(gp[0], _MISSING) if plain and not gp[1] else _MISSING
            if group is _MISSING:
                group = get(a, b, gp)
            tg = type(group)
            if tg is not int and tg is not str:
                if group is _MISSING:
                    return
                group = _hashable(group)
        hit = self.window.add(ctx.number, group, value, src)
        if hit is not None:
            self._fire(ctx, group, hit[0], hit[1], hit[2], src)

    def on_call(self, ctx: _BlockCtx, ex: Extrinsic, pos: int, call: Call) -> None:
        if not ctx.stateful:
            return
        if self.success_only and not (ex.success and call.success):
            return
        if self.via_sudo is not None and call.via_sudo != self.via_sudo:
            return
        check = self.check
        if check is not None and not check(ex, call):
            return
        if self.watch is None:
            addr = ""
        else:
            addr = self._watched(_call_value, ex, call, ex.signer, call.args)
            if addr is None:
                return
        self._add(ctx, _call_get, ex, call, ("call", ex, pos, call, addr), call.args)

    def on_event(self, ctx: _BlockCtx, ev: Event) -> None:
        if not ctx.stateful:
            return
        i = ev.extrinsic_index
        exs = ctx.block.extrinsics
        ex = exs[i] if i is not None and 0 <= i < len(exs) and exs[i].index == i else ctx.extrinsic(i)
        check = self.check
        if check is not None and not check(ex, ev):
            return
        if self.watch is None:
            addr = ""
        else:
            addr = self._watched(_event_value, ex, ev, ex.signer if ex is not None else None, ev.attributes)
            if addr is None:
                return
        self._add(ctx, _event_get, ex, ev, ("event", ex, ev, addr), ev.attributes)

    def on_failed(self, ctx: _BlockCtx, ex: Extrinsic) -> None:
        if self.errors is not None and (ex.error is None or ex.error not in self.errors):
            return
        calls = ex.calls or [Call(pallet=ex.pallet, name=ex.call, args=ex.args, success=False)]
        for pos, call in enumerate(calls):
            if (
                call.pallet in self.pallets
                and (self.calls is None or call.name in self.calls)
                and self._call_ok(ex, call)
            ):
                break
        else:
            return
        if self.watch is None:
            addr = ""
        else:
            addr = self._watched(_call_value, ex, call, ex.signer, call.args)
            if addr is None:
                return
        self._add(ctx, _call_get, ex, call, ("call", ex, pos, call, addr), call.args)

    @staticmethod
    def _source_fields(src: tuple | None) -> dict[str, Any]:
        if src is None:
            return {}
        if src[0] == "call":
            _, ex, pos, call, addr = src
            fields = _call_fields(ex, pos, call)
        else:
            _, ex, ev, addr = src
            fields = _event_fields(ex, ev)
        if addr:
            fields["address"] = addr
        return fields

    def _fire(self, ctx: _BlockCtx, group: Any, total: float, count: int, first: int, src: tuple) -> None:
        number = ctx.block.number
        spec: PatternRule = self.spec  # type: ignore[assignment]
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
        for k in (
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
        ):
            if k in last:
                fields[k] = last[k]
        if spec.watchlist and "address" in last:
            fields["summary"] = f"{last.get('summary', what)} (watchlist: {_short(last['address'])})"
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


class _AnomalyC(_Compiled):
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
        self.baselines: dict[Any, RollingBaseline] = {}

    def observe(self, ctx: _BlockCtx, group: Any, x: float) -> None:
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
        ctx: _BlockCtx,
        group: Any,
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


class _StallC(_Compiled):
    def __init__(self, spec: StallRule) -> None:
        super().__init__(spec)
        self.after = spec.after_seconds


class _SnapshotC(_Compiled):
    """A snapshot rule: never sees blocks; :meth:`RuleEngine.evaluate_snapshot` feeds it pairs of
    consecutive snapshots of a subnet."""

    def __init__(self, spec: SnapshotRule) -> None:
        super().__init__(spec)
        from sentinel_core.rules.snapshot_rules import SnapshotMatcher  # metagraph code: only when used

        self.matcher = SnapshotMatcher(spec)

    def on_snapshot(self, ctx: _BlockCtx, previous: Any, current: Any) -> None:
        number, netuid = current.block, current.netuid
        for f in self.matcher.find(previous, current):
            self.emit(
                ctx,
                block=number,
                fields=f.fields,
                key=f"{self.name}:{netuid}:{number}:{f.tag}",
                netuid=netuid,
                scope=f.scope,
            )


_COMPILERS: dict[type, type[_Compiled]] = {
    CallRule: _CallRuleC,
    EventRule: _EventRuleC,
    SudoCatchallRule: _CatchallC,
    HyperparamRule: _HyperparamC,
    PatternRule: _PatternC,
    AnomalyRule: _AnomalyC,
    StallRule: _StallC,
    SnapshotRule: _SnapshotC,
}

_STAKE_EVENTS = {"StakeAdded": 1, "StakeRemoved": -1}
_STAKE_CALLS = {
    "add_stake": ("amount_staked", 1),
    "add_stake_limit": ("amount_staked", 1),
    "remove_stake": ("amount_unstaked", -1),
    "remove_stake_limit": ("amount_unstaked", -1),
}


class _StakeFlowTap:
    """Collects net TAO staked (+) / unstaked (-) per subnet from ``StakeAdded`` / ``StakeRemoved``
    events during the engine's single pass over a block's events (TAO amount and netuid, positional
    ``[coldkey, hotkey, tao, alpha, netuid, ...]`` or named fields)."""

    netuids = None
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

    def on_event(self, ctx: _BlockCtx, ev: Event) -> None:
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
            amount = _num(amount)
        if amount is None or type(netuid) is not int:
            return
        self.found = True
        self.flow[netuid] = self.flow.get(netuid, 0) + _STAKE_EVENTS[ev.name] * amount


def _stake_flow_from_calls(block: Block) -> dict[int, float]:
    """Net stake flow per subnet from successful add/remove_stake calls (blocks without events)."""
    flow: dict[int, float] = {}
    for ex, call in block.iter_calls():
        spec = _STAKE_CALLS.get(call.name)
        if spec is None or call.pallet != "SubtensorModule" or not (ex.success and call.success):
            continue
        amount = _num(call.args.get(spec[0])) if isinstance(call.args, dict) else None
        netuid = _netuid_of(call.args)
        if amount is None or netuid is None:
            continue
        flow[netuid] = flow.get(netuid, 0) + spec[1] * amount
    return flow


# -- the engine ----------------------------------------------------------------------------------


class RuleEngine:
    """Evaluates rules over blocks. Not thread-safe: one engine per pipeline."""

    def __init__(self, rules: Iterable[Any] = (), *, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self.hits: dict[str, int] = {}
        """Alerts emitted per rule name since start (for the UI's rule-hits panel)."""
        self._seen: OrderedDict[tuple[int, str], None] = OrderedDict()
        self._prev_ts: tuple[int, int] | None = None
        self._stall_ref: int | None = None
        self._stall_fired: set[str] = set()
        self._compiled: dict[str, _Compiled] = {}
        self._install(self._coerce(rules))

    # -- rules ----------------------------------------------------------------------------------

    @staticmethod
    def _coerce(rules: Iterable[Any]) -> list[RuleBase]:
        rules = list(rules)
        if any(isinstance(r, dict) for r in rules):
            from sentinel_core.config import parse_rules

            rules = parse_rules([r if isinstance(r, dict) else r.model_dump(by_alias=True) for r in rules])
        return rules

    @property
    def rules(self) -> list[RuleBase]:
        return [c.spec for c in self._compiled.values()]

    def _install(self, specs: list[RuleBase]) -> None:
        old = self._compiled
        compiled: dict[str, _Compiled] = {}
        for spec in specs:
            if not spec.enabled:
                continue
            prev = old.get(spec.name)
            if prev is not None and prev.spec == spec:
                compiled[spec.name] = prev  # unchanged: keep its windows, baselines, cooldowns
            else:
                compiled[spec.name] = _COMPILERS[type(spec)](spec)
        self._compiled = compiled
        values = list(compiled.values())
        self._call_rules = [c for c in values if isinstance(c, _CallRuleC)]
        self._event_rules = [c for c in values if isinstance(c, _EventRuleC)]
        self._catchalls = [c for c in values if isinstance(c, _CatchallC)]
        self._hp_rules = [c for c in values if isinstance(c, _HyperparamC)]
        patterns = [c for c in values if isinstance(c, _PatternC)]
        self._patterns = patterns
        self._call_consumers = self._call_rules + [p for p in patterns if p.metric == "calls"]
        self._event_consumers = self._event_rules + [p for p in patterns if p.metric == "events"]
        self._failed_consumers = [p for p in patterns if p.metric == "failed_extrinsics"]
        self._anomalies = [c for c in values if isinstance(c, _AnomalyC)]
        metrics = {c.metric for c in self._anomalies}
        self._count_extrinsics = bool(metrics & {"extrinsic_count", "failure_ratio"})
        self._tap = _StakeFlowTap() if "stake_flow" in metrics else None
        if self._tap is not None:
            self._event_consumers = self._event_consumers + [self._tap]
        self._stalls = [c for c in values if isinstance(c, _StallC)]
        self._snapshot_rules = [c for c in values if isinstance(c, _SnapshotC)]
        self._call_index: dict[str, dict[str, tuple] | None] = {}  # name -> pallet -> consumers
        self._event_index: dict[str, dict[str, tuple] | None] = {}
        self._event_names: dict[str, bool] = {}  # event name -> can any rule match it
        self._call_names: dict[str, bool] = {}
        self._stall_fired &= {c.name for c in self._stalls}

    def replace_rules(self, rules: Iterable[Any]) -> None:
        """Hot reload: install new rules; rules whose spec did not change keep their state."""
        self._install(self._coerce(rules))
        self.hits = {k: v for k, v in self.hits.items() if k in self._compiled}

    # -- evaluation -----------------------------------------------------------------------------

    @staticmethod
    def _consumers(index: dict, rules: list, pallet: str, name: str) -> tuple:
        """Rules interested in ``pallet.name``: ``(always, {netuid: rules} | None)``, or ``()`` when
        none. Cached in ``index[name][pallet]``; ``index[name]`` is None when no rule can match the
        name in any pallet (most calls and events then cost a single dict lookup)."""
        pallets = index.get(name, _UNSET)
        if pallets is _UNSET:
            pallets = index[name] = {} if any(r.applies_name(name) for r in rules) else None
        if pallets is None:
            return ()
        found = pallets.get(pallet)
        if found is None:
            plain: list = []
            by_net: dict[int, list] = {}
            for r in rules:
                if r.applies(pallet, name):
                    if r.netuids is None:
                        plain.append(r)
                    else:
                        for n in r.netuids:
                            by_net.setdefault(n, []).append(r)
            found = pallets[pallet] = (
                (tuple(plain), {n: tuple(v) for n, v in by_net.items()} or None) if plain or by_net else ()
            )
        return found

    def _first_time(self, block: Block) -> bool:
        key = (block.number, block.hash)
        if key in self._seen:
            return False
        self._seen[key] = None
        if len(self._seen) > _SEEN_BLOCKS:
            self._seen.popitem(last=False)
        return True

    def evaluate(self, block: Block, changes: Sequence[HyperparamChange] = ()) -> list[Alert]:
        """Alerts raised by ``block`` (and the hyperparameter changes found at it)."""
        alerts = self._evaluate(block, changes)
        for a in alerts:
            self.hits[a.rule] = self.hits.get(a.rule, 0) + 1
        return alerts

    def _evaluate(self, block: Block, changes: Sequence[HyperparamChange]) -> list[Alert]:
        stateful = self._first_time(block)
        ctx = _BlockCtx(block, stateful, self.clock())
        if self._stall_ref is None or block.number > self._stall_ref:
            self._stall_ref = block.number
            self._stall_fired.clear()

        for ch in changes:
            for r in self._hp_rules:
                r.on_change(ctx, ch)

        call_index, call_rules = self._call_index, self._call_consumers
        failed = self._failed_consumers if stateful else ()
        catchalls = self._catchalls
        sudo_candidates: dict[int, list[tuple[int, Call]]] = {}
        if self._tap is not None:
            self._tap.reset()
        if self._count_extrinsics:
            signed = failures = 0
            for ex in block.extrinsics:
                if ex.signer is not None:
                    signed += 1
                    if not ex.success:
                        failures += 1
            ctx.counts = (signed, failures)
        names = self._call_names
        for ex in block.extrinsics:
            calls = ex.calls
            for pos, call in enumerate(calls):
                name = call.name
                if not names.get(name, True):
                    continue
                pallets = call_index.get(name, _UNSET)
                if pallets is _UNSET:
                    self._consumers(call_index, call_rules, call.pallet, name)
                    pallets = call_index[name]
                    names[name] = pallets is not None
                    if pallets is None:
                        continue
                cons = pallets.get(call.pallet)
                if cons is None:
                    cons = self._consumers(call_index, call_rules, call.pallet, name)
                if cons:
                    plain, by_net = cons
                    for r in plain:
                        r.on_call(ctx, ex, pos, call)
                    if by_net is not None:
                        n = call.args.get("netuid")
                        if type(n) is int:
                            for r in by_net.get(n, ()):
                                r.on_call(ctx, ex, pos, call)
            if catchalls and (ex.pallet == "Sudo" or (calls and calls[0].via)):
                # Only wrapped extrinsics (every effective call then has a non-empty ``via``) or
                # Sudo.* ones can hold a call made through Sudo.
                found = [(pos, c) for pos, c in enumerate(calls) if c.pallet == "Sudo" or c.via_sudo]
                if not calls:
                    found = [(0, Call(pallet=ex.pallet, name=ex.call, args=ex.args, success=ex.success))]
                if found:
                    sudo_candidates[ex.index] = found
            if failed and not ex.success:
                for r in failed:
                    r.on_failed(ctx, ex)

        event_index, event_rules = self._event_index, self._event_consumers
        if event_rules:
            # Skip events whose name no rule can match without running Python code per event:
            # ``_event_names`` maps name -> True/False (unknown names default to True, are looked at
            # below and then remembered).
            names = self._event_names
            for ev in compress(block.events, map(names.get, map(_NAME, block.events), repeat(True))):
                name = ev.name
                pallets = event_index.get(name, _UNSET)
                if pallets is _UNSET:
                    self._consumers(event_index, event_rules, ev.pallet, name)
                    pallets = event_index[name]
                    names[name] = pallets is not None
                if pallets is None:
                    continue
                cons = pallets.get(ev.pallet)
                if cons is None:
                    cons = self._consumers(event_index, event_rules, ev.pallet, ev.name)
                if not cons:
                    continue
                plain, by_net = cons
                for r in plain:
                    r.on_event(ctx, ev)
                if by_net is not None:
                    attrs = ev.attributes
                    n = attrs.get("netuid") if type(attrs) is dict else None
                    if type(n) is int:
                        for r in by_net.get(n, ()):
                            r.on_event(ctx, ev)

        if sudo_candidates:
            for r in catchalls:
                r.finish(ctx, sudo_candidates)
        if stateful:
            if self._anomalies:
                self._anomaly_pass(ctx)
        if block.timestamp is not None and stateful:
            self._prev_ts = (block.number, block.timestamp)
        return ctx.alerts

    def _anomaly_pass(self, ctx: _BlockCtx) -> None:
        block = ctx.block
        metrics: dict[str, Any] = {}
        for r in self._anomalies:
            m = r.metric
            if m not in metrics:
                if m == "block_time":
                    prev = self._prev_ts
                    metrics[m] = (
                        block_time(prev[1], block.timestamp) if prev and prev[0] == block.number - 1 else None
                    )
                elif m == "extrinsic_count" or m == "failure_ratio":
                    signed, failed = ctx.counts
                    metrics["extrinsic_count"] = float(signed)
                    metrics["failure_ratio"] = failed / signed if signed else None
                elif m == "stake_flow":
                    tap = self._tap
                    metrics[m] = tap.flow if tap is not None and tap.found else _stake_flow_from_calls(block)
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

    # -- snapshots ----------------------------------------------------------------------------------

    @property
    def snapshot_rules(self) -> list[SnapshotRule]:
        """The enabled snapshot rules (block evaluation ignores them)."""
        return [c.spec for c in self._snapshot_rules]  # type: ignore[misc]

    @property
    def snapshot_rules_need_rows(self) -> bool:
        """Whether any snapshot rule looks at neurons (else the subnet rows of snapshots suffice)."""
        return any(c.matcher.needs_rows for c in self._snapshot_rules)

    def evaluate_snapshot(self, previous: Any, current: Any) -> list[Alert]:
        """Alerts the snapshot rules raise for two consecutive snapshots of one subnet
        (:class:`~sentinel_core.metagraph.Metagraph`, ``previous`` the older; None: nothing to compare).
        Each alert belongs to ``current.block``; its dedup key is ``rule:netuid:block:uid`` (or
        ``:owner``), so comparing the same pair again raises nothing new once stored."""
        rules = self._snapshot_rules
        if not rules or previous is None:
            return []
        ctx = _BlockCtx(
            Block(number=current.block, hash=current.block_hash or "", parent_hash=""), False, self.clock()
        )
        for r in rules:
            r.on_snapshot(ctx, previous, current)
        for a in ctx.alerts:
            self.hits[a.rule] = self.hits.get(a.rule, 0) + 1
        return ctx.alerts

    def warm(self, block: Block, changes: Sequence[HyperparamChange] = ()) -> None:
        """Feed a block to windows and baselines without raising alerts (e.g. history at start)."""
        self._evaluate(block, changes)  # alerts discarded; dedup keys make a later re-raise safe

    def check_stall(
        self, now: float, last_block_number: int | None, last_block_at: float | None
    ) -> list[Alert]:
        """Alerts for stall rules: no new block for ``after_seconds``. Each fires once per stall
        episode (identified by the last block seen); a new block re-arms it."""
        if not self._stalls or last_block_at is None:
            return []
        if last_block_number != self._stall_ref:
            if last_block_number is None or self._stall_ref is None or last_block_number > self._stall_ref:
                self._stall_ref = last_block_number
                self._stall_fired.clear()
        seconds = now - last_block_at
        number = last_block_number if last_block_number is not None else 0
        ctx = _BlockCtx(Block(number=number, hash="", parent_hash=""), False, self.clock())
        for r in self._stalls:
            if seconds >= r.after and r.name not in self._stall_fired:
                self._stall_fired.add(r.name)
                fields = {
                    "seconds": seconds,
                    "last_block": last_block_number,
                    "last_block_at": last_block_at,
                    "after_seconds": r.after,
                    "summary": f"no new block for {seconds:.0f}s (last block {last_block_number})",
                }
                r.emit(ctx, block=number, fields=fields, key=f"{r.name}:{number}")
        for a in ctx.alerts:
            self.hits[a.rule] = self.hits.get(a.rule, 0) + 1
        return ctx.alerts


__all__ = ["RuleEngine"]
