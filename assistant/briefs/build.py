"""Build, store and export negotiation briefs (the public API of ``assistant.briefs``).

``build_brief`` runs the analytics for one payer, retrieves the contract clauses and note
evidence, writes the eight sections from templates (optionally letting a capable chat
model rewrite the narrative, grounding-checked), draws the charts, stores everything under
``settings.briefs_dir/<brief_id>/`` and exports the requested formats.
"""

from __future__ import annotations

import datetime as dt
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from assistant.briefs.models import BRIEF_FORMATS, Brief
from assistant.briefs.store import (
    brief_dir,
    latest_brief,
    list_briefs,
    load_brief,
    new_brief_id,
    save_brief,
)
from assistant.errors import InputError
from assistant.scope import EVERYONE, Scope
from assistant.settings import Settings

__all__ = ["build_brief", "export_brief", "load_brief", "list_briefs", "Brief"]


def parse_formats(formats: str | tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """Normalise 'md,html' or a sequence to a tuple of known formats ('md' always first)."""
    items = formats.split(",") if isinstance(formats, str) else list(formats)
    wanted = [f.strip().lower().lstrip(".") for f in items if f.strip()]
    bad = [f for f in wanted if f not in BRIEF_FORMATS]
    if bad:
        raise InputError(f"Unknown brief format '{bad[0]}'; use {', '.join(BRIEF_FORMATS)}")
    return tuple(dict.fromkeys(["md", *wanted]))


def build_brief(settings: Settings, payer: str, as_of: dt.date | None = None,
                formats: tuple[str, ...] = ("md",), model_spec: str | None = None,
                embedder: Any = None, *, retriever: Any = None, chat_model: Any = None,
                scope: Scope = EVERYONE) -> Brief:
    """Build and store the negotiation brief for ``payer`` (id, name or alias).

    Raises ``UnknownEntityError`` for an unknown payer. A payer without claims or without
    a contract still gets a brief whose affected sections say what is missing.
    ``retriever`` / ``chat_model`` let callers (servers, tests) pass prebuilt ones.
    ``scope`` builds it for a payer-scoped reader: the payer is resolved within it before
    anything is computed (a hidden or unknown payer is refused alike), and other payers
    appear only as aggregates over at least three of them (``assistant.scope``), recorded
    as ``facts.scope``.
    """
    from assistant.analytics.vocabulary import Vocabulary
    from assistant.briefs.charts import make_charts
    from assistant.briefs.cite import Citations
    from assistant.briefs.evidence import batched, embed_queries, find_clauses, find_notes
    from assistant.briefs.facts import gather_facts
    from assistant.briefs.render import to_markdown
    from assistant.briefs.sections import Ctx, build_asks, cite_figures
    from assistant.stores.warehouse import open_warehouse
    from assistant.tools.contract_terms import query_terms

    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    fmts = parse_formats(formats)
    as_of = as_of or settings.today()
    conn = open_warehouse(settings, read_only=True)
    try:
        vocab = Vocabulary.load(conn)
        payer_id = scope.resolve_payer(vocab, payer)
        info = next(p for p in vocab.payers if p.payer_id == payer_id)
        if retriever is None:
            from assistant.retrieval import create_retriever

            retriever = create_retriever(settings, embedder=embedder)
        # The query embeddings (and a cold model load) overlap the analytics and charts;
        # torch and scipy.stats are imported here first, never by both threads at once.
        from assistant.analytics.denials import import_heavy_libraries

        import_heavy_libraries(settings)
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="brief-embed")
        vectors = pool.submit(embed_queries, retriever)
        terms = query_terms(conn, as_of, payer_id, scope=scope)
        facts = gather_facts(conn, payer_id, info.name, info.plan_type, as_of, terms,
                             allowed=scope.allowed)
    finally:
        conn.close()
    timings["analytics"] = time.perf_counter() - t0
    created = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)
    brief_id = new_brief_id(payer_id, created)
    folder = brief_dir(settings, brief_id)
    t3 = time.perf_counter()
    figures = make_charts(facts, folder / "charts")
    timings["charts"] = time.perf_counter() - t3
    t1 = time.perf_counter()
    try:
        cache = vectors.result()
    finally:
        pool.shutdown(wait=False)
    with batched(retriever, cache) as view:
        clauses = find_clauses(view, payer_id, terms, as_of)
        notes = find_notes(view, payer_id, as_of)
    timings["retrieval"] = time.perf_counter() - t1
    ctx = Ctx(facts=facts, cites=Citations(), clauses=clauses, notes=notes)
    cite_figures(ctx)
    asks = build_asks(ctx)
    model_name = "offline"
    narrative = points = None
    from assistant.briefs.narrative import wants_model

    if chat_model is not None or wants_model(settings, model_spec):
        t2 = time.perf_counter()
        model_name, narrative, points = _model_text(settings, model_spec, chat_model, ctx, asks)
        timings["model"] = time.perf_counter() - t2
    sections = _sections(ctx, asks, narrative, points)
    previous = latest_brief(settings, payer_id)
    if previous is not None and previous.facts.get("scope") != facts.scope:
        previous = None  # never compare with a brief built for another reader's scope
    from assistant.briefs.deal import changes_section, headline_figures

    headline = headline_figures(ctx)
    change = changes_section(ctx, previous, headline, [a.key for a in asks])
    if change is not None:
        sections.insert(1, change)
    citations = ctx.cites.items
    markdown = to_markdown(brief_id=brief_id, payer_name=info.name, plan_type=info.plan_type,
                           as_of=as_of, created_at=created, model=model_name,
                           sections=sections, figures=figures, citations=citations)
    brief = Brief(brief_id=brief_id, payer_id=payer_id, payer_name=info.name,
                  created_at=created, as_of=as_of, markdown=markdown, summary=asks,
                  sections=sections, citations=citations, figures=figures,
                  facts={**_facts_json(facts, headline, clauses, notes), "derived": ctx.derived,
                         "previous": _previous_json(previous)},
                  previous_brief_id=previous.brief_id if previous else None, model=model_name)
    save_brief(settings, brief)
    brief.files["md"] = str(folder / "brief.md")
    t4 = time.perf_counter()
    for fmt in fmts:
        if fmt != "md":
            brief.files[fmt] = str(_export(brief, folder, fmt))
    timings["exports"] = time.perf_counter() - t4
    timings["total"] = time.perf_counter() - t0
    brief.timings = {k: round(v, 3) for k, v in timings.items()}
    save_brief(settings, brief)
    return brief


def export_brief(settings: Settings, brief_id: str, fmt: str) -> Path:
    """Export a stored brief to ``fmt`` (md, html, docx, pdf); returns the file path."""
    (fmt,) = parse_formats(fmt)[-1:]
    brief = load_brief(settings, brief_id)
    folder = brief_dir(settings, brief_id)
    if fmt == "md":
        return folder / "brief.md"
    path = _export(brief, folder, fmt)
    brief.files[fmt] = str(path)
    save_brief(settings, brief)
    return path


def _export(brief: Brief, folder: Path, fmt: str) -> Path:
    from assistant.briefs.export import to_docx, to_pdf
    from assistant.briefs.render import to_html

    path = folder / f"brief.{fmt}"
    if fmt == "html":
        path.write_text(to_html(brief, folder), encoding="utf-8")
    elif fmt == "docx":
        to_docx(brief, folder, path)
    elif fmt == "pdf":
        to_pdf(brief, folder, path)
    return path


def _sections(ctx: Any, asks: list[Any], narrative: str | None,
              points: str | None) -> list[Any]:
    from assistant.briefs.deal import (
        beyond_section,
        counteroffer_section,
        language_section,
        walkaway_section,
    )
    from assistant.briefs.sections import (
        compliance_section,
        position_section,
        rates_section,
        summary_section,
    )

    summary = summary_section(ctx, asks)
    if narrative:
        summary.markdown = narrative + "\n\n" + summary.markdown
        summary.model_written = True
    counter = counteroffer_section(ctx, written_points=points)
    counter.model_written = bool(points)
    return [summary, position_section(ctx), rates_section(ctx), compliance_section(ctx),
            language_section(ctx), beyond_section(ctx), walkaway_section(ctx), counter]


def _model_text(settings: Settings, model_spec: str | None, chat_model: Any, ctx: Any,
                asks: list[Any]) -> tuple[str, str | None, str | None]:
    """(model name, summary narrative, talking points) — None parts keep the template."""
    from assistant.briefs.deal import talking_points
    from assistant.briefs.narrative import write_grounded

    name = model_spec or settings.chat_model
    if chat_model is None:
        from assistant.engines.providers import create_chat_model

        chat_model = create_chat_model(settings, model_spec)
        name = model_spec or settings.chat_model
    else:
        name = getattr(chat_model, "model_name", None) or type(chat_model).__name__
    facts = {"asks": [a.model_dump(mode="json") for a in asks],
             "talking_points": _jsonable(talking_points(ctx))}
    payer = ctx.facts.payer_name
    practice = "the practice"
    narrative = write_grounded(chat_model, "a 3-5 bullet executive overview of the asks",
                               facts, practice, payer, max_items=5)
    points = write_grounded(chat_model, "the talking points for the negotiator to say "
                            "in the meeting", facts, practice, payer)
    return str(name), narrative, points


def _jsonable(obj: Any) -> Any:
    from pydantic import BaseModel

    from assistant.briefs.evidence import Passage

    if isinstance(obj, BaseModel):
        return obj.model_dump(mode="json")
    if isinstance(obj, Passage):
        return {"quote": obj.flat, "document": obj.hit.title, "page": obj.hit.page_start,
                "section": obj.hit.section}
    if isinstance(obj, dict):
        return {k: _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_jsonable(v) for v in obj]
    if hasattr(obj, "__dataclass_fields__"):
        return {k: _jsonable(getattr(obj, k)) for k in obj.__dataclass_fields__}
    return obj if isinstance(obj, str | int | float | bool | type(None)) else str(obj)


def _previous_json(previous: Brief | None) -> dict[str, Any] | None:
    """The earlier brief the "changes" section compares with: its id, build time and figures."""
    if previous is None:
        return None
    return {"brief_id": previous.brief_id, "built": f"{previous.created_at:%Y-%m-%d %H:%M}",
            "as_of": previous.as_of.isoformat(), "headline": previous.facts.get("headline", {})}


def _facts_json(facts: Any, headline: dict[str, Any], clauses: dict[str, Any],
                notes: dict[str, Any]) -> dict[str, Any]:
    """Everything the brief states, for brief.json."""
    out = {k: _jsonable(getattr(facts, k)) for k in (
        "payer_id", "payer_name", "plan_type", "as_of", "year", "me", "top_rates", "others",
        "variance", "timeliness", "timeliness_year", "denials", "walkaway",
        "walkaway_retained", "deadlines", "terms", "tic", "groups", "policy", "scope")}
    out["gap_by_payer"] = facts.rates.gap_by_payer
    out["headline"] = headline
    out["clauses"] = {k: {"quote": p.quote, "chunk_id": p.hit.chunk_id,
                          "document": p.hit.title, "source_path": p.hit.source_path,
                          "page": p.hit.page_start, "section": p.hit.section}
                      for k, p in clauses.items()}
    out["notes"] = {k: [{"quote": p.quote, "chunk_id": p.hit.chunk_id, "document": p.hit.title}
                        for p in v] for k, v in notes.items()}
    return out
