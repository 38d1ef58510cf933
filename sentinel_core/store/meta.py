"""The store's ``meta`` table: text values by key (``schema_version`` among them)."""

from __future__ import annotations

from typing import Any

from .connection import Connection


class MetaStore(Connection):
    """Key/value text in ``meta``."""

    def get_meta(self, key: str, default: str | None = None) -> str | None:
        r = self._q1("SELECT value FROM meta WHERE key = ?", (key,))
        if r is None:
            return default
        value: str | None = r[0]
        return value

    def set_meta(self, key: str, value: Any) -> None:
        """Store ``value`` as text (``str(value)``)."""
        with self._write() as conn:
            conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, str(value)))
