"""Ingestion: the one pipeline every block goes through, and the modes that feed it (live, backfills, jobs)."""
