"""Rule models: what a ``[[rules]]`` table in sentinel.toml may say.

Every rule has ``kind`` (the discriminator), ``name``, ``severity``, ``message`` (a ``str.format``
template over the alert's fields), ``cooldown_blocks``, ``dedup`` (template of the dedup key),
``channels`` and ``enabled``. Kinds:

- ``event``          an event (pallet + event name wildcards) with conditions on its attributes
- ``call``           an effective (unwrapped) call with conditions on its args; success only by default
- ``sudo_catchall``  any call made through Sudo that no other rule matched in the same extrinsic
- ``hyperparam``     a subnet hyperparameter change (old -> new), optional thresholds
- ``pattern``        a count or sum over a sliding window of blocks (failed extrinsics, events, calls)
- ``anomaly``        a per-block metric against its own rolling baseline (z-score or percentile)
- ``stall``          no new block for ``after_seconds``
- ``snapshot``       a change between two consecutive metagraph snapshots of a subnet (``when``: a
                     validator's dividends drop to zero, a (top-N) validator deregistered, a neuron's
                     stake moves by more than a threshold, the subnet owner changes)

Everything here is validated at load time: unknown keys, unknown pallets, bad regexes, templates that
name fields a rule never provides. The models are frozen; the engine compiles them into matchers.
"""

from __future__ import annotations

import math
import re
import string
from fnmatch import fnmatchcase
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from sentinel_core.errors import SentinelError
from sentinel_core.units import U16_MAX

KNOWN_PALLETS: frozenset[str] = frozenset(
    {
        "System",
        "RandomnessCollectiveFlip",
        "Timestamp",
        "Aura",
        "Grandpa",
        "Balances",
        "TransactionPayment",
        "SubtensorModule",
        "Utility",
        "Sudo",
        "Multisig",
        "Preimage",
        "Scheduler",
        "Proxy",
        "Registry",
        "Commitments",
        "AdminUtils",
        "SafeMode",
        "Ethereum",
        "EVM",
        "EVMChainId",
        "BaseFee",
        "Drand",
        "Crowdloan",
        "Swap",
        "Contracts",
    }
)
"""Pallet names of finney's runtime (event/call rules naming any other pallet are rejected)."""

SEVERITIES = ("info", "warning", "critical")
KINDS = ("event", "call", "sudo_catchall", "hyperparam", "pattern", "anomaly", "stall", "snapshot")
SNAPSHOT_WHENS = ("dividends_zero", "validator_deregistered", "stake_change", "owner_change")
OPS = ("eq", "ne", "in", "gt", "ge", "lt", "le", "regex")

_RULE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")


class RuleSpecError(SentinelError, ValueError):
    """A rule table says something invalid. Raised by the validators below (a ``ValueError``, so
    pydantic reports it with the field's location; config.py turns that into a ``ConfigError``)."""


# Fields every alert template may use.
COMMON_FIELDS = frozenset({"rule", "severity", "block", "netuid", "extrinsic_index", "summary"})

_ITEM_FIELDS = frozenset(
    {
        "pallet",
        "qualname",
        "signer",
        "extrinsic_hash",
        "success",
        "error",
    }
)
CALL_FIELDS = COMMON_FIELDS | _ITEM_FIELDS | {"call", "args", "via", "via_sudo", "call_index"}
EVENT_FIELDS = COMMON_FIELDS | _ITEM_FIELDS | {"event", "attributes", "event_index"}
CATCHALL_FIELDS = COMMON_FIELDS | _ITEM_FIELDS | {"call", "args", "via", "calls", "count"}
HYPERPARAM_FIELDS = COMMON_FIELDS | {
    "name",
    "old",
    "new",
    "change",
    "signer",
    "call",
    "via_sudo",
    "known",
    "abs_change",
    "rel_change",
    "extrinsic_hash",
}
PATTERN_FIELDS = COMMON_FIELDS | {
    "metric",
    "value",
    "value_tao",
    "threshold",
    "window",
    "count",
    "group",
    "group_by",
    "first_block",
    "address",
    "pallet",
    "qualname",
    "signer",
    "extrinsic_hash",
    "args",
    "attributes",
    "call",
    "event",
    "error",
}
ANOMALY_FIELDS = COMMON_FIELDS | {
    "metric",
    "method",
    "value",
    "mean",
    "std",
    "zscore",
    "baseline",
    "samples",
    "threshold",
    "group",
    "direction",
}
STALL_FIELDS = COMMON_FIELDS | {"seconds", "last_block", "last_block_at", "after_seconds"}
SNAPSHOT_FIELDS = COMMON_FIELDS | {
    "when",
    "previous_block",
    "change",
    "old",
    "new",
    "uid",
    "hotkey",
    "coldkey",
    "new_hotkey",
    "stake_tao",
    "old_stake_tao",
    "new_stake_tao",
    "delta_tao",
    "rel_change",
    "rank",
    "top",
    "owner_hotkey",
    "old_owner_hotkey",
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, populate_by_name=True)


def _as_list(v: Any) -> Any:
    """Accept a single string where a list of strings is expected."""
    return [v] if isinstance(v, str) else v


_FORMATTER = string.Formatter()


def template_fields(template: str) -> list[str]:
    """Root names a ``str.format`` template refers to; RuleSpecError when it is not a valid template."""
    names: list[str] = []
    try:
        for _lit, field, spec, _conv in _FORMATTER.parse(template):
            if field is None:
                continue
            root = re.split(r"[.\[]", field, maxsplit=1)[0]
            if root == "" or root.isdigit():
                raise RuleSpecError("positional fields like {} or {0} are not allowed; name a field")
            names.append(root)
            if spec and "{" in spec:
                names.extend(template_fields(spec))
    except ValueError as e:
        raise RuleSpecError(f"invalid template: {e}") from None
    return names


def check_template(template: str, allowed: frozenset[str] | None) -> None:
    """Raise RuleSpecError when ``template`` is malformed or (when ``allowed`` is given) names an
    unknown field."""
    for name in template_fields(template):
        if allowed is not None and name not in allowed:
            raise RuleSpecError(
                f"unknown field {{{name}}} in template (available: {', '.join(sorted(allowed))})"
            )


# -- conditions ----------------------------------------------------------------------------------


class Condition(_Strict):
    """Operators on one field; all given operators must hold."""

    eq: Any = None
    ne: Any = None
    in_: list[Any] | None = Field(default=None, alias="in")
    gt: float | None = None
    ge: float | None = None
    lt: float | None = None
    le: float | None = None
    regex: str | None = None

    @field_validator("regex")
    @classmethod
    def _regex(cls, v: str | None) -> str | None:
        if v is not None:
            try:
                re.compile(v)
            except re.error as e:
                raise RuleSpecError(f"invalid regular expression: {e}") from None
        return v

    @field_validator("eq", "ne")
    @classmethod
    def _scalar(cls, v: Any) -> Any:
        if isinstance(v, dict):
            raise RuleSpecError("must be a value, not a table")
        return v

    @model_validator(mode="after")
    def _some(self) -> Condition:
        if all(getattr(self, f) is None for f in ("eq", "ne", "in_", "gt", "ge", "lt", "le", "regex")):
            raise RuleSpecError(f"empty condition: use one of {', '.join(OPS)}")
        return self


def _coerce_where(v: Any) -> Any:
    """``x = 3`` means eq, ``x = [..]`` means in, ``x = { op = .. }`` is an operator table."""
    if not isinstance(v, dict):
        return v
    out: dict[Any, Any] = {}
    for key, cond in v.items():
        if isinstance(cond, dict):
            out[key] = cond
        elif isinstance(cond, list):
            out[key] = {"in": cond}
        else:
            out[key] = {"eq": cond}
    return out


Where = Annotated[dict[str, Condition], Field(default_factory=dict)]


def _check_pallets(patterns: list[str]) -> list[str]:
    if not patterns:
        raise RuleSpecError('must name at least one pallet (or "*")')
    for p in patterns:
        if not isinstance(p, str) or not p:
            raise RuleSpecError("pallet names must be non-empty strings")
        if any(c in p for c in "*?["):
            if not any(fnmatchcase(k, p) for k in KNOWN_PALLETS):
                raise RuleSpecError(f'pattern "{p}" matches no known pallet')
        elif p not in KNOWN_PALLETS:
            import difflib

            close = difflib.get_close_matches(p, sorted(KNOWN_PALLETS), n=1)
            hint = f' (did you mean "{close[0]}"?)' if close else ""
            raise RuleSpecError(f'unknown pallet "{p}"{hint}')
    return patterns


def _check_names(patterns: list[str], what: str) -> list[str]:
    if not patterns:
        raise RuleSpecError(f"must name at least one {what} (wildcards allowed)")
    for p in patterns:
        if not p:
            raise RuleSpecError(f"{what} names must be non-empty")
    return patterns


def _netuids(v: Any) -> Any:
    return [v] if isinstance(v, int) and not isinstance(v, bool) else v


def _netuids_in_range(netuids: list[int]) -> list[int]:
    for n in netuids:
        if not 0 <= n <= U16_MAX:
            raise ValueError(f"{n} is not a valid netuid (must be 0 to {U16_MAX})")
    return netuids


Netuids = Annotated[list[int], BeforeValidator(_netuids), AfterValidator(_netuids_in_range)]
"""A list of subnet ids (u16 on chain), or one id; a rule with netuid -3 could never fire, so it is
refused."""


# -- rules ---------------------------------------------------------------------------------------


class RuleBase(_Strict):
    name: str
    severity: Literal["info", "warning", "critical"] = "warning"
    message: str | None = None
    """``str.format`` template over the alert's fields; None = the kind's default message."""
    cooldown_blocks: Annotated[int, Field(ge=0)] = 0
    """After an alert, stay quiet for this many blocks (per rule, per group for pattern/anomaly)."""
    dedup: str | None = None
    """Template of the dedup key (prefixed with the rule name); None = one alert per happening."""
    channels: list[str] = Field(default_factory=lambda: ["dashboard"])
    enabled: bool = True

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not _RULE_NAME.match(v):
            raise RuleSpecError(
                'must be letters, digits, "-", "_" or "." and start with a letter or digit '
                '(e.g. "coldkey-swap")'
            )
        return v

    @field_validator("channels")
    @classmethod
    def _channels(cls, v: list[str]) -> list[str]:
        for c in v:
            if not c:
                raise RuleSpecError("channel names must be non-empty")
        return v

    @classmethod
    def allowed_fields(cls) -> frozenset[str] | None:
        """Template fields this kind provides; None when extra (dynamic) fields may exist."""
        return None

    @field_validator("message", "dedup")
    @classmethod
    def _templates(cls, v: str | None) -> str | None:
        if v is not None:
            check_template(v, cls.allowed_fields())
        return v


class _ItemRule(RuleBase):
    """Shared by event and call rules."""

    pallet: Annotated[list[str], Field(default_factory=lambda: ["*"])]
    where: Where
    netuid: Netuids | None = None
    """Shortcut for ``where = { netuid = { in = [...] } }``; an int or a list of ints."""

    @field_validator("pallet", mode="before")
    @classmethod
    def coerce_pallet_(cls, v: Any) -> Any:
        return _as_list(v)

    @field_validator("where", mode="before")
    @classmethod
    def coerce_where_(cls, v: Any) -> Any:
        return _coerce_where(v)

    @field_validator("pallet")
    @classmethod
    def _pallets(cls, v: list[str]) -> list[str]:
        return _check_pallets(v)


class EventRule(_ItemRule):
    """An event, e.g. ``pallet = "System", event = "CodeUpdated"``."""

    kind: Literal["event"]
    event: list[str]
    """Event name patterns (fnmatch wildcards: ``ColdkeySwap*``)."""

    @field_validator("event", mode="before")
    @classmethod
    def coerce_event_(cls, v: Any) -> Any:
        return _as_list(v)

    @field_validator("event")
    @classmethod
    def _events(cls, v: list[str]) -> list[str]:
        return _check_names(v, "event")


class CallRule(_ItemRule):
    """An effective call (after unwrapping Sudo / Utility.batch* / Proxy.proxy)."""

    kind: Literal["call"]
    call: list[str]
    """Call name patterns (fnmatch wildcards: ``register_network*``)."""
    success_only: bool = True
    via_sudo: bool | None = None
    """True: only calls made through Sudo; False: only calls not made through Sudo; unset: both."""

    @field_validator("call", mode="before")
    @classmethod
    def coerce_call_(cls, v: Any) -> Any:
        return _as_list(v)

    @field_validator("call")
    @classmethod
    def _calls(cls, v: list[str]) -> list[str]:
        return _check_names(v, "call")


class SudoCatchallRule(RuleBase):
    """Any call made through Sudo (or any Sudo.* extrinsic) that no other rule matched in that
    extrinsic: one alert per extrinsic."""

    kind: Literal["sudo_catchall"]
    success_only: bool = True
    ignore: list[str] = Field(default_factory=list)
    """``Pallet.call`` patterns never reported (e.g. ``"AdminUtils.sudo_set_weights_version_key"``)."""

    @classmethod
    def allowed_fields(cls) -> frozenset[str] | None:
        return CATCHALL_FIELDS


class HyperparamRule(RuleBase):
    """A subnet hyperparameter change; the message gets ``{change}`` ("tempo 360 -> 100")."""

    kind: Literal["hyperparam"]
    names: list[str] = Field(default_factory=list)
    """Parameter names (wildcards allowed); empty = any parameter."""
    netuids: Netuids = Field(default_factory=list)
    """Subnets; empty = any subnet."""
    netuid: Netuids | None = None
    """Shortcut: same as ``netuids``."""
    min_abs_change: Annotated[float, Field(ge=0)] | None = None
    """Only changes with ``|new - old|`` at least this, in the displayed unit (TAO for rao amounts,
    0..1 for fractions, blocks for block counts; raw when the unit is unknown); flags always pass."""
    min_rel_change: Annotated[float, Field(ge=0)] | None = None
    """Only changes with ``|new - old| / |old|`` at least this (0.5 = 50%); flags always pass."""
    via_sudo: bool | None = None

    @field_validator("names", mode="before")
    @classmethod
    def coerce_names_(cls, v: Any) -> Any:
        return _as_list(v)

    @classmethod
    def allowed_fields(cls) -> frozenset[str] | None:
        return HYPERPARAM_FIELDS


class MatchSpec(_Strict):
    """What a pattern rule counts: a filter on events, calls or failed extrinsics."""

    pallet: Annotated[list[str], Field(default_factory=lambda: ["*"])]
    call: list[str] | None = None
    event: list[str] | None = None
    where: Where
    netuid: Netuids | None = None
    success_only: bool = True
    """For calls: count only successful calls."""
    via_sudo: bool | None = None
    error: list[str] | None = None
    """For failed extrinsics: ``Pallet.Error`` patterns (e.g. ``"SubtensorModule.SettingWeights*"``)."""

    @field_validator("pallet", "call", "event", "error", mode="before")
    @classmethod
    def coerce_lists_(cls, v: Any) -> Any:
        return _as_list(v)

    @field_validator("where", mode="before")
    @classmethod
    def coerce_where_(cls, v: Any) -> Any:
        return _coerce_where(v)

    @field_validator("pallet")
    @classmethod
    def _pallets(cls, v: list[str]) -> list[str]:
        return _check_pallets(v)


class PatternRule(RuleBase):
    """A count or a sum over the last ``window`` blocks, per group; fires when it exceeds
    ``threshold`` (once per episode: it re-arms when the value falls back to the threshold)."""

    kind: Literal["pattern"]
    metric: Literal["failed_extrinsics", "events", "calls"]
    match: MatchSpec | None = None
    window: Annotated[int, Field(ge=1, le=1_000_000)] = 1
    threshold: float = 0
    """Fires when the window's count (or sum) is strictly greater than this."""
    sum_field: str | None = None
    """Sum this arg/attribute (e.g. ``amount_unstaked``) instead of counting matches."""
    group_by: str | None = None
    """Keep one window per value of this field (``netuid``, ``signer``, an arg or attribute)."""
    watchlist: list[str] = Field(default_factory=list)
    """Only count matches where an address field is one of these (signer, or ``watch_fields``)."""
    watch_fields: list[str] = Field(default_factory=list)
    """Fields checked against ``watchlist``; empty = the signer and every string arg/attribute."""

    @model_validator(mode="after")
    def _consistent(self) -> PatternRule:
        m = self.match
        if m is not None:
            if self.metric == "events" and m.call is not None:
                raise RuleSpecError('match.call: not allowed with metric = "events" (use match.event)')
            if self.metric in ("calls", "failed_extrinsics") and m.event is not None:
                raise RuleSpecError(f'match.event: not allowed with metric = "{self.metric}"')
            if self.metric != "failed_extrinsics" and m.error is not None:
                raise RuleSpecError('match.error: only allowed with metric = "failed_extrinsics"')
        if self.metric == "events" and (m is None or m.event is None):
            raise RuleSpecError(
                'metric = "events" needs match.event (e.g. match = { pallet = "SubtensorModule", event = "StakeRemoved" })'
            )
        if self.metric == "calls" and (m is None or m.call is None):
            raise RuleSpecError(
                'metric = "calls" needs match.call (e.g. match = { pallet = "SubtensorModule", call = "remove_stake" })'
            )
        if self.watch_fields and not self.watchlist:
            raise RuleSpecError("watch_fields: needs a watchlist")
        return self

    @model_validator(mode="after")
    def _pattern_templates(self) -> PatternRule:
        # Checked here rather than per field: the value of group_by is also a template field.
        allowed = PATTERN_FIELDS | ({self.group_by} if self.group_by else frozenset())
        for key in ("message", "dedup"):
            value = getattr(self, key)
            if value is not None:
                try:
                    check_template(value, allowed)
                except ValueError as e:
                    raise RuleSpecError(f"{key}: {e}") from None
        return self


class AnomalyRule(RuleBase):
    """A per-block metric against its own rolling baseline (per subnet for stake_flow)."""

    kind: Literal["anomaly"]
    metric: Literal["block_time", "extrinsic_count", "failure_ratio", "stake_flow"]
    method: Literal["zscore", "percentile"] = "zscore"
    threshold: float | None = None
    """zscore: |z| above this (default 4); percentile: beyond this percentile (default 99.5)."""
    direction: Literal["both", "up", "down"] = "both"
    baseline_blocks: Annotated[int, Field(ge=2, le=100_000)] = 600
    min_samples: Annotated[int, Field(ge=2)] = 30
    netuids: Netuids = Field(default_factory=list)
    """stake_flow only: subnets to watch; empty = all."""

    @field_validator("threshold")
    @classmethod
    def _threshold(cls, t: float | None, info: ValidationInfo) -> float | None:
        if t is not None:
            if not math.isfinite(t) or t <= 0:
                raise RuleSpecError("must be a positive number")
            if info.data.get("method") == "percentile" and not (50 <= t < 100):
                raise RuleSpecError("a percentile must be >= 50 and < 100")
        return t

    @field_validator("min_samples")
    @classmethod
    def _min_samples(cls, v: int, info: ValidationInfo) -> int:
        size = info.data.get("baseline_blocks")
        if size is not None and v > size:
            raise RuleSpecError(f"must be <= baseline_blocks ({size})")
        return v

    @property
    def effective_threshold(self) -> float:
        if self.threshold is not None:
            return self.threshold
        return 4.0 if self.method == "zscore" else 99.5

    @classmethod
    def allowed_fields(cls) -> frozenset[str] | None:
        return ANOMALY_FIELDS


class StallRule(RuleBase):
    """No new block for ``after_seconds``: fires once per stall, re-arms when a block arrives."""

    kind: Literal["stall"]
    after_seconds: Annotated[float, Field(gt=0)] = 60.0

    @classmethod
    def allowed_fields(cls) -> frozenset[str] | None:
        return STALL_FIELDS


class SnapshotRule(RuleBase):
    """A change between two consecutive stored metagraph snapshots of a subnet (taken at its epoch
    boundaries, live or by a snapshot backfill). ``when`` says which:

    - ``dividends_zero``          a neuron (same hotkey at the same uid) had dividends > 0 and now has 0
    - ``validator_deregistered``  a validator (permit holder at the previous snapshot; with ``top = N``
                                  only the N with the most stake) lost its uid (replaced or gone)
    - ``stake_change``            a neuron's stake moved by at least ``min_change`` (relative, 0.2 = 20%)
                                  and/or ``min_tao`` (absolute, TAO); ``direction`` up / down / both
    - ``owner_change``            the subnet owner (coldkey) changed

    ``netuids`` limits the subnets, ``hotkeys`` the neurons (a watchlist; not with owner_change).
    Cooldowns are per subnet and uid (per subnet for owner_change); one alert per rule, subnet,
    snapshot block and uid, however often the pair of snapshots is compared."""

    kind: Literal["snapshot"]
    when: Literal["dividends_zero", "validator_deregistered", "stake_change", "owner_change"]
    netuids: Netuids = Field(default_factory=list)
    """Subnets; empty = any subnet."""
    netuid: Netuids | None = None
    """Shortcut: same as ``netuids``."""
    hotkeys: list[str] = Field(default_factory=list)
    """Only these neurons' hotkeys (for validator_deregistered: the validator that lost its uid)."""
    top: Annotated[int, Field(ge=1)] | None = None
    """validator_deregistered: only validators among the top N by stake at the previous snapshot."""
    min_change: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = None
    """stake_change: ``|new - old| / old`` at least this (0.2 = 20%; a neuron that had no stake passes)."""
    min_tao: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = None
    """stake_change: ``|new - old|`` at least this many TAO."""
    direction: Literal["both", "up", "down"] | None = None
    """stake_change: only increases (up), only decreases (down) or both (the default)."""

    @field_validator("hotkeys", mode="before")
    @classmethod
    def coerce_hotkeys_(cls, v: Any) -> Any:
        return _as_list(v)

    @field_validator("hotkeys")
    @classmethod
    def _hotkeys(cls, v: list[str]) -> list[str]:
        for h in v:
            if not h:
                raise RuleSpecError("hotkeys must be non-empty strings")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> SnapshotRule:
        given = self.model_fields_set
        only = {
            "top": "validator_deregistered",
            "min_change": "stake_change",
            "min_tao": "stake_change",
            "direction": "stake_change",
        }
        for key, when in only.items():
            if key in given and getattr(self, key) is not None and self.when != when:
                raise RuleSpecError(f'{key}: only used with when = "{when}"')
        if self.when == "owner_change" and self.hotkeys:
            raise RuleSpecError(
                'hotkeys: not used with when = "owner_change" (the owner is a coldkey; '
                "narrow it with netuids)"
            )
        if self.when == "stake_change" and self.min_change is None and self.min_tao is None:
            raise RuleSpecError('when: "stake_change" needs min_change (e.g. 0.2 for 20%) and/or min_tao')
        return self

    @property
    def all_netuids(self) -> frozenset[int] | None:
        nets = set(self.netuids) | set(self.netuid or [])
        return frozenset(nets) if nets else None

    @classmethod
    def allowed_fields(cls) -> frozenset[str] | None:
        return SNAPSHOT_FIELDS


AnyRule = (
    EventRule
    | CallRule
    | SudoCatchallRule
    | HyperparamRule
    | PatternRule
    | AnomalyRule
    | StallRule
    | SnapshotRule
)
"""A rule of any kind (``rule.kind`` tells which)."""

RuleSpec = Annotated[AnyRule, Field(discriminator="kind")]
"""A rule of any kind, as pydantic validates it (by its ``kind``)."""

RULE_MODELS: dict[str, type[RuleBase]] = {
    "event": EventRule,
    "call": CallRule,
    "sudo_catchall": SudoCatchallRule,
    "hyperparam": HyperparamRule,
    "pattern": PatternRule,
    "anomaly": AnomalyRule,
    "stall": StallRule,
    "snapshot": SnapshotRule,
}

__all__ = [
    "KNOWN_PALLETS",
    "SEVERITIES",
    "KINDS",
    "OPS",
    "Condition",
    "RuleBase",
    "EventRule",
    "CallRule",
    "SudoCatchallRule",
    "HyperparamRule",
    "MatchSpec",
    "PatternRule",
    "AnomalyRule",
    "StallRule",
    "SnapshotRule",
    "SNAPSHOT_WHENS",
    "RuleSpec",
    "RULE_MODELS",
    "AnyRule",
    "RuleSpecError",
    "check_template",
    "template_fields",
]
