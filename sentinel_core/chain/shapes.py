"""What a node's answers must look like, said in words when they do not.

A node that answers garbage (a number where a header belongs, a string where the runtime version
does) would otherwise surface as Python's own complaint (``'int' object is not subscriptable``).
These checks turn it into a one-line :class:`MalformedAnswer`: what the node sent, where what was
expected, to which call.
"""

from __future__ import annotations

import re
from typing import Any

from .transport import ChainError

_HASH = re.compile(r"0x[0-9a-fA-F]{64}\Z")


class MalformedAnswer(ChainError):
    """The node answered something that is not what the call returns (a ChainError's message)."""


def described(value: Any) -> str:
    """``value`` in a few words: "a number", "nothing", "an object without 'number'"..."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return f"a number ({value!r:.20})"
    if isinstance(value, str):
        return f"a string ({value[:24]!r}{'…' if len(value) > 24 else ''})"
    if isinstance(value, list):
        return f"a list of {len(value)}"
    if isinstance(value, dict):
        return "an object with " + (", ".join(repr(k) for k in list(value)[:4]) or "nothing in it")
    return type(value).__name__


def _wrong(value: Any, expected: str, call: str) -> MalformedAnswer:
    return MalformedAnswer(f"the node answered {described(value)} where {expected} was expected ({call})")


def block_hash(value: Any, call: str) -> str:
    """A 32-byte hex block hash."""
    if isinstance(value, str) and _HASH.match(value):
        return value
    raise _wrong(value, "a block hash", call)


def header(value: Any, call: str) -> dict[str, Any]:
    """A JSON block header: ``number`` (hex or int), hex ``parentHash``, ``stateRoot``,
    ``extrinsicsRoot`` and ``digest``."""
    if not isinstance(value, dict):
        raise _wrong(value, "a block header", call)
    number = value.get("number")
    try:
        ok_number = (int(number, 16) if isinstance(number, str) else int(number)) >= 0  # type: ignore[arg-type]
    except (TypeError, ValueError):
        ok_number = False
    if not ok_number or not all(
        isinstance(value.get(k), str) and _HASH.match(value[k])
        for k in ("parentHash", "stateRoot", "extrinsicsRoot")
    ):
        raise _wrong(value, "a block header (number, parentHash, stateRoot, extrinsicsRoot)", call)
    return value


def runtime_version(value: Any, call: str) -> dict[str, Any]:
    """A runtime version: an object with an integer ``specVersion``."""
    if not isinstance(value, dict) or not isinstance(value.get("specVersion"), int):
        raise _wrong(value, "a runtime version (specVersion)", call)
    return value


def text(value: Any, what: str, call: str) -> str:
    if not isinstance(value, str):
        raise _wrong(value, what, call)
    return value
