"""Load prompt files from the top-level ``prompts/`` folder."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"


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
