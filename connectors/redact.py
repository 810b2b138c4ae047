"""What the edges show of server-side paths: a file's name, never where it lies on disk.

Citations carry ``source_path`` (the resolved path the ingest job read) and job summaries
carry the stored upload paths; HTTP, Slack and the CLI show only the file's name.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any


def file_name(path: str | None) -> str | None:
    """The last component of a path (either separator), or the value unchanged."""
    if not path:
        return path
    return PurePath(str(path).replace("\\", "/")).name or str(path)


def _looks_like_path(text: str) -> bool:
    return "/" in text or "\\" in text


def public_answer(answer: Any) -> Any:
    """A copy of an ``Answer`` whose citations name files, not server paths."""
    cites = [
        c.model_copy(
            update={
                "source_path": file_name(c.source_path),
                "document": file_name(c.document) if _looks_like_path(c.document) else c.document,
            }
        )
        for c in answer.citations
    ]
    return answer.model_copy(update={"citations": cites})


def replace_paths(value: Any, names: dict[str, str]) -> Any:
    """``value`` (JSON-like) with every occurrence of each key of ``names`` (absolute
    paths, longest first) replaced by its display name; other absolute paths become names."""
    ordered = sorted(names.items(), key=lambda kv: -len(kv[0]))

    def fix(text: str) -> str:
        for path, name in ordered:
            text = text.replace(path, name)
        return text

    if isinstance(value, str):
        fixed = fix(value)
        return file_name(fixed) if fixed.startswith("/") and " " not in fixed else fixed
    if isinstance(value, dict):
        return {k: replace_paths(v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [replace_paths(v, names) for v in value]
    return value
