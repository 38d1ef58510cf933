"""Value access: the one way a rule reads a field of a call or an event.

A field is named by a dotted path (``"hotkey"``, ``"info.name"``, ``"2"`` for the third positional
attribute of an event). The head is looked up in the call's args (by name) or the event's attributes
(by name, or by position for positional ones); failing that it may name one of the item's own fields:
``signer``, ``extrinsic_hash``, ``pallet`` and ``call`` / ``event``, for calls also ``via_sudo`` and
``error``. The rest of the path walks into dicts (by key) and lists (by index). A value that is not
there is :data:`MISSING` (never None, which is a value).

Also here: the numeric reading of a value (:func:`num`) and the netuid of an item (:func:`netuid_of`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from sentinel_core.model import Call, Event, Extrinsic


class _Missing:
    """The type of :data:`MISSING`."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Final[Any] = _Missing()
"""What a field that is not there reads as (typed ``Any``: it stands where any value may)."""

FieldPath = tuple[str, tuple[str, ...], int | None]
"""A parsed field: ``(head, rest of the dotted path, the head as a position when it is a number)``."""


def field_path(field: str | None) -> FieldPath | None:
    """``"a.b.c"`` -> ``("a", ("b", "c"), None)``; ``"2"`` -> ``("2", (), 2)`` (a position)."""
    if not field:
        return None
    parts = field.split(".")
    return parts[0], tuple(parts[1:]), int(parts[0]) if parts[0].isdigit() else None


def walk(value: Any, parts: Sequence[str]) -> Any:
    """``value`` followed down ``parts`` (dict keys, list indexes); MISSING when a step is not there."""
    for p in parts:
        if isinstance(value, dict):
            value = value.get(p, MISSING)
        elif isinstance(value, (list, tuple)) and p.lstrip("-").isdigit():
            i = int(p)
            value = value[i] if -len(value) <= i < len(value) else MISSING
        else:
            return MISSING
        if value is MISSING:
            return value
    return value


def call_special(ex: Extrinsic, call: Call, head: str) -> Any:
    """A call's own field: signer / extrinsic_hash / pallet / call / via_sudo / error."""
    if head == "signer":
        v: Any = ex.signer
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
        return MISSING
    return MISSING if v is None else v


def event_special(ex: Extrinsic | None, ev: Event, head: str) -> Any:
    """An event's own field: signer / extrinsic_hash (of its extrinsic) / pallet / event."""
    if head == "signer":
        v = ex.signer if ex is not None else None
    elif head == "extrinsic_hash":
        v = ex.hash if ex is not None else None
    elif head == "pallet":
        v = ev.pallet
    elif head == "event":
        v = ev.name
    else:
        return MISSING
    return MISSING if v is None else v


def from_call(ex: Extrinsic, call: Call, path: FieldPath) -> Any:
    """The value at ``path`` of ``call`` (made in ``ex``): an arg by name, else the call's own field."""
    head, rest, _ = path
    v = call.args.get(head, MISSING)
    if v is MISSING:
        v = call_special(ex, call, head)
    if rest and v is not MISSING:
        v = walk(v, rest)
    return v


def from_event(ex: Extrinsic | None, ev: Event, path: FieldPath) -> Any:
    """The value at ``path`` of ``ev``: an attribute by name (dict attributes) or position (list
    attributes), else the event's own field."""
    head, rest, idx = path
    a = ev.attributes
    ta = type(a)
    if ta is dict:
        v = a.get(head, MISSING)
    elif idx is not None and (ta is list or ta is tuple):
        v = a[idx] if idx < len(a) else MISSING
    else:
        v = MISSING
    if v is MISSING:
        v = event_special(ex, ev, head)
    if rest and v is not MISSING:
        v = walk(v, rest)
    return v


def num(v: Any) -> float | None:
    """``v`` as a number (ints and floats as they are, numeric strings parsed, tagged values like
    ``{"U64": 5}`` unwrapped); None for anything else, booleans included."""
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return v
    if isinstance(v, str):
        try:
            return float(v)
        except ValueError:
            return None
    if isinstance(v, dict) and len(v) == 1:
        return num(next(iter(v.values())))
    return None


def netuid_of(d: Any) -> int | None:
    """The ``netuid`` of a call's args or an event's (named) attributes, when it is an int."""
    if isinstance(d, dict):
        v = d.get("netuid")
        if isinstance(v, int) and not isinstance(v, bool):
            return v
    return None


def hashable(v: Any) -> Any:
    """``v`` when it can key a dict, else its ``repr`` (a group made of a list or a dict)."""
    try:
        hash(v)
        return v
    except TypeError:
        return repr(v)


__all__ = [
    "MISSING",
    "FieldPath",
    "call_special",
    "event_special",
    "field_path",
    "from_call",
    "from_event",
    "hashable",
    "netuid_of",
    "num",
    "walk",
]
