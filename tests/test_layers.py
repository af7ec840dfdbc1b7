"""The package's layers import downwards only, and each can be imported alone.

surface (top-level modules) → services → kms → crypto; ``crypto`` never imports moto.
"""

from __future__ import annotations

import ast
import pathlib
import subprocess
import sys

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "kms_import_mock"
LAYERS = ("crypto", "kms", "services")
#: What each layer may import from the package, besides itself.
ALLOWED = {
    "crypto": {"crypto"},
    "kms": {"crypto", "kms"},
    "services": {"crypto", "kms", "services"},
}


def _layer_of(module: str) -> str:
    """``kms_import_mock.kms.base`` → ``kms``; a top-level module → ``surface``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS else "surface"


def _layer_imports(path: pathlib.Path) -> set[str]:
    """The layers a module of ``PACKAGE/<layer>/`` imports from, relative imports resolved."""
    here = ["kms_import_mock", path.parent.name]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = here[: len(here) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            names = [module] if node.module else [f"{module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        found |= {_layer_of(n) for n in names if n.split(".")[0] == "kms_import_mock"}
    return found


@pytest.mark.parametrize("layer", LAYERS)
def test_layer_imports_point_down(layer: str) -> None:
    wrong = {
        str(path.relative_to(PACKAGE)): sorted(_layer_imports(path) - ALLOWED[layer])
        for path in sorted((PACKAGE / layer).glob("*.py"))
    }
    assert {name: layers for name, layers in wrong.items() if layers} == {}


def test_crypto_never_imports_moto() -> None:
    for path in (PACKAGE / "crypto").glob("*.py"):
        tree = ast.parse(path.read_text())
        modules = [
            alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import)
            for alias in node.names
        ] + [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
        assert not [m for m in modules if m.split(".")[0] == "moto"], path.name


@pytest.mark.parametrize("layer", LAYERS)
def test_each_layer_imports_alone(layer: str) -> None:
    """A fresh interpreter imports every module of the layer (no import cycle) and, beyond what
    the package's own ``__init__`` loads, nothing from a higher layer."""
    modules = sorted(p.stem for p in (PACKAGE / layer).glob("*.py") if p.stem != "__init__")
    script = (
        "import importlib, sys\n"
        "import kms_import_mock\n"
        "before = set(sys.modules)\n"
        f"for name in {modules!r}:\n"
        f"    importlib.import_module('kms_import_mock.{layer}.' + name)\n"
        "print(sorted(m for m in set(sys.modules) - before if m.startswith('kms_import_mock')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=False,
        cwd=PACKAGE.parent,
    )
    assert result.returncode == 0, result.stderr
    loaded = ast.literal_eval(result.stdout.strip())
    assert {_layer_of(m) for m in loaded} <= ALLOWED[layer], loaded



def _module_name(path: pathlib.Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _module_graph() -> dict[str, set[str]]:
    """Module → the package modules it imports, anywhere in it: at the top, inside functions,
    under ``TYPE_CHECKING``. A package's ``__init__`` is left out (importing a submodule runs
    it anyway; what counts is which module needs which)."""
    paths = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    packages = {_module_name(p) for p in PACKAGE.rglob("__init__.py")}
    graph: dict[str, set[str]] = {}
    for name, path in paths.items():
        if name in packages:
            continue
        here = name.split(".")[:-1]
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                base = here[: len(here) - node.level + 1] if node.level else []
                module = ".".join([*base, *([node.module] if node.module else [])])
                candidates = [module, *(f"{module}.{alias.name}" for alias in node.names)]
            elif isinstance(node, ast.Import):
                candidates = [alias.name for alias in node.names]
            else:
                continue
            targets |= {c for c in candidates if c in paths and c not in packages}
        graph[name] = targets - {name}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_two_modules_import_each_other() -> None:
    """Not even through a function-level or type-checking import: a cycle is two modules that
    are really one, or a lower one reaching up."""
    graph = _module_graph()
    assert len(graph) > 50  # the walk found the package
    assert _cycles(graph) == []


def test_the_cycle_check_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]
