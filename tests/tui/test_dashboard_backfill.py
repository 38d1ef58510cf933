"""A dashboard backfill long enough to start the decoding processes, driven from the form as a person
would, under Textual's capture of stderr (whose ``fileno()`` is -1: it once failed every such run
with ``bad value(s) in fds_to_keep``)."""

from __future__ import annotations

import os
import sqlite3

from textual.widgets import DataTable

from sentinel_core.ingest.job_process import ChildJob
from sentinel_tui.app import SentinelApp

SIZE = (120, 40)


async def test_a_backfill_of_2000_blocks_from_the_form_uses_the_decoding_processes_and_finishes(
    settings_for, wait
):
    settings = settings_for(history=2000, block_time=1.0)
    assert settings.ingest.processes is None  # chosen as on a terminal: auto_processes
    app = SentinelApp(settings)
    async with app.run_test(size=SIZE) as pilot:
        await wait(pilot, lambda: app.core_ready and app.flow.rows, timeout=120, what="live blocks")
        await pilot.press("5", "b")
        pane = app.backfill_pane
        start = pane.query_one("#bf-start")
        await wait(pilot, lambda: app.focused is start, what="form focused")
        await wait(pilot, lambda: pane.query_one("#bf-end").value != "", what="form defaults")
        start.value = "1"
        pane.query_one("#bf-end").value = "2000"
        await pilot.press("enter")
        await wait(
            pilot,
            lambda: pane.last is not None and pane.last.state in ("done", "failed"),
            timeout=240,
            what="backfill finished",
        )
        status = str(pane.query_one("#bf-status").render())
        assert pane.last.state == "done", status
        job = app.jobs.job
        assert isinstance(job, ChildJob) and job.pid not in (None, os.getpid())  # in a process of its own
        assert job.processes_used > 1  # the decoding processes ran
        assert "✓ done" in status
        assert "in flight 0" in pane.stats_text  # nothing is in flight once the run is over
        assert (await app.sentinel.store.missing_in(1, 2000)) == []
        await wait(pilot, lambda: pane.query_one("#bf-runs", DataTable).row_count == 1, what="run listed")
        runs = pane.query_one("#bf-runs", DataTable)
        row = runs.get_row_at(0)
        assert str(row[3]) == "done" and str(row[4]).split("/")[0] == f"{pane.last.done:,}"

        # an end beyond the head: the run backfills up to the head, and its range says so
        pane.focus_form()
        await wait(pilot, lambda: app.focused is start, what="form focused again")
        start.value = "1"
        pane.query_one("#bf-end").value = "99999999"
        await pilot.press("enter")
        await wait(
            pilot,
            lambda: pane.last.run_id == 2 and pane.last.state in ("done", "failed"),
            timeout=60,
            what="second run finished",
        )
        assert pane.last.state == "done" and pane.last.end < 99999999
        assert pane.last.end >= 2000 and f"#1 – #{pane.last.end:,}" in str(
            pane.query_one("#bf-status").render()
        )
    with sqlite3.connect(settings.storage.path) as conn:
        stored = conn.execute("SELECT count(*) FROM blocks WHERE number BETWEEN 1 AND 2000").fetchone()[0]
    assert stored == 2000
