"""Snapshot rules on hand-built metagraphs: each ``when``, thresholds, filters, watchlists, dedup,
cooldowns, hot reload, and the separation from block evaluation."""

from __future__ import annotations

from pathlib import Path

import pytest

from sentinel_core.config import load_config, parse_rules
from sentinel_core.metagraph import Metagraph, raw_from_metagraph, rows_from_raw
from sentinel_core.model import Block, Call, Extrinsic
from sentinel_core.rules.engine import RuleEngine
from sentinel_core.rules.snapshot_rules import neurons, pct_text, tao_text

ROOT = Path(__file__).resolve().parents[2]
TAO = 10**9
U16 = 65535
HOT = [f"5Hot{u:02d}" + "x" * 42 for u in range(10)]
NEW_HOT = "5NewHotkey" + "n" * 38
OWNER_A = "5OwnerA" + "a" * 41
OWNER_B = "5OwnerB" + "b" * 41


def mg(
    block: int,
    stakes: list[int],
    *,
    netuid: int = 3,
    dividends: list[int] | None = None,
    permits: list[bool] | None = None,
    hotkeys: list[str] | None = None,
    owner: str | None = OWNER_A,
    exists: bool = True,
    rows: bool = True,
) -> Metagraph:
    """A subnet whose uid ``u`` has ``stakes[u]`` TAO (raw values; rows built or left raw)."""
    n = len(stakes)
    value = {
        "hotkeys": hotkeys or HOT[:n],
        "coldkeys": [f"5Cold{u:02d}" + "c" * 41 for u in range(n)],
        "total_stake": [s * TAO for s in stakes],
        "alpha_stake": [s * TAO for s in stakes],
        "dividends": dividends if dividends is not None else [1000] * n,
        "validator_permit": permits if permits is not None else [True] * n,
    }
    raw = raw_from_metagraph(value)
    m = Metagraph(
        netuid=netuid,
        block=block,
        block_hash=f"0x{block:064x}",
        method="get_metagraph",
        exists=exists,
        owner_coldkey=owner,
        owner_hotkey=HOT[0],
        rows=rows_from_raw(raw) if rows else [],
    )
    m._raw = raw
    return m


def engine_for(*rules: dict) -> RuleEngine:
    return RuleEngine(parse_rules([{"kind": "snapshot", "name": f"r{i}", **r} for i, r in enumerate(rules)]))


# -- the four kinds -------------------------------------------------------------------------------


def test_owner_change():
    e = engine_for({"when": "owner_change", "severity": "critical"})
    (a,) = e.evaluate_snapshot(mg(100, [10, 5]), mg(121, [10, 5], owner=OWNER_B))
    assert (a.rule, a.block, a.netuid, a.severity.value) == ("r0", 121, 3, "critical")
    assert a.message == "subnet 3: owner 5OwnerAa…aaaaaa -> 5OwnerBb…bbbbbb"
    assert a.dedup_key == "r0:3:121:owner"
    assert (a.fields["old"], a.fields["new"], a.fields["previous_block"]) == (OWNER_A, OWNER_B, 100)
    # unchanged, unknown (get_neurons_lite has no owner) or a subnet that did not exist: nothing
    assert e.evaluate_snapshot(mg(100, [10]), mg(121, [10])) == []
    assert e.evaluate_snapshot(mg(100, [10], owner=None), mg(121, [10], owner=OWNER_B)) == []
    assert e.evaluate_snapshot(mg(100, [], exists=False, owner=None), mg(121, [10], owner=OWNER_B)) == []


def test_validator_deregistered_top_n():
    e = engine_for({"when": "validator_deregistered", "top": 2})
    before = mg(100, [50, 40, 30, 20])
    # uid 1 (#2 by stake) replaced by a new hotkey, uid 2 (#3) too: only uid 1 is in the top 2
    after = mg(121, [50, 1, 1, 20], hotkeys=[HOT[0], NEW_HOT, "5Other" + "o" * 42, HOT[3]])
    (a,) = e.evaluate_snapshot(before, after)
    assert (a.fields["uid"], a.fields["rank"], a.fields["top"]) == (1, 2, 2)
    assert a.fields["hotkey"] == HOT[1] and a.fields["new_hotkey"] == NEW_HOT
    assert a.message == (
        f"subnet 3: validator uid 1 ({HOT[1][:8]}…{HOT[1][-6:]}, #2 by stake, τ40.00) deregistered "
        f"(uid now {NEW_HOT[:8]}…{NEW_HOT[-6:]})"
    )
    assert a.dedup_key == "r0:3:121:1"
    # without top: every permit holder; a uid that is gone counts too; non-validators never
    e = engine_for({"when": "validator_deregistered"})
    before = mg(100, [50, 40, 30, 20], permits=[True, True, True, False])
    after = mg(121, [50, 40], hotkeys=[HOT[0], NEW_HOT])
    got = {(a.fields["uid"], a.fields["new_hotkey"]) for a in e.evaluate_snapshot(before, after)}
    assert got == {(1, NEW_HOT), (2, None)}
    # a dissolved subnet is not a mass deregistration
    assert e.evaluate_snapshot(before, mg(121, [], exists=False)) == []


def test_validator_deregistered_is_quiet_when_top_keeps_its_uid():
    e = engine_for({"when": "validator_deregistered", "top": 2})
    before = mg(100, [50, 40, 30, 20])
    after = mg(121, [55, 45, 30, 1], hotkeys=[HOT[0], HOT[1], HOT[2], NEW_HOT])  # only #4 replaced
    assert e.evaluate_snapshot(before, after) == []


def test_dividends_zero():
    e = engine_for({"when": "dividends_zero"})
    before = mg(100, [10, 10, 10], dividends=[2700, 0, 500])
    after = mg(121, [10, 10, 10], dividends=[0, 0, 400])
    (a,) = e.evaluate_snapshot(before, after)
    assert a.fields["uid"] == 0 and a.fields["old"] == pytest.approx(2700 / U16) and a.fields["new"] == 0
    assert a.message == f"subnet 3: uid 0 ({HOT[0][:8]}…{HOT[0][-6:]}) dividends 0.0412 -> 0"
    # a new hotkey at the uid is a registration, not the same validator losing its dividends
    after = mg(121, [10, 10, 10], dividends=[0, 0, 400], hotkeys=[NEW_HOT, HOT[1], HOT[2]])
    assert e.evaluate_snapshot(before, after) == []


def test_stake_change_relative_and_absolute_thresholds():
    before = mg(100, [1200, 100, 1000, 0])
    after = mg(121, [600, 85, 1300, 5])
    rel = engine_for({"when": "stake_change", "min_change": 0.2})
    got = {a.fields["uid"]: a for a in rel.evaluate_snapshot(before, after)}
    assert set(got) == {0, 2, 3}  # uid 1 moved 15% (under the threshold); uid 3 had none
    assert got[0].message == f"subnet 3: stake of uid 0 ({HOT[0][:8]}…{HOT[0][-6:]}) τ1,200 -> τ600 (-50%)"
    assert got[0].fields["delta_tao"] == -600 and got[0].fields["rel_change"] == -0.5
    assert got[2].message.endswith("τ1,000 -> τ1,300 (+30%)")
    assert got[3].fields["rel_change"] is None and got[3].message.endswith("τ0 -> τ5.00 (new stake)")
    # absolute: at least 250 TAO
    absolute = engine_for({"when": "stake_change", "min_tao": 250})
    assert {a.fields["uid"] for a in absolute.evaluate_snapshot(before, after)} == {0, 2}
    # both: both must hold; direction
    both = engine_for({"when": "stake_change", "min_change": 0.4, "min_tao": 250})
    assert {a.fields["uid"] for a in both.evaluate_snapshot(before, after)} == {0}
    down = engine_for({"when": "stake_change", "min_change": 0.1, "direction": "down"})
    assert {a.fields["uid"] for a in down.evaluate_snapshot(before, after)} == {0, 1}
    up = engine_for({"when": "stake_change", "min_change": 0.1, "direction": "up"})
    assert {a.fields["uid"] for a in up.evaluate_snapshot(before, after)} == {2, 3}
    # under every threshold: nothing
    quiet = engine_for({"when": "stake_change", "min_change": 0.6})
    assert [a.fields["uid"] for a in quiet.evaluate_snapshot(before, after)] == [3]  # only the new stake
    assert engine_for({"when": "stake_change", "min_tao": 700}).evaluate_snapshot(before, after) == []


# -- filters, dedup, cooldowns --------------------------------------------------------------------


@pytest.mark.parametrize(
    "rule, before, after",
    [
        ({"when": "owner_change"}, mg(100, [1]), mg(121, [1], owner=OWNER_B)),
        (
            {"when": "validator_deregistered", "top": 1},
            mg(100, [5, 1]),
            mg(121, [5, 1], hotkeys=[NEW_HOT, HOT[1]]),
        ),
        ({"when": "dividends_zero"}, mg(100, [5], dividends=[100]), mg(121, [5], dividends=[0])),
        ({"when": "stake_change", "min_change": 0.2}, mg(100, [5]), mg(121, [10])),
    ],
)
def test_netuid_filter_and_dedup_across_evaluations(rule, before, after):
    assert len(engine_for(rule).evaluate_snapshot(before, after)) == 1
    assert engine_for({**rule, "netuids": [1, 2]}).evaluate_snapshot(before, after) == []
    assert len(engine_for({**rule, "netuid": 3}).evaluate_snapshot(before, after)) == 1
    # comparing the same pair again gives the same alert (the store keeps one per dedup key)
    e = engine_for(rule)
    first, second = e.evaluate_snapshot(before, after), e.evaluate_snapshot(before, after)
    assert [a.dedup_key for a in first] == [a.dedup_key for a in second]
    assert first[0].model_dump(exclude={"created_at"}) == second[0].model_dump(exclude={"created_at"})
    # also when the pair is compared over raw (unbuilt) rows, as snapshots read from the store are
    raw_before = before.model_copy()
    raw_before.rows = []
    raw_before._raw = before._raw
    raw_after = after.model_copy()
    raw_after.rows = []
    raw_after._raw = after._raw
    assert [a.dedup_key for a in e.evaluate_snapshot(raw_before, raw_after)] == [a.dedup_key for a in first]
    assert e.hits == {"r0": 3}


@pytest.mark.parametrize(
    "rule",
    [
        {"when": "validator_deregistered"},
        {"when": "dividends_zero"},
        {"when": "stake_change", "min_tao": 1},
    ],
)
def test_hotkey_watchlist(rule):
    before = mg(100, [10, 10, 10], dividends=[100, 100, 100])
    after = mg(121, [20, 20, 10], dividends=[0, 0, 100])  # uid 2 neither moved nor lost its dividends
    if rule["when"] == "validator_deregistered":
        after = mg(121, [10, 10, 10], hotkeys=[NEW_HOT, NEW_HOT[:-1] + "m", HOT[2]])
    assert {a.fields["uid"] for a in engine_for(rule).evaluate_snapshot(before, after)} == {0, 1}
    watched = engine_for({**rule, "hotkeys": [HOT[1]]}).evaluate_snapshot(before, after)
    assert [(a.fields["uid"], a.fields["hotkey"]) for a in watched] == [(1, HOT[1])]
    assert engine_for({**rule, "hotkeys": [HOT[5]]}).evaluate_snapshot(before, after) == []


def test_cooldown_per_subnet_and_uid():
    e = engine_for({"when": "stake_change", "min_change": 0.2, "cooldown_blocks": 50})
    s = [mg(100, [10, 10]), mg(121, [20, 20]), mg(142, [40, 20]), mg(184, [80, 20])]
    assert len(e.evaluate_snapshot(s[0], s[1])) == 2
    assert e.evaluate_snapshot(s[1], s[2]) == []  # uid 0 cooling down (21 blocks < 50)
    assert [a.fields["uid"] for a in e.evaluate_snapshot(s[2], s[3])] == [
        0
    ]  # 63 blocks after the alert: again
    # the same happening again (a re-processed pair) is not swallowed by the cooldown
    assert len(e.evaluate_snapshot(s[0], s[1])) == 2
    # another subnet has its own cooldown
    other = [mg(100, [10], netuid=4), mg(121, [20], netuid=4)]
    assert len(e.evaluate_snapshot(*other)) == 1


def test_custom_message_and_dedup_templates():
    e = engine_for(
        {
            "when": "stake_change",
            "min_tao": 1,
            "message": "{hotkey} {old:.0f}->{new:.0f} ({rel_change:+.0%}) since #{previous_block}",
            "dedup": "{netuid}:{uid}",
        }
    )
    (a,) = e.evaluate_snapshot(mg(100, [10]), mg(121, [15]))
    assert a.message == f"{HOT[0]} 10->15 (+50%) since #100"
    assert a.dedup_key == "r0:3:0"


def test_nothing_without_a_previous_snapshot_or_out_of_order():
    e = engine_for({"when": "owner_change"})
    assert e.evaluate_snapshot(None, mg(121, [1], owner=OWNER_B)) == []
    assert e.evaluate_snapshot(mg(121, [1], owner=OWNER_B), mg(100, [1])) == []
    assert e.evaluate_snapshot(mg(100, [1], netuid=4), mg(121, [1], owner=OWNER_B)) == []


# -- separation from block rules, hot reload, the shipped defaults --------------------------------


def test_block_and_snapshot_evaluation_ignore_each_other():
    rules = load_config(ROOT / "sentinel.toml", env={}).rules
    e = RuleEngine(rules)
    assert {r.name for r in e.snapshot_rules} == {"subnet-owner-changed", "top-validator-deregistered"}
    dissolve = Extrinsic(
        index=1,
        hash="0x1",
        signer="5S",
        pallet="SubtensorModule",
        call="dissolve_network",
        args={"netuid": 3},
        success=True,
        calls=[Call(pallet="SubtensorModule", name="dissolve_network", args={"netuid": 3})],
    )
    alerts = e.evaluate(Block(number=121, hash="0x79", parent_hash="0x78", extrinsics=[dissolve]), [])
    assert [a.rule for a in alerts] == ["subnet-dissolved"]
    assert {
        a.rule
        for a in e.evaluate_snapshot(
            mg(100, [5, 1]), mg(121, [5, 1], owner=OWNER_B, hotkeys=[NEW_HOT, HOT[1]])
        )
    } == {"subnet-owner-changed", "top-validator-deregistered"}
    # an engine without snapshot rules compares nothing
    plain = RuleEngine([r for r in rules if r.kind != "snapshot"])
    assert (
        plain.snapshot_rules == []
        and plain.evaluate_snapshot(mg(100, [1]), mg(121, [1], owner=OWNER_B)) == []
    )


def test_shipped_defaults_are_quiet_on_routine_epochs():
    e = RuleEngine(load_config(ROOT / "sentinel.toml", env={}).rules)
    stakes = [100 - 3 * u for u in range(30)]
    before = mg(100, stakes, permits=[u < 20 for u in range(30)])
    # emission staked, a low miner replaced, dividends moving: nothing the defaults alert on
    hotkeys = [f"5Hot{u:02d}" + "x" * 42 for u in range(29)] + [NEW_HOT]
    after = mg(
        121,
        [s + 1 for s in stakes],
        permits=[u < 20 for u in range(30)],
        hotkeys=hotkeys,
        dividends=[900] * 30,
    )
    assert e.evaluate_snapshot(before, after) == []


def test_hot_reload_keeps_and_replaces_snapshot_rules():
    e = engine_for({"when": "owner_change"})
    before, after = mg(100, [1]), mg(121, [1], owner=OWNER_B)
    assert len(e.evaluate_snapshot(before, after)) == 1
    e.replace_rules(parse_rules([{"kind": "snapshot", "name": "r0", "when": "owner_change", "netuids": [9]}]))
    assert e.evaluate_snapshot(before, after) == []
    e.replace_rules(
        parse_rules([{"kind": "snapshot", "name": "r0", "when": "owner_change", "enabled": False}])
    )
    assert e.snapshot_rules == []


def test_text_helpers():
    assert [tao_text(x) for x in (1200, 600, 12.5, 0.00421, 0)] == [
        "τ1,200",
        "τ600",
        "τ12.50",
        "τ0.00421",
        "τ0",
    ]
    assert [pct_text(x) for x in (-0.5, 0.3, 0.012, None)] == ["-50%", "+30%", "+1.2%", "new stake"]
    m = mg(100, [1, 2], dividends=[10, 0], permits=[True, False])
    raw_only = m.model_copy()
    raw_only.rows = []
    assert neurons(raw_only) == neurons(m)
