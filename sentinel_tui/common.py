"""What the CLI commands share: options, one-line failures, settings, a chain connection, output.

Loading this module loads neither the chain stack (async-substrate-interface, its codec, websockets)
nor the configuration models: a command that talks to a node imports them when it connects
(:func:`chain`), one that reads settings when it reads them (:func:`settings_for`).
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from sentinel_core.errors import SentinelError

if TYPE_CHECKING:
    from sentinel_core.chain.client import ChainClient
    from sentinel_core.config import Settings

# Piped output is not cut to 80 columns: tables keep one row per line for grep and friends.
out = Console(highlight=False, soft_wrap=False, width=None if sys.stdout.isatty() else 160)
# Errors and warnings are single lines: never wrapped (a terminal wraps a long line itself), never
# read as markup or emoji codes.
err = Console(stderr=True, highlight=False, soft_wrap=True, markup=False, emoji=False)


def error_line(text: str) -> None:
    """One line on stderr, exactly as given (newlines in it become spaces)."""
    err.print(" ".join(text.split("\n")), markup=False, emoji=False, soft_wrap=True)


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
        except SentinelError as exc:
            lines = getattr(exc, "lines", None)  # a ConfigError: one line per problem
            for line in lines if isinstance(lines, list) else [str(exc)]:
                error_line(f"error: {line}")
        except OSError as exc:
            error_line(f"error: {exc}")
        except KeyboardInterrupt:
            error_line("interrupted")
            raise typer.Exit(130) from None
        except (typer.Exit, typer.Abort):
            raise
        except Exception as exc:  # noqa: BLE001 - never a traceback: one line, and how to see more
            if os.environ.get("SENTINEL_DEBUG"):
                raise
            error_line(f"error: {unexpected(exc)}")
        raise typer.Exit(2)

    return wrapper


def unexpected(exc: BaseException) -> str:
    """One line for an exception no code path expected: from the chain stack (the node answered
    something it could not use), else an internal error; either way how to get the traceback."""
    module = type(exc).__module__ or ""
    text = " ".join(str(exc).split())[:300] or type(exc).__name__
    if module.startswith(("async_substrate_interface", "scalecodec", "bt_decode", "websockets")):
        return f"the node's answer could not be used ({type(exc).__name__}: {text}); SENTINEL_DEBUG=1 shows where"
    return f"internal error: {type(exc).__name__}: {text} (a bug; SENTINEL_DEBUG=1 shows the traceback)"


def settings_for(
    config: Path | None,
    network: str | list[str] | None = None,
    db: Path | None = None,
    *,
    rules_needed: bool = True,
    archive: list[str] | None = None,
    **ingest: Any,
) -> Settings:
    """The settings of sentinel.toml with the command's flags on top. ``rules_needed=False`` (commands
    that only read the database): a file whose only problems are in its rules gives the settings
    without the rules, and one warning line on stderr, instead of failing.

    ``network``: one endpoint (``[network] name``), or the ``--network`` values of a repeated option:
    one is ``name`` as before, several are the failover list (``[network] urls``, ``name`` the first).
    ``archive``: the ``--archive`` values, the same way (``[network] archive``, ``archive_urls``)."""
    from sentinel_core.config import ConfigError, load_config

    names = [network] if isinstance(network, str) else list(network or [])
    overrides: dict[str, Any] = {
        "network.name": names[0] if names else None,
        "storage.path": str(db) if db else None,
    }
    if len(names) > 1:
        overrides["network.urls"] = names
    if archive:
        overrides["network.archive"] = archive[0]
        if len(archive) > 1:
            overrides["network.archive_urls"] = list(archive)
    overrides.update({f"ingest.{k}": v for k, v in ingest.items() if v is not None})
    try:
        return load_config(config, overrides=overrides)
    except ConfigError as exc:
        if rules_needed:
            raise
        try:
            settings = load_config(config, overrides={**overrides, "rules": []})
        except ConfigError:
            raise exc from None
        n = len(exc.lines)
        error_line(
            f"warning: {n} problem(s) in the rules, ignored by this command (`sentinel-cli rules check` "
            f"lists them): {exc.lines[0]}"
        )
        return settings


@contextlib.asynccontextmanager
async def chain(settings: Settings, *, timeout: float = 15.0) -> AsyncIterator[ChainClient]:
    """A connected client; ``devnet`` starts the built-in devnet for the duration."""
    from sentinel_core.chain.client import ChainClient
    from sentinel_core.chain.transport import set_frame_cap

    set_frame_cap(settings.network.max_frame_mb)
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
