"""What the devnet serves for the published peer (``bittensor-sentinel``, bench/peer.py): every subnet's
``SubtensorModule.TokenSymbol``, as subtensor assigns it, read over the websocket by
async-substrate-interface, equal to the devnet's state at each block; and the metagraph's ``symbol``
is that same token symbol."""

from __future__ import annotations

import pytest
from async_substrate_interface import AsyncSubstrateInterface
from conftest import HISTORY

from sentinel_core.devnet.chain import DevChain
from sentinel_core.devnet.scenario import Happening, Scenario
from sentinel_core.devnet.symbols import DEFAULT_SYMBOL, STORAGE_DEFAULT, SYMBOLS, next_available_symbol

# conftest's SCENARIO registers subnet 20 at block 55 and dissolves it at block 60.
BLOCKS = (1, 54, 55, 59, 60, HISTORY)


@pytest.fixture
async def substrate(devnet):
    async with AsyncSubstrateInterface(devnet.url, ss58_format=42) as s:
        yield s


def text(value: object) -> str:
    """A ``Vec<u8>`` as the substrate interface decodes it (UTF-8 text, or 0x-hex when not text)."""
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode()
    assert isinstance(value, str)
    return bytes.fromhex(value[2:]).decode() if value.startswith("0x") else value


async def served_symbols(substrate, block_hash: str) -> dict[int, str]:
    rows = await substrate.query_map("SubtensorModule", "TokenSymbol", block_hash=block_hash, page_size=100)
    return {int(getattr(k, "value", k)): text(getattr(v, "value", v)) async for k, v in rows}


async def test_token_symbols_served_equal_the_devnet_state(devnet, substrate):
    for number in BLOCKS:
        block_hash = await substrate.get_block_hash(number)
        state = devnet.call(
            lambda node, n=number: {
                netuid: node.chain.token_symbol(netuid, n) for netuid in node.chain.netuids_at(n)
            }
        )
        assert await served_symbols(substrate, block_hash) == state, f"block {number}"
        assert all(state.values()), f"block {number}: a live subnet without a token symbol"


async def test_token_symbols_follow_subtensor(devnet, substrate):
    genesis = await served_symbols(substrate, await substrate.get_block_hash(1))
    assert {n: genesis[n] for n in range(9)} == {n: SYMBOLS[n] for n in range(9)}  # root "Τ", then α, β, ...
    at = {n: await served_symbols(substrate, await substrate.get_block_hash(n)) for n in (54, 55, 59, 60)}
    assert (20 in at[54], at[55].get(20), at[59].get(20), 20 in at[60]) == (
        False,
        SYMBOLS[20],
        SYMBOLS[20],
        False,
    )
    # A subnet without an entry reads as finney's declared default.
    missing = await substrate.query(
        "SubtensorModule", "TokenSymbol", [999], block_hash=await substrate.get_block_hash(HISTORY)
    )
    assert text(missing.value) == STORAGE_DEFAULT


async def test_metagraph_symbol_is_the_token_symbol(devnet, substrate):
    block_hash = await substrate.get_block_hash(55)
    storage = await served_symbols(substrate, block_hash)
    for netuid in (0, 1, 20):
        graph = await substrate.runtime_call(
            "SubnetInfoRuntimeApi", "get_metagraph", [netuid], block_hash=block_hash
        )
        graph = getattr(graph, "value", graph)
        assert bytes(graph["symbol"]).decode() == storage[netuid], f"subnet {netuid}"


def test_next_available_symbol():
    assert next_available_symbol(5, [SYMBOLS[0], SYMBOLS[1]]) == SYMBOLS[5]
    assert next_available_symbol(5, SYMBOLS[:6]) == SYMBOLS[6]  # its own is taken: the first free one
    assert next_available_symbol(1000, [SYMBOLS[0]]) == SYMBOLS[1]  # beyond the table: the root's is taken
    assert next_available_symbol(3, SYMBOLS) == DEFAULT_SYMBOL  # every symbol taken


def test_registration_takes_the_first_free_symbol_and_dissolution_frees_it():
    chain = DevChain(
        seed=11,
        extrinsics_per_block=2,
        governance_rate=0.0,
        scenario=Scenario(
            governance_rate=0.0,
            at=[
                Happening(block=2, action="register_network", netuid=600),
                Happening(block=3, action="register_network", netuid=9),
                Happening(block=4, action="dissolve_network", netuid=600),
                Happening(block=5, action="register_network", netuid=601),
            ],
        ),
    )
    chain.produce(5)
    # 600 is beyond the table (its own is the root's "Τ"): the first free one, ι (9); then subnet 9's own
    # ι is taken: κ (10); dissolving 600 frees ι, which 601 takes.
    assert (chain.token_symbol(600, 2), chain.token_symbol(9, 3)) == (SYMBOLS[9], SYMBOLS[10])
    assert (chain.token_symbol(600, 4), chain.token_symbol(601, 5)) == (None, SYMBOLS[9])
    assert chain.token_symbol(600, 3) == SYMBOLS[9]  # versioned: the past still answers
