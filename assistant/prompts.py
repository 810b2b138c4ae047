"""Load prompt files from the top-level ``prompts/`` package.

``prompts/`` sits beside ``assistant/`` both in a checkout and in site-packages after a wheel
install (it ships as package data), so the folder next to this package is the one that belongs
to this installation. Only when it is missing there (an unusual install that split the
packages) is ``prompts`` looked up on ``sys.path``; either way the folder must hold
``system.md`` to count, so an unrelated package named ``prompts`` is never taken.
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

_MARKER = "system.md"


def _locate_prompts() -> Path:
    beside = Path(__file__).resolve().parent.parent / "prompts"
    if (beside / _MARKER).is_file():
        return beside
    spec = importlib.util.find_spec("prompts")
    if spec is not None and spec.origin is not None:
        found = Path(spec.origin).resolve().parent
        if (found / _MARKER).is_file():
            return found
    return beside  # reading from it fails with the path in the message


PROMPTS_DIR = _locate_prompts()


@lru_cache(maxsize=1)
def _env() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(PROMPTS_DIR)),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )


def load_prompt(name: str, **variables: object) -> str:
    """Render ``prompts/<name>`` (Markdown, Jinja syntax) with ``variables``."""
    return _env().get_template(name).render(**variables)
