"""sentinel.toml -> pydantic settings.

``load_config(path, env=..., overrides=...)`` reads the file, layers environment variables and CLI
overrides on top (precedence: overrides > environment > file > defaults) and validates the result.
Every problem is reported as one line naming where it came from::

    sentinel.toml:14: rules[2].severity: must be one of info, warning, critical
    sentinel.toml:3: not valid TOML: Invalid value
    env BLOCK_START: must be an integer
    override ingest.block_end: must be an integer

and all problems of one load are raised together as a ``ConfigError`` (``.lines``).
``load_rules_only(path)`` validates just ``[[rules]]`` (and ``[channels]``, which rules refer to) for
hot reload: a broken edit raises ``ConfigError`` and the caller keeps the rules it has.
"""

from __future__ import annotations

import bisect
import difflib
import math
import os
import re
import tomllib
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, Union

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails

from sentinel_core.errors import SentinelError
from sentinel_core.rules.spec import KINDS, RULE_MODELS, RuleSpec
from sentinel_core.units import BLOCK_TIME

DEFAULT_PATH = "sentinel.toml"

NETWORKS: dict[str, str | None] = {
    "finney": "wss://entrypoint-finney.opentensor.ai:443",
    "test": "wss://test.finney.opentensor.ai:443",
    "archive": "wss://archive.chain.opentensor.ai:443",
    "local": "ws://127.0.0.1:9944",
    "devnet": None,  # start the built-in devnet and connect to it
}

BUILTIN_CHANNELS = ("dashboard", "console", "jsonl")


class ConfigError(SentinelError):
    """One or more configuration problems, one line each (``FILE:LINE: field: problem``)."""

    def __init__(self, lines: str | list[str]) -> None:
        self.lines: list[str] = [lines] if isinstance(lines, str) else list(lines)
        super().__init__("\n".join(self.lines))

    def __str__(self) -> str:
        return "\n".join(self.lines)


def _network_problem(value: str) -> str | None:
    if value in NETWORKS or re.match(r"^wss?://[^\s/]+", value):
        return None
    what = "a ws:// or wss:// URL" if "://" in value else "a URL"
    return f'"{value}" is not {what} or a known network ({", ".join(NETWORKS)})'


def resolve_network(name: str) -> str | None:
    """A network name or URL -> the websocket URL to connect to; None means "start the devnet"."""
    if name in NETWORKS:
        return NETWORKS[name]
    problem = _network_problem(name)
    if problem:
        raise ValueError(problem)
    return name


# -- settings models -----------------------------------------------------------------------------


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, validate_default=False)


def _endpoint(v: str) -> str:
    problem = _network_problem(v)
    if problem:
        raise ValueError(problem)
    return v


Endpoint = Annotated[str, AfterValidator(_endpoint)]
"""A network name or ws:// / wss:// URL, checked as ``name`` is (an error names the list item)."""


class NetworkSettings(_Section):
    """Where the chain is read.

    One endpoint: ``name``. Several, for failover: ``urls = ["ws://a:9944", "wss://b:443", "finney"]``,
    the endpoints in order of preference (each a URL or a known network name, as ``name``). Live mode
    and backfills start on the first, switch to the next when one fails, stalls (no head for the
    stall time) or lags more than ``lag_blocks`` behind another, and go back to the first once it is
    healthy again. With ``urls``, ``name`` is ``urls[0]`` (leave it out, or give that). ``devnet`` is
    only ever the one endpoint.

    Backfills (archive reads): ``archive`` (one node) or ``archive_urls = [...]`` (several, the same
    rules); neither = the live endpoints.

    Layers: ``--network`` given several times is ``urls`` (once: ``name``, as before); a later layer
    that gives ``name`` (``BITTENSOR_NETWORK``, one ``--network``) replaces an earlier ``urls``, and
    one that gives ``urls`` replaces an earlier ``name`` (``archive`` / ``archive_urls`` likewise).
    """

    name: str = "devnet"
    """finney | test | archive | local | devnet, or a ws:// / wss:// URL."""
    urls: Annotated[list[Endpoint], Field(min_length=1)] | None = None
    """Several endpoints, in order of preference (failover); ``name`` is then the first."""
    archive: str | None = None
    """Node used for backfill (same forms as ``name``); None = ``name``."""
    archive_urls: Annotated[list[Endpoint], Field(min_length=1)] | None = None
    """Several archive endpoints (failover, as ``urls``); ``archive`` is then the first."""
    lag_blocks: Annotated[int, Field(ge=1)] = 3
    """Switch when another endpoint's head is more than this many blocks ahead of the one in use."""
    cooldown: Annotated[float, Field(gt=0)] = 30.0
    """Seconds a failed endpoint is skipped before it is tried (or gone back to) again."""
    probe_interval: Annotated[float, Field(gt=0)] = 3.0
    """Seconds between two head probes of the other endpoints (only with several)."""
    max_frame_mb: Annotated[float, Field(gt=0)] = 32.0
    """The largest answer (one websocket frame) Sentinel takes from a node, in MB: a bigger one
    closes the connection with one line saying so (a node that sends 50 MB would otherwise cost
    hundreds of MB of memory)."""

    @field_validator("name", "archive")
    @classmethod
    def _network(cls, v: str | None) -> str | None:
        if v is not None:
            problem = _network_problem(v)
            if problem:
                raise ValueError(problem)
        return v

    @model_validator(mode="after")
    def _firsts(self) -> NetworkSettings:
        """``name`` / ``archive`` default to the first of their lists (a mismatch is reported by
        ``load_config`` with the file line)."""
        if self.urls and "name" not in self.model_fields_set:
            self.name = self.urls[0]
        if self.archive_urls and "archive" not in self.model_fields_set:
            self.archive = self.archive_urls[0]
        return self

    @property
    def url(self) -> str | None:
        return resolve_network(self.name)

    @property
    def archive_url(self) -> str | None:
        return resolve_network(self.archive) if self.archive is not None else self.url

    @property
    def endpoints(self) -> list[str]:
        """The live endpoints as configured (names or URLs), in order of preference."""
        return list(self.urls) if self.urls else [self.name]

    @property
    def archive_endpoints(self) -> list[str] | None:
        """The archive endpoints as configured; None = the live endpoints."""
        if self.archive_urls:
            return list(self.archive_urls)
        return None if self.archive is None else [self.archive]


class StorageSettings(_Section):
    path: str = "sentinel.db"
    artifact: str | None = None
    """Write every processed block as one JSON line to this file (``--artifact FILE``)."""
    store_artifact: bool | None = None
    """``STORE_ARTIFACT``: write the JSONL artifact (to ``artifact``, or beside the database when no
    path is given); false turns it off even when a path is set; None (unset) = only when a path is
    set."""

    @property
    def artifact_path(self) -> Path | None:
        """Where the JSONL artifact goes, or None when none is written: the ``artifact`` path, else
        ``<database stem>.artifact.jsonl`` next to the database when ``store_artifact`` is true."""
        if self.store_artifact is False:
            return None
        if self.artifact is not None:
            return Path(self.artifact)
        if self.store_artifact:
            db = Path(self.path)
            return db.with_name(f"{db.stem}.artifact.jsonl")
        return None

    @field_validator("path")
    @classmethod
    def _path(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("must not be empty")
        return v


class WatchSettings(_Section):
    subnets: list[int] | Literal["all"] = "all"
    snapshots: bool = True
    """Live mode: take a metagraph snapshot of each watched subnet at each of its epoch boundaries."""
    snapshot_every: Annotated[int, Field(ge=1)] = 100
    """Read every watched subnet's hyperparameters every this many blocks (catches changes that no
    extrinsic announced, e.g. made by a runtime upgrade)."""

    @field_validator("subnets", mode="before")
    @classmethod
    def _subnets(cls, v: Any) -> Any:
        if v == "all":
            return v
        if not isinstance(v, list) or not all(
            isinstance(x, int) and not isinstance(x, bool) and 0 <= x < 65536 for x in v
        ):
            raise ValueError('must be "all" or a list of netuids (e.g. [1, 3, 64])')
        return v


class IngestSettings(_Section):
    mode: Literal["live", "backfill", "fast_backfill"] = "live"
    block_start: Annotated[int, Field(ge=0)] | None = None
    block_end: Annotated[int, Field(ge=0)] | None = None
    rate_limit: Annotated[float, Field(ge=0)] = 1.0
    """backfill: seconds between blocks (``BACKFILL_RATE_LIMIT``)."""
    netuid: Annotated[int, Field(ge=0, lt=65536)] | None = None
    """Only this subnet (``NETUID``)."""
    step: Annotated[int, Field(ge=1)] = 1
    """Every step-th block (``BACKFILL_STEP``)."""
    batch_size: Annotated[int, Field(ge=1)] = 50
    """fast_backfill: blocks per task (``BACKFILL_BATCH_SIZE``)."""
    batch_delay: Annotated[float, Field(ge=0)] = 0.0
    """fast_backfill: seconds between task spawns (``BACKFILL_BATCH_DELAY``)."""
    workers: Annotated[int, Field(ge=1, le=1024)] = 32
    """fast_backfill: requests in flight."""
    max_rps: Annotated[float, Field(gt=0)] | None = None
    """Cap on requests per second (public nodes allow about 100 a minute); None = adaptive."""
    processes: Annotated[int, Field(ge=1, le=64)] | None = None
    """fast_backfill: decoding processes (``BACKFILL_PROCESSES``); None = one per core (at most 4)
    for ranges of 1,000 blocks or more."""


class DevnetSettings(_Section):
    block_time: Annotated[float, Field(gt=0)] = BLOCK_TIME
    history: Annotated[int, Field(ge=0)] = 5000
    seed: int = 1
    extrinsics_per_block: Annotated[int, Field(ge=0)] = 20
    scenario: str | None = None


class WebhookSettings(_Section):
    name: str
    url: str
    format: Literal["discord", "slack", "generic"] = "generic"
    timeout: Annotated[float, Field(gt=0)] = 10.0
    max_attempts: Annotated[int, Field(ge=1)] = 8

    @field_validator("url")
    @classmethod
    def _url(cls, v: str) -> str:
        if not re.match(r"^https?://[^\s/]+", v):
            raise ValueError(f'"{v}" is not an http:// or https:// URL')
        return v

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not re.match(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$", v):
            raise ValueError('must be letters, digits, "-", "_" or "." (e.g. "discord-ops")')
        if v in BUILTIN_CHANNELS:
            raise ValueError(f'"{v}" is a built-in channel name; pick another')
        return v


class ChannelsSettings(_Section):
    jsonl: str | None = None
    """Append alerts routed to channel "jsonl" to this file, one JSON object a line."""
    console: bool = True
    """Print alerts routed to channel "console" (headless mode)."""
    webhook: list[WebhookSettings] = Field(default_factory=list)

    def names(self) -> list[str]:
        return ["dashboard", "console", "jsonl", *(w.name for w in self.webhook)]


class Settings(_Section):
    network: NetworkSettings = Field(default_factory=NetworkSettings)
    storage: StorageSettings = Field(default_factory=StorageSettings)
    watch: WatchSettings = Field(default_factory=WatchSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    devnet: DevnetSettings = Field(default_factory=DevnetSettings)
    channels: ChannelsSettings = Field(default_factory=ChannelsSettings)
    rules: list[RuleSpec] = Field(default_factory=list)

    _source: Path | None = PrivateAttr(default=None)

    @property
    def source(self) -> Path | None:
        """The file these settings were read from (None when built from defaults only)."""
        return self._source


class _RulesFile(BaseModel):
    """What hot reload validates: the rules and the channels they refer to."""

    model_config = ConfigDict(extra="ignore", strict=True)
    channels: ChannelsSettings = Field(default_factory=ChannelsSettings)
    rules: list[RuleSpec] = Field(default_factory=list)


# -- environment ---------------------------------------------------------------------------------

ENV_VARS: dict[str, tuple[tuple[str, ...], type]] = {
    "SENTINEL_MODE": (("ingest", "mode"), str),
    "BLOCK_START": (("ingest", "block_start"), int),
    "BLOCK_END": (("ingest", "block_end"), int),
    "BITTENSOR_NETWORK": (("network", "name"), str),
    "BITTENSOR_ARCHIVE_NETWORK": (("network", "archive"), str),
    "BACKFILL_RATE_LIMIT": (("ingest", "rate_limit"), float),
    "NETUID": (("ingest", "netuid"), int),
    "BACKFILL_STEP": (("ingest", "step"), int),
    "BACKFILL_BATCH_SIZE": (("ingest", "batch_size"), int),
    "BACKFILL_BATCH_DELAY": (("ingest", "batch_delay"), float),
    "BACKFILL_PROCESSES": (("ingest", "processes"), int),
    "STORE_ARTIFACT": (("storage", "store_artifact"), bool),
}
"""Environment variables, named as the original Sentinel named them -> (settings path, type)."""

CLI_FLAGS: dict[str, str] = {
    "network.name": "--network",
    "network.urls": "--network",
    "network.archive": "--archive",
    "network.archive_urls": "--archive",
    "storage.path": "--db",
    "storage.artifact": "--artifact",
    "ingest.mode": "--mode",
    "ingest.block_start": "--start",
    "ingest.block_end": "--end",
    "ingest.workers": "--workers",
    "ingest.batch_size": "--batch-size",
    "ingest.batch_delay": "--batch-delay",
    "ingest.step": "--step",
    "ingest.netuid": "--netuid",
    "ingest.rate_limit": "--rate-limit",
    "ingest.max_rps": "--max-rps",
    "ingest.processes": "--processes",
}
"""Overrides that come from a command-line option: a problem with one names the option and its value
(``--network bogusname: not a URL or a known network (...)``), not the settings path."""

_TRUE = ("true", "1", "yes")
_FALSE = ("false", "0", "no")


def _parse_env(name: str, raw: str, typ: type) -> Any:
    text = raw.strip()
    if typ is int:
        try:
            return int(text.replace("_", "")) if re.fullmatch(r"[+-]?\d[\d_]*", text) else int("x")
        except ValueError:
            raise ValueError("must be an integer") from None
    if typ is float:
        try:
            value = float(text)
        except ValueError:
            raise ValueError("must be a number") from None
        if not math.isfinite(value):
            raise ValueError("must be a finite number")
        return value
    if typ is bool:
        word = text.lower()
        if word in _TRUE or word in _FALSE:
            return word in _TRUE
        raise ValueError(
            f"{text!r} is not a flag: use true/1/yes or false/0/no "
            "(give the artifact's path with --artifact FILE or [storage] artifact)"
            if name == "STORE_ARTIFACT"
            else f"{text!r} is not a flag: use true/1/yes or false/0/no"
        )
    return text


# -- TOML key locations --------------------------------------------------------------------------

Path_ = tuple[Any, ...]


class _Locator:
    """Line numbers of keys and table headers in a (valid) TOML text.

    Paths are tuples of keys and array indices as pydantic reports them: ``("rules", 2, "severity")``,
    ``("channels", "webhook", 0, "url")``, ``("rules", 0, "where", "amount", "gt")``.
    """

    _BARE = re.compile(r"[A-Za-z0-9_\-]+")

    def __init__(self, text: str) -> None:
        self.text = text
        self.n = len(text)
        self.lines: dict[Path_, int] = {}
        self._nl = [i for i, c in enumerate(text) if c == "\n"]
        self._aot: dict[Path_, int] = {}
        try:
            self._parse()
        except Exception:  # pragma: no cover - best effort: a partial map is still useful
            pass

    def line_of(self, pos: int) -> int:
        return bisect.bisect_left(self._nl, pos) + 1

    def find(self, loc: Path_) -> int | None:
        loc = tuple(loc)
        while loc:
            if loc in self.lines:
                return self.lines[loc]
            loc = loc[:-1]
        return None

    def _record(self, path: Path_, pos: int) -> None:
        self.lines.setdefault(path, self.line_of(pos))

    # scanning helpers
    def _ws(self, i: int, newlines: bool = False) -> int:
        t = self.text
        while i < self.n:
            c = t[i]
            if c in " \t" or (newlines and c in "\r\n"):
                i += 1
            elif c == "#" and newlines:
                while i < self.n and t[i] != "\n":
                    i += 1
            else:
                break
        return i

    def _key_part(self, i: int) -> tuple[str, int]:
        t = self.text
        if t.startswith('"', i):
            j, s = self._basic_string(i)
            return s, j
        if t.startswith("'", i):
            j = t.index("'", i + 1)
            return t[i + 1 : j], j + 1
        m = self._BARE.match(t, i)
        if not m:
            raise ValueError(f"bad key at {i}")
        return m.group(0), m.end()

    def _key(self, i: int) -> tuple[list[str], int]:
        parts: list[str] = []
        while True:
            i = self._ws(i)
            part, i = self._key_part(i)
            parts.append(part)
            i = self._ws(i)
            if i < self.n and self.text[i] == ".":
                i += 1
                continue
            return parts, i

    def _basic_string(self, i: int) -> tuple[int, str]:
        t = self.text
        if t.startswith('"""', i):
            j = i + 3
            while True:
                k = t.index('"""', j)
                if t[k - 1] == "\\" and not self._escaped_backslashes(k - 1):
                    j = k + 1
                    continue
                # up to two extra quotes belong to the content
                while t.startswith('"', k + 3):
                    k += 1
                return k + 3, t[i + 3 : k]
        j = i + 1
        out = []
        while t[j] != '"':
            if t[j] == "\\":
                esc = t[j + 1]
                simple = {
                    "n": "\n",
                    "t": "\t",
                    "\\": "\\",
                    '"': '"',
                    "b": "\b",
                    "f": "\f",
                    "r": "\r",
                    "e": "\x1b",
                }
                if esc in simple:
                    out.append(simple[esc])
                    j += 2
                elif esc in "uU":
                    width = 4 if esc == "u" else 8
                    out.append(chr(int(t[j + 2 : j + 2 + width], 16)))
                    j += 2 + width
                elif esc == "x":
                    out.append(chr(int(t[j + 2 : j + 4], 16)))
                    j += 4
                else:
                    j += 2
            else:
                out.append(t[j])
                j += 1
        return j + 1, "".join(out)

    def _escaped_backslashes(self, k: int) -> bool:
        """True when the backslash at ``k`` is itself escaped (an even run ending at k)."""
        n = 0
        while k >= 0 and self.text[k] == "\\":
            n += 1
            k -= 1
        return n % 2 == 0

    def _value(self, i: int, path: Path_) -> int:
        t = self.text
        c = t[i] if i < self.n else ""
        if c == '"':
            j, _ = self._basic_string(i)
            return j
        if c == "'":
            if t.startswith("'''", i):
                k = t.index("'''", i + 3)
                while t.startswith("'", k + 3):
                    k += 1
                return k + 3
            return t.index("'", i + 1) + 1
        if c == "[":
            i += 1
            idx = 0
            while True:
                i = self._ws(i, newlines=True)
                if t[i] == "]":
                    return i + 1
                self._record(path + (idx,), i)
                i = self._value(i, path + (idx,))
                idx += 1
                i = self._ws(i, newlines=True)
                if t[i] == ",":
                    i += 1
        if c == "{":
            i += 1
            while True:
                i = self._ws(i, newlines=True)
                if t[i] == "}":
                    return i + 1
                if t[i] == ",":
                    i += 1
                    continue
                start = i
                parts, i = self._key(i)
                full = path + tuple(parts)
                for k in range(1, len(parts) + 1):
                    self._record(path + tuple(parts[:k]), start)
                i = self._ws(i)
                i += 1  # '='
                i = self._ws(i)
                i = self._value(i, full)
        j = i
        while j < self.n and t[j] not in ",]}\n#":
            j += 1
        return j

    def _resolve(self, parts: list[str]) -> Path_:
        path: Path_ = ()
        for p in parts:
            path += (p,)
            if path in self._aot:
                path += (self._aot[path] - 1,)
        return path

    def _parse(self) -> None:
        t = self.text
        i = 0
        current: Path_ = ()
        while True:
            i = self._ws(i, newlines=True)
            if i >= self.n:
                return
            start = i
            if t.startswith("[[", i):
                parts, i = self._key(i + 2)
                i = self._ws(i)
                i += 2
                prefix = self._resolve(parts[:-1])
                arr = prefix + (parts[-1],)
                self._aot[arr] = self._aot.get(arr, 0) + 1
                current = arr + (self._aot[arr] - 1,)
                for k in range(1, len(prefix) + 1):
                    self._record(prefix[:k], start)
                self._record(arr, start)
                self._record(current, start)
            elif t[i] == "[":
                parts, i = self._key(i + 1)
                i = self._ws(i)
                i += 1
                current = self._resolve(parts)
                for k in range(1, len(current) + 1):
                    self._record(current[:k], start)
            else:
                parts, i = self._key(i)
                for k in range(1, len(parts) + 1):
                    self._record(current + tuple(parts[:k]), start)
                i = self._ws(i)
                i += 1  # '='
                i = self._ws(i)
                i = self._value(i, current + tuple(parts))
            # skip the rest of the line (comment)
            i = self._ws(i)
            if i < self.n and t[i] == "#":
                while i < self.n and t[i] != "\n":
                    i += 1


# -- error formatting ----------------------------------------------------------------------------


def _format_loc(loc: Path_) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            part = str(part)
            if not re.fullmatch(r"[A-Za-z0-9_\-]+", part):
                part = '"' + part.replace('"', '\\"') + '"'
            out += ("." if out else "") + part
    return out


def _unwrap(tp: Any) -> Any:
    """Strip Annotated / Optional wrappers."""
    while True:
        origin = typing.get_origin(tp)
        if origin is Annotated:
            tp = typing.get_args(tp)[0]
            continue
        if origin in (Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            if len(args) == 1:
                tp = args[0]
                continue
            return tp
        return tp


def _model_at(root: type[BaseModel], loc: Path_) -> tuple[type[BaseModel] | None, Path_]:
    """Walk ``loc`` (as pydantic reports it, with union tags) from ``root``: the model class at the
    end (or None) and the loc with the discriminator tags removed."""
    tp: Any = root
    clean: list[Any] = []
    i = 0
    loc = tuple(loc)
    while i < len(loc):
        part = loc[i]
        tp = _unwrap(tp)
        origin = typing.get_origin(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            field = tp.model_fields.get(part) if isinstance(part, str) else None
            if field is None:
                # by alias
                field = next((f for f in tp.model_fields.values() if f.alias == part), None)
            clean.append(part)
            if field is None:
                return None, tuple(clean) + tuple(loc[i + 1 :])
            tp = field.annotation
            i += 1
            continue
        if origin is list:
            clean.append(part)
            tp = typing.get_args(tp)[0]
            i += 1
            continue
        if origin is dict:
            clean.append(part)
            tp = typing.get_args(tp)[1]
            i += 1
            continue
        if origin in (Union, types.UnionType):
            members = [_unwrap(a) for a in typing.get_args(tp)]
            if isinstance(part, str) and part in RULE_MODELS and RULE_MODELS[part] in members:
                tp = RULE_MODELS[part]
                i += 1  # the discriminator tag is not part of the user's path
                continue
            return None, tuple(clean) + tuple(loc[i:])
        return None, tuple(clean) + tuple(loc[i:])
    tp = _unwrap(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return tp, tuple(clean)
    return None, tuple(clean)


def _num_text(v: Any) -> Any:
    return int(v) if isinstance(v, float) and v.is_integer() else v


def _choices(expected: str) -> str:
    items = re.findall(r"'([^']*)'|(-?\d+)", expected)
    return ", ".join(a or b for a, b in items)


def _problem(err: ErrorDetails, parent: type[BaseModel] | None) -> str:
    typ = err["type"]
    ctx = err.get("ctx") or {}
    loc = err["loc"]
    if typ == "missing":
        return "required key missing"
    if typ == "extra_forbidden":
        key = str(loc[-1]) if loc else ""
        if parent is not None:
            names = [f.alias or n for n, f in parent.model_fields.items()]
            close = difflib.get_close_matches(key, names, n=1, cutoff=0.6)
            if close:
                return f'unknown key (did you mean "{close[0]}"?)'
            return f"unknown key (expected one of {', '.join(names)})"
        return "unknown key"
    if typ in ("literal_error", "enum"):
        return f"must be one of {_choices(ctx.get('expected', ''))}"
    if typ == "union_tag_invalid":
        return f"kind: must be one of {', '.join(KINDS)}"
    if typ == "union_tag_not_found":
        return f"kind: required key missing (one of {', '.join(KINDS)})"
    simple = {
        "int_type": "must be an integer",
        "int_parsing": "must be an integer",
        "int_from_float": "must be an integer",
        "float_type": "must be a number",
        "float_parsing": "must be a number",
        "finite_number": "must be a finite number",
        "bool_type": "must be true or false",
        "bool_parsing": "must be true or false",
        "string_type": "must be a string",
        "list_type": "must be a list",
        "dict_type": "must be a table",
        "model_type": "must be a table",
        "model_attributes_type": "must be a table",
        "none_required": "must be empty",
    }
    if typ in simple:
        return simple[typ]
    bounds = {
        "greater_than": "must be > {gt}",
        "greater_than_equal": "must be >= {ge}",
        "less_than": "must be < {lt}",
        "less_than_equal": "must be <= {le}",
    }
    if typ in bounds:
        return bounds[typ].format(**{k: _num_text(v) for k, v in ctx.items()})
    if typ in ("string_too_short",):
        return "must not be empty"
    if typ in ("too_short",):
        return f"must have at least {ctx.get('min_length', 1)} item(s)"
    if typ in ("too_long",):
        return f"must have at most {ctx.get('max_length')} item(s)"
    if typ == "value_error":
        return str(ctx.get("error", err.get("msg", "invalid value")))
    msg = str(err.get("msg", "invalid value"))
    return msg[:1].lower() + msg[1:]


class _Sources:
    """Where each value came from: the file (with a locator), an env var or an override."""

    def __init__(self, display: str, locator: _Locator | None) -> None:
        self.display = display
        self.locator = locator
        self.layered: dict[Path_, str] = {}

    def label(self, loc: Path_) -> str:
        best: tuple[int, str] | None = None
        for path, label in self.layered.items():
            if loc[: len(path)] == path and (best is None or len(path) > best[0]):
                best = (len(path), label)
        if best is not None:
            return best[1]
        line = self.locator.find(loc) if self.locator is not None else None
        return f"{self.display}:{line or 1}"

    def line(self, loc: Path_) -> int:
        line = self.locator.find(loc) if self.locator is not None else None
        return line or 1


def _errors_to_lines(exc: ValidationError, root: type[BaseModel], sources: _Sources) -> list[str]:
    out: list[tuple[int, int, str]] = []
    for n, err in enumerate(exc.errors(include_url=False)):
        parent_model, clean = _model_at(root, err["loc"][:-1])
        _, clean = _model_at(root, err["loc"])
        problem = _problem(err, parent_model)
        # "field: problem" from a model-level check -> point at that field.
        if err["type"] == "value_error":
            m = re.match(r"^([A-Za-z_][A-Za-z0-9_.]*): (.+)$", problem, re.S)
            here, _ = _model_at(root, err["loc"])
            if m and here is not None and m.group(1).split(".")[0] in here.model_fields:
                clean = clean + tuple(m.group(1).split("."))
                problem = m.group(2)
        if err["type"] in ("union_tag_invalid", "union_tag_not_found"):
            clean = clean + ("kind",)
            problem = problem.split(": ", 1)[1]
        label = sources.label(clean)
        if label.startswith("--"):
            # "--network bogusname" names the value already: '"bogusname" is not ...' -> 'not ...'
            m = re.match(r'^"(?:[^"\\]|\\.)*" is (not .+)$', problem, re.S)
            if m:
                problem = m.group(1)
        in_file = label.startswith(sources.display + ":")
        field = _format_loc(clean) if in_file else ""  # env/override labels name the value already
        text = f"{label}: {field}: {problem}" if field else f"{label}: {problem}"
        out.append((0 if in_file else 1, sources.line(clean) if in_file else n, text))
    out.sort(key=lambda x: (x[0], x[1]))
    seen: set[str] = set()
    lines = []
    for _, _, text in out:
        if text not in seen:
            seen.add(text)
            lines.append(text.replace("\n", " "))
    return lines


# -- loading -------------------------------------------------------------------------------------


def _read(path: Path, display: str, explicit: bool) -> tuple[str | None, dict[str, Any]]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        if explicit:
            raise ConfigError(f"{display}: no such file") from None
        return None, {}
    except IsADirectoryError:
        raise ConfigError(f"{display}: is a directory, not a file") from None
    except OSError as e:
        raise ConfigError(f"{display}: cannot read: {e.strerror or e}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise ConfigError(f"{display}:{line}: not valid TOML: not UTF-8 text") from None
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        msg = str(e)
        m = re.search(r"\s*\(at line (\d+), column \d+\)\s*$", msg)
        if m:
            line = int(m.group(1))
            msg = msg[: m.start()]
        else:
            m = re.search(r"\s*\(at end of document\)\s*$", msg)
            line = text.count("\n") + (0 if text.endswith("\n") else 1) or 1
            if m:
                msg = msg[: m.start()]
        raise ConfigError(f"{display}:{line}: not valid TOML: {msg}") from None
    except (ValueError, RecursionError) as e:  # pragma: no cover - defensive
        raise ConfigError(f"{display}:1: not valid TOML: {e}") from None
    return text, data


def _set_path(data: dict[str, Any], path: Path_, value: Any) -> None:
    d = data
    for key in path[:-1]:
        nxt = d.get(key)
        if not isinstance(nxt, dict):
            nxt = {}
            d[key] = nxt
        d = nxt
    d[path[-1]] = value


def _flatten_overrides(overrides: Mapping[str, Any], prefix: Path_ = ()) -> list[tuple[Path_, Any]]:
    out: list[tuple[Path_, Any]] = []
    for key, value in overrides.items():
        path = prefix + tuple(str(key).split("."))
        if isinstance(value, Mapping):
            out.extend(_flatten_overrides(value, path))
        elif value is not None:
            out.append((path, value))
    return out


def _display(path: Path) -> str:
    return str(path)


def _check_cross(settings: Settings, sources: _Sources) -> list[str]:
    """Checks that span sections or fields: block range, rule names, rule channels."""
    lines: list[str] = []
    ing = settings.ingest
    if ing.block_start is not None and ing.block_end is not None and ing.block_start > ing.block_end:
        labels = [sources.label(("ingest", "block_end")), sources.label(("ingest", "block_start"))]
        label = next((lb for lb in labels if not lb.startswith(sources.display + ":")), None)
        if label is None:
            label = f"{sources.display}:{sources.line(('ingest',))}"
        lines.append(f"{label}: ingest: block_start {ing.block_start} > block_end {ing.block_end}")
    lines.extend(_check_network(settings.network, sources))
    lines.extend(_check_rules(settings.rules, settings.channels, sources))
    return lines


def _cross_line(sources: _Sources, loc: Path_, problem: str) -> str:
    """``FILE:LINE: field: problem``, or ``--flag value: problem`` / ``env VAR: problem``."""
    label = sources.label(loc)
    if label.startswith(sources.display + ":"):
        return f"{label}: {_format_loc(loc)}: {problem}"
    return f"{label}: {problem}"


def _check_network(net: NetworkSettings, sources: _Sources) -> list[str]:
    """The endpoint lists: no devnet among several, none twice, and ``name`` / ``archive`` (when
    given with their list) its first."""
    lines: list[str] = []
    for key, first in (("urls", "name"), ("archive_urls", "archive")):
        items: list[str] | None = getattr(net, key)
        if not items:
            continue
        seen: dict[str | None, int] = {}
        for i, item in enumerate(items):
            loc: Path_ = ("network", key, i)
            url = resolve_network(item)
            if url is None and len(items) > 1:
                lines.append(
                    _cross_line(
                        sources, loc, f'"{item}" (the built-in devnet) cannot be one of several endpoints'
                    )
                )
            elif url in seen:
                lines.append(
                    _cross_line(sources, loc, f'"{item}" is listed twice (also network.{key}[{seen[url]}])')
                )
            seen.setdefault(url, i)
        value: str | None = getattr(net, first)
        if value is not None and resolve_network(value) != resolve_network(items[0]):
            lines.append(
                _cross_line(
                    sources,
                    ("network", first),
                    f'"{value}" is not the first of network.{key} ("{items[0]}"): leave {first} out '
                    "(it is the first), or list every endpoint in order",
                )
            )
    return lines


_REPLACES: dict[Path_, Path_] = {
    ("network", "name"): ("network", "urls"),
    ("network", "urls"): ("network", "name"),
    ("network", "archive"): ("network", "archive_urls"),
    ("network", "archive_urls"): ("network", "archive"),
}
"""One endpoint or several: a layer that gives one of these replaces the other as lower layers gave it
(``BITTENSOR_NETWORK`` or one ``--network`` replaces the file's ``urls``)."""


def _drop_replaced(data: dict[str, Any], sources: _Sources, targets: list[Path_]) -> None:
    for target in targets:
        other = _REPLACES.get(target)
        if other is None or other in targets:
            continue
        section = data.get(other[0])
        if isinstance(section, dict):
            section.pop(other[1], None)
        for key in [k for k in sources.layered if k[: len(other)] == other]:
            del sources.layered[key]


def _check_rules(rules: list[RuleSpec], channels: ChannelsSettings, sources: _Sources) -> list[str]:
    lines: list[str] = []
    seen: dict[str, int] = {}
    hooks: dict[str, int] = {}
    loc: Path_
    for i, hook in enumerate(channels.webhook):
        if hook.name in hooks:
            loc = ("channels", "webhook", i, "name")
            lines.append(
                f"{sources.label(loc)}: {_format_loc(loc)}: duplicate channel name "
                f'"{hook.name}" (also channels.webhook[{hooks[hook.name]}])'
            )
        hooks.setdefault(hook.name, i)
    known = channels.names()
    for i, rule in enumerate(rules):
        if rule.name in seen:
            loc = ("rules", i, "name")
            lines.append(
                f"{sources.label(loc)}: {_format_loc(loc)}: duplicate rule name "
                f'"{rule.name}" (also rules[{seen[rule.name]}])'
            )
        seen.setdefault(rule.name, i)
        for j, ch in enumerate(rule.channels):
            loc = ("rules", i, "channels", j)
            if ch not in known:
                lines.append(
                    f'{sources.label(loc)}: {_format_loc(loc)}: unknown channel "{ch}" '
                    f"(configured: {', '.join(known)})"
                )
            elif ch == "jsonl" and channels.jsonl is None:
                lines.append(
                    f'{sources.label(loc)}: {_format_loc(loc)}: channel "jsonl" needs '
                    f'[channels] jsonl = "alerts.jsonl"'
                )
    return lines


def load_config(
    path: str | os.PathLike[str] | None = None,
    *,
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Read sentinel.toml (``path``; None = ./sentinel.toml, defaults when it does not exist), then
    environment variables (``env``; None = ``os.environ``), then ``overrides`` (CLI flags, nested
    dicts or dotted keys like ``{"ingest.block_start": 5}``; None values are ignored).

    Raises ``ConfigError`` listing every problem, one line each.
    """
    explicit = path is not None
    p = Path(path) if path is not None else Path(DEFAULT_PATH)
    display = _display(p)
    text, data = _read(p, display, explicit)
    locator = _Locator(text) if text is not None else None
    sources = _Sources(display, locator)

    problems: list[str] = []
    environ = os.environ if env is None else env
    for var, (target, typ) in ENV_VARS.items():
        raw = environ.get(var)
        if raw is None or raw.strip() == "":
            continue
        try:
            value = _parse_env(var, raw, typ)
        except ValueError as e:
            problems.append(f"env {var}: {e}")
            continue
        _drop_replaced(data, sources, [target])
        _set_path(data, target, value)
        sources.layered[target] = f"env {var}"
    _drop_replaced(data, sources, [target for target, _ in _flatten_overrides(overrides or {})])
    for target, value in _flatten_overrides(overrides or {}):
        _set_path(data, target, value)
        key = ".".join(target)
        flag = CLI_FLAGS.get(key)
        if isinstance(value, list):
            # "--network a --network b": each item is named by its own option.
            for i, item in enumerate(value):
                sources.layered[target + (i,)] = f"{flag} {item}" if flag else f"override {key}[{i}]"
            value = f" {flag} ".join(map(str, value)) if flag else value
        sources.layered[target] = f"{flag} {value}" if flag else f"override {key}"

    settings: Settings | None = None
    try:
        settings = Settings.model_validate(data)
    except ValidationError as e:
        problems.extend(_errors_to_lines(e, Settings, sources))
    except (RecursionError, ValueError, TypeError) as e:  # pragma: no cover - defensive
        problems.append(f"{display}:1: {e}")
    if settings is not None:
        problems.extend(_check_cross(settings, sources))
    if problems:
        raise ConfigError(problems)
    assert settings is not None
    settings._source = p.resolve() if text is not None else None
    return settings


def load_rules_only(path: str | os.PathLike[str]) -> list[Any]:
    """Validate only ``[[rules]]`` (with the ``[channels]`` they route to); for hot reload.

    Raises ``ConfigError`` (same line format as ``load_config``) when the file is missing, not TOML
    or a rule is invalid; the caller keeps its current rules then.
    """
    return load_rules_and_channels(path)[0]


def load_rules_and_channels(path: str | os.PathLike[str]) -> tuple[list[Any], ChannelsSettings]:
    """``[[rules]]`` and ``[channels]``, validated together (a rule may route only to a configured
    channel); for hot reload, which replaces both. Raises ``ConfigError`` as :func:`load_rules_only`."""
    p = Path(path)
    display = _display(p)
    text, data = _read(p, display, True)
    sources = _Sources(display, _Locator(text or ""))
    subset = {k: data[k] for k in ("rules", "channels") if k in data}
    try:
        parsed = _RulesFile.model_validate(subset)
    except ValidationError as e:
        raise ConfigError(_errors_to_lines(e, _RulesFile, sources)) from None
    except (RecursionError, ValueError, TypeError) as e:  # pragma: no cover - defensive
        raise ConfigError(f"{display}:1: {e}") from None
    problems = _check_rules(parsed.rules, parsed.channels, sources)
    if problems:
        raise ConfigError(problems)
    return list(parsed.rules), parsed.channels


def parse_rules(rules: list[dict[str, Any]]) -> list[Any]:
    """Validate rule dicts (tests, programmatic use); ConfigError lines read ``rules[i].x: ...``."""
    try:
        parsed = _RulesFile.model_validate({"rules": rules})
    except ValidationError as e:
        lines = _errors_to_lines(e, _RulesFile, _Sources("<rules>", None))
        raise ConfigError([line.split(": ", 1)[1] for line in lines]) from None
    return list(parsed.rules)


__all__ = [
    "ConfigError",
    "Settings",
    "NetworkSettings",
    "StorageSettings",
    "WatchSettings",
    "IngestSettings",
    "DevnetSettings",
    "ChannelsSettings",
    "WebhookSettings",
    "NETWORKS",
    "ENV_VARS",
    "CLI_FLAGS",
    "DEFAULT_PATH",
    "resolve_network",
    "load_config",
    "load_rules_only",
    "load_rules_and_channels",
    "parse_rules",
]
