"""Count the untyped seams left in the code base (prints figures; not a test).

    python bench/count_any.py            # totals per package
    python bench/count_any.py --list     # every Any parameter and getattr probe, file:line

Two counts, read from the source with ``ast`` (nothing is imported):

* **Any parameters**: function and method parameters (positional, keyword-only, ``*args``,
  ``**kwargs``) whose annotation is ``Any`` itself (``Any`` or ``typing.Any``). An ``Any``
  nested inside another type (``dict[str, Any]``, ``list[Any]``) is counted separately as
  *nested*: a JSON-shaped value is often honestly ``dict[str, Any]``.
* **getattr probes**: calls ``getattr(x, "name", default)`` with a literal attribute name and
  a default, the way code probes an object whose type it does not know. Probes of modules
  or of third-party objects are probes too; the list shows each so a reader can tell.

Packages: ``assistant``, ``ingest``, ``connectors`` (the ones mypy checks in CI).
"""

from __future__ import annotations

import argparse
import ast
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("assistant", "ingest", "connectors")


@dataclass(frozen=True)
class Finding:
    """One Any parameter or getattr probe."""

    kind: str  # "any", "nested" or "getattr"
    path: str
    line: int
    what: str


def _is_any(node: ast.expr | None) -> bool:
    if isinstance(node, ast.Name):
        return node.id == "Any"
    if isinstance(node, ast.Attribute):
        return node.attr == "Any" and isinstance(node.value, ast.Name) and node.value.id == "typing"
    if isinstance(node, ast.Constant) and isinstance(node.value, str):  # "Any" as a string
        return node.value.strip() == "Any"
    return False


def _has_nested_any(node: ast.expr | None) -> bool:
    if node is None or _is_any(node):
        return False
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:
            node = ast.parse(node.value, mode="eval").body
        except SyntaxError:
            return False
    return any(_is_any(n) for n in ast.walk(node) if isinstance(n, ast.expr))


def _params(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.arg]:
    a = fn.args
    out = [*a.posonlyargs, *a.args, *a.kwonlyargs]
    out += [x for x in (a.vararg, a.kwarg) if x is not None]
    return out


def scan_file(path: Path, rel: str) -> list[Finding]:
    """Every Any parameter and getattr probe in one source file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[Finding] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for p in _params(node):
                if _is_any(p.annotation):
                    found.append(Finding("any", rel, p.lineno, f"{node.name}({p.arg})"))
                elif _has_nested_any(p.annotation):
                    found.append(Finding("nested", rel, p.lineno,
                                         f"{node.name}({p.arg}: {ast.unparse(p.annotation)})"))
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
              and node.func.id == "getattr" and len(node.args) == 3
              and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str)):
            found.append(Finding("getattr", rel, node.lineno, ast.unparse(node)))
    return found


def scan(root: Path = ROOT, packages: tuple[str, ...] = PACKAGES) -> list[Finding]:
    """Findings over every ``.py`` file of the packages, in path and line order."""
    out: list[Finding] = []
    for pkg in packages:
        for path in sorted((root / pkg).rglob("*.py")):
            out += scan_file(path, str(path.relative_to(root)))
    return sorted(out, key=lambda f: (f.path, f.line))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--list", action="store_true", help="print every finding, file:line")
    args = ap.parse_args()
    found = scan()
    if args.list:
        for f in found:
            print(f"{f.kind:8} {f.path}:{f.line}  {f.what}")
    counts: Counter[tuple[str, str]] = Counter((f.path.split("/")[0], f.kind) for f in found)
    print(f"{'package':12} {'Any params':>10} {'nested Any':>10} {'getattr':>8}")
    for pkg in PACKAGES:
        print(f"{pkg:12} {counts[pkg, 'any']:>10} {counts[pkg, 'nested']:>10} "
              f"{counts[pkg, 'getattr']:>8}")
    total = Counter(f.kind for f in found)
    print(f"{'total':12} {total['any']:>10} {total['nested']:>10} {total['getattr']:>8}")


if __name__ == "__main__":
    main()
