"""Small text helpers shared by the widgets (no Textual, no chain code)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, tzinfo
from typing import Any

from sentinel_core.keys import short_key
from sentinel_core.model import Call

SEVERITY_STYLE = {"critical": "bold red", "warning": "dark_orange", "info": "deep_sky_blue1"}
SEVERITY_ICON = {"critical": "✖", "warning": "▲", "info": "●"}


def short_addr(address: str | None, head: int = 6, tail: int = 6) -> str:
    """``5FXuCp…XMwH8Y`` for an SS58 address; ``—`` for none (inherents)."""
    return short_key(address, head, tail, none="—")


def block_no(number: int | None) -> str:
    return "—" if number is None else f"#{number:,}"


def clock_time(timestamp_ms: int | None, tz: tzinfo | None = None) -> str:
    """``HH:MM:SS`` of a chain timestamp (milliseconds), in ``tz`` (None = local time)."""
    if timestamp_ms is None:
        return "—"
    moment = datetime.fromtimestamp(timestamp_ms / 1000.0, tz=tz or UTC)
    if tz is None:
        moment = moment.astimezone()
    return moment.strftime("%H:%M:%S")


def date_time(seconds: float | None, tz: tzinfo | None = None) -> str:
    """``YYYY-MM-DD HH:MM:SS`` of a unix time in seconds (None = local time)."""
    if seconds is None:
        return "—"
    moment = datetime.fromtimestamp(seconds, tz=tz or UTC)
    if tz is None:
        moment = moment.astimezone()
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def duration(seconds: float | None) -> str:
    """``45s``, ``3m 20s``, ``2h 05m``; ``—`` when unknown."""
    if seconds is None or seconds != seconds or seconds < 0:
        return "—"
    s = int(round(seconds))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m {s % 60:02d}s"
    return f"{s // 3600}h {(s % 3600) // 60:02d}m"


def call_label(call: Call) -> str:
    """``AdminUtils.sudo_set_tempo via Sudo.sudo`` (wrappers from the outside in)."""
    if not call.via:
        return call.qualname
    return f"{call.qualname} via {' › '.join(call.via)}"


def compact_value(value: Any, width: int = 60) -> str:
    """One line of JSON-ish text for an argument or attribute value, cut to ``width``."""
    if isinstance(value, str):
        text = value
    else:
        try:
            text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)
        except (TypeError, ValueError):
            text = str(value)
    return text if len(text) <= width else text[: max(1, width - 1)] + "…"


def compact_args(args: Any, width: int = 60) -> str:
    """``netuid=3, tempo=100`` for a dict of arguments, cut to ``width``."""
    if isinstance(args, dict):
        text = ", ".join(f"{k}={compact_value(v, 40)}" for k, v in args.items())
    elif isinstance(args, (list, tuple)):
        text = ", ".join(compact_value(v, 40) for v in args)
    elif args is None:
        text = ""
    else:
        text = compact_value(args, width)
    return text if len(text) <= width else text[: max(1, width - 1)] + "…"
