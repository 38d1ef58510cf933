"""sentinel.toml -> Settings: the shipped file, exact error lines, env/override precedence, fuzzing."""

from __future__ import annotations

import string
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sentinel_core.config import (
    NETWORKS,
    ConfigError,
    Settings,
    load_config,
    load_rules_only,
    resolve_network,
)
from sentinel_core.rules.spec import (
    CallRule,
    HyperparamRule,
    PatternRule,
    SnapshotRule,
    StallRule,
    SudoCatchallRule,
)

ROOT = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, text: str, name: str = "sentinel.toml") -> Path:
    p = tmp_path / name
    p.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return p


def errors(path: Path, **kw) -> list[str]:
    kw.setdefault("env", {})
    with pytest.raises(ConfigError) as e:
        load_config(path, **kw)
    assert str(e.value) == "\n".join(e.value.lines)
    return e.value.lines


# -- the shipped file ----------------------------------------------------------------------------


def test_default_sentinel_toml_is_valid_and_useful():
    s = load_config(ROOT / "sentinel.toml", env={})
    assert s.network.name == "devnet" and s.network.url is None
    assert s.storage.path == "sentinel.db" and s.watch.subnets == "all"
    assert s.source == (ROOT / "sentinel.toml").resolve()
    by_name = {r.name: r for r in s.rules}
    assert set(by_name) == {
        "hyperparam-change",
        "coldkey-swap",
        "subnet-registered",
        "subnet-dissolved",
        "runtime-upgraded",
        "sudo-call",
        "failed-extrinsic-spike",
        "large-unstake",
        "chain-stall",
        "subnet-owner-changed",
        "top-validator-deregistered",
    }
    assert isinstance(by_name["hyperparam-change"], HyperparamRule)
    swap = by_name["coldkey-swap"]
    assert isinstance(swap, CallRule) and {
        "schedule_swap_coldkey",
        "swap_coldkey",
        "announce_coldkey_swap",
        "swap_coldkey_announced",
        "dispute_coldkey_swap",
        "reset_coldkey_swap",
        "clear_coldkey_swap_announcement",
    } <= set(swap.call)
    assert isinstance(by_name["sudo-call"], SudoCatchallRule)
    spike = by_name["failed-extrinsic-spike"]
    assert isinstance(spike, PatternRule) and (spike.window, spike.threshold) == (20, 10)
    unstake = by_name["large-unstake"]
    assert isinstance(unstake, PatternRule) and unstake.threshold == 1000 * 10**9
    assert unstake.group_by == "netuid" and unstake.window == 100
    stall = by_name["chain-stall"]
    assert isinstance(stall, StallRule) and stall.after_seconds == 60
    owner = by_name["subnet-owner-changed"]
    assert isinstance(owner, SnapshotRule) and owner.when == "owner_change" and owner.severity == "critical"
    top = by_name["top-validator-deregistered"]
    assert isinstance(top, SnapshotRule) and (top.when, top.top, top.severity) == (
        "validator_deregistered",
        5,
        "warning",
    )
    assert load_rules_only(ROOT / "sentinel.toml") == s.rules


def test_missing_default_file_gives_defaults(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    s = load_config(None, env={})
    assert s == Settings()
    assert s.network.name == "devnet" and s.rules == [] and s.source is None


def test_missing_explicit_file(tmp_path):
    assert errors(tmp_path / "nope.toml") == [f"{tmp_path / 'nope.toml'}: no such file"]


def test_full_good_file(tmp_path):
    p = write(
        tmp_path,
        """
        [network]
        name = "wss://example.org:443"
        archive = "archive"

        [storage]
        path = "data/s.db"
        artifact = "blocks.jsonl"

        [watch]
        subnets = [1, 3]
        snapshot_every = 50

        [ingest]
        mode = "fast_backfill"
        block_start = 100
        block_end = 200
        batch_size = 10
        workers = 4
        max_rps = 1.5

        [devnet]
        block_time = 0.5
        history = 10
        seed = 7
        extrinsics_per_block = 3

        [channels]
        jsonl = "alerts.jsonl"
        console = false

        [[channels.webhook]]
        name = "ops"
        url = "http://127.0.0.1:8080/hook"
        format = "slack"

        [[rules]]
        kind = "call"
        name = "big-stake"
        pallet = "SubtensorModule"
        call = "add_stake*"
        where = { amount_staked = { gt = 1_000_000_000_000 }, hotkey = { regex = "^5F" } }
        netuid = 3
        channels = ["dashboard", "jsonl", "ops"]
    """,
    )
    s = load_config(p, env={})
    assert s.network.url == "wss://example.org:443"
    assert s.network.archive_url == NETWORKS["archive"]
    assert s.watch.subnets == [1, 3] and s.ingest.mode == "fast_backfill"
    assert s.ingest.max_rps == 1.5 and s.devnet.block_time == 0.5
    assert s.channels.webhook[0].format == "slack" and s.channels.console is False
    rule = s.rules[0]
    assert rule.netuid == [3] and rule.where["amount_staked"].gt == 1_000_000_000_000


# -- exact error lines ---------------------------------------------------------------------------

BAD_RULES = """
    [network]
    name = "finney"

    [[rules]]
    kind = "call"
    name = "ok"
    pallet = "SubtensorModule"
    call = "x"

    [[rules]]
    kind = "event"
    name = "b"
    pallet = "Foo"
    event = "X"
    where = { netuid = 3, amount = { gtt = 1000 }, hotkey = { regex = "(" } }

    [[rules]]
    kind = "hyperparam"
    name = "c"
    severity = "urgent"
    message = "{netuid}: {nope}"

    [[rules]]
    name = "d"

    [[rules]]
    kind = "pattern"
    name = "p"
    metric = "calls"
    match = { event = "x" }
    window = 0
"""


def test_rule_error_lines_exact(tmp_path):
    p = write(tmp_path, BAD_RULES)
    lines = errors(p)
    f = str(p)
    assert f'{f}:13: rules[1].pallet: unknown pallet "Foo"' in lines
    assert f"{f}:20: rules[2].severity: must be one of info, warning, critical" in lines
    assert any(x.startswith(f"{f}:23: rules[3].kind: required key missing") for x in lines)
    assert f"{f}:31: rules[4].window: must be >= 1" in lines
    # every problem is one line
    assert all("\n" not in x for x in lines)


def test_snapshot_rule_error_lines_exact(tmp_path):
    p = write(
        tmp_path,
        """
        [[rules]]
        kind = "snapshot"
        name = "a"
        when = "dividends_gone"

        [[rules]]
        kind = "snapshot"
        name = "b"
        when = "stake_change"
        min_change = -0.2

        [[rules]]
        kind = "snapshot"
        name = "c"
        when = "stake_change"
        min_tao = -5

        [[rules]]
        kind = "snapshot"
        name = "d"
        when = "validator_deregistered"
        top = 0

        [[rules]]
        kind = "snapshot"
        name = "e"
        when = "owner_change"
        top = 5

        [[rules]]
        kind = "snapshot"
        name = "f"
        when = "stake_change"

        [[rules]]
        kind = "snapshot"
        name = "g"
        when = "owner_change"
        message = "{owner} changed"

        [[rules]]
        kind = "snapshot"
        name = "h"
        when = "owner_change"
        hotkeys = ["5F3sa2TJAWMqDhXG6jhV4N8ko9SxwGy8TpaNS1repo5EYjQX"]
    """,
    )
    f = str(p)
    assert errors(p) == [
        f"{f}:4: rules[0].when: must be one of dividends_zero, validator_deregistered, stake_change, owner_change",
        f"{f}:10: rules[1].min_change: must be >= 0",
        f"{f}:16: rules[2].min_tao: must be >= 0",
        f"{f}:22: rules[3].top: must be >= 1",
        f'{f}:28: rules[4].top: only used with when = "validator_deregistered"',
        f'{f}:33: rules[5].when: "stake_change" needs min_change (e.g. 0.2 for 20%) and/or min_tao',
        f"{f}:39: rules[6].message: unknown field {{owner}} in template (available: block, change, coldkey, "
        "delta_tao, extrinsic_index, hotkey, netuid, new, new_hotkey, new_stake_tao, old, old_owner_hotkey, "
        "old_stake_tao, owner_hotkey, previous_block, rank, rel_change, rule, severity, stake_tao, summary, "
        "top, uid, when)",
        f'{f}:45: rules[7].hotkeys: not used with when = "owner_change" (the owner is a coldkey; narrow it '
        "with netuids)",
    ]
    assert load_rules_only(
        write(
            tmp_path,
            """
        [[rules]]
        kind = "snapshot"
        name = "stake"
        when = "stake_change"
        min_change = 0.5
        min_tao = 100
        netuid = 3
        hotkeys = "5F3sa2TJAWMqDhXG6jhV4N8ko9SxwGy8TpaNS1repo5EYjQX"
        message = "{change} at #{block} (since #{previous_block})"
    """,
            "good.toml",
        )
    )[0].all_netuids == frozenset({3})


def test_section_errors(tmp_path):
    p = write(
        tmp_path,
        """
        # a comment

        [network]
        name = "http://x"
        nmae = "finney"

        [storage]
        path = 5

        [watch]
        subnets = "some"

        [ingest]
        mode = "turbo"
        workers = 0

        [channels.webhook]
        name = "x"
    """,
    )
    f = str(p)
    assert errors(p) == [
        f'{f}:4: network.name: "http://x" is not a ws:// or wss:// URL or a known network (finney, test, '
        "archive, local, devnet)",
        f'{f}:5: network.nmae: unknown key (did you mean "name"?)',
        f"{f}:8: storage.path: must be a string",
        f'{f}:11: watch.subnets: must be "all" or a list of netuids (e.g. [1, 3, 64])',
        f"{f}:14: ingest.mode: must be one of live, backfill, fast_backfill",
        f"{f}:15: ingest.workers: must be >= 1",
        f"{f}:17: channels.webhook: must be a list",
    ]


def test_unknown_table_and_wrong_types(tmp_path):
    p = write(
        tmp_path,
        """
        [netwrk]
        name = "finney"

        [devnet]
        block_time = "fast"
        history = 1.5
        seed = true
    """,
    )
    f = str(p)
    assert errors(p) == [
        f'{f}:1: netwrk: unknown key (did you mean "network"?)',
        f"{f}:5: devnet.block_time: must be a number",
        f"{f}:6: devnet.history: must be an integer",
        f"{f}:7: devnet.seed: must be an integer",
    ]


def test_array_of_tables_counting_and_missing_key_points_at_header(tmp_path):
    p = write(
        tmp_path,
        """
        [[channels.webhook]]
        name = "a"
        url = "http://127.0.0.1:1/a"

        [[channels.webhook]]
        name = "b"

        [[rules]]
        kind = "stall"
        name = "s"
        after_seconds = -1

        [[rules]]
        kind = "call"
        name = "c"
        pallet = ["SubtensorModule", "Nope"]
        call = "x"
        channels = ["dashboard", "b", "nowhere"]
    """,
    )
    f = str(p)
    assert errors(p) == [
        f"{f}:5: channels.webhook[1].url: required key missing",
        f"{f}:11: rules[0].after_seconds: must be > 0",
        f'{f}:16: rules[1].pallet: unknown pallet "Nope"',
    ]


def test_cross_checks_channels_and_duplicate_names(tmp_path):
    p = write(
        tmp_path,
        """
        [[rules]]
        kind = "stall"
        name = "s"
        channels = ["dashboard",
                    "nowhere",
                    "jsonl"]

        [[rules]]
        kind = "stall"
        name = "s"
    """,
    )
    f = str(p)
    assert errors(p) == [
        f'{f}:5: rules[0].channels[1]: unknown channel "nowhere" (configured: dashboard, console, jsonl)',
        f'{f}:6: rules[0].channels[2]: channel "jsonl" needs [channels] jsonl = "alerts.jsonl"',
        f'{f}:10: rules[1].name: duplicate rule name "s" (also rules[0])',
    ]


def test_dotted_keys_and_inline_tables(tmp_path):
    p = write(
        tmp_path,
        """
        network.name = "finney"
        ingest = { mode = "live", step = 0 }
        devnet.seed = "x"
    """,
    )
    f = str(p)
    assert errors(p) == [f"{f}:2: ingest.step: must be >= 1", f"{f}:3: devnet.seed: must be an integer"]


def test_block_range(tmp_path):
    p = write(
        tmp_path,
        """
        [network]
        name = "archive"

        [ingest]
        mode = "backfill"
        block_start = 500
        block_end = 100
    """,
    )
    assert errors(p) == [f"{p}:4: ingest: block_start 500 > block_end 100"]


def test_not_toml(tmp_path):
    p = write(
        tmp_path,
        """
        [network]
        name = "finney"
        [rules
    """,
    )
    assert errors(p) == [f"{p}:3: not valid TOML: Expected ']' at the end of a table declaration"]
    p = write(tmp_path, "a = 1\na = 2\n", "dup.toml")
    assert errors(p) == [f"{p}:2: not valid TOML: Cannot overwrite a value"]
    p = write(tmp_path, 'x = "abc', "open.toml")
    assert errors(p)[0].startswith(f"{p}:1: not valid TOML: ")
    p = tmp_path / "bin.toml"
    p.write_bytes(b"a = 1\n\xff\xfe")
    assert errors(p) == [f"{p}:2: not valid TOML: not UTF-8 text"]


# -- environment and overrides -------------------------------------------------------------------


def test_env_overrides_file_and_overrides_win(tmp_path):
    p = write(
        tmp_path,
        """
        [network]
        name = "finney"
        [ingest]
        mode = "live"
        block_start = 1
        rate_limit = 2.0
        [storage]
        artifact = "file.jsonl"
    """,
    )
    env = {
        "SENTINEL_MODE": "backfill",
        "BLOCK_START": "10",
        "BLOCK_END": "20",
        "BITTENSOR_NETWORK": "ws://127.0.0.1:9944",
        "BITTENSOR_ARCHIVE_NETWORK": "archive",
        "BACKFILL_RATE_LIMIT": "0.25",
        "NETUID": "3",
        "BACKFILL_STEP": "2",
        "BACKFILL_BATCH_SIZE": "7",
        "BACKFILL_BATCH_DELAY": "0.5",
        "STORE_ARTIFACT": "true",
    }
    s = load_config(p, env=env)
    assert s.ingest.mode == "backfill" and (s.ingest.block_start, s.ingest.block_end) == (10, 20)
    assert s.network.name == "ws://127.0.0.1:9944" and s.network.archive == "archive"
    assert s.ingest.rate_limit == 0.25 and s.ingest.netuid == 3 and s.ingest.step == 2
    assert s.ingest.batch_size == 7 and s.ingest.batch_delay == 0.5
    # STORE_ARTIFACT is a flag: true keeps the file's path (its own path when there is one)
    assert s.storage.store_artifact is True and s.storage.artifact == "file.jsonl"
    assert s.storage.artifact_path == Path("file.jsonl")
    s = load_config(
        p, env=env, overrides={"ingest": {"block_start": 15, "mode": None}, "network.name": "test"}
    )
    assert s.ingest.block_start == 15 and s.ingest.mode == "backfill" and s.network.name == "test"
    # the file alone
    s = load_config(p, env={})
    assert s.ingest.mode == "live" and s.network.name == "finney" and s.storage.artifact == "file.jsonl"


def test_env_defaults_to_process_environment(tmp_path, monkeypatch):
    p = write(tmp_path, '[network]\nname = "finney"\n')
    monkeypatch.setenv("BITTENSOR_NETWORK", "local")
    assert load_config(p).network.name == "local"


def test_bad_env_values(tmp_path):
    p = write(tmp_path, "[ingest]\nblock_start = 1\n")
    assert errors(p, env={"BLOCK_START": "abc", "BACKFILL_RATE_LIMIT": "soon"}) == [
        "env BLOCK_START: must be an integer",
        "env BACKFILL_RATE_LIMIT: must be a number",
    ]
    assert errors(p, env={"SENTINEL_MODE": "turbo", "BITTENSOR_NETWORK": "http://x"}) == [
        'env BITTENSOR_NETWORK: "http://x" is not a ws:// or wss:// URL or a known network (finney, test, '
        "archive, local, devnet)",
        "env SENTINEL_MODE: must be one of live, backfill, fast_backfill",
    ]
    assert errors(p, env={"BLOCK_END": "0"}) == ["env BLOCK_END: ingest: block_start 1 > block_end 0"]
    assert errors(p, env={}, overrides={"ingest.block_end": "x"}) == ["--end x: must be an integer"]


def test_networks():
    assert resolve_network("finney") == "wss://entrypoint-finney.opentensor.ai:443"
    assert resolve_network("test") == "wss://test.finney.opentensor.ai:443"
    assert resolve_network("archive") == "wss://archive.chain.opentensor.ai:443"
    assert resolve_network("local") == "ws://127.0.0.1:9944"
    assert resolve_network("devnet") is None
    assert resolve_network("ws://10.0.0.1:9944") == "ws://10.0.0.1:9944"
    with pytest.raises(ValueError):
        resolve_network("http://x")


# -- hot reload ----------------------------------------------------------------------------------


def test_load_rules_only_reports_same_lines(tmp_path):
    p = write(tmp_path, BAD_RULES)
    with pytest.raises(ConfigError) as e:
        load_rules_only(p)
    assert f'{p}:13: rules[1].pallet: unknown pallet "Foo"' in e.value.lines
    assert f"{p}:20: rules[2].severity: must be one of info, warning, critical" in e.value.lines
    # Other sections are not its business (a bad network does not block a rules reload).
    p = write(
        tmp_path,
        """
        [network]
        name = "http://x"
        [[rules]]
        kind = "stall"
        name = "s"
    """,
        "other.toml",
    )
    assert [r.name for r in load_rules_only(p)] == ["s"]
    with pytest.raises(ConfigError) as e:
        load_rules_only(tmp_path / "gone.toml")
    assert e.value.lines == [f"{tmp_path / 'gone.toml'}: no such file"]
    p = write(tmp_path, "[[rules]\n", "broken.toml")
    with pytest.raises(ConfigError) as e:
        load_rules_only(p)
    assert e.value.lines[0].startswith(f"{p}:1: not valid TOML: ")


# -- fuzzing: nothing but ConfigError ------------------------------------------------------------

_keys = st.sampled_from(
    [
        "network",
        "name",
        "storage",
        "path",
        "watch",
        "subnets",
        "ingest",
        "mode",
        "block_start",
        "rules",
        "kind",
        "severity",
        "channels",
        "webhook",
        "where",
        "pallet",
        "event",
        "call",
        "url",
        "x",
        "a b",
        "é",
        "window",
        "threshold",
    ]
)
_scalars = st.one_of(
    st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=True),
    st.booleans(),
    st.text(max_size=12),
    st.sampled_from(
        [
            "call",
            "event",
            "pattern",
            "anomaly",
            "stall",
            "hyperparam",
            "sudo_catchall",
            "finney",
            "devnet",
            "info",
            "*",
            "(",
            "{x}",
        ]
    ),
)
_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_keys, inner, max_size=4)),
    max_leaves=12,
)


def _toml_key(k: str) -> str:
    return (
        k
        if all(c in string.ascii_letters + string.digits + "_-" for c in k) and k
        else '"' + k.replace("\\", "\\\\").replace('"', '\\"') + '"'
    )


def _toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if v != v:
            return "nan"
        if v in (float("inf"), float("-inf")):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        return '"' + "".join(c if c.isprintable() and c not in '"\\' else f"\\u{ord(c):04x}" for c in v) + '"'
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    return "{" + ", ".join(f"{_toml_key(k)} = {_toml_value(x)}" for k, x in v.items()) + "}"


def _toml_doc(doc: dict) -> str:
    lines = []
    tables = []
    for k, v in doc.items():
        if isinstance(v, dict):
            tables.append((k, v))
        elif isinstance(v, list) and v and all(isinstance(x, dict) for x in v):
            tables.extend((k, x, True) for x in v)
        else:
            lines.append(f"{_toml_key(k)} = {_toml_value(v)}")
    for t in tables:
        if len(t) == 3:
            lines.append(f"\n[[{_toml_key(t[0])}]]")
        else:
            lines.append(f"\n[{_toml_key(t[0])}]")
        lines.extend(f"{_toml_key(k)} = {_toml_value(x)}" for k, x in t[1].items())
    return "\n".join(lines) + "\n"


FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(st.text(max_size=300))
def test_fuzz_arbitrary_text(tmp_path, text):
    p = tmp_path / "fuzz.toml"
    p.write_bytes(text.encode("utf-8", "surrogatepass"))
    try:
        load_config(p, env={})
    except ConfigError as e:
        assert e.lines and all(isinstance(x, str) and "\n" not in x for x in e.lines)
    try:
        load_rules_only(p)
    except ConfigError:
        pass


@FUZZ
@given(st.dictionaries(_keys, _values, max_size=6))
def test_fuzz_arbitrary_toml(tmp_path, doc):
    p = tmp_path / "fuzz.toml"
    p.write_text(_toml_doc(doc), encoding="utf-8")
    for fn in (lambda: load_config(p, env={}), lambda: load_rules_only(p)):
        try:
            fn()
        except ConfigError as e:
            assert e.lines and all("\n" not in x for x in e.lines)
            assert all(x.startswith((str(p) + ":", "env ", "override ")) for x in e.lines)


_rule = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(
            ["call", "event", "pattern", "anomaly", "stall", "hyperparam", "sudo_catchall", "bogus"]
        ),
        "name": st.sampled_from(["a", "b", "", "bad name"]),
    },
    optional={
        "severity": _scalars,
        "pallet": _values,
        "call": _values,
        "event": _values,
        "where": _values,
        "metric": _scalars,
        "window": _scalars,
        "threshold": _scalars,
        "message": _scalars,
        "match": _values,
        "channels": _values,
        "netuid": _values,
    },
)


@FUZZ
@given(st.lists(_rule, max_size=4))
def test_fuzz_rules(tmp_path, rules):
    p = tmp_path / "fuzz.toml"
    p.write_text(_toml_doc({"rules": rules}) if rules else "", encoding="utf-8")
    try:
        load_config(p, env={})
    except ConfigError as e:
        assert all(x.startswith(str(p) + ":") and "\n" not in x for x in e.lines)
        # rule problems point inside the file (a [[rules]] header or a key line)
        n = len(p.read_text().splitlines())
        assert all(1 <= int(x[len(str(p)) + 1 :].split(":", 1)[0]) <= max(n, 1) for x in e.lines)


def test_env_var_names_are_the_original_ones():
    from sentinel_core.config import ENV_VARS

    original = {
        "SENTINEL_MODE",
        "BLOCK_START",
        "BLOCK_END",
        "BITTENSOR_NETWORK",
        "BITTENSOR_ARCHIVE_NETWORK",
        "BACKFILL_RATE_LIMIT",
        "NETUID",
        "BACKFILL_STEP",
        "BACKFILL_BATCH_SIZE",
        "BACKFILL_BATCH_DELAY",
        "STORE_ARTIFACT",
    }
    assert set(ENV_VARS) == original | {"BACKFILL_PROCESSES"}  # every original one, and ours


def test_locator_handles_strings_comments_and_nesting():
    from sentinel_core.config import _Locator

    text = textwrap.dedent('''
        # [rules] in a comment
        title = """
        [[rules]]
        name = "not a key"
        """
        lit = \'\'\'x = 1\'\'\'
        "quoted key" = 'v' # trailing comment
        [channels]
        webhook = [
          { name = "a", url = "http://127.0.0.1/a" },  # one
          { name = "b",
            url = "http://127.0.0.1/b" },
        ]
        [[rules]]
        kind = "call"
        [rules.where]
        amount = { gt = 5, lt = "x]}" }
        [[rules]]
        kind = "event"
        where.hotkey.regex = "^5"
    ''').lstrip("\n")
    loc = _Locator(text)
    assert loc.find(("title",)) == 2
    assert loc.find(("lit",)) == 6
    assert loc.find(("quoted key",)) == 7
    assert loc.find(("channels", "webhook", 0, "url")) == 10
    assert loc.find(("channels", "webhook", 1, "url")) == 12
    assert loc.find(("rules", 0)) == 14
    assert loc.find(("rules", 0, "where", "amount", "lt")) == 17
    assert loc.find(("rules", 0, "where", "missing")) == 16
    assert loc.find(("rules", 1, "kind")) == 19
    assert loc.find(("rules", 1, "where", "hotkey", "regex")) == 20
    assert loc.find(("rules", 1, "name")) == 18
