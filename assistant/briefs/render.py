"""Render a brief as Markdown (always) and HTML (charts embedded as base64)."""

from __future__ import annotations

import base64
import html
import re
from pathlib import Path

from assistant.briefs.models import Brief, Citation, Figure, Section
from assistant.prompts import load_prompt

CHART_SECTIONS = {"revenue_share": "position", "rates_vs_medicare": "rates",
                  "denial_trend": "compliance", "days_to_pay": "compliance"}
REF_RE = re.compile(r"\[(\d+)\]")
IMG_RE = re.compile(r'<img src="([^"]+\.png)"')


def to_markdown(*, brief_id: str, payer_name: str, plan_type: str | None, as_of: object,
                created_at: object, model: str, sections: list[Section],
                figures: list[Figure], citations: list[Citation]) -> str:
    """The whole brief as Markdown: header, sections with their charts, Sources."""
    charts: dict[str, list[Figure]] = {}
    for fig in figures:
        charts.setdefault(CHART_SECTIONS.get(fig.key, "rates"), []).append(fig)
    text = load_prompt("brief/brief.md.j2", brief_id=brief_id, payer_name=payer_name,
                       plan_type=plan_type, as_of=as_of, created_at=created_at, model=model,
                       sections=sections, charts=charts, citations=citations)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def to_html(brief: Brief, brief_dir: Path) -> str:
    """HTML of the brief's Markdown; footnote markers link to Sources, charts inline."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    body = md.render(brief.markdown)
    body = _link_refs(body)

    def embed(m: re.Match[str]) -> str:
        path = brief_dir / html.unescape(m.group(1))
        if not path.is_file():
            return m.group(0)
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        return f'<img src="data:image/png;base64,{data}"'

    body = IMG_RE.sub(embed, body)
    return load_prompt("brief/html.html.j2", title=html.escape(
        f"Negotiation brief: {brief.payer_name}"), body=body)


def _link_refs(body: str) -> str:
    """Turn [n] into links to the Sources entries, and give those entries anchors."""
    head, sep, tail = body.partition("<h2>Sources</h2>")
    head = REF_RE.sub(r'<sup><a class="ref" href="#src-\1">[\1]</a></sup>', head)
    if sep:
        tail = re.sub(r"<p>\[(\d+)\]", r'<p id="src-\1">[\1]', tail)
    return head + sep + tail
