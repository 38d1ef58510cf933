"""Side by side with the published Sentinel core, ``bittensor-sentinel`` (CLI ``sentinel``).

Installs it into a throwaway virtualenv (``uv venv`` + ``uv pip install bittensor-sentinel``, from
the package index), starts one devnet (bench/metagraph.py's ``--serve`` devnet, in its own process)
and runs against it, each as a fresh process:

    sentinel -f json extrinsics --block N --network URL      sentinel-cli extrinsics --block N --json
    sentinel -f json events --block N --network URL          sentinel-cli events --block N --json
    sentinel -f json subnet --netuid U --block N \\           sentinel-cli subnet metagraph --netuid U
        --network URL metagraph                                 --block N --json

Each command runs once untimed on each side (our modules compile, the peer's SDK fills its metadata
cache, as an installed CLI has them), then ``--runs`` times timed. Printed per command: both wall
times (median), the rows compared (extrinsics by index, events by index, neurons by uid), the rows
that agree on every field both sides report, the fields that differ and the first disagreement; or
the peer's error where it cannot read the devnet. Nothing of the peer's code is used here: only its
CLI and its JSON output.

What is compared, after normalising formatting (ss58 vs hex account ids, TAO vs rao, u16 fractions
vs 0..1, the peer's ``[{name, type, value}]`` call arguments vs our ``{name: value}``):

- extrinsics: hash, signer, pallet and call, arguments (nested calls included), success;
- events: extrinsic index, pallet and name, attributes;
- metagraph: hotkey, coldkey, stake, alpha stake, emission, alpha dividends, trust, rank, incentive,
  dividends, consensus, validator trust, last update, validator permit, active; and, for the subnet,
  tempo, number of neurons and total stake.

The peer's SDK keeps a disk cache of runtime metadata keyed by genesis hash and spec version, which
do not change when the devnet's declarations do; it is pointed at a directory of this run, so a
cache from an older devnet never answers for this one. Ours (``SENTINEL_CACHE_DIR``) goes there too:
both sides start cold and are warmed by their untimed run.

    uv run python bench/peer.py [--block 50] [--netuid 1] [--runs 3] [--venv /tmp/peer-venv]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from metagraph import BOOT, devnet  # noqa: E402

PACKAGE = "bittensor-sentinel"
RAO = 10**9
U16_MAX = 65535


def install(venv: Path) -> str:
    exe = venv / "bin" / "sentinel"
    if not exe.exists():
        print(f"installing {PACKAGE} into {venv} ...", flush=True)
        subprocess.run(["uv", "venv", "-q", str(venv)], check=True)
        subprocess.run(["uv", "pip", "install", "-q", "--python", str(venv), PACKAGE], check=True)
    version = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-c",
            f"import importlib.metadata as m; print(m.version({PACKAGE!r}))",
        ],
        capture_output=True,
        text=True,
    ).stdout.strip()
    return version


def run(
    cmd: list[str], runs: int, *, env: dict[str, str] | None = None
) -> tuple[float, subprocess.CompletedProcess]:
    times, proc = [], None
    for _ in range(runs):
        t = time.perf_counter()
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300, env=env)
        times.append(time.perf_counter() - t)
    assert proc is not None
    return statistics.median(times), proc


def json_in(text: str) -> Any:
    """The first JSON document in ``text`` that starts a line (the peer prints log lines before it and
    a "Completed in ..." line after it); None when there is none."""
    decoder = json.JSONDecoder()
    for m in re.finditer(r"^[\[{]", text, re.M):
        try:
            return decoder.raw_decode(text, m.start())[0]
        except ValueError:
            continue
    return None


def peer_error(proc: subprocess.CompletedProcess) -> str | None:
    """The peer's own error, as one line (its JSON ``error``, else the exception it died with)."""
    data = json_in(proc.stdout)
    if isinstance(data, dict) and data.get("error"):
        return str(data["error"])
    if proc.returncode == 0 and data is not None:
        return None
    text = proc.stdout + "\n" + proc.stderr
    found = re.findall(r"^([A-Za-z_.]*(?:Error|Exception|NotFound)[A-Za-z_]*: .+)$", text, re.M)
    found = [f for f in found if "Event loop is closed" not in f]
    return (found[-1] if found else (text.strip().splitlines() or [f"exit code {proc.returncode}"])[-1])[:200]


SDK_PROBE = """
import sys, bittensor
try:
    bittensor.Subtensor(network=sys.argv[1]).block_info(int(sys.argv[2]))
    print("ok")
except Exception as exc:
    print(f"{type(exc).__name__}: {exc}")
"""


def sdk_cause(venv: Path, url: str, block: int, env: dict[str, str]) -> str:
    """What the bittensor SDK under the peer says reading the block (the peer logs only a warning)."""
    proc = subprocess.run(
        [str(venv / "bin" / "python"), "-c", SDK_PROBE, url, str(block)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    lines = proc.stdout.strip().splitlines()
    return lines[0][:160] if lines else (proc.stderr.strip().splitlines() or ["?"])[-1][:160]


# -- normalising ---------------------------------------------------------------------------------------
def account_hex(value: str) -> str:
    """An ss58 address as its 0x public key (other strings unchanged)."""
    from scalecodec.utils.ss58 import ss58_decode

    if 46 <= len(value) <= 48 and value.isalnum():
        try:
            return "0x" + ss58_decode(value)
        except ValueError:
            return value
    return value


def norm(value: Any) -> Any:
    """One shape for what both sides print: calls as ``{pallet, call, args}``, argument lists as dicts,
    ``{"Id": account}`` addresses as the account, accounts as hex, hex in lower case, tuples as lists."""
    if isinstance(value, dict):
        if "call_module" in value and "call_function" in value:
            return {
                "pallet": value["call_module"],
                "call": value["call_function"],
                "args": norm(value.get("call_args") or []),
            }
        if set(value) == {"Id"}:
            return norm(value["Id"])
        return {k: norm(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        if value and all(isinstance(a, dict) and {"name", "value"} <= set(a) for a in value):
            return {a["name"]: norm(a["value"]) for a in value}
        return [norm(v) for v in value]
    if isinstance(value, str):
        hexed = account_hex(value)
        return hexed.lower() if hexed.startswith("0x") else hexed
    return value


def rao(tao: Any) -> int | None:
    """A whole-unit amount (TAO or alpha, as a float) in rao."""
    return None if tao is None else round(float(tao) * RAO)


def u16(fraction: Any) -> int | None:
    """A 0..1 fraction back to the u16 the chain stores (value / 65535)."""
    return None if fraction is None else round(float(fraction) * U16_MAX)


# -- comparing -----------------------------------------------------------------------------------------
@dataclass
class Comparison:
    noun: str = "rows"
    rows: int = 0
    agreeing: int = 0
    fields: Counter = field(default_factory=Counter)
    first: str | None = None
    whole: dict[str, bool] = field(default_factory=dict)
    """Checks of the whole answer (not per row): name -> agree."""
    unread: set[str] = field(default_factory=set)
    """Fields the peer reports and ours leaves out (with why): not compared."""

    def row(self, label: str, pairs: dict[str, tuple[Any, Any]]) -> None:
        """One row: ``pairs`` maps field -> (ours, theirs), both already normalised."""
        self.rows += 1
        bad = [name for name, (ours, theirs) in pairs.items() if ours != theirs]
        if not bad:
            self.agreeing += 1
            return
        self.fields.update(bad)
        if self.first is None:
            path, ours, theirs = _where(*pairs[bad[0]])
            self.first = f"{label} {bad[0]}{path}: ours {_short(ours)} vs peer {_short(theirs)}"

    def missing(self, label: str, side: str) -> None:
        self.rows += 1
        self.fields.update([f"only in {side}"])
        if self.first is None:
            self.first = f"{label}: only in {side}"

    def check(self, name: str, ours: Any, theirs: Any) -> None:
        self.whole[name] = ours == theirs
        if ours != theirs and self.first is None:
            self.first = f"{name}: ours {_short(ours)} vs peer {_short(theirs)}"

    @property
    def agrees(self) -> bool:
        return self.agreeing == self.rows and all(self.whole.values())

    def summary(self) -> str:
        out = f"{self.agreeing}/{self.rows} {self.noun} agree"
        if self.whole:
            out += (
                "; " + ", ".join(self.whole) + " agree"
                if all(self.whole.values())
                else "; " + ", ".join(f"{k} {'agrees' if v else 'DIFFERS'}" for k, v in self.whole.items())
            )
        if self.fields:
            out += " (differ: " + ", ".join(f"{name} x{n}" for name, n in self.fields.most_common()) + ")"
        if not self.agrees:
            out += f"; first: {self.first}"
        if self.unread:
            out += "; not compared: " + ", ".join(sorted(self.unread))
        return out


def _where(ours: Any, theirs: Any, path: str = "") -> tuple[str, Any, Any]:
    """The first place two normalised values differ: (".a.b[2]", ours there, theirs there)."""
    if isinstance(ours, dict) and isinstance(theirs, dict):
        for k in list(ours) + [k for k in theirs if k not in ours]:
            if ours.get(k) != theirs.get(k):
                return _where(ours.get(k), theirs.get(k), f"{path}.{k}")
    if isinstance(ours, list) and isinstance(theirs, list) and len(ours) == len(theirs):
        for i, (a, b) in enumerate(zip(ours, theirs)):
            if a != b:
                return _where(a, b, f"{path}[{i}]")
    return path, ours, theirs


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 90 else text[:87] + "..."


def _by(rows: list[dict[str, Any]], key: Callable[[int, dict[str, Any]], Any]) -> dict[Any, dict[str, Any]]:
    return {key(i, r): r for i, r in enumerate(rows)}


def _join(
    comp: Comparison,
    label: str,
    peer: dict[Any, dict],
    ours: dict[Any, dict],
    pairs: Callable[[dict, dict], dict[str, tuple[Any, Any]]],
) -> None:
    for k in sorted(set(peer) | set(ours)):
        if k not in ours:
            comp.missing(f"{label} {k}", "the peer")
        elif k not in peer:
            comp.missing(f"{label} {k}", "ours")
        else:
            comp.row(f"{label} {k}", pairs(ours[k], peer[k]))


def compare_extrinsics(peer: Any, ours: Any) -> Comparison:
    comp = Comparison("extrinsics")
    theirs = _by(peer.get("extrinsics") or [], lambda i, r: int(r.get("index", i)))
    mine = _by(ours, lambda i, r: int(r["index"]))

    def pairs(o: dict, p: dict) -> dict[str, tuple[Any, Any]]:
        call = p.get("call") or {}
        status = p.get("status")
        return {
            "hash": (norm(o["hash"]), norm(p.get("extrinsic_hash"))),
            "signer": (norm(o["signer"]), norm(p.get("address"))),
            "call": ((o["pallet"], o["call"]), (call.get("call_module"), call.get("call_function"))),
            "args": (norm(o["args"]), norm(call.get("call_args") or [])),
            "success": (o["success"], None if status is None else status == "success"),
        }

    _join(comp, "extrinsic", theirs, mine, pairs)
    return comp


def compare_events(peer: Any, ours: Any) -> Comparison:
    comp = Comparison("events")
    theirs = _by(peer.get("events") or [], lambda i, r: i)
    mine = _by(ours, lambda i, r: int(r["index"]))

    def pairs(o: dict, p: dict) -> dict[str, tuple[Any, Any]]:
        return {
            "extrinsic": (o["extrinsic_index"], p.get("extrinsic_idx")),
            "event": ((o["pallet"], o["name"]), (p.get("module_id"), p.get("event_id"))),
            "attributes": (norm(o["attributes"]), norm(p.get("attributes"))),
        }

    _join(comp, "event", theirs, mine, pairs)
    return comp


def compare_metagraph(peer: Any, ours: Any) -> Comparison:
    comp = Comparison("neurons")
    theirs = _by(peer.get("neurons") or [], lambda i, r: int(r["uid"]))
    mine = _by(ours.get("rows") or [], lambda i, r: int(r["uid"]))

    def pairs(o: dict, p: dict) -> dict[str, tuple[Any, Any]]:
        raw = o["raw"]
        mech = next((m for m in p.get("mechanisms") or [] if m.get("mech_id") == 0), {})
        out = {
            "hotkey": (norm(raw["hotkey"]), norm(p.get("hotkey"))),
            "coldkey": (norm(raw["coldkey"]), norm(p.get("coldkey"))),
            "stake": (raw["stake"], rao(p.get("stake"))),
            "alpha_stake": (raw["alpha_stake"], rao(p.get("alpha_stake"))),
            "emission": (raw["emission"], rao(p.get("emissions"))),
            "alpha_dividends": (raw["dividends_earned"], rao(p.get("alpha_dividends"))),
            "trust": (raw["trust"], u16(p.get("trust"))),
            "rank": (raw["rank"], u16(p.get("rank"))),
            "incentive": (raw["incentive"], u16(mech.get("incentive"))),
            "dividends": (raw["dividends"], u16(mech.get("dividend"))),
            "consensus": (raw["consensus"], u16(mech.get("consensus"))),
            "validator_trust": (raw["validator_trust"], u16(mech.get("validator_trust"))),
            "last_update": (raw["last_update"], mech.get("last_update")),
            "validator_permit": (raw["validator_permit"], p.get("is_validator")),
            "active": (raw["active"], p.get("is_active")),
        }
        if raw["validator_trust"] is None:
            # get_metagraph carries no validator trust (the peer reads it from get_neurons_lite).
            del out["validator_trust"]
            comp.unread.add(f"validator_trust (not in {ours.get('method')})")
        return out

    _join(comp, "uid", theirs, mine, pairs)
    total_ours = sum(r["raw"]["stake"] for r in mine.values())
    total_theirs = rao(peer.get("total_stake"))
    # The peer sums float TAO per neuron: equal to our sum of rao within that float rounding.
    if total_theirs is not None and abs(total_theirs - total_ours) <= max(1000, total_ours // 10**12):
        total_theirs = total_ours
    comp.check("tempo", ours.get("tempo"), peer.get("tempo"))
    comp.check("neuron count", ours.get("neurons"), peer.get("neuron_count"))
    comp.check("total stake", total_ours, total_theirs)
    return comp


COMPARE = {"extrinsics": compare_extrinsics, "events": compare_events, "subnet metagraph": compare_metagraph}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--venv", type=Path, default=Path("/tmp/peer-venv"))
    ap.add_argument("--block", type=int, default=50)
    ap.add_argument("--netuid", type=int, default=1)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--extrinsics", type=int, default=20, help="Extrinsics per devnet block.")
    args = ap.parse_args()
    version = install(args.venv)
    peer = str(args.venv / "bin" / "sentinel")
    print(f"peer: {PACKAGE} {version}")
    ours_env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    no_db = str(Path("/tmp") / f"sentinel-peer-bench-{os.getpid()}.db")
    with (
        tempfile.TemporaryDirectory(prefix="sentinel-peer-bench-") as cache,
        devnet(
            "--history",
            str(max(args.block, 120) + 10),
            "--tempo",
            "9",
            "--neurons",
            "128",
            "--extrinsics",
            str(args.extrinsics),
        ) as url,
    ):
        peer_env = {
            **os.environ,
            "BITTENSOR_RUNTIME_CACHE_DIR": str(Path(cache) / "runtime"),
            "BTCLI_TOKEN_SYMBOLS_CACHE": str(Path(cache) / "token_symbols.json"),
            "BTCLI_SUBNET_NAMES_CACHE": str(Path(cache) / "subnet_names.json"),
        }
        ours_env["SENTINEL_CACHE_DIR"] = str(Path(cache) / "sentinel")
        print(
            f"devnet: {url}  (block {args.block}, netuid {args.netuid}; median of {args.runs} runs after "
            f"one untimed run each)\n"
        )
        b, u = str(args.block), str(args.netuid)
        pairs = [
            (
                "extrinsics",
                [peer, "-f", "json", "extrinsics", "--block", b, "--network", url],
                [
                    sys.executable,
                    "-c",
                    BOOT,
                    "extrinsics",
                    "--block",
                    b,
                    "--network",
                    url,
                    "--db",
                    no_db,
                    "--json",
                ],
            ),
            (
                "events",
                [peer, "-f", "json", "events", "--block", b, "--network", url],
                [
                    sys.executable,
                    "-c",
                    BOOT,
                    "events",
                    "--block",
                    b,
                    "--network",
                    url,
                    "--db",
                    no_db,
                    "--json",
                ],
            ),
            (
                "subnet metagraph",
                [peer, "-f", "json", "subnet", "--netuid", u, "--block", b, "--network", url, "metagraph"],
                [
                    sys.executable,
                    "-c",
                    BOOT,
                    "subnet",
                    "metagraph",
                    "--netuid",
                    u,
                    "--block",
                    b,
                    "--network",
                    url,
                    "--json",
                ],
            ),
        ]
        print(f"{'command':<18} {'peer wall':>10} {'ours wall':>10}  rows compared field by field")
        faster = agree = True
        for name, peer_cmd, our_cmd in pairs:
            run(our_cmd, 1, env=ours_env)
            run(peer_cmd, 1, env=peer_env)
            peer_time, peer_proc = run(peer_cmd, args.runs, env=peer_env)
            our_time, our_proc = run(our_cmd, args.runs, env=ours_env)
            if our_proc.returncode != 0:
                result, agree = f"OUR ERROR: {our_proc.stderr.strip()[-200:]}", False
            elif (error := peer_error(peer_proc)) is not None:
                result, agree = f"peer cannot read the devnet: {error}", False
                if "not found for block" in error:
                    result += f" (its SDK: {sdk_cause(args.venv, url, args.block, peer_env)})"
            else:
                comp = COMPARE[name](json_in(peer_proc.stdout), json.loads(our_proc.stdout))
                agree = agree and comp.agrees
                result = comp.summary()
            faster = faster and our_time < peer_time
            print(f"{name:<18} {peer_time:>9.2f}s {our_time:>9.2f}s  {result}", flush=True)
        print(f"\nours faster on every command: {'yes' if faster else 'NO'}")
        print(f"every row agrees on every command: {'yes' if agree else 'NO'}")


if __name__ == "__main__":
    main()
