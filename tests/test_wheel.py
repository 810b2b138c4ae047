"""A wheel built from the repo carries prompts/, and load_prompt works from the installed wheel.

The wheel is built from a copy of the sources (so the checkout gets no build/ folder) with the
environment's own setuptools and no index, then installed by pip into a target folder. A fresh
interpreter with that folder first on its path imports Parley from the wheel (its dependencies
come from the running environment: in CI the venv installed from the lock) and renders prompts.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("assistant", "ingest", "connectors", "eval", "prompts")

_PROBE = """
import json, sys
from pathlib import Path
import assistant
from assistant.engines.writer import _env as offline_env, refusal_text
from assistant.prompts import PROMPTS_DIR, _env, load_prompt
files = sorted(p.relative_to(PROMPTS_DIR).as_posix() for p in PROMPTS_DIR.rglob("*")
               if p.is_file() and "__pycache__" not in p.parts)
for name in files:  # every template compiles in the environment that renders it
    if name.startswith("offline/") and name.endswith(".j2"):
        offline_env().get_template(name.removeprefix("offline/"))
    elif name.endswith((".md", ".j2")):
        _env().get_template(name)
    elif name.endswith(".json"):
        json.loads((PROMPTS_DIR / name).read_text(encoding="utf-8"))
print(json.dumps({
    "assistant": str(Path(assistant.__file__).resolve()),
    "prompts_dir": str(PROMPTS_DIR),
    "files": files,
    "repair": load_prompt("repair.md", problems="the figure 1,234.56 is in no tool result"),
    "refusal": refusal_text("no_results"),
}))
"""


def _run(*args: str, **kwargs: object) -> str:
    done = subprocess.run([sys.executable, *args], capture_output=True, text=True, **kwargs)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _pip(*args: str) -> None:
    _run("-m", "pip", "--disable-pip-version-check", *args)


def _repo_prompt_files() -> list[str]:
    return sorted(
        p.relative_to(ROOT / "prompts").as_posix()
        for p in (ROOT / "prompts").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    )


def test_installed_wheel_ships_prompts_and_loads_them(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    for package in SOURCES:
        shutil.copytree(ROOT / package, src / package, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))

    dist = tmp_path / "dist"
    _pip("wheel", "--no-deps", "--no-index", "--no-build-isolation", "--wheel-dir", str(dist), str(src))
    (wheel,) = dist.glob("parley-*.whl")
    expected = _repo_prompt_files()
    assert "system.md" in expected and "__init__.py" in expected
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    shipped = {name.removeprefix("prompts/") for name in names if name.startswith("prompts/")}
    assert sorted(shipped) == expected

    site = tmp_path / "site"
    _pip("install", "--no-deps", "--no-index", "--target", str(site), str(wheel))
    env = {**os.environ, "PYTHONPATH": str(site)}
    probe = json.loads(_run("-c", _PROBE, cwd=tmp_path, env=env).strip().splitlines()[-1])

    assert Path(probe["assistant"]).is_relative_to(site.resolve())  # the wheel's code, not the checkout
    assert Path(probe["prompts_dir"]) == (site / "prompts").resolve()
    assert probe["files"] == expected
    assert "the figure 1,234.56 is in no tool result" in probe["repair"]
    refusals = json.loads((ROOT / "prompts" / "offline" / "refusals.json").read_text(encoding="utf-8"))
    assert probe["refusal"] == refusals["no_results"]
