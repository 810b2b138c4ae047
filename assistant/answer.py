"""The answer object every edge renders: text, citations, figures, model, latency."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from pydantic import BaseModel, Field, model_validator

from assistant.engines.formatting import section_ref

TRACE_SKIP = {
    "as_of",
    "tolerance",
    "basis",
    "default_clean_claim_days",
    "prep_lead_days",
    "target",
    "medicare_locality",
    "retained_revenue_ratio",
}


class Citation(BaseModel):
    """A quoted clause or passage with where it stands.

    ``quote`` is the answering span (the sentences that decide the question, verbatim from
    the document's stored text), never a bare heading; ``char_start``/``char_end`` are its
    offsets in that text, ``section_start``/``section_end`` those of the section around it
    (readable in full through ``chunk_id``).
    """

    n: int = Field(description="Citation number as used in the text, [1], [2] ...")
    document: str
    file: str | None = Field(default=None, description="The source file's name")
    source_path: str | None = None
    page: int | None = None
    page_end: int | None = None
    section: str | None = None
    heading: str | None = None
    quote: str
    char_start: int | None = Field(
        default=None, description="Offset of the quote in the document's stored text"
    )
    char_end: int | None = Field(default=None, description="End offset (exclusive) of the quote")
    section_start: int | None = None
    section_end: int | None = None
    chunk_id: str | None = None
    payer_id: str | None = None

    @model_validator(mode="after")
    def _file_name(self) -> Citation:
        if self.file is None and self.source_path:
            self.file = PurePath(self.source_path.replace("\\", "/")).name
        return self

    @classmethod
    def from_artifact(cls, n: int, c: dict[str, Any]) -> Citation:
        """Citation ``n`` from a tool artifact's citation dict (``quote`` is the span; the
        passage's whole ``text`` only when a tool gave no span)."""
        return cls(
            n=n,
            document=c.get("document") or "",
            source_path=c.get("source_path"),
            page=c.get("page"),
            page_end=c.get("page_end"),
            section=c.get("section"),
            heading=c.get("heading"),
            quote=c.get("quote") or c.get("text", ""),
            char_start=c.get("char_start"),
            char_end=c.get("char_end"),
            section_start=c.get("section_start"),
            section_end=c.get("section_end"),
            chunk_id=c.get("chunk_id"),
            payer_id=c.get("payer_id"),
        )


class Figure(BaseModel):
    """A number stated in an answer, with the tool and filters that produced it."""

    label: str
    value: float | int | str
    unit: str | None = None
    tool: str
    filters: dict[str, Any] = Field(default_factory=dict)
    rows: int | None = None


class Answer(BaseModel):
    """What Parley says back to one question."""

    answer_id: str
    question: str
    text: str
    citations: list[Citation] = Field(default_factory=list)
    figures: list[Figure] = Field(default_factory=list)
    tools_used: list[str] = Field(default_factory=list)
    refused: bool = False
    flagged: list[str] = Field(default_factory=list, description="Sentences dropped as unsupported")
    model: str
    latency_ms: float
    conversation_id: str | None = None

    def to_markdown(self) -> str:
        """Render for people: the text, then numbered sources."""
        lines = [self.text.strip()]
        if self.citations:
            lines.append("")
            lines.append("**Sources**")
            for c in self.citations:
                where = ", ".join(
                    p
                    for p in (
                        c.document,
                        f"p. {c.page}" if c.page else "",
                        section_ref(c.section),
                    )
                    if p
                )
                lines.append(f"[{c.n}] {where}")
        if self.figures:
            lines.append("")
            lines.append("**Figures from**")
            seen: set[str] = set()
            for f in self.figures:
                filt = ", ".join(
                    f"{k}={v}"
                    for k, v in f.filters.items()
                    if v not in (None, "", [], {}) and k not in TRACE_SKIP and not isinstance(v, dict | list)
                )
                key = f"{f.tool}({filt})"
                if key not in seen:
                    seen.add(key)
                    lines.append(f"- {key}" + (f" over {f.rows} rows" if f.rows else ""))
        return "\n".join(lines)
