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
from assistant.engines.entities import CLAUSE_RES
from assistant.prompts import PROMPTS_DIR
from assistant.tools.contract_search import short_ref

SENTENCE_RE = re.compile(r"\S.*?(?:[.;!?](?=\s|$)|$)", re.S)  # a "." inside $69.25 or 4.3 does not end it


def refusal_text(kind: str, **kw: Any) -> str:
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
    "when where which while whose with within without would your".split()
)


def distinctive_stems(query: str, names: list[str]) -> set[str]:
    """Content words of a query (5-letter stems), minus generic words and payer names."""
    skip = {w for n in names for w in re.findall(r"[a-z]+", n.lower())}
    return {
        w[:5] for w in re.findall(r"[a-z]{5,}", query.lower()) if w not in GENERIC_WORDS and w not in skip
    }


def supports(text: str, stems: set[str]) -> bool:
    """Whether a passage shares at least one distinctive stem with the query."""
    if not stems:
        return True
    words = {w[:5] for w in re.findall(r"[a-z]{5,}", text.lower())}
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
        if searches or terms:
            parts.append(self._clauses(question, searches, terms))
        for call, art in results:
            if call["name"] in ("contract_search", "contract_terms"):
                continue
            if art.get("error"):
                parts.append(refusal_text("tool_error", detail=art["error"]))
                continue
            parts.append(self._analytics(call, art))
        text = "\n\n".join(p.strip() for p in parts if p and p.strip())
        return text or refusal_text("no_results")

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
        cited: set[str] = set()
        by_payer: dict[str, list[dict[str, Any]]] = {}
        for r in term_rows:
            by_payer.setdefault(r["payer_name"], []).append(r)
        hits_by_payer: dict[str, list[tuple[dict[str, Any], str | None, str]]] = {}
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
                if c.get("suspicious"):
                    continue  # text that addresses an AI is never used as evidence
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
                    lines.append(f'> "{quotable(r["quote"])}" [{short_ref(r["chunk_id"])}]')
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
        return "\n".join(lines)
