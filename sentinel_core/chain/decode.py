"""Library output -> :class:`~sentinel_core.model.Block`.

Pure functions over what async-substrate-interface decodes: extrinsic values (``call_module``,
``call_function``, ``call_args``), event records (``module_id``, ``event_id``, ``attributes``,
``extrinsic_idx``). They join events to their extrinsics, tell success from failure, name errors
through the block's metadata, and unwrap the calls inside ``Sudo.sudo``/``sudo_unchecked_weight``/
``sudo_as``, ``Utility.batch``/``batch_all``/``force_batch`` and ``Proxy.proxy`` into effective
:class:`~sentinel_core.model.Call` objects, each knowing whether it took effect.

SCALE in: :class:`BlockCodec` holds what decoding one runtime's blocks needs (the codec's compiled
extrinsic decoders, the events type, error names), and :func:`decode_block` turns a block as the node
answered it (hex extrinsics, the hex ``System.Events`` value) into a Block with it.
"""

from __future__ import annotations

import hashlib
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from functools import cached_property
from typing import Any, TypeVar

from pydantic import BaseModel
from scalecodec.base import ScaleBytes  # type: ignore[attr-defined]

from ..model import Block, Call, Event, Extrinsic
from ..scale import decode_compact

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


M = TypeVar("M", bound=BaseModel)


def _new(cls: type[M], **values: Any) -> M:
    """Build a model from trusted, complete values (the decoder's own output) without validation.

    ``model_construct`` costs ~15 us an object; a backfill builds ~80 objects a block."""
    obj = object.__new__(cls)
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
        kind: str
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


# -- SCALE -> values -------------------------------------------------------------------------------
ExtrinsicDecoders = tuple[Any, Any, Any, Any]
"""The codec's compiled value decoders of an extrinsic's address, signature, extra and call."""


class BlockCodec:
    """What decoding blocks of one runtime needs, each part derived on first use (once per runtime)."""

    def __init__(self, runtime: Any) -> None:
        self.runtime = runtime

    @cached_property
    def extrinsic_decoders(self) -> ExtrinsicDecoders | None:
        """The codec's compiled value decoders for an extrinsic's parts (V15 metadata), or None."""
        v15 = getattr(self.runtime, "metadata_v15", None)
        if v15 is None:
            return None
        try:
            ext = v15.value[1]["V15"]["extrinsic"]
            rc = self.runtime.runtime_config
            address, signature, extra, call = (
                rc.get_value_decoder(f"scale_info::{ext[k]}")
                for k in ("address_ty", "signature_ty", "extra_ty", "call_ty")
            )
        except Exception:  # noqa: BLE001 - unsupported shapes fall back to the object decoder
            return None
        if address is None or signature is None or extra is None or call is None:
            return None
        return address, signature, extra, call

    @cached_property
    def events_type(self) -> str:
        item = self.runtime.metadata.get_metadata_pallet("System").get_storage_function("Events")
        found: str = item.get_value_type_string()
        return found

    @cached_property
    def error_names(self) -> dict[tuple[int, int], str]:
        """``Pallet.Error`` by (pallet index, error index)."""
        names: dict[tuple[int, int], str] = {}
        for pallet in self.runtime.metadata.pallets:
            errors = pallet.errors if hasattr(pallet, "errors") else None
            for err in errors or []:
                names[(int(pallet.value["index"]), int(err.value["index"]))] = f"{pallet.name}.{err.name}"
        return names

    def resolver(self) -> ErrorResolver:
        names = self.error_names
        return lambda p, e: names.get((p, e))

    def extrinsics(self, hex_extrinsics: Iterable[str]) -> list[dict[str, Any] | None]:
        """Decoded extrinsic values: the compiled decoders first, the codec's object decoder else."""
        fast = self.extrinsic_decoders
        out: list[dict[str, Any] | None] = []
        for data in hex_extrinsics:
            value = decode_extrinsic_fast(fast, data) if fast is not None else None
            if value is None:
                value = decode_extrinsic_object(self.runtime, data, len(out))
            out.append(value)
        return out

    def events(self, events_hex: str | None) -> list[dict[str, Any]]:
        """Decoded event records of a hex ``System.Events`` value (none for None or empty)."""
        if not events_hex:
            return []
        (raw_events,) = self.runtime.runtime_config.batch_decode(
            [self.events_type], [bytes.fromhex(events_hex[2:])]
        )
        records: list[dict[str, Any]] = raw_events
        return records


def decode_extrinsic_fast(decoders: ExtrinsicDecoders, data: str) -> dict[str, Any] | None:
    """Decode a v4 extrinsic with the compiled value decoders; None when it is not that shape."""
    address_dec, signature_dec, extra_dec, call_dec = decoders
    try:
        raw = bytes.fromhex(data[2:])
        _, off = decode_compact(raw, 0)
        version = raw[off]
        off += 1
        if version & 0x7F != 4:
            return None
        out: dict[str, Any] = {"extrinsic_hash": "0x" + hashlib.blake2b(raw, digest_size=32).hexdigest()}
        if version & 0x80:
            out["address"], off = address_dec.decode_at(raw, off)
            out["signature"], off = signature_dec.decode_at(raw, off)
            _, off = extra_dec.decode_at(raw, off)
        out["call"], off = call_dec.decode_at(raw, off)
        return out if off == len(raw) else None
    except Exception:  # noqa: BLE001 - the object decoder gets a second try
        return None


def decode_extrinsic_object(runtime: Any, data: str, index: int) -> dict[str, Any]:
    """Decode an extrinsic with the codec's generic object decoder (ValueError when it does not)."""
    try:
        cls = runtime.runtime_config.get_decoder_class("Extrinsic")
        obj = cls(data=ScaleBytes(data), metadata=runtime.metadata, runtime_config=runtime.runtime_config)
        value: dict[str, Any] = obj.decode(check_remaining=True)
        return value
    except Exception as exc:  # noqa: BLE001 - the block is recorded as undecodable, with this reason
        raise ValueError(f"extrinsic {index} does not decode ({type(exc).__name__}: {exc})") from None


async def decode_block(
    codec: BlockCodec,
    *,
    number: int,
    block_hash: str,
    block: dict[str, Any],
    events_hex: str | None,
    spec_version: int,
    spec_version_after: Callable[[str], Awaitable[int]],
) -> Block:
    """A block as the node answered it (``chain_getBlock``'s ``block``, the hex events), decoded with
    the runtime that executed it. ``spec_version_after(hash)`` tells the runtime a ``CodeUpdated``
    block put in place (asked only for such a block)."""
    extrinsics = codec.extrinsics(block.get("extrinsics", []))
    raw_events = codec.events(events_hex)
    for ev in raw_events:
        if ev.get("module_id") == "System" and ev.get("event_id") == "CodeUpdated":
            # CodeUpdated carries no fields; say which runtime replaced which.
            new = await spec_version_after(block_hash)
            ev["attributes"] = {"old_spec_version": spec_version, "new_spec_version": new}
    return build_block(
        number=number,
        block_hash=block_hash,
        parent_hash=block["header"]["parentHash"],
        extrinsics=extrinsics,
        events=raw_events,
        spec_version=spec_version,
        resolve=codec.resolver(),
    )
