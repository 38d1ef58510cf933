"""Runtimes from V15 metadata, with a disk cache so that a fresh process does not decode it all again.

Decoding metadata builds the codec's object tree: 17,000 objects for the devnet's 54 KB of V15
metadata (~0.2 s), 44,000 for finney's 296 KB (~0.75 s), most of them (95% and 87%) for the portable
type registry. Unpickling that tree costs more than decoding it, so the cache keeps something else:
each registry entry's plain value (what ``entry.value`` gives) and where the entry sits in the
metadata bytes. A process that finds them decodes the metadata without the registry (pallets,
extrinsic and runtime APIs) and puts in the registry's place stand-ins that carry those plain values,
which is all the codec reads when it builds its type classes; a stand-in decodes its own entry the
first time anything asks it for more (a call or event enum's variants, for instance). A runtime comes
out in ~0.05 s for the devnet, ~0.15 s for finney.

The key is the genesis hash, the spec version and the blake2b-256 of the metadata bytes the node
answered, so a file can only ever serve the metadata it was made from; the Python and codec builds
that wrote it are part of the key too. Files live in ``$SENTINEL_CACHE_DIR`` if set, else
``$XDG_CACHE_HOME/sentinel``, else ``~/.cache/sentinel`` (in ``runtimes/``). A file that does not read
back exactly as written is ignored, and replaced by the next decode; a directory that cannot be
created or written to means the runtime is decoded every time, nothing more.
"""

from __future__ import annotations

import gc
import hashlib
import logging
import marshal
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from async_substrate_interface.const import SS58_FORMAT
from async_substrate_interface.types import Runtime
from scalecodec import types as _codec_types
from scalecodec.base import RuntimeConfigurationObject, ScaleBytes  # type: ignore[attr-defined]
from scalecodec.type_registry import load_type_registry_preset

from ..scale import decode_compact
from .transport import decode_v15_metadata

log = logging.getLogger("sentinel.chain")

CACHE_ENV = "SENTINEL_CACHE_DIR"
FORMAT = 1
MAGIC = b"sentinel runtime cache\n"
KEEP = 32
"""Files kept in the cache directory; the least recently written go first."""

STATS = {"hits": 0, "misses": 0, "writes": 0, "ignored": 0}
"""Counters for this process: files used, decodes done, files written, files found unusable."""


def cache_dir() -> Path:
    """``$SENTINEL_CACHE_DIR``, else ``$XDG_CACHE_HOME/sentinel``, else ``~/.cache/sentinel``."""
    explicit = os.environ.get(CACHE_ENV)
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".cache"
    return base / "sentinel"


def _codec_build() -> str:
    """What wrote a file, beyond its key: Python (marshal's format) and the codec build (the shapes of
    its plain values)."""
    try:
        st = os.stat(_codec_types.__file__)
        codec = f"{st.st_size}:{st.st_mtime_ns}"
    except (OSError, TypeError):
        codec = "unknown"
    return f"py{sys.version_info[0]}.{sys.version_info[1]} codec {codec}"


def cache_key(genesis: str, spec_version: int, metadata: bytes) -> str:
    """What a file must have been written for: format, genesis, spec version, metadata digest, build."""
    digest = hashlib.blake2b(metadata, digest_size=32).hexdigest()
    genesis = "".join(c for c in genesis.lower().removeprefix("0x") if c in "0123456789abcdef")
    return f"{FORMAT}|0x{genesis}|{int(spec_version)}|{digest}|{_codec_build()}"


def cache_path(directory: Path, key: str) -> Path:
    """Where the file for ``key`` lives: genesis, spec version and metadata digest in its name."""
    _, genesis, spec_version, digest, _ = key.split("|", 4)
    return directory / "runtimes" / f"{genesis[2:18] or 'unknown'}-spec{spec_version}-{digest[:24]}.bin"


def metadata_from_option(answer: Any) -> bytes | None:
    """The raw metadata in a ``Metadata_metadata_at_version`` answer (hex ``Option<OpaqueMetadata>``),
    or None when the runtime has no metadata of that version."""
    if not isinstance(answer, str) or not answer.startswith("0x"):
        return None
    try:
        data = bytes.fromhex(answer[2:])
    except ValueError:
        return None
    if not data or data[0] != 1:
        return None
    length, at = decode_compact(data, 1)
    raw = data[at : at + length]
    return raw if len(raw) == length and raw[:4] == b"meta" else None


def load_runtime(
    *,
    genesis: str,
    runtime_info: dict[str, Any],
    metadata: bytes,
    chain: str,
    type_registry: dict[str, Any] | None = None,
    ss58_format: int | None = None,
    directory: Path | None = None,
) -> Runtime:
    """The runtime for ``metadata`` (raw V15: magic, version byte, body), as the library builds it,
    from the cache when it holds this metadata, else decoded (and then cached)."""
    key = cache_key(genesis, int(runtime_info["specVersion"]), metadata)
    try:
        path: Path | None = cache_path(cache_dir() if directory is None else directory, key)
    except (RuntimeError, KeyError, OSError) as exc:  # no home directory to find a cache in
        log.debug("no runtime cache directory: %s", exc)
        path = None
    layout = None if path is None else _read(path, key, metadata)
    if layout is not None:
        try:
            with _no_gc():
                runtime = _build(metadata, runtime_info, chain, type_registry, ss58_format, layout)
            STATS["hits"] += 1
            return runtime
        except Exception as exc:  # noqa: BLE001 - a layout the codec disagrees with: decode it all instead
            log.debug("runtime cache %s not usable (%s: %s); decoding", path, type(exc).__name__, exc)
            STATS["ignored"] += 1
    with _no_gc():
        runtime = _build(metadata, runtime_info, chain, type_registry, ss58_format, None)
    STATS["misses"] += 1
    layout = _layout(runtime.metadata) if path is not None else None
    if path is not None and layout is not None:
        _write(path, key, layout)
    return runtime


# -- building ------------------------------------------------------------------------------------
Layout = tuple[int, int, list[tuple[int, int, dict[str, Any]]]]
"""(start, end) of the registry's ``types`` vector in the metadata bytes, and per entry (start, end, value)."""


def _build(
    metadata: bytes,
    runtime_info: dict[str, Any],
    chain: str,
    type_registry: dict[str, Any] | None,
    ss58_format: int | None,
    layout: Layout | None,
) -> Runtime:
    """What ``AsyncSubstrateInterface._get_runtime_for_version`` builds from V15 metadata; with a
    layout, the registry entries are stand-ins (see the module docstring)."""
    rc = RuntimeConfigurationObject(ss58_format=ss58_format)
    rc.clear_type_registry()
    rc.update_type_registry(load_type_registry_preset(name="core") or {})
    if layout is None:
        meta = decode_v15_metadata(metadata, runtime_config=rc)
    else:
        start, end, entries = layout
        meta = decode_v15_metadata(metadata[:start] + b"\x00" + metadata[end:], runtime_config=rc)
        registry = meta.portable_registry
        vector = registry.value_object["types"]
        if vector.value_object:
            raise ValueError("the registry did not come out empty")
        values = [value for _, _, value in entries]
        vector.value_object = [_Entry(value, metadata[a:b], rc) for a, b, value in entries]
        vector.value_serialized = values
        registry.value_serialized["types"] = values
        meta.data = ScaleBytes(metadata)  # Runtime.serialize() reads the bytes it came from
    return Runtime(
        chain=chain,
        metadata=meta,
        type_registry=type_registry or {},
        runtime_config=rc,
        metadata_v15=meta,
        runtime_info=runtime_info,
        ss58_format=ss58_format or SS58_FORMAT,
    )


def _layout(meta: Any) -> Layout | None:
    """Where the registry's entries sit in the metadata bytes, with their values (None: not V14+)."""
    try:
        vector = meta.portable_registry.value_object["types"]
        entries = [(int(e.data_start_offset), int(e.data_end_offset), e.value) for e in vector.value_object]
        return int(vector.data_start_offset), int(vector.data_end_offset), entries
    except Exception as exc:  # noqa: BLE001 - nothing to cache for shapes we do not know
        log.debug("runtime metadata has no registry layout to cache (%s)", exc)
        return None


def _check(layout: Any, metadata: bytes) -> Layout:
    """``layout`` if it describes ``metadata``'s registry exactly: a compact count, then that many
    back-to-back entries ending where the registry ends. Raises ValueError otherwise."""
    start, end, entries = layout
    if not (isinstance(start, int) and isinstance(end, int) and isinstance(entries, list)):
        raise ValueError("layout of the wrong types")
    if not 0 < start < end <= len(metadata) or metadata[:4] != b"meta":
        raise ValueError("registry bounds outside the metadata")
    count, offset = decode_compact(metadata, start)
    if count != len(entries):
        raise ValueError(f"{len(entries)} entries for a registry of {count}")
    for entry in entries:
        a, b, value = entry
        if a != offset or b <= a or not isinstance(value, dict) or "type" not in value:
            raise ValueError("entries are not back to back")
        offset = b
    if offset != end:
        raise ValueError("entries do not end where the registry does")
    return start, end, entries


@contextmanager
def _no_gc() -> Iterator[None]:
    """No cyclic garbage collection while tens of thousands of objects are made at once (the collector
    would walk them over and over: ~20% of a decode)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class _Id:
    """An entry's ``id``, as far as the codec reads it."""

    __slots__ = ("value",)

    def __init__(self, value: int) -> None:
        self.value = value


class _Proxy:
    """What the stand-ins share: everything but their cheap fields is asked of the real object, which
    ``_materialize()`` (defined by each) decodes on first need."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name in type(self).__slots__:
            raise AttributeError(name)
        return getattr(self._materialize(), name)

    def __iter__(self) -> Any:
        return iter(self._materialize())

    def __len__(self) -> int:
        return len(self._materialize())

    def __bool__(self) -> bool:
        return True

    def __repr__(self) -> str:
        return repr(self._materialize())

    def __str__(self) -> str:
        return str(self._materialize())

    def __reduce_ex__(self, protocol: Any) -> Any:
        return self._materialize().__reduce_ex__(protocol)


class _Entry(_Proxy):
    """Stand-in for one decoded ``PortableType`` of the registry: ``value``, ``["id"].value`` and
    ``["type"].value`` without decoding; anything else decodes the entry (once) and asks it."""

    __slots__ = ("value", "_data", "_rc", "_real", "_type")

    def __init__(self, value: dict[str, Any], data: bytes, rc: RuntimeConfigurationObject) -> None:
        self.value = value
        self._data = data
        self._rc = rc
        self._real: Any = None
        self._type: _EntryType | None = None

    def _materialize(self) -> Any:
        real = self._real
        if real is None:
            real = self._rc.create_scale_object("PortableType", data=ScaleBytes(self._data))
            real.decode()
            self._real = real
        return real

    def __getitem__(self, key: Any) -> Any:
        if key == "id":
            return _Id(self.value["id"])
        if key == "type":
            if self._type is None:
                self._type = _EntryType(self)
            return self._type
        return self._materialize()[key]


class _EntryType(_Proxy):
    """Stand-in for an entry's ``RegistryType`` (what type classes keep as ``scale_info_type``)."""

    __slots__ = ("value", "_entry")

    def __init__(self, entry: _Entry) -> None:
        self.value = entry.value["type"]
        self._entry = entry

    def _materialize(self) -> Any:
        return self._entry._materialize()["type"]

    def __getitem__(self, key: Any) -> Any:
        return self._materialize()[key]


# -- files ---------------------------------------------------------------------------------------
def _read(path: Path, key: str, metadata: bytes) -> Layout | None:
    """The layout stored at ``path`` for ``key``, or None (no file, or one that is not exactly what
    was written for this key: ignored, and replaced after the decode)."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    try:
        if not data.startswith(MAGIC):
            raise ValueError("not a runtime cache file")
        digest, body = data[len(MAGIC) : len(MAGIC) + 32], data[len(MAGIC) + 32 :]
        if hashlib.blake2b(body, digest_size=32).digest() != digest:
            raise ValueError("checksum mismatch")
        stored_key, layout = marshal.loads(body)
        if stored_key != key:
            raise ValueError("written for other metadata or another build")
        return _check(layout, metadata)
    except Exception as exc:  # noqa: BLE001 - truncated, corrupt or foreign: decode instead
        log.debug("runtime cache %s ignored: %s", path, exc)
        STATS["ignored"] += 1
        return None


def _write(path: Path, key: str, layout: Layout) -> None:
    """Store ``layout`` at ``path`` (atomically: concurrent readers see the old file or the new one);
    any failure to do so is only logged."""
    tmp = None
    try:
        body = marshal.dumps((key, layout))
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".bin")
        with os.fdopen(fd, "wb") as f:
            f.write(MAGIC + hashlib.blake2b(body, digest_size=32).digest() + body)
        os.replace(tmp, path)
        tmp = None
        STATS["writes"] += 1
        _prune(path.parent)
    except (OSError, ValueError) as exc:
        log.debug("runtime cache not written to %s: %s", path, exc)
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def _prune(directory: Path) -> None:
    keep = KEEP
    try:
        files = sorted(
            (p for p in directory.glob("*.bin") if not p.name.startswith(".")),
            key=lambda p: p.stat().st_mtime_ns,
            reverse=True,
        )
        for p in files[keep:]:
            p.unlink()
    except OSError:
        pass
