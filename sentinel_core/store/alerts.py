"""Alerts in the store, and the delivery outbox: one ``deliveries`` row per alert and channel.

Alerts are never replaced: ``dedup_key`` makes each happening alert once, also across restarts, and
each new alert enqueues one ``deliveries`` row per channel (the outbox the deliverer drains).

A delivery row's life (``status``)::

    pending  --due_deliveries claims it------------------------->  sending
    sending  --mark_delivered----------------------------------->  delivered
    sending  --mark_retry--------------------------------------->  pending (due at next_attempt_at)
    sending  --mark_failed-------------------------------------->  failed
    sending  --its claimer's store is gone (a killed process):
               the next claim by a later store on the file------->  pending (sent again)

``due_deliveries`` claims the rows it returns in one write transaction: they become ``sending``,
``claimed_by`` this store (``claimed_at`` the caller's ``now``), so no other caller, in this process
or a later one, gets them while they are out. Only a claimed row takes an outcome (``mark_*`` of a row
that is not ``sending`` changes nothing and returns False). A file has one writer at a time, so rows
``sending`` under another claimer are what a killed process left: the next claim puts them back to
pending and claims them again (the deliverer sends them with the same idempotency key).
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import time
from collections.abc import Iterable, Sequence
from typing import Any

from ..model import Alert, Severity
from .connection import Connection
from .encoding import encode, load

_SEVERITY_ORDER = [s.value for s in sorted(Severity, key=lambda s: s.rank)]

_SQL_ALERT = (
    "INSERT OR IGNORE INTO alerts (dedup_key, rule, severity, block, extrinsic_index, netuid,"
    " message, fields, channels, created_at) VALUES (?,?,?,?,?,?,?,?,?,?)"
)
_SQL_DELIVERY = (
    "INSERT OR IGNORE INTO deliveries (alert_id, channel, status, attempts, next_attempt_at)"
    " VALUES (?, ?, 'pending', 0, 0)"
)
_SQL_DUE = """
    SELECT d.id AS d_id, d.alert_id, d.channel, d.status, d.attempts, d.next_attempt_at,
           d.last_error, a.*
    FROM deliveries d JOIN alerts a ON a.id = d.alert_id
    WHERE d.status = 'pending' AND d.next_attempt_at <= ?
    ORDER BY d.next_attempt_at, d.id LIMIT ?
"""
_SQL_RELEASE_ORPHANS = (
    "UPDATE deliveries SET status = 'pending', claimed_by = NULL, claimed_at = NULL"
    " WHERE status = 'sending' AND claimed_by IS NOT ?"
)
_SQL_CLAIM = (
    "UPDATE deliveries SET status = 'sending', claimed_by = ?, claimed_at = ?"
    " WHERE id = ? AND status = 'pending'"
)
_DONE = "claimed_by = NULL, claimed_at = NULL"
"""Every outcome ends the claim."""


def row_to_alert(r: sqlite3.Row) -> Alert:
    return Alert(
        rule=r["rule"],
        severity=r["severity"],
        block=r["block"],
        extrinsic_index=r["extrinsic_index"],
        netuid=r["netuid"],
        message=r["message"],
        fields=load(r["fields"]) or {},
        dedup_key=r["dedup_key"],
        channels=load(r["channels"]) or [],
        created_at=r["created_at"],
    )


def insert_alert(conn: sqlite3.Connection, alert: Alert) -> Alert | None:
    """Insert ``alert`` and its outbox rows in the caller's transaction; the alert if it was new."""
    if alert.created_at is None:
        alert = alert.model_copy(update={"created_at": time.time()})
    cur = conn.execute(
        _SQL_ALERT,
        (
            alert.dedup_key,
            alert.rule,
            Severity(alert.severity).value,
            alert.block,
            alert.extrinsic_index,
            alert.netuid,
            alert.message,
            encode(alert.fields),
            encode(alert.channels),
            alert.created_at,
        ),
    )
    if cur.rowcount != 1:
        return None
    alert_id = cur.lastrowid
    channels = list(dict.fromkeys(alert.channels))
    if channels:
        conn.executemany(_SQL_DELIVERY, [(alert_id, ch) for ch in channels])
    return alert


def _delivery(r: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": r["d_id"],
        "alert_id": r["alert_id"],
        "channel": r["channel"],
        "status": r["status"],
        "attempts": r["attempts"],
        "next_attempt_at": r["next_attempt_at"],
        "last_error": r["last_error"],
        "alert": row_to_alert(r),
    }


class AlertsStore(Connection):
    """Alerts and their delivery outbox."""

    def write_alerts(self, alerts: Iterable[Alert]) -> list[Alert]:
        """Insert alerts outside a block write (dedup on ``dedup_key``); return the new ones."""
        out: list[Alert] = []
        with self._write() as conn:
            for alert in alerts:
                new = insert_alert(conn, alert)
                if new is not None:
                    out.append(new)
        return out

    def list_alerts(
        self,
        since_block: int | None = None,
        since_time: float | None = None,
        rule: str | None = None,
        severity: Severity | str | None = None,
        netuid: int | None = None,
        limit: int = 200,
    ) -> list[tuple[int, Alert, bool]]:
        """(id, alert, acknowledged), newest block first; ``severity`` means at least that level."""
        where: list[str] = []
        params: list[Any] = []
        if since_block is not None:
            where.append("block >= ?")
            params.append(since_block)
        if since_time is not None:
            where.append("created_at >= ?")
            params.append(since_time)
        if rule is not None:
            where.append("rule = ?")
            params.append(rule)
        if severity is not None:
            levels = _SEVERITY_ORDER[Severity(severity).rank :]
            where.append(f"severity IN ({','.join('?' * len(levels))})")
            params.extend(levels)
        if netuid is not None:
            where.append("netuid = ?")
            params.append(netuid)
        sql = "SELECT * FROM alerts"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY block DESC, id DESC LIMIT ?"
        return [(r["id"], row_to_alert(r), bool(r["acknowledged"])) for r in self._q(sql, [*params, limit])]

    def acknowledge(self, alert_id: int) -> bool:
        """Mark an alert acknowledged; False when no such alert."""
        with self._write() as conn:
            cur = conn.execute("UPDATE alerts SET acknowledged = 1 WHERE id = ?", (alert_id,))
            return cur.rowcount == 1

    def alert_exists(self, dedup_key: str) -> bool:
        return self._q1("SELECT 1 FROM alerts WHERE dedup_key = ?", (dedup_key,)) is not None

    # -- delivery outbox ----------------------------------------------------------------------

    _claimer: str | None = None

    def _claimer_id(self) -> str:
        """This store's claim token (its process and a random part): rows ``sending`` under any other
        token were claimed by an earlier store on the file."""
        if self._claimer is None:
            self._claimer = f"{os.getpid()}-{secrets.token_hex(6)}"
        return self._claimer

    def due_deliveries(self, now: float, limit: int = 100) -> list[dict[str, Any]]:
        """Claim the pending deliveries due at ``now`` (oldest due first, at most ``limit``), each with
        its ``alert``: in one write transaction they become ``sending``, claimed by this store, so no
        other caller gets them; the caller sends each once and records the outcome (``mark_delivered``,
        ``mark_retry``, ``mark_failed``). First, rows an earlier store left ``sending`` (a process killed
        mid-delivery) go back to pending, to be claimed again. A read-only store (which cannot deliver)
        only lists the due rows, claiming nothing."""
        if self.readonly:
            return [_delivery(r) for r in self._q(_SQL_DUE, (now, limit))]
        me = self._claimer_id()
        with self._write() as conn:
            conn.execute(_SQL_RELEASE_ORPHANS, (me,))
            rows = conn.execute(_SQL_DUE, (now, limit)).fetchall()
            if rows:
                conn.executemany(_SQL_CLAIM, [(me, now, r["d_id"]) for r in rows])
        return [{**_delivery(r), "status": "sending", "claimed_by": me, "claimed_at": now} for r in rows]

    def _update_delivery(self, sql: str, params: Sequence[Any]) -> bool:
        with self._write() as conn:
            return conn.execute(sql, params).rowcount == 1

    def mark_delivered(self, delivery_id: int) -> bool:
        """Record a successful attempt of a claimed (``sending``) delivery."""
        return self._update_delivery(
            f"UPDATE deliveries SET status = 'delivered', attempts = attempts + 1, {_DONE}"
            " WHERE id = ? AND status = 'sending'",
            (delivery_id,),
        )

    def mark_retry(self, delivery_id: int, next_attempt_at: float, error: str) -> bool:
        """Record a failed attempt of a claimed delivery, pending again from ``next_attempt_at``."""
        return self._update_delivery(
            f"UPDATE deliveries SET status = 'pending', attempts = attempts + 1, next_attempt_at = ?,"
            f" last_error = ?, {_DONE} WHERE id = ? AND status = 'sending'",
            (next_attempt_at, error, delivery_id),
        )

    def mark_failed(self, delivery_id: int, error: str) -> bool:
        """Record a failed attempt of a claimed delivery and give up on it."""
        return self._update_delivery(
            f"UPDATE deliveries SET status = 'failed', attempts = attempts + 1, last_error = ?, {_DONE}"
            " WHERE id = ? AND status = 'sending'",
            (error, delivery_id),
        )

    def pending_deliveries_count(self) -> int:
        """Deliveries not done yet: pending, or claimed and being sent."""
        count: int = self._one("SELECT count(*) FROM deliveries WHERE status IN ('pending', 'sending')")[0]
        return count

    def deliveries(self, alert_id: int | None = None) -> list[dict[str, Any]]:
        """Outbox rows (all, or one alert's), by id."""
        if alert_id is None:
            rows = self._q("SELECT * FROM deliveries ORDER BY id")
        else:
            rows = self._q("SELECT * FROM deliveries WHERE alert_id = ? ORDER BY id", (alert_id,))
        return [dict(r) for r in rows]
