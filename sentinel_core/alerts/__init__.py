"""Alerts on their way out: :mod:`~sentinel_core.alerts.raising` (``raise_alerts``, the one way an alert
is raised: stored with its delivery outbox, published on the bus, the deliverer woken),
:mod:`~sentinel_core.alerts.deliverer` (drains the outbox, retries with backoff) and
:mod:`~sentinel_core.alerts.channels` (where alerts go: dashboard, console, JSONL, webhooks)."""
