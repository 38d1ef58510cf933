"""``?``: every key, by pane, and what the header says."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

SECTIONS: list[tuple[str, list[tuple[str, str]]]] = [
    (
        "Everywhere",
        [
            ("1 2 3 4 5", "Blocks · Hyperparameters · Subnet · Alerts · Backfill (or click the tab)"),
            ("/", "filter the list in this pane (Enter keeps it, Esc clears it)"),
            ("r", "reload the rules from sentinel.toml (a broken file keeps the old rules)"),
            ("b", "new backfill: jump to the form"),
            ("g", "go to block: show any block's extrinsics and events"),
            (
                "ctrl+p",
                "command palette: every key's action by name (go to block, panes, subnets, backfill…)",
            ),
            ("?", "this help"),
            ("q", "quit"),
        ],
    ),
    (
        "Blocks",
        [
            ("↑ ↓ PgUp PgDn", "move (the top row follows new blocks)"),
            ("enter", "open the block: extrinsics, unwrapped calls, events"),
        ],
    ),
    (
        "Block / alert detail",
        [
            ("esc", "close"),
            ("e", "block: all events / events of the highlighted extrinsic"),
            ("[ ]", "block: previous / next block"),
            ("a  o", "alert: acknowledge · open its block"),
        ],
    ),
    (
        "Hyperparameters",
        [
            ("[ ]", "previous / next subnet (the Subnet pane follows: one selected subnet)"),
            ("↑ ↓", "select a parameter: its change history shows on the side"),
            ("R", "re-read the values at the head"),
        ],
    ),
    (
        "Subnet",
        [
            ("[ ]", "previous / next subnet (the Hyperparameters pane follows)"),
            ("/", "find a neuron: uid, or part of its hotkey or coldkey"),
            ("s  S", "sort by the next column · reverse the order (or click a column header)"),
            ("↑ ↓", "select a neuron: its validator APY per epoch shows below, as a sparkline"),
            ("R", "re-read the snapshots"),
            (
                "",
                "neurons of the newest stored metagraph snapshot; ● marks what changed since the one "
                "before: stake moved (Δ τ), registered (new), validator permit gained (+VP) or lost (−VP)",
            ),
        ],
    ),
    (
        "Alerts",
        [
            ("enter", "open the alert"),
            ("a", "acknowledge"),
            ("m  M", "mute the alert's rule for this session · unmute all"),
            ("/", "filter: words, rule:NAME, sev:warning (and above), net:3"),
        ],
    ),
    (
        "Backfill",
        [
            ("enter", "start (in the form); runs beside live watching"),
            ("p", "pause / resume"),
            ("c", "cancel"),
        ],
    ),
]

HEADER_NOTES = (
    "Header: network · connection (what the core is doing while it starts, connected / catching up "
    "#stored / #best / reconnecting (attempt N) / down) · best and finalized block · lag = best − last "
    "stored block · blocks/s over the last 30 s · runtime spec · rules loaded (✗ and a red line when "
    "the last reload failed)."
)


class HelpScreen(ModalScreen[None]):
    AUTO_FOCUS = "#help-box"
    BINDINGS = [
        Binding("escape", "close", "Close"),
        Binding("question_mark", "close", "Close", show=False),
    ]

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold cyan", no_wrap=True, justify="right")
        table.add_column()
        for title, keys in SECTIONS:
            table.add_row(Text(title, style="bold underline"), "")
            for key, text in keys:
                table.add_row(Text(key), Text(text))
            table.add_row("", "")
        with VerticalScroll(id="help-box"):
            yield Static(Text("Sentinel — keys", style="bold"), id="help-title")
            yield Static(table, id="help-keys")
            yield Static(Text(HEADER_NOTES, style="dim"), id="help-notes")
            yield Static(Text("esc / ? to close", style="dim italic"), id="help-close")

    def action_close(self) -> None:
        self.dismiss(None)
