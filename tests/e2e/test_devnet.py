"""The devnet, read by async-substrate-interface itself over a real websocket, agrees with its ledger."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import websockets
from async_substrate_interface import AsyncSubstrateInterface
from conftest import HISTORY

ROOT = Path(__file__).resolve().parents[2]


def call_args(call: dict) -> dict:
    return {a["name"]: a["value"] for a in call["call_args"]}


@pytest.fixture
async def substrate(devnet):
    async with AsyncSubstrateInterface(devnet.url, ss58_format=42) as s:
        yield s


async def block_at(substrate, number: int):
    block_hash = await substrate.get_block_hash(number)
    block = await substrate.get_block(block_hash)
    events = await substrate.get_events(block_hash)
    return block_hash, block, events


async def test_chain_basics(devnet, substrate):
    assert (await substrate.rpc_request("system_chain", []))["result"] == "Bittensor"
    props = (await substrate.rpc_request("system_properties", []))["result"]
    assert props == {"ss58Format": 42, "tokenDecimals": 9, "tokenSymbol": "TAO"}
    head = await substrate.get_block_number(await substrate.get_chain_head())
    assert head >= HISTORY
    _, block, events = await block_at(substrate, 10)
    first = block["extrinsics"][0].value["call"]
    assert (first["call_module"], first["call_function"]) == ("Timestamp", "set")
    assert len(block["extrinsics"]) >= 15
    phases = {e["extrinsic_idx"] for e in events}
    assert phases == set(range(len(block["extrinsics"])))


async def test_every_ledger_happening_is_in_its_block(devnet, substrate):
    ledger = [e for e in devnet.ledger() if e["block"] <= HISTORY]
    assert {e["kind"] for e in ledger} >= {
        "hyperparam",
        "coldkey_swap_scheduled",
        "subnet_registered",
        "subnet_dissolved",
        "sudo_call",
    }
    for entry in ledger:
        _, block, events = await block_at(substrate, entry["block"])
        ext = block["extrinsics"][entry["extrinsic_index"]].value
        call = ext["call"]
        evs = [
            (e["module_id"], e["event_id"]) for e in events if e["extrinsic_idx"] == entry["extrinsic_index"]
        ]
        pallet, name = entry["call"].split(".")
        via = entry.get("via")
        if via in ("sudo", "sudo_failed"):
            assert (call["call_module"], call["call_function"]) == ("Sudo", "sudo")
            inner = call_args(call)["call"]
            assert (inner["call_module"], inner["call_function"]) == (pallet, name)
            assert ("Sudo", "Sudid") in evs
        elif via == "batch":
            assert (call["call_module"], call["call_function"]) == ("Utility", "batch")
            inner = call_args(call)["calls"][0]
            assert (inner["call_module"], inner["call_function"]) == (pallet, name)
        elif via == "proxy":
            assert (call["call_module"], call["call_function"]) == ("Proxy", "proxy")
            inner = call_args(call)["call"]
            assert (inner["call_module"], inner["call_function"]) == (pallet, name)
        else:
            inner = call
            assert (call["call_module"], call["call_function"]) == (pallet, name)
        if entry["kind"] == "hyperparam" and entry["name"] not in ("alpha_low", "alpha_high"):
            args = call_args(inner)
            assert args["netuid"] == entry["netuid"]
            assert entry["new"] in args.values()
        assert ("System", "ExtrinsicSuccess") in evs


async def test_failed_sudo_reports_inner_error(devnet, substrate):
    _, block, events = await block_at(substrate, 44)
    sudid = [e for e in events if e["event_id"] == "Sudid"]
    assert sudid and "Err" in sudid[0]["attributes"]["sudo_result"]
    entry = next(e for e in devnet.ledger() if e["block"] == 44)
    assert entry["success"] is False


async def test_failed_extrinsics_carry_subtensor_errors(substrate):
    _, _, events = await block_at(substrate, 30)
    failed = []
    for n in range(20, 40):
        _, _, events = await block_at(substrate, n)
        failed += [e for e in events if e["event_id"] == "ExtrinsicFailed"]
    assert failed, "the devnet produces failing extrinsics"
    err = failed[0]["attributes"]["dispatch_error"]
    assert err["Module"]["index"] == 7


async def test_storage_and_runtime_api_follow_state(substrate):
    """Block 40 sets subnet 1's tempo to 111 through Sudo: storage and the runtime API agree."""
    before = await substrate.get_block_hash(39)
    after = await substrate.get_block_hash(40)
    old = (await substrate.query("SubtensorModule", "Tempo", [1], block_hash=before)).value
    new = (await substrate.query("SubtensorModule", "Tempo", [1], block_hash=after)).value
    assert (old != 111, new) == (True, 111)
    hp_before = await substrate.runtime_call(
        "SubnetInfoRuntimeApi", "get_subnet_hyperparams_v2", [1], block_hash=before
    )
    hp_after = await substrate.runtime_call(
        "SubnetInfoRuntimeApi", "get_subnet_hyperparams_v2", [1], block_hash=after
    )
    assert hp_before["tempo"] == old and hp_after["tempo"] == 111
    # A subnet that does not exist answers None.
    assert (
        await substrate.runtime_call(
            "SubnetInfoRuntimeApi", "get_subnet_hyperparams_v2", [999], block_hash=after
        )
        is None
    )


async def test_registered_subnet_exists_between_registration_and_dissolution(substrate):
    at = {n: await substrate.get_block_hash(n) for n in (54, 55, 59, 60)}
    exists = {
        n: (await substrate.query("SubtensorModule", "NetworksAdded", [20], block_hash=h)).value
        for n, h in at.items()
    }
    assert exists == {54: False, 55: True, 59: True, 60: False}


async def test_raw_jsonrpc_errors_and_batches(devnet):
    async with websockets.connect(devnet.url) as ws:
        await ws.send("this is not json")
        assert json.loads(await ws.recv())["error"]["code"] == -32700
        await ws.send(json.dumps({"jsonrpc": "2.0", "id": 1, "method": "no_such_method", "params": []}))
        assert json.loads(await ws.recv())["error"]["code"] == -32601
        await ws.send(
            json.dumps(
                {
                    "jsonrpc": "2.0",
                    "id": 2,
                    "method": "state_getStorage",
                    "params": ["0x00", "0x" + "ab" * 32],
                }
            )
        )
        assert "UnknownBlock" in json.loads(await ws.recv())["error"]["message"]
        await ws.send(
            json.dumps({"jsonrpc": "2.0", "id": 3, "method": "chain_getBlock", "params": ["0x" + "ab" * 32]})
        )
        assert json.loads(await ws.recv())["result"] is None
        await ws.send(
            json.dumps(
                [{"jsonrpc": "2.0", "id": i, "method": "chain_getBlockHash", "params": [i]} for i in range(5)]
            )
        )
        batch = json.loads(await ws.recv())
        assert sorted(r["id"] for r in batch) == list(range(5))
        assert all(r["result"].startswith("0x") for r in batch)
        await ws.send(
            json.dumps({"jsonrpc": "2.0", "id": 9, "method": "chain_getBlockHash", "params": [10**9]})
        )
        assert json.loads(await ws.recv())["result"] is None


async def test_new_heads_subscription(devnet):
    async with websockets.connect(devnet.url) as ws:
        await ws.send(
            json.dumps({"jsonrpc": "2.0", "id": 1, "method": "chain_subscribeNewHeads", "params": []})
        )
        sub = json.loads(await ws.recv())["result"]
        first = json.loads(await ws.recv())  # the current head, sent right away
        head = int(first["params"]["result"]["number"], 16)
        devnet.call(lambda n: n.produce(2))
        seen = [
            int(json.loads(await asyncio.wait_for(ws.recv(), 5))["params"]["result"]["number"], 16)
            for _ in range(2)
        ]
        assert seen == [head + 1, head + 2]
        await ws.send(
            json.dumps({"jsonrpc": "2.0", "id": 2, "method": "chain_unsubscribeNewHeads", "params": [sub]})
        )
        assert json.loads(await ws.recv())["result"] is True


def test_cli_devnet_runs_until_interrupted(tmp_path):
    ledger = tmp_path / "ledger.json"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sentinel_tui.cli",
            "devnet",
            "--port",
            "0",
            "--history",
            "20",
            "--block-time",
            "0.2",
            "--ledger",
            str(ledger),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "COLUMNS": "200"},
    )
    try:
        line = proc.stdout.readline()
        assert "devnet listening on ws://127.0.0.1:" in line
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert ledger.exists() and isinstance(json.loads(ledger.read_text()), list)


def test_cli_devnet_bad_flag():
    proc = subprocess.run(
        [sys.executable, "-m", "sentinel_tui.cli", "devnet", "--block-time", "fast"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "block-time" in proc.stderr and "Traceback" not in proc.stderr
