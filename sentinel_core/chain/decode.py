"""Library output -> :class:`~sentinel_core.model.Block`.

Pure functions over what async-substrate-interface decodes: extrinsic values (``call_module``,
``call_function``, ``call_args``), event records (``module_id``, ``event_id``, ``attributes``,
``extrinsic_idx``). They join events to their extrinsics, tell success from failure, name errors
through the block's metadata, and unwrap the calls inside ``Sudo.sudo``/``sudo_unchecked_weight``/
``sudo_as``, ``Utility.batch``/``batch_all``/``force_batch`` and ``Proxy.proxy`` into effective
:class:`~sentinel_core.model.Call` objects, each knowing whether it took effect.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from typing import Any

from ..model import Block, Call, Event, Extrinsic

ErrorResolver = Callable[[int, int], str | None]
"""(pallet index, error index) -> ``Pallet.Error`` as the block's metadata names it."""

SINGLE_WRAPPERS = {
    ("Sudo", "sudo"): "Sudid",
    ("Sudo", "sudo_unchecked_weight"): "Sudid",
    ("Sudo", "sudo_as"): "SudoAsDone",
    ("Proxy", "proxy"): "ProxyExecuted",
    ("Proxy", "proxy_announced"): "ProxyExecuted",
    ("Utility", "as_derivative"): None,
    ("Utility", "with_weight"): None,
    ("Utility", "dispatch_as"): "DispatchedAs",
}
BATCHES = {("Utility", "batch"), ("Utility", "batch_all"), ("Utility", "force_batch")}
_SCALARS = frozenset({str, int, float, bool})
_WRAPPERS = set(SINGLE_WRAPPERS) | BATCHES


def _new(cls: type, **values: Any) -> Any:
    """Build a model from trusted, complete values (the decoder's own output) without validation.

    ``model_construct`` costs ~15 us an object; a backfill builds ~80 objects a block."""
    obj = cls.__new__(cls)
    object.__setattr__(obj, "__dict__", values)
    object.__setattr__(obj, "__pydantic_fields_set__", set(values))
    object.__setattr__(obj, "__pydantic_extra__", None)
    object.__setattr__(obj, "__pydantic_private__", None)
    return obj


def jsonable(value: Any) -> Any:
    """Make decoded values JSON-safe: tuples to lists, bytes to 0x-hex, dict keys to str."""
    if value is None or type(value) in _SCALARS:
        return value
    if isinstance(value, (bytes, bytearray)):
        return "0x" + bytes(value).hex()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return str(value)


def call_parts(call: dict[str, Any]) -> tuple[str, str, dict[str, Any]]:
    """``(pallet, name, args)`` of a decoded call value."""
    args = {a["name"]: a["value"] for a in call.get("call_args") or ()}
    return call["call_module"], call["call_function"], args


def _is_call(value: Any) -> bool:
    return isinstance(value, dict) and "call_module" in value and "call_function" in value


def dispatch_error_name(error: Any, resolve: ErrorResolver | None) -> str:
    """Name a ``DispatchError`` value: ``SubtensorModule.SettingWeightsTooFast``, ``BadOrigin``, ..."""
    if isinstance(error, str):
        return error
    if isinstance(error, dict) and len(error) == 1:
        ((kind, detail),) = error.items()
        if kind == "Module" and isinstance(detail, dict):
            index = int(detail.get("index", -1))
            raw = detail.get("error")
            if isinstance(raw, str):
                err_index = bytes.fromhex(raw.removeprefix("0x"))[0] if raw.removeprefix("0x") else 0
            elif isinstance(raw, (bytes, bytearray, list, tuple)):
                err_index = raw[0] if len(raw) else 0
            else:
                err_index = int(raw or 0)
            name = resolve(index, err_index) if resolve else None
            return name or f"Module(index={index}, error={err_index})"
        if detail is None:
            return kind
        return f"{kind}.{detail if isinstance(detail, str) else jsonable(detail)}"
    return str(jsonable(error))


def _result_error(result: Any, resolve: ErrorResolver | None) -> str | None:
    """``None`` for ``Ok``, the error name for ``Err`` (a DispatchResult as decoded)."""
    if isinstance(result, dict):
        if "Err" in result:
            return dispatch_error_name(result["Err"], resolve)
        if "Ok" in result:
            return None
    if isinstance(result, (list, tuple)) and len(result) == 2 and result[0] in ("Ok", "Err"):
        return None if result[0] == "Ok" else dispatch_error_name(result[1], resolve)
    return None


def _first_attr(attributes: Any) -> Any:
    if isinstance(attributes, dict):
        return next(iter(attributes.values()), None)
    if isinstance(attributes, (list, tuple)):
        return attributes[0] if attributes else None
    return attributes


class _Outcomes:
    """Wrapper outcome events of one extrinsic, consumed in emission order per kind."""

    def __init__(self, events: Iterable[Event]) -> None:
        self.by_name: dict[str, deque[Event]] = {}
        for ev in events:
            self.by_name.setdefault(ev.name, deque()).append(ev)

    def take(self, name: str) -> Event | None:
        q = self.by_name.get(name)
        return q.popleft() if q else None


def unwrap(
    call: dict[str, Any],
    events: list[Event],
    *,
    ok: bool,
    error: str | None,
    resolve: ErrorResolver | None = None,
) -> list[Call]:
    """Effective calls of an extrinsic's call, with per-call success."""
    if (call["call_module"], call["call_function"]) not in _WRAPPERS:
        pallet, name, args = call_parts(call)
        return [
            _new(Call, pallet=pallet, name=name, args=args, via=[], success=ok, error=None if ok else error)
        ]
    outcomes = _Outcomes(events)
    out: list[Call] = []
    _walk(call, [], ok, error, outcomes, resolve, out)
    return out


def _walk(
    call: dict[str, Any],
    via: list[str],
    ok: bool,
    error: str | None,
    outcomes: _Outcomes,
    resolve: ErrorResolver | None,
    out: list[Call],
) -> None:
    pallet, name, args = call_parts(call)
    key = (pallet, name)
    here = f"{pallet}.{name}"
    if key in SINGLE_WRAPPERS and _is_call(args.get("call")):
        inner_ok, inner_err = ok, error
        outcome_event = SINGLE_WRAPPERS[key]
        if outcome_event:
            ev = outcomes.take(outcome_event)
            if ev is not None and ok:
                err = _result_error(_first_attr(ev.attributes), resolve)
                if err is not None:
                    inner_ok, inner_err = False, err
        _walk(args["call"], [*via, here], inner_ok, inner_err, outcomes, resolve, out)
        return
    if key in BATCHES and isinstance(args.get("calls"), list):
        items = [c for c in args["calls"] if _is_call(c)]
        results = _batch_results(name, len(items), ok, error, outcomes, resolve)
        for item, (item_ok, item_err) in zip(items, results):
            _walk(item, [*via, here], item_ok, item_err, outcomes, resolve, out)
        return
    clean = {k: jsonable(v) for k, v in args.items()}
    out.append(
        _new(Call, pallet=pallet, name=name, args=clean, via=via, success=ok, error=None if ok else error)
    )


def _batch_results(
    name: str, count: int, ok: bool, error: str | None, outcomes: _Outcomes, resolve: ErrorResolver | None
) -> list[tuple[bool, str | None]]:
    if not ok or name == "batch_all":
        return [(ok, error)] * count
    if name == "force_batch":
        results = []
        for _ in range(count):
            completed = outcomes.by_name.get("ItemCompleted")
            failed = outcomes.by_name.get("ItemFailed")
            first_completed = completed[0].index if completed else None
            first_failed = failed[0].index if failed else None
            if first_failed is not None and (first_completed is None or first_failed < first_completed):
                ev = outcomes.take("ItemFailed")
                results.append(
                    (False, dispatch_error_name(_first_attr(ev.attributes), resolve) if ev else None)
                )
            else:
                outcomes.take("ItemCompleted")
                results.append((True, None))
        return results
    interrupted = outcomes.take("BatchInterrupted")
    if interrupted is None:
        for _ in range(count):
            outcomes.take("ItemCompleted")
        return [(True, None)] * count
    attrs = interrupted.attributes if isinstance(interrupted.attributes, dict) else {}
    stop = int(attrs.get("index", 0))
    err = dispatch_error_name(attrs.get("error"), resolve)
    return [
        (True, None) if i < stop else (False, err if i == stop else "not executed: batch interrupted")
        for i in range(count)
    ]


def build_events(raw_events: Iterable[dict[str, Any]]) -> list[Event]:
    out = []
    for i, ev in enumerate(raw_events):
        ext_idx = ev.get("extrinsic_idx") if ev.get("phase") == "ApplyExtrinsic" else None
        attrs = ev.get("attributes")
        # Values from the codec's value decoder are JSON-safe already (tuples serialise as lists).
        out.append(
            _new(
                Event,
                index=i,
                extrinsic_index=ext_idx,
                pallet=ev["module_id"],
                name=ev["event_id"],
                attributes=attrs,
            )
        )
    return out


def extrinsic_outcome(events: list[Event], resolve: ErrorResolver | None) -> tuple[bool, str | None]:
    for ev in events:
        if ev.pallet == "System" and ev.name == "ExtrinsicFailed":
            attrs = ev.attributes
            err = attrs.get("dispatch_error") if isinstance(attrs, dict) else _first_attr(attrs)
            return False, dispatch_error_name(err, resolve)
    return True, None


def build_block(
    *,
    number: int,
    block_hash: str,
    parent_hash: str,
    extrinsics: list[dict[str, Any] | None],
    events: list[dict[str, Any]],
    spec_version: int | None = None,
    resolve: ErrorResolver | None = None,
    finalized: bool = False,
) -> Block:
    """Join decoded extrinsics and events into a Block. ``None`` extrinsics did not decode."""
    all_events = build_events(events)
    per_ext: dict[int, list[Event]] = {}
    for ev in all_events:
        if ev.extrinsic_index is not None:
            per_ext.setdefault(ev.extrinsic_index, []).append(ev)
    timestamp = None
    exts: list[Extrinsic] = []
    for idx, value in enumerate(extrinsics):
        evs = per_ext.get(idx, [])
        if value is None:
            exts.append(
                Extrinsic(
                    index=idx,
                    pallet="?",
                    call="?",
                    success=False,
                    error="undecodable extrinsic",
                    events=evs,
                    calls=[],
                )
            )
            continue
        call = value["call"]
        pallet, name, args = call_parts(call)
        if (pallet, name) == ("Timestamp", "set"):
            timestamp = int(args.get("now") or 0)
        ok, err = extrinsic_outcome(evs, resolve)
        if (pallet, name) in _WRAPPERS:
            calls = unwrap(call, evs, ok=ok, error=err, resolve=resolve)
        else:  # the common case: the extrinsic's call is its only effective call
            calls = [_new(Call, pallet=pallet, name=name, args=args, via=[], success=ok, error=err)]
        address = value.get("address")
        signer = address if isinstance(address, str) else (jsonable(address) if address else None)
        if isinstance(signer, dict):  # MultiAddress::Id
            signer = next(iter(signer.values()), None)
        exts.append(
            _new(
                Extrinsic,
                index=idx,
                hash=value.get("extrinsic_hash"),
                signer=signer,
                pallet=pallet,
                call=name,
                args=args,
                success=ok,
                error=err,
                calls=calls,
                events=evs,
            )
        )
    return Block(
        number=number,
        hash=block_hash,
        parent_hash=parent_hash,
        timestamp=timestamp,
        spec_version=spec_version,
        extrinsics=exts,
        events=all_events,
        finalized=finalized,
    )
