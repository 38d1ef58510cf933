"""A hyperparameter answer encoded with the real finney V15 types decodes through the devnet's types
to the same values, and prints the same table (skipped without ../shared/fixtures/finney)."""

from __future__ import annotations

from pathlib import Path

import pytest
from async_substrate_interface.types import _decode_option_opaque_metadata
from rich.console import Console
from rich.table import Table
from scalecodec.base import RuntimeConfigurationObject, ScaleBytes
from scalecodec.type_registry import load_type_registry_preset

from sentinel_core import hyperparams as hp
from sentinel_core.devnet.chain import DevChain

FIXTURES = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "finney"
V15 = FIXTURES / "metadata_at_version_15.hex"


def registry(raw: bytes) -> tuple[RuntimeConfigurationObject, int]:
    """A codec for ``raw`` V15 metadata and the output type of get_subnet_hyperparams_v2."""
    rc = RuntimeConfigurationObject()
    rc.update_type_registry(load_type_registry_preset(name="core"))
    meta = rc.create_scale_object("MetadataVersioned", data=ScaleBytes(raw))
    meta.decode()
    rc.add_portable_registry(meta)
    apis = meta.value[1]["V15"]["apis"]
    api = next(a for a in apis if a["name"] == "SubnetInfoRuntimeApi")
    method = next(m for m in api["methods"] if m["name"] == "get_subnet_hyperparams_v2")
    return rc, method["output"]


def table(values: dict) -> str:
    t = Table("hyperparameter", "raw", "value", "unit")
    for name, raw in values.items():
        t.add_row(name, str(raw), hp.format_value(name, raw), hp.unit_label(name))
    console = Console(width=120, record=True, file=open("/dev/null", "w"))
    console.print(t)
    return console.export_text()


@pytest.mark.skipif(not V15.exists(), reason=f"finney fixtures not found at {FIXTURES}")
def test_finney_encoded_hyperparameters_print_the_same_table():
    chain = DevChain(seed=3)
    chain.produce(30)
    value = chain.hyperparams_v2(2, 30)
    raw_finney = _decode_option_opaque_metadata(bytes.fromhex(V15.read_text().strip().removeprefix("0x")))
    finney_rc, finney_ty = registry(raw_finney)
    answer = bytes(finney_rc.create_scale_object(f"scale_info::{finney_ty}").encode(value).data)

    ours_rc, ours_ty = registry(chain.runtime.metadata_v15)
    # The devnet serves exactly these bytes for the same state.
    assert (
        chain.runtime_call("SubnetInfoRuntimeApi_get_subnet_hyperparams_v2", (2).to_bytes(2, "little"), 30)
        == answer
    )

    decoded_by_finney = finney_rc.create_scale_object(
        f"scale_info::{finney_ty}", data=ScaleBytes(answer)
    ).decode()
    decoded_by_ours = ours_rc.create_scale_object(f"scale_info::{ours_ty}", data=ScaleBytes(answer)).decode()
    assert decoded_by_ours == decoded_by_finney
    rows = hp.from_v2(decoded_by_ours)
    assert (
        rows["tempo"] == value["tempo"]
        and rows["alpha_sigmoid_steepness"] == value["alpha_sigmoid_steepness"]["bits"]
    )
    printed = table(rows)
    assert printed == table(hp.from_v2(decoded_by_finney))
    print(printed)
    assert "kappa" in printed and "TAO" in printed and "blocks" in printed
