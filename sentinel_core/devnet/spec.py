"""Plain declarations of a devnet runtime: pallets, their calls/events/errors/storage, runtime APIs.

Fields are ``(name | None, typeName | None, type_expr)`` with ``type_expr`` resolved by
:class:`sentinel_core.devnet.types.Registry`. Indices and names follow finney.
"""

from __future__ import annotations

from dataclasses import dataclass, field

FieldSpec = tuple[str | None, str | None, str]


@dataclass(frozen=True)
class Variant:
    index: int
    name: str
    fields: tuple[FieldSpec, ...] = ()


@dataclass(frozen=True)
class Storage:
    name: str
    value: str
    key: str | None = None
    """Key type expression for maps (a tuple expression for multi-key maps)."""
    hashers: tuple[str, ...] = ()
    modifier: str = "Default"
    default: bytes = b""


@dataclass(frozen=True)
class Pallet:
    name: str
    index: int
    path: str
    """Rust module of the pallet's enums, e.g. ``pallet_subtensor::pallet``."""
    calls: tuple[Variant, ...] | None = None
    events: tuple[Variant, ...] | None = None
    errors: tuple[Variant, ...] | None = None
    storage: tuple[Storage, ...] | None = None
    constants: tuple[tuple[str, str, bytes], ...] = ()

    def call(self, name: str) -> Variant:
        return _find(self.calls, name, f"{self.name} call")

    def event(self, name: str) -> Variant:
        return _find(self.events, name, f"{self.name} event")

    def error(self, name: str) -> Variant:
        return _find(self.errors, name, f"{self.name} error")


@dataclass(frozen=True)
class ApiMethod:
    name: str
    inputs: tuple[tuple[str, str], ...]
    output: str


@dataclass(frozen=True)
class Api:
    name: str
    methods: tuple[ApiMethod, ...] = field(default_factory=tuple)


def _find(variants: tuple[Variant, ...] | None, name: str, what: str) -> Variant:
    for v in variants or ():
        if v.name == name:
            return v
    raise KeyError(f"unknown {what} {name!r}")
