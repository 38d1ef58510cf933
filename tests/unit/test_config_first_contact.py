"""Config as a new user meets it (issue 20): STORE_ARTIFACT is a flag, options named in their errors,
channels read with the rules for hot reload."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sentinel_core.config import ConfigError, load_config, load_rules_and_channels
from sentinel_tui.main import cli

NETWORKS = "(finney, test, archive, local, devnet)"


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "sentinel.toml"
    p.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return p


def errors(path: Path | None, **kw: object) -> list[str]:
    kw.setdefault("env", {})
    with pytest.raises(ConfigError) as e:
        load_config(path, **kw)  # type: ignore[arg-type]
    return e.value.lines


@pytest.mark.parametrize("word", ["true", "1", "yes", "TRUE", " Yes "])
def test_store_artifact_true_is_a_file_beside_the_database(tmp_path, word):
    p = write(tmp_path, '[storage]\npath = "data/chain.db"\n')
    s = load_config(p, env={"STORE_ARTIFACT": word})
    assert s.storage.store_artifact is True and s.storage.artifact is None
    assert s.storage.artifact_path == Path("data/chain.artifact.jsonl")
    s = load_config(p, env={"STORE_ARTIFACT": word}, overrides={"storage.path": "/x/other.sqlite"})
    assert s.storage.artifact_path == Path("/x/other.artifact.jsonl")


@pytest.mark.parametrize("word", ["false", "0", "no", "NO"])
def test_store_artifact_false_writes_none_even_with_a_path(tmp_path, word):
    p = write(tmp_path, '[storage]\nartifact = "blocks.jsonl"\n')
    assert load_config(p, env={}).storage.artifact_path == Path("blocks.jsonl")  # a path alone still works
    s = load_config(p, env={"STORE_ARTIFACT": word})
    assert s.storage.store_artifact is False and s.storage.artifact_path is None


def test_store_artifact_unset_writes_nothing(tmp_path):
    assert load_config(write(tmp_path, ""), env={}).storage.artifact_path is None


@pytest.mark.parametrize("word", ["true.jsonl", "on", "/tmp/a.jsonl", "2"])
def test_store_artifact_anything_else_is_an_error_naming_the_variable(tmp_path, word):
    assert errors(write(tmp_path, ""), env={"STORE_ARTIFACT": word}) == [
        f"env STORE_ARTIFACT: {word!r} is not a flag: use true/1/yes or false/0/no "
        "(give the artifact's path with --artifact FILE or [storage] artifact)"
    ]


def test_store_artifact_in_the_file_is_a_flag_too(tmp_path):
    p = write(tmp_path, '[storage]\npath = "s.db"\nstore_artifact = true\n')
    assert load_config(p, env={}).storage.artifact_path == Path("s.artifact.jsonl")
    p = write(tmp_path, '[storage]\nstore_artifact = "yes"\n')
    assert errors(p) == [f"{p}:2: storage.store_artifact: must be true or false"]


def test_a_bad_network_option_names_the_option(tmp_path):
    p = write(tmp_path, "")
    assert errors(p, overrides={"network.name": "bogusname"}) == [
        f"--network bogusname: not a URL or a known network {NETWORKS}"
    ]
    assert errors(p, overrides={"network.name": "http://x"}) == [
        f"--network http://x: not a ws:// or wss:// URL or a known network {NETWORKS}"
    ]
    assert errors(p, env={"BITTENSOR_NETWORK": "bogusname"}) == [
        f'env BITTENSOR_NETWORK: "bogusname" is not a URL or a known network {NETWORKS}'
    ]
    p = write(tmp_path, '[network]\nname = "bogusname"\n')
    assert errors(p) == [f'{p}:2: network.name: "bogusname" is not a URL or a known network {NETWORKS}']


def test_the_cli_says_the_network_option_in_one_line(tmp_path):
    result = CliRunner().invoke(
        cli, ["--config", str(write(tmp_path, "")), "--network", "bogusname", "--headless"]
    )
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f"error: --network bogusname: not a URL or a known network {NETWORKS}"
    ]


def test_hot_reload_reads_channels_with_the_rules(tmp_path):
    p = write(
        tmp_path,
        """
        [channels]
        jsonl = "alerts.jsonl"

        [[rules]]
        kind = "sudo_catchall"
        name = "sudo-call"
        channels = ["jsonl"]
        """,
    )
    rules, channels = load_rules_and_channels(p)
    assert [r.name for r in rules] == ["sudo-call"] and channels.jsonl == "alerts.jsonl"


def test_a_rule_naming_a_missing_channel_is_an_error_with_its_line(tmp_path):
    p = write(
        tmp_path,
        """
        [[rules]]
        kind = "sudo_catchall"
        name = "sudo-call"
        channels = ["dashboard", "pager"]
        """,
    )
    expected = [
        f'{p}:4: rules[0].channels[1]: unknown channel "pager" (configured: dashboard, console, jsonl)'
    ]
    assert errors(p) == expected
    with pytest.raises(ConfigError) as e:
        load_rules_and_channels(p)
    assert e.value.lines == expected


def _rules_file(tmp_path: Path, jsonl: Path | None) -> Path:
    channels = f'[channels]\njsonl = "{jsonl}"\n' if jsonl else ""
    route = '["dashboard", "jsonl"]' if jsonl else '["dashboard"]'
    return write(
        tmp_path,
        f"""
        [network]
        name = "ws://127.0.0.1:9"
        [storage]
        path = "{tmp_path / "r.db"}"
        {channels}
        [[rules]]
        kind = "sudo_catchall"
        name = "sudo-call"
        channels = {route}
        """,
    )


async def test_a_channel_removed_by_a_reload_keeps_its_deliveries_pending_and_comes_back(tmp_path):
    from sentinel_core.bus import LogLine
    from sentinel_core.model import Alert
    from sentinel_core.service import Sentinel

    now = [1_800_000_000.0]
    alerts = tmp_path / "alerts.jsonl"
    settings = load_config(_rules_file(tmp_path, alerts), env={})
    said: list[str] = []
    async with Sentinel(settings, clock=lambda: now[0]) as sentinel:
        sentinel.bus.subscribe(lambda n: said.append(n.text) if isinstance(n, LogLine) else None)
        await sentinel.stop_delivery()
        alert = Alert(rule="sudo-call", block=5, message="m", dedup_key="k5", channels=["jsonl"])
        await sentinel.store.write_alerts([alert])  # pending when the channel goes
        _rules_file(tmp_path, None)  # jsonl gone from [channels] and from the rule
        assert (await sentinel.reload_rules()).error is None
        assert sentinel.settings.channels.jsonl is None
        for _ in range(3):
            await sentinel.deliverer.run_once()
            now[0] += 600
        assert await sentinel.store.pending_deliveries_count() == 1  # pending, not failed
        gone = [x for x in said if "jsonl" in x]
        assert gone == [
            "channel 'jsonl' is no longer in sentinel.toml: deliveries to it stay pending until it is "
            "configured again"
        ]
        _rules_file(tmp_path, alerts)  # back
        assert (await sentinel.reload_rules()).error is None
        assert "channels added: jsonl" in said
        now[0] += 600
        assert await sentinel.deliverer.run_once() == 1
        assert await sentinel.store.pending_deliveries_count() == 0
    assert [json.loads(x)["dedup_key"] for x in alerts.read_text().splitlines()] == ["k5"]
