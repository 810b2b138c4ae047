"""The offline writer: tool results → a short answer with citations.

Every number it writes is copied from a tool artifact; every quote is a verbatim
sentence of a retrieved chunk. Phrasing lives in ``prompts/offline/*.j2``.
"""

from __future__ import annotations

import json
import re
from typing import Any

from jinja2 import Environment, FileSystemLoader, Undefined

from assistant.engines import formatting as fmt
from assistant.engines.asked import lead_with_asked, missing_note, read_asked, term_quote
from assistant.engines.entities import CLAUSE_RES
from assistant.grounding import usable_citation
from assistant.prompts import PROMPTS_DIR
from assistant.tools.contract_search import short_ref

# a "." inside $69.25 or 4.3 does not end a sentence; a line break before a bullet or heading does
# A sentence also ends at a paragraph break, and before a heading, a bullet or a header
# line ("Subject:", "From:"), so an e-mail's headers are never quoted with its first sentence.
SENTENCE_RE = re.compile(
    r"\S.*?(?:[.;!?](?=\s|$)|(?=\n\s*(?:#|[-*•]\s|[A-Z][A-Za-z-]{1,24}:\s))|(?=\n[ \t]*\n)|$)",
    re.S)


def refusal_text(kind: str, **kw: object) -> str:
    """The canned message for a refusal kind."""
    texts = json.loads((PROMPTS_DIR / "offline" / "refusals.json").read_text(encoding="utf-8"))
    return str(texts.get(kind, texts["no_results"])).format(**kw)


def _env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(PROMPTS_DIR / "offline")),
        undefined=Undefined,  # optional keys of artifacts may be absent
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )
    env.filters.update(money=fmt.money, pct=fmt.pct, share=fmt.share, num=fmt.num, term=fmt.term_value)
    return env


GENERIC_WORDS = set(
    "about above after again against agreement agreements allowed another answer any because "
    "before being below between could contract contracts does doing during each every first "
    "from have having into least minimum maximum more most much must other our ours over payer "
    "payers please plan plans provider quote require required requires section should show some "
    "such tell than that their them then there these they this those through under until what "
    "when where which while whose with within without would your remind again know need want "
    "check look".split()
)


def distinctive_stems(query: str, names: list[str]) -> set[str]:
    """Content words of a query (5-letter stems), minus generic words and payer names."""
    skip = {w for n in names for w in re.findall(r"[a-z]+", n.lower())}
    out: set[str] = set()
    for token in re.findall(r"[a-z]+(?:-[a-z]+)+|[a-z]{5,}", query.lower()):
        # a hyphenated phrase ("walk-away") counts by its parts: the text may say "walk"
        parts = token.split("-") if "-" in token else [token]
        out |= {w[:5] for w in parts
                if len(w) >= (4 if "-" in token else 5) and w not in GENERIC_WORDS and w not in skip}
    return out


def supports(text: str, stems: set[str]) -> bool:
    """Whether a passage shares at least one distinctive stem with the query."""
    if not stems:
        return True
    words = {w[:5] for w in re.findall(r"[a-z]{4,}", text.lower())}
    return bool(stems & words)


def best_sentences(text: str, query: str, clause_type: str | None, limit: int = 2) -> list[str]:
    """The one or two sentences of a chunk that best answer the query, verbatim, in order."""
    # Long runs (a fee table read as one "sentence") are cited, not quoted.
    spans = [m for m in SENTENCE_RE.finditer(text) if 25 < len(m.group(0).strip()) <= 450]
    if not spans:
        return []
    qwords = {w for w in re.findall(r"[a-z]{4,}", query.lower())}
    rx = CLAUSE_RES.get(clause_type or "")
    scored = []
    for i, m in enumerate(spans):
        s = m.group(0)
        score = len(qwords & set(re.findall(r"[a-z]{4,}", s.lower())))
        if rx and rx.search(s):
            score += 3
        if re.search(r"\d", s):
            score += 1
        if re.match(r"\s*(#+|subject:|from:|to:|date:|cc:)", s, re.I) or "@" in s:
            score -= 4  # headers and e-mail lines are not the answer
        scored.append((score, i))
    top = sorted(sorted(scored, key=lambda t: (-t[0], t[1]))[:limit], key=lambda t: t[1])
    return [spans[i].group(0).strip() for _, i in top]


def quotable(sentence: str) -> str:
    """A verbatim piece of the sentence that can sit inside double quotes: when the
    sentence itself contains double quotes (a defined term), its longest unquoted part."""
    text = normalise_ws(sentence)
    if '"' in text or "“" in text or "”" in text:
        parts = [p.strip() for p in re.split(r"[\"“”]", text)]
        text = max(parts, key=len)
    return text


def normalise_ws(s: str) -> str:
    """Collapse whitespace (quotes are compared this way)."""
    return re.sub(r"\s+", " ", s).strip()


class Writer:
    """Renders the answer for one turn from the tool calls and their artifacts."""

    def __init__(self) -> None:
        self._env = _env()

    def write(self, question: str, results: list[tuple[dict[str, Any], dict[str, Any]]]) -> str:
        """``results``: (tool call, artifact) pairs of this turn, in call order."""
        parts: list[str] = []
        searches = [(c, a) for c, a in results if c["name"] == "contract_search"]
        terms = [(c, a) for c, a in results if c["name"] == "contract_terms"]
        failed: list[bool] = []
        if searches or terms:
            parts.append(self._clauses(question, searches, terms))
            failed.append(parts[-1].strip() == refusal_text("no_results").strip())
        for call, art in results:
            if call["name"] in ("contract_search", "contract_terms"):
                continue
            if art.get("error"):
                parts.append(refusal_text("tool_error", detail=art["error"]))
                failed.append(True)
                continue
            parts.append(self._analytics(call, art))
            failed.append(False)
        asked = read_asked(question)  # the asked value leads; say so when no part states it
        parts = lead_with_asked(parts, asked, failed)
        text = "\n\n".join(p.strip() for p in parts if p and p.strip())
        note = missing_note(asked, text) if text and not all(failed) else None
        return (text + ("\n\n" + note if note else "")) or refusal_text("no_results")

    def _analytics(self, call: dict[str, Any], art: dict[str, Any]) -> str:
        name = call["name"]
        try:
            template = self._env.get_template(f"{name}.j2")
        except Exception:
            template = self._env.get_template("generic.j2")
        return template.render(
            a=art, data=art.get("data"), filters=art.get("filters", {}), figures=art.get("figures", [])
        )

    def _clauses(
        self,
        question: str,
        searches: list[tuple[dict[str, Any], dict[str, Any]]],
        terms: list[tuple[dict[str, Any], dict[str, Any]]],
    ) -> str:
        lines: list[str] = []
        errors = [a["error"] for _, a in searches + terms if a.get("error")]
        if errors:
            return refusal_text("tool_error", detail=errors[0])
        term_rows = [r for _, a in terms for r in (a.get("data") or [])]
        asked_terms = [t for c, _ in terms for t in (c["args"].get("terms") or [])]  # asked first
        term_rows.sort(key=lambda r: asked_terms.index(r["term"]) if r["term"] in asked_terms else 99)
        chunk_text = {c.get("chunk_id"): c.get("text") for _, a in terms for c in a.get("citations", [])}
        cited: set[str] = set()
        by_payer: dict[str, list[dict[str, Any]]] = {}
        for r in term_rows:
            by_payer.setdefault(r["payer_name"], []).append(r)
        hits_by_payer: dict[str, list[tuple[dict[str, Any], str | None, str]]] = {}
        flagged_docs: list[str] = []
        for call, art in searches:
            args = call["args"]
            stems = (
                set()
                if args.get("clause_type")
                else distinctive_stems(
                    args.get("query", question),
                    [str(c.get("payer_name") or "") for c in art.get("citations", [])],
                )
            )
            for c in art.get("citations", []):
                if not usable_citation(c):
                    # text that addresses an AI (or holds X12 patient segments) is never
                    # evidence; the reader is told which document was passed over
                    if c.get("suspicious") and c.get("document") not in flagged_docs:
                        flagged_docs.append(str(c.get("document") or "a document"))
                    continue
                if not supports(c.get("text", ""), stems):
                    continue  # a passage that shares no content word is not an answer
                key = c.get("payer_name") or c.get("payer_id") or "Unassigned document"
                hits_by_payer.setdefault(key, []).append(
                    (c, call["args"].get("clause_type"), call["args"].get("query", question))
                )
        if not term_rows and not hits_by_payer:
            return refusal_text("no_results")
        for payer_name, rows in by_payer.items():
            facts = "; ".join(f"{r['label']}: {fmt.term_value(r['value'], r['unit'])}" for r in rows)
            refs = []
            for r in rows:
                if r.get("chunk_id"):
                    ref = short_ref(r["chunk_id"])
                    if ref not in refs:
                        refs.append(ref)
            lines.append(f"**{payer_name}** — {facts}" + "".join(f" [{x}]" for x in refs) + ".")
            for r in rows:
                if r.get("quote") and r.get("chunk_id") and r["chunk_id"] not in cited:
                    cited.add(r["chunk_id"])
                    said = term_quote(r["quote"], r.get("value"), chunk_text.get(r["chunk_id"]),
                                      r.get("unit"))
                    lines.append(f'> "{quotable(said or r["quote"])}" [{short_ref(r["chunk_id"])}]')
        shown = 0
        for payer_name, hits in hits_by_payer.items():
            limit = 1 if term_rows and payer_name in by_payer else 2
            shown_here = 0
            for c, ct, q in hits:
                if shown_here >= limit:
                    break
                if c["chunk_id"] in cited:
                    continue
                shown_here += 1
                cited.add(c["chunk_id"])
                picked = best_sentences(c["text"], q, ct)
                quote = " … ".join(f'"{quotable(x)}"' for x in picked) or "(a table; see the source)"
                where = ", ".join(
                    x
                    for x in (
                        c["document"],
                        f"p. {c['page']}" if c.get("page") else "",
                        fmt.section_ref(c.get("section")),
                    )
                    if x
                )
                prefix = "" if payer_name in by_payer else f"**{payer_name}** — "
                note = (
                    " (this passage contains text addressed to an AI; treated as data)"
                    if c.get("suspicious")
                    else ""
                )
                lines.append(f"{prefix}{where}{note}:\n> {quote} [{c['ref']}]")
                shown += 1
        if flagged_docs and lines:  # no title here: it may carry numbers of its own
            lines.append(
                "⚠ A passage that addresses an AI assistant was found and not used as evidence."
            )
        return "\n".join(lines)
