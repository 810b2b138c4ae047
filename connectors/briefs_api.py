"""The brief builder, looked up at call time (``assistant.briefs`` is built separately).

Both edges call ``build()`` and ``export()``; when the builder is not installed yet they
raise ``ConfigError`` ("Briefs are not available yet") instead of failing at import.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import json
import uuid
from dataclasses import asdict, dataclass, is_dataclass
from pathlib import Path
from typing import Any

from assistant.errors import ConfigError, NotFoundError
from assistant.settings import Settings

UNAVAILABLE = "Briefs are not available yet."
EXPORT_FORMATS = ("docx", "pdf", "html")


def _lookup(module: str, name: str) -> Any:
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        raise ConfigError(UNAVAILABLE) from None


def _call(fn: Any, **available: Any) -> Any:
    """Call ``fn`` with the keyword arguments it declares (its signature may still change)."""
    params = inspect.signature(fn).parameters
    if any(p.kind is p.VAR_KEYWORD for p in params.values()):
        return fn(**available)
    return fn(**{k: v for k, v in available.items() if k in params})


@dataclass
class StoredBrief:
    """A generated brief as kept under ``settings.briefs_dir``."""

    brief_id: str
    user: str
    payer: str
    payer_id: str | None
    created_at: str
    markdown: str
    data: dict[str, Any]


def _markdown(brief: Any) -> str:
    if isinstance(brief, dict):
        return str(brief.get("markdown") or "")
    for attr in ("markdown", "to_markdown", "render_markdown"):
        value = getattr(brief, attr, None)
        if callable(value):
            value = value()
        if isinstance(value, str):
            return value
    return brief if isinstance(brief, str) else ""


def _data(brief: Any) -> dict[str, Any]:
    if hasattr(brief, "model_dump"):
        return brief.model_dump(mode="json")
    if is_dataclass(brief) and not isinstance(brief, type):
        return json.loads(json.dumps(asdict(brief), default=str))
    return brief if isinstance(brief, dict) else {}


def build(settings: Settings, assistant: Any, payer: str, user: str,
          allowed_payers: list[str] | None, as_of: dt.date | None,
          options: dict[str, Any] | None = None) -> tuple[StoredBrief, Any]:
    """Build and store a brief; returns the stored record and the builder's own object."""
    build_brief = _lookup("assistant.briefs.build", "build_brief")
    brief = _call(build_brief, settings=settings, assistant=assistant, payer=payer,
                  allowed_payers=allowed_payers, as_of=as_of or settings.today(),
                  options=options or {})
    data = _data(brief)
    record = StoredBrief(
        brief_id=uuid.uuid4().hex[:16], user=user, payer=payer,
        payer_id=data.get("payer_id") or getattr(brief, "payer_id", None),
        created_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        markdown=_markdown(brief), data=data,
    )
    folder = settings.briefs_dir
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{record.brief_id}.json").write_text(json.dumps(asdict(record)), encoding="utf-8")
    return record, brief


def load(settings: Settings, brief_id: str) -> StoredBrief:
    """A stored brief by id, or NotFoundError."""
    path = settings.briefs_dir / f"{brief_id}.json"
    if not brief_id.isalnum() or not path.exists():
        raise NotFoundError(f"No brief '{brief_id}'.")
    return StoredBrief(**json.loads(path.read_text(encoding="utf-8")))


def export(settings: Settings, record: StoredBrief, fmt: str) -> Path:
    """Write the brief as ``fmt`` (docx, pdf, html) next to it and return the file."""
    if fmt not in EXPORT_FORMATS:
        raise NotFoundError(f"Unknown export format '{fmt}'; use one of {', '.join(EXPORT_FORMATS)}.")
    export_brief = _lookup("assistant.briefs.render", "export_brief")
    out = settings.briefs_dir / f"{record.brief_id}.{fmt}"
    if not out.exists():
        result = _call(export_brief, brief=record.data, markdown=record.markdown, fmt=fmt,
                       out=out, path=out, settings=settings)
        if isinstance(result, Path | str) and Path(result).exists() and Path(result) != out:
            return Path(result)
    if not out.exists():
        raise ConfigError(UNAVAILABLE)
    return out
