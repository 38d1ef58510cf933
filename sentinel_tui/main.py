"""sentinel-tui: the dashboard, or ``--headless`` for servers."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from sentinel_tui.common import UserError, fails_cleanly, settings_for

cli = typer.Typer(add_completion=False, pretty_exceptions_enable=False)


@cli.command()
@fails_cleanly
def run(
    config: Annotated[
        Path | None, typer.Option("--config", "-c", help="sentinel.toml (default ./sentinel.toml).")
    ] = None,
    network: Annotated[
        list[str] | None,
        typer.Option(
            "--network",
            "-n",
            help="finney|test|archive|local|devnet or ws(s):// URL; give it several times for failover "
            "(endpoints in order of preference).",
        ),
    ] = None,
    archive: Annotated[
        list[str] | None,
        typer.Option(
            "--archive",
            help="Archive node for backfills (BITTENSOR_ARCHIVE_NETWORK), same forms as --network; "
            "several for failover.",
        ),
    ] = None,
    db: Annotated[
        Path | None, typer.Option("--db", help="SQLite database (default from sentinel.toml).")
    ] = None,
    headless: Annotated[
        bool, typer.Option("--headless", help="No dashboard: console output, for servers.")
    ] = False,
    mode: Annotated[
        str | None, typer.Option("--mode", help="live | backfill | fast_backfill (SENTINEL_MODE).")
    ] = None,
    start: Annotated[
        int | None, typer.Option("--start", help="First block to backfill (BLOCK_START).", min=0)
    ] = None,
    end: Annotated[
        int | None, typer.Option("--end", help="Last block to backfill (BLOCK_END; default head).", min=0)
    ] = None,
    workers: Annotated[int | None, typer.Option(help="fast_backfill: requests in flight.", min=1)] = None,
    batch_size: Annotated[
        int | None, typer.Option(help="fast_backfill: blocks per batch (BACKFILL_BATCH_SIZE).", min=1)
    ] = None,
    batch_delay: Annotated[
        float | None,
        typer.Option(help="fast_backfill: seconds between spawns (BACKFILL_BATCH_DELAY).", min=0),
    ] = None,
    step: Annotated[int | None, typer.Option(help="Every step-th block (BACKFILL_STEP).", min=1)] = None,
    netuid: Annotated[int | None, typer.Option(help="Only this subnet (NETUID).", min=0)] = None,
    rate_limit: Annotated[
        float | None, typer.Option(help="backfill: seconds between blocks (BACKFILL_RATE_LIMIT).", min=0)
    ] = None,
    max_rps: Annotated[
        float | None, typer.Option(help="Cap on calls per second (default adaptive).", min=0.1)
    ] = None,
    processes: Annotated[
        int | None,
        typer.Option(
            help="fast_backfill: decoding processes (BACKFILL_PROCESSES; default one per core for 1,000+ blocks).",
            min=1,
            max=64,
        ),
    ] = None,
    snapshots: Annotated[
        bool,
        typer.Option(
            "--snapshots",
            help="fast_backfill: metagraph snapshots at the epoch boundaries of the range instead of blocks (--netuid limits the subnets, --step counts epochs).",
        ),
    ] = False,
    points: Annotated[
        int,
        typer.Option(
            "--points",
            help="--snapshots: 1 per epoch, or 4 (the epoch block and its quarter points).",
            min=1,
            max=4,
        ),
    ] = 1,
    weights: Annotated[bool, typer.Option("--weights", help="--snapshots: with weights and bonds.")] = False,
    artifact: Annotated[
        Path | None,
        typer.Option(
            "--artifact",
            help="Also write every processed block as one JSON line to FILE (STORE_ARTIFACT=true: "
            "<db>.artifact.jsonl beside the database).",
            metavar="FILE",
        ),
    ] = None,
) -> None:
    """Watch the chain: a live dashboard (default) or headless console output."""
    if mode is not None and mode not in ("live", "backfill", "fast_backfill"):
        raise UserError(f"--mode {mode!r}: must be one of live, backfill, fast_backfill")
    if points not in (1, 4):
        raise UserError(f"--points {points}: must be 1 or 4")
    if (points != 1 or weights) and not snapshots:
        raise UserError("--points and --weights go with --snapshots")
    settings = settings_for(
        config,
        network,
        db,
        archive=archive,
        mode=mode,
        block_start=start,
        block_end=end,
        workers=workers,
        batch_size=batch_size,
        batch_delay=batch_delay,
        step=step,
        netuid=netuid,
        rate_limit=rate_limit,
        max_rps=max_rps,
        processes=processes,
    )
    if artifact is not None:
        if not str(artifact).strip() or artifact.is_dir():
            raise UserError(f"--artifact {artifact}: must be a file, not a directory")
        settings.storage.artifact = str(artifact)
        settings.storage.store_artifact = True
    if snapshots and (not headless or settings.ingest.mode != "fast_backfill"):
        raise UserError("--snapshots is a fast_backfill run: add --headless --mode fast_backfill")
    if headless:
        from sentinel_tui.headless import SnapshotOptions, run_headless

        raise typer.Exit(
            run_headless(settings, SnapshotOptions(points=points, weights=weights) if snapshots else None)
        )
    import atexit
    import gc

    # Loading the dashboard takes a second or two: say so at once (the dashboard's own screen then
    # says what the core is doing).
    sys.stderr.write(f"sentinel: starting the dashboard on {settings.network.name}…\n")
    sys.stderr.flush()
    from sentinel_core.errors import SentinelError
    from sentinel_tui.app import SentinelApp

    # A backfill decodes on its own thread: hand the interpreter back to the UI thread every 2 ms
    # (default 5 ms) so key presses are not held up behind it.
    sys.setswitchinterval(0.002)
    # At exit the interpreter's final collections sweep the whole heap (~0.3 s of a quit); the
    # operating system reclaims the memory anyway (as sentinel-cli does).
    atexit.register(gc.freeze)
    app = SentinelApp(settings)
    app.run()
    if app.fatal_error is not None:  # the core could not start: one line, exit code 2 (as headless)
        raise SentinelError(app.fatal_error)
    if app.return_code:
        raise typer.Exit(app.return_code)


def main() -> None:  # pragma: no cover - console script
    cli()


if __name__ == "__main__":  # pragma: no cover
    main()
