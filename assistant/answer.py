"""The answer object every edge renders: text, citations, figures, model, latency."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

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
    """A quoted clause or passage with where it stands."""

    n: int = Field(description="Citation number as used in the text, [1], [2] ...")
    document: str
    source_path: str | None = None
    page: int | None = None
    page_end: int | None = None
    section: str | None = None
    heading: str | None = None
    quote: str
    chunk_id: str | None = None
    payer_id: str | None = None


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
