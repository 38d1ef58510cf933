"""Rule name checking (sentinel_core.rules.names): call, event and hyperparameter names against the
runtimes a rule runs on, with "did you mean" and the spec version of a name only another runtime has."""

from __future__ import annotations

import pytest

from sentinel_core.config import parse_rules
from sentinel_core.rules.names import RuntimeNames, check_rule_names, known_runtimes


def problems(rules: list[dict], targets=None, others=()):
    runtimes = known_runtimes() if targets is None else targets
    return check_rule_names(parse_rules(rules), runtimes, others)


def test_the_known_runtimes_are_the_devnets_two():
    base, today = known_runtimes()
    assert (base.spec_version, today.spec_version) == (300, 400)
    assert "schedule_swap_coldkey" in base.calls["SubtensorModule"]
    assert "announce_coldkey_swap" in today.calls["SubtensorModule"]
    assert "announce_coldkey_swap" not in base.calls["SubtensorModule"]
    assert "CodeUpdated" in base.events["System"]


def test_misspelt_names_get_a_did_you_mean():
    found = problems(
        [
            {"kind": "call", "name": "a", "pallet": "SubtensorModule", "call": "scheduel_swap_coldkey"},
            {"kind": "event", "name": "b", "pallet": "System", "event": "CodeUpdatedd"},
            {"kind": "hyperparam", "name": "c", "names": ["tempoo"]},
        ]
    )
    assert [p.loc for p in found] == [("rules", 0, "call"), ("rules", 1, "event"), ("rules", 2, "names")]
    assert 'did you mean "schedule_swap_coldkey"?' in found[0].message
    assert 'did you mean "CodeUpdated"?' in found[1].message
    assert 'did you mean "tempo"?' in found[2].message
    assert not any(p.note for p in found)


def test_good_names_and_wildcards_pass():
    assert not problems(
        [
            {"kind": "call", "name": "a", "pallet": "SubtensorModule", "call": ["schedule_swap_coldkey"]},
            {"kind": "call", "name": "b", "pallet": "AdminUtils", "call": "sudo_set_*"},
            {"kind": "event", "name": "c", "pallet": "*", "event": "ColdkeySwap*"},
            {"kind": "hyperparam", "name": "d", "names": ["tempo", "kappa", "*burn"]},
            {"kind": "hyperparam", "name": "e"},
        ]
    )


def test_a_wildcard_that_matches_nothing_is_a_problem():
    (p,) = problems([{"kind": "event", "name": "a", "pallet": "System", "event": "Nothing*"}])
    assert p.message.startswith('event pattern "Nothing*" matches no event of System')


def test_a_name_of_another_pallet_says_which():
    (p,) = problems([{"kind": "call", "name": "a", "pallet": "AdminUtils", "call": "schedule_swap_coldkey"}])
    assert "it is a call of SubtensorModule" in p.message


def test_a_name_only_another_runtime_has_is_a_note_with_its_spec_version():
    base, today = known_runtimes()
    rules = [{"kind": "call", "name": "a", "pallet": "SubtensorModule", "call": "announce_coldkey_swap"}]
    (p,) = problems(rules, [base], [today])
    assert p.note and "only spec 400 (devnet --upgrade-at) has it" in p.message
    assert not problems(rules)  # both devnet runtimes: the upgraded one has it


def test_names_are_checked_against_a_network_runtime():
    network = RuntimeNames(425, "finney", calls={"SubtensorModule": frozenset({"swap_coldkey"})}, events={})
    (p,) = problems(
        [{"kind": "call", "name": "a", "pallet": "SubtensorModule", "call": "schedule_swap_coldkey"}],
        [network],
        known_runtimes(),
    )
    assert "spec 425 (finney)" in p.message and "only spec 300 (devnet base)" in p.message


def test_pattern_rules_names_are_checked():
    found = problems(
        [
            {
                "kind": "pattern",
                "name": "p",
                "metric": "calls",
                "match": {"pallet": "SubtensorModule", "call": "remove_stak", "netuid": [1, 2]},
                "threshold": 3,
            },
        ]
    )
    assert [(p.loc, p.message.split(" (")[0]) for p in found] == [
        (("rules", 0, "match", "call"), 'call "remove_stak" is not a call of SubtensorModule in spec 300'),
    ]


def test_a_netuid_out_of_range_is_refused_where_the_rule_is_parsed(tmp_path):
    """A netuid is a u16 on chain: -3 or 70,000 could never match, so the app refuses the file (with
    file:line) as ``rules check`` does, instead of running a rule that never fires."""
    from sentinel_core.config import ConfigError, load_config

    path = tmp_path / "sentinel.toml"
    path.write_text(
        "[[rules]]\n"
        'kind = "hyperparam"\nname = "h"\nnetuid = -3\n\n'
        "[[rules]]\n"
        'kind = "pattern"\nname = "p"\nmetric = "calls"\nthreshold = 3\n'
        'match = { pallet = "SubtensorModule", call = "add_stake", netuid = [1, 70000] }\n\n'
        "[[rules]]\n"
        'kind = "call"\nname = "c"\npallet = "SubtensorModule"\ncall = "add_stake"\nnetuid = [0, 65535]\n'
    )
    with pytest.raises(ConfigError) as exc:
        load_config(path, env={})
    assert exc.value.lines == [
        f"{path}:4: rules[0].netuid: -3 is not a valid netuid (must be 0 to 65535)",
        f"{path}:11: rules[1].match.netuid: 70000 is not a valid netuid (must be 0 to 65535)",
    ]


def test_the_projects_sentinel_toml_passes():
    from pathlib import Path

    from sentinel_core.config import load_config

    settings = load_config(Path(__file__).resolve().parents[2] / "sentinel.toml", env={})
    assert [p for p in check_rule_names(settings.rules, known_runtimes()) if not p.note] == []
