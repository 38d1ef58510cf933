"""Sentinel's async core: chain client, ingestion, rules, alerts, storage, read model and the devnet."""
