"""Bad input to sentinel-cli: every command that takes a number, given each kind of bad number, fails
with one line on stderr and exit code 2 (never a traceback, never typer's box).

The commands and their numeric parameters are read from the typer app itself (the signatures of the
command functions), so a new command or a new numeric option is covered without touching this file.
The commands run in this process through :func:`sentinel_tui.cli.run` (what the ``sentinel-cli``
script runs) against the session's devnet and a database backfilled from it; a few run as the real
console script, piped, to check the exit code and that errors are not wrapped at 80 columns.
"""

from __future__ import annotations

import inspect
import os
import shutil
import subprocess
import sys
import time
import types
import typing
from pathlib import Path

import pytest
from conftest import headless_backfill

from sentinel_core.chain.transport import reason

ROOT = Path(__file__).resolve().parents[2]
BOX = ("╭", "│", "╰", "─")

# The kinds of bad number, and which parameters each applies to.
BLOCK_PARAMS = {"block", "number", "start", "end", "since", "upgrade_at"}
NOT_BEYOND_THE_HEAD = {
    ("alerts", "list", "since"): "a filter: 'no alerts at or after a future block' is a true answer",
    ("devnet", "upgrade_at"): "the devnet upgrades at a future block: that is the point of the option",
    ("rules", "test", "end"): "replays what is stored up to there and says how many blocks are not stored",
}
VALID = {"block": "40", "number": "40", "start": "40", "end": "60", "netuid": "1"}


def _numeric(annotation: object) -> type | None:
    """int or float for an annotation like ``Annotated[int | None, typer.Option(...)]``."""
    if typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        annotation = args[0] if len(args) == 1 else None
    return annotation if annotation in (int, float) else None  # type: ignore[return-value]


def numeric_parameters() -> list[tuple[tuple[str, ...], object, object, type]]:
    """(command path, click command, click parameter, int|float) for every numeric parameter."""
    from typer.main import get_command

    from sentinel_tui.cli import app

    found = []

    def walk(cmd: object, path: tuple[str, ...]) -> None:
        subs = getattr(cmd, "commands", None)
        if subs:
            for name, sub in subs.items():
                walk(sub, (*path, name))
            return
        hints = typing.get_type_hints(inspect.unwrap(cmd.callback), include_extras=True)
        for p in cmd.params:
            typ = _numeric(hints.get(p.name))
            if typ is not None:
                found.append((path, cmd, p, typ))

    walk(get_command(app), ())
    return found


def cases() -> list[tuple[tuple[str, ...], str, str, str]]:
    """(command path, parameter name, kind, bad value)."""
    out = []
    for path, _cmd, p, typ in numeric_parameters():
        out.append((path, p.name, "negative", "-5"))
        out.append(
            (path, p.name, "not an integer" if typ is int else "not a number", "1.5" if typ is int else "abc")
        )
        if p.name in BLOCK_PARAMS and (*path, p.name) not in NOT_BEYOND_THE_HEAD:
            out.append((path, p.name, "beyond the head", "99999999"))
        if p.name == "netuid":
            out.append((path, p.name, "absent netuid", "77"))
    return out


def test_the_enumeration_finds_the_commands_that_take_numbers():
    names = {(" ".join(path), p.name) for path, _c, p, _t in numeric_parameters()}
    for expected in [
        ("block show", "number"),
        ("events", "block"),
        ("extrinsics", "block"),
        ("block hyperparameters", "netuid"),
        ("subnet apy", "netuid"),
        ("rules test", "start"),
        ("devnet", "port"),
    ]:
        assert expected in names


@pytest.fixture(scope="module")
def stored(devnet, tmp_path_factory):
    """A database of blocks 1-80 of the session's devnet, and an empty sentinel.toml."""
    where = tmp_path_factory.mktemp("badinput")
    db = where / "s.db"
    headless_backfill(devnet.url, db, 80)
    config = where / "sentinel.toml"
    config.write_text("")
    return db, config


def argv_for(path, param_name, value, url, db, config) -> list[str]:
    """The command with every required parameter given a valid value and ``param_name`` the bad one."""
    from typer.main import get_command

    from sentinel_tui.cli import app

    cmd = get_command(app)
    for name in path:
        cmd = cmd.commands[name]
    argv = list(path)
    args_first: list[str] = []
    for p in cmd.params:
        opt = next((o for o in p.opts if o.startswith("--")), p.opts[0])
        if p.name == param_name:
            if p.param_type_name == "argument":
                args_first.append(value)
            else:
                argv += [opt, value]
        elif p.name == "network":
            argv += [opt, url]
        elif p.name == "db":
            argv += [opt, str(db)]
        elif p.name == "config":
            argv += [opt, str(config)]
        elif p.required or (p.name == "netuid"):
            if p.param_type_name == "argument":
                args_first.append(VALID[p.name])
            else:
                argv += [opt, VALID[p.name]]
    return argv + args_first


@pytest.mark.parametrize(
    "path, param, kind, value", cases(), ids=lambda v: " ".join(v) if isinstance(v, tuple) else str(v)
)
def test_every_numeric_parameter_rejects_bad_numbers_in_one_line(
    devnet, stored, capsys, path, param, kind, value
):
    from sentinel_tui.cli import run

    db, config = stored
    argv = argv_for(path, param, value, devnet.url, db, config)
    code = run(argv)
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert code == 2, (argv, captured.out[-500:], captured.err)
    assert len(lines) == 1, (argv, captured.err)
    assert lines[0].startswith("error: "), lines
    assert "Traceback" not in captured.err and not any(c in captured.err for c in BOX), captured.err


@pytest.mark.parametrize(
    "args, expected",
    [
        (["events", "--block", "-1"], "error: --block: -1 is not a valid block number (must be 0 or more)"),
        (["block", "show", "-5"], "error: NUMBER: -5 is not a valid block number (must be 0 or more)"),
        (
            ["extrinsics", "--block", "-5"],
            "error: --block: -5 is not a valid block number (must be 0 or more)",
        ),
        (["block", "hyperparameters", "--netuid", "x"], "error: --netuid: 'x' is not a valid netuid"),
        (["events", "--block", "99999999"], "error: block 99999999 is beyond the chain head (#"),
        (["subnet", "apy", "--netuid", "77"], "error: --netuid 77: subnet 77 does not exist at block"),
        (["db", "stats", "--bogus"], "error: No such option: --bogus"),
    ],
)
def test_the_console_script_prints_one_line_and_exits_2(devnet, stored, args, expected):
    """The installed ``sentinel-cli`` script, piped as a script would run it, with a narrow COLUMNS:
    one line, not wrapped, exit code 2."""
    db, config = stored
    script = shutil.which("sentinel-cli", path=str(Path(sys.executable).parent)) or "sentinel-cli"
    extra = [] if args[0] == "db" else ["--network", devnet.url]
    if args[0] != "extrinsics" and args[:2] != ["block", "hyperparameters"]:
        extra += ["--db", str(db)]
    if args[:2] == ["block", "hyperparameters"]:
        extra = ["--network", devnet.url]
    if args[:2] == ["db", "stats"]:
        extra = []
    proc = subprocess.run(
        [script, *args, *extra],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        env={**os.environ, "COLUMNS": "40"},
    )
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(expected), lines[0]
    assert not any(c in proc.stderr for c in BOX)


def test_a_long_error_piped_to_a_file_is_not_wrapped(tmp_path):
    """An error longer than 80 columns, written to a file, stays on one line."""
    missing = tmp_path / ("a-rather-long-directory-name-" * 4) / "sentinel.db"
    with open(tmp_path / "err.txt", "w") as errors:
        proc = subprocess.run(
            [sys.executable, "-m", "sentinel_tui.cli", "db", "stats", "--db", str(missing)],
            stdout=subprocess.DEVNULL,
            stderr=errors,
            cwd=tmp_path,
            timeout=60,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
    text = (tmp_path / "err.txt").read_text()
    assert proc.returncode == 2
    assert len(text.splitlines()) == 1 and len(text) > 120, text
    assert str(missing) in text


def test_a_host_name_that_does_not_resolve_fails_at_once():
    """``.invalid`` never resolves (RFC 6761): the resolver says so at once, and so does the CLI."""
    t = time.perf_counter()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "sentinel_tui.cli",
            "runtime",
            "version",
            "--network",
            "wss://nonexistent.invalid",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    elapsed = time.perf_counter() - t
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip() == (
        "error: cannot reach wss://nonexistent.invalid: the host name does not resolve"
    ), proc.stderr
    assert elapsed < 10, elapsed  # the library would retry until its 15 s timeout


def test_a_resolver_failure_is_classified():
    import socket

    assert reason(socket.gaierror(socket.EAI_NONAME, "Name or service not known")) == (
        "the host name does not resolve"
    )
    assert "cannot be resolved now" in reason(socket.gaierror(socket.EAI_AGAIN, "Temporary failure"))
    assert reason(ConnectionRefusedError(111, "Connect call failed")) == "connection refused"


def test_rules_test_to_beyond_the_stored_blocks_replays_what_is_stored(stored, capsys):
    """``--to`` far beyond the stored blocks replays the stored ones at once and says how many are not
    stored (it used to read each absent block, one query per number)."""
    from sentinel_tui.cli import run

    db, config = stored
    t = time.perf_counter()
    code = run(["rules", "test", "--from", "1", "--to", "99999999", "--db", str(db), "--config", str(config)])
    out = capsys.readouterr().out
    assert code == 0
    assert "hits in blocks 1-99999999 (99,999,919 blocks not stored)" in out, out
    assert time.perf_counter() - t < 30
