"""Types of a negotiation brief: citations, asks, sections, figures and the brief itself.

A ``Brief`` is what ``build_brief`` returns and what ``store.py`` keeps as ``brief.json``:
the rendered Markdown plus every fact and citation it was built from, so the brief can be
fetched again, exported later and compared with the next one for the same payer.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field

BRIEF_FORMATS = ("md", "html", "docx", "pdf")


class Citation(BaseModel):
    """One numbered source: a clause or note passage (document, page, section, quote) or
    a figure (the analytics function and the filters that produced it)."""

    n: int
    kind: Literal["clause", "note", "figure"]
    label: str
    document: str | None = None
    source_path: str | None = None
    page: int | None = None
    section: str | None = None
    chunk_id: str | None = None
    quote: str | None = None
    function: str | None = None
    filters: dict[str, Any] = Field(default_factory=dict)
    row_count: int | None = None

    def footnote(self) -> str:
        """The one-line text of this source in a Sources list."""
        if self.kind == "figure":
            shown = {k: v for k, v in self.filters.items() if v not in (None, "", {}, [])}
            args = ", ".join(f"{k}={_short(v)}" for k, v in shown.items())
            rows = f" over {self.row_count:,} rows" if self.row_count is not None else ""
            return f"{self.label}: `{self.function}({args})`{rows}"
        where = ", ".join(x for x in (
            f"p. {self.page}" if self.page else None, self.section or None) if x)
        return f"{self.document or self.source_path}" + (f", {where}" if where else "")


def _short(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_short(v)}" for k, v in value.items()
                               if v not in (None, [], {})) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_short(v) for v in value) + "]"
    return str(value)


class Ask(BaseModel):
    """One of the headline asks of the Summary, with the money at stake per year."""

    key: str
    title: str
    detail: str
    annual_value: float | None = None
    refs: list[int] = Field(default_factory=list)


class Section(BaseModel):
    """One rendered section of the brief."""

    key: str
    title: str
    markdown: str
    missing: list[str] = Field(default_factory=list)
    model_written: bool = False


class Figure(BaseModel):
    """One chart: its PNG path relative to the brief folder and a caption."""

    key: str
    title: str
    path: str
    caption: str = ""


class Brief(BaseModel):
    """A stored negotiation brief."""

    brief_id: str
    payer_id: str
    payer_name: str
    created_at: dt.datetime
    as_of: dt.date
    markdown: str
    summary: list[Ask]
    sections: list[Section]
    citations: list[Citation]
    figures: list[Figure] = Field(default_factory=list)
    files: dict[str, str] = Field(default_factory=dict)
    facts: dict[str, Any] = Field(default_factory=dict)
    previous_brief_id: str | None = None
    model: str = "offline"
    timings: dict[str, float] = Field(default_factory=dict)
