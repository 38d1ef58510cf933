"""The runtime registry: decoded runtimes of one node by spec version, loaded through the disk cache.

Decoding metadata costs ~0.2 s on the devnet (~0.8 s on finney) and the codec compiles its decoders
per runtime object, so every connection to a node shares one :class:`RuntimeRegistry` (workers of a
backfill must not each decode again): a :class:`~sentinel_core.chain.client.ChainClient` takes the
registry it is given, else the one :meth:`RuntimeRegistry.shared` keeps for its URL. A fresh process
finds the runtime in the disk cache of :mod:`sentinel_core.chain.runtime_cache` instead of decoding
it. Beside each runtime the registry keeps what readers derive from it (decoders, codecs), built once
per runtime by :meth:`RuntimeRegistry.derived`.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable, Iterator, Mapping
from typing import Any, ClassVar, TypeVar

from async_substrate_interface.types import Runtime

from . import runtime_cache

T = TypeVar("T")


class RuntimeRegistry:
    """Decoded runtimes by spec version (one node's), and what is derived from each."""

    _shared: ClassVar[dict[str, RuntimeRegistry]] = {}

    def __init__(self) -> None:
        self._runtimes: dict[int, Runtime] = {}
        self._derived: dict[tuple[int, str], Any] = {}
        # One lock per event loop: asyncio locks belong to the loop that first waits on them.
        self._locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            weakref.WeakKeyDictionary()
        )

    # -- sharing ------------------------------------------------------------------------------------
    @classmethod
    def shared(cls, url: str) -> RuntimeRegistry:
        """The registry every connection to ``url`` in this process shares (unless given another)."""
        registry = cls._shared.get(url)
        if registry is None:
            registry = cls._shared[url] = cls()
        return registry

    @classmethod
    def reset_shared(
        cls, registries: Mapping[str, RuntimeRegistry] | None = None
    ) -> dict[str, RuntimeRegistry]:
        """Replace the shared registries (by default with none, as in a new process); the old ones."""
        old = dict(cls._shared)
        cls._shared.clear()
        cls._shared.update(registries or {})
        return old

    def lock(self) -> asyncio.Lock:
        """The lock the first connection holds while it loads the head's runtime (others wait)."""
        loop = asyncio.get_running_loop()
        found = self._locks.get(loop)
        if found is None:
            found = self._locks[loop] = asyncio.Lock()
        return found

    # -- runtimes -----------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._runtimes)

    def __contains__(self, spec_version: object) -> bool:
        return spec_version in self._runtimes

    def items(self) -> Iterator[tuple[int, Runtime]]:
        return iter(list(self._runtimes.items()))

    def get(self, spec_version: int) -> Runtime | None:
        return self._runtimes.get(spec_version)

    def add(self, spec_version: int, runtime: Runtime) -> Runtime:
        """Keep ``runtime`` for ``spec_version`` unless one is kept already; the one kept."""
        return self._runtimes.setdefault(spec_version, runtime)

    def load(
        self,
        *,
        genesis: str,
        runtime_info: dict[str, Any],
        metadata: bytes,
        chain: str,
        type_registry: dict[str, Any] | None,
        ss58_format: int | None,
    ) -> Runtime:
        """The runtime built from raw V15 ``metadata`` through the disk cache, kept for its version."""
        runtime = runtime_cache.load_runtime(
            genesis=genesis,
            runtime_info=runtime_info,
            metadata=metadata,
            chain=chain,
            type_registry=type_registry,
            ss58_format=ss58_format,
        )
        self._runtimes[int(runtime_info["specVersion"])] = runtime
        return runtime

    def derived(self, spec_version: int, kind: str, build: Callable[[Runtime], T]) -> T:
        """What ``build`` makes of the runtime ``spec_version`` (kept, so built once per runtime)."""
        key = (spec_version, kind)
        try:
            found: T = self._derived[key]
            return found
        except KeyError:
            pass
        value = build(self._runtimes[spec_version])
        self._derived[key] = value
        return value
