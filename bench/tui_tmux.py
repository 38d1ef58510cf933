"""Pane keys as a person sees them: tmux key press -> the pane on screen.

The dashboard runs in a real terminal (a tmux session, 120x40) on a devnet in its own process that
produces a block every 2 s (``--block-time``). The bench presses the pane keys 1-5 with
``send-keys`` and reads the screen with ``capture-pane`` every few milliseconds, both through one
tmux control-mode client, until the pane's first line shows that pane; the time between the two is
what a person waits. It includes tmux and the screen update, which ``bench/tui.py`` (key event ->
action done, inside the app) does not.

Baseline in the same run: the same presses with only live flow (no backfill). Then a fast_backfill of
blocks 1 - head is started from the Backfill form, as a person would (5, b, start 1, Enter), and the
presses are measured while it runs, its decoding processes included. Target: p99 under 100 ms while
the backfill runs.

    uv run python bench/tui_tmux.py [--presses 60]
"""

from __future__ import annotations

import argparse
import contextlib
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import ROOT, devnet_process, percentile, verdict

# The first line below the tabs says which pane is on screen.
MARKERS = {
    "1": re.compile(r"^ block time"),
    "2": re.compile(r"parameters"),
    "3": re.compile(r"neurons|no snapshot|snapshot"),
    "4": re.compile(r"alerts? ·|no alerts"),
    "5": re.compile(r"Start block"),
}
POLL = 0.003


class Screen:
    """The tmux session's screen, read and typed into through one tmux control-mode client (``tmux
    -C``): a key press or a look at the screen is one line to tmux and its answer, not a tmux process
    started each time (~3 ms each, much more on a loaded machine: that was measured as the app's)."""

    def __init__(self, session: str) -> None:
        self.session = session
        self.control: subprocess.Popen[bytes] | None = None

    def attach(self) -> None:
        self.control = subprocess.Popen(
            ["tmux", "-C", "attach-session", "-t", self.session],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            bufsize=0,
        )
        self.command("refresh-client -f no-output")  # no copy of everything the app draws

    def detach(self) -> None:
        if self.control is not None:
            assert self.control.stdin is not None
            self.control.stdin.close()
            try:
                self.control.wait(2)
            except subprocess.TimeoutExpired:
                self.control.kill()
                self.control.wait()
            self.control = None

    def command(self, line: str) -> list[str]:
        """One tmux command through the control client; the lines it printed."""
        assert self.control is not None and self.control.stdin is not None and self.control.stdout is not None
        self.control.stdin.write(line.encode() + b"\n")
        out: list[str] = []
        inside = False
        while True:
            raw = self.control.stdout.readline()
            if not raw:
                raise SystemExit("the tmux control client ended")
            text = raw.decode(errors="replace").rstrip("\n")
            # Blocks flagged 1 answer our commands (the attach's own block is flagged 0).
            if text.startswith("%begin ") and text.endswith(" 1"):
                inside, out = True, []
            elif inside and (text.startswith("%end ") or text.startswith("%error ")):
                return out
            elif inside:
                out.append(text)

    def tmux(self, *args: str) -> str:
        return subprocess.run(["tmux", *args], capture_output=True, text=True, check=False).stdout

    def text(self) -> str:
        if self.control is None:
            return self.tmux("capture-pane", "-p", "-t", self.session)
        return "\n".join(self.command(f"capture-pane -p -t {self.session}"))

    def line(self, n: int) -> str:
        return "\n".join(self.command(f"capture-pane -p -t {self.session} -S {n} -E {n}"))

    def keys(self, *keys: str) -> None:
        self.command(" ".join(["send-keys", "-t", self.session, *keys]))

    def wait_for(self, pattern: str, seconds: float, what: str) -> str:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            text = self.text()
            if re.search(pattern, text):
                return text
            time.sleep(0.2)
        raise SystemExit(f"timed out waiting for {what}; the screen:\n{self.text()}")


def press(screen: Screen, key: str, timeout: float = 30.0) -> float:
    """Press ``key``; milliseconds until its pane is on screen."""
    marker = MARKERS[key]
    t0 = time.perf_counter()
    screen.keys(key)
    while time.perf_counter() - t0 < timeout:
        if marker.search(screen.line(3)):
            return (time.perf_counter() - t0) * 1000
        time.sleep(POLL)
    raise SystemExit(f"pane {key} did not show within {timeout:.0f} s; the screen:\n{screen.text()}")


def cycle(screen: Screen, presses: int, still_running=None, by_pane=None) -> list[float]:
    out: list[float] = []
    order = "23451"  # from the Blocks pane the dashboard opens on
    i = 0
    while len(out) < presses:
        key = order[i % len(order)]
        i += 1
        ms = press(screen, key)
        if ms > 1000:
            print(f"  slow: pane {key} took {ms:.0f} ms; header: {screen.line(0).strip()}")
        if still_running is not None and key == "5" and not still_running():
            break
        out.append(ms)
        if by_pane is not None:
            by_pane.setdefault(key, []).append(ms)
        time.sleep(0.15)  # a person's pace between presses
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--presses", type=int, default=60)
    ap.add_argument(
        "--block-time",
        type=float,
        default=2.0,
        help="devnet seconds per block (default 2.0, the README demo's; 0.1 is a stress test)",
    )
    ap.add_argument(
        "--history",
        type=int,
        default=3000,
        help="devnet blocks of history, the backfill's range (default 3000; more for more presses during it)",
    )
    ap.add_argument(
        "--node-nice",
        type=int,
        default=0,
        help="run the devnet at this nice level (a node on another machine takes none of the dashboard's "
        "cores; default 0: the node competes with the dashboard for them)",
    )
    ap.add_argument(
        "--builtin-devnet",
        action="store_true",
        help="the README's first command: the dashboard starts the devnet itself (--network devnet, "
        "the shipped sentinel.toml with --history and --block-time in its [devnet])",
    )
    args = ap.parse_args()
    if shutil.which("tmux") is None:
        sys.exit("tmux is not installed")
    session = f"sentinel-bench-{int(time.time())}"
    screen = Screen(session)
    with contextlib.ExitStack() as stack:
        d = stack.enter_context(tempfile.TemporaryDirectory())
        db = Path(d) / "sentinel.db"
        if args.builtin_devnet:
            config = Path(d) / "sentinel.toml"
            shipped = (ROOT / "sentinel.toml").read_text()
            shipped = re.sub(r"(?m)^history = \d+", f"history = {args.history}", shipped)
            config.write_text(re.sub(r"(?m)^block_time = [\d.]+", f"block_time = {args.block_time}", shipped))
            target = f"--config {config} --network devnet"
        else:
            url, _ = stack.enter_context(
                devnet_process(
                    "--history", str(args.history), "--block-time", str(args.block_time), nice=args.node_nice
                )
            )
            target = f"--network {url}"
        cmd = f"{sys.executable} -m sentinel_tui.main {target} --db {db}; sleep 600"
        subprocess.run(
            ["tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "40", "-c", str(ROOT), cmd],
            check=True,
        )
        try:
            screen.attach()
            screen.wait_for(r"connected", 120, "the dashboard to connect")
            time.sleep(3.0)
            idle = cycle(screen, args.presses)
            # Start a fast_backfill from the form: 5, b (focus the form), start 1, Enter.
            press(screen, "5")
            screen.keys("b")
            time.sleep(1.0)
            screen.keys("C-a", "C-k")
            screen.keys("1")
            screen.wait_for(r"(?m)^ 1 +\d", 10, "the start block typed")
            screen.keys("Enter")
            screen.wait_for(r"\d+/[\d,]+ blocks", 30, "the backfill to start")
            print("the Backfill pane while the run goes:")
            print("\n".join("   " + ln for ln in screen.text().splitlines()[3:12]))
            screen.keys("Escape")  # leave the form: digits switch panes again
            time.sleep(0.5)

            def running() -> bool:
                return (
                    re.search(r"\d+/[\d,]+ blocks", screen.text()) is not None
                    and "✓ done" not in screen.text()
                )

            busy_panes: dict[str, list[float]] = {}
            busy = cycle(screen, args.presses, still_running=running, by_pane=busy_panes)
            final = screen.text()
        finally:
            screen.detach()
            subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True, check=False)
    progress = next((ln.strip() for ln in final.splitlines() if "blocks" in ln and "/" in ln), "")
    print(f"backfill at the end of the busy phase: {progress or '(not shown)'}")
    print(
        f"pane key -> on screen, live flow only (baseline): p50 {percentile(idle, 50):6.1f} ms  "
        f"p99 {percentile(idle, 99):6.1f} ms  max {max(idle):6.1f} ms  ({len(idle)} presses)"
    )
    print(
        f"pane key -> on screen, live flow + fast_backfill: p50 {percentile(busy, 50):6.1f} ms  "
        f"p99 {percentile(busy, 99):6.1f} ms  max {max(busy) if busy else float('nan'):6.1f} ms  "
        f"({len(busy)} presses)"
    )
    print(
        "  during the backfill, by pane (p50 / max ms): "
        + "  ".join(f"{k}: {percentile(v, 50):.0f} / {max(v):.0f}" for k, v in sorted(busy_panes.items()))
    )
    print(f"target p99 < 100 ms during the backfill: {verdict(bool(busy) and percentile(busy, 99) < 100)}")


if __name__ == "__main__":
    main()
