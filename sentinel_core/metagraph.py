"""Subnet metagraphs: normalised rows, epoch boundaries, diffs and validator APY.

The models here (:class:`Metagraph`, :class:`NeuronRow`, :class:`SubnetSummary`) are built from the
values the runtime calls answer (``get_metagraph``, ``get_neurons_lite``, ``get_selective_metagraph``);
reading them from a node is :mod:`sentinel_core.chain.reads.metagraph`'s part.

Units. u16 fixed-point fractions (trust, consensus, incentive, dividends, validator trust, rank) are
shown as value / 65535 in 0..1; stake and emission amounts are rao (1 TAO = 1e9 rao), shown in TAO
(alpha amounts likewise in units of 1e9). ``emission`` is what the neuron received in the subnet's
last epoch; ``dividends_rao`` the validator-dividend part of it (``alpha_dividends_per_hotkey``).

Epochs. Subtensor runs a subnet's epoch at block ``B`` when
``blocks_until_next_epoch(netuid, tempo, B) == 0``, i.e. ``(B + netuid + 1) % (tempo + 1) == tempo``,
with the tempo in force when ``B`` starts (the state after block ``B - 1``); tempo 0 never runs.
:func:`epoch_boundaries` applies it piecewise, so a tempo change inside a range is handled.

Validator APY (per epoch, annualised by compounding)::

    r     = dividends earned in the epoch / stake the dividends were earned on
    APY   = (1 + r) ** epochs_per_year - 1
    epochs_per_year = 365.25 * 24 * 3600 / (epoch_blocks * block_time),  epoch_blocks = tempo + 1

``dividends earned`` is the hotkey's ``alpha_dividends_per_hotkey`` entry of the epoch (with
``get_neurons_lite``, which lacks it, the neuron's emission); the stake it was earned on is the stake
right after the epoch less that epoch's emission (subtensor stakes emission to the hotkey at once).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Literal

from pydantic import BaseModel, Field, PrivateAttr

from .units import BLOCK_TIME, RAO_PER_TAO, SECONDS_PER_YEAR, U16_MAX, to_u16

RawRow = tuple[Any, ...]
"""One neuron's on-chain values, in ``RAW_COLUMNS`` order."""

# SelectiveMetagraph field indexes for the one-line summaries: owner_hotkey, owner_coldkey, tempo,
# num_uids, total_stake (the Metagraph's field order).
SUMMARY_INDEXES = (5, 6, 8, 30, 69)

RAW_COLUMNS = (
    "uid",
    "hotkey",
    "coldkey",
    "stake",
    "alpha_stake",
    "trust",
    "consensus",
    "incentive",
    "dividends",
    "validator_trust",
    "rank",
    "emission",
    "dividends_earned",
    "validator_permit",
    "last_update",
    "registered_at",
    "active",
)
SORT_COLUMNS = (
    "uid",
    "stake",
    "alpha_stake",
    "trust",
    "consensus",
    "incentive",
    "dividends",
    "emission",
    "validator_permit",
    "last_update",
    "registered_at",
    "active",
    "hotkey",
    "coldkey",
)


def _u16_or_none(value: float | None) -> int | None:
    return None if value is None else to_u16(value)


# -------------------------------------------------------------------------------------------- models
class NeuronRow(BaseModel):
    """One neuron at one block, normalised (u16 fractions as 0..1, amounts in TAO beside raw rao)."""

    uid: int
    hotkey: str
    coldkey: str
    stake_rao: int
    """Total stake on the hotkey in this subnet (``total_stake``), rao."""
    alpha_stake_rao: int
    stake_tao: float
    alpha_stake: float
    trust: float
    consensus: float
    incentive: float
    dividends: float
    validator_trust: float | None = None
    """None where the call does not say (``get_metagraph`` has no validator trust; ``get_neurons_lite`` has)."""
    rank: float = 0.0
    emission_rao: int
    emission: float
    """TAO (rao / 1e9) received in the subnet's last epoch."""
    dividends_rao: int | None = None
    """The validator-dividend part of the last epoch's emission; None where the call does not say."""
    validator_permit: bool
    last_update: int
    registered_at: int | None
    active: bool
    weights: list[tuple[int, int]] | None = None
    bonds: list[tuple[int, int]] | None = None

    def raw(self) -> dict[str, Any]:
        """On-chain values: u16 fractions as integers, amounts in rao."""
        return {
            "uid": self.uid,
            "hotkey": self.hotkey,
            "coldkey": self.coldkey,
            "stake": self.stake_rao,
            "alpha_stake": self.alpha_stake_rao,
            "trust": to_u16(self.trust),
            "consensus": to_u16(self.consensus),
            "incentive": to_u16(self.incentive),
            "dividends": to_u16(self.dividends),
            "validator_trust": _u16_or_none(self.validator_trust),
            "rank": to_u16(self.rank),
            "emission": self.emission_rao,
            "dividends_earned": self.dividends_rao,
            "validator_permit": self.validator_permit,
            "last_update": self.last_update,
            "registered_at": self.registered_at,
            "active": self.active,
        }

    def human(self) -> dict[str, Any]:
        """The same in user units: fractions 0..1, amounts in TAO."""
        return {
            "uid": self.uid,
            "hotkey": self.hotkey,
            "coldkey": self.coldkey,
            "stake": self.stake_tao,
            "alpha_stake": self.alpha_stake,
            "trust": self.trust,
            "consensus": self.consensus,
            "incentive": self.incentive,
            "dividends": self.dividends,
            "validator_trust": self.validator_trust,
            "rank": self.rank,
            "emission": self.emission,
            "dividends_earned": None if self.dividends_rao is None else self.dividends_rao / RAO_PER_TAO,
            "validator_permit": self.validator_permit,
            "last_update": self.last_update,
            "registered_at": self.registered_at,
            "active": self.active,
        }


class Metagraph(BaseModel):
    """A subnet at one block."""

    netuid: int
    block: int
    block_hash: str
    method: str
    """The runtime call it was read with (``get_metagraph`` or ``get_neurons_lite``)."""
    exists: bool = True
    tempo: int | None = None
    owner_hotkey: str | None = None
    owner_coldkey: str | None = None
    registered_at: int | None = None
    last_step: int | None = None
    rows: list[NeuronRow] = Field(default_factory=list)
    _raw: list[RawRow] | None = PrivateAttr(default=None)
    """Per uid, the ``RAW_COLUMNS`` tuple (what snapshots store; rows need not be built for that)."""

    @property
    def size(self) -> int:
        return len(self.rows) if self.rows or self._raw is None else len(self._raw)

    @property
    def total_stake_rao(self) -> int:
        if not self.rows and self._raw is not None:
            return sum(r[3] for r in self._raw)
        return sum(r.stake_rao for r in self.rows)

    def raw_rows(self) -> list[RawRow]:
        """``RAW_COLUMNS`` tuples, one per neuron (u16 fractions as integers, amounts in rao)."""
        if self._raw is not None and not any(r.weights is not None or r.bonds is not None for r in self.rows):
            return self._raw
        return [
            (
                r.uid,
                r.hotkey,
                r.coldkey,
                r.stake_rao,
                r.alpha_stake_rao,
                to_u16(r.trust),
                to_u16(r.consensus),
                to_u16(r.incentive),
                to_u16(r.dividends),
                _u16_or_none(r.validator_trust),
                to_u16(r.rank),
                r.emission_rao,
                r.dividends_rao,
                r.validator_permit,
                r.last_update,
                r.registered_at,
                r.active,
            )
            for r in self.rows
        ]

    def by_uid(self) -> dict[int, NeuronRow]:
        return {r.uid: r for r in self.rows}


class SubnetSummary(BaseModel):
    netuid: int
    neurons: int
    total_stake_rao: int
    total_stake_tao: float
    owner_hotkey: str | None
    owner_coldkey: str | None
    tempo: int | None
    method: str


class Change(BaseModel):
    """Something that changed in a subnet between two snapshots."""

    kind: Literal["stake", "registered", "deregistered", "permit_gained", "permit_lost", "owner"]
    uid: int | None = None
    hotkey: str | None = None
    coldkey: str | None = None
    old: Any = None
    new: Any = None
    delta_rao: int | None = None
    delta_tao: float | None = None
    rel_change: float | None = None
    """Stake: delta / old stake (None when the old stake was 0)."""


class ApyPoint(BaseModel):
    block: int
    uid: int
    hotkey: str
    dividends_tao: float
    stake_tao: float
    epoch_blocks: int
    rate: float
    apy: float | None


# ---------------------------------------------------------------------------------------- pure parts


def epoch_runs_at(block: int, netuid: int, tempo: int | None) -> bool:
    """Subtensor's ``should_run_epoch``: ``(block + netuid + 1) % (tempo + 1) == tempo``."""
    if not tempo:
        return False
    return (block + netuid + 1) % (tempo + 1) == tempo


def next_epoch_at_or_after(block: int, netuid: int, tempo: int) -> int:
    """The first block >= ``block`` at which the epoch runs under ``tempo`` (> 0)."""
    return block + (tempo - (block + netuid + 1)) % (tempo + 1)


TempoAt = Callable[[int], "int | None"] | Sequence[tuple[int, "int | None"]]


def epoch_boundaries(start: int, end: int, tempo_at: TempoAt, netuid: int = 0) -> list[int]:
    """Blocks in ``[start, end]`` at which ``netuid``'s epoch runs.

    ``tempo_at`` gives the tempo that governs each block (the stored tempo after the block before;
    None or 0 for no epochs, e.g. while the subnet does not exist), either as a function of the block
    or as change points ``[(from_block, tempo), ...]`` sorted by block, each in force from its block
    until the next. With a function, a change is found by bisection between the candidate
    boundaries (a change undone before the next boundary is not seen; nothing would differ)."""
    if end < start:
        return []
    if callable(tempo_at):
        return _boundaries_fn(start, end, tempo_at, netuid)
    points = sorted(tempo_at)
    out: list[int] = []
    froms = [p[0] for p in points]
    i = max(0, bisect.bisect_right(froms, start) - 1)
    for j in range(i, len(points)):
        seg_start = max(start, points[j][0])
        seg_end = min(end, points[j + 1][0] - 1) if j + 1 < len(points) else end
        tempo = points[j][1]
        if seg_start > seg_end or not tempo or points[j][0] > end:
            continue
        first = next_epoch_at_or_after(seg_start, netuid, tempo)
        out.extend(range(first, seg_end + 1, tempo + 1))
    return out


def _boundaries_fn(start: int, end: int, tempo_at: Callable[[int], int | None], netuid: int) -> list[int]:
    out = []
    b = start
    while b <= end:
        tempo = tempo_at(b)
        if not tempo:
            b = _next_change(b, end, tempo, tempo_at)
            continue
        cand = next_epoch_at_or_after(b, netuid, tempo)
        if cand > end:
            change = _first_change(b, end, tempo, tempo_at)
            if change is None:
                break
            b = change
            continue
        if tempo_at(cand) == tempo:
            out.append(cand)
            b = cand + 1
        else:
            b = _first_change(b, cand, tempo, tempo_at) or cand
    return out


def _first_change(lo: int, hi: int, tempo: Any, tempo_at: Callable[[int], Any]) -> int | None:
    """The first block in (lo, hi] whose tempo differs from ``tempo`` (assuming one change)."""
    if tempo_at(hi) == tempo:
        return None
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if tempo_at(mid) == tempo:
            lo = mid
        else:
            hi = mid
    return hi


def _next_change(b: int, end: int, tempo: Any, tempo_at: Callable[[int], Any]) -> int:
    step = 1
    lo = b
    while lo + step <= end and tempo_at(lo + step) == tempo:
        lo += step
        step *= 2
    hi = min(end, lo + step)
    if tempo_at(hi) == tempo:
        return end + 1
    return _first_change(lo, hi, tempo, tempo_at) or end + 1


def epochs_per_year(epoch_blocks: int, block_time: float = BLOCK_TIME) -> float:
    return SECONDS_PER_YEAR / (epoch_blocks * block_time)


def apy(
    dividends_tao: float, stake_tao: float, epoch_blocks: int, block_time: float = BLOCK_TIME
) -> float | None:
    """Annualised yield of one epoch: ``(1 + r) ** epochs_per_year - 1`` with ``r = dividends / stake``
    (None without stake; ``inf`` beyond what a float holds)."""
    if stake_tao <= 0 or epoch_blocks <= 0:
        return None
    r = dividends_tao / stake_tao
    try:
        return math.pow(1.0 + r, epochs_per_year(epoch_blocks, block_time)) - 1.0
    except OverflowError:
        return math.inf


def diff(
    previous: Sequence[NeuronRow] | None,
    rows: Sequence[NeuronRow],
    *,
    previous_owner: str | None = None,
    owner: str | None = None,
) -> list[Change]:
    """What changed from ``previous`` to ``rows``: stake flow per neuron (same hotkey at the same uid),
    registrations and deregistrations (the hotkey at a uid changed, a uid appeared or went), validator
    permits gained or lost, and the subnet owner (coldkey) when both owners are given."""
    out: list[Change] = []
    if previous_owner is not None and owner is not None and previous_owner != owner:
        out.append(Change(kind="owner", old=previous_owner, new=owner, coldkey=owner))
    if previous is None:
        return out
    before = {r.uid: r for r in previous}
    now = {r.uid: r for r in rows}
    for uid in sorted(set(before) | set(now)):
        a, b = before.get(uid), now.get(uid)
        if b is None:
            assert a is not None  # the uid is in one of the two
            out.append(
                Change(
                    kind="deregistered",
                    uid=uid,
                    hotkey=a.hotkey,
                    coldkey=a.coldkey,
                    old=a.hotkey,
                    delta_rao=-a.stake_rao,
                    delta_tao=-a.stake_tao,
                )
            )
            continue
        if a is None or a.hotkey != b.hotkey:
            if a is not None:
                out.append(
                    Change(
                        kind="deregistered",
                        uid=uid,
                        hotkey=a.hotkey,
                        coldkey=a.coldkey,
                        old=a.hotkey,
                        new=b.hotkey,
                    )
                )
            out.append(
                Change(
                    kind="registered",
                    uid=uid,
                    hotkey=b.hotkey,
                    coldkey=b.coldkey,
                    old=None if a is None else a.hotkey,
                    new=b.hotkey,
                    delta_rao=b.stake_rao,
                    delta_tao=b.stake_tao,
                )
            )
            continue
        if a.stake_rao != b.stake_rao:
            delta = b.stake_rao - a.stake_rao
            out.append(
                Change(
                    kind="stake",
                    uid=uid,
                    hotkey=b.hotkey,
                    coldkey=b.coldkey,
                    old=a.stake_rao,
                    new=b.stake_rao,
                    delta_rao=delta,
                    delta_tao=delta / RAO_PER_TAO,
                    rel_change=delta / a.stake_rao if a.stake_rao else None,
                )
            )
        if a.validator_permit != b.validator_permit:
            out.append(
                Change(
                    kind="permit_gained" if b.validator_permit else "permit_lost",
                    uid=uid,
                    hotkey=b.hotkey,
                    coldkey=b.coldkey,
                    old=a.validator_permit,
                    new=b.validator_permit,
                )
            )
    return out


def validator_apy(
    rows: Sequence[NeuronRow], epoch_blocks: int, block: int, block_time: float = BLOCK_TIME
) -> list[ApyPoint]:
    """APY of every validator (permit holder with dividends) from a snapshot taken at an epoch block."""
    out = []
    for r in rows:
        if not r.validator_permit:
            continue
        earned = r.dividends_rao if r.dividends_rao is not None else r.emission_rao
        base = r.stake_rao - r.emission_rao
        if earned <= 0 or base <= 0:
            continue
        rate = earned / base
        out.append(
            ApyPoint(
                block=block,
                uid=r.uid,
                hotkey=r.hotkey,
                dividends_tao=earned / RAO_PER_TAO,
                stake_tao=base / RAO_PER_TAO,
                epoch_blocks=epoch_blocks,
                rate=rate,
                apy=apy(earned / RAO_PER_TAO, base / RAO_PER_TAO, epoch_blocks, block_time),
            )
        )
    return out


def sort_rows(rows: Iterable[NeuronRow], column: str) -> list[NeuronRow]:
    """Rows sorted by a column (numbers descending, uid/keys ascending)."""
    col = {"stake": "stake_rao", "alpha_stake": "alpha_stake_rao", "emission": "emission_rao"}.get(
        column, column
    )
    if column not in SORT_COLUMNS:
        raise ValueError(f"cannot sort by {column!r} (one of: {', '.join(SORT_COLUMNS)})")
    rows = list(rows)
    if column in ("uid", "hotkey", "coldkey"):
        return sorted(rows, key=lambda r: getattr(r, col))
    return sorted(rows, key=lambda r: (-(getattr(r, col) or 0), r.uid))


# ------------------------------------------------------------------------------------- normalising
def _ss58(public_key: bytes) -> str:
    # Imported here: the store imports this module, and read-only commands must not load the codec.
    from scalecodec.utils.ss58 import ss58_encode  # type: ignore[attr-defined]

    address: str = ss58_encode(public_key, 42)
    return address


def _account(value: Any) -> str:
    if isinstance(value, str):
        if value.startswith("0x") and len(value) == 66:
            return _ss58(bytes.fromhex(value[2:]))
        return value
    if isinstance(value, (bytes, bytearray)):
        return _ss58(bytes(value))
    if isinstance(value, (list, tuple)) and len(value) == 32:
        return _ss58(bytes(value))
    if isinstance(value, (list, tuple)) and len(value) == 1:
        return _account(value[0])
    return str(value)


def _int(v: Any) -> int:
    if isinstance(v, dict) and len(v) == 1:
        v = next(iter(v.values()))
    return int(v or 0)


def _ints(values: Sequence[Any]) -> list[int]:
    return list(values) if not values or type(values[0]) is int else [_int(v) for v in values]


def _accounts(values: Sequence[Any]) -> list[str]:
    return (
        list(values)
        if not values or (isinstance(values[0], str) and not values[0].startswith("0x"))
        else [_account(v) for v in values]
    )


def raw_from_metagraph(value: dict[str, Any]) -> list[RawRow]:
    """``RAW_COLUMNS`` tuples from a decoded ``Metagraph`` value (column by column, no per-field work
    where the decoder already gave plain integers and SS58 strings)."""
    hotkeys = _accounts(value.get("hotkeys") or [])
    n = len(hotkeys)

    def col(name: str, default: Any = 0) -> list[Any]:
        v = value.get(name)
        return _ints(v) if v is not None else [default] * n

    coldkeys = _accounts(value.get("coldkeys") or [""] * n)
    pairs = value.get("alpha_dividends_per_hotkey")
    if pairs is None:
        earned: list[int | None] = [None] * n
    else:
        by_hotkey = {_account(h): _int(a) for h, a in pairs}
        earned = [by_hotkey.get(h, 0) for h in hotkeys]
    permit = [bool(x) for x in value.get("validator_permit") or [False] * n]
    active = [bool(x) for x in value.get("active") or [True] * n]
    registered = (
        col("block_at_registration", None) if value.get("block_at_registration") is not None else [None] * n
    )
    return list(
        zip(
            range(n),
            hotkeys,
            coldkeys,
            col("total_stake"),
            col("alpha_stake"),
            col("trust"),
            col("consensus"),
            col("incentives"),
            col("dividends"),
            [None] * n,
            col("rank"),
            col("emission"),
            earned,
            permit,
            col("last_update"),
            registered,
            active,
        )
    )


def raw_from_lite(values: Sequence[dict[str, Any]]) -> list[RawRow]:
    """``RAW_COLUMNS`` tuples from decoded ``NeuronInfoLite`` values, by uid."""
    out = []
    for v in values:
        stake = sum(_int(amount) for _, amount in v.get("stake") or [])
        out.append(
            (
                _int(v["uid"]),
                _account(v["hotkey"]),
                _account(v["coldkey"]),
                stake,
                stake,
                _int(v.get("trust")),
                _int(v.get("consensus")),
                _int(v.get("incentive")),
                _int(v.get("dividends")),
                _int(v.get("validator_trust")),
                _int(v.get("rank")),
                _int(v.get("emission")),
                None,
                bool(v.get("validator_permit")),
                _int(v.get("last_update")),
                None,
                bool(v.get("active")),
            )
        )
    return sorted(out)


def rows_from_raw(raw: Sequence[RawRow]) -> list[NeuronRow]:
    """NeuronRows from ``RAW_COLUMNS`` tuples (built without re-validation: the types are known)."""
    make = NeuronRow.model_construct
    return [
        make(
            uid=uid,
            hotkey=hk,
            coldkey=ck,
            stake_rao=stake,
            alpha_stake_rao=alpha,
            stake_tao=stake / RAO_PER_TAO,
            alpha_stake=alpha / RAO_PER_TAO,
            trust=trust / U16_MAX,
            consensus=cons / U16_MAX,
            incentive=inc / U16_MAX,
            dividends=div / U16_MAX,
            validator_trust=None if vt is None else vt / U16_MAX,
            rank=rank / U16_MAX,
            emission_rao=em,
            emission=em / RAO_PER_TAO,
            dividends_rao=earned,
            validator_permit=bool(permit),
            last_update=lu,
            registered_at=reg,
            active=bool(active),
            weights=None,
            bonds=None,
        )
        for (
            uid,
            hk,
            ck,
            stake,
            alpha,
            trust,
            cons,
            inc,
            div,
            vt,
            rank,
            em,
            earned,
            permit,
            lu,
            reg,
            active,
        ) in raw
    ]


def rows_from_lite(values: Sequence[dict[str, Any]]) -> list[NeuronRow]:
    """NeuronRows from decoded ``NeuronInfoLite`` values (sorted by uid)."""
    return rows_from_raw(raw_from_lite(values))


def metagraph_from_value(
    method: str, value: Any, netuid: int, block: int, block_hash: str, *, build_rows: bool = True
) -> Metagraph:
    if method == "get_metagraph":
        if value is None:
            return Metagraph(netuid=netuid, block=block, block_hash=block_hash, method=method, exists=False)
        raw = raw_from_metagraph(value)
        mg = Metagraph(
            netuid=netuid,
            block=block,
            block_hash=block_hash,
            method=method,
            tempo=_int(value.get("tempo")),
            owner_hotkey=_account(value.get("owner_hotkey")),
            owner_coldkey=_account(value.get("owner_coldkey")),
            registered_at=_int(value.get("network_registered_at")),
            last_step=_int(value.get("last_step")),
            rows=rows_from_raw(raw) if build_rows else [],
        )
    else:
        raw = raw_from_lite(value or [])
        mg = Metagraph(
            netuid=netuid,
            block=block,
            block_hash=block_hash,
            method=method,
            exists=bool(raw),
            rows=rows_from_raw(raw) if build_rows else [],
        )
    mg._raw = raw
    return mg


def summary_from_selective(netuid: int, value: dict[str, Any]) -> SubnetSummary:
    """The one-line summary of a decoded ``get_selective_metagraph`` value (``SUMMARY_INDEXES``)."""
    stakes = [_int(x) for x in value.get("total_stake") or []]
    total = sum(stakes)
    return SubnetSummary(
        netuid=netuid,
        neurons=_int(value.get("num_uids")) if value.get("num_uids") is not None else len(stakes),
        total_stake_rao=total,
        total_stake_tao=total / RAO_PER_TAO,
        owner_hotkey=_account(value["owner_hotkey"]) if value.get("owner_hotkey") else None,
        owner_coldkey=_account(value["owner_coldkey"]) if value.get("owner_coldkey") else None,
        tempo=_int(value["tempo"]) if value.get("tempo") is not None else None,
        method="get_selective_metagraph",
    )


def summary_from_metagraph(m: Metagraph) -> SubnetSummary:
    """The one-line summary of a metagraph read in full."""
    return SubnetSummary(
        netuid=m.netuid,
        neurons=len(m.rows),
        total_stake_rao=m.total_stake_rao,
        total_stake_tao=m.total_stake_rao / RAO_PER_TAO,
        owner_hotkey=m.owner_hotkey,
        owner_coldkey=m.owner_coldkey,
        tempo=m.tempo,
        method=m.method,
    )
