"""What an alert says: the default message of each rule kind, the safe rendering of message templates
(the templates themselves are checked at load time, in ``spec``), and the template fields of a call or
an event with their one-line summary."""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Any

from sentinel_core.keys import short_key
from sentinel_core.model import Call, Event, Extrinsic
from sentinel_core.rules.values import netuid_of

DEFAULT_MESSAGES: dict[str, str] = {
    "event": "{summary}",
    "call": "{summary}",
    "sudo_catchall": "sudo: {summary}",
    "hyperparam": "subnet {netuid}: {change}",
    "pattern": "{summary}",
    "anomaly": "{summary}",
    "stall": "no new block for {seconds:.0f}s (last block {last_block})",
    "snapshot": "subnet {netuid}: {change}",
}
"""The message of a rule that does not set ``message``, per kind."""

# -- rendering -----------------------------------------------------------------------------------


class _SafeFormatter(string.Formatter):
    """``str.format`` that never raises: unknown names, keys and indexes render as ``?`` and a format
    spec that does not fit the value (``{x:.2f}`` on a string) falls back to ``str(value)``."""

    def get_field(self, field_name: str, args: Any, kwargs: Any) -> Any:
        try:
            return super().get_field(field_name, args, kwargs)
        except (KeyError, IndexError, AttributeError, TypeError, ValueError):
            return "?", field_name

    def format_field(self, value: Any, format_spec: str) -> Any:
        try:
            return format(value, format_spec)
        except (TypeError, ValueError):
            return str(value)

    def convert_field(self, value: Any, conversion: str | None) -> Any:
        try:
            return super().convert_field(value, conversion)
        except ValueError:
            return value


_SAFE = _SafeFormatter()


class _Fields(dict[str, Any]):
    """``format_map`` mapping: unknown names render as ``?``."""

    def __missing__(self, key: str) -> str:
        return "?"


def render(template: str, fields: Mapping[str, Any]) -> str:
    """Format ``template`` with ``fields``; never raises (unknown fields render as ``?``)."""
    try:
        return template.format_map(_Fields(fields))  # C fast path
    except Exception:
        pass
    try:  # a bad index, attribute or format spec somewhere: the forgiving (slower) formatter
        return _SAFE.vformat(template, (), fields)
    except Exception:  # a malformed template (rejected at load time; defensive)
        return template


# -- the fields of a call or an event ------------------------------------------------------------


def short(value: Any) -> str:
    """A value as alert text shows it: an address (or anything over 20 characters) shortened."""
    return short_key(value, keep=20, none=None)


def args_text(args: Any, limit: int = 5) -> str:
    """``netuid=3, hotkey=5Grwva…GKutQY, …``: the first ``limit`` args (or attributes), shortened."""
    if isinstance(args, dict):
        items = [f"{k}={short(v)}" for k, v in list(args.items())[:limit]]
        more = len(args) - limit
    elif isinstance(args, (list, tuple)):
        items = [short(v) for v in list(args)[:limit]]
        more = len(args) - limit
    elif args is None:
        return ""
    else:
        return short(args)
    if more > 0:
        items.append("…")
    return ", ".join(items)


def call_fields(ex: Extrinsic, pos: int, call: Call) -> dict[str, Any]:
    """The template fields of the call at position ``pos`` of ``ex`` (see ``spec.CALL_FIELDS``)."""
    via = list(call.via)
    by = f" by {short(ex.signer)}" if ex.signer else ""
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
        "netuid": netuid_of(call.args),
        "summary": f"{call.qualname}({args_text(call.args)}){through}{by}",
    }


def event_fields(ex: Extrinsic | None, ev: Event) -> dict[str, Any]:
    """The template fields of event ``ev`` (``ex``: the extrinsic that emitted it, if any)."""
    signer = ex.signer if ex is not None else None
    by = f" by {short(signer)}" if signer else ""
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
        "netuid": netuid_of(ev.attributes),
        "summary": f"{ev.qualname}({args_text(ev.attributes)}){by}",
    }


__all__ = [
    "DEFAULT_MESSAGES",
    "args_text",
    "call_fields",
    "event_fields",
    "render",
    "short",
]
