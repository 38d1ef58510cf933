"""The chain package's seams, checked on its source: it never imports the devnet, and only
chain/transport.py reaches into async-substrate-interface's private parts."""

from __future__ import annotations

import ast
from pathlib import Path

CHAIN = Path(__file__).resolve().parents[2] / "sentinel_core" / "chain"
TRANSPORT = CHAIN / "transport.py"


def modules() -> dict[Path, ast.Module]:
    return {path: ast.parse(path.read_text(), str(path)) for path in sorted(CHAIN.rglob("*.py"))}


def imported(path: Path, tree: ast.Module) -> list[str]:
    """Absolute names of every module ``path`` imports (relative imports resolved)."""
    package = ["sentinel_core", *path.relative_to(CHAIN.parent).parent.parts]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            out.append(module)
            out.extend(f"{module}.{alias.name}" for alias in node.names)
    return out


def test_no_chain_module_imports_the_devnet() -> None:
    trees = modules()
    assert TRANSPORT in trees and len(trees) > 5
    offenders = {
        str(path.relative_to(CHAIN)): name
        for path, tree in trees.items()
        for name in imported(path, tree)
        if name == "sentinel_core.devnet" or name.startswith("sentinel_core.devnet.")
    }
    assert offenders == {}


def test_only_the_transport_touches_the_librarys_private_parts() -> None:
    """Private names imported from the library, or private attributes that no chain module defines
    (so someone else's: the library's), appear in transport.py only."""
    trees = modules()
    ours: set[str] = set()
    for tree in (tree for path, tree in trees.items() if path != TRANSPORT):
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                ours.add(node.name)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                ours.add(node.id)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                ours.add(node.attr)
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                ours.add(node.target.id)
            elif isinstance(node, ast.arg):
                ours.add(node.arg)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                ours.add(node.value)  # __slots__ entries
    offenders: dict[str, list[str]] = {}
    for path, tree in trees.items():
        if path == TRANSPORT:
            continue
        found = []
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                "async_substrate_interface"
            ):
                found += [a.name for a in node.names if a.name.startswith("_")]
            elif isinstance(node, ast.Attribute) and node.attr.startswith("_"):
                if not node.attr.startswith("__") and node.attr not in ours:
                    found.append(node.attr)
        if found:
            offenders[str(path.relative_to(CHAIN))] = found
    assert offenders == {}
    # The check sees what it is meant to: the transport does reach in.
    transport = [
        n.attr for n in ast.walk(trees[TRANSPORT]) if isinstance(n, ast.Attribute) and n.attr.startswith("_")
    ]
    assert {"_received", "_send_recv_task", "_received_subscriptions", "_chain"} <= set(transport)
