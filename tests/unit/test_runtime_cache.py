"""The disk cache of decoded runtime metadata (sentinel_core/chain/runtime_cache.py), without a node:
the devnet's own V15 metadata, decoded in full and rebuilt from the cache, must give the same runtime.
And the registry that holds decoded runtimes (sentinel_core/chain/runtimes.py) loads through it."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest
from scalecodec.base import ScaleBytes

from sentinel_core.chain import runtime_cache as rc
from sentinel_core.chain.runtimes import RuntimeRegistry
from sentinel_core.devnet.metadata import DevRuntime
from sentinel_core.devnet.upgrade import TODAY

GENESIS = "0x" + "ab" * 32
INFO = {"specName": "node-subtensor", "specVersion": 300, "implVersion": 1, "transactionVersion": 1}


@pytest.fixture(scope="module")
def metadata() -> bytes:
    return DevRuntime().metadata_v15


@pytest.fixture(scope="module")
def full(metadata: bytes):
    """The runtime decoded in full (what the library builds)."""
    return rc._build(metadata, INFO, "Bittensor", None, 42, None)


@pytest.fixture(autouse=True)
def cache_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv(rc.CACHE_ENV, str(directory))
    return directory


def load(metadata: bytes, spec: int = 300, genesis: str = GENESIS):
    """load_runtime, and the STATS counters it moved."""
    before = dict(rc.STATS)
    runtime = rc.load_runtime(
        genesis=genesis,
        runtime_info={**INFO, "specVersion": spec},
        metadata=metadata,
        chain="Bittensor",
        ss58_format=42,
    )
    return runtime, {k: rc.STATS[k] - before[k] for k in before}


def files(directory: Path) -> list[Path]:
    return sorted((directory / "runtimes").glob("*.bin")) if (directory / "runtimes").exists() else []


def test_cache_dir_follows_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(rc.CACHE_ENV, str(tmp_path / "explicit"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert rc.cache_dir() == tmp_path / "explicit"
    monkeypatch.delenv(rc.CACHE_ENV)
    assert rc.cache_dir() == tmp_path / "xdg" / "sentinel"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert rc.cache_dir() == tmp_path / "home" / ".cache" / "sentinel"


def test_miss_writes_then_hit_reads(metadata: bytes, cache_env: Path) -> None:
    first, moved = load(metadata)
    assert moved == {"hits": 0, "misses": 1, "writes": 1, "ignored": 0}
    (path,) = files(cache_env)
    assert path.name.startswith("abababababababab-spec300-")
    second, moved = load(metadata)
    assert moved == {"hits": 1, "misses": 0, "writes": 0, "ignored": 0}
    assert second is not first and second.runtime_version == 300


def test_hit_gives_the_runtime_a_full_decode_gives(metadata: bytes, full, cache_env: Path) -> None:
    load(metadata)
    cached, moved = load(metadata)
    assert moved["hits"] == 1
    assert cached.metadata.value == full.metadata.value
    assert cached.registry_type_map == full.registry_type_map
    assert cached.type_id_to_name == full.type_id_to_name
    assert cached.runtime_api_map == full.runtime_api_map
    assert cached.config == full.config
    assert [p.name for p in cached.metadata.pallets] == [p.name for p in full.metadata.pallets]
    # Every registry entry: the plain value now, the decoded entry on demand, and the same type class.
    entries = cached.metadata.portable_registry.value_object["types"].value_object
    originals = full.metadata.portable_registry.value_object["types"].value_object
    assert len(entries) == len(originals) > 100
    for entry, original in zip(entries, originals):
        assert entry.value == original.value
        assert entry["type"].value == original["type"].value
        assert entry["type"]["def"].value == original["type"]["def"].value  # decodes the entry
        name = f"scale_info::{original.value['id']}"
        assert cached.runtime_config.get_decoder_class(name) is not None
    for pallet in ("System", "SubtensorModule", "AdminUtils"):
        for item in ("Events", "Tempo", "NetworksAdded", "Weights"):
            a = full.metadata.get_metadata_pallet(pallet).get_storage_function(item)
            b = cached.metadata.get_metadata_pallet(pallet).get_storage_function(item)
            assert (a is None) == (b is None)
            if a is not None:
                assert b.get_value_type_string() == a.get_value_type_string()
                assert b.get_params_type_string() == a.get_params_type_string()


def test_hit_decodes_like_a_full_decode(metadata: bytes, full, cache_env: Path) -> None:
    """Values encoded with the full runtime's codec decode the same with the cached one (the value
    decoders compile from the stand-ins), calls and events included."""
    load(metadata)
    cached, _ = load(metadata)
    apis = full.runtime_api_map
    checked = 0
    for api, methods in apis.items():
        for method, definition in methods.items():
            type_string = f"scale_info::{definition['output']}"
            assert (full.runtime_config.get_value_decoder(type_string) is None) == (
                cached.runtime_config.get_value_decoder(type_string) is None
            ), (api, method)
            checked += 1
    assert checked >= 5
    v15 = cached.metadata_v15.value[1]["V15"]
    for key in ("call_ty", "address_ty", "signature_ty", "extra_ty"):
        type_string = f"scale_info::{v15['extrinsic'][key]}"
        assert cached.runtime_config.get_value_decoder(type_string) is not None, key
    events = (
        full.metadata.get_metadata_pallet("System").get_storage_function("Events").get_value_type_string()
    )
    assert (
        cached.metadata.get_metadata_pallet("System").get_storage_function("Events").get_value_type_string()
        == events
    )
    (empty,) = cached.runtime_config.batch_decode([events], [b"\x00"])
    assert empty == []
    # A call, encoded by the full runtime and decoded by the cached one.
    call = full.runtime_config.create_scale_object("Call", metadata=full.metadata)
    data = bytes(
        call.encode(
            {
                "call_module": "SubtensorModule",
                "call_function": "add_stake",
                "call_args": {
                    "hotkey": "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY",
                    "netuid": 3,
                    "amount_staked": 1000,
                },
            }
        ).data
    )

    def as_object(runtime):
        obj = runtime.runtime_config.create_scale_object(
            "Call", data=ScaleBytes(data), metadata=runtime.metadata
        )
        return obj.decode()

    assert as_object(cached)["call_function"] == "add_stake"
    assert as_object(cached) == as_object(full)
    call_ty = f"scale_info::{v15['extrinsic']['call_ty']}"
    (fast,) = cached.runtime_config.batch_decode([call_ty], [data])
    assert fast == full.runtime_config.batch_decode([call_ty], [data])[0]
    assert fast["call_function"] == "add_stake"


def test_other_spec_version_is_a_miss(metadata: bytes, cache_env: Path) -> None:
    load(metadata, spec=300)
    runtime, moved = load(metadata, spec=301)
    assert moved == {"hits": 0, "misses": 1, "writes": 1, "ignored": 0}
    assert runtime.runtime_version == 301
    assert [p.name.split("-")[1] for p in files(cache_env)] == ["spec300", "spec301"]


def test_other_genesis_or_metadata_is_a_miss(metadata: bytes, cache_env: Path) -> None:
    first, _ = load(metadata)
    _, moved = load(metadata, genesis="0x" + "cd" * 32)
    assert moved == {"hits": 0, "misses": 1, "writes": 1, "ignored": 0}
    upgraded = DevRuntime(TODAY).metadata_v15
    assert upgraded != metadata
    runtime, moved = load(upgraded, spec=300)  # the same spec number, other metadata: never served stale
    assert moved == {"hits": 0, "misses": 1, "writes": 1, "ignored": 0}
    assert runtime.metadata.value != first.metadata.value
    assert runtime.metadata.value == rc._build(upgraded, INFO, "Bittensor", None, 42, None).metadata.value
    assert len(files(cache_env)) == 3


@pytest.mark.parametrize("damage", ["garbage", "truncated", "bitflip", "empty", "other key", "bad layout"])
def test_corrupt_file_is_ignored_and_rewritten(metadata: bytes, full, cache_env: Path, damage: str) -> None:
    load(metadata)
    (path,) = files(cache_env)
    data = path.read_bytes()
    if damage == "garbage":
        path.write_bytes(b"\x00\xff" * 500)
    elif damage == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "bitflip":
        i = len(data) - 100
        path.write_bytes(data[:i] + bytes([data[i] ^ 0x40]) + data[i + 1 :])
    elif damage == "empty":
        path.write_bytes(b"")
    elif damage == "other key":  # a well-formed file written for other metadata
        rc._write(path, rc.cache_key(GENESIS, 300, metadata + b"x"), rc._layout(full.metadata))
    elif damage == "bad layout":  # well-formed, right key, but not this metadata's registry
        start, end, entries = rc._layout(full.metadata)
        rc._write(path, rc.cache_key(GENESIS, 300, metadata), (start, end, entries[1:]))
    runtime, moved = load(metadata)
    assert moved == {"hits": 0, "misses": 1, "writes": 1, "ignored": 1}
    assert runtime.registry_type_map == full.registry_type_map
    _, moved = load(metadata)  # written again, and good
    assert moved == {"hits": 1, "misses": 0, "writes": 0, "ignored": 0}


def test_unwritable_cache_dir_means_no_cache(
    metadata: bytes, full, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the cache directory would be")
    monkeypatch.setenv(rc.CACHE_ENV, str(blocker / "sentinel"))
    for _ in range(2):
        runtime, moved = load(metadata)
        assert moved == {"hits": 0, "misses": 1, "writes": 0, "ignored": 0}
        assert runtime.registry_type_map == full.registry_type_map
    assert blocker.read_text() == "a file where the cache directory would be"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to read-only directories")
def test_read_only_cache_dir_means_no_cache(
    metadata: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = tmp_path / "ro"
    (directory / "runtimes").mkdir(parents=True)
    (directory / "runtimes").chmod(0o500)
    monkeypatch.setenv(rc.CACHE_ENV, str(directory))
    try:
        _, moved = load(metadata)
        assert moved == {"hits": 0, "misses": 1, "writes": 0, "ignored": 0}
        assert not list((directory / "runtimes").iterdir())
    finally:
        (directory / "runtimes").chmod(0o700)


def test_unreadable_cache_file_is_a_miss(metadata: bytes, cache_env: Path) -> None:
    load(metadata)
    (path,) = files(cache_env)
    path.unlink()
    path.mkdir()  # reading it fails (a directory), and so does replacing it
    runtime, moved = load(metadata)
    assert moved["misses"] == 1 and moved["hits"] == 0
    assert runtime.runtime_version == 300


def test_stand_ins_pickle_as_decoded_entries(metadata: bytes, full, cache_env: Path) -> None:
    load(metadata)
    cached, _ = load(metadata)
    entry = cached.metadata.portable_registry.value_object["types"].value_object[3]
    copy = pickle.loads(pickle.dumps(entry))
    assert type(copy).__name__ != "_Entry" and copy.value == entry.value
    type_copy = pickle.loads(pickle.dumps(entry["type"]))
    assert type_copy.value == entry["type"].value


def test_old_files_are_pruned(metadata: bytes, cache_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rc, "KEEP", 2)
    for age, spec in ((200, 300), (100, 301), (0, 302)):
        load(metadata, spec=spec)
        for path in files(cache_env):  # the earlier files, written longer ago
            if path.name.split("-")[1] == f"spec{spec}":
                st = path.stat()
                os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns - age * 10**9))
    assert [p.name.split("-")[1] for p in files(cache_env)] == ["spec301", "spec302"]


def test_metadata_from_option() -> None:
    raw = DevRuntime().metadata_v15
    answer = "0x" + DevRuntime().metadata_at_version(15).hex()
    assert rc.metadata_from_option(answer) == raw
    assert rc.metadata_from_option("0x00") is None
    assert rc.metadata_from_option(None) is None
    assert rc.metadata_from_option("0x01" + answer[4:20]) is None  # cut short


def test_file_names_stay_in_the_cache_dir(metadata: bytes, cache_env: Path) -> None:
    """The genesis hash comes from the node: only its hex digits make it into a key or a file name."""
    for genesis in ("../../../etc/passwd", "0xAB|CD/..", "", "0x" + "Ef" * 32):
        path = rc.cache_path(cache_env, rc.cache_key(genesis, 300, metadata))
        assert path.parent == cache_env / "runtimes"
        assert path.name.endswith(".bin") and "/" not in path.name and ".." not in path.name
    assert rc.cache_key("0x" + "Ef" * 32, 300, metadata) == rc.cache_key("0x" + "eF" * 32, 300, metadata)
    runtime, moved = load(metadata, genesis="../../../x|y")
    assert moved["writes"] == 1 and runtime.runtime_version == 300
    assert [p.parent for p in files(cache_env)] == [cache_env / "runtimes"]


def test_the_registry_loads_through_the_disk_cache_and_derives_once(metadata: bytes, cache_env: Path) -> None:
    def load_into(registry: RuntimeRegistry):
        return registry.load(
            genesis=GENESIS,
            runtime_info=INFO,
            metadata=metadata,
            chain="Bittensor",
            type_registry=None,
            ss58_format=42,
        )

    before = dict(rc.STATS)
    first = RuntimeRegistry()
    runtime = load_into(first)
    assert first.get(300) is runtime and 300 in first and len(first) == 1 and first.get(301) is None
    assert rc.STATS["misses"] - before["misses"] == 1 and len(files(cache_env)) == 1
    second = RuntimeRegistry()
    assert load_into(second).runtime_version == 300
    assert rc.STATS["hits"] - before["hits"] == 1  # another registry (a new process) reads the file
    assert first.add(300, second.get(300)) is runtime  # the first one kept stays
    built: list[object] = []
    derive = lambda rt: built.append(rt) or len(built)  # noqa: E731
    assert first.derived(300, "thing", derive) == first.derived(300, "thing", derive) == 1
    assert built == [runtime] and first.derived(300, "other", derive) == 2


def test_registries_are_shared_by_node_until_reset() -> None:
    saved = RuntimeRegistry.reset_shared()
    try:
        a = RuntimeRegistry.shared("ws://a")
        b = RuntimeRegistry.shared("ws://b")
        assert RuntimeRegistry.shared("ws://a") is a and b is not a
        assert RuntimeRegistry.reset_shared() == {"ws://a": a, "ws://b": b}
        assert RuntimeRegistry.shared("ws://a") is not a
    finally:
        RuntimeRegistry.reset_shared(saved)
