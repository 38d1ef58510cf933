"""A portable type registry (scale-info shape) and a fast SCALE encoder for the devnet.

The devnet declares its runtime with type expressions such as ``"Vec<u16>"``, ``"Compact<u64>"``,
``"Option<AccountId32>"``, ``"[u8; 32]"`` or ``"(u16, u16)"`` and named types registered with
:meth:`Registry.composite` / :meth:`Registry.variant` / :meth:`Registry.alias`. The registry assigns
type ids exactly as a runtime's ``PortableRegistry`` does, so the metadata built from it decodes in
any Substrate client, and it compiles one encoder function per type so that blocks, events and
runtime-API answers are encoded without going through a generic codec.

Encoder value conventions: integers for numbers, ``bool``, ``bytes`` (or 0x-hex) for ``[u8; N]`` and
``Vec<u8>``; a dict for a composite with named fields, the bare value for a one-field composite, a
list/tuple otherwise; a variant is its name (no fields), ``(name, value)`` or ``{name: value}``;
``Option`` takes ``None`` or the inner value.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Sequence
from typing import Any

from ..scale import compact

Encoder = Callable[[Any], bytes]
Declaration = tuple[Any, ...]
"""A field ``(name | None, typeName | None, type_expr)``, a variant ``(name, index, fields)`` or a type
parameter ``(name, type_expr | None)``."""


class Raw(bytes):
    """Already-encoded bytes, accepted in place of a variant value (e.g. an inner RuntimeCall)."""


_INT_SIZES = {
    "u8": 1,
    "u16": 2,
    "u32": 4,
    "u64": 8,
    "u128": 16,
    "u256": 32,
    "i8": 1,
    "i16": 2,
    "i32": 4,
    "i64": 8,
    "i128": 16,
    "i256": 32,
}
_STRUCT = {
    "u8": "<B",
    "u16": "<H",
    "u32": "<I",
    "u64": "<Q",
    "i8": "<b",
    "i16": "<h",
    "i32": "<i",
    "i64": "<q",
}
PRIMITIVES = frozenset({*_INT_SIZES, "bool", "str", "char"})


def as_bytes(value: Any) -> bytes:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, str):
        return bytes.fromhex(value.removeprefix("0x"))
    if isinstance(value, (list, tuple)):
        return bytes(value)
    raise TypeError(f"expected bytes, got {type(value).__name__}")


def _split_args(s: str) -> list[str]:
    """Split a comma separated list at the top nesting level."""
    out: list[str] = []
    cur: list[str] = []
    depth = 0
    for ch in s:
        if ch in "<([":
            depth += 1
        elif ch in ">)]":
            depth -= 1
        if ch == "," and depth == 0:
            out.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
    if "".join(cur).strip():
        out.append("".join(cur).strip())
    return out


class Registry:
    """Types in declaration order, deduplicated; ``types`` is the metadata's portable registry."""

    def __init__(self) -> None:
        self.types: list[dict[str, Any]] = []
        self._by_key: dict[str, int] = {}
        self._named: dict[str, int] = {}
        self._aliases: dict[str, str] = {}
        self._encoders: dict[int, Encoder] = {}

    # -- declaring -------------------------------------------------------------------------
    def _add(
        self,
        key: str | None,
        type_def: dict[str, Any],
        path: list[str] | None = None,
        params: list[dict[str, Any]] | None = None,
    ) -> int:
        if key is not None and key in self._by_key:
            return self._by_key[key]
        tid = len(self.types)
        self.types.append(
            {"id": tid, "type": {"path": path or [], "params": params or [], "def": type_def, "docs": []}}
        )
        if key is not None:
            self._by_key[key] = tid
        return tid

    def reserve(self, name: str, path: str) -> int:
        """Reserve an id for a recursive type (e.g. RuntimeCall); fill it with :meth:`fill_variant`."""
        tid = self._add(None, {"variant": {"variants": []}}, path.split("::"))
        self._named[name] = tid
        return tid

    def fill_variant(self, tid: int, variants: Sequence[Declaration]) -> None:
        self.types[tid]["type"]["def"] = {"variant": {"variants": self._variants(variants)}}
        self._encoders.pop(tid, None)

    def alias(self, name: str, target: str) -> None:
        """``NetUid`` -> ``u16``: a name usable in expressions for another type (no new type id)."""
        self._aliases[name] = target

    def composite(
        self, name: str, path: str, fields: Sequence[Declaration], params: Sequence[Declaration] = ()
    ) -> int:
        """Declare a named struct; ``fields`` are ``(name | None, typeName | None, type_expr)``."""
        if name in self._named:
            return self._named[name]
        tid = self._add(
            f"composite:{path}:{name}",
            {"composite": {"fields": self._fields(fields)}},
            path.split("::") if path else [],
            self._params(params),
        )
        self._named[name] = tid
        return tid

    def variant(
        self, name: str, path: str, variants: Sequence[Declaration], params: Sequence[Declaration] = ()
    ) -> int:
        """Declare a named enum; ``variants`` are ``(name, index, fields)``."""
        if name in self._named:
            return self._named[name]
        tid = self._add(
            f"variant:{path}:{name}",
            {"variant": {"variants": self._variants(variants)}},
            path.split("::") if path else [],
            self._params(params),
        )
        self._named[name] = tid
        return tid

    def _fields(self, fields: Sequence[Declaration]) -> list[dict[str, Any]]:
        return [
            {"name": fname, "type": self.ty(texpr), "typeName": tname, "docs": []}
            for fname, tname, texpr in fields
        ]

    def _variants(self, variants: Sequence[Declaration]) -> list[dict[str, Any]]:
        return [
            {"name": vname, "fields": self._fields(vfields), "index": idx, "docs": []}
            for vname, idx, vfields in variants
        ]

    def _params(self, params: Sequence[Declaration]) -> list[dict[str, Any]]:
        return [{"name": pname, "type": None if pexpr is None else self.ty(pexpr)} for pname, pexpr in params]

    # -- resolving expressions ----------------------------------------------------------------
    def ty(self, expr: str | int) -> int:
        """The type id of a type expression, declaring anonymous types on first use."""
        if isinstance(expr, int):
            return expr
        expr = expr.strip()
        if expr in self._aliases:
            return self.ty(self._aliases[expr])
        if expr in self._named:
            return self._named[expr]
        if expr in self._by_key:
            return self._by_key[expr]
        if expr in PRIMITIVES:
            return self._add(expr, {"primitive": expr})
        if expr == "()":
            return self._add("()", {"tuple": []})
        if expr.startswith("(") and expr.endswith(")"):
            items = [self.ty(x) for x in _split_args(expr[1:-1])]
            return self._add(expr, {"tuple": items})
        if expr.startswith("[") and expr.endswith("]"):
            inner, length = expr[1:-1].rsplit(";", 1)
            return self._add(expr, {"array": {"len": int(length), "type": self.ty(inner)}})
        if "<" in expr and expr.endswith(">"):
            head, rest = expr.split("<", 1)
            args = _split_args(rest[:-1])
            if head == "Compact":
                return self._add(expr, {"compact": {"type": self.ty(args[0])}})
            if head == "Vec":
                return self._add(expr, {"sequence": {"type": self.ty(args[0])}})
            if head == "Option":
                some = self.ty(args[0])
                return self._add(
                    expr,
                    {
                        "variant": {
                            "variants": [
                                {"name": "None", "fields": [], "index": 0, "docs": []},
                                {
                                    "name": "Some",
                                    "fields": [{"name": None, "type": some, "typeName": None, "docs": []}],
                                    "index": 1,
                                    "docs": [],
                                },
                            ]
                        }
                    },
                    ["Option"],
                    [{"name": "T", "type": some}],
                )
            if head == "Result":
                ok, err = self.ty(args[0]), self.ty(args[1])
                return self._add(
                    expr,
                    {
                        "variant": {
                            "variants": [
                                {
                                    "name": "Ok",
                                    "fields": [{"name": None, "type": ok, "typeName": None, "docs": []}],
                                    "index": 0,
                                    "docs": [],
                                },
                                {
                                    "name": "Err",
                                    "fields": [{"name": None, "type": err, "typeName": None, "docs": []}],
                                    "index": 1,
                                    "docs": [],
                                },
                            ]
                        }
                    },
                    ["Result"],
                    [{"name": "T", "type": ok}, {"name": "E", "type": err}],
                )
            if head == "BoundedVec":
                vec = self.ty(f"Vec<{args[0]}>")
                return self._add(
                    expr,
                    {
                        "composite": {
                            "fields": [{"name": None, "type": vec, "typeName": f"Vec<{args[0]}>", "docs": []}]
                        }
                    },
                    ["bounded_collections", "bounded_vec", "BoundedVec"],
                    [{"name": "T", "type": self.ty(args[0])}, {"name": "S", "type": None}],
                )
        raise KeyError(f"unknown type expression {expr!r}")

    def type_def(self, tid: int) -> dict[str, Any]:
        found: dict[str, Any] = self.types[tid]["type"]
        return found

    # -- encoding -------------------------------------------------------------------------------
    def encoder(self, expr: str | int) -> Encoder:
        tid = self.ty(expr)
        enc = self._encoders.get(tid)
        if enc is None:
            # Install a trampoline first so recursive types (RuntimeCall in Sudo.sudo) resolve.
            def trampoline(v: Any, _t: int = tid) -> bytes:
                return self._encoders[_t](v)

            self._encoders[tid] = trampoline
            enc = self._compile(tid)
            self._encoders[tid] = enc
        return enc

    def encode(self, expr: str | int, value: Any) -> bytes:
        return self.encoder(expr)(value)

    def _is_u8(self, tid: int) -> bool:
        return bool(self.types[tid]["type"]["def"] == {"primitive": "u8"})

    def _compile(self, tid: int) -> Encoder:  # noqa: C901 - one branch per SCALE kind
        t = self.types[tid]["type"]
        ((kind, d),) = t["def"].items()
        if kind == "primitive":
            return _primitive_encoder(d)
        if kind == "compact":
            return lambda v: compact(int(v if not isinstance(v, dict) else next(iter(v.values()))))
        if kind == "sequence":
            if self._is_u8(d["type"]):
                return lambda v: (lambda b: compact(len(b)) + b)(as_bytes(v))
            item = self.encoder(d["type"])
            return lambda v: compact(len(v)) + b"".join(item(x) for x in v)
        if kind == "array":
            n = d["len"]
            if self._is_u8(d["type"]):

                def enc_bytes(v: Any, n: int = n) -> bytes:
                    b = as_bytes(v)
                    if len(b) != n:
                        raise ValueError(f"expected {n} bytes, got {len(b)}")
                    return b

                return enc_bytes
            item = self.encoder(d["type"])
            return lambda v: b"".join(item(x) for x in v)
        if kind == "tuple":
            items = [self.encoder(x) for x in d]
            if not items:
                return lambda v: b""
            return lambda v: b"".join(e(x) for e, x in zip(items, v, strict=True))
        if kind == "composite":
            return self._fields_encoder(d["fields"], t["path"])
        if kind == "variant":
            if t["path"] == ["Option"]:
                inner = self.encoder(d["variants"][1]["fields"][0]["type"])
                return lambda v: b"\x00" if v is None else b"\x01" + inner(v)
            by_name = {
                var["name"]: (bytes((var["index"],)), self._fields_encoder(var["fields"], t["path"]))
                for var in d["variants"]
            }
            path = "::".join(t["path"])

            def enc_variant(v: Any) -> bytes:
                if isinstance(v, Raw):
                    return bytes(v)
                if isinstance(v, str):
                    name, payload = v, None
                elif isinstance(v, dict) and len(v) == 1:
                    ((name, payload),) = v.items()
                else:
                    name, payload = v
                try:
                    prefix, fenc = by_name[name]
                except KeyError:
                    raise ValueError(f"{path} has no variant {name!r}") from None
                return prefix + fenc(payload)

            return enc_variant
        raise ValueError(f"cannot encode type kind {kind}")

    def _fields_encoder(self, fields: list[dict[str, Any]], path: list[str]) -> Encoder:
        if not fields:
            return lambda v: b""
        encs = [self.encoder(f["type"]) for f in fields]
        if len(fields) == 1 and fields[0]["name"] is None:
            return encs[0]
        if fields[0]["name"] is None:
            return lambda v: b"".join(e(x) for e, x in zip(encs, v, strict=True))
        names = [f["name"] for f in fields]
        where = "::".join(path)

        def enc_named(v: Any) -> bytes:
            if not isinstance(v, dict):
                v = dict(zip(names, v, strict=True))
            try:
                return b"".join(e(v[n]) for e, n in zip(encs, names))
            except KeyError as exc:
                raise ValueError(f"{where or 'struct'} needs field {exc.args[0]!r}") from None

        return enc_named


def _primitive_encoder(name: str) -> Encoder:
    if name == "bool":
        return lambda v: b"\x01" if v else b"\x00"
    if name == "str":
        return lambda v: (lambda b: compact(len(b)) + b)(v.encode() if isinstance(v, str) else as_bytes(v))
    if name in _STRUCT:
        packer = struct.Struct(_STRUCT[name]).pack
        return lambda v: packer(int(v))
    if name in _INT_SIZES:
        size, signed = _INT_SIZES[name], name.startswith("i")
        return lambda v: int(v).to_bytes(size, "little", signed=signed)
    if name == "char":
        return lambda v: ord(v).to_bytes(4, "little")
    raise ValueError(f"unknown primitive {name}")
