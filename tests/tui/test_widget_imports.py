"""The widgets stay on their side of the seam: they get their data sources (the read model, the job
controller) through their constructors and talk to the app in messages. Checked on the source with
``ast``: no widget imports the store, the chain client, async-substrate-interface or the app, and
none reads a ``.store`` attribute or opens a chain connection."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

WIDGETS = Path(__file__).resolve().parents[2] / "sentinel_tui" / "widgets"
FORBIDDEN_MODULES = ("sentinel_core.store", "sentinel_core.chain", "async_substrate_interface")
FORBIDDEN_ATTRIBUTES = {"store", "ui_client", "drop_ui_client", "connect", "sentinel"}
"""``.store`` (the app's or the core's), the app's old chain client helpers, ``Sentinel.connect``, and
``app.sentinel`` (the core, reached through the app)."""
FORBIDDEN_NAMES = {"ChainClient", "SubstrateInterface", "AsyncSubstrateInterface", "SentinelApp"}


def _widget_files() -> list[Path]:
    files = sorted(p for p in WIDGETS.glob("*.py") if p.name != "__init__.py")
    assert len(files) >= 10, files
    return files


def _imported_modules(tree: ast.Module, package: str) -> list[str]:
    """Every module an import names, relative imports resolved against ``package``."""
    out: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            out.append(module)
            out += [f"{module}.{alias.name}" for alias in node.names]
    return out


@pytest.mark.parametrize("path", _widget_files(), ids=lambda p: p.name)
def test_a_widget_imports_neither_the_store_nor_the_chain_nor_the_app(path: Path) -> None:
    tree = ast.parse(path.read_text(), filename=str(path))
    modules = _imported_modules(tree, "sentinel_tui.widgets")
    bad = [
        m
        for m in modules
        if any(m == f or m.startswith(f + ".") for f in FORBIDDEN_MODULES)
        or m in ("sentinel_tui.app", "sentinel_tui.widgets.app")
        or m.startswith("sentinel_tui.app.")
    ]
    assert not bad, f"{path.name} imports {bad}"


@pytest.mark.parametrize("path", _widget_files(), ids=lambda p: p.name)
def test_a_widget_reads_no_store_and_opens_no_chain_connection(path: Path) -> None:
    tree = ast.parse(path.read_text(), filename=str(path))
    attributes = sorted(
        {
            f"line {node.lineno}: .{node.attr}"
            for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and node.attr in FORBIDDEN_ATTRIBUTES
        }
    )
    assert not attributes, f"{path.name} reaches into the core: {attributes}"
    names = sorted(
        {
            f"line {node.lineno}: {node.id}"
            for node in ast.walk(tree)
            if isinstance(node, ast.Name) and node.id in FORBIDDEN_NAMES
        }
    )
    assert not names, f"{path.name} names {names}"


def test_the_checks_catch_what_they_are_for() -> None:
    """The rules above, tried on code that breaks them."""
    tree = ast.parse(
        "from ..app import SentinelApp\n"
        "from sentinel_core.store import Store\n"
        "import async_substrate_interface\n"
        "x = self.app.sentinel.store\n"
    )
    modules = _imported_modules(tree, "sentinel_tui.widgets")
    assert "sentinel_tui.app" in modules and "sentinel_core.store" in modules
    assert "async_substrate_interface" in modules
    assert {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)} >= {"sentinel", "store"}
