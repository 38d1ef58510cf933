"""Shared helpers for the dashboard tests: settings for a devnet-backed core, and waiting on the UI."""

from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from sentinel_core.config import Settings, load_config

REPO = Path(__file__).resolve().parents[2]
SENTINEL_TOML = REPO / "sentinel.toml"


def make_settings(
    tmp_path: Path,
    *,
    scenario: str | None = None,
    block_time: float = 0.2,
    history: int = 20,
    extrinsics_per_block: int = 6,
    db_name: str = "sentinel.db",
    **devnet: object,
) -> Settings:
    """Settings from a copy of the repository's sentinel.toml (so rules can be edited and reloaded),
    with a tmp database and a small, fast devnet."""
    toml = tmp_path / "sentinel.toml"
    if not toml.exists():
        shutil.copy(SENTINEL_TOML, toml)
    dev: dict[str, object] = {
        "block_time": block_time,
        "history": history,
        "seed": 1,
        "extrinsics_per_block": extrinsics_per_block,
        **devnet,
    }
    if scenario is not None:
        path = tmp_path / "scenario.toml"
        path.write_text(scenario)
        dev["scenario"] = str(path)
    return load_config(
        toml,
        env={},
        overrides={
            "network": {"name": "devnet"},
            "storage": {"path": str(tmp_path / db_name)},
            "devnet": dev,
        },
    )


async def wait_for(pilot, predicate: Callable[[], object], timeout: float = 15.0, what: str = "") -> None:
    """Let the app run until ``predicate()`` is true (fail after ``timeout`` seconds)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if predicate():
                return
        except Exception:  # noqa: BLE001 - widgets not there yet
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or predicate}")
        await pilot.pause(0.05)


@pytest.fixture
def settings_for(tmp_path: Path) -> Callable[..., Settings]:
    """``settings_for(scenario=..., history=...)``: settings for a devnet-backed core in ``tmp_path``."""
    return lambda **kw: make_settings(tmp_path, **kw)


@pytest.fixture
def wait() -> Callable:
    """``await wait(pilot, lambda: condition, what="...")``."""
    return wait_for


async def _short_idle_wait(min_sleep: float = 0.0, max_sleep: float = 1.0) -> None:
    await asyncio.sleep(0.02)


@pytest.fixture(autouse=True)
def quick_pilot_idle(monkeypatch):
    """Pilot waits for the process to look idle (CPU time barely advancing) after each key, for up
    to a second. With live watching the core's websocket reader polls every few milliseconds, so the
    process never looks idle and every key press would cost two seconds. The tests wait for what they
    need explicitly (``wait``), so a short fixed pause per key is enough."""
    import textual.app
    import textual.pilot

    monkeypatch.setattr(textual.app, "wait_for_idle", _short_idle_wait)
    monkeypatch.setattr(textual.pilot, "wait_for_idle", _short_idle_wait)


@pytest.fixture(scope="session")
def tui_helpers():
    """The helper functions, for module-scoped fixtures and snapshot callbacks."""
    return make_settings, wait_for
