"""A devnet runtime: its type registry, its V14 and V15 metadata, and the encoders that use them.

:class:`DevRuntime` turns the declarations of :mod:`sentinel_core.devnet.pallets` into a portable
registry with the runtime enums (``RuntimeCall``, ``RuntimeEvent``, ``RuntimeError``), encodes the
metadata once (V14 for ``state_getMetadata``, V15 for ``Metadata_metadata_at_version``) and offers
the encoders the chain simulation needs: calls, event records, extrinsics, storage keys and values,
runtime-API answers.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import xxhash

from ..scale import compact
from . import pallets as finney
from .spec import Api, ApiMethod, Pallet, Storage
from .types import Registry

META_MAGIC = b"meta"
SPEC_NAME = "node-subtensor"
_CALL_TYPENAME = (
    "self::sp_api_hidden_includes_construct_runtime::hidden_include::dispatch\n"
    "::CallableCallFor<{name}, Runtime>"
)


def blake2_256(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=32).digest()


def twox128(data: bytes) -> bytes:
    return xxhash.xxh64_intdigest(data, seed=0).to_bytes(8, "little") + xxhash.xxh64_intdigest(
        data, seed=1
    ).to_bytes(8, "little")


def hash_key(hasher: str, data: bytes) -> bytes:
    if hasher == "Identity":
        return data
    if hasher == "Twox64Concat":
        return xxhash.xxh64_intdigest(data, seed=0).to_bytes(8, "little") + data
    if hasher == "Blake2_128Concat":
        return hashlib.blake2b(data, digest_size=16).digest() + data
    if hasher == "Twox128":
        return twox128(data)
    if hasher == "Blake2_128":
        return hashlib.blake2b(data, digest_size=16).digest()
    if hasher == "Blake2_256":
        return blake2_256(data)
    raise ValueError(f"unsupported storage hasher {hasher}")


def api_id(name: str) -> str:
    """The 8-byte runtime-API id announced in RuntimeVersion.apis (blake2_64 of the trait name)."""
    return "0x" + hashlib.blake2b(name.encode(), digest_size=8).hexdigest()


@dataclass(frozen=True)
class RuntimeSpec:
    """What distinguishes one devnet runtime from another."""

    spec_version: int = 300
    impl_version: int = 1
    transaction_version: int = 1
    pallets: Sequence[Pallet] = finney.PALLETS
    apis: Sequence[Api] = finney.APIS
    declare_types: Any = finney.declare_types


_OuterVariant = tuple[str, int, list[tuple[str | None, str, str]]]
"""A variant of an outer enum (RuntimeCall, RuntimeEvent, RuntimeError): ``(pallet, index, [field])``."""


class DevRuntime:
    def __init__(self, spec: RuntimeSpec | None = None) -> None:
        self.spec = spec or RuntimeSpec()
        self.spec_version = self.spec.spec_version
        self.pallets: dict[str, Pallet] = {p.name: p for p in self.spec.pallets}
        self.apis: dict[str, Api] = {a.name: a for a in self.spec.apis}
        self.reg = reg = Registry()
        self.call_ty = reg.reserve("RuntimeCall", "node_subtensor_runtime::RuntimeCall")
        self.event_ty = reg.reserve("RuntimeEvent", "node_subtensor_runtime::RuntimeEvent")
        self.error_ty = reg.reserve("RuntimeError", "node_subtensor_runtime::RuntimeError")
        self.spec.declare_types(reg)
        call_vars: list[_OuterVariant] = []
        event_vars: list[_OuterVariant] = []
        error_vars: list[_OuterVariant] = []
        self._enum_ids: dict[tuple[str, str], int] = {}
        for p in self.spec.pallets:
            crate = p.path.split("::")[0]
            for kind, variants, out in (
                ("Call", p.calls, call_vars),
                ("Event", p.events, event_vars),
                ("Error", p.errors, error_vars),
            ):
                if variants is None:
                    continue
                tid = reg.variant(
                    f"{p.name}{kind}",
                    f"{p.path}::{kind}",
                    [(v.name, v.index, list(v.fields)) for v in variants],
                    [("T", None)],
                )
                self._enum_ids[(p.name, kind)] = tid
                type_name = (
                    _CALL_TYPENAME.format(name=p.name)
                    if kind == "Call"
                    else finney.OUTER_ENUM_TYPE_NAMES.get((p.name, kind), f"{crate}::{kind}<Runtime>")
                )
                out.append((p.name, p.index, [(None, type_name, f"{p.name}{kind}")]))
        reg.fill_variant(self.call_ty, call_vars)
        reg.fill_variant(self.event_ty, event_vars)
        reg.fill_variant(self.error_ty, error_vars)
        self.runtime_ty = reg.composite("Runtime", "node_subtensor_runtime::Runtime", [])
        self._extensions = [(ident, reg.ty(ty), reg.ty(add)) for ident, ty, add in finney.SIGNED_EXTENSIONS]
        self.extra_ty = reg.ty(
            "(" + ", ".join(finney.TX_EXTENSION) + (",)" if len(finney.TX_EXTENSION) == 1 else ")")
        )
        self.address_ty = reg.ty(finney.ADDRESS)
        self.signature_ty = reg.ty(finney.SIGNATURE)
        params = [("Address", finney.ADDRESS), ("Call", "RuntimeCall"), ("Signature", finney.SIGNATURE)]
        inner = reg.composite(
            "GenericUncheckedExtrinsic",
            "sp_runtime::generic::unchecked_extrinsic::UncheckedExtrinsic",
            [(None, None, "Vec<u8>")],
            [*params, ("Extra", self.extra_ty)],
        )
        self.extrinsic_ty = reg.composite(
            "UncheckedExtrinsic",
            "fp_self_contained::unchecked_extrinsic::UncheckedExtrinsic",
            [(None, "generic::UncheckedExtrinsic<Address, Call, Signature, Extension>", inner)],
            [*params, ("Extension", self.extra_ty)],
        )
        self._storage: dict[tuple[str, str], Storage] = {
            (p.name, s.name): s for p in self.spec.pallets for s in (p.storage or ())
        }
        self._event_record = reg.encoder("frame_system::EventRecord")
        self._call = reg.encoder("RuntimeCall")
        self._event = reg.encoder("RuntimeEvent")
        self._api_outputs: dict[tuple[str, str], Any] = {}

    # -- metadata ---------------------------------------------------------------------------------
    def _pallet_dicts(self, v15: bool) -> list[dict[str, Any]]:
        out = []
        for p in self.spec.pallets:
            storage = None
            if p.storage:
                entries = []
                for s in p.storage:
                    if s.key is None:
                        st_type: dict[str, Any] = {"Plain": self.reg.ty(s.value)}
                    else:
                        st_type = {
                            "Map": {
                                "hashers": list(s.hashers),
                                "key": self.reg.ty(s.key),
                                "value": self.reg.ty(s.value),
                            }
                        }
                    entries.append(
                        {
                            "name": s.name,
                            "modifier": s.modifier,
                            "type": st_type,
                            "default": "0x" + s.default.hex(),
                            "documentation": [],
                        }
                    )
                storage = {"prefix": p.name, "entries": entries}
            d: dict[str, Any] = {
                "name": p.name,
                "storage": storage,
                "calls": self._ty_ref(p.name, "Call"),
                "event": self._ty_ref(p.name, "Event"),
                "constants": [
                    {"name": n, "type": self.reg.ty(t), "value": "0x" + v.hex(), "documentation": []}
                    for n, t, v in p.constants
                ],
                "error": self._ty_ref(p.name, "Error"),
                "index": p.index,
            }
            if v15:
                d["docs"] = []
            out.append(d)
        return out

    def _ty_ref(self, pallet: str, kind: str) -> dict[str, int] | None:
        tid = self._enum_ids.get((pallet, kind))
        return None if tid is None else {"ty": tid}

    def _ext_dicts(self) -> list[dict[str, Any]]:
        return [{"identifier": i, "ty": t, "additional_signed": a} for i, t, a in self._extensions]

    def _metadata_dict(self, version: int) -> dict[str, Any]:
        types = {"types": self.reg.types}
        if version == 14:
            body = {
                "types": types,
                "pallets": self._pallet_dicts(False),
                "extrinsic": {"ty": self.extrinsic_ty, "version": 4, "signed_extensions": self._ext_dicts()},
                "runtime_type": self.runtime_ty,
            }
        else:
            body = {
                "types": types,
                "pallets": self._pallet_dicts(True),
                "extrinsic": {
                    "version": 4,
                    "address_ty": self.address_ty,
                    "call_ty": self.call_ty,
                    "signature_ty": self.signature_ty,
                    "extra_ty": self.extra_ty,
                    "signed_extensions": self._ext_dicts(),
                },
                "runtime_type": self.runtime_ty,
                "apis": [
                    {
                        "name": a.name,
                        "methods": [
                            {
                                "name": m.name,
                                "inputs": [{"name": n, "ty": self.reg.ty(t)} for n, t in m.inputs],
                                "output": self.reg.ty(m.output),
                                "docs": [],
                            }
                            for m in a.methods
                        ],
                        "docs": [],
                    }
                    for a in self.spec.apis
                ],
                "outer_enums": {
                    "call_enum_ty": self.call_ty,
                    "event_enum_ty": self.event_ty,
                    "error_enum_ty": self.error_ty,
                },
                "custom": {"map": []},
            }
        return {f"V{version}": body}

    def _encode_metadata(self, version: int) -> bytes:
        # Imported here: the codec is only needed once per runtime, when the metadata is first served.
        from scalecodec.base import RuntimeConfigurationObject
        from scalecodec.type_registry import load_type_registry_preset

        rc = RuntimeConfigurationObject()
        core = load_type_registry_preset(name="core")
        assert core is not None, "scalecodec ships the core type registry"
        rc.update_type_registry(core)
        obj = rc.create_scale_object("MetadataVersioned")
        return bytes(obj.encode(("0x6d657461", self._metadata_dict(version))).data)

    @cached_property
    def metadata_v14(self) -> bytes:
        """``state_getMetadata``: magic, version byte 14, body."""
        return self._encode_metadata(14)

    @cached_property
    def metadata_v15(self) -> bytes:
        """The raw V15 metadata (magic, version byte 15, body)."""
        return self._encode_metadata(15)

    def metadata_at_version(self, version: int) -> bytes:
        """``Metadata_metadata_at_version`` answer: ``Option<OpaqueMetadata>``."""
        if version == 14:
            raw = self.metadata_v14
        elif version == 15:
            raw = self.metadata_v15
        else:
            return b"\x00"
        return b"\x01" + compact(len(raw)) + raw

    def runtime_version(self) -> dict[str, Any]:
        return {
            "specName": SPEC_NAME,
            "implName": SPEC_NAME,
            "authoringVersion": 1,
            "specVersion": self.spec_version,
            "implVersion": self.spec.impl_version,
            "apis": [[api_id(a.name), 1] for a in self.spec.apis],
            "transactionVersion": self.spec.transaction_version,
            "stateVersion": 1,
        }

    # -- encoding -----------------------------------------------------------------------------------
    def pallet(self, name: str) -> Pallet:
        return self.pallets[name]

    def encode_call(self, pallet: str, call: str, args: dict[str, Any] | None = None) -> bytes:
        return self._call((pallet, (call, args or {})))

    def encode_event_record(self, phase: Any, pallet: str, event: str, fields: Any = None) -> bytes:
        """``phase``: an extrinsic index (ApplyExtrinsic), ``"Initialization"`` or ``"Finalization"``."""
        ph = ("ApplyExtrinsic", phase) if isinstance(phase, int) else phase
        return self._event_record({"phase": ph, "event": (pallet, (event, fields)), "topics": []})

    def module_error(self, pallet: str, error: str) -> dict[str, Any]:
        """A ``DispatchError::Module`` value naming ``pallet``'s error ``error``."""
        p = self.pallets[pallet]
        return {"Module": {"index": p.index, "error": bytes((p.error(error).index, 0, 0, 0))}}

    def encode_signed_extrinsic(self, signer: bytes, nonce: int, call: bytes, tip: int = 0) -> bytes:
        """A v4 signed extrinsic (length-prefixed), immortal era, a deterministic fake signature."""
        signature = hashlib.blake2b(signer + nonce.to_bytes(8, "little") + call, digest_size=64).digest()
        extra = b"".join(self._extension_bytes(ident, nonce, tip) for ident, _, _ in self._extensions)
        body = b"\x84" + b"\x00" + signer + b"\x01" + signature + extra + call
        return compact(len(body)) + body

    @staticmethod
    def _extension_bytes(ident: str, nonce: int, tip: int) -> bytes:
        if ident == "CheckMortality":
            return b"\x00"  # Era::Immortal
        if ident == "CheckNonce":
            return compact(nonce)
        if ident == "ChargeTransactionPayment":
            return compact(tip)
        if ident == "CheckMetadataHash":
            return b"\x00"  # Mode::Disabled
        return b""

    @staticmethod
    def encode_unsigned_extrinsic(call: bytes) -> bytes:
        body = b"\x04" + call
        return compact(len(body)) + body

    # -- storage ------------------------------------------------------------------------------------
    def storage(self, pallet: str, item: str) -> Storage:
        return self._storage[(pallet, item)]

    def storage_prefix(self, pallet: str, item: str) -> bytes:
        return twox128(pallet.encode()) + twox128(item.encode())

    def storage_key(self, pallet: str, item: str, *keys: Any) -> bytes:
        s = self._storage[(pallet, item)]
        key = self.storage_prefix(pallet, item)
        if s.key is None:
            return key
        key_exprs = _tuple_items(s.key) if len(s.hashers) > 1 else [s.key]
        for hasher, expr, k in zip(s.hashers, key_exprs, keys, strict=True):
            key += hash_key(hasher, self.reg.encode(expr, k))
        return key

    def encode_storage_value(self, pallet: str, item: str, value: Any) -> bytes:
        return self.reg.encode(self._storage[(pallet, item)].value, value)

    # -- runtime APIs -------------------------------------------------------------------------------
    def api_method(self, api: str, method: str) -> ApiMethod | None:
        a = self.apis.get(api)
        if a is None:
            return None
        return next((m for m in a.methods if m.name == method), None)

    def encode_api_output(self, api: str, method: str, value: Any) -> bytes:
        m = self.api_method(api, method)
        if m is None:
            raise KeyError(f"{api}_{method}")
        return self.reg.encode(m.output, value)


def _tuple_items(expr: str) -> list[str]:
    from .types import _split_args

    return _split_args(expr.strip()[1:-1])
