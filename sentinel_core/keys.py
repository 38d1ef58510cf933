"""Key shortening: the one way Sentinel abbreviates an SS58 address (or any long value) for display."""

from __future__ import annotations

from typing import Any


def short_key(
    value: Any, head: int = 8, tail: int = 6, *, none: str | None = "-", keep: int | None = None
) -> str:
    """``5FXuCpAb…XMwH8Y``: the first ``head`` and last ``tail`` characters around an ellipsis.

    A value of at most ``keep`` characters (default ``head + tail + 1``) is returned whole; a missing or
    empty value is ``none`` (``none=None``: shown as its ``str()`` like any other value). Non-strings
    are shortened as their ``str()``.
    """
    if none is not None and (value is None or value == ""):
        return none
    text = value if type(value) is str else str(value)
    limit = head + tail + 1 if keep is None else keep
    if len(text) <= limit:
        return text
    return f"{text[:head]}…{text[-tail:]}"
