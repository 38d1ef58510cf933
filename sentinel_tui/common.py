"""What the CLI commands share: options, one-line failures, settings, a chain connection, output."""

from __future__ import annotations

import contextlib
import functools
import json
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from sentinel_core.chain.client import ChainClient
from sentinel_core.config import ConfigError, Settings, load_config
from sentinel_core.errors import SentinelError

# Piped output is not cut to 80 columns: tables keep one row per line for grep and friends.
out = Console(highlight=False, soft_wrap=False, width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, highlight=False)

ConfigOpt = Annotated[
    Path | None, typer.Option("--config", "-c", help="sentinel.toml to read (default ./sentinel.toml).")
]
NetworkOpt = Annotated[
    str | None, typer.Option("--network", "-n", help="finney|test|archive|local|devnet or a ws(s):// URL.")
]
DbOpt = Annotated[Path | None, typer.Option("--db", help="SQLite database (default from sentinel.toml).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]


class UserError(SentinelError):
    """Bad input: printed as one line, exit code 2."""


def fails_cleanly(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn every expected failure into one line on stderr and exit code 2."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ConfigError as exc:
            for line in exc.lines:
                err.print(f"error: {line}", markup=False)
        except (SentinelError, OSError) as exc:
            err.print(f"error: {exc}", markup=False)
        except KeyboardInterrupt:
            err.print("interrupted")
            raise typer.Exit(130) from None
        raise typer.Exit(2)

    return wrapper


def settings_for(
    config: Path | None, network: str | None = None, db: Path | None = None, **ingest: Any
) -> Settings:
    overrides: dict[str, Any] = {"network.name": network, "storage.path": str(db) if db else None}
    overrides.update({f"ingest.{k}": v for k, v in ingest.items() if v is not None})
    return load_config(config, overrides=overrides)


@contextlib.asynccontextmanager
async def chain(settings: Settings, *, timeout: float = 15.0) -> AsyncIterator[ChainClient]:
    """A connected client; ``devnet`` starts the built-in devnet for the duration."""
    devnet = None
    url = settings.network.url
    if url is None:
        from sentinel_core.devnet.server import Devnet

        devnet = await Devnet.from_settings(settings.devnet, produce=False).start()
        url = devnet.url
    client = await ChainClient(url, timeout=timeout).connect()
    try:
        yield client
    finally:
        await client.close()
        if devnet is not None:
            await devnet.stop()


def open_store(settings: Settings) -> Any:
    from sentinel_core.store import Store

    path = Path(settings.storage.path)
    if not path.exists():
        raise UserError(f"{path}: no database here yet (run sentinel-tui or a backfill first)")
    return Store(path, readonly=True)


def dump(value: Any) -> None:
    out.print(json.dumps(value, indent=1, default=str), markup=False, soft_wrap=True)


async def _resolve_block(client: ChainClient, block: int | None, block_hash: str | None) -> tuple[int, str]:
    if block_hash is not None:
        header = await client.header(block_hash)
        if header is None:
            raise UserError(f"no block with hash {block_hash}")
        n = header["number"]
        return (int(n, 16) if isinstance(n, str) else int(n)), block_hash
    head, head_hash = await client.head()
    if block is None:
        return head, head_hash
    if block > head:
        raise UserError(f"block {block} is beyond the chain head (#{head})")
    (found,) = await client.block_hashes([block])
    if found is None:
        raise UserError(f"block {block} is not known to the node")
    return block, found
