"""Registry-independent "shapes" of metadata types, and readable differences between two shapes.

Two portable registries (the devnet's and finney's) number their types differently, so types are
compared by a canonical recursive *shape*: primitives by name; ``Compact<..>``, ``Vec<..>``,
``[..; n]`` and tuples structurally; composites as path + fields ``name:typeName:shape``; variants as
path + ``index:name(fields)``; ``Option``/``Result`` in their usual short form. Recursion stops at
the runtime enums (their path is rendered instead: our ``RuntimeCall`` legitimately has fewer pallets
than finney's) and on re-entry into a type already being rendered (cycles).

A shape is a nested tuple (hashable, comparable with ``==``); :func:`render` turns it into a string
and :func:`diff` lists where two shapes differ, down to the innermost differing part.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

RUNTIME_ENUM_PATHS = frozenset(
    {
        "node_subtensor_runtime::RuntimeCall",
        "node_subtensor_runtime::RuntimeEvent",
        "node_subtensor_runtime::RuntimeError",
        "node_subtensor_runtime::OriginCaller",
    }
)

Shape = tuple


class Shapes:
    """Shapes of the types of one decoded portable registry (``body["types"]``)."""

    def __init__(self, portable: dict[str, Any] | list[dict[str, Any]]) -> None:
        entries = portable["types"] if isinstance(portable, dict) else portable
        self.types: dict[int, dict[str, Any]] = {e["id"]: e["type"] for e in entries}
        self._cache: dict[int, Shape] = {}

    def path(self, tid: int) -> str:
        return "::".join(self.types[tid]["path"])

    def type(self, tid: int) -> dict[str, Any]:
        return self.types[tid]

    def variants(self, tid: int) -> list[dict[str, Any]]:
        d = self.types[tid]["def"]
        if "variant" not in d:
            raise TypeError(f"type {tid} ({self.path(tid)}) is not an enum")
        return d["variant"].get("variants") or []

    def shape(self, tid: int) -> Shape:
        return self._shape(tid, ())[0]

    def fields(self, fields: Iterable[dict[str, Any]]) -> tuple:
        """``(name, typeName, shape)`` of each field of a variant or composite."""
        return tuple((f.get("name"), f.get("typeName"), self.shape(f["type"])) for f in fields)

    # -- building ------------------------------------------------------------------------------------
    def _shape(self, tid: int, stack: tuple[int, ...]) -> tuple[Shape, bool]:
        """The shape of ``tid`` and whether a cycle was cut inside it (such shapes are not cached)."""
        if tid in self._cache:
            return self._cache[tid], False
        t = self.types[tid]
        path = "::".join(t["path"])
        if path in RUNTIME_ENUM_PATHS:
            return ("ref", path), False
        if tid in stack:
            return ("ref", path or f"#{tid}"), True
        stack = (*stack, tid)
        cut = False

        def sub(x: int) -> Shape:
            nonlocal cut
            s, c = self._shape(x, stack)
            cut = cut or c
            return s

        def fields(fs: Iterable[dict[str, Any]]) -> tuple:
            return tuple((f.get("name"), f.get("typeName"), sub(f["type"])) for f in fs)

        ((kind, d),) = t["def"].items()
        if kind == "primitive":
            shape: Shape = ("prim", d)
        elif kind == "compact":
            shape = ("compact", sub(d["type"]))
        elif kind == "sequence":
            shape = ("seq", sub(d["type"]))
        elif kind == "array":
            shape = ("array", d["len"], sub(d["type"]))
        elif kind == "tuple":
            shape = ("tuple", tuple(sub(x) for x in (d or [])))
        elif kind in ("bitsequence", "bit_sequence"):
            shape = ("bits", sub(d["bit_store_type"]), sub(d["bit_order_type"]))
        elif kind == "composite":
            shape = ("composite", path, fields(d.get("fields") or []))
        elif kind == "variant":
            vs = tuple(
                (v["index"], v["name"], fields(v.get("fields") or []))
                for v in sorted(d.get("variants") or [], key=lambda v: v["index"])
            )
            shape = _short_variant(path, vs) or ("variant", path, vs)
        else:  # pragma: no cover - unknown scale-info kind
            shape = ("unknown", kind, repr(d))
        if not cut:
            self._cache[tid] = shape
        return shape, cut


def _short_variant(path: str, vs: tuple) -> Shape | None:
    """``Option<T>`` / ``Result<T, E>`` when the enum has exactly the standard layout."""
    if (
        path == "Option"
        and len(vs) == 2
        and vs[0] == (0, "None", ())
        and vs[1][:2] == (1, "Some")
        and len(vs[1][2]) == 1
        and vs[1][2][0][:2] == (None, None)
    ):
        return ("option", vs[1][2][0][2])
    if (
        path == "Result"
        and len(vs) == 2
        and vs[0][:2] == (0, "Ok")
        and vs[1][:2] == (1, "Err")
        and all(len(v[2]) == 1 and v[2][0][:2] == (None, None) for v in vs)
    ):
        return ("result", vs[0][2][0][2], vs[1][2][0][2])
    return None


# -- rendering ----------------------------------------------------------------------------------------
def _opt(x: str | None) -> str:
    return "_" if x is None else x


def render_fields(fields: tuple) -> str:
    return ", ".join(f"{_opt(n)}:{_opt(tn)}:{render(s)}" for n, tn, s in fields)


def render_variant(v: tuple) -> str:
    index, name, fields = v
    return f"{index}:{name}" + (f"({render_fields(fields)})" if fields else "")


def render(s: Shape) -> str:
    kind = s[0]
    if kind == "prim":
        return s[1]
    if kind == "ref":
        return s[1]
    if kind == "compact":
        return f"Compact<{render(s[1])}>"
    if kind == "seq":
        return f"Vec<{render(s[1])}>"
    if kind == "array":
        return f"[{render(s[2])}; {s[1]}]"
    if kind == "tuple":
        items = [render(x) for x in s[1]]
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
    if kind == "option":
        return f"Option<{render(s[1])}>"
    if kind == "result":
        return f"Result<{render(s[1])}, {render(s[2])}>"
    if kind == "bits":
        return f"BitVec<{render(s[1])}, {render(s[2])}>"
    if kind == "composite":
        return f"{s[1]}{{{render_fields(s[2])}}}"
    if kind == "variant":
        return f"{s[1]}<{' | '.join(render_variant(v) for v in s[2])}>"
    return repr(s)


def short(text: str, limit: int = 240) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


# -- differences --------------------------------------------------------------------------------------
def diff(ours: Shape, theirs: Shape, where: str = "") -> list[str]:
    """Readable differences (``where: ours != theirs``), each at the innermost differing part."""
    if ours == theirs:
        return []
    at = f" at {where}" if where else ""
    if ours[0] != theirs[0] or ours[0] in ("prim", "ref", "bits"):
        return [f"shape{at} {short(render(ours))} != {short(render(theirs))}"]
    kind = ours[0]
    if kind in ("compact", "seq", "option"):
        return diff(ours[1], theirs[1], f"{where}.{kind}" if where else kind)
    if kind == "array":
        if ours[1] != theirs[1]:
            return [f"array length{at} {ours[1]} != {theirs[1]}"]
        return diff(ours[2], theirs[2], f"{where}.item" if where else "item")
    if kind == "result":
        return diff(ours[1], theirs[1], f"{where}.Ok" if where else "Ok") + diff(
            ours[2], theirs[2], f"{where}.Err" if where else "Err"
        )
    if kind == "tuple":
        if len(ours[1]) != len(theirs[1]):
            return [f"shape{at} {short(render(ours))} != {short(render(theirs))}"]
        out: list[str] = []
        for i, (a, b) in enumerate(zip(ours[1], theirs[1], strict=True)):
            out += diff(a, b, f"{where}.{i}" if where else str(i))
        return out
    if kind == "composite":
        if ours[1] != theirs[1]:
            return [f"path{at} {ours[1] or '<none>'} != {theirs[1] or '<none>'}"]
        return diff_fields(ours[2], theirs[2], where or ours[1])
    if kind == "variant":
        if ours[1] != theirs[1]:
            return [f"path{at} {ours[1] or '<none>'} != {theirs[1] or '<none>'}"]
        where = where or ours[1]
        mine = {v[0]: v for v in ours[2]}
        other = {v[0]: v for v in theirs[2]}
        out = []
        for idx in sorted(mine.keys() | other.keys()):
            a, b = mine.get(idx), other.get(idx)
            if a is None:
                out.append(f"{where}: variant {render_variant(b)} missing in ours")
            elif b is None:
                out.append(f"{where}: variant {render_variant(a)} not in finney")
            elif a[1] != b[1]:
                out.append(f"{where}: variant [{idx}] name {a[1]} != {b[1]}")
            else:
                out += diff_fields(a[2], b[2], f"{where}::{a[1]}")
        return out
    return [f"shape{at} {short(render(ours))} != {short(render(theirs))}"]


def diff_fields(ours: tuple, theirs: tuple, where: str) -> list[str]:
    names_a, names_b = [f[0] for f in ours], [f[0] for f in theirs]
    if names_a != names_b:
        return [f"{where}: field names {[_opt(n) for n in names_a]} != {[_opt(n) for n in names_b]}"]
    out = []
    for i, ((name, tn_a, s_a), (_, tn_b, s_b)) in enumerate(zip(ours, theirs, strict=True)):
        label = f"{where}.{name if name is not None else i}"
        if tn_a != tn_b:
            out.append(f"{label}: typeName {tn_a!r} != {tn_b!r}")
        out += diff(s_a, s_b, label)
    return out


def field_diffs(ours: tuple, theirs: tuple) -> list[str]:
    """Differences between two field lists (``Shapes.fields``), each prefixed ``field <name>``."""
    names_a, names_b = [f[0] for f in ours], [f[0] for f in theirs]
    if names_a != names_b:
        return [f"field names {[_opt(n) for n in names_a]} != {[_opt(n) for n in names_b]}"]
    out = []
    for i, ((name, tn_a, s_a), (_, tn_b, s_b)) in enumerate(zip(ours, theirs, strict=True)):
        label = f"field {name if name is not None else i}"
        if tn_a != tn_b:
            out.append(f"{label}: typeName {tn_a!r} != {tn_b!r}")
        out += [f"{label}: {d}" for d in diff(s_a, s_b)]
    return out


_HEX = re.compile(r"0x(?:[0-9a-fA-F]{2})*")


def as_bytes(value: Any) -> bytes:
    """Bytes of a decoded ``Bytes`` value (scalecodec yields text when it is UTF-8, else 0x-hex)."""
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if isinstance(value, list):
        return bytes(value)
    if isinstance(value, str) and _HEX.fullmatch(value):
        return bytes.fromhex(value[2:])
    return str(value).encode()
