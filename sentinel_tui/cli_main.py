"""The ``sentinel-cli`` console script: the process-wide settings, then the commands of
:mod:`sentinel_tui.cli`.

A command runs once, then the process ends. The ~80,000 objects that loading the modules makes live
until then: the cyclic collector does not run while they load, then they are frozen out of its reach,
and at exit it does not sweep the heap at all (the interpreter's final collections took ~0.3 s of a
one-second command; the operating system reclaims the memory anyway). Those are process-wide
settings, so they are made here, in the entry point, before the commands load: importing
``sentinel_tui.cli`` (tests do) changes nothing process-wide.
"""

from __future__ import annotations

import atexit
import gc
import sys


def main() -> None:  # pragma: no cover - console script
    enabled = gc.isenabled()
    gc.disable()
    atexit.register(gc.freeze)
    try:
        from sentinel_tui.cli import run
    finally:
        gc.freeze()
        if enabled:
            gc.enable()
    sys.exit(run())
