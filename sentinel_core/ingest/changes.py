"""Hyperparameter changes made by the setters in a block, with old values from the parent's state.

Every successful ``AdminUtils.sudo_set_*`` call (direct, through Sudo, Proxy or Utility.batch*) is a
change. The old value is read from the chain at the parent block and the new one at the block
itself, so a backfill in any order records the right old -> new. A setter the semantics table does
not know still counts, named after the call, with its raw argument as the new value.
"""

from __future__ import annotations

from typing import Any

from .. import hyperparams as hp
from ..chain.client import ChainClient
from ..chain.reads.hyperparams import read_hyperparams_at
from ..model import Block, HyperparamChange

# Setter names whose state appears under another name in the runtime API answer.
_STATE_ALIASES: dict[str, tuple[str, Any]] = {
    "yuma3_enabled": ("yuma_version", lambda v: None if v is None else int(v) >= 3),
}


def setter_calls(block: Block) -> list[tuple[int, str | None, Any, tuple[int | None, str, Any, bool]]]:
    """``(extrinsic index, signer, call, (netuid, name, new, known))`` for each successful setter."""
    out = []
    for ex, call in block.iter_calls():
        if call.success and call.pallet == "AdminUtils" and call.name.startswith("sudo_set_"):
            for change in hp.setter_changes(call.name, call.args):
                out.append((ex.index, ex.signer, call, change))
    return out


def _state_value(state: dict[str, Any] | None, name: str) -> Any:
    if not state:
        return None
    if name in state:
        return state[name]
    alias = _STATE_ALIASES.get(name)
    if alias and alias[0] in state:
        return alias[1](state[alias[0]])
    return None


async def hyperparam_changes(client: ChainClient, block: Block) -> list[HyperparamChange]:
    setters = setter_calls(block)
    if not setters:
        return []
    netuids = sorted({c[3][0] for c in setters if c[3][0] is not None})
    before: dict[int, Any] = {}
    after: dict[int, Any] = {}
    if netuids:
        # The runtime in force at the parent executed this block; unless the block upgraded the runtime,
        # it is also the one in force after it.
        runtime = await client.runtime(block.spec_version, block.hash) if block.spec_version else None
        upgraded = any(ev.pallet == "System" and ev.name == "CodeUpdated" for ev in block.events)
        before, after = await read_hyperparams_at(
            client, netuids, [(block.parent_hash, runtime), (block.hash, None if upgraded else runtime)]
        )
    seen: dict[tuple[int | None, str], Any] = {}
    changes = []
    for ext_index, signer, call, (netuid, name, new_raw, known) in setters:
        key = (netuid, name)
        if key in seen:
            old = seen[key]
        else:
            old = _state_value(before.get(netuid), name) if netuid is not None else None
        state_new = _state_value(after.get(netuid), name) if netuid is not None else None
        # The call's own value is what the setter asked for; the state at the block is what took
        # effect. They agree unless two setters touched the same parameter in this block.
        new = new_raw if new_raw is not None else state_new
        seen[key] = new
        if known and old is not None and old == new:
            continue  # the setter ran but left this value as it was (e.g. alpha_low in sudo_set_alpha_values)
        changes.append(
            HyperparamChange(
                block=block.number,
                netuid=netuid,
                name=name,
                old=old,
                new=new,
                extrinsic_index=ext_index,
                signer=signer,
                call=f"{call.pallet}.{call.name}",
                via_sudo=call.via_sudo,
                known=known,
            )
        )
    return changes
