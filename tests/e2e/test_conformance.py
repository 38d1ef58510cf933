"""The devnet's metadata against the recorded finney metadata.

Both sides go through the real decoder (scalecodec's ``MetadataVersioned``, as the substrate
interface does): ours from :class:`DevRuntime`'s V14 / V15 bytes, finney's from the recorded
``state_getMetadata`` answer (V14) and ``Metadata_metadata_at_version(15)`` answer (V15). Everything
the devnet declares must match finney: pallet names and indices; every call / event / error variant
(index, name, field names, field typeNames, field type shapes); every storage entry (modifier, hashers,
key and value shapes, default bytes); every constant; every runtime-API method (V15); the signed
extensions; and the runtime enums (every variant of ours exists in finney's). Type ids differ between
the registries, so types are compared by shape (see ``tests/conformance_shapes.py``).

The finney recordings live outside the repository, in ``../shared/fixtures/finney``; the tests that
need them skip when that folder is absent.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import pytest
from async_substrate_interface.types import _decode_option_opaque_metadata
from scalecodec.base import RuntimeConfigurationObject, ScaleBytes
from scalecodec.type_registry import load_type_registry_preset

from sentinel_core.devnet.metadata import DevRuntime

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from conformance_shapes import Shapes, as_bytes, diff, field_diffs, render

FINNEY_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "finney"
FINNEY_V14 = FINNEY_DIR / "metadata_v14.hex"
FINNEY_V15 = FINNEY_DIR / "metadata_at_version_15.hex"
RUNTIME = "node_subtensor_runtime"
VERSIONS = (14, 15)


# -- decoding -----------------------------------------------------------------------------------------
def _decode(raw: bytes, version: int) -> dict[str, Any]:
    rc = RuntimeConfigurationObject()
    rc.update_type_registry(load_type_registry_preset(name="core"))
    m = rc.create_scale_object("MetadataVersioned", data=ScaleBytes(raw))
    m.decode()
    magic, body = m.value
    assert magic == "0x6d657461", f"bad metadata magic {magic}"
    assert f"V{version}" in body, f"expected V{version} metadata, got {list(body)}"
    return body[f"V{version}"]


def _hex_file(path: Path) -> bytes:
    return bytes.fromhex(path.read_text().strip().removeprefix("0x"))


@dataclass
class Meta:
    """One decoded metadata body with lookups by name and a shape builder for its registry."""

    who: str
    version: int
    body: dict[str, Any]

    @cached_property
    def shapes(self) -> Shapes:
        return Shapes(self.body["types"])

    @cached_property
    def pallets(self) -> dict[str, dict[str, Any]]:
        return {p["name"]: p for p in self.body["pallets"]}

    @cached_property
    def apis(self) -> dict[str, dict[str, Any]]:
        return {a["name"]: a for a in self.body.get("apis") or []}

    def enum_variants(self, pallet: dict[str, Any], kind: str) -> dict[int, dict[str, Any]] | None:
        ref = pallet.get(kind)
        if ref is None:
            return None
        return {v["index"]: v for v in self.shapes.variants(ref["ty"])}

    def runtime_enum(self, name: str) -> int | None:
        """Type id of ``node_subtensor_runtime::<name>`` (V15: from ``outer_enums`` when present)."""
        outer = self.body.get("outer_enums") or {}
        key = {
            "RuntimeCall": "call_enum_ty",
            "RuntimeEvent": "event_enum_ty",
            "RuntimeError": "error_enum_ty",
        }.get(name)
        if key in outer:
            return outer[key]
        for tid in self.shapes.types:
            if self.shapes.path(tid) == f"{RUNTIME}::{name}":
                return tid
        return None


@pytest.fixture(scope="module")
def ours() -> dict[int, Meta]:
    rt = DevRuntime()
    assert rt.metadata_at_version(15)[1:].endswith(rt.metadata_v15)
    opaque_v15 = _decode_option_opaque_metadata(rt.metadata_at_version(15))
    return {14: Meta("ours", 14, _decode(rt.metadata_v14, 14)), 15: Meta("ours", 15, _decode(opaque_v15, 15))}


@pytest.fixture(scope="module")
def finney() -> dict[int, Meta]:
    if not (FINNEY_V14.is_file() and FINNEY_V15.is_file()):
        pytest.skip(
            f"finney metadata recordings not found in {FINNEY_DIR} "
            "(metadata_v14.hex, metadata_at_version_15.hex)"
        )
    return {
        14: Meta("finney", 14, _decode(_hex_file(FINNEY_V14), 14)),
        15: Meta("finney", 15, _decode(_decode_option_opaque_metadata(_hex_file(FINNEY_V15)), 15)),
    }


def _fail_on(problems: list[str], what: str) -> None:
    if problems:
        listing = "\n".join(f"  - {p}" for p in problems)
        pytest.fail(f"{len(problems)} difference(s) between {what}:\n{listing}", pytrace=False)


# -- comparisons --------------------------------------------------------------------------------------
_KINDS = (("calls", "call"), ("event", "event"), ("error", "error"))


def _pallet_problems(o: Meta, f: Meta) -> list[str]:
    out: list[str] = []
    for name, op in o.pallets.items():
        fp = f.pallets.get(name)
        if fp is None:
            out.append(f"pallet {name} does not exist on finney")
            continue
        if op["index"] != fp["index"]:
            out.append(f"{name}: pallet index {op['index']} != {fp['index']}")
        for key, label in _KINDS:
            out += _variant_problems(o, f, op, fp, key, label)
        out += _storage_problems(o, f, op, fp)
        out += _constant_problems(o, f, op, fp)
    return out


def _variant_problems(o: Meta, f: Meta, op: dict, fp: dict, key: str, label: str) -> list[str]:
    name = op["name"]
    mine = o.enum_variants(op, key)
    if mine is None:
        return []
    theirs = f.enum_variants(fp, key)
    if theirs is None:
        return [f"{name}: declares {label}s but finney's {name} has none"]
    out = []
    o_path, f_path = o.shapes.path(op[key]["ty"]), f.shapes.path(fp[key]["ty"])
    if o_path != f_path:
        out.append(f"{name}.{label} enum path {o_path} != {f_path}")
    for idx, v in sorted(mine.items()):
        where = f"{name}.{label}[{idx}] {v['name']}"
        fv = theirs.get(idx)
        if fv is None:
            other = next((i for i, x in theirs.items() if x["name"] == v["name"]), None)
            hint = f" (finney has it at index {other})" if other is not None else ""
            out.append(f"{where}: no {label} with index {idx} on finney{hint}")
            continue
        if fv["name"] != v["name"]:
            out.append(f"{where}: name {v['name']} != {fv['name']}")
            continue
        out += [
            f"{where} {d}"
            for d in field_diffs(
                o.shapes.fields(v.get("fields") or []), f.shapes.fields(fv.get("fields") or [])
            )
        ]
    return out


def _storage_type(meta: Meta, entry: dict) -> tuple[str, list[str], Any, Any]:
    st = entry["type"]
    if "Plain" in st:
        return "Plain", [], None, meta.shapes.shape(st["Plain"])
    m = st["Map"]
    return "Map", list(m["hashers"]), meta.shapes.shape(m["key"]), meta.shapes.shape(m["value"])


def _storage_problems(o: Meta, f: Meta, op: dict, fp: dict) -> list[str]:
    name = op["name"]
    if not op.get("storage"):
        return []
    if not fp.get("storage"):
        return [f"{name}: declares storage but finney's {name} has none"]
    out = []
    if op["storage"]["prefix"] != fp["storage"]["prefix"]:
        out.append(f"{name}: storage prefix {op['storage']['prefix']} != {fp['storage']['prefix']}")
    theirs = {e["name"]: e for e in fp["storage"]["entries"]}
    for e in op["storage"]["entries"]:
        where = f"{name}.storage {e['name']}"
        fe = theirs.get(e["name"])
        if fe is None:
            out.append(f"{where}: no such storage item on finney")
            continue
        if e["modifier"] != fe["modifier"]:
            out.append(f"{where}: modifier {e['modifier']} != {fe['modifier']}")
        (ok, oh, okey, oval), (fk, fh, fkey, fval) = _storage_type(o, e), _storage_type(f, fe)
        if ok != fk:
            out.append(f"{where}: kind {ok} != {fk}")
        if oh != fh:
            out.append(f"{where}: hashers {oh} != {fh}")
        if okey is not None and fkey is not None:
            out += [f"{where} key: {d}" for d in diff(okey, fkey)]
        out += [f"{where} value: {d}" for d in diff(oval, fval)]
        od, fd = as_bytes(e["default"]), as_bytes(fe["default"])
        if od != fd:
            out.append(f"{where}: default 0x{od.hex()} != 0x{fd.hex()}")
    return out


def _constant_problems(o: Meta, f: Meta, op: dict, fp: dict) -> list[str]:
    name = op["name"]
    theirs = {c["name"]: c for c in fp.get("constants") or []}
    out = []
    for c in op.get("constants") or []:
        where = f"{name}.constant {c['name']}"
        fc = theirs.get(c["name"])
        if fc is None:
            out.append(f"{where}: no such constant on finney")
            continue
        out += [f"{where}: {d}" for d in diff(o.shapes.shape(c["type"]), f.shapes.shape(fc["type"]))]
        ov, fv = as_bytes(c["value"]), as_bytes(fc["value"])
        if ov != fv:
            out.append(f"{where}: value 0x{ov.hex()} != 0x{fv.hex()}")
    return out


def _extension_problems(o: Meta, f: Meta) -> list[str]:
    out = []
    oe, fe = o.body["extrinsic"], f.body["extrinsic"]
    if oe["version"] != fe["version"]:
        out.append(f"extrinsic version {oe['version']} != {fe['version']}")
    o_ids = [x["identifier"] for x in oe["signed_extensions"]]
    f_ids = [x["identifier"] for x in fe["signed_extensions"]]
    if o_ids != f_ids:
        out.append(f"signed extension identifiers {o_ids} != {f_ids}")
    f_by_id = {x["identifier"]: x for x in fe["signed_extensions"]}
    for x in oe["signed_extensions"]:
        fx = f_by_id.get(x["identifier"])
        if fx is None:
            continue
        for key in ("ty", "additional_signed"):
            out += [
                f"signed extension {x['identifier']} {key}: {d}"
                for d in diff(o.shapes.shape(x[key]), f.shapes.shape(fx[key]))
            ]
    if o.version >= 15:
        for key in ("address_ty", "call_ty", "signature_ty", "extra_ty"):
            out += [f"extrinsic {key}: {d}" for d in diff(o.shapes.shape(oe[key]), f.shapes.shape(fe[key]))]
    else:
        out += [f"extrinsic type: {d}" for d in diff(o.shapes.shape(oe["ty"]), f.shapes.shape(fe["ty"]))]
    return out


def _api_problems(o: Meta, f: Meta) -> list[str]:
    out = []
    for name, api in o.apis.items():
        fa = f.apis.get(name)
        if fa is None:
            out.append(f"runtime API {name} does not exist on finney")
            continue
        f_methods = {m["name"]: m for m in fa["methods"]}
        for m in api["methods"]:
            where = f"{name}_{m['name']}"
            fm = f_methods.get(m["name"])
            if fm is None:
                out.append(f"{where}: no such method on finney")
                continue
            o_names = [i["name"] for i in m["inputs"]]
            f_names = [i["name"] for i in fm["inputs"]]
            if o_names != f_names:
                out.append(f"{where}: inputs {o_names} != {f_names}")
            else:
                for i, fi in zip(m["inputs"], fm["inputs"], strict=True):
                    out += [
                        f"{where} input {i['name']}: {d}"
                        for d in diff(o.shapes.shape(i["ty"]), f.shapes.shape(fi["ty"]))
                    ]
            out += [
                f"{where} output: {d}"
                for d in diff(o.shapes.shape(m["output"]), f.shapes.shape(fm["output"]))
            ]
    return out


def _runtime_enum_problems(o: Meta, f: Meta) -> list[str]:
    out = []
    for name in ("RuntimeCall", "RuntimeEvent", "RuntimeError", "OriginCaller"):
        o_ty, f_ty = o.runtime_enum(name), f.runtime_enum(name)
        if o_ty is None:
            if name != "OriginCaller":
                out.append(f"{name}: not in our registry")
            continue
        if f_ty is None:
            # V14 has no outer error enum: finney's V14 registry does not carry RuntimeError.
            if not (name == "RuntimeError" and f.version == 14):
                out.append(f"{name}: not in finney's registry")
            continue
        theirs = {v["index"]: v for v in f.shapes.variants(f_ty)}
        for v in o.shapes.variants(o_ty):
            where = f"{name}[{v['index']}] {v['name']}"
            fv = theirs.get(v["index"])
            if fv is None:
                out.append(f"{where}: no variant with index {v['index']} on finney")
                continue
            if fv["name"] != v["name"]:
                out.append(f"{where}: name {v['name']} != {fv['name']}")
                continue
            o_fields, f_fields = v.get("fields") or [], fv.get("fields") or []
            if [x.get("typeName") for x in o_fields] != [x.get("typeName") for x in f_fields]:
                out.append(
                    f"{where}: field typeNames {[x.get('typeName') for x in o_fields]} != "
                    f"{[x.get('typeName') for x in f_fields]}"
                )
            o_paths = [o.shapes.path(x["type"]) for x in o_fields]
            f_paths = [f.shapes.path(x["type"]) for x in f_fields]
            if o_paths != f_paths:
                out.append(f"{where}: field type paths {o_paths} != {f_paths}")
    return out


# -- tests --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("version", VERSIONS)
def test_pallets_match_finney(ours: dict[int, Meta], finney: dict[int, Meta], version: int) -> None:
    _fail_on(
        _pallet_problems(ours[version], finney[version]), f"the devnet's pallets and finney's (V{version})"
    )


@pytest.mark.parametrize("version", VERSIONS)
def test_signed_extensions_match_finney(ours: dict[int, Meta], finney: dict[int, Meta], version: int) -> None:
    _fail_on(
        _extension_problems(ours[version], finney[version]),
        f"the devnet's extrinsic format and finney's (V{version})",
    )


def test_runtime_apis_match_finney(ours: dict[int, Meta], finney: dict[int, Meta]) -> None:
    _fail_on(_api_problems(ours[15], finney[15]), "the devnet's runtime APIs and finney's (V15)")


@pytest.mark.parametrize("version", VERSIONS)
def test_runtime_enums_are_a_subset_of_finney(
    ours: dict[int, Meta], finney: dict[int, Meta], version: int
) -> None:
    _fail_on(
        _runtime_enum_problems(ours[version], finney[version]),
        f"the devnet's runtime enums and finney's (V{version})",
    )


@pytest.mark.parametrize("version", VERSIONS)
def test_declared_pallets_are_complete(ours: dict[int, Meta], finney: dict[int, Meta], version: int) -> None:
    """A pallet the devnet declares carries every call, event and error finney's has."""
    o, f = ours[version], finney[version]
    problems = []
    for name, op in o.pallets.items():
        fp = f.pallets.get(name)
        if fp is None:
            continue  # reported by test_pallets_match_finney
        for key, label in _KINDS:
            mine, theirs = o.enum_variants(op, key) or {}, f.enum_variants(fp, key) or {}
            problems += [
                f"{name}.{label}[{idx}] {v['name']}: not declared by the devnet"
                for idx, v in sorted(theirs.items())
                if idx not in mine
            ]
    _fail_on(problems, f"finney's pallets and the devnet's declarations (V{version})")


def test_v14_and_v15_declare_the_same_pallets(ours: dict[int, Meta]) -> None:
    """Both encodings come from one set of declarations; their pallets must be identical."""
    problems = []
    v14, v15 = ours[14], ours[15]
    if list(v14.pallets) != list(v15.pallets):
        problems.append(f"pallets {list(v14.pallets)} != {list(v15.pallets)}")
    for name, p14 in v14.pallets.items():
        p15 = v15.pallets.get(name)
        if p15 is None:
            continue
        for key, label in _KINDS:
            a, b = v14.enum_variants(p14, key), v15.enum_variants(p15, key)
            if (a is None) != (b is None):
                problems.append(f"{name}: {label}s only in V{14 if b is None else 15}")
            elif a is not None:
                sa = render(v14.shapes.shape(p14[key]["ty"]))
                sb = render(v15.shapes.shape(p15[key]["ty"]))
                if sa != sb:
                    problems.append(f"{name}.{label} enum differs between V14 and V15")
        e14 = [e["name"] for e in (p14.get("storage") or {}).get("entries", [])]
        e15 = [e["name"] for e in (p15.get("storage") or {}).get("entries", [])]
        if e14 != e15:
            problems.append(f"{name}: storage {e14} != {e15}")
    _fail_on(problems, "our V14 and V15 metadata")


# What Sentinel's own code relies on: (pallet, kind, name).
REQUIRED = (
    ("Sudo", "calls", "sudo"),
    ("Utility", "calls", "batch"),
    ("Utility", "calls", "batch_all"),
    ("Utility", "calls", "force_batch"),
    ("Proxy", "calls", "proxy"),
    ("AdminUtils", "calls", "sudo_set_tempo"),
    ("SubtensorModule", "calls", "schedule_swap_coldkey"),
    ("SubtensorModule", "calls", "register_network"),
    ("SubtensorModule", "calls", "dissolve_network"),
    ("System", "event", "ExtrinsicFailed"),
    ("SubtensorModule", "event", "TempoSet"),
    ("SubtensorModule", "storage", "Tempo"),
    ("System", "storage", "Events"),
    ("SubnetInfoRuntimeApi", "api", "get_subnet_hyperparams_v2"),
)


@pytest.mark.parametrize("version", VERSIONS)
def test_devnet_declares_what_sentinel_needs(ours: dict[int, Meta], version: int) -> None:
    meta = ours[version]
    missing = []
    for pallet, kind, item in REQUIRED:
        if kind == "api":
            if version < 15:
                continue
            api = meta.apis.get(pallet)
            if api is None or not any(m["name"] == item for m in api["methods"]):
                missing.append(f"runtime API {pallet}_{item}")
            continue
        p = meta.pallets.get(pallet)
        if p is None:
            missing.append(f"pallet {pallet} (for {kind} {item})")
        elif kind == "storage":
            if not any(e["name"] == item for e in (p.get("storage") or {}).get("entries", [])):
                missing.append(f"storage {pallet}.{item}")
        elif not any(v["name"] == item for v in (meta.enum_variants(p, kind) or {}).values()):
            missing.append(f"{kind} {pallet}.{item}")
    assert not missing, f"the devnet's V{version} metadata lacks: {', '.join(missing)}"
