"""sentinel-cli: the devnet, stored history, blocks, hyperparameters, rules and alerts from a shell.

Commands import what they use when they run (rich tables, hyperparameter semantics, the store, the
devnet): ``sentinel-cli`` loads only what every command shares. Annotations are evaluated as the
module loads (no ``from __future__ import annotations``, here and in cli_subnet.py): typer reads every
command's signature on each run, and evaluating them from strings there took ~15 ms.
"""

import asyncio
import atexit
import contextlib
import gc
import os
import re
import sys
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from sentinel_core.errors import SentinelError
from sentinel_core.keys import short_key

from .cli_subnet import subnet_app
from .common import (
    ConfigOpt,
    DbOpt,
    JsonOpt,
    NetworkOpt,
    UserError,
    _resolve_block,
    chain,
    dump,
    err,
    error_line,
    fails_cleanly,
    open_store,
    out,
    settings_for,
)

if TYPE_CHECKING:
    from sentinel_core.config import Settings

JSON_EPILOG = (
    "--json: every command prints one JSON document on stdout (an object, or an array for a list of "
    "items such as alerts, changes, hits, extrinsics or events), so `sentinel-cli ... --json | jq` "
    "always reads the whole output. Errors are one line on stderr, exit code 2."
)

app = typer.Typer(
    help="Sentinel: watch the Bittensor chain from the command line.",
    epilog=JSON_EPILOG,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
db_app = typer.Typer(help="What the local database holds.", no_args_is_help=True)
block_app = typer.Typer(help="One block: contents and chain state.", no_args_is_help=True)
hp_app = typer.Typer(help="Subnet hyperparameter history.", no_args_is_help=True)
rules_app = typer.Typer(help="Alert rules in sentinel.toml.", no_args_is_help=True)
alerts_app = typer.Typer(help="Stored alerts.", no_args_is_help=True)
runtime_app = typer.Typer(help="Runtime information.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(block_app, name="block")
app.add_typer(hp_app, name="hyperparameters")
app.add_typer(rules_app, name="rules")
app.add_typer(alerts_app, name="alerts")
app.add_typer(runtime_app, name="runtime")


# -- devnet -------------------------------------------------------------------------------------------
@app.command()
@fails_cleanly
def devnet(
    port: Annotated[
        int, typer.Option(help="Port to listen on (0 = any free port).", min=0, max=65535)
    ] = 9944,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    block_time: Annotated[float, typer.Option(help="Seconds between blocks.", min=0.01)] = 12.0,
    history: Annotated[int, typer.Option(help="Blocks of history produced at start.", min=0)] = 5000,
    seed: Annotated[int, typer.Option(help="Seed: the same seed gives the same chain.", min=0)] = 1,
    scenario: Annotated[Path | None, typer.Option(help="TOML file of scripted happenings.")] = None,
    extrinsics_per_block: Annotated[
        int, typer.Option(help="Signed extrinsics per block (about).", min=0)
    ] = 20,
    ledger: Annotated[Path | None, typer.Option(help="Write every governance happening here (JSON).")] = None,
    latency: Annotated[
        float, typer.Option(help="Fault: delay every answer by MS milliseconds.", min=0)
    ] = 0.0,
    drop_every: Annotated[
        float | None, typer.Option(help="Fault: close all connections every SECONDS.", min=0.1)
    ] = None,
    error_rate: Annotated[
        float, typer.Option(help="Fault: answer this share of requests with an error.", min=0.0, max=1.0)
    ] = 0.0,
    stall: Annotated[
        float | None, typer.Option(help="Fault: produce no block for SECONDS after start.", min=0.0)
    ] = None,
    rate_limit: Annotated[
        float | None,
        typer.Option(
            help="Fault: a token bucket of N (refilled at N a second) shared by all connections, like a public node.",
            min=1,
        ),
    ] = None,
    rate_limit_unit: Annotated[
        str,
        typer.Option(
            help="What --rate-limit counts: 'call' (each request of a batch; a batch is answered in part) or 'frame' (a batch counts once, refused whole).",
            metavar="call|frame",
        ),
    ] = "call",
    fail_method: Annotated[
        list[str] | None,
        typer.Option(
            help="Fault: answer METHOD (or state_call:Api_method) with an error, for a share RATE (0-1, default 1) of its requests. Repeatable.",
            metavar="METHOD[:RATE]",
        ),
    ] = None,
    pruned: Annotated[
        int | None,
        typer.Option(
            help="Fault: keep state for the last N blocks only, like a pruned node (blocks stay).", min=0
        ),
    ] = None,
    bloat: Annotated[
        list[str] | None,
        typer.Option(
            help="Fault: pad every answer of METHOD with MB megabytes (tests the client's frame cap). Repeatable.",
            metavar="METHOD:MB",
        ),
    ] = None,
    deaf_after: Annotated[
        float | None,
        typer.Option(
            help="Fault: SECONDS after a connection opens, never answer on it again (it stays open).", min=0.0
        ),
    ] = None,
    deaf_connections: Annotated[
        int | None, typer.Option(help="With --deaf-after: only the first K connections go deaf.", min=1)
    ] = None,
    upgrade_at: Annotated[
        list[str] | None,
        typer.Option(
            help="Upgrade the runtime at these blocks (repeatable, or comma-separated): the first to spec 400, each later one to the next spec version.",
            metavar="BLOCK[,BLOCK...]",
        ),
    ] = None,
) -> None:
    """Run the built-in devnet: a local Bittensor-shaped node serving JSON-RPC over a websocket."""
    from sentinel_core.devnet.chain import upgrade_blocks
    from sentinel_core.devnet.scenario import ScenarioError, load_scenario
    from sentinel_core.devnet.server import RATE_LIMIT_UNITS, Devnet, parse_fail_method

    try:
        scen = load_scenario(scenario) if scenario else None
    except ScenarioError as exc:
        raise UserError(str(exc)) from None
    if rate_limit_unit not in RATE_LIMIT_UNITS:
        raise UserError(f"--rate-limit-unit: {rate_limit_unit!r} is not one of {', '.join(RATE_LIMIT_UNITS)}")
    fail_methods: dict[str, float] = {}
    for text in fail_method or []:
        try:
            name, rate = parse_fail_method(text)
        except ValueError as exc:
            raise UserError(f"--fail-method {text!r}: {exc}") from None
        fail_methods[name] = rate
    padding: dict[str, float] = {}
    for text in bloat or []:
        method, _, mb = text.partition(":")
        try:
            padding[method] = float(mb)
        except ValueError:
            raise UserError(f"--bloat {text!r}: say METHOD:MB, e.g. chain_getHeader:50") from None
    if deaf_connections is not None and deaf_after is None:
        raise UserError("--deaf-connections needs --deaf-after")
    upgrades: list[int] = []
    for text in upgrade_at or []:
        for part in text.split(","):
            part = part.strip()
            if not (part.isascii() and part.isdigit()) or int(part) < 1:
                raise UserError(f"--upgrade-at: {part!r} is not a valid block number (must be 1 or more)")
            upgrades.append(int(part))
    try:
        upgrade_blocks(upgrades)
    except ValueError as exc:
        raise UserError(f"--upgrade-at: {str(exc).removeprefix('upgrade_at: ')}") from None
    try:
        node = Devnet(
            host=host,
            port=port,
            block_time=block_time,
            history=history,
            seed=seed,
            scenario=scen,
            extrinsics_per_block=extrinsics_per_block,
            ledger_path=ledger,
            latency_ms=latency,
            drop_every=drop_every,
            error_rate=error_rate,
            stall=stall,
            rate_limit=rate_limit,
            rate_limit_unit=rate_limit_unit,
            fail_methods=fail_methods,
            bloat=padding,
            pruned=pruned,
            deaf_after=deaf_after,
            deaf_connections=deaf_connections,
            upgrade_at=upgrades or None,
        )
    except ValueError as exc:  # a fault the devnet cannot do, said by the devnet
        raise UserError(str(exc)) from None

    async def serve() -> None:
        err.print(f"devnet: producing {history} blocks of history (seed {seed})...")
        try:
            await node.start()
        except OSError as exc:
            raise UserError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
        out.print(
            f"devnet listening on {node.url}  (head #{node.chain.head.number}, "
            f"a block every {block_time:g}s; Ctrl-C stops)"
        )
        sys.stdout.flush()
        try:
            await asyncio.Event().wait()
        finally:
            await node.stop()

    try:
        asyncio.run(serve())
    except KeyboardInterrupt:
        out.print("devnet stopped")


# -- db -----------------------------------------------------------------------------------------------
@db_app.command("stats")
@fails_cleanly
def db_stats(config: ConfigOpt = None, db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Block range, counts, gaps, alerts."""
    from rich.table import Table

    settings = settings_for(config, db=db, rules_needed=False)
    with open_store(settings) as store:
        stats = store.stats()
        runs = store.run_counts()
    stats["interrupted_runs"] = runs.get("interrupted", 0)
    if as_json:
        dump(stats)
        return
    t = Table(title=f"{settings.storage.path}", show_header=False, box=None)
    rng = "empty" if stats["blocks"] == 0 else f"#{stats['first_block']} .. #{stats['last_block']}"
    gaps = stats["gaps"]
    rows = [
        ("blocks", f"{stats['blocks']:,}  ({rng})"),
        (
            "missing",
            f"{stats['missing_blocks']:,} in {len(gaps)} gap(s)" + (f": {_ranges(gaps)}" if gaps else ""),
        ),
        ("finalized up to", str(stats.get("finalized_up_to") or "-")),
        ("extrinsics", f"{stats['extrinsics']:,}  ({stats['failed_extrinsics']:,} failed)"),
        ("events", f"{stats['events']:,}"),
        ("alerts", f"{stats['alerts']:,}"),
        ("undecodable blocks", f"{stats['undecodable_blocks']:,}"),
    ]
    if stats["interrupted_runs"]:  # backfills whose process was killed (the next run fills the rest)
        rows.append(("interrupted runs", f"{stats['interrupted_runs']:,} (killed before they ended)"))
    for k, v in rows:
        t.add_row(f"[bold]{k}[/]", v)
    out.print(t)


def _ranges(gaps: list[tuple[int, int]], limit: int = 5) -> str:
    text = ", ".join(f"{a}-{b}" if a != b else str(a) for a, b in gaps[:limit])
    return text + (f", ... ({len(gaps) - limit} more)" if len(gaps) > limit else "")


@db_app.command("gaps")
@fails_cleanly
def db_gaps(config: ConfigOpt = None, db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Missing block ranges between the first and last stored block."""
    settings = settings_for(config, db=db, rules_needed=False)
    with open_store(settings) as store:
        gaps = store.gaps()
    if as_json:
        dump([{"start": a, "end": b, "blocks": b - a + 1} for a, b in gaps])
        return
    if not gaps:
        out.print("no gaps")
        return
    for a, b in gaps:
        out.print(f"{a}-{b}  ({b - a + 1} blocks)")


# -- blocks -------------------------------------------------------------------------------------------
async def _get_block(settings: "Settings", number: int) -> Any:
    from sentinel_core.store import Store

    path = Path(settings.storage.path)
    if path.exists():
        with Store(path, readonly=True) as store:
            block = store.get_block(number)
        if block is not None:
            return block
    async with chain(settings) as client:
        _, block_hash = await _resolve_block(client, number, None)
        return await client.fetch_block(block_hash=block_hash)


def _effective_calls(ex: Any) -> str:
    """The calls an extrinsic made through a wrapper (Sudo, Utility.batch*, Proxy.proxy), as rich
    markup: ``Pallet.call(args) via Sudo.sudo``, ``; `` between them; empty for a plain call."""
    from rich.markup import escape

    return "; ".join(
        escape(f"{c.qualname}({_short_args(c.args)})" + (f" via {' > '.join(c.via)}" if c.via else ""))
        + ("" if c.success else f" [red]failed: {escape(str(c.error))}[/]")
        for c in ex.calls
        if c.via
    )


def _block_text(block: Any) -> None:
    from datetime import datetime

    from rich.table import Table

    when = (
        datetime.fromtimestamp(block.timestamp / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        if block.timestamp
        else "-"
    )
    out.print(f"[bold]Block #{block.number}[/]  {block.hash}")
    out.print(
        f"parent {block.parent_hash}  time {when}  spec {block.spec_version or '-'}  "
        f"{'finalized' if block.finalized else 'not finalized'}"
    )
    if block.decode_error:
        out.print(f"[red]undecodable: {block.decode_error}[/]")
    t = Table(box=None, pad_edge=False)
    for col in ("#", "call", "signer", "result", "effective calls"):
        t.add_column(col, overflow="fold")
    for ex in block.extrinsics:
        result = "[green]ok[/]" if ex.success else f"[red]{ex.error}[/]"
        t.add_row(str(ex.index), ex.qualname, _short(ex.signer), result, _effective_calls(ex))
    out.print(t)
    out.print(f"[bold]{len(block.events)} events[/]")
    for ev in block.events:
        where = f"ext {ev.extrinsic_index}" if ev.extrinsic_index is not None else "block"
        out.print(f"  {ev.index:>3} {where:>7}  {ev.qualname} {_short_args(ev.attributes)}", markup=False)


def _short(value: Any) -> str:
    return short_key(value or None, 8, 4, keep=17)


def _short_args(args: Any) -> str:
    if isinstance(args, dict):
        return ", ".join(f"{k}={_short(v) if isinstance(v, str) else v}" for k, v in args.items())
    if isinstance(args, (list, tuple)):
        return ", ".join(_short(v) if isinstance(v, str) else str(v) for v in args)
    return "" if args is None else str(args)


@block_app.command("show")
@fails_cleanly
def block_show(
    number: Annotated[int, typer.Argument(help="Block number.", min=0)],
    config: ConfigOpt = None,
    network: NetworkOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """A stored (or fetched) block: extrinsics, unwrapped calls, events."""
    settings = settings_for(config, network, db)
    block = asyncio.run(_get_block(settings, number))
    if as_json:
        dump(block.model_dump(mode="json"))
    else:
        _block_text(block)


@app.command()
@fails_cleanly
def extrinsics(
    block: Annotated[int, typer.Option("--block", "-b", help="Block number.", min=0)],
    config: ConfigOpt = None,
    network: NetworkOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The extrinsics of a block, with unwrapped calls (the calls made through Sudo, Utility.batch*,
    Proxy.proxy: what the rules match)."""
    from rich.markup import escape
    from rich.table import Table

    settings = settings_for(config, network, db)
    b = asyncio.run(_get_block(settings, block))
    if as_json:
        dump([x.model_dump(mode="json", exclude={"events"}) for x in b.extrinsics])
        return
    t = Table(box=None)
    for col in ("#", "hash", "signer", "call", "result"):
        t.add_column(col)
    t.add_column("effective calls", overflow="fold")
    for x in b.extrinsics:
        t.add_row(
            str(x.index),
            short_key(x.hash or None, 10, 4, keep=21),
            _short(x.signer),
            x.qualname,
            "ok" if x.success else escape(f"failed: {x.error}"),
            _effective_calls(x),
        )
    out.print(t)


@app.command()
@fails_cleanly
def events(
    block: Annotated[int, typer.Option("--block", "-b", help="Block number.", min=0)],
    config: ConfigOpt = None,
    network: NetworkOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The events of a block."""
    from rich.table import Table

    settings = settings_for(config, network, db)
    b = asyncio.run(_get_block(settings, block))
    if as_json:
        dump([e.model_dump(mode="json") for e in b.events])
        return
    t = Table(box=None)
    for col in ("#", "extrinsic", "event", "attributes"):
        t.add_column(col, overflow="fold")
    for e in b.events:
        t.add_row(
            str(e.index),
            "-" if e.extrinsic_index is None else str(e.extrinsic_index),
            e.qualname,
            _short_args(e.attributes),
        )
    out.print(t)


@runtime_app.command("version")
@fails_cleanly
def runtime_version(
    block: Annotated[
        int | None, typer.Option("--block", "-b", help="At this block (default: head).", min=0)
    ] = None,
    config: ConfigOpt = None,
    network: NetworkOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Spec, impl and transaction versions of the runtime at a block (default: head)."""
    settings = settings_for(config, network)

    async def go() -> tuple[int, dict[str, Any]]:
        async with chain(settings) as client:
            number, block_hash = await _resolve_block(client, block, None)
            return number, await client.runtime_version(block_hash)

    number, v = asyncio.run(go())
    if as_json:
        dump({"block": number, **v})
        return
    out.print(
        f"block #{number}: {v['specName']} spec {v['specVersion']}, impl {v['implVersion']}, "
        f"transaction {v['transactionVersion']}"
    )


# -- hyperparameters ------------------------------------------------------------------------------------
@block_app.command("hyperparameters")
@fails_cleanly
def block_hyperparameters(
    netuid: Annotated[int | None, typer.Option("--netuid", help="Subnet.", min=0, max=65535)] = None,
    all_subnets: Annotated[bool, typer.Option("--all", help="Every subnet, one line each.")] = False,
    block: Annotated[
        int | None, typer.Option("--block", "-b", help="At this block (default: head).", min=0)
    ] = None,
    block_hash: Annotated[str | None, typer.Option("--hash", help="At this block hash.")] = None,
    config: ConfigOpt = None,
    network: NetworkOpt = None,
    as_json: JsonOpt = False,
    raw: Annotated[bool, typer.Option("--raw", help="Raw on-chain values only.")] = False,
) -> None:
    """A subnet's hyperparameters at a block, raw and human, and what changed since the previous block."""
    from rich.table import Table

    from sentinel_core import hyperparams as hp
    from sentinel_core.chain.reads.hyperparams import declared_method, read_hyperparams
    from sentinel_core.chain.reads.subnets import subnets_at

    if netuid is None and not all_subnets:
        raise UserError("say which subnet: --netuid N, or --all")
    settings = settings_for(config, network)

    async def go() -> dict[str, Any]:
        async with chain(settings) as client:
            number, h = await _resolve_block(client, block, block_hash)
            async with client.library("loading the runtime", h):
                runtime = await client.sub.init_runtime(block_hash=h)
            method = declared_method(runtime) or "storage"
            if all_subnets:
                netuids = await subnets_at(client, h)
                return {
                    "block": number,
                    "hash": h,
                    "method": method,
                    "subnets": await read_hyperparams(client, netuids, h),
                }
            assert netuid is not None  # checked above
            values = (await read_hyperparams(client, [netuid], h))[netuid]
            if values is None:
                raise UserError(f"subnet {netuid} does not exist at block {number}")
            previous = None
            if block is not None or block_hash is not None:
                if number > 0:
                    (ph,) = await client.block_hashes([number - 1])
                    previous = (await read_hyperparams(client, [netuid], ph))[netuid] if ph else None
            return {"block": number, "hash": h, "method": method, "values": values, "previous": previous}

    res = asyncio.run(go())
    if all_subnets:
        _print_all(res, as_json)
        return
    values, previous = res["values"], res["previous"]
    if raw:
        dump(values)
        return
    rows = []
    for name, value in values.items():
        changed = previous is not None and previous.get(name) != value
        rows.append(
            {
                "name": name,
                "raw": value,
                "value": hp.normalize(name, value),
                "human": hp.format_value(name, value),
                "unit": hp.unit_label(name),
                "changed": changed,
                "previous": previous.get(name) if changed and previous else None,
            }
        )
    if as_json:
        dump(
            {
                "netuid": netuid,
                "block": res["block"],
                "hash": res["hash"],
                "method": res["method"],
                "hyperparameters": rows,
            }
        )
        return
    title = f"Subnet {netuid} at block #{res['block']}  ({res['method']})"
    t = Table(title=title, title_justify="left")
    t.add_column("hyperparameter")
    t.add_column("raw", justify="right")
    t.add_column("value", justify="right")
    t.add_column("unit")
    if previous is not None:
        t.add_column("vs #" + str(res["block"] - 1))
    for r in rows:
        cells = [r["name"], str(r["raw"]), r["human"], r["unit"]]
        if previous is not None:
            cells.append(
                f"[yellow]changed from {hp.format_value(r['name'], r['previous'])}[/]" if r["changed"] else ""
            )
        t.add_row(*cells, style="bold" if r["changed"] else None)
    out.print(t)


_SUMMARY = (
    "tempo",
    "immunity_period",
    "kappa",
    "min_burn",
    "max_burn",
    "registration_allowed",
    "commit_reveal_weights_enabled",
    "liquid_alpha_enabled",
    "max_validators",
)


def _print_all(res: dict[str, Any], as_json: bool) -> None:
    from rich.table import Table

    from sentinel_core import hyperparams as hp

    subnets = res["subnets"]
    if as_json:
        dump(
            {
                "block": res["block"],
                "hash": res["hash"],
                "method": res["method"],
                "subnets": {str(n): v for n, v in subnets.items()},
            }
        )
        return
    t = Table(
        title=f"{len(subnets)} subnets at block #{res['block']}  ({res['method']})", title_justify="left"
    )
    t.add_column("netuid", justify="right")
    for name in _SUMMARY:
        t.add_column(name, justify="right")
    for n, values in sorted(subnets.items()):
        if values is None:
            continue
        t.add_row(
            str(n), *[hp.format_value(name, values.get(name)) if name in values else "-" for name in _SUMMARY]
        )
    out.print(t)


@hp_app.command("history")
@fails_cleanly
def hyperparameters_history(
    netuid: Annotated[
        int | None, typer.Option("--netuid", help="Subnet (default: all).", min=0, max=65535)
    ] = None,
    name: Annotated[str | None, typer.Option("--name", help="Only this hyperparameter.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many changes.", min=1)] = 200,
    config: ConfigOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Recorded hyperparameter changes, newest first: block, old -> new, who, how."""
    from rich.table import Table

    from sentinel_core import hyperparams as hp

    settings = settings_for(config, db=db, rules_needed=False)
    with open_store(settings) as store:
        changes = store.hyperparam_history(netuid=netuid, name=name, limit=limit)
        if not changes and netuid is not None and not _subnet_known(store, netuid):
            raise UserError(
                f"--netuid {netuid}: the database holds nothing of subnet {netuid} "
                "(no recorded changes, hyperparameter polls or metagraph snapshots)"
            )
    if as_json:
        dump([c.model_dump(mode="json") for c in changes])
        return
    if not changes:
        out.print("no recorded changes")
        return
    t = Table(box=None)
    for col in ("block", "netuid", "change", "by", "how"):
        t.add_column(col, overflow="fold")
    for c in changes:
        how = (c.call or "snapshot") + (" via sudo" if c.via_sudo else "")
        t.add_row(
            str(c.block),
            "-" if c.netuid is None else str(c.netuid),
            hp.format_change(c.name, c.old, c.new),
            _short(c.signer),
            how + ("" if c.known else " (unknown unit)"),
        )
    out.print(t)


def _subnet_known(store: Any, netuid: int) -> bool:
    """Whether the database holds anything of ``netuid``: a change, a hyperparameter poll, a snapshot."""
    return bool(
        store.hyperparam_history(netuid=netuid, limit=1)
        or store.latest_hyperparam_poll(netuid) is not None
        or netuid in store.snapshot_netuids()
    )


# -- rules and alerts -------------------------------------------------------------------------------------
@rules_app.command("check")
@fails_cleanly
def rules_check(
    config: ConfigOpt = None,
    network: NetworkOpt = None,
    offline: Annotated[
        bool, typer.Option("--offline", help="Check names against the known runtimes; no chain reads.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Validate sentinel.toml: every problem as FILE:LINE: field: problem. Call, event and hyperparameter
    names are checked against the network's runtime (read at the head when the node answers; for the
    devnet, its base and --upgrade-at runtimes), else against the known runtimes."""
    from sentinel_core.config import ConfigError

    display = str(config) if config is not None else "sentinel.toml"
    try:
        settings = settings_for(config, network)
    except ConfigError as exc:
        if not as_json:
            raise
        dump({"source": display, "ok": False, "rules": [], "runtimes": [], "problems": exc.lines})
        raise typer.Exit(2) from None
    targets, others, note = _rule_runtimes(settings, offline)
    found = _name_problems(settings, targets, others)
    problems = [_located(display, settings, p) for p in found if not p.note]
    notes = [_located(display, settings, p) for p in found if p.note]
    src = settings.source or "defaults (no sentinel.toml)"
    if as_json:
        dump(
            {
                "source": str(src),
                "ok": not problems,
                "rules": [r.name for r in settings.rules],
                "runtimes": [rt.title for rt in targets],
                "note": note,
                "problems": problems,
                "notes": notes,
            }
        )
        if problems:
            raise typer.Exit(2)
        return
    if note:
        error_line(f"note: {note}")
    for line in notes:
        error_line(f"note: {line}")
    if problems:
        for line in problems:
            error_line(f"error: {line}")
        raise typer.Exit(2)
    out.print(
        f"{src}: ok, {len(settings.rules)} rules: " + ", ".join(r.name for r in settings.rules),
        markup=False,
        soft_wrap=True,
    )


def _name_problems(settings: "Settings", targets: list[Any], others: list[Any]) -> list[Any]:
    from sentinel_core.rules.names import check_rule_names

    return check_rule_names(settings.rules, targets, others)


def _located(display: str, settings: "Settings", problem: Any) -> str:
    """``FILE:LINE: rules[3].call: problem`` (the line where sentinel.toml has the value)."""
    loc = problem.loc
    field = ""
    for part in loc:
        field += f"[{part}]" if isinstance(part, int) else ("." if field else "") + str(part)
    line = None
    if settings.source is not None:
        try:
            from sentinel_core.config import _Locator

            locator = _Locator(settings.source.read_text(encoding="utf-8"))
            line = locator.find(loc) or locator.find(loc[:2])
        except (ImportError, OSError, ValueError, AttributeError):
            line = None
    where = f"{display}:{line}" if line else display
    return f"{where}: {field}: {problem.message}"


def _rule_runtimes(settings: "Settings", offline: bool) -> tuple[list[Any], list[Any], str | None]:
    """The runtimes the rules run on (the network's at its head when it answers; the devnet's two),
    the other known runtimes, and a note when the network could not be read."""
    from sentinel_core.rules.names import known_runtimes

    known = known_runtimes()
    url = settings.network.url
    if url is None or offline:
        return known, [], None
    try:
        network = asyncio.run(_network_names(settings))
    except SentinelError as exc:
        shown = ", ".join(rt.title for rt in known)
        return known, [], f"names checked against the known runtimes ({shown}): {exc}"
    return [network], [rt for rt in known if rt.spec_version != network.spec_version], None


async def _network_names(settings: "Settings") -> Any:
    from sentinel_core.rules.names import names_from_metadata

    async with chain(settings, timeout=5.0) as client:
        number, h = await _resolve_block(client, None, None)
        async with client.library("loading the runtime", h):
            runtime = await client.sub.init_runtime(block_hash=h)
        version = await client.runtime_version(h)
        spec = int(version.get("specVersion") or 0)
        return names_from_metadata(runtime.metadata, spec, f"{settings.network.url} at #{number:,}")


@rules_app.command("test")
@fails_cleanly
def rules_test(
    start: Annotated[int, typer.Option("--from", help="First stored block.", min=0)],
    end: Annotated[int, typer.Option("--to", help="Last stored block.", min=0)],
    config: ConfigOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Replay stored blocks, and pairs of stored metagraph snapshots, through the rules and print the
    hits (nothing is sent or stored)."""
    from sentinel_core.rules.engine import RuleEngine

    if start > end:
        raise UserError(f"--from {start} > --to {end}")
    settings = settings_for(config, db=db)
    engine = RuleEngine(settings.rules)
    hits = []
    with open_store(settings) as store:
        last = _last_stored(store)
        if last is None or start > last:
            held = "no blocks or snapshots" if last is None else f"blocks and snapshots up to #{last}"
            raise UserError(f"--from {start} is beyond what is stored (the database holds {held})")
        changes_by_block: dict[int, list[Any]] = {}
        for c in store.hyperparam_history(limit=1_000_000):
            if start <= c.block <= end:
                changes_by_block.setdefault(c.block, []).append(c)
        present = store.present_numbers(start, end)
        missing = end - start + 1 - len(present)
        for n in sorted(present):
            block = store.get_block(n)
            if block is None:
                missing += 1
                continue
            hits.extend(
                engine.evaluate(
                    block, sorted(changes_by_block.get(n, []), key=lambda c: c.extrinsic_index or 0)
                )
            )
        pairs = _replay_snapshots(store, engine, start, end, hits)
    if as_json:
        dump([a.model_dump(mode="json") for a in hits])
        return
    for a in hits:
        out.print(
            f"[{_sev_style(a.severity.value)}]{a.severity.value:>8}[/] #{a.block:<8} {a.rule}: {a.message}"
        )
    out.print(
        f"{len(hits)} hits in blocks {start}-{end}"
        + (f" ({missing:,} blocks not stored)" if missing else "")
        + (f"; {pairs} pairs of stored snapshots compared" if pairs else "")
    )


def _last_stored(store: Any) -> int | None:
    """The newest stored block or metagraph snapshot (what ``rules test`` can replay)."""
    found = [store.latest_block()]
    for netuid in store.snapshot_netuids():
        found.extend(store.recent_snapshot_blocks(netuid, 1))
    numbers = [n for n in found if n is not None]
    return max(numbers) if numbers else None


def _replay_snapshots(store: Any, engine: Any, start: int, end: int, hits: list[Any]) -> int:
    """The snapshot rules over each pair of consecutive stored snapshots of a subnet whose later one
    lies in [start, end] (as live mode and snapshot backfills pair them); returns the pairs compared."""
    if not engine.snapshot_rules:
        return 0
    neurons = engine.snapshot_rules_need_rows
    pairs = 0
    for netuid in store.snapshot_netuids():
        blocks = store.snapshot_blocks(netuid, start, end)
        if not blocks:
            continue
        before, _ = store.adjacent_snapshot_blocks(netuid, blocks[0])
        previous = None if before is None else store.read_snapshot_raw(netuid, before, neurons=neurons)
        for block in blocks:
            current = store.read_snapshot_raw(netuid, block, neurons=neurons)
            if previous is not None and current is not None:
                hits.extend(engine.evaluate_snapshot(previous, current))
                pairs += 1
            previous = current
    return pairs


def _sev_style(sev: str) -> str:
    return {"critical": "bold red", "warning": "yellow", "info": "cyan"}.get(sev, "white")


@alerts_app.command("list")
@fails_cleanly
def alerts_list(
    since: Annotated[int | None, typer.Option(help="Only alerts at or after this block.", min=0)] = None,
    rule: Annotated[str | None, typer.Option(help="Only this rule.")] = None,
    severity: Annotated[
        str | None, typer.Option(help="At least this severity: info, warning, critical.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1)] = 200,
    config: ConfigOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Stored alerts, newest first."""
    if severity is not None and severity not in ("info", "warning", "critical"):
        raise UserError(f"--severity {severity!r}: must be one of info, warning, critical")
    settings = settings_for(config, db=db, rules_needed=False)
    with open_store(settings) as store:
        rows = store.list_alerts(since_block=since, rule=rule, severity=severity, limit=limit)
    if as_json:
        dump(
            [
                {
                    "id": alert_id,
                    "rule": a.rule,
                    "severity": a.severity.value,
                    "block": a.block,
                    "extrinsic_index": a.extrinsic_index,
                    "netuid": a.netuid,
                    "message": a.message,
                    "fields": a.fields,
                    "acknowledged": acked,
                }
                for alert_id, a, acked in rows
            ]
        )
        return
    if not rows:
        out.print("no alerts")
        return
    for _alert_id, a, acked in rows:
        where = f"#{a.block}" + (f"-{a.extrinsic_index}" if a.extrinsic_index is not None else "")
        out.print(
            f"[{_sev_style(a.severity.value)}]{a.severity.value:>8}[/] {where:<12} {a.rule}: {a.message}"
            + ("  [dim](acked)[/]" if acked else "")
        )


app.add_typer(subnet_app, name="subnet")


# -- running a command -------------------------------------------------------------------------------
_NOUNS = {
    "block": "block number",
    "number": "block number",
    "start": "block number",
    "end": "block number",
    "since": "block number",
    "upgrade_at": "block number",
    "netuid": "netuid",
    "port": "port number",
    "limit": "count",
    "history": "count",
    "extrinsics_per_block": "count",
}
_NUMBER = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")


def _label(param: Any) -> str:
    """How the user named a parameter: ``--block`` for an option, ``NUMBER`` for an argument."""
    opts = [o for o in getattr(param, "opts", []) if o.startswith("--")] or list(getattr(param, "opts", []))
    if getattr(param, "param_type_name", "") == "argument" or not opts or not opts[0].startswith("-"):
        return str(param.name or "value").upper()
    return str(opts[0])


def _annotation(param: Any) -> Any:
    """``int`` or ``float`` for a numeric parameter (whatever typer/click version declared it)."""
    td = getattr(param, "type_descriptor", None)
    ann = getattr(td, "annotation", None)
    if ann in (int, float):
        return ann
    name = getattr(getattr(param, "type", None), "name", "")
    return {"integer": int, "integer range": int, "float": float, "float range": float}.get(name)


def _bounds(param: Any) -> tuple[Any, Any]:
    lo, hi = getattr(param, "min", None), getattr(param, "max", None)
    typ = getattr(param, "type", None)
    return (
        lo if lo is not None else getattr(typ, "min", None),
        hi if hi is not None else getattr(typ, "max", None),
    )


def _given(param: Any, args: list[str]) -> str | None:
    """The text the user gave for an option (``--block -5`` or ``--block=-5``), else None."""
    for i, a in enumerate(args):
        for opt in getattr(param, "opts", []):
            if a == opt and i + 1 < len(args):
                return args[i + 1]
            if a.startswith(opt + "=") and opt.startswith("--"):
                return a[len(opt) + 1 :]
    return None


def _number_problem(param: Any, text: str | None) -> str | None:
    """``"-5 is not a valid block number (must be 0 or more)"`` for a numeric parameter, else None."""
    typ = _annotation(param)
    if typ is None:
        return None
    noun = _NOUNS.get(param.name or "", "number")
    lo, hi = _bounds(param)
    if lo is not None and hi is not None:
        allowed = f"must be {lo} to {hi}"
    elif lo is not None:
        allowed = f"must be {lo} or more"
    elif hi is not None:
        allowed = f"must be {hi} or less"
    else:
        allowed = "must be a whole number" if typ is int else "must be a number"
    if text is None:
        return f"not a valid {noun} ({allowed})"
    try:
        value = typ(text)
    except ValueError:
        kind = "a whole number" if typ is int else "a number"
        if typ is int and _NUMBER.match(text):
            return f"{text} is not a valid {noun} (not a whole number; {allowed})"
        return f"{text!r} is not a valid {noun} (not {kind}; {allowed})"
    del value
    return f"{text} is not a valid {noun} ({allowed})"


def usage_line(exc: Exception, args: list[str]) -> str:
    """One line for a usage error of typer/click (instead of its box): the parameter, what was given and
    what is wrong, e.g. ``--block: -5 is not a valid block number (must be 0 or more)``."""
    param = getattr(exc, "param", None)
    ctx = getattr(exc, "ctx", None)
    where = f" (sentinel-cli {' '.join(ctx.command_path.split()[1:])} --help)" if ctx is not None else ""
    where = where.replace("sentinel-cli  --help", "sentinel-cli --help")
    missing = type(exc).__name__ == "MissingParameter"
    if param is not None and not missing:
        given = _given(param, args)
        if given is None and getattr(param, "param_type_name", "") == "argument":
            given = _positional(ctx, args)
        problem = _number_problem(param, given)
        if problem is not None:
            return f"{_label(param)}: {problem}"
        return f"{_label(param)}: {exc.message if hasattr(exc, 'message') else exc}"
    option = getattr(exc, "option_name", None)
    if isinstance(option, str) and _NUMBER.match(option) and ctx is not None:
        # "-5" where a number argument is expected: click took it for an option.
        for p in ctx.command.params:
            if getattr(p, "param_type_name", "") == "argument" and _annotation(p) is not None:
                return f"{_label(p)}: {_number_problem(p, option)}"
    fmt = getattr(exc, "format_message", None)
    text = fmt() if callable(fmt) else str(exc)
    return " ".join(str(text).split()) + where


def _positional(ctx: Any, args: list[str]) -> str | None:
    """The first positional token after the command's own name (for an argument's error)."""
    if ctx is None:
        return None
    names = ctx.command_path.split()[1:]
    i = 0
    for n in names:
        while i < len(args) and args[i] != n:
            i += 1
        i += 1
    rest = args[i:]
    for j, a in enumerate(rest):
        if not a.startswith("-") or _NUMBER.match(a):
            if j and rest[j - 1].startswith("--") and "=" not in rest[j - 1]:
                continue
            return a
    return None


def run(args: list[str] | None = None) -> int:
    """Run one command like ``sentinel-cli ARGS`` and return its exit code: usage errors (a bad
    number, an unknown option, a missing value) as one line ``error: ...`` on stderr with exit code 2,
    never typer's box."""
    from typer.main import get_command

    argv = list(sys.argv[1:] if args is None else args)
    cx = sys.modules[typer.BadParameter.__module__]  # the click that typer uses (vendored or not)
    command = get_command(app)
    try:
        rv = command.main(argv, prog_name="sentinel-cli", standalone_mode=False)
    except cx.NoArgsIsHelpError as exc:
        exc.show()
        return int(exc.exit_code)
    except cx.UsageError as exc:
        error_line(f"error: {usage_line(exc, argv)}")
        return 2
    except (typer.Abort, KeyboardInterrupt):
        error_line("interrupted")
        return 130
    except typer.Exit as exc:
        return int(exc.exit_code)
    except BrokenPipeError:
        # The reader went away (``| head``): stop quietly, and keep the interpreter's own flush of
        # stdout at exit from failing on the closed pipe as well.
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    return rv if isinstance(rv, int) else 0


def main() -> None:  # pragma: no cover - ``python -m sentinel_tui.cli``
    """Run one command (the ``sentinel-cli`` script is :func:`sentinel_tui.cli_main.main`, which also
    keeps the collector off while the modules load). The modules are loaded by now: they are frozen
    out of the collector's reach, and the heap is not swept at exit. Process-wide, so here and not
    when the module is imported."""
    gc.freeze()
    atexit.register(gc.freeze)
    sys.exit(run())


if __name__ == "__main__":  # pragma: no cover
    main()
