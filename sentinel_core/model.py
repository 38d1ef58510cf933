"""The data that crosses Sentinel's boundaries: decoded blocks, hyperparameter changes and alerts.

Everything the chain layer produces, the store persists, the rules engine reads and the UI shows is
one of these pydantic models. Values inside ``args``/``attributes``/``fields`` are JSON-safe
(ints, strings, bools, lists, dicts): account ids are SS58 strings, byte blobs are 0x-hex.
"""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Severity(StrEnum):
    info = "info"
    warning = "warning"
    critical = "critical"

    @property
    def rank(self) -> int:
        return {"info": 0, "warning": 1, "critical": 2}[self.value]


class Event(BaseModel):
    """One entry of ``System.Events`` for a block."""

    model_config = ConfigDict(frozen=True)

    index: int
    """Position in the block's event list."""
    extrinsic_index: int | None
    """Index of the extrinsic that emitted it (phase ApplyExtrinsic), None for block init/finalization."""
    pallet: str
    name: str
    attributes: Any = None
    """Decoded fields: a dict for named fields, a list for positional ones, None when there are none."""

    @property
    def qualname(self) -> str:
        return f"{self.pallet}.{self.name}"


class Call(BaseModel):
    """An effective (unwrapped) call inside an extrinsic.

    An extrinsic ``Sudo.sudo(AdminUtils.sudo_set_tempo(...))`` yields one Call
    ``AdminUtils.sudo_set_tempo`` with ``via=["Sudo.sudo"]``. A plain extrinsic yields one Call with
    ``via=[]``; ``Utility.batch`` yields one Call per item.
    """

    model_config = ConfigDict(frozen=True)

    pallet: str
    name: str
    args: dict[str, Any] = Field(default_factory=dict)
    via: list[str] = Field(default_factory=list)
    """Wrapper calls from the outside in, e.g. ["Proxy.proxy", "Sudo.sudo"]."""
    success: bool = True
    """Whether this call itself took effect (a Sudo.sudo extrinsic succeeds even when its inner call fails)."""
    error: str | None = None

    @property
    def qualname(self) -> str:
        return f"{self.pallet}.{self.name}"

    @property
    def via_sudo(self) -> bool:
        return any(w.startswith("Sudo.") for w in self.via)


class Extrinsic(BaseModel):
    model_config = ConfigDict(frozen=True)

    index: int
    hash: str | None = None
    signer: str | None = None
    """SS58 address of the signer, None for inherents."""
    pallet: str
    call: str
    args: dict[str, Any] = Field(default_factory=dict)
    success: bool = True
    error: str | None = None
    """``Pallet.ErrorName`` for failures, resolved through the block's metadata."""
    calls: list[Call] = Field(default_factory=list)
    """Effective calls after unwrapping Sudo / Utility.batch* / Proxy.proxy."""
    events: list[Event] = Field(default_factory=list)

    @property
    def qualname(self) -> str:
        return f"{self.pallet}.{self.call}"

    @property
    def is_signed(self) -> bool:
        return self.signer is not None


class Block(BaseModel):
    number: int
    hash: str
    parent_hash: str
    timestamp: int | None = None
    """Milliseconds since the epoch, from the Timestamp.set inherent."""
    spec_version: int | None = None
    extrinsics: list[Extrinsic] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)
    """All events of the block, including those outside any extrinsic."""
    finalized: bool = False
    decode_error: str | None = None
    """Set when the block could not be decoded; the block is then stored with this reason only."""

    @property
    def failed_count(self) -> int:
        return sum(1 for x in self.extrinsics if not x.success)

    def iter_calls(self) -> Iterator[tuple[Extrinsic, Call]]:
        """Yield ``(extrinsic, call)`` for every effective call of every extrinsic."""
        for ex in self.extrinsics:
            for call in ex.calls:
                yield ex, call


class HyperparamChange(BaseModel):
    """A subnet hyperparameter that changed at ``block``: old value from the parent block's state."""

    block: int
    netuid: int | None
    """None for chain-wide settings (e.g. ``sudo_set_tx_rate_limit``)."""
    name: str
    old: Any = None
    new: Any = None
    extrinsic_index: int | None = None
    signer: str | None = None
    call: str | None = None
    """The setter, e.g. ``AdminUtils.sudo_set_tempo``; None for changes found by a snapshot diff."""
    via_sudo: bool = False
    known: bool = True
    """False when the semantics table does not know this parameter (raw value, unknown unit)."""


class Alert(BaseModel):
    rule: str
    severity: Severity = Severity.warning
    block: int
    extrinsic_index: int | None = None
    netuid: int | None = None
    message: str
    fields: dict[str, Any] = Field(default_factory=dict)
    dedup_key: str
    """Identifies the happening: the same key is never alerted twice (also across restarts)."""
    channels: list[str] = Field(default_factory=list)
    created_at: float | None = None
    """Unix time when the alert was raised (injected clock)."""
