"""Refuse private names used across modules: `from a.b import _x` or `b._x` outside module a.b.

A name with a leading underscore belongs to the module that defines it; a helper that another module
needs is made public (in its own module, or in shezhi/core/ when several apps share it). Ruff's
PLC2701 cannot enforce this here: it ignores imports whose first package segment is the importer's
own (every `shezhi.*` import). Standard library only, so it runs before anything is installed.

Usage: python scripts/check_private_imports.py [ROOT ...]   (default: shezhi)
Exit status 1 and one `path:line: message` per finding when something is wrong.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

SKIP_DIRS = {"migrations", "__pycache__"}


def is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def module_name(path: Path, base: Path) -> str:
    parts = list(path.relative_to(base).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def absolute(node: ast.ImportFrom, here: str, is_package: bool) -> str:
    """The module an import reads from, with relative imports resolved against `here`."""
    if not node.level:
        return node.module or ""
    parts = here.split(".")
    keep = len(parts) - node.level + (1 if is_package else 0)
    stem = parts[: max(keep, 0)]
    return ".".join(stem + ([node.module] if node.module else []))


def is_module(dotted: str, base: Path) -> bool:
    """Whether `dotted` names a module of the tree under `base` (not a function or class)."""
    path = base.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def findings(path: Path, base: Path) -> Iterator[tuple[int, str]]:
    here = module_name(path, base)
    is_package = path.name == "__init__.py"
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    modules: dict[str, str] = {}  # local name -> project module it is bound to
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            source = absolute(node, here, is_package)
            for alias in node.names:
                if is_private(alias.name) and source != here:
                    yield node.lineno, f"imports private name {alias.name} from {source}"
                elif is_module(f"{source}.{alias.name}", base):
                    modules[alias.asname or alias.name] = f"{source}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if any(is_private(part) for part in alias.name.split(".")):
                    yield node.lineno, f"imports private module {alias.name}"
                elif alias.asname and is_module(alias.name, base):
                    modules[alias.asname] = alias.name
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and is_private(node.attr)
            and isinstance(node.value, ast.Name)
            and modules.get(node.value.id, here) != here
        ):
            yield node.lineno, f"uses private name {node.attr} of {modules[node.value.id]}"


def check(roots: list[Path]) -> list[str]:
    problems = []
    for root in roots:
        base = root.resolve().parent
        for path in sorted(root.resolve().rglob("*.py")):
            if SKIP_DIRS.intersection(path.relative_to(base).parts):
                continue
            for line, message in findings(path, base):
                problems.append(f"{path.relative_to(base)}:{line}: {message}")
    return problems


def main(argv: list[str]) -> int:
    problems = check([Path(arg) for arg in argv] or [Path("shezhi")])
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
