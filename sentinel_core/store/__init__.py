"""Sentinel's storage: one SQLite file, written by one process, read by many.

The one place callers import the store from. :class:`StoreAPI` is the interface (asynchronous) a
backend implements; :class:`AsyncStore` is the SQLite one, :class:`Store` its synchronous core (the
CLI uses it directly). The package holds one module per area (``blocks``, ``alerts`` with the
delivery outbox, ``hyperparams``, ``snapshots``, ``runs``, ``meta``), the connection and writer
thread (``connection``) and the numbered schema (``migrations``).
"""

from __future__ import annotations

from .api import StoreAPI
from .blocks import BlockItem, BlockRows, block_rows
from .connection import BUSY_TIMEOUT_MS, StoreDamaged, StoreError, StoreLocked
from .migrations import DROPPED_INDEXES, SCHEMA_VERSION
from .snapshots import Neighbours
from .sqlite import AsyncStore, Store

__all__ = [
    "BUSY_TIMEOUT_MS",
    "DROPPED_INDEXES",
    "SCHEMA_VERSION",
    "AsyncStore",
    "BlockItem",
    "BlockRows",
    "Neighbours",
    "Store",
    "StoreAPI",
    "StoreDamaged",
    "StoreError",
    "StoreLocked",
    "block_rows",
]
