"""sentinel-cli: the devnet, stored history, blocks, hyperparameters, rules and alerts from a shell.

Commands import what they use when they run (rich tables, hyperparameter semantics, the store, the
devnet): ``sentinel-cli`` loads only what every command shares. Annotations are evaluated as the
module loads (no ``from __future__ import annotations``, here and in cli_subnet.py): typer reads every
command's signature on each run, and evaluating them from strings there took ~15 ms.
"""

import asyncio
import atexit
import gc
import json
import sys
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

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
    fails_cleanly,
    open_store,
    out,
    settings_for,
)

if TYPE_CHECKING:
    from sentinel_core.config import Settings

app = typer.Typer(
    help="Sentinel: watch the Bittensor chain from the command line.",
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
    seed: Annotated[int, typer.Option(help="Seed: the same seed gives the same chain.")] = 1,
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
        typer.Option(help="Fault: allow N calls per second in all, like a public node.", min=1),
    ] = None,
    upgrade_at: Annotated[
        int | None, typer.Option(help="Switch to the newer runtime (spec 400) from this block on.", min=1)
    ] = None,
) -> None:
    """Run the built-in devnet: a local Bittensor-shaped node serving JSON-RPC over a websocket."""
    from sentinel_core.devnet.scenario import ScenarioError, load_scenario
    from sentinel_core.devnet.server import Devnet

    try:
        scen = load_scenario(scenario) if scenario else None
    except ScenarioError as exc:
        raise UserError(str(exc)) from None
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
        upgrade_at=upgrade_at,
    )

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

    settings = settings_for(config, db=db)
    with open_store(settings) as store:
        stats = store.stats()
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
    settings = settings_for(config, db=db)
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
        return await client.fetch_block(number)


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
        calls = "; ".join(
            f"{c.qualname}({_short_args(c.args)})"
            + (f" via {' > '.join(c.via)}" if c.via else "")
            + ("" if c.success else f" [red]failed: {c.error}[/]")
            for c in ex.calls
            if c.via
        )
        result = "[green]ok[/]" if ex.success else f"[red]{ex.error}[/]"
        t.add_row(str(ex.index), ex.qualname, _short(ex.signer), result, calls)
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
    number: int,
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
    block: Annotated[int, typer.Option("--block", "-b", help="Block number.")],
    config: ConfigOpt = None,
    network: NetworkOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The extrinsics of a block, with unwrapped calls."""
    from rich.table import Table

    settings = settings_for(config, network, db)
    b = asyncio.run(_get_block(settings, block))
    if as_json:
        dump([x.model_dump(mode="json", exclude={"events"}) for x in b.extrinsics])
        return
    t = Table(box=None)
    for col in ("#", "hash", "signer", "call", "result"):
        t.add_column(col)
    for x in b.extrinsics:
        t.add_row(
            str(x.index),
            short_key(x.hash or None, 10, 4, keep=21),
            _short(x.signer),
            x.qualname,
            "ok" if x.success else f"failed: {x.error}",
        )
    out.print(t)


@app.command()
@fails_cleanly
def events(
    block: Annotated[int, typer.Option("--block", "-b", help="Block number.")],
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
    block: Annotated[int | None, typer.Option("--block", "-b")] = None,
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
    netuid: Annotated[int | None, typer.Option("--netuid", help="Subnet (default: all).")] = None,
    name: Annotated[str | None, typer.Option("--name", help="Only this hyperparameter.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many changes.", min=1)] = 200,
    config: ConfigOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Recorded hyperparameter changes, newest first: block, old -> new, who, how."""
    from rich.table import Table

    from sentinel_core import hyperparams as hp

    settings = settings_for(config, db=db)
    with open_store(settings) as store:
        changes = store.hyperparam_history(netuid=netuid, name=name, limit=limit)
    if as_json:
        for c in changes:
            out.print(json.dumps(c.model_dump(mode="json")), markup=False, soft_wrap=True)
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


# -- rules and alerts -------------------------------------------------------------------------------------
@rules_app.command("check")
@fails_cleanly
def rules_check(config: ConfigOpt = None) -> None:
    """Validate sentinel.toml: every problem as FILE:LINE: field: problem."""
    settings = settings_for(config)
    src = settings.source or "defaults (no sentinel.toml)"
    out.print(f"{src}: ok, {len(settings.rules)} rules: " + ", ".join(r.name for r in settings.rules))


@rules_app.command("test")
@fails_cleanly
def rules_test(
    start: Annotated[int, typer.Option("--from", help="First stored block.")],
    end: Annotated[int, typer.Option("--to", help="Last stored block.")],
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
        changes_by_block: dict[int, list[Any]] = {}
        for c in store.hyperparam_history(limit=1_000_000):
            if start <= c.block <= end:
                changes_by_block.setdefault(c.block, []).append(c)
        missing = 0
        for n in range(start, end + 1):
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
        for a in hits:
            out.print(json.dumps(a.model_dump(mode="json")), markup=False, soft_wrap=True)
        return
    for a in hits:
        out.print(
            f"[{_sev_style(a.severity.value)}]{a.severity.value:>8}[/] #{a.block:<8} {a.rule}: {a.message}"
        )
    out.print(
        f"{len(hits)} hits in blocks {start}-{end}"
        + (f" ({missing} blocks not stored)" if missing else "")
        + (f"; {pairs} pairs of stored snapshots compared" if pairs else "")
    )


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
    since: Annotated[int | None, typer.Option(help="Only alerts at or after this block.")] = None,
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
    settings = settings_for(config, db=db)
    with open_store(settings) as store:
        rows = store.list_alerts(since_block=since, rule=rule, severity=severity, limit=limit)
    if as_json:
        for alert_id, a, acked in rows:
            obj = {
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
            out.print(json.dumps(obj, default=str), markup=False, soft_wrap=True)
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


def main() -> None:  # pragma: no cover - ``python -m sentinel_tui.cli``
    """Run one command (the ``sentinel-cli`` script is :func:`sentinel_tui.cli_main.main`, which also
    keeps the collector off while the modules load). The modules are loaded by now: they are frozen
    out of the collector's reach, and the heap is not swept at exit. Process-wide, so here and not
    when the module is imported."""
    gc.freeze()
    atexit.register(gc.freeze)
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
