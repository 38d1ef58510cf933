"""Notable calls: the one definition of which calls of a block are worth showing (governance, not
routine traffic), used for the live block flow and for the stored ``blocks.notable`` column alike, so
a block shows the same "Notable calls" live and after a restart.

A signed extrinsic's effective call is notable when it was wrapped (``Sudo.sudo``, ``Utility.batch``,
``Proxy.proxy``), belongs to AdminUtils or Sudo, or its name mentions coldkey, network, dissolve or
lease. Each is labelled ``Pallet.call``, ``via <outermost wrapper>`` when wrapped, ``(failed)`` when it
failed.
"""

from __future__ import annotations

from .model import Block

NOTABLE_PALLETS = frozenset({"AdminUtils", "Sudo"})
NOTABLE_WORDS = ("coldkey", "network", "dissolve", "lease")

_by_name: dict[tuple[str, str], bool] = {}


def is_notable_name(pallet: str, name: str) -> bool:
    """True for AdminUtils and Sudo calls and calls named after coldkeys, networks, dissolving, leases."""
    key = (pallet, name)
    hit = _by_name.get(key)
    if hit is None:
        hit = pallet in NOTABLE_PALLETS or any(w in name for w in NOTABLE_WORDS)
        if len(_by_name) < 10_000:
            _by_name[key] = hit
    return hit


def notable_calls(block: Block) -> list[str]:
    """Labels of the block's notable effective calls, in block order."""
    out: list[str] = []
    for ex in block.extrinsics:
        if ex.signer is None:
            continue
        for call in ex.calls:
            if call.via or is_notable_name(call.pallet, call.name):
                label = f"{call.pallet}.{call.name}"
                if call.via:
                    label += f" via {call.via[-1]}"
                if not call.success:
                    label += " (failed)"
                out.append(label)
    return out
