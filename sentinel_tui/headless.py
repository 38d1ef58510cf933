"""Headless mode: the same core as the dashboard, with console output for servers.

On a terminal, backfills show rich progress bars (blocks, blocks/s, ETA, rate and back-offs); when
output is piped, plain log lines. Alerts routed to the ``console`` channel are printed as they are
raised. A backfill run exits 0 when its range is complete.
"""

from __future__ import annotations

import asyncio
import sys
import time
from typing import Any

from pydantic import BaseModel
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from sentinel_core.bus import (
    AlertRaised,
    BackfillProgress,
    BlockProcessed,
    ConnectionChanged,
    LogLine,
    Notice,
    RulesReloaded,
)
from sentinel_core.chain.client import ChainError
from sentinel_core.config import Settings
from sentinel_core.errors import SentinelError
from sentinel_core.ingest.backfill import Backfill, BackfillError
from sentinel_core.ingest.live import LiveRunner
from sentinel_core.ingest.snapshots import SnapshotBackfill
from sentinel_core.service import Sentinel

STATUS_EVERY = 10.0


class SnapshotOptions(BaseModel):
    """``--snapshots``: a fast_backfill of metagraph snapshots instead of blocks."""

    points: int = 1
    weights: bool = False


def status_line(number: int, total: int, blocks: int, extrinsics: int, failed: int, seconds: float) -> str:
    """The periodic live status: the head, blocks so far, and what the last interval brought."""
    return (
        f"live: #{number:,}, {total:,} blocks processed; {blocks:,} blocks, {extrinsics:,} extrinsics "
        f"({failed:,} failed) in the last {seconds:.0f}s"
    )


class HeadlessOutput:
    """Turns core notices into console output."""

    def __init__(self, console: Console, interactive: bool) -> None:
        self.console = console
        self.interactive = interactive
        self.progress: Progress | None = None
        self._task: Any = None
        self._last_line = 0.0
        self._blocks = 0
        self._last_block: int | None = None
        self._last_status = time.monotonic()
        self._window_blocks = 0
        self._window_extrinsics = 0
        self._window_failed = 0

    def log(self, text: str, style: str = "") -> None:
        stamp = time.strftime("%H:%M:%S")
        # Whole lines: never wrapped or cut by the console (the terminal wraps, a pipe keeps them).
        self.console.print(
            f"{stamp} {text}", style=style or None, markup=False, highlight=False, emoji=False, soft_wrap=True
        )

    def __call__(self, notice: Notice) -> None:
        if isinstance(notice, ConnectionChanged):
            extra = f" (attempt {notice.attempt})" if notice.attempt else ""
            where = f" ({notice.endpoint}/{notice.endpoints})" if notice.endpoints > 1 else ""
            self.log(
                f"{notice.state} {notice.url}{where}{extra}" + (f": {notice.error}" if notice.error else ""),
                "yellow" if notice.state != "connected" else "green",
            )
        elif isinstance(notice, BlockProcessed):
            self._blocks += 1
            self._last_block = notice.number
            self._window_blocks += 1
            self._window_extrinsics += notice.extrinsics
            self._window_failed += notice.failed
            if notice.notable:
                self.log(f"#{notice.number}: " + "; ".join(notice.notable))
            now = time.monotonic()
            if now - self._last_status >= STATUS_EVERY:
                self.log(
                    status_line(
                        notice.number,
                        self._blocks,
                        self._window_blocks,
                        self._window_extrinsics,
                        self._window_failed,
                        now - self._last_status,
                    )
                )
                self._last_status = now
                self._window_blocks = self._window_extrinsics = self._window_failed = 0
        elif isinstance(notice, AlertRaised):
            pass  # printed by the console channel when the rule routes to it
        elif isinstance(notice, BackfillProgress):
            self._backfill(notice)
        elif isinstance(notice, RulesReloaded):
            # A failed reload is told by its LogLine ("rules not reloaded: ..."), once.
            if not notice.error:
                self.log(f"rules reloaded: {notice.count} rules")
        elif isinstance(notice, LogLine):
            self.log(notice.text, {"warning": "yellow", "error": "red"}.get(notice.level, ""))

    def _backfill(self, p: BackfillProgress) -> None:
        def per_second(value: float) -> str:
            """A rate rounded as people read it: ``2,126``; below 10 one decimal (``2.5``)."""
            return f"{value:,.0f}" if value >= 10 or value == 0 else f"{value:.1f}"

        # A node that refused calls: the limit the pacer learned and the frame size it keeps to.
        limit = (
            f" (node limit ~{per_second(p.call_limit)} calls/s, {p.frame_calls} calls a frame)"
            if p.call_limit is not None
            else ""
        )
        detail = (
            f"{per_second(p.rate)} {p.unit}/s, {per_second(p.calls_per_second)} calls/s{limit}, "
            f"concurrency {p.concurrency}, {p.backoffs} back-offs"
        )
        if self.interactive:
            if self.progress is None:
                self.progress = Progress(
                    TextColumn("[bold]{task.description}"),
                    BarColumn(),
                    MofNCompleteColumn(),
                    TextColumn("{task.fields[detail]}"),
                    TimeRemainingColumn(),
                    console=self.console,
                    transient=False,
                )
                self.progress.start()
                self._task = self.progress.add_task(
                    f"{p.mode} {p.start}-{p.end}", total=p.total or 1, detail=""
                )
            self.progress.update(self._task, completed=p.done, total=p.total or 1, detail=detail)
            if p.state in ("done", "failed", "cancelled"):
                self.progress.stop()
        else:
            now = time.monotonic()
            if p.state != "running" or now - self._last_line >= 5.0 or p.done == 0:
                self._last_line = now
                eta = f", ETA {p.eta_seconds:,.0f}s" if p.eta_seconds else ""
                self.log(
                    f"{p.mode} {p.start}-{p.end}: {p.done:,}/{p.total:,} {p.unit} ({p.state}), {detail}{eta}"
                    + (f": {p.error}" if p.error else "")
                )

    def close(self) -> None:
        if self.progress is not None:
            self.progress.stop()


async def _run(
    settings: Settings, output: HeadlessOutput, console: Console, snapshots: SnapshotOptions | None = None
) -> int:
    mode = settings.ingest.mode
    sentinel = Sentinel(
        settings,
        console_sink=lambda line: console.print(
            line, markup=False, highlight=False, emoji=False, soft_wrap=True
        ),
    )
    sentinel.bus.subscribe(output)
    # A backfill needs only the archive node: with one configured, no devnet is started.
    await sentinel.start(live=mode == "live")
    try:
        where = sentinel.network_label if mode == "live" else sentinel.archive_label
        output.log(
            f"sentinel {mode} on {where}, database {settings.storage.path}, "
            f"{len(sentinel.engine.rules)} rules"
        )
        if mode == "live":
            await LiveRunner(sentinel).run()
            return 0
        start, end = settings.ingest.block_start, settings.ingest.block_end
        if start is None:
            raise BackfillError(f"{mode} needs a first block: --start N (or BLOCK_START)")
        if end is None:
            client = await sentinel.connect(archive=True)
            try:
                end, _ = await client.head()
            finally:
                await client.close()
        if start > end:
            raise BackfillError(f"block_start {start} > block_end {end}")
        if snapshots is not None:
            ing = settings.ingest
            job = SnapshotBackfill(
                sentinel,
                start,
                end,
                None if ing.netuid is None else [ing.netuid],
                step_epochs=ing.step,
                points_per_epoch=1 if snapshots.points == 1 else 4,
                with_weights=snapshots.weights,
            )
            result = await job.run()
            await sentinel.drain_deliveries()
            output.log(
                f"snapshots {start}-{end} complete: {result.done:,} snapshots taken "
                f"({job.skipped:,} were stored already)"
            )
        else:
            result = await Backfill(sentinel, start=start, end=end, mode=mode).run()
            # Every alert of the range is out before the run says it is complete.
            await sentinel.drain_deliveries()
            # The run's own range: an end beyond the chain head was clamped to the head.
            planned = (result.end - result.start) // settings.ingest.step + 1
            output.log(
                f"{mode} {result.start}-{result.end} complete: {result.done:,} blocks fetched "
                f"({max(0, planned - result.total):,} were stored already)"
            )
        return 0
    finally:
        output.close()
        await sentinel.stop()


def run_headless(settings: Settings, snapshots: SnapshotOptions | None = None) -> int:
    console = Console(stderr=False, highlight=False, width=None if sys.stdout.isatty() else 200)
    output = HeadlessOutput(console, interactive=sys.stdout.isatty())
    try:
        return asyncio.run(_run(settings, output, console, snapshots))
    except KeyboardInterrupt:
        output.log("stopped")
        return 130
    except (SentinelError, ChainError, BackfillError) as exc:
        for line in str(exc).splitlines() or [type(exc).__name__]:
            Console(stderr=True).print(
                f"error: {line}", markup=False, emoji=False, highlight=False, soft_wrap=True
            )
        return 2
