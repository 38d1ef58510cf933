"""Rules engine on hand-built blocks: every rule kind, unwrapping, catch-all, windows, anomalies,
stalls and hot reload."""

from __future__ import annotations

from pathlib import Path

import pytest

from sentinel_core.config import ConfigError, load_config, parse_rules
from sentinel_core.model import Alert, Block, Call, Event, Extrinsic, HyperparamChange
from sentinel_core.rules.engine import RuleEngine
from sentinel_core.rules.messages import render

ROOT = Path(__file__).resolve().parents[2]
ALICE = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"
BOB = "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty"
SUDO = "5HGjWAeFDfFCWPsjFQdVV2Msvz2XtMktvgocEZcCj68kUMaw"
TAO = 10**9


def ev(index: int, pallet: str, name: str, attributes=None, ex: int | None = None) -> Event:
    return Event(index=index, extrinsic_index=ex, pallet=pallet, name=name, attributes=attributes)


def xt(
    index: int,
    pallet: str,
    call: str,
    args=None,
    *,
    signer: str | None = ALICE,
    success=True,
    calls: list[Call] | None = None,
    error: str | None = None,
    events=None,
) -> Extrinsic:
    args = args or {}
    if calls is None:
        calls = [Call(pallet=pallet, name=call, args=args, success=success, error=error)]
    return Extrinsic(
        index=index,
        hash=f"0x{index:064x}",
        signer=signer,
        pallet=pallet,
        call=call,
        args=args,
        success=success,
        error=error,
        calls=calls,
        events=events or [],
    )


def sudo_xt(index: int, pallet: str, call: str, args=None, *, inner_success=True, signer=SUDO) -> Extrinsic:
    """Sudo.sudo(inner): the extrinsic succeeds even when the inner call fails."""
    inner = Call(
        pallet=pallet,
        name=call,
        args=args or {},
        via=["Sudo.sudo"],
        success=inner_success,
        error=None if inner_success else "SubtensorModule.SubnetNotExists",
    )
    return xt(
        index,
        "Sudo",
        "sudo",
        {"call": {"call_module": pallet, "call_function": call}},
        signer=signer,
        calls=[inner],
    )


def block(number: int, extrinsics=(), events=None, *, timestamp: int | None = None) -> Block:
    exs = list(extrinsics)
    if events is None:
        events = []
        for x in exs:
            events.append(
                ev(
                    len(events),
                    "System",
                    "ExtrinsicSuccess" if x.success else "ExtrinsicFailed",
                    {},
                    ex=x.index,
                )
            )
    return Block(
        number=number,
        hash=f"0x{number:064x}",
        parent_hash=f"0x{number - 1:064x}",
        timestamp=timestamp if timestamp is not None else number * 12_000,
        extrinsics=exs,
        events=events,
    )


def default_rules():
    return load_config(ROOT / "sentinel.toml", env={}).rules


def names(alerts: list[Alert]) -> list[str]:
    return [a.rule for a in alerts]


# -- call rules ----------------------------------------------------------------------------------


def test_call_rule_matches_unwrapped_sudo_call():
    engine = RuleEngine(default_rules())
    b = block(10, [sudo_xt(1, "SubtensorModule", "root_dissolve_network", {"netuid": 7})])
    alerts = engine.evaluate(b, [])
    assert names(alerts) == ["subnet-dissolved"]  # and not also the sudo catch-all
    a = alerts[0]
    assert a.severity.value == "critical"
    assert a.netuid == 7 and a.extrinsic_index == 1 and a.block == 10
    assert a.fields["pallet"] == "SubtensorModule" and a.fields["call"] == "root_dissolve_network"
    assert a.fields["args"] == {"netuid": 7} and a.fields["via"] == ["Sudo.sudo"]
    assert a.fields["signer"] == SUDO and a.fields["extrinsic_hash"] == f"0x{1:064x}"
    assert a.message.startswith("subnet dissolved: SubtensorModule.root_dissolve_network(netuid=7)")
    assert a.dedup_key == "subnet-dissolved:10:1:0"


def test_failed_inner_call_is_not_alerted_and_feeds_nothing_else():
    engine = RuleEngine(default_rules())
    b = block(
        10, [sudo_xt(1, "SubtensorModule", "root_dissolve_network", {"netuid": 7}, inner_success=False)]
    )
    assert engine.evaluate(b, []) == []


def test_failed_extrinsic_is_not_alerted():
    engine = RuleEngine(default_rules())
    b = block(
        5,
        [
            xt(
                0,
                "SubtensorModule",
                "schedule_swap_coldkey",
                {"new_coldkey": BOB},
                success=False,
                error="SubtensorModule.SwapAlreadyScheduled",
            )
        ],
    )
    assert engine.evaluate(b, []) == []


def test_coldkey_swap_one_alert_per_call_both_generations():
    engine = RuleEngine(default_rules())
    calls = [
        "schedule_swap_coldkey",
        "announce_coldkey_swap",
        "swap_coldkey_announced",
        "dispute_coldkey_swap",
        "reset_coldkey_swap",
        "clear_coldkey_swap_announcement",
    ]
    exs = [xt(i, "SubtensorModule", c, {"new_coldkey": BOB}) for i, c in enumerate(calls)]
    exs.append(
        sudo_xt(
            len(exs),
            "SubtensorModule",
            "swap_coldkey",
            {"old_coldkey": ALICE, "new_coldkey": BOB, "swap_cost": 0},
        )
    )
    alerts = engine.evaluate(block(3, exs), [])
    assert names(alerts) == ["coldkey-swap"] * 7
    assert len({a.dedup_key for a in alerts}) == 7
    assert [a.fields["call"] for a in alerts] == calls + ["swap_coldkey"]


def test_batch_items_each_matched():
    items = [
        Call(
            pallet="SubtensorModule", name="register_network", args={"hotkey": BOB}, via=["Utility.batch_all"]
        ),
        Call(
            pallet="SubtensorModule",
            name="register_leased_network",
            args={"emissions_share": 10, "end_block": None},
            via=["Utility.batch_all"],
        ),
    ]
    b = block(4, [xt(0, "Utility", "batch_all", {}, calls=items)])
    alerts = RuleEngine(default_rules()).evaluate(b, [])
    assert names(alerts) == ["subnet-registered", "subnet-registered"]
    assert [a.dedup_key for a in alerts] == ["subnet-registered:4:0:0", "subnet-registered:4:0:1"]


def test_where_conditions_and_netuid_shortcut():
    rules = parse_rules(
        [
            {
                "kind": "call",
                "name": "big-stake",
                "pallet": "SubtensorModule",
                "call": "add_stake*",
                "netuid": [3, 4],
                "where": {
                    "amount_staked": {"gt": 1000 * TAO},
                    "hotkey": {"regex": "^5F"},
                    "signer": {"in": [ALICE]},
                },
                "message": "{amount_staked} on {netuid} by {signer}",
            }
        ]
    )
    engine = RuleEngine(rules)

    def stake(i, netuid, amount, hotkey=BOB, signer=ALICE):
        return xt(
            i,
            "SubtensorModule",
            "add_stake",
            {"hotkey": hotkey, "netuid": netuid, "amount_staked": amount},
            signer=signer,
        )

    b = block(
        1,
        [
            stake(0, 3, 2000 * TAO),
            stake(1, 5, 2000 * TAO),
            stake(2, 3, 10 * TAO),
            stake(3, 4, 5000 * TAO, hotkey=ALICE),
            stake(4, 4, 5000 * TAO, signer=BOB),
            stake(5, 4, 1001 * TAO),
        ],
    )
    alerts = engine.evaluate(b, [])
    assert [a.extrinsic_index for a in alerts] == [0, 5]
    assert alerts[0].message == f"{2000 * TAO} on 3 by {ALICE}"


def test_via_sudo_filter_and_success_only_false():
    rules = parse_rules(
        [
            {"kind": "call", "name": "root-only", "pallet": "*", "call": "sudo_set_*", "via_sudo": True},
            {
                "kind": "call",
                "name": "any-outcome",
                "pallet": "AdminUtils",
                "call": "sudo_set_tempo",
                "success_only": False,
            },
        ]
    )
    engine = RuleEngine(rules)
    owner = xt(0, "AdminUtils", "sudo_set_tempo", {"netuid": 1, "tempo": 10})
    root = sudo_xt(1, "AdminUtils", "sudo_set_tempo", {"netuid": 1, "tempo": 20})
    failed = sudo_xt(2, "AdminUtils", "sudo_set_tempo", {"netuid": 1, "tempo": 30}, inner_success=False)
    alerts = engine.evaluate(block(9, [owner, root, failed]), [])
    got = [(a.rule, a.extrinsic_index) for a in alerts]
    assert ("root-only", 1) in got and ("root-only", 0) not in got and ("root-only", 2) not in got
    assert [i for r, i in got if r == "any-outcome"] == [0, 1, 2]


# -- event rules ---------------------------------------------------------------------------------


def test_event_rule_runtime_upgrade_suppresses_catchall():
    engine = RuleEngine(default_rules())
    set_code = Call(pallet="System", name="set_code", args={"code": "0x00"}, via=["Sudo.sudo"])
    x = xt(1, "Sudo", "sudo", {}, signer=SUDO, calls=[set_code])
    events = [
        ev(0, "System", "CodeUpdated", None, ex=1),
        ev(1, "Sudo", "Sudid", [{"Ok": None}], ex=1),
        ev(2, "System", "ExtrinsicSuccess", {}, ex=1),
    ]
    alerts = engine.evaluate(block(100, [x], events), [])
    assert names(alerts) == ["runtime-upgraded"]
    assert alerts[0].severity.value == "info"
    assert alerts[0].dedup_key == "runtime-upgraded:100:ev0"
    assert alerts[0].fields["event"] == "CodeUpdated" and alerts[0].fields["signer"] == SUDO


def test_event_rule_wildcards_and_positional_attributes():
    rules = parse_rules(
        [
            {
                "kind": "event",
                "name": "stake-out",
                "pallet": "SubtensorModule",
                "event": "Stake*",
                "where": {"4": 3, "2": {"ge": 5 * TAO}},
            }
        ]
    )
    engine = RuleEngine(rules)
    events = [
        ev(0, "SubtensorModule", "StakeRemoved", [ALICE, BOB, 6 * TAO, 1, 3, 0], ex=0),
        ev(1, "SubtensorModule", "StakeAdded", [ALICE, BOB, 9 * TAO, 1, 4, 0], ex=0),
        ev(2, "SubtensorModule", "StakeAdded", [ALICE, BOB, 1 * TAO, 1, 3, 0], ex=0),
        ev(3, "SubtensorModule", "NetworkAdded", [3, 0], ex=0),
    ]
    alerts = engine.evaluate(block(1, [], events), [])
    assert [a.fields["event_index"] for a in alerts] == [0]


# -- sudo catch-all ------------------------------------------------------------------------------


def test_catchall_fires_for_unmatched_sudo_call_once_per_extrinsic():
    engine = RuleEngine(default_rules())
    batch = [
        Call(
            pallet="Balances",
            name="force_set_balance",
            args={"who": BOB, "new_free": 1},
            via=["Sudo.sudo", "Utility.batch"],
        ),
        Call(
            pallet="SubtensorModule", name="sudo_set_something", args={}, via=["Sudo.sudo", "Utility.batch"]
        ),
    ]
    x = xt(2, "Sudo", "sudo", {}, signer=SUDO, calls=batch)
    set_key = xt(3, "Sudo", "set_key", {"new": BOB}, signer=SUDO)
    alerts = engine.evaluate(block(50, [x, set_key]), [])
    assert names(alerts) == ["sudo-call", "sudo-call"]
    assert alerts[0].fields["count"] == 2 and alerts[0].extrinsic_index == 2
    assert alerts[0].dedup_key == "sudo-call:50:2"
    assert alerts[1].fields["qualname"] == "Sudo.set_key"
    assert alerts[0].message.startswith("sudo: Balances.force_set_balance(")


def test_sudo_hyperparam_setter_raises_one_alert_only():
    engine = RuleEngine(default_rules())
    x = sudo_xt(4, "AdminUtils", "sudo_set_immunity_period", {"netuid": 3, "immunity_period": 100})
    change = HyperparamChange(
        block=77,
        netuid=3,
        name="immunity_period",
        old=4032,
        new=100,
        extrinsic_index=4,
        signer=SUDO,
        call="AdminUtils.sudo_set_immunity_period",
        via_sudo=True,
    )
    alerts = engine.evaluate(block(77, [x]), [change])
    assert names(alerts) == ["hyperparam-change"]
    a = alerts[0]
    assert a.netuid == 3 and a.extrinsic_index == 4
    assert "immunity_period" in a.message and "4032" in a.message and "100" in a.message
    assert a.message.startswith("subnet 3: ")
    assert a.fields["old"] == 4032 and a.fields["new"] == 100 and a.fields["via_sudo"] is True
    # Without the change (e.g. the value did not change) the sudo call is "another sudo call".
    alerts = RuleEngine(default_rules()).evaluate(block(77, [x]), [])
    assert names(alerts) == ["sudo-call"]


def test_catchall_suppressed_by_setter_even_without_extrinsic_index():
    engine = RuleEngine(default_rules())
    x = sudo_xt(4, "AdminUtils", "sudo_set_tempo", {"netuid": 3, "tempo": 100})
    change = HyperparamChange(
        block=8, netuid=3, name="tempo", old=360, new=100, call="AdminUtils.sudo_set_tempo", via_sudo=True
    )
    assert names(engine.evaluate(block(8, [x]), [change])) == ["hyperparam-change"]


def test_catchall_ignore_list():
    rules = parse_rules(
        [{"kind": "sudo_catchall", "name": "sudo", "ignore": ["AdminUtils.sudo_set_weights_version_key"]}]
    )
    engine = RuleEngine(rules)
    x = sudo_xt(0, "AdminUtils", "sudo_set_weights_version_key", {"netuid": 1, "weights_version_key": 2})
    assert engine.evaluate(block(1, [x]), []) == []


# -- hyperparameter rules ------------------------------------------------------------------------


def test_hyperparam_thresholds_and_filters():
    rules = parse_rules(
        [
            {
                "kind": "hyperparam",
                "name": "tempo-jump",
                "names": ["tempo"],
                "min_rel_change": 0.5,
                "message": "{netuid} {name} {old}->{new} ({rel_change:.0%})",
            },
            {"kind": "hyperparam", "name": "sn3-any", "netuids": [3], "severity": "info"},
            {"kind": "hyperparam", "name": "burn-abs", "names": ["min_burn"], "min_abs_change": 1.0},
        ]
    )
    engine = RuleEngine(rules)
    changes = [
        HyperparamChange(block=5, netuid=1, name="tempo", old=360, new=100),  # -72%: fires
        HyperparamChange(block=5, netuid=2, name="tempo", old=360, new=300),  # -17%: quiet
        HyperparamChange(block=5, netuid=3, name="kappa", old=32767, new=16383),
        HyperparamChange(block=5, netuid=4, name="min_burn", old=TAO, new=TAO + TAO // 2),  # 0.5 TAO
        HyperparamChange(block=5, netuid=4, name="min_burn", old=TAO, new=3 * TAO),  # 2 TAO: fires
    ]
    alerts = engine.evaluate(block(5), changes)
    got = [(a.rule, a.netuid) for a in alerts]
    assert got == [("tempo-jump", 1), ("sn3-any", 3), ("burn-abs", 4)]
    assert alerts[0].message == "1 tempo 360->100 (72%)"
    assert alerts[0].dedup_key == "tempo-jump:5:1:tempo:s"


def test_hyperparam_flag_change_passes_thresholds():
    rules = parse_rules([{"kind": "hyperparam", "name": "h", "min_rel_change": 0.5}])
    ch = HyperparamChange(block=1, netuid=1, name="registration_allowed", old=True, new=False)
    assert names(RuleEngine(rules).evaluate(block(1), [ch])) == ["h"]


# -- dedup, cooldown, re-processing --------------------------------------------------------------


def test_reprocessing_a_block_gives_the_same_dedup_keys():
    b = block(
        10,
        [
            sudo_xt(1, "SubtensorModule", "dissolve_network", {"netuid": 7, "coldkey": ALICE}),
            xt(2, "SubtensorModule", "register_network", {"hotkey": BOB}),
        ],
    )
    first = [a.dedup_key for a in RuleEngine(default_rules()).evaluate(b, [])]
    engine = RuleEngine(default_rules())
    engine.evaluate(b, [])
    again = [a.dedup_key for a in engine.evaluate(b, [])]  # same engine, block seen again
    after_restart = [a.dedup_key for a in RuleEngine(default_rules()).evaluate(b, [])]
    assert first == again == after_restart and len(first) == 2


def test_cooldown_and_custom_dedup():
    rules = parse_rules(
        [
            {
                "kind": "call",
                "name": "reg",
                "pallet": "SubtensorModule",
                "call": "burned_register",
                "cooldown_blocks": 10,
            },
            {
                "kind": "call",
                "name": "per-hotkey",
                "pallet": "SubtensorModule",
                "call": "burned_register",
                "dedup": "{hotkey}",
            },
        ]
    )
    engine = RuleEngine(rules)
    out = []
    for n in range(1, 25):
        hot = ALICE if n % 2 else BOB
        out += engine.evaluate(
            block(n, [xt(0, "SubtensorModule", "burned_register", {"netuid": 1, "hotkey": hot})]), []
        )
    assert [a.block for a in out if a.rule == "reg"] == [1, 11, 21]
    per = [a.dedup_key for a in out if a.rule == "per-hotkey"]
    assert set(per) == {f"per-hotkey:{ALICE}", f"per-hotkey:{BOB}"}


# -- pattern rules -------------------------------------------------------------------------------


def failing_block(n: int, failures: int, total: int = 20) -> Block:
    exs = [
        xt(
            i,
            "SubtensorModule",
            "set_weights",
            {"netuid": 1},
            success=i >= failures,
            error=None if i >= failures else "SubtensorModule.SettingWeightsTooFast",
        )
        for i in range(total)
    ]
    return block(n, exs)


def test_failed_extrinsic_spike_window_fires_once_per_episode():
    rules = [r for r in default_rules() if r.name == "failed-extrinsic-spike"]
    engine = RuleEngine(rules)
    fired = []
    # 1 failure per block: the 20-block window reaches 11 at block 11 -> one alert, not one per block.
    for n in range(1, 60):
        fired += [(n, a) for a in engine.evaluate(failing_block(n, 1), [])]
    assert [n for n, _ in fired] == [11]
    a = fired[0][1]
    assert (
        a.fields["value"] == 11 and a.fields["window"] == 20 and a.dedup_key == "failed-extrinsic-spike:11:-"
    )
    # Quiet for a whole window -> re-armed -> a new spike fires again.
    for n in range(60, 90):
        assert engine.evaluate(failing_block(n, 0), []) == []
    assert names(engine.evaluate(failing_block(90, 11), [])) == ["failed-extrinsic-spike"]


def test_failed_extrinsics_below_threshold_quiet():
    engine = RuleEngine([r for r in default_rules() if r.name == "failed-extrinsic-spike"])
    # 10 failures in every 20 blocks (one every other block) never exceeds 10.
    for n in range(1, 200):
        assert engine.evaluate(failing_block(n, n % 2), []) == []


def test_large_unstake_sum_per_netuid():
    rules = [r for r in default_rules() if r.name == "large-unstake"]
    engine = RuleEngine(rules)

    def unstake(i, netuid, tao):
        return xt(
            i,
            "SubtensorModule",
            "remove_stake",
            {"hotkey": BOB, "netuid": netuid, "amount_unstaked": tao * TAO},
        )

    alerts = []
    for n in range(1, 11):  # 10 blocks x 150 TAO from subnet 5, 10 x 50 TAO from subnet 6
        alerts += engine.evaluate(block(n, [unstake(0, 5, 150), unstake(1, 6, 50)]), [])
    assert [(a.rule, a.netuid, a.block) for a in alerts] == [("large-unstake", 5, 7)]
    assert alerts[0].fields["value"] == 1050 * TAO and alerts[0].fields["group"] == 5
    # Outside the 100-block window the sum is gone: quiet, and re-armed.
    assert engine.evaluate(block(200, [unstake(0, 5, 10)]), []) == []
    assert names(engine.evaluate(block(201, [unstake(0, 5, 1001)]), [])) == ["large-unstake"]


def test_watchlist_pattern():
    rules = parse_rules(
        [
            {
                "kind": "pattern",
                "name": "watched-swap",
                "metric": "calls",
                "severity": "critical",
                "match": {
                    "pallet": "SubtensorModule",
                    "call": ["schedule_swap_coldkey", "announce_coldkey_swap"],
                },
                "watchlist": [BOB],
                "message": "{address} {qualname}",
            }
        ]
    )
    engine = RuleEngine(rules)
    assert (
        engine.evaluate(
            block(
                1, [xt(0, "SubtensorModule", "schedule_swap_coldkey", {"new_coldkey": ALICE}, signer=ALICE)]
            ),
            [],
        )
        == []
    )
    alerts = engine.evaluate(
        block(
            2, [xt(0, "SubtensorModule", "announce_coldkey_swap", {"new_coldkey_hash": "0xab"}, signer=BOB)]
        ),
        [],
    )
    assert [a.message for a in alerts] == [f"{BOB} SubtensorModule.announce_coldkey_swap"]
    # again for another block: window 1 re-arms every block
    alerts = engine.evaluate(
        block(5, [xt(0, "SubtensorModule", "schedule_swap_coldkey", {"new_coldkey": BOB}, signer=ALICE)]), []
    )
    assert len(alerts) == 1 and alerts[0].fields["address"] == BOB


def test_event_pattern_with_group_by_attribute():
    rules = parse_rules(
        [
            {
                "kind": "pattern",
                "name": "tao-out",
                "metric": "events",
                "match": {"pallet": "SubtensorModule", "event": "StakeRemoved"},
                "sum_field": "2",
                "group_by": "4",
                "window": 10,
                "threshold": 100 * TAO,
            }
        ]
    )
    engine = RuleEngine(rules)
    alerts = []
    for n in range(1, 5):
        evs = [ev(0, "SubtensorModule", "StakeRemoved", [ALICE, BOB, 40 * TAO, 1, 9, 0], ex=0)]
        alerts += engine.evaluate(block(n, [], evs), [])
    assert [(a.block, a.fields["group"]) for a in alerts] == [(3, 9)]


def test_reprocessed_block_does_not_double_count_windows():
    engine = RuleEngine([r for r in default_rules() if r.name == "failed-extrinsic-spike"])
    b = failing_block(1, 6)
    assert engine.evaluate(b, []) == []
    assert engine.evaluate(b, []) == []  # same block again: still 6 in the window, not 12


# -- anomaly rules -------------------------------------------------------------------------------


def test_anomaly_zscore_block_time():
    rules = parse_rules(
        [
            {
                "kind": "anomaly",
                "name": "slow-block",
                "metric": "block_time",
                "method": "zscore",
                "threshold": 4,
                "min_samples": 20,
                "baseline_blocks": 100,
                "direction": "up",
            }
        ]
    )
    engine = RuleEngine(rules)
    ts = 0
    alerts = []
    for n in range(1, 80):
        ts += 12_000 + (n % 3) * 100  # 12.0 .. 12.2 s
        if n == 60:
            ts += 30_000  # one 42 s block
        alerts += engine.evaluate(block(n, timestamp=ts), [])
    assert [a.block for a in alerts] == [60]
    a = alerts[0]
    assert a.fields["metric"] == "block_time" and a.fields["value"] > 40 and a.fields["zscore"] > 4
    assert a.dedup_key == "slow-block:60:-"


def test_anomaly_percentile_and_stake_flow_per_subnet():
    rules = parse_rules(
        [
            {
                "kind": "anomaly",
                "name": "busy",
                "metric": "extrinsic_count",
                "method": "percentile",
                "threshold": 99,
                "min_samples": 30,
                "direction": "up",
            },
            {"kind": "anomaly", "name": "flow", "metric": "stake_flow", "threshold": 5, "min_samples": 30},
        ]
    )
    engine = RuleEngine(rules)
    alerts = []
    for n in range(1, 80):
        count = 40 if n == 70 else 5 + n % 4
        exs = [xt(i, "Balances", "transfer_keep_alive", {"dest": BOB, "value": 1}) for i in range(count)]
        amount = (5000 if n == 75 else 10 + n % 5) * TAO
        evs = [
            ev(0, "SubtensorModule", "StakeRemoved", [ALICE, BOB, amount, 1, 2, 0], ex=0),
            ev(1, "SubtensorModule", "StakeAdded", [ALICE, BOB, (10 + n % 7) * TAO, 1, 8, 0], ex=0),
        ]
        alerts += engine.evaluate(block(n, exs, evs), [])
    got = [(a.rule, a.block, a.netuid) for a in alerts]
    assert got == [("busy", 70, None), ("flow", 75, 2)]


# -- stall ---------------------------------------------------------------------------------------


def test_stall_fires_once_per_episode_and_rearms():
    clock = [1000.0]
    engine = RuleEngine([r for r in default_rules() if r.name == "chain-stall"], clock=lambda: clock[0])
    engine.evaluate(block(10), [])
    assert engine.check_stall(1030.0, 10, 1000.0) == []
    first = engine.check_stall(1061.0, 10, 1000.0)
    assert names(first) == ["chain-stall"] and first[0].block == 10
    assert first[0].dedup_key == "chain-stall:10" and first[0].severity.value == "critical"
    assert first[0].created_at == 1000.0
    assert engine.check_stall(1100.0, 10, 1000.0) == []
    assert engine.check_stall(5000.0, 10, 1000.0) == []
    # a block arrives: the episode ends; the next stall alerts again
    engine.evaluate(block(11), [])
    assert engine.check_stall(5010.0, 11, 5000.0) == []
    assert names(engine.check_stall(5070.0, 11, 5000.0)) == ["chain-stall"]
    # also when the caller only reports the new block number
    assert names(engine.check_stall(9000.0, 12, 8900.0)) == ["chain-stall"]


# -- hot reload ----------------------------------------------------------------------------------


def test_hot_reload_keeps_state_of_unchanged_rules():
    spike = {"kind": "pattern", "name": "spike", "metric": "failed_extrinsics", "window": 20, "threshold": 10}
    other = {"kind": "pattern", "name": "other", "metric": "failed_extrinsics", "window": 20, "threshold": 10}
    engine = RuleEngine(parse_rules([spike, other]))
    for n in range(1, 8):  # 7 failures in each window so far
        assert engine.evaluate(failing_block(n, 1), []) == []
    changed = dict(other, threshold=9)
    engine.replace_rules(
        parse_rules([spike, changed, {"kind": "call", "name": "new", "pallet": "Balances", "call": "*"}])
    )
    assert [r.name for r in engine.rules] == ["spike", "other", "new"]
    fired = []
    for n in range(8, 20):
        fired += [(a.rule, n) for a in engine.evaluate(failing_block(n, 1), [])]
    # "spike" kept its 7: 11 at block 11. "other" restarted at block 8: 10 > 9 at block 17.
    assert fired == [("spike", 11), ("other", 17)]


def test_disabled_rule_and_dict_rules():
    engine = RuleEngine(
        [
            {"kind": "call", "name": "x", "pallet": "Balances", "call": "*", "enabled": False},
            {"kind": "call", "name": "y", "pallet": "Balances", "call": "transfer*"},
        ]
    )
    alerts = engine.evaluate(block(1, [xt(0, "Balances", "transfer_allow_death", {"dest": BOB})]), [])
    assert names(alerts) == ["y"]
    assert engine.hits == {"y": 1}


def test_invalid_rules_are_rejected_with_paths():
    with pytest.raises(ConfigError) as e:
        parse_rules(
            [
                {"kind": "call", "name": "x", "pallet": "Nope", "call": "a"},
                {"kind": "hyperparam", "name": "y", "message": "{bogus}"},
                {
                    "kind": "event",
                    "name": "z",
                    "pallet": "System",
                    "event": "X",
                    "where": {"who": {"regex": "(["}},
                },
            ]
        )
    lines = e.value.lines
    assert lines[0] == 'rules[0].pallet: unknown pallet "Nope"'
    assert lines[1].startswith("rules[1].message: unknown field {bogus} in template")
    assert lines[2].startswith("rules[2].where.who.regex: invalid regular expression")


def test_render_is_safe():
    assert render("{a} {missing} {b:.2f}", {"a": 1, "b": 2.5}) == "1 ? 2.50"
    assert render("{a:.2f}", {"a": "text"}) == "text"
    assert render("{args[x]}", {"args": {}}) == "?"


@pytest.mark.parametrize(
    "where,ok",
    [
        ({"amount": {"ge": 10}}, True),
        ({"amount": {"gt": 10}}, False),
        ({"amount": {"lt": 11}}, True),
        ({"amount": {"le": 9}}, False),
        ({"amount": {"gt": 5, "lt": 20}}, True),
        ({"amount": {"gt": 5, "lt": 8}}, False),
        ({"text_amount": {"gt": 99}}, True),
        ({"who": {"ne": ALICE}}, True),
        ({"who": {"ne": BOB}}, False),
        ({"who": BOB}, True),
        ({"who": [ALICE, BOB]}, True),
        ({"who": {"in": [ALICE]}}, False),
        ({"who": {"regex": "^5FH"}}, True),
        ({"who": {"regex": "^5Gr"}}, False),
        ({"missing": {"ne": 1}}, False),
        ({"missing": 1}, False),
        ({"nested.inner.0": 7}, True),
        ({"nested.inner.5": 7}, False),
        ({"netuid": "3"}, True),
        ({"signer": ALICE}, True),
        ({"call": "do_it"}, True),
        ({"amount": {"regex": "^1"}}, True),
        ({"amount": 10, "who": BOB}, True),
        ({"amount": 10, "who": ALICE}, False),
    ],
)
def test_condition_operators(where, ok):
    rules = parse_rules(
        [{"kind": "call", "name": "r", "pallet": "SubtensorModule", "call": "do_it", "where": where}]
    )
    args = {"amount": 10, "text_amount": "100", "who": BOB, "nested": {"inner": [7, 8]}, "netuid": 3}
    alerts = RuleEngine(rules).evaluate(block(1, [xt(0, "SubtensorModule", "do_it", args)]), [])
    assert bool(alerts) is ok


def test_event_condition_on_signer_and_named_attributes():
    rules = parse_rules(
        [
            {
                "kind": "event",
                "name": "r",
                "pallet": "SubtensorModule",
                "event": "ColdkeySwap*",
                "where": {"signer": ALICE, "old_coldkey": {"regex": "^5G"}},
            }
        ]
    )
    engine = RuleEngine(rules)
    x = xt(0, "SubtensorModule", "schedule_swap_coldkey", {"new_coldkey": BOB})
    evs = [
        ev(0, "SubtensorModule", "ColdkeySwapScheduled", {"old_coldkey": ALICE, "new_coldkey": BOB}, ex=0),
        ev(1, "SubtensorModule", "ColdkeySwapScheduled", {"old_coldkey": BOB, "new_coldkey": ALICE}, ex=0),
    ]
    alerts = engine.evaluate(block(1, [x], evs), [])
    assert [a.fields["event_index"] for a in alerts] == [0]
    assert alerts[0].fields["signer"] == ALICE
