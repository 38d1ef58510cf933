"""Store migrations: a database of schema version 2 (the layout before the store became a package, with
or without the metagraph snapshot tables created lazily beside it) opens and is migrated in place,
every row kept; read-only, it is read as it is."""

from __future__ import annotations

import sqlite3

import pytest

from sentinel_core.metagraph import Metagraph
from sentinel_core.model import Alert, Block, Call, Event, Extrinsic, HyperparamChange
from sentinel_core.store import SCHEMA_VERSION, Store
from sentinel_core.store.migrations import MIGRATIONS

# The DDL of schema version 2 exactly as the old sentinel_core/store.py (through sqlite-utils) and the
# old sentinel_core/snapshots.py (``ensure_schema``) created it, copied from such a file's sqlite_master.
V2_STORE_DDL = """
CREATE TABLE "meta" (
   "key" TEXT PRIMARY KEY,
   "value" TEXT
);
CREATE TABLE "blocks" (
   "number" INTEGER PRIMARY KEY,
   "hash" TEXT NOT NULL,
   "parent_hash" TEXT,
   "timestamp" INTEGER,
   "spec_version" INTEGER,
   "finalized" INTEGER DEFAULT 0,
   "extrinsic_count" INTEGER DEFAULT 0,
   "failed_count" INTEGER DEFAULT 0,
   "event_count" INTEGER DEFAULT 0,
   "decode_error" TEXT,
   "notable" TEXT
);
CREATE TABLE "extrinsics" (
   "block" INTEGER NOT NULL,
   "idx" INTEGER NOT NULL,
   "hash" TEXT,
   "signer" TEXT,
   "pallet" TEXT,
   "call" TEXT,
   "args" TEXT,
   "success" INTEGER,
   "error" TEXT,
   "calls" TEXT,
   PRIMARY KEY ("block", "idx")
) WITHOUT ROWID;
CREATE TABLE "events" (
   "block" INTEGER NOT NULL,
   "idx" INTEGER NOT NULL,
   "extrinsic_index" INTEGER,
   "pallet" TEXT,
   "name" TEXT,
   "attributes" TEXT,
   PRIMARY KEY ("block", "idx")
) WITHOUT ROWID;
CREATE TABLE "hyperparam_changes" (
   "id" INTEGER PRIMARY KEY,
   "block" INTEGER NOT NULL,
   "netuid" INTEGER NOT NULL,
   "name" TEXT NOT NULL,
   "old" TEXT,
   "new" TEXT,
   "extrinsic_index" INTEGER,
   "signer" TEXT,
   "call" TEXT,
   "via_sudo" INTEGER DEFAULT 0,
   "known" INTEGER DEFAULT 1
);
CREATE TABLE "hyperparam_snapshots" (
   "block" INTEGER,
   "netuid" INTEGER,
   "values" TEXT,
   PRIMARY KEY ("block", "netuid")
);
CREATE TABLE "alerts" (
   "id" INTEGER PRIMARY KEY,
   "dedup_key" TEXT NOT NULL,
   "rule" TEXT NOT NULL,
   "severity" TEXT NOT NULL,
   "block" INTEGER,
   "extrinsic_index" INTEGER,
   "netuid" INTEGER,
   "message" TEXT,
   "fields" TEXT,
   "channels" TEXT,
   "created_at" REAL,
   "acknowledged" INTEGER DEFAULT 0
);
CREATE TABLE "deliveries" (
   "id" INTEGER PRIMARY KEY,
   "alert_id" INTEGER NOT NULL,
   "channel" TEXT NOT NULL,
   "status" TEXT NOT NULL DEFAULT 'pending',
   "attempts" INTEGER DEFAULT 0,
   "next_attempt_at" REAL DEFAULT 0,
   "last_error" TEXT
);
CREATE TABLE "backfill_runs" (
   "id" INTEGER PRIMARY KEY,
   "mode" TEXT,
   "start" INTEGER,
   "end" INTEGER,
   "started_at" REAL,
   "finished_at" REAL,
   "status" TEXT,
   "blocks_done" INTEGER DEFAULT 0
);
CREATE UNIQUE INDEX "alerts_dedup_key"
    ON "alerts" ("dedup_key");
CREATE INDEX "alerts_block"
    ON "alerts" ("block");
CREATE INDEX "alerts_rule"
    ON "alerts" ("rule");
CREATE INDEX "alerts_severity"
    ON "alerts" ("severity");
CREATE INDEX "hyperparam_changes_netuid_name_block"
    ON "hyperparam_changes" ("netuid", "name", "block");
CREATE UNIQUE INDEX "deliveries_alert_channel"
    ON "deliveries" ("alert_id", "channel");
CREATE INDEX "backfill_runs_status"
    ON "backfill_runs" ("status");
CREATE UNIQUE INDEX hyperparam_changes_unique ON hyperparam_changes (block, netuid, name, ifnull(extrinsic_index, -1));
CREATE INDEX blocks_unfinalized ON blocks (number) WHERE finalized = 0;
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'pending';
"""

V2_SNAPSHOT_DDL = """
CREATE TABLE IF NOT EXISTS subnet_snapshots (
    block INTEGER NOT NULL, netuid INTEGER NOT NULL, block_hash TEXT, method TEXT,
    exists_ INTEGER NOT NULL DEFAULT 1, tempo INTEGER, owner_hotkey TEXT, owner_coldkey TEXT,
    registered_at INTEGER, last_step INTEGER, neurons INTEGER NOT NULL DEFAULT 0,
    total_stake INTEGER NOT NULL DEFAULT 0, point INTEGER NOT NULL DEFAULT 0, taken_at REAL,
    PRIMARY KEY (block, netuid)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS subnet_snapshots_netuid ON subnet_snapshots (netuid, block);
CREATE TABLE IF NOT EXISTS snapshot_unchecked (
    netuid INTEGER NOT NULL, block INTEGER NOT NULL, PRIMARY KEY (netuid, block)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS snapshot_accounts (id INTEGER PRIMARY KEY, address TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS neuron_snapshots (
    block INTEGER NOT NULL, netuid INTEGER NOT NULL, uid INTEGER NOT NULL, hotkey INTEGER NOT NULL,
    coldkey INTEGER, stake INTEGER NOT NULL, alpha_stake INTEGER, trust INTEGER, consensus INTEGER,
    incentive INTEGER, dividends INTEGER, validator_trust INTEGER, rank INTEGER, emission INTEGER,
    dividends_earned INTEGER, validator_permit INTEGER, last_update INTEGER, registered_at INTEGER,
    active INTEGER, weights TEXT, bonds TEXT,
    PRIMARY KEY (block, netuid, uid)) WITHOUT ROWID;
CREATE VIEW IF NOT EXISTS neuron_snapshots_v AS
    SELECT n.block, n.netuid, n.uid, h.address AS hotkey, c.address AS coldkey, n.stake, n.alpha_stake, n.trust,
           n.consensus, n.incentive, n.dividends, n.validator_trust, n.rank, n.emission, n.dividends_earned,
           n.validator_permit, n.last_update, n.registered_at, n.active, n.weights, n.bonds
    FROM neuron_snapshots n JOIN snapshot_accounts h ON h.id = n.hotkey
    LEFT JOIN snapshot_accounts c ON c.id = n.coldkey;
"""

ALICE = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"
BOB = "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty"

# Rows as the schema-2 code wrote them (JSON columns compact).
V2_ROWS = """
INSERT INTO meta VALUES ('schema_version', '2'), ('network', 'finney');
INSERT INTO blocks VALUES (7, '0xb7', '0xb6', 1700000084000, 233, 1, 2, 1, 3, NULL,
    '["AdminUtils.sudo_set_tempo"]');
INSERT INTO blocks VALUES (9, '0xb9', '0xb8', NULL, 233, 0, 0, 0, 0, 'cannot decode', NULL);
INSERT INTO extrinsics VALUES (7, 0, NULL, NULL, 'Timestamp', 'set', '{"now":1700000084000}', 1, NULL, NULL);
INSERT INTO extrinsics VALUES (7, 1, '0xe1', '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY', 'Sudo', 'sudo',
    '{"call":{"tempo":99}}', 0, 'Sudo.RequireSudo',
    '[{"pallet":"AdminUtils","name":"sudo_set_tempo","args":{"netuid":1,"tempo":99},"via":["Sudo.sudo"],"success":false,"error":"Sudo.RequireSudo"}]');
INSERT INTO events VALUES (7, 0, 0, 'System', 'ExtrinsicSuccess', '{"weight":1}');
INSERT INTO events VALUES (7, 1, 1, 'System', 'ExtrinsicFailed', NULL);
INSERT INTO events VALUES (7, 2, NULL, 'Balances', 'Rewarded', '[1,2]');
INSERT INTO hyperparam_changes VALUES (1, 7, 1, 'tempo', '360', '99', 1,
    '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY', 'AdminUtils.sudo_set_tempo', 1, 1);
INSERT INTO hyperparam_snapshots VALUES (5, 1, '{"tempo":360,"kappa":32767}');
INSERT INTO hyperparam_snapshots VALUES (8, 1, '{"tempo":99,"kappa":32767}');
INSERT INTO alerts VALUES (1, 'sudo:7:1', 'sudo_call', 'warning', 7, 1, 1, 'a sudo call', '{"k":"v"}',
    '["webhook","log"]', 1000.5, 0);
INSERT INTO deliveries VALUES (1, 1, 'webhook', 'pending', 2, 1010.0, 'HTTP 500');
INSERT INTO deliveries VALUES (2, 1, 'log', 'delivered', 1, 0, NULL);
INSERT INTO backfill_runs VALUES (1, 'fast', 1, 9, 900.0, 950.0, 'done', 9);
"""

V2_SNAPSHOT_ROWS = """
INSERT INTO subnet_snapshots VALUES (361, 1, '0xs361', 'get_metagraph', 1, 360, 'ohk', 'ock', 3, 361, 2,
    3000000000, 0, 1234.5);
INSERT INTO snapshot_accounts VALUES (1, '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY');
INSERT INTO snapshot_accounts VALUES (2, '5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty');
INSERT INTO neuron_snapshots VALUES (361, 1, 0, 1, 2, 2000000000, 2000000000, 32768, 0, 1, 0, 65535, 0, 5, 7,
    1, 360, 3, 1, '[[1,65535]]', NULL);
INSERT INTO neuron_snapshots VALUES (361, 1, 1, 2, NULL, 1000000000, NULL, NULL, NULL, NULL, NULL, NULL,
    NULL, NULL, NULL, 0, 0, 4, 1, NULL, NULL);
INSERT INTO snapshot_unchecked VALUES (1, 361);
"""


def _v2_file(path, *, snapshots: bool) -> None:
    conn = sqlite3.connect(path)
    conn.executescript(V2_STORE_DDL + (V2_SNAPSHOT_DDL if snapshots else ""))
    conn.executescript(V2_ROWS + (V2_SNAPSHOT_ROWS if snapshots else ""))
    conn.commit()
    conn.close()


def _objects(conn: sqlite3.Connection) -> set[tuple[str, str]]:
    return {
        (r[0], r[1])
        for r in conn.execute("SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_autoindex%'")
    }


EXPECTED_BLOCK_7 = Block(
    number=7,
    hash="0xb7",
    parent_hash="0xb6",
    timestamp=1700000084000,
    spec_version=233,
    finalized=True,
    extrinsics=[
        Extrinsic(
            index=0,
            pallet="Timestamp",
            call="set",
            args={"now": 1700000084000},
            calls=[Call(pallet="Timestamp", name="set", args={"now": 1700000084000})],
            events=[
                Event(
                    index=0,
                    extrinsic_index=0,
                    pallet="System",
                    name="ExtrinsicSuccess",
                    attributes={"weight": 1},
                )
            ],
        ),
        Extrinsic(
            index=1,
            hash="0xe1",
            signer=ALICE,
            pallet="Sudo",
            call="sudo",
            args={"call": {"tempo": 99}},
            success=False,
            error="Sudo.RequireSudo",
            calls=[
                Call(
                    pallet="AdminUtils",
                    name="sudo_set_tempo",
                    args={"netuid": 1, "tempo": 99},
                    via=["Sudo.sudo"],
                    success=False,
                    error="Sudo.RequireSudo",
                )
            ],
            events=[
                Event(index=1, extrinsic_index=1, pallet="System", name="ExtrinsicFailed", attributes=None)
            ],
        ),
    ],
    events=[
        Event(index=0, extrinsic_index=0, pallet="System", name="ExtrinsicSuccess", attributes={"weight": 1}),
        Event(index=1, extrinsic_index=1, pallet="System", name="ExtrinsicFailed", attributes=None),
        Event(index=2, extrinsic_index=None, pallet="Balances", name="Rewarded", attributes=[1, 2]),
    ],
)


def _check_store_rows(s: Store) -> None:
    assert s.get_block(7) == EXPECTED_BLOCK_7
    assert s.get_block(9).decode_error == "cannot decode"
    assert [b["notable"] for b in s.recent_blocks()] == [[], ["AdminUtils.sudo_set_tempo"]]
    assert s.get_meta("network") == "finney"
    assert s.latest_hyperparam_poll(1) == (8, {"tempo": 99, "kappa": 32767})
    assert s.latest_hyperparam_poll(1, at_or_before=7) == (5, {"tempo": 360, "kappa": 32767})
    assert s.hyperparam_history(netuid=1) == [
        HyperparamChange(
            block=7,
            netuid=1,
            name="tempo",
            old=360,
            new=99,
            extrinsic_index=1,
            signer=ALICE,
            call="AdminUtils.sudo_set_tempo",
            via_sudo=True,
        )
    ]
    ((alert_id, alert, acknowledged),) = s.list_alerts()
    assert (alert_id, acknowledged) == (1, False)
    assert alert == Alert(
        rule="sudo_call",
        severity="warning",
        block=7,
        extrinsic_index=1,
        netuid=1,
        message="a sudo call",
        fields={"k": "v"},
        dedup_key="sudo:7:1",
        channels=["webhook", "log"],
        created_at=1000.5,
    )
    assert [(d["channel"], d["status"], d["attempts"], d["last_error"]) for d in s.deliveries()] == [
        ("webhook", "pending", 2, "HTTP 500"),
        ("log", "delivered", 1, None),
    ]
    assert [d["id"] for d in s.due_deliveries(now=2000.0)] == [1]
    assert s.pending_deliveries_count() == 1
    ((run),) = s.list_runs()
    assert (run["mode"], run["start"], run["end"], run["status"], run["blocks_done"]) == (
        "fast",
        1,
        9,
        "done",
        9,
    )
    assert s.stats()["blocks"] == 2 and s.stats()["gaps"] == [[8, 8]]


def _check_snapshot_rows(s: Store) -> None:
    assert s.snapshot_netuids() == [1]
    assert s.snapshot_blocks(1) == [361]
    assert s.unchecked_snapshots() == [(1, 361)]
    mg = s.read_snapshot(1, 361)
    assert mg is not None
    assert (mg.block_hash, mg.tempo, mg.owner_coldkey, mg.last_step) == ("0xs361", 360, "ock", 361)
    assert [(r.uid, r.hotkey, r.coldkey, r.stake_rao, r.weights) for r in mg.rows] == [
        (0, ALICE, BOB, 2_000_000_000, [(1, 65535)]),
        (1, BOB, "", 1_000_000_000, None),
    ]


@pytest.mark.parametrize("snapshots", [True, False], ids=["with-snapshot-tables", "without"])
def test_a_schema_2_database_is_migrated_in_place(tmp_path, snapshots):
    path = tmp_path / "v2.db"
    _v2_file(path, snapshots=snapshots)
    with Store(path) as s:
        assert s.get_meta("schema_version") == str(SCHEMA_VERSION)
        _check_store_rows(s)
        if snapshots:
            _check_snapshot_rows(s)
        else:
            assert s.snapshot_netuids() == [] and s.unchecked_snapshots() == []
        tables = _objects(s.conn)
        assert ("table", "hyperparam_polls") in tables and ("table", "hyperparam_snapshots") not in tables
        # The new store writes to the migrated file: a poll, a snapshot, blocks, alerts.
        s.write_hyperparam_poll(10, 1, {"tempo": 7})
        assert s.latest_hyperparam_poll(1) == (10, {"tempo": 7})
        s.write_snapshots(
            [Metagraph(netuid=2, block=400, block_hash="0x4", method="get_metagraph", exists=False)],
            unchecked=True,
        )
        assert s.snapshot_blocks(2) == [400]
        s.mark_finalized(9)
    fresh = tmp_path / "fresh.db"
    with Store(fresh) as f:
        want = _objects(f.conn)
    with Store(path) as s:  # reopening does not migrate again
        assert _objects(s.conn) == want
        assert s.get_block(7) == EXPECTED_BLOCK_7.model_copy(update={"finalized": True})
        assert s.latest_hyperparam_poll(1) == (10, {"tempo": 7})


def test_a_schema_2_database_opened_read_only_is_read_as_it_is(tmp_path):
    for snapshots in (True, False):
        path = tmp_path / f"v2-{snapshots}.db"
        _v2_file(path, snapshots=snapshots)
        with Store(path, readonly=True) as s:
            assert s.schema_version == 2
            _check_store_rows(s)
            if snapshots:
                _check_snapshot_rows(s)
            else:
                assert s.read_snapshot(1, 361) is None and s.snapshot_blocks(1) == []
        conn = sqlite3.connect(path)
        assert conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == "2"
        conn.close()


def test_migrations_are_numbered_in_order():
    numbers = [n for n, _, _ in MIGRATIONS]
    assert numbers == list(range(1, len(numbers) + 1))
    assert SCHEMA_VERSION == numbers[-1]


def test_a_newer_schema_is_refused(tmp_path):
    path = tmp_path / "new.db"
    with Store(path) as s:
        s.set_meta("schema_version", SCHEMA_VERSION + 1)
    from sentinel_core.store import StoreError

    for readonly in (False, True):
        with pytest.raises(StoreError, match="newer than this Sentinel"):
            Store(path, readonly=readonly)
