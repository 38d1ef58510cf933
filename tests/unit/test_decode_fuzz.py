"""Fuzzing the block decoder wrapper: garbage never escapes as anything but a recorded failure."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scalecodec.base import RuntimeConfigurationObject, ScaleBytes
from scalecodec.type_registry import load_type_registry_preset

from sentinel_core.chain.decode import build_block, decode_extrinsic_fast, decode_extrinsic_object
from sentinel_core.devnet.metadata import DevRuntime


class _Runtime:
    """Just what the decoders need from async-substrate-interface's Runtime."""

    def __init__(self) -> None:
        rc = RuntimeConfigurationObject(ss58_format=42)
        rc.update_type_registry(load_type_registry_preset(name="core"))
        meta = rc.create_scale_object("MetadataVersioned", data=ScaleBytes(DevRuntime().metadata_v15))
        meta.decode()
        rc.add_portable_registry(meta)
        self.runtime_config, self.metadata, self.metadata_v15 = rc, meta, meta
        ext = meta.value[1]["V15"]["extrinsic"]
        self.decoders = tuple(
            rc.get_value_decoder(f"scale_info::{ext[k]}")
            for k in ("address_ty", "signature_ty", "extra_ty", "call_ty")
        )


@pytest.fixture(scope="module")
def runtime() -> _Runtime:
    return _Runtime()


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=300))
def test_garbage_extrinsics_are_refused_cleanly(runtime, data):
    hexed = "0x" + data.hex()
    decoded = decode_extrinsic_fast(runtime.decoders, hexed)  # never raises
    assert decoded is None or ("call" in decoded and decoded["extrinsic_hash"].startswith("0x"))
    try:
        decode_extrinsic_object(runtime, hexed, 0)
    except ValueError as exc:
        assert "does not decode" in str(exc)


def test_a_real_extrinsic_decodes_both_ways(runtime):
    rt = DevRuntime()
    call = rt.encode_call(
        "Sudo", "sudo", {"call": ("AdminUtils", ("sudo_set_tempo", {"netuid": 1, "tempo": 9}))}
    )
    hexed = "0x" + rt.encode_signed_extrinsic(b"\x01" * 32, 3, call).hex()
    fast = decode_extrinsic_fast(runtime.decoders, hexed)
    slow = decode_extrinsic_object(runtime, hexed, 0)
    assert fast["call"]["call_function"] == slow["call"]["call_function"] == "sudo"
    assert fast["extrinsic_hash"] == slow["extrinsic_hash"]


names = st.sampled_from(["Sudo", "Utility", "Proxy", "AdminUtils", "SubtensorModule", "System"])
functions = st.sampled_from(
    ["sudo", "batch", "force_batch", "batch_all", "proxy", "sudo_set_tempo", "remark"]
)
leaf = st.fixed_dictionaries(
    {
        "call_module": names,
        "call_function": functions,
        "call_args": st.lists(
            st.fixed_dictionaries(
                {
                    "name": st.sampled_from(["netuid", "tempo", "x"]),
                    "value": st.one_of(st.integers(), st.text(max_size=5), st.none()),
                }
            ),
            max_size=3,
        ),
    }
)
calls = st.recursive(
    leaf,
    lambda inner: st.fixed_dictionaries(
        {
            "call_module": names,
            "call_function": functions,
            "call_args": st.lists(
                st.fixed_dictionaries(
                    {
                        "name": st.sampled_from(["call", "calls"]),
                        "value": st.one_of(inner, st.lists(inner, max_size=3)),
                    }
                ),
                max_size=2,
            ),
        }
    ),
    max_leaves=8,
)
events = st.lists(
    st.fixed_dictionaries(
        {
            "phase": st.sampled_from(["ApplyExtrinsic", "Finalization"]),
            "extrinsic_idx": st.integers(0, 3),
            "module_id": st.sampled_from(["System", "Sudo", "Utility", "Proxy"]),
            "event_id": st.sampled_from(
                [
                    "ExtrinsicSuccess",
                    "ExtrinsicFailed",
                    "Sudid",
                    "ItemCompleted",
                    "ItemFailed",
                    "BatchInterrupted",
                    "ProxyExecuted",
                ]
            ),
            "attributes": st.one_of(
                st.none(),
                st.dictionaries(
                    st.sampled_from(["sudo_result", "index", "error", "dispatch_error", "result"]),
                    st.one_of(
                        st.integers(0, 3),
                        st.text(max_size=4),
                        st.just({"Err": "BadOrigin"}),
                        st.just({"Ok": None}),
                    ),
                    max_size=3,
                ),
            ),
        }
    ),
    max_size=8,
)


@settings(max_examples=300, deadline=None)
@given(
    exts=st.lists(st.one_of(st.none(), st.builds(lambda c: {"call": c, "address": None}, calls)), max_size=4),
    evs=events,
)
def test_build_block_never_raises_on_odd_library_output(exts, evs):
    block = build_block(number=1, block_hash="0x01", parent_hash="0x00", extrinsics=exts, events=evs)
    assert len(block.extrinsics) == len(exts)
    for ex in block.extrinsics:
        assert all(c.pallet and c.name for c in ex.calls)
