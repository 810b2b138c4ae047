"""The committed lock (requirements.lock) covers what the code imports and what pyproject asks for.

Import names are mapped to distributions with ``importlib.metadata.packages_distributions()`` of
the environment running the tests (in CI: a fresh venv installed from the lock), so an import of a
package that is not in the lock fails here, whether or not it happens to be installed.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from collections.abc import Iterable, Mapping
from importlib.metadata import packages_distributions
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements.lock"
CODE_PACKAGES = ("assistant", "ingest", "connectors", "eval")
FIRST_PARTY = {*CODE_PACKAGES, "prompts", "tests", "bench"}

# "name==version \" or "name[extra]==version \" at the start of a line; options and comments are skipped.
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)")


def locked_versions(lock_text: str) -> dict[str, Version]:
    pins: dict[str, Version] = {}
    for line in lock_text.splitlines():
        match = _PIN.match(line)
        if match:
            pins[canonicalize_name(match.group(1))] = Version(match.group(2))
    return pins


def top_level_imports(files: Iterable[Path]) -> dict[str, Path]:
    """Top-level module name -> first file importing it (absolute imports only, lazy ones included)."""
    found: dict[str, Path] = {}
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], path)
    return found


def unlocked_imports(
    imports: Mapping[str, Path], locked: set[str], providers: Mapping[str, list[str]]
) -> list[str]:
    """Third-party imports that no locked distribution provides, each with the reason."""
    problems = []
    for name, path in sorted(imports.items()):
        if name in sys.stdlib_module_names or name in FIRST_PARTY:
            continue
        dists = {canonicalize_name(d) for d in providers.get(name, [])}
        where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        if not dists:
            problems.append(f"{name} (imported in {where}) is provided by no installed distribution")
        elif not dists & locked:
            problems.append(f"{name} (imported in {where}) comes from {sorted(dists)}, none of them locked")
    return problems


def _code_files() -> list[Path]:
    return [path for package in CODE_PACKAGES for path in sorted((ROOT / package).rglob("*.py"))]


def test_lock_pins_every_distribution_with_hashes() -> None:
    text = LOCK.read_text(encoding="utf-8")
    entries = re.split(r"\n(?=[A-Za-z0-9])", text)
    pinned = [entry for entry in entries if _PIN.match(entry)]
    assert len(pinned) > 50
    unhashed = [entry.split()[0] for entry in pinned if "--hash=sha256:" not in entry]
    assert unhashed == []
    assert locked_versions(text)["torch"].local == "cpu"  # never the multi-GB CUDA build


def test_every_third_party_import_is_locked() -> None:
    imports = top_level_imports(_code_files())
    assert {"duckdb", "chromadb", "fastapi"} <= imports.keys()  # the walk did find the code
    locked = set(locked_versions(LOCK.read_text(encoding="utf-8")))
    assert unlocked_imports(imports, locked, packages_distributions()) == []


def test_every_pyproject_dependency_is_locked_within_its_range() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = [Requirement(spec) for spec in project["dependencies"]]
    wanted += [Requirement(spec) for spec in project["optional-dependencies"]["dev"]]
    locked = locked_versions(LOCK.read_text(encoding="utf-8"))
    missing = [str(req) for req in wanted if canonicalize_name(req.name) not in locked]
    assert missing == []
    outside = [
        f"{req} but locked {locked[canonicalize_name(req.name)]}"
        for req in wanted
        if not req.specifier.contains(locked[canonicalize_name(req.name)], prereleases=True)
    ]
    assert outside == []


def test_an_import_outside_the_lock_is_reported(tmp_path: Path) -> None:
    module = tmp_path / "uses_more.py"
    module.write_text(
        "import os\nimport duckdb\nfrom assistant.errors import ParleyError\n"
        "def late():\n    import pip._internal\n    from surely_not_a_real_package import x\n",
        encoding="utf-8",
    )
    imports = top_level_imports([module])
    assert set(imports) == {"os", "duckdb", "assistant", "pip", "surely_not_a_real_package"}
    problems = unlocked_imports(imports, {"duckdb"}, packages_distributions())
    assert len(problems) == 2
    assert problems[0].startswith("pip ") and "none of them locked" in problems[0]
    assert problems[1].startswith("surely_not_a_real_package ") and "no installed" in problems[1]
