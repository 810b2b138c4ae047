"""Hits carry the answering span; citations quote it, verbatim, with its offsets (issue 16).

Real parts: the sample practice ingested by the real job, the real retriever and embedding
model; the offline engine answers (no chat model).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assistant.answer import Citation
from assistant.grounding import Evidence
from assistant.retrieval import Hit, create_retriever
from assistant.spans import MIN_SENTENCE, search_spans, span_fields, term_fields, term_span
from connectors.slack.blocks import cite_line
from ingest.job import text_path

MFN = "Is there a most favored nation clause guaranteeing rates at least as good as others get?"


def _stored(practice: Any, hit: Hit) -> str:
    return text_path(practice.settings, hit.doc_id).read_text(encoding="utf-8")


def test_hits_carry_the_obligation_sentence_with_document_offsets(practice: Any) -> None:
    retriever = create_retriever(practice.settings, embedder=practice.embedder)
    hits = search_spans(retriever, MFN, k=4)
    assert hits and all(h.has_span for h in hits)
    for h in hits:
        s, e = h.quote_range
        assert h.char_start <= s < e <= h.char_end  # inside its section
        assert _stored(practice, h)[s:e] == h.quote  # verbatim in the stored text
        assert h.quote in h.text  # the parent section stays readable
        assert len(h.quote) >= MIN_SENTENCE and h.quote.strip() != h.heading.strip()
    top = hits[0].quote.lower()
    assert "most_favored_nation" in hits[0].clause_types
    assert "rates" in top or "reimbursement" in top
    assert len(hits[0].quote) < len(hits[0].text)  # narrower than the section
    # one span per chunk for the tools, and the same chunks as the plain search
    assert len({h.chunk_id for h in hits}) == len(hits)
    assert {h.chunk_id for h in hits} == {h.chunk_id for h in retriever.search(MFN, k=4)}


def test_a_term_quote_that_is_only_a_heading_becomes_the_clause_sentence() -> None:
    text = ("5.3 Most Favored Nation.\n\nProvider shall not agree with any other payer to rates "
            "lower than these without offering the same rates to Payer. Notices go by mail.")
    hit = Hit(chunk_id="c", text=text, score=0.0, doc_id="d", title="T", source_path="/x/t.pdf",
              payer_id=None, payer_name=None, doc_type="contract", contract_id=None,
              effective_date=None, page_start=3, page_end=3, section="5.3",
              heading="Most Favored Nation", char_start=100, char_end=100 + len(text))
    s, e = term_span(hit, "5.3 Most Favored Nation.")
    quote = text[s - 100 : e - 100]
    assert quote.startswith("Provider shall not agree") and quote.endswith("to Payer.")
    # an operative stored quote is kept where it stands (its whitespace may differ)
    stored = "Provider shall not agree with  any other payer to rates\nlower than these"
    s2, e2 = term_span(hit, stored)
    assert (s2 - 100, e2 - 100) == (text.index("Provider"), text.index(" without"))
    fields = term_fields(hit, "5.3 Most Favored Nation.")
    assert fields["quote"] == quote and (fields["char_start"], fields["char_end"]) == (s, e)
    assert (fields["section_start"], fields["section_end"]) == (100, 100 + len(text))


def test_citations_show_file_page_section_and_offsets(practice: Any) -> None:
    retriever = create_retriever(practice.settings, embedder=practice.embedder)
    hit = search_spans(retriever, MFN, k=1)[0]
    artifact = {"document": hit.title, "source_path": hit.source_path, "page": hit.page_start,
                "page_end": hit.page_end, "section": hit.section, "heading": hit.heading,
                "chunk_id": hit.chunk_id, "text": hit.text, **span_fields(hit)}
    c = Citation.from_artifact(1, artifact)
    assert c.file == Path(hit.source_path).name and c.quote == hit.quote
    assert _stored(practice, hit)[c.char_start : c.char_end] == c.quote  # type: ignore[misc]
    dumped = c.model_dump()  # what the HTTP API returns
    assert {"file", "page", "section", "char_start", "char_end", "quote"} <= dumped.keys()
    # grounding: a quote of the span is supported by this artifact
    assert Evidence.from_artifacts([{"citations": [artifact]}]).supports_quote(c.quote)
    line = cite_line(c)
    assert c.file in line and f"p. {c.page}" in line and f"§ {c.section}" in line  # type: ignore[operator]
    assert " ".join(c.quote.split())[:100] in line


def test_slack_line_shows_a_page_range_and_the_file_once() -> None:
    c = Citation(n=2, document="keystone.pdf", source_path="/srv/x/keystone.pdf", page=4,
                 page_end=5, section="7.2", quote="Provider shall submit claims within 90 days.")
    assert cite_line(c) == ("[2] keystone.pdf, pp. 4–5, § 7.2 — "
                            "“Provider shall submit claims within 90 days.”")


def test_offline_answer_quotes_spans_not_headings(practice: Any, offline_assistant: Any) -> None:
    payer = practice.truth["payers"][0]
    answer = offline_assistant.ask(f"Does {payer['name']} have a most favored nation clause?",
                                   as_of=practice.as_of)
    assert answer.citations
    retriever = create_retriever(practice.settings, embedder=practice.embedder)
    for c in answer.citations:
        hit = retriever.get_chunk(c.chunk_id)
        assert hit is not None
        assert c.quote.strip() != (c.heading or "").strip() and len(c.quote) >= MIN_SENTENCE
        assert " ".join(c.quote.split()) in " ".join(_stored(practice, hit).split())
