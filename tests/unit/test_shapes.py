"""A node's garbage is said in words: what it sent, where what was expected, to which call."""

from __future__ import annotations

import pytest

from sentinel_core.chain import shapes
from sentinel_core.chain.transport import ChainError

H = "0x" + "ab" * 32
HEADER = {"number": "0x10", "parentHash": H, "stateRoot": H, "extrinsicsRoot": H, "digest": {"logs": []}}


@pytest.mark.parametrize(
    "value, said",
    [
        (5, "a number (5)"),
        ("oops", "a string ('oops')"),
        ([1, 2], "a list of 2"),
        (None, "nothing (null)"),
        ({"number": "0x10"}, "an object with 'number'"),
    ],
)
def test_a_wrong_header_says_what_came_instead(value, said):
    with pytest.raises(ChainError) as info:
        shapes.header(value, "chain_getHeader")
    text = str(info.value)
    assert said in text and "block header" in text and "(chain_getHeader)" in text
    assert "subscriptable" not in text and "\n" not in text


def test_good_answers_pass_through():
    assert shapes.header(HEADER, "x") is HEADER
    assert shapes.block_hash(H, "x") == H
    assert shapes.runtime_version({"specVersion": 300}, "x") == {"specVersion": 300}


@pytest.mark.parametrize("value", [12, "0x12", H[:-2], None])
def test_a_bad_hash_is_refused(value):
    with pytest.raises(ChainError, match="where a block hash was expected"):
        shapes.block_hash(value, "chain_getHead")


def test_a_runtime_version_without_a_spec_version_is_refused():
    with pytest.raises(ChainError, match=r"a string \('v300'\) where a runtime version"):
        shapes.runtime_version("v300", "state_getRuntimeVersion")


def test_a_429_inside_a_block_hash_is_not_a_rate_limit():
    from sentinel_core.chain.transport import RpcError, is_rate_limit_text

    discarded = "Client error: State already discarded for 0x1f429ab3" + "0" * 56
    assert not is_rate_limit_text(discarded)
    assert not RpcError("state_getStorageAt", 4003, discarded).rate_limited
    assert is_rate_limit_text("HTTP 429: slow down") and is_rate_limit_text("Too Many Requests")
