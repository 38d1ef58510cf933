"""User-facing error lines are printed as they are: no markup, no emoji codes (":100:" once became 💯),
one line; and an exception nobody expected is one line too, never a traceback."""

from __future__ import annotations

import pytest
import typer

from sentinel_tui.cli import run
from sentinel_tui.common import fails_cleanly


def test_a_line_100_config_error_keeps_its_line_number(tmp_path, capsys):
    bad = tmp_path / "c024.toml"
    bad.write_text("# pad\n" * 99 + "[network\n")
    code = run(["db", "stats", "--config", str(bad)])
    err = capsys.readouterr().err
    assert code == 2
    assert f"{bad}:100: not valid TOML" in err and "💯" not in err
    assert len(err.strip().splitlines()) == 1


def test_markup_in_an_error_is_printed_as_text(tmp_path, capsys):
    code = run(["db", "stats", "--db", str(tmp_path / "[bold]x[/bold].db")])
    err = capsys.readouterr().err
    assert code == 2 and "[bold]x[/bold].db" in err


def test_an_unexpected_exception_is_one_line_not_a_traceback(capsys, monkeypatch):
    monkeypatch.delenv("SENTINEL_DEBUG", raising=False)

    @fails_cleanly
    def broken() -> None:
        {}["missing"]  # noqa: B018 - a bug, on purpose

    with pytest.raises(typer.Exit) as info:
        broken()
    err = capsys.readouterr().err
    assert info.value.exit_code == 2
    assert (
        err.strip()
        == "error: internal error: KeyError: 'missing' (a bug; SENTINEL_DEBUG=1 shows the traceback)"
    )


def test_sentinel_debug_shows_the_traceback(monkeypatch):
    monkeypatch.setenv("SENTINEL_DEBUG", "1")

    @fails_cleanly
    def broken() -> None:
        raise KeyError("missing")

    with pytest.raises(KeyError):
        broken()
