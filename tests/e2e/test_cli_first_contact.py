"""What a new user hits first with sentinel-cli (issue 20): unwrapped calls in ``extrinsics``, rules
whose names can never match, start-up imports, a bad rule in sentinel.toml, one JSON convention.

Against the session's devnet and a database backfilled from it, through the real CLI (a subprocess,
or :func:`sentinel_tui.cli.run` in this process where only the output is checked)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import headless_backfill

ROOT = Path(__file__).resolve().parents[2]
CHAIN_STACK = ("async_substrate_interface", "websockets", "sentinel_core.chain", "sentinel_core.devnet")


def cli(*args: str, cwd: Path = ROOT, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sentinel_tui.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=180,
        env={**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200", **(env or {})},
    )


@pytest.fixture(scope="module")
def stored(devnet, tmp_path_factory):
    """Blocks 1-120 of the session's devnet, with the alerts of the project's sentinel.toml."""
    where = tmp_path_factory.mktemp("firstcontact")
    db = where / "s.db"
    headless_backfill(devnet.url, db, 120)
    return db


# -- 1. extrinsics shows the unwrapped calls -------------------------------------------------------------
def test_extrinsics_shows_each_extrinsics_effective_calls(devnet, stored):
    """Block 40 sets subnet 1's tempo through ``Sudo.sudo`` (the session scenario): ``extrinsics``
    shows the inner call, as ``block show`` does, from the database and from the node alike."""
    shown = cli("block", "show", "40", "--db", str(stored), "--network", devnet.url)
    assert shown.returncode == 0, shown.stderr
    assert "AdminUtils.sudo_set_tempo" in shown.stdout and "via Sudo.sudo" in shown.stdout
    for db in (stored, stored.parent / "empty.db"):  # stored, then fetched from the node
        listed = cli("extrinsics", "--block", "40", "--db", str(db), "--network", devnet.url)
        assert listed.returncode == 0, listed.stderr
        row = next(
            line for line in listed.stdout.splitlines() if "Sudo.sudo " in line or "Sudo.sudo\t" in line
        )
        assert "AdminUtils.sudo_set_tempo(netuid=1, tempo=111) via Sudo.sudo" in row, listed.stdout


# -- 2. rules check checks names -------------------------------------------------------------------------
BAD_RULES = textwrap.dedent(
    """\
    [[rules]]
    kind = "call"
    name = "swap"
    pallet = "SubtensorModule"
    call = "scheduel_swap_coldkey"

    [[rules]]
    kind = "event"
    name = "upgrade"
    pallet = "System"
    event = "CodeUpdatedd"

    [[rules]]
    kind = "hyperparam"
    name = "tempo"
    names = ["tempoo"]
    netuid = 3

    [[rules]]
    kind = "call"
    name = "announce"
    pallet = "SubtensorModule"
    call = "announce_coldkey_swap"
    """
)


def test_rules_check_finds_names_that_can_never_match(devnet, tmp_path):
    """Against the network's runtime (the devnet without an upgrade runs spec 300 only): every
    misspelt name is a line with its file:line and a "did you mean"; a name only the newer runtime
    has says which spec has it."""
    (tmp_path / "sentinel.toml").write_text(BAD_RULES)
    proc = cli("rules", "check", "--network", devnet.url, cwd=tmp_path)
    assert proc.returncode == 2, proc.stdout
    note, *lines = proc.stderr.strip().splitlines()
    assert len(lines) == 3, proc.stderr
    assert lines[0].startswith("error: sentinel.toml:5: rules[0].call: ") and (
        'did you mean "schedule_swap_coldkey"?' in lines[0]
    )
    assert (
        lines[1].startswith("error: sentinel.toml:11: rules[1].event: ")
        and 'did you mean "CodeUpdated"?' in lines[1]
    )
    assert (
        lines[2].startswith("error: sentinel.toml:16: rules[2].names: ")
        and 'did you mean "tempo"?' in lines[2]
    )
    # A real name of another runtime is a note (the rule matches it there), not an error.
    assert note.startswith("note: sentinel.toml:23: rules[3].call: ")
    assert "spec 300" in note and "only spec 400 (devnet --upgrade-at) has it" in note
    (tmp_path / "sentinel.toml").write_text("[[rules]]" + BAD_RULES.split("[[rules]]")[-1])
    only_note = cli("rules", "check", "--network", devnet.url, cwd=tmp_path)
    assert only_note.returncode == 0, only_note.stderr
    assert "ok, 1 rules: announce" in only_note.stdout and only_note.stderr.startswith("note: ")


def test_rules_check_without_a_node_uses_the_known_runtimes(tmp_path):
    """The devnet default (no node needed): both devnet runtimes count, so the newer runtime's call is
    fine; the misspelt ones are not. ``--json`` is one document."""
    (tmp_path / "sentinel.toml").write_text(BAD_RULES)
    proc = cli("rules", "check", "--json", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["ok"] is False and doc["rules"] == ["swap", "upgrade", "tempo", "announce"]
    assert doc["runtimes"] == ["spec 300 (devnet base)", "spec 400 (devnet --upgrade-at)"]
    assert [p.split(": ")[1] for p in doc["problems"]] == [
        "rules[0].call",
        "rules[1].event",
        "rules[2].names",
    ]
    good = cli("rules", "check", "--json", "--config", str(ROOT / "sentinel.toml"))
    assert good.returncode == 0, good.stderr
    assert json.loads(good.stdout)["ok"] is True and json.loads(good.stdout)["problems"] == []


def test_rules_check_says_when_the_network_cannot_be_read(tmp_path):
    (tmp_path / "sentinel.toml").write_text(BAD_RULES)
    proc = cli("rules", "check", "--network", "ws://127.0.0.1:9", cwd=tmp_path)
    assert proc.returncode == 2
    first, *problems = proc.stderr.strip().splitlines()
    assert (
        first.startswith("note: names checked against the known runtimes") and "connection refused" in first
    )
    assert len(problems) == 3


def test_a_netuid_that_can_never_match_is_one_line(tmp_path):
    """netuid -3 is refused where the file is parsed, so ``rules check`` and the app say the same."""
    (tmp_path / "sentinel.toml").write_text('[[rules]]\nkind = "hyperparam"\nname = "t"\nnetuid = -3\n')
    proc = cli("rules", "check", "--offline", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        "error: sentinel.toml:4: rules[0].netuid: -3 is not a valid netuid (must be 0 to 65535)"
    )


# -- 3. what a command imports ---------------------------------------------------------------------------
PROBE = """
import sys
from sentinel_tui.cli import run
code = run(sys.argv[1:])
loaded = sorted({m.split(".")[0] if not m.startswith("sentinel_core") else ".".join(m.split(".")[:2])
                 for m in sys.modules})
print("LOADED " + " ".join(loaded), file=sys.stderr)
sys.exit(code)
"""


def loaded_by(*args: str) -> set[str]:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    line = next(x for x in proc.stderr.splitlines() if x.startswith("LOADED "))
    return set(line.split()[1:])


@pytest.mark.parametrize("args", [["--help"], ["db", "stats"], ["alerts", "list"], ["db", "gaps"]])
def test_read_only_commands_do_not_load_the_chain_stack(stored, args):
    extra = [] if args == ["--help"] else ["--db", str(stored)]
    loaded = loaded_by(*args, *extra)
    assert not loaded & set(CHAIN_STACK), sorted(loaded & set(CHAIN_STACK))


def test_read_only_commands_do_not_load_the_codec(stored):
    assert "scalecodec" not in loaded_by("db", "stats", "--db", str(stored))


# -- 4. a bad rule does not block read-only commands -----------------------------------------------------
def test_a_bad_rule_warns_but_read_only_commands_work(stored, tmp_path):
    (tmp_path / "sentinel.toml").write_text(
        "[[rules]]\nkind = 'event'\nname = 'x'\npallet = 'Subtensor'\nevent = 'TempoSet'\n"
    )
    for args in (["db", "stats"], ["alerts", "list"], ["db", "gaps"], ["hyperparameters", "history"]):
        proc = cli(*args, "--db", str(stored), cwd=tmp_path)
        assert proc.returncode == 0, (args, proc.stderr)
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("warning: 1 problem(s) in the rules"), proc.stderr
        assert "sentinel.toml:4: rules[0].pallet" in lines[0]
        assert proc.stdout.strip()
    check = cli("rules", "check", cwd=tmp_path)
    assert check.returncode == 2 and "sentinel.toml:4: rules[0].pallet" in check.stderr
    # A problem outside the rules still stops them.
    (tmp_path / "sentinel.toml").write_text("[ingest]\nworkers = 'many'\n")
    assert cli("db", "stats", "--db", str(stored), cwd=tmp_path).returncode == 2


# -- 6. one JSON document per command -------------------------------------------------------------------
def json_commands() -> list[tuple[str, ...]]:
    from typer.main import get_command

    from sentinel_tui.cli import app

    found: list[tuple[str, ...]] = []

    def walk(cmd, path):
        if getattr(cmd, "commands", None):
            for name, sub in cmd.commands.items():
                walk(sub, (*path, name))
        elif any(p.name == "as_json" for p in cmd.params):
            found.append(path)

    walk(get_command(app), ())
    return found


VALID_EXTRA = {
    ("rules", "test"): ["--from", "1", "--to", "120"],
    ("block", "show"): ["40"],
    ("events",): ["--block", "40"],
    ("extrinsics",): ["--block", "40"],
    ("block", "hyperparameters"): ["--netuid", "1"],
    ("subnet", "metagraph"): ["--netuid", "1"],
    ("subnet", "apy"): ["--netuid", "1"],
}


def common_options(path: tuple[str, ...], url: str, db: Path, config: Path) -> list[str]:
    """``--network``, ``--db`` and ``--config`` for the command at ``path``, where it takes them."""
    from typer.main import get_command

    from sentinel_tui.cli import app

    cmd = get_command(app)
    for name in path:
        cmd = cmd.commands[name]
    given = {"network": url, "db": str(db), "config": str(config)}
    out: list[str] = []
    for p in cmd.params:
        if p.name in given:
            out += [next(o for o in p.opts if o.startswith("--")), given[p.name]]
    return out


@pytest.mark.parametrize("path", json_commands(), ids=" ".join)
def test_every_json_output_is_one_document(devnet, stored, capsys, path):
    from sentinel_tui.cli import run

    argv = [
        *path,
        *common_options(path, devnet.url, stored, ROOT / "sentinel.toml"),
        *VALID_EXTRA.get(path, []),
    ]
    code = run([*argv, "--json"])
    captured = capsys.readouterr()
    assert code == 0, (argv, captured.err)
    doc = json.loads(captured.out)
    assert isinstance(doc, (dict, list))
    if path in (("alerts", "list"), ("hyperparameters", "history"), ("rules", "test")):
        assert isinstance(doc, list) and len(doc) >= 2, doc  # several items: JSON lines would not parse


def test_the_json_convention_is_documented():
    proc = cli("--help")
    assert proc.returncode == 0
    assert "one JSON document" in proc.stdout
    readme = (ROOT / "README.md").read_text()
    assert "one JSON document" in readme
