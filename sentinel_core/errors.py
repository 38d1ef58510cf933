"""The one root of Sentinel's own errors.

Every error Sentinel raises on purpose derives from ``SentinelError`` and carries a one-line message fit
to show the user; entry points catch it, print the line and exit 2. Anything else is a bug.
"""

from __future__ import annotations


class SentinelError(Exception):
    """An error of Sentinel's, with a one-line message for the user."""
