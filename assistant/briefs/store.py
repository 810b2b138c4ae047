"""Stored briefs: ``settings.briefs_dir/<brief_id>/`` holds brief.md, brief.json (all facts
and citations), charts/*.png and the exports."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from pathlib import Path

from assistant.briefs.models import Brief
from assistant.errors import InputError, NotFoundError
from assistant.settings import Settings

ID_RE = re.compile(r"^[A-Za-z0-9_.-]{1,120}$")


def new_brief_id(payer_id: str, created_at: dt.datetime) -> str:
    """A sortable, unique id: <payer>-<UTC timestamp>-<4 hex>."""
    safe = re.sub(r"[^A-Za-z0-9]+", "", payer_id)[:20] or "payer"
    return f"{safe}-{created_at:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:4]}"


def brief_dir(settings: Settings, brief_id: str) -> Path:
    """The folder of one brief (the id is validated: no path tricks)."""
    if not ID_RE.match(brief_id) or brief_id in (".", ".."):
        raise InputError(f"'{brief_id}' is not a brief id")
    return settings.briefs_dir / brief_id


def save_brief(settings: Settings, brief: Brief) -> Path:
    """Write brief.md and brief.json; return the folder."""
    folder = brief_dir(settings, brief.brief_id)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "brief.md").write_text(brief.markdown, encoding="utf-8")
    tmp = folder / "brief.json.tmp"
    tmp.write_text(brief.model_dump_json(indent=1), encoding="utf-8")
    tmp.replace(folder / "brief.json")
    return folder


def load_brief(settings: Settings, brief_id: str) -> Brief:
    """A stored brief by id (NotFoundError when there is none)."""
    path = brief_dir(settings, brief_id) / "brief.json"
    if not path.is_file():
        raise NotFoundError(f"No brief with id '{brief_id}'")
    return Brief.model_validate_json(path.read_text(encoding="utf-8"))


def list_briefs(settings: Settings, payer: str | None = None) -> list[Brief]:
    """Stored briefs, newest first; ``payer`` filters by payer id or name (case-insensitive)."""
    root = settings.briefs_dir
    if not root.is_dir():
        return []
    out: list[Brief] = []
    for path in root.glob("*/brief.json"):
        try:
            brief = Brief.model_validate_json(path.read_text(encoding="utf-8"))
        except ValueError:
            continue  # a half-written or foreign file is not a brief
        if payer is None or payer.lower() in (brief.payer_id.lower(), brief.payer_name.lower()):
            out.append(brief)
    return sorted(out, key=lambda b: b.created_at, reverse=True)


def latest_brief(settings: Settings, payer_id: str) -> Brief | None:
    """The newest stored brief for a payer, or None."""
    found = list_briefs(settings, payer_id)
    return found[0] if found else None
