"""The devnet must never be the bottleneck: block + events responses per second to a concurrent client.

The devnet runs in its own process (one core). A client on this side keeps many requests in flight
over a few connections, each request a batch frame of ``chain_getBlock`` + ``state_getStorageAt``
(System.Events) for one block. Baseline in the same run: one request at a time on one connection.
Target: >= 1500 block+events responses per second.

    uv run python bench/devnet.py [--seconds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

import websockets
from _common import devnet_process, verdict

EVENTS_KEY = "0x26aa394eea5630e07c48ae0c9558cef780d41e5e16056765bc8461851072c9d7"


async def hashes(url: str, count: int) -> list[str]:
    async with websockets.connect(url, max_size=2**26) as ws:
        await ws.send(
            json.dumps(
                [
                    {"jsonrpc": "2.0", "id": i, "method": "chain_getBlockHash", "params": [i]}
                    for i in range(1, count + 1)
                ]
            )
        )
        return [r["result"] for r in sorted(json.loads(await ws.recv()), key=lambda r: r["id"])]


def frame(i: int, block_hash: str) -> str:
    return json.dumps(
        [
            {"jsonrpc": "2.0", "id": 2 * i, "method": "chain_getBlock", "params": [block_hash]},
            {
                "jsonrpc": "2.0",
                "id": 2 * i + 1,
                "method": "state_getStorageAt",
                "params": [EVENTS_KEY, block_hash],
            },
        ]
    )


async def client(url: str, hs: list[str], seconds: float, in_flight: int) -> int:
    done = 0
    async with websockets.connect(url, max_size=2**26, compression=None) as ws:
        deadline = time.perf_counter() + seconds
        sent = 0
        for _ in range(in_flight):
            await ws.send(frame(sent, hs[sent % len(hs)]))
            sent += 1
        while time.perf_counter() < deadline:
            reply = json.loads(await ws.recv())
            assert reply[0]["result"] and reply[1]["result"]
            done += 1
            await ws.send(frame(sent, hs[sent % len(hs)]))
            sent += 1
        for _ in range(in_flight):
            await ws.recv()
    return done


async def measure(url: str, hs: list[str], seconds: float, connections: int, in_flight: int) -> float:
    t = time.perf_counter()
    counts = await asyncio.gather(*(client(url, hs, seconds, in_flight) for _ in range(connections)))
    return sum(counts) / (time.perf_counter() - t)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=5.0)
    args = ap.parse_args()
    with devnet_process("--history", "1000", "--block-time", "600") as (url, _):
        hs = asyncio.run(hashes(url, 1000))
        baseline = asyncio.run(measure(url, hs, args.seconds, 1, 1))
        print(f"one request at a time:                    {baseline:8.0f} block+events responses/s")
        rate = asyncio.run(measure(url, hs, args.seconds, 4, 16))
        print(f"4 connections x 16 in flight (concurrent): {rate:8.0f} block+events responses/s")
    print(f"target >= 1500/s: {verdict(rate >= 1500)}")


if __name__ == "__main__":
    main()
