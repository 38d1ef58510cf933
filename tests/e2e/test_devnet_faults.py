"""The devnet's hard faults, over a real websocket (the ``websockets`` library as a raw JSON-RPC client):
a per-call and a per-frame rate limit, methods that fail, a pruned node, deaf connections, and a chain
that upgrades its runtime twenty times."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import websockets

from sentinel_core.chain.client import ChainClient
from sentinel_core.devnet.background import BackgroundDevnet

ROOT = Path(__file__).resolve().parents[2]
RATE_LIMITED = -32029
RATE_MESSAGE = "Too many requests: rate limit exceeded, retry later"


def req(rid: int, method: str, *params: Any) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": rid, "method": method, "params": list(params)}


async def send(ws: Any, frame: Any, timeout: float = 10.0) -> Any:
    """Send one frame (a request or a batch) and read the next message."""
    await ws.send(json.dumps(frame))
    return json.loads(await asyncio.wait_for(ws.recv(), timeout))


def hashes_batch(count: int, start: int = 0) -> list[dict[str, Any]]:
    """``count`` chain_getBlockHash requests (ids from ``start``) for blocks the devnets all have."""
    return [req(start + i, "chain_getBlockHash", i % 100) for i in range(count)]


def refused(answer: dict[str, Any]) -> bool:
    return answer.get("error") == {"code": RATE_LIMITED, "message": RATE_MESSAGE}


# -- rate limits --------------------------------------------------------------------------------------
async def test_call_unit_answers_what_the_bucket_pays_for_and_refuses_the_rest_per_item():
    with BackgroundDevnet(history=120, seed=41, produce=False, rate_limit=5) as node:
        async with websockets.connect(node.url) as a, websockets.connect(node.url) as b:
            # A full bucket holds 5 tokens: 5 of the 8 calls are answered, in order; 3 refused, each alone.
            answers = await send(a, hashes_batch(8))
            assert [x["id"] for x in answers] == list(range(8))
            assert all("result" in x for x in answers[:5]), answers[:5]
            assert all(refused(x) for x in answers[5:]), answers[5:]
            stats = node.call(lambda n: dict(n.stats))
            assert (stats["calls_refused"], stats["rate_limited"]) == (3, 1)

            # The bucket is shared by all connections; unsubscribing is free even when it is empty.
            answers = await send(b, [req(20, "chain_getHead"), req(21, "chain_unsubscribeNewHeads", "sub9")])
            assert refused(answers[0]) and answers[1] == {"jsonrpc": "2.0", "id": 21, "result": False}
            single = await send(b, req(22, "system_chain"))
            assert refused(single) and single["id"] == 22

            # It refills at 5 tokens a second, up to its capacity of 5 (no more).
            await asyncio.sleep(1.3)
            answers = await send(a, hashes_batch(8, start=30))
            assert [("result" in x) for x in answers] == [True] * 5 + [False] * 3
            await asyncio.sleep(0.25)  # about one token
            single = await send(b, req(40, "system_chain"))
            assert single == {"jsonrpc": "2.0", "id": 40, "result": "Bittensor"}
        stats = node.call(lambda n: dict(n.stats))
    assert stats["calls_refused"] == 3 + 1 + 1 + 3
    assert stats["rate_limited"] == 4


async def test_frame_unit_counts_a_batch_once_and_refuses_it_whole():
    with BackgroundDevnet(history=120, seed=42, produce=False, rate_limit=3, rate_limit_unit="frame") as node:
        async with websockets.connect(node.url) as ws:
            for k in range(3):  # three frames of 20 calls: three tokens
                answers = await send(ws, hashes_batch(20, start=100 * k))
                assert all("result" in x for x in answers), k
            answers = await send(ws, hashes_batch(20, start=900))
            assert len(answers) == 20 and all(refused(x) for x in answers)
            assert [x["id"] for x in answers] == list(range(900, 920))
            await asyncio.sleep(0.5)  # a token and a half
            answers = await send(ws, hashes_batch(20, start=1000))
            assert all("result" in x for x in answers)
        stats = node.call(lambda n: dict(n.stats))
    assert (stats["calls_refused"], stats["rate_limited"]) == (20, 1)


def test_the_constructor_rejects_a_unit_it_does_not_know():
    from sentinel_core.devnet.server import Devnet

    with pytest.raises(ValueError, match="rate_limit_unit"):
        Devnet(history=1, rate_limit=5, rate_limit_unit="byte")


# -- methods that fail --------------------------------------------------------------------------------
async def test_fail_method_for_a_plain_method_and_a_runtime_api_with_a_rate():
    fail = {
        "chain_getHeader": 1.0,
        "state_call:SubnetInfoRuntimeApi_get_metagraph": 1.0,
        "chain_getBlockHash": 0.5,
    }
    with BackgroundDevnet(history=120, seed=43, produce=False, fail_methods=fail) as node:
        async with websockets.connect(node.url) as ws:
            answers = await send(
                ws,
                [
                    req(1, "chain_getHeader"),
                    req(2, "state_call", "SubnetInfoRuntimeApi_get_metagraph", "0x0100"),
                    req(3, "state_call", "Core_version", "0x"),
                    req(4, "chain_getHead"),
                ],
            )
            assert answers[0]["error"] == {
                "code": -32000,
                "message": "Client error: devnet --fail-method: chain_getHeader refused",
            }
            assert answers[1]["error"] == {
                "code": -32000,
                "message": "Client error: devnet --fail-method: state_call:SubnetInfoRuntimeApi_get_metagraph refused",
            }
            assert answers[2]["result"].startswith("0x") and answers[3]["result"].startswith("0x")

            answers = await send(ws, hashes_batch(400, start=10))
            failed = [x for x in answers if "error" in x]
            assert all(
                x["error"]["message"] == "Client error: devnet --fail-method: chain_getBlockHash refused"
                for x in failed
            )
            assert 120 <= len(failed) <= 280, len(failed)  # about half of 400
            assert all(x["result"].startswith("0x") for x in answers if "result" in x)
        stats = node.call(lambda n: dict(n.stats))
    assert stats["methods_failed"] == 2 + len(failed)


# -- a pruned node ------------------------------------------------------------------------------------
async def test_pruned_node_discards_old_state_but_keeps_blocks():
    with BackgroundDevnet(history=120, seed=44, produce=False, pruned=10) as node:
        events_key = "0x" + node.call(lambda n: n.chain.events_key.hex())
        async with websockets.connect(node.url) as ws:
            found = await send(ws, [req(n, "chain_getBlockHash", n) for n in (50, 109, 110, 120)])
            old, edge_old, edge_new, head = (x["result"] for x in found)

            def state_reads(h: str, base: int) -> list[dict[str, Any]]:
                return [
                    req(base + 0, "state_getStorage", events_key, h),
                    req(base + 1, "state_getStorageAt", events_key, h),
                    req(base + 2, "state_getKeysPaged", "0x" + events_key[2:34], 10, None, h),
                    req(base + 3, "state_getKeys", "0x" + events_key[2:34], h),
                    req(base + 4, "state_call", "Core_version", "0x", h),
                    req(base + 5, "state_getRuntimeVersion", h),
                    req(base + 6, "state_getMetadata", h),
                ]

            for h in (old, edge_old):
                answers = await send(ws, state_reads(h, 0))
                for x in answers:
                    assert x["error"] == {
                        "code": 4003,
                        "message": f"Client error: Api called for an unknown Block: State already discarded for {h}",
                    }, x
            for h in (edge_new, head):  # head - 10 and newer: kept
                answers = await send(ws, state_reads(h, 0))
                assert all("result" in x for x in answers), answers
            # Blocks, headers and hashes of discarded state still answer.
            block, header = await send(ws, [req(1, "chain_getBlock", old), req(2, "chain_getHeader", old)])
            assert int(block["result"]["block"]["header"]["number"], 16) == 50
            assert header["result"]["number"] == hex(50)
            # Without a block hash: the head, whose state is kept.
            assert "result" in await send(ws, req(3, "state_getStorage", events_key))


# -- deaf connections ---------------------------------------------------------------------------------
async def test_a_deaf_connection_stays_open_and_answers_nothing_while_a_new_one_is_answered():
    with BackgroundDevnet(history=120, seed=45, produce=False, deaf_after=0.4, deaf_connections=1) as node:
        async with websockets.connect(node.url) as deaf:
            sub = await send(deaf, req(1, "chain_subscribeNewHeads"))
            assert sub["result"]
            first_head = json.loads(await asyncio.wait_for(deaf.recv(), 5))  # the current head
            assert first_head["method"] == "chain_newHead"
            await asyncio.sleep(0.6)
            async with websockets.connect(node.url) as fresh:
                await deaf.send(json.dumps(req(2, "system_chain")))
                await deaf.send(json.dumps([req(3, "chain_getHead"), req(4, "system_name")]))
                await fresh.send(json.dumps(req(5, "chain_subscribeNewHeads")))
                assert "result" in json.loads(await asyncio.wait_for(fresh.recv(), 5))
                json.loads(await asyncio.wait_for(fresh.recv(), 5))  # its first head
                node.call(lambda n: n.produce(1))
                note = json.loads(await asyncio.wait_for(fresh.recv(), 5))
                assert note["method"] == "chain_newHead" and note["params"]["result"]["number"] == hex(121)
                with pytest.raises(TimeoutError):
                    await asyncio.wait_for(deaf.recv(), 1.0)  # no answer, no notification
                # Still open: the websocket layer answers a ping, and frames are still taken.
                await asyncio.wait_for(await deaf.ping(), 5)
                assert deaf.state.name == "OPEN"
                assert await send(fresh, req(6, "system_chain")) == {
                    "jsonrpc": "2.0",
                    "id": 6,
                    "result": "Bittensor",
                }
        stats = node.call(lambda n: dict(n.stats))
    assert stats["deaf_connections"] == 1 and stats["deaf_frames"] == 2


# -- many runtime upgrades ----------------------------------------------------------------------------
UPGRADES = [50 + 100 * i for i in range(20)]  # 50, 150, ..., 1950


@pytest.fixture(scope="module")
def upgrading():
    with BackgroundDevnet(history=2000, seed=46, produce=False, upgrade_at=UPGRADES) as node:
        yield node


async def test_twenty_upgrades_step_the_spec_version_at_each_listed_block(upgrading):
    numbers = sorted({n for b in UPGRADES for n in (b - 1, b)} | {0, 2000})
    async with websockets.connect(upgrading.url) as ws:
        hashes = await send(ws, [req(n, "chain_getBlockHash", n) for n in numbers])
        by_number = {x["id"]: x["result"] for x in hashes}
        answers = await send(ws, [req(n, "state_getRuntimeVersion", by_number[n]) for n in numbers])
    version = {x["id"]: x["result"]["specVersion"] for x in answers}
    assert version[0] == 300 and version[2000] == 419
    for i, b in enumerate(UPGRADES):
        assert (version[b - 1], version[b]) == (300 if i == 0 else 399 + i, 400 + i), b
    ledger = [e for e in upgrading.ledger() if e["kind"] == "runtime_upgrade"]
    assert [(e["block"], e["old"], e["new"]) for e in ledger] == [
        (b, 300 if i == 0 else 399 + i, 400 + i) for i, b in enumerate(UPGRADES)
    ]


async def test_our_client_decodes_blocks_on_both_sides_of_several_upgrades(upgrading):
    async with ChainClient(upgrading.url) as client:
        for i in (0, 1, 10, 19):
            b = UPGRADES[i]
            before, at, after = await client.fetch_blocks([b - 1, b, b + 1])
            old = 300 if i == 0 else 399 + i
            assert (before.spec_version, at.spec_version, after.spec_version) == (old, old, 400 + i), b
            for block in (before, at, after):
                assert block.decode_error is None, (block.number, block.decode_error)
                assert block.extrinsics[0].calls[0].qualname == "Timestamp.set"
            update = next(ev for ev in at.events if ev.qualname == "System.CodeUpdated")
            assert update is not None
            assert "System.set_code" in [c.qualname for x in at.extrinsics for c in x.calls]
            assert not any(ev.qualname == "System.CodeUpdated" for ev in after.events)


# -- the command line ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "args, expected",
    [
        (["--fail-method", "bogus:2"], "error: --fail-method 'bogus:2': "),
        (["--upgrade-at", "100", "--upgrade-at", "200,100"], "error: --upgrade-at: block 100 is named twice"),
    ],
)
def test_cli_rejects_a_malformed_fault_in_one_line(args, expected):
    proc = subprocess.run(
        [sys.executable, "-m", "sentinel_tui.cli", "devnet", "--port", "0", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(expected), proc.stderr
    assert "Traceback" not in proc.stderr
