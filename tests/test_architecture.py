"""The layout's rules, checked on the source: no private names across modules, layers downward."""

import ast
from pathlib import Path

import arkit

PACKAGE = Path(arkit.__file__).parent
MODULES = sorted(p for p in PACKAGE.rglob("*.py") if "notebooks" not in p.parts)

# What each layer may not import (prefixes of module names).
ANALYTICS = ("aging", "monthly", "_kpis", "cashapp", "_reconcile", "_worklist", "statements", "_report_pack",
             "risk")
FORBIDDEN = {
    "_common": ("arkit.loaders", "arkit.rendering", "arkit.dashboards", "arkit.cli", *(f"arkit.{a}" for a in ANALYTICS)),
    "loaders": ("arkit.rendering.plots", "arkit.dashboards", "arkit.cli", *(f"arkit.{a}" for a in ANALYTICS)),
    "rendering": ("arkit.dashboards", "arkit.cli"),
    "dashboards": ("arkit.cli",),
}


def _name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path):
    """(module imported from, names, line) of every ``from arkit... import`` and ``import arkit...``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0 and node.module.startswith("arkit"):
            yield node.module, [a.name for a in node.names], node.lineno
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("arkit"):
                    yield alias.name, [], node.lineno


def _submodule(module: str, name: str) -> bool:
    base = PACKAGE.parent.joinpath(*module.split("."), name)
    return base.with_suffix(".py").exists() or (base / "__init__.py").exists()


def test_no_module_imports_a_private_name_of_another():
    found = []
    for path in MODULES:
        for module, names, line in _imports(path):
            for name in names:
                if name.startswith("_") and name != "__all__" and not _submodule(module, name):
                    found.append(f"{_name(path)}:{line} imports {module}.{name}")
        tree = ast.parse(path.read_text(encoding="utf-8"))
        aliases = {a.asname or a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and (n.module or "")
                   .startswith("arkit") for a in n.names if _submodule(n.module, a.name)}
        for node in ast.walk(tree):  # module._private used through an imported arkit module
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases \
                    and node.attr.startswith("_") and not node.attr.startswith("__"):
                found.append(f"{_name(path)}:{node.lineno} uses {node.value.id}.{node.attr}")
    assert found == []


def test_layers_import_downward_only():
    found = []
    for path in MODULES:
        name = _name(path)
        layer = name.split(".")[1] if "." in name else ""
        for module, _, line in _imports(path):
            for banned in FORBIDDEN.get(layer, ()):
                if module == banned or module.startswith(banned + "."):
                    found.append(f"{name}:{line} imports {module}")
            if layer in ANALYTICS and module.split(".")[1:2] and module.split(".")[1] in ("dashboards", "cli"):
                found.append(f"{name}:{line} imports {module}")
    assert found == []


def test_the_rules_see_a_planted_violation(tmp_path):
    # the checker itself: a private import and an upward import are both found
    bad = tmp_path / "bad.py"
    bad.write_text("from arkit.aging import _age\nfrom arkit import aging\naging._age\n")
    assert [n for _, n, _ in _imports(bad)] == [["_age"], ["aging"]]
    assert not _submodule("arkit.aging", "_age") and _submodule("arkit", "_common")
