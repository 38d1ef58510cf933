"""``sentinel-cli subnet ...``: a subnet's metagraph at any block, and validator APY per epoch."""

import asyncio
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, cast

import typer

from sentinel_core.keys import short_key
from sentinel_core.units import RAO_PER_TAO

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
    out,
    settings_for,
)

if TYPE_CHECKING:
    from rich.console import JustifyMethod

subnet_app = typer.Typer(help="A subnet's neurons at any block, and validator APY.", no_args_is_help=True)

NetuidOpt = Annotated[int | None, typer.Option("--netuid", "-u", help="Subnet.", min=0, max=65535)]
BlockOpt = Annotated[int | None, typer.Option("--block", "-b", help="At this block (default: head).", min=0)]


def _short(text: str | None) -> str:
    return short_key(text, 6, 6)


def _tao(v: float | None, digits: int = 3) -> str:
    return "-" if v is None else f"τ{v:,.{digits}f}"


def _frac(v: float) -> str:
    return f"{v:.4f}" if v else "0"


def _dump_large(value: Any) -> None:
    """``dump`` for big documents: compact JSON (the C encoder; ``indent`` falls back to the pure-Python
    one) written straight to stdout (rich takes ~0.5 s to lay out 300 KB it would print unchanged)."""
    sys.stdout.write(json.dumps(value, default=str) + "\n")
    sys.stdout.flush()


# -- metagraph ---------------------------------------------------------------------------------------
@subnet_app.command("metagraph")
@fails_cleanly
def metagraph_cmd(
    netuid: NetuidOpt = None,
    block: BlockOpt = None,
    lite: Annotated[bool, typer.Option("--lite", help="Leave out weights and bonds.")] = False,
    sort: Annotated[
        str,
        typer.Option(
            "--sort",
            help="Sort by a column: uid, stake, alpha_stake, trust, consensus, "
            "incentive, dividends, emission, validator_permit, last_update, "
            "registered_at, active, hotkey, coldkey.",
        ),
    ] = "uid",
    all_subnets: Annotated[
        bool, typer.Option("--all", help="One summary line per subnet (one round trip).")
    ] = False,
    limit: Annotated[
        int | None, typer.Option("--limit", help="Show at most this many neurons.", min=1)
    ] = None,
    config: ConfigOpt = None,
    network: NetworkOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """One row per neuron: stake, trust, consensus, incentive, dividends, emission, permit, ...

    Read with the newest call the block's runtime declares (SubnetInfoRuntimeApi.get_metagraph, else
    NeuronInfoRuntimeApi.get_neurons_lite). u16 fractions are shown as 0..1, amounts in TAO."""
    from sentinel_core import metagraph as mgm
    from sentinel_core.chain.reads import metagraph as reads
    from sentinel_core.chain.reads.subnets import subnets_at

    if netuid is None and not all_subnets:
        raise UserError("say which subnet: --netuid N, or --all")
    if sort not in mgm.SORT_COLUMNS:
        raise UserError(f"--sort {sort!r}: must be one of {', '.join(mgm.SORT_COLUMNS)}")
    settings = settings_for(config, network)

    async def go() -> Any:
        async with chain(settings) as client:
            number, h = await _resolve_block(client, block, None)
            if all_subnets:
                netuids = await subnets_at(client, h)
                return number, h, await reads.read_all_summaries(client, netuids, h)
            assert netuid is not None  # checked above
            mg = await reads.read_metagraph(client, netuid, h, lite=lite, block_number=number)
            if not mg.exists:
                raise UserError(f"subnet {netuid} does not exist at block {number}")
            return number, h, mg

    number, h, res = asyncio.run(go())
    if all_subnets:
        _print_summaries(number, h, res, as_json)
        return
    rows = mgm.sort_rows(res.rows, sort)
    if limit is not None:
        rows = rows[:limit]
    if as_json:
        _dump_large(
            {
                "netuid": res.netuid,
                "block": number,
                "hash": h,
                "method": res.method,
                "tempo": res.tempo,
                "owner_hotkey": res.owner_hotkey,
                "owner_coldkey": res.owner_coldkey,
                "last_step": res.last_step,
                "neurons": len(res.rows),
                "total_stake_tao": res.total_stake_rao / RAO_PER_TAO,
                "rows": [
                    {
                        "uid": r.uid,
                        "raw": r.raw(),
                        "human": r.human(),
                        **({} if lite else {"weights": r.weights, "bonds": r.bonds}),
                    }
                    for r in rows
                ],
            }
        )
        return
    from rich.table import Table

    title = (
        f"Subnet {res.netuid} at block #{number}  ({res.method}; {len(res.rows)} neurons, "
        f"stake {_tao(res.total_stake_rao / RAO_PER_TAO, 0)}, tempo {res.tempo if res.tempo is not None else '-'}, "
        f"owner {_short(res.owner_coldkey)})"
    )
    t = Table(title=title, title_justify="left", box=None, pad_edge=False)
    for col, just in (
        ("uid", "right"),
        ("hotkey", "left"),
        ("coldkey", "left"),
        ("stake", "right"),
        ("alpha", "right"),
        ("trust", "right"),
        ("consensus", "right"),
        ("incentive", "right"),
        ("dividends", "right"),
        ("emission", "right"),
        ("VP", "center"),
        ("updated", "right"),
        ("registered", "right"),
        ("active", "center"),
    ):
        t.add_column(col, justify=cast("JustifyMethod", just), no_wrap=True)
    for r in rows:
        t.add_row(
            str(r.uid),
            _short(r.hotkey),
            _short(r.coldkey),
            _tao(r.stake_tao),
            f"{r.alpha_stake:,.3f}",
            _frac(r.trust),
            _frac(r.consensus),
            _frac(r.incentive),
            _frac(r.dividends),
            _tao(r.emission, 6),
            "✓" if r.validator_permit else "",
            str(r.last_update),
            "-" if r.registered_at is None else str(r.registered_at),
            "✓" if r.active else "",
        )
    out.print(t)


def _print_summaries(number: int, h: str, summaries: list[Any], as_json: bool) -> None:
    if as_json:
        dump(
            {
                "block": number,
                "hash": h,
                "subnets": [
                    {
                        "netuid": s.netuid,
                        "neurons": s.neurons,
                        "tempo": s.tempo,
                        "owner_hotkey": s.owner_hotkey,
                        "owner_coldkey": s.owner_coldkey,
                        "raw": {"total_stake": s.total_stake_rao},
                        "human": {"total_stake": s.total_stake_tao},
                        "method": s.method,
                    }
                    for s in summaries
                ],
            }
        )
        return
    from rich.table import Table

    t = Table(
        title=f"{len(summaries)} subnets at block #{number}", title_justify="left", box=None, pad_edge=False
    )
    for col, just in (
        ("netuid", "right"),
        ("neurons", "right"),
        ("total stake", "right"),
        ("tempo", "right"),
        ("owner coldkey", "left"),
        ("owner hotkey", "left"),
    ):
        t.add_column(col, justify=cast("JustifyMethod", just), no_wrap=True)
    for s in summaries:
        t.add_row(
            str(s.netuid),
            str(s.neurons),
            _tao(s.total_stake_tao, 0),
            "-" if s.tempo is None else str(s.tempo),
            s.owner_coldkey or "-",
            s.owner_hotkey or "-",
        )
    out.print(t)


# -- apy -----------------------------------------------------------------------------------------------
DEFAULT_EPOCHS = 10


@subnet_app.command("apy")
@fails_cleanly
def apy_cmd(
    netuid: NetuidOpt = None,
    start: Annotated[
        int | None, typer.Option("--from", help="First block (default: 10 epochs before --to).", min=0)
    ] = None,
    end: Annotated[int | None, typer.Option("--to", help="Last block (default: head).", min=0)] = None,
    hotkey: Annotated[str | None, typer.Option("--hotkey", help="Only this validator.")] = None,
    block_time: Annotated[
        float, typer.Option("--block-time", help="Seconds per block for annualising.", min=0.001)
    ] = 12.0,
    offline: Annotated[
        bool, typer.Option("--offline", help="Only what the database holds; no chain reads.")
    ] = False,
    config: ConfigOpt = None,
    network: NetworkOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Validator APY per epoch: dividends earned in the epoch over the stake they were earned on,
    annualised as (1 + r)^(epochs per year) - 1. Snapshots missing from the database are taken from
    the chain first (and stored)."""
    from sentinel_core.chain.client import ChainError
    from sentinel_core.store import Store, StoreLocked

    if netuid is None:
        raise UserError("say which subnet: --netuid N")
    if start is not None and end is not None and start > end:
        raise UserError(f"--from {start} > --to {end}")
    settings = settings_for(config, network, db)
    path = Path(settings.storage.path)
    note = None
    if not offline:
        try:
            start, end = asyncio.run(_fill(settings, netuid, start, end))
        except StoreLocked as exc:
            note = f"{exc}; showing what it holds"
        except ChainError as exc:
            if not path.exists():
                raise
            note = f"cannot take missing snapshots ({exc}); showing what the database holds"
    if not path.exists():
        raise UserError(f"{path}: no database here yet (run without --offline to take snapshots)")
    with Store(path, readonly=True) as store:
        points = store.apy_series(netuid, start, end, block_time=block_time)
        if offline and not points and netuid not in store.snapshot_netuids():
            raise UserError(f"--netuid {netuid}: the database holds no metagraph snapshot of subnet {netuid}")
    if hotkey is not None:
        points = [p for p in points if p.hotkey == hotkey]
    if note:
        err.print(f"note: {note}", markup=False)
    if as_json:
        dump(
            {
                "netuid": netuid,
                "from": start,
                "to": end,
                "block_time": block_time,
                "formula": "(1 + dividends/stake) ** (365.25*24*3600 / (epoch_blocks*block_time)) - 1",
                "points": [
                    {
                        "block": p.block,
                        "uid": p.uid,
                        "hotkey": p.hotkey,
                        "epoch_blocks": p.epoch_blocks,
                        "raw": {
                            "dividends": round(p.dividends_tao * 1e9),
                            "stake": round(p.stake_tao * 1e9),
                            "rate": p.rate,
                        },
                        "human": {
                            "dividends": p.dividends_tao,
                            "stake": p.stake_tao,
                            "apy": p.apy,
                            "apy_percent": None if p.apy is None else p.apy * 100,
                        },
                    }
                    for p in points
                ],
            }
        )
        return
    if not points:
        out.print(
            f"no validator dividends in the snapshots of subnet {netuid}"
            + (f" between #{start} and #{end}" if start is not None else "")
        )
        return
    from rich.table import Table

    t = Table(
        title=f"Validator APY, subnet {netuid}, blocks #{start}..#{end}  (per epoch, {len(points)} points)",
        title_justify="left",
        box=None,
        pad_edge=False,
    )
    for col, just in (
        ("epoch block", "right"),
        ("uid", "right"),
        ("hotkey", "left"),
        ("dividends", "right"),
        ("stake", "right"),
        ("epoch rate", "right"),
        ("APY", "right"),
    ):
        t.add_column(col, justify=cast("JustifyMethod", just), no_wrap=True)
    for p in points:
        t.add_row(
            str(p.block),
            str(p.uid),
            _short(p.hotkey),
            _tao(p.dividends_tao, 6),
            _tao(p.stake_tao),
            f"{p.rate * 100:.5f}%",
            "-" if p.apy is None else f"{p.apy * 100:,.2f}%",
        )
    out.print(t)


async def _fill(settings: Any, netuid: int, start: int | None, end: int | None) -> tuple[int, int]:
    """Take the snapshots of ``[start, end]`` that the database lacks; returns the range used."""
    from sentinel_core.chain.reads.subnets import read_tempos, subnets_at
    from sentinel_core.ingest.snapshots import SnapshotBackfill
    from sentinel_core.service import Sentinel

    sentinel = await Sentinel(settings).start(deliver=False, watch_rules=False)
    try:
        client = await sentinel.connect()
        try:
            head, _ = await client.head()
            end = head if end is None else end
            if end > head:
                raise UserError(f"--to {end} is beyond the chain head (#{head})")
            if start is not None and start > end:
                raise UserError(f"--from {start} is beyond the chain head (#{head})")
            (h,) = await client.block_hashes([end])
            assert h is not None  # end is at most the head
            if netuid not in await subnets_at(client, h):
                raise UserError(f"--netuid {netuid}: subnet {netuid} does not exist at block {end}")
            if start is None:
                (tempos,) = await read_tempos(client, [netuid], [h])
                tempo = tempos.get(netuid) or 360
                start = max(1, end - DEFAULT_EPOCHS * (tempo + 1))
        finally:
            await client.close()
        await SnapshotBackfill(sentinel, start, end, [netuid]).run()
    finally:
        await sentinel.stop()
    return start, end


def register(app: typer.Typer) -> None:
    """``sentinel-cli subnet ...``"""
    app.add_typer(subnet_app, name="subnet")


__all__ = ["subnet_app", "register"]
