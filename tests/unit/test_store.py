"""Store: round trips, idempotent block writes, reorgs, gaps, alerts + outbox, locking, failures."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import threading

import pytest

from sentinel_core import store as store_mod
from sentinel_core.errors import SentinelError
from sentinel_core.model import Alert, Block, Call, Event, Extrinsic, HyperparamChange, Severity
from sentinel_core.store import AsyncStore, Store, StoreError, StoreLocked

ALICE = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"
BOB = "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty"


def make_block(number: int, *, tag: str = "a", n_ex: int = 3, finalized: bool = False) -> Block:
    """A block with a timestamp inherent, plain extrinsics, one failed one, and one sudo call."""
    exs: list[Extrinsic] = []
    events: list[Event] = []

    def add_events(ex_index: int, success: bool, extra: list[tuple[str, str, object]] = ()):
        for pallet, name, attrs in extra:
            events.append(
                Event(index=len(events), extrinsic_index=ex_index, pallet=pallet, name=name, attributes=attrs)
            )
        events.append(
            Event(
                index=len(events),
                extrinsic_index=ex_index,
                pallet="System",
                name="ExtrinsicSuccess" if success else "ExtrinsicFailed",
                attributes={"dispatch_info": {"weight": {"ref_time": 1000 + ex_index}}},
            )
        )

    ts_args = {"now": 1_700_000_000_000 + number * 12_000}
    exs.append(
        Extrinsic(
            index=0,
            pallet="Timestamp",
            call="set",
            args=ts_args,
            calls=[Call(pallet="Timestamp", name="set", args=ts_args)],
        )
    )
    add_events(0, True)
    for i in range(1, n_ex + 1):
        ok = i != 2
        args = {"netuid": i, "dests": [0, 1], "weights": [65535, 0], "version_key": 7}
        exs.append(
            Extrinsic(
                index=i,
                hash=f"0x{tag}{number:06x}{i:02x}",
                signer=ALICE if i % 2 else BOB,
                pallet="SubtensorModule",
                call="set_weights",
                args=args,
                success=ok,
                error=None if ok else "SubtensorModule.SettingWeightsTooFast",
                calls=[
                    Call(
                        pallet="SubtensorModule",
                        name="set_weights",
                        args=args,
                        success=ok,
                        error=None if ok else "SubtensorModule.SettingWeightsTooFast",
                    )
                ],
            )
        )
        add_events(i, ok, [("SubtensorModule", "WeightsSet", [i, 3])] if ok else [])
    sudo_idx = n_ex + 1
    inner = Call(
        pallet="AdminUtils", name="sudo_set_tempo", args={"netuid": 1, "tempo": 99}, via=["Sudo.sudo"]
    )
    exs.append(
        Extrinsic(
            index=sudo_idx,
            hash=f"0x{tag}{number:06x}ff",
            signer=ALICE,
            pallet="Sudo",
            call="sudo",
            args={"call": {"tempo": 99}},
            calls=[inner],
        )
    )
    add_events(sudo_idx, True, [("Sudo", "Sudid", {"sudo_result": "Ok"})])
    events.append(
        Event(index=len(events), extrinsic_index=None, pallet="Balances", name="Rewarded", attributes=None)
    )
    for ex in exs:
        object.__setattr__(ex, "events", [e for e in events if e.extrinsic_index == ex.index])
    return Block(
        number=number,
        hash=f"0x{tag}{number:062x}",
        parent_hash=f"0x{number - 1:064x}",
        timestamp=ts_args["now"],
        spec_version=233,
        extrinsics=exs,
        events=events,
        finalized=finalized,
    )


def make_alert(
    key: str,
    block: int = 10,
    *,
    severity: Severity = Severity.warning,
    channels: list[str] | None = None,
    rule: str = "sudo_call",
    netuid: int | None = 1,
    created_at: float = 1000.0,
) -> Alert:
    return Alert(
        rule=rule,
        severity=severity,
        block=block,
        extrinsic_index=4,
        netuid=netuid,
        message=f"alert {key}",
        fields={"k": key, "n": [1, 2]},
        dedup_key=key,
        channels=["webhook", "log"] if channels is None else channels,
        created_at=created_at,
    )


def count(store: Store, table: str, where: str = "1", params: tuple = ()) -> int:
    return store.conn.execute(f"SELECT count(*) FROM {table} WHERE {where}", params).fetchone()[0]


@pytest.fixture
def db_path(tmp_path):
    return str(tmp_path / "sentinel.db")


@pytest.fixture
def store(db_path):
    s = Store(db_path)
    yield s
    s.close()


# ------------------------------------------------------------------------------- blocks


def test_schema_created_and_reopen_is_idempotent(db_path):
    with Store(db_path) as s:
        assert s.get_meta("schema_version") == str(store_mod.SCHEMA_VERSION)
        tables = {r[0] for r in s.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {
            "blocks",
            "extrinsics",
            "events",
            "hyperparam_changes",
            "hyperparam_polls",
            "subnet_snapshots",
            "neuron_snapshots",
            "snapshot_accounts",
            "snapshot_unchecked",
            "alerts",
            "deliveries",
            "backfill_runs",
            "meta",
        } <= tables
        assert s.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        s.write_block(make_block(1))
    with Store(db_path) as s:
        assert s.has_block(1)
        assert s.get_meta("schema_version") == str(store_mod.SCHEMA_VERSION)


def test_a_schema_1_database_is_upgraded_in_place(db_path):
    with Store(db_path) as s:
        s.write_block(make_block(7))
        conn = s.conn
        conn.execute("CREATE INDEX events_pallet_name ON events (pallet, name)")
        conn.execute("CREATE INDEX extrinsics_signer ON extrinsics (signer)")
        conn.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
        conn.commit()
    with Store(db_path, readonly=True) as s:  # a reader takes it as it is
        assert s.get_block(7) is not None
    with Store(db_path) as s:
        assert s.get_meta("schema_version") == str(store_mod.SCHEMA_VERSION)
        names = {r[0] for r in s.conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert not names & set(store_mod.DROPPED_INDEXES)
        assert s.get_block(7) == make_block(7)


def test_round_trip_block(store):
    block = make_block(42, finalized=True)
    store.write_block(block)
    got = store.get_block(42)
    assert got == block
    assert got.extrinsics[4].calls[0].via == ["Sudo.sudo"]
    assert got.extrinsics[2].error == "SubtensorModule.SettingWeightsTooFast"
    assert got.extrinsics[1].events[0].qualname == "SubtensorModule.WeightsSet"
    assert got.events[-1].extrinsic_index is None
    assert store.get_block(43) is None
    assert store.has_block(42) and not store.has_block(41)
    assert store.block_hash(42) == block.hash
    assert store.latest_block() == 42
    # Plain extrinsics keep no duplicate calls JSON; wrapped ones do.
    calls = dict(store.conn.execute("SELECT idx, calls FROM extrinsics WHERE block = 42"))
    assert calls[1] is None and calls[4] is not None


def test_extrinsic_without_calls_round_trips(store):
    b = Block(
        number=5,
        hash="0x05",
        parent_hash="0x04",
        extrinsics=[
            Extrinsic(index=0, pallet="Timestamp", call="set", args={"now": 1}, calls=[]),
            Extrinsic(
                index=1,
                pallet="Utility",
                call="batch",
                signer=ALICE,
                calls=[
                    Call(
                        pallet="Balances",
                        name="transfer_keep_alive",
                        args={"value": 1},
                        via=["Utility.batch"],
                    ),
                    Call(
                        pallet="SubtensorModule",
                        name="schedule_swap_coldkey",
                        args={},
                        via=["Utility.batch"],
                        success=False,
                        error="X.Y",
                    ),
                ],
            ),
        ],
    )
    store.write_block(b)
    assert store.get_block(5) == b
    # The one definition of notable calls (sentinel_core.notable), as the live block flow shows them.
    assert store.recent_blocks(1)[0]["notable"] == [
        "Balances.transfer_keep_alive via Utility.batch",
        "SubtensorModule.schedule_swap_coldkey via Utility.batch (failed)",
    ]


def test_writing_same_block_twice_keeps_one_copy(store):
    block = make_block(7)
    change = HyperparamChange(
        block=7,
        netuid=1,
        name="tempo",
        old=360,
        new=99,
        extrinsic_index=4,
        signer=ALICE,
        call="AdminUtils.sudo_set_tempo",
        via_sudo=True,
    )
    store.write_block(block, [change])
    store.write_block(block, [change])
    assert count(store, "blocks") == 1
    assert count(store, "extrinsics") == len(block.extrinsics)
    assert count(store, "events") == len(block.events)
    assert count(store, "hyperparam_changes") == 1
    assert store.get_block(7) == block
    diff = HyperparamChange(block=7, netuid=2, name="kappa", old=1, new=2)  # no extrinsic
    store.write_block(block, [change, diff, diff])
    assert store.hyperparam_history() == [diff, change]  # newest first; same block: last written
    assert count(store, "hyperparam_changes") == 2


def test_reorg_replaces_block(store):
    old = make_block(9, tag="a", n_ex=4)
    store.write_block(old, [HyperparamChange(block=9, netuid=1, name="tempo", old=1, new=2)])
    new = make_block(9, tag="b", n_ex=1)
    store.write_block(new)
    assert store.block_hash(9) == new.hash != old.hash
    assert store.get_block(9) == new
    assert count(store, "extrinsics") == len(new.extrinsics)
    assert count(store, "events") == len(new.events)
    assert store.hyperparam_history() == []


def test_decode_error_block_stored_without_extrinsics(store):
    b = make_block(11).model_copy(update={"decode_error": "unknown spec version 999"})
    store.write_block(b)
    got = store.get_block(11)
    assert got.decode_error == "unknown spec version 999"
    assert got.extrinsics == [] and got.events == []
    assert store.stats()["undecodable_blocks"] == 1


def test_write_blocks_batch_and_stats(store):
    items = [(make_block(n, finalized=n <= 103), [], []) for n in range(100, 110)]
    items.append((make_block(105, tag="z"), [], []))  # repeated in the batch: last one wins
    new = store.write_blocks(items)
    assert new == []
    assert count(store, "blocks") == 10
    assert store.block_hash(105) == make_block(105, tag="z").hash
    st = store.stats()
    one = make_block(1)
    assert st["first_block"] == 100 and st["last_block"] == 109 and st["blocks"] == 10
    assert st["extrinsics"] == 10 * len(one.extrinsics) == count(store, "extrinsics")
    assert st["events"] == 10 * len(one.events) == count(store, "events")
    assert st["failed_extrinsics"] == 10
    assert st["gaps"] == [] and st["missing_blocks"] == 0
    assert st["finalized_up_to"] == 103
    assert store.mark_finalized(106) == 3
    assert store.stats()["finalized_up_to"] == 106
    recent = store.recent_blocks(3)
    assert [r["number"] for r in recent] == [109, 108, 107]
    assert recent[0]["notable"] == ["AdminUtils.sudo_set_tempo via Sudo.sudo"]
    assert recent[0]["failed_count"] == 1 and recent[0]["finalized"] is False
    assert store.recent_blocks(10)[-1]["finalized"] is True


def test_missing_in_and_gaps(store):
    assert store.gaps() == [] and store.missing_in(1, 10) == [(1, 10)]
    present = [3, 4, 5, 9, 12, 13, 20]
    store.write_blocks([(make_block(n, n_ex=0), [], []) for n in present])
    assert store.present_numbers(4, 12) == {4, 5, 9, 12}
    assert store.missing_in(1, 25) == [(1, 2), (6, 8), (10, 11), (14, 19), (21, 25)]
    assert store.missing_in(3, 5) == []
    assert store.missing_in(4, 9) == [(6, 8)]
    assert store.missing_in(10, 11) == [(10, 11)]
    assert store.missing_in(5, 4) == []
    assert store.gaps() == [(6, 8), (10, 11), (14, 19)]
    st = store.stats()
    assert st["gaps"] == [[6, 8], [10, 11], [14, 19]]
    assert st["missing_blocks"] == 3 + 2 + 6


# -------------------------------------------------------------------------- hyperparams


def test_polls_and_history(store):
    store.write_hyperparam_poll(100, 1, {"tempo": 360, "kappa": 32767})
    store.write_hyperparam_poll(200, 1, {"tempo": 99, "kappa": 32767})
    store.write_hyperparam_poll(150, 2, {"tempo": 10})
    assert store.latest_hyperparam_poll(1) == (200, {"tempo": 99, "kappa": 32767})
    assert store.latest_hyperparam_poll(1, at_or_before=199) == (100, {"tempo": 360, "kappa": 32767})
    assert store.latest_hyperparam_poll(1, at_or_before=50) is None
    assert store.latest_hyperparam_poll(3) is None

    c1 = HyperparamChange(
        block=20,
        netuid=1,
        name="tempo",
        old=360,
        new=99,
        extrinsic_index=4,
        signer=ALICE,
        call="AdminUtils.sudo_set_tempo",
        via_sudo=True,
    )
    c2 = HyperparamChange(block=21, netuid=1, name="kappa", old=1, new={"raw": 2}, known=False)
    c3 = HyperparamChange(block=21, netuid=2, name="tempo", old=10, new=11)
    store.write_block(make_block(20), [c1])
    store.write_block(make_block(21), [c2, c3])
    assert store.hyperparam_history() == [c3, c2, c1]
    assert store.hyperparam_history(netuid=1) == [c2, c1]
    assert store.hyperparam_history(netuid=1, name="tempo") == [c1]
    assert store.hyperparam_history(limit=1)[0].block == 21
    diff = HyperparamChange(block=22, netuid=2, name="tempo", old=11, new=12)
    store.write_changes([diff, diff])
    assert store.hyperparam_history(netuid=2) == [diff, c3]


# ------------------------------------------------------------------------ alerts/outbox


def test_alert_dedup_and_deliveries(db_path):
    s = Store(db_path)
    a1, a2 = make_alert("k1", 10), make_alert("k2", 10, channels=["log"])
    new = s.write_block(make_block(10), alerts=[a1, a2])
    assert new == [a1, a2]
    assert new[0].created_at == 1000.0
    again = make_alert("k1", 11, created_at=2000.0)
    assert s.write_block(make_block(11), alerts=[again, make_alert("k3", 11)]) == [make_alert("k3", 11)]
    assert s.alert_exists("k1") and not s.alert_exists("nope")
    assert count(s, "alerts") == 3
    assert count(s, "deliveries") == 2 + 1 + 2
    s.close()

    s = Store(db_path)  # dedup survives a restart
    assert s.write_block(make_block(12), alerts=[make_alert("k1", 12), make_alert("k2", 12)]) == []
    assert s.write_alerts([make_alert("k2"), make_alert("k4", 13)]) == [make_alert("k4", 13)]
    assert count(s, "alerts") == 4
    s.close()


def test_alert_without_created_at_gets_one(store):
    a = make_alert("t").model_copy(update={"created_at": None})
    (new,) = store.write_block(make_block(1), alerts=[a])
    assert new.created_at is not None
    assert store.list_alerts()[0][1].created_at == new.created_at


def test_list_alerts_filters_and_acknowledge(store):
    store.write_block(
        make_block(1),
        alerts=[
            make_alert("i", 1, severity=Severity.info, rule="r1", created_at=10),
            make_alert("w", 2, severity=Severity.warning, rule="r2", netuid=2, created_at=20),
            make_alert("c", 3, severity=Severity.critical, rule="r1", netuid=None, created_at=30),
        ],
    )
    keys = lambda rows: [a.dedup_key for _, a, _ in rows]  # noqa: E731
    assert keys(store.list_alerts()) == ["c", "w", "i"]
    assert keys(store.list_alerts(severity="warning")) == ["c", "w"]
    assert keys(store.list_alerts(severity=Severity.critical)) == ["c"]
    assert keys(store.list_alerts(rule="r1")) == ["c", "i"]
    assert keys(store.list_alerts(since_block=2)) == ["c", "w"]
    assert keys(store.list_alerts(since_time=15)) == ["c", "w"]
    assert keys(store.list_alerts(netuid=2)) == ["w"]
    assert keys(store.list_alerts(limit=1)) == ["c"]
    alert_id, alert, acked = store.list_alerts(rule="r2")[0]
    assert alert == make_alert("w", 2, severity=Severity.warning, rule="r2", netuid=2, created_at=20)
    assert acked is False
    assert store.acknowledge(alert_id) is True
    assert store.list_alerts(rule="r2")[0][2] is True
    assert store.acknowledge(99999) is False


def test_delivery_outbox_flow(store):
    store.write_block(make_block(1), alerts=[make_alert("k1", channels=["webhook", "log"])])
    assert store.pending_deliveries_count() == 2
    due = store.due_deliveries(now=1000.0)
    assert {d["channel"] for d in due} == {"webhook", "log"}
    assert all(d["alert"].dedup_key == "k1" and d["attempts"] == 0 for d in due)
    by_channel = {d["channel"]: d for d in due}

    store.mark_delivered(by_channel["log"]["id"])
    store.mark_retry(by_channel["webhook"]["id"], next_attempt_at=1060.0, error="HTTP 503")
    assert store.pending_deliveries_count() == 1
    assert store.due_deliveries(now=1059.0) == []
    (d,) = store.due_deliveries(now=1060.0)
    assert d["attempts"] == 1 and d["last_error"] == "HTTP 503" and d["channel"] == "webhook"

    store.mark_failed(d["id"], "HTTP 503 (gave up)")
    assert store.pending_deliveries_count() == 0
    assert store.due_deliveries(now=1e12) == []
    rows = {r["channel"]: r for r in store.deliveries()}
    assert rows["log"]["status"] == "delivered" and rows["log"]["attempts"] == 1
    assert rows["webhook"]["status"] == "failed" and rows["webhook"]["attempts"] == 2


# -------------------------------------------------------------------------- misc state


def test_backfill_runs_and_meta(store):
    rid = store.start_run("fast", 100, 200)
    store.update_run(rid, 50)
    rid2 = store.start_run("sequential", 1, 2)
    store.finish_run(rid, "done")
    runs = store.list_runs()
    assert [r["id"] for r in runs] == [rid2, rid]
    assert runs[1]["status"] == "done" and runs[1]["blocks_done"] == 50
    assert runs[1]["start"] == 100 and runs[1]["end"] == 200 and runs[1]["finished_at"]
    assert runs[0]["status"] == "running"
    assert store.get_meta("network") is None
    store.set_meta("network", "finney")
    store.set_meta("network", "devnet")
    assert store.get_meta("network") == "devnet"


# --------------------------------------------------------------------- lock / readonly


def test_writer_lock_and_readonly(db_path, store):
    store.write_block(make_block(1))
    with pytest.raises(StoreLocked) as exc:
        Store(db_path)
    msg = str(exc.value)
    assert "sentinel.db is being written by another Sentinel process" in msg
    assert f"pid {os.getpid()}" in msg and "read-only" in msg

    ro = Store(db_path, readonly=True)
    assert ro.has_block(1) and ro.get_block(1) == make_block(1)
    store.write_block(make_block(2))
    assert ro.latest_block() == 2  # sees the writer's commits
    with pytest.raises(StoreError, match="read-only"):
        ro.write_block(make_block(3))
    ro.close()

    store.close()
    with Store(db_path) as s2:  # lock released on close
        assert s2.latest_block() == 2


def test_readonly_after_writer_closed_and_missing_file(db_path, tmp_path):
    with Store(db_path) as s:
        s.write_block(make_block(1))
    with Store(db_path, readonly=True) as ro:
        assert ro.latest_block() == 1
    assert not os.path.exists(db_path + "-journal")
    with pytest.raises(StoreError, match="no such file"):
        Store(str(tmp_path / "absent.db"), readonly=True)


# ------------------------------------------------------------------------------ failures


def test_failed_transaction_leaves_nothing(store, monkeypatch):
    store.write_block(make_block(1))
    real_flush = Store._flush

    def flush_then_fail(conn, blocks, exs, evs, chs):
        real_flush(conn, blocks, exs, evs, chs)
        assert conn.execute("SELECT count(*) FROM extrinsics WHERE block = 2").fetchone()[0] > 0
        raise RuntimeError("boom after extrinsics were inserted")

    monkeypatch.setattr(Store, "_flush", staticmethod(flush_then_fail))
    with pytest.raises(RuntimeError, match="boom"):
        store.write_block(make_block(2), alerts=[make_alert("x", 2)])
    monkeypatch.undo()
    assert not store.has_block(2)
    assert count(store, "extrinsics", "block = 2") == 0
    assert count(store, "events", "block = 2") == 0
    assert not store.alert_exists("x") and count(store, "deliveries") == 0
    assert store.get_block(1) == make_block(1)
    store.write_block(make_block(2))  # the store is still usable
    assert store.has_block(2)


def test_disk_full_raises_store_error_and_keeps_earlier_blocks(store, db_path):
    store.write_blocks([(make_block(n), [], []) for n in range(1, 6)])
    pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
    store.conn.execute(f"PRAGMA max_page_count = {pages + 2}")
    with pytest.raises(StoreError) as exc:
        store.write_blocks([(make_block(n, n_ex=30), [], []) for n in range(6, 200)])
    msg = str(exc.value)
    assert "disk is full" in msg and db_path in msg and "\n" not in msg
    assert not store.conn.in_transaction
    assert store.latest_block() == 5 and count(store, "blocks") == 5
    assert store.get_block(3) == make_block(3)


def test_unwritable_directory(tmp_path, monkeypatch):
    d = tmp_path / "ro"
    d.mkdir()
    d.chmod(0o555)
    if os.geteuid() == 0:  # root bypasses the mode bits; make the access check see them
        monkeypatch.setattr(os, "access", lambda *a, **k: False)
    try:
        with pytest.raises(StoreError, match="cannot create database at .*permission denied"):
            Store(str(d / "sentinel.db"))
    finally:
        d.chmod(0o755)


def test_missing_directory_and_not_a_database(tmp_path):
    with pytest.raises(StoreError, match="does not exist"):
        Store(str(tmp_path / "nope" / "sentinel.db"))
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 200)
    with pytest.raises(StoreError, match="not an SQLite database") as exc:
        Store(str(junk))
    assert str(junk) in str(exc.value)
    with Store(str(junk.with_name("ok.db"))):  # the failed open released its lock
        pass
    with pytest.raises(StoreError, match="not an SQLite database"):
        Store(str(junk), readonly=True)


def test_read_only_database_write_gives_store_error(store, db_path):
    store.write_block(make_block(1))
    store.conn.execute("PRAGMA query_only = ON")  # what a read-only file looks like to sqlite
    with pytest.raises(StoreError, match="read-only") as exc:
        store.write_block(make_block(2))
    assert db_path in str(exc.value)
    with pytest.raises(StoreError, match="read-only"):
        store.set_meta("k", "v")
    store.conn.execute("PRAGMA query_only = OFF")
    assert store.latest_block() == 1
    store.write_block(make_block(2))


# --------------------------------------------------------------------------- AsyncStore


async def test_async_store(db_path):
    s = await AsyncStore.open(db_path)
    main_thread = threading.get_ident()
    worker = await s.read(lambda _: threading.get_ident())
    assert worker != main_thread
    new = await s.write_block(make_block(1), alerts=[make_alert("a1", 1)])
    assert [a.dedup_key for a in new] == ["a1"]
    await s.write_blocks([(make_block(n), [], []) for n in (2, 3, 5)])
    assert await s.get_block(1) == make_block(1)
    assert await s.gaps() == [(4, 4)]
    results = await asyncio.gather(*(s.has_block(n) for n in range(1, 7)))
    assert results == [True, True, True, False, True, False]
    assert (await s.stats())["blocks"] == 4
    assert await s.read(lambda _: threading.get_ident()) == worker  # always the same thread
    with pytest.raises(StoreLocked):
        await AsyncStore.open(db_path)
    ro = await AsyncStore.open(db_path, readonly=True)
    assert await ro.latest_block() == 5
    await ro.close()
    await s.close()
    await s.close()  # idempotent
    async with await AsyncStore.open(db_path) as again:
        assert await again.alert_exists("a1")


def test_async_store_exposes_every_public_method():
    public = {
        n
        for n in dir(Store)
        if not n.startswith("_") and callable(getattr(Store, n)) and not hasattr(object, n)
    }
    assert {"write_rows", "due_deliveries", "write_hyperparam_poll", "read_snapshot", "list_runs"} <= public
    for name in public:
        assert asyncio.iscoroutinefunction(getattr(AsyncStore, name)), name


def test_sqlite_errors_on_read_are_store_errors(store, db_path):
    store.write_block(make_block(1))
    store.conn.execute("DROP TABLE events")
    with pytest.raises(StoreError, match="no such table") as exc:
        store.get_block(1)
    assert db_path in str(exc.value)
    assert isinstance(StoreLocked("x"), StoreError)
    assert not issubclass(StoreError, sqlite3.Error)
    assert issubclass(StoreError, SentinelError)
