"""Scenario files: exact happenings at exact blocks, for demos and tests.

```toml
governance_rate = 0.0          # random governance per block (default 0.05); 0 = only what is listed
quiet = [[200, 260]]           # block ranges with no governance at all
upgrade_at = 300               # switch to the newer runtime from this block on

[[at]]
block = 120
action = "set_hyperparam"      # set_hyperparam | schedule_swap_coldkey | swap_coldkey |
                               # register_network | register_leased_network | dissolve_network |
                               # sudo_call | failures; after upgrade_at also announce_coldkey_swap,
                               # swap_coldkey_announced, dispute_coldkey_swap, reset_coldkey_swap,
                               # clear_coldkey_swap
netuid = 1
name = "tempo"                 # a hyperparameter name or its setter (sudo_set_tempo)
value = 100
via = "sudo"                   # sudo | owner | batch | proxy | sudo_failed

[[at]]
block = 140
action = "failures"            # a spike of failed extrinsics
count = 15
```
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import SentinelError

Action = Literal[
    "set_hyperparam",
    "schedule_swap_coldkey",
    "swap_coldkey",
    "register_network",
    "register_leased_network",
    "dissolve_network",
    "sudo_call",
    "failures",
    # only after the runtime upgrade (upgrade_at):
    "announce_coldkey_swap",
    "swap_coldkey_announced",
    "dispute_coldkey_swap",
    "reset_coldkey_swap",
    "clear_coldkey_swap",
]

Via = Literal["sudo", "owner", "batch", "proxy", "sudo_failed"]
"""How a governance call is submitted (``sudo_failed``: through Sudo, and it fails)."""


class Happening(BaseModel):
    model_config = ConfigDict(extra="forbid")

    block: int
    action: Action
    netuid: int | None = None
    name: str | None = None
    value: Any = None
    via: Via | None = None
    count: int = 0


class Scenario(BaseModel):
    model_config = ConfigDict(extra="forbid")

    governance_rate: float | None = Field(default=None, ge=0.0, le=1.0)
    quiet: list[tuple[int, int]] = Field(default_factory=list)
    upgrade_at: int | None = None
    at: list[Happening] = Field(default_factory=list)

    def at_block(self, number: int) -> list[Happening]:
        return [h for h in self.at if h.block == number and h.action != "failures"]

    def is_quiet(self, number: int) -> bool:
        return any(a <= number <= b for a, b in self.quiet)

    def failures_at(self, number: int) -> int:
        return sum(h.count for h in self.at if h.block == number and h.action == "failures")


class ScenarioError(SentinelError, ValueError):
    """A scenario file that is missing, not TOML or not a valid scenario (one line, with the path)."""


def load_scenario(path: str | Path) -> Scenario:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise ScenarioError(f"{path}: no such scenario file") from None
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{path}: not valid TOML: {exc}") from None
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(x) for x in first["loc"])
        raise ScenarioError(f"{path}: {loc}: {first['msg']}") from None
