"""CUAD inputs for the CUAD suite: expert labels, span location, questions, baseline chunks.

CUAD (The Atticus Project, CC BY 4.0; ``../shared/data/cuad/``) labels, for 510 real
contracts and 41 categories, the verbatim clause text. Only categories mapped from
``CLAUSE_TYPES[*].cuad_categories`` are used. A label is located in a contract's text
after collapsing whitespace; when the exact text is not found (CUAD labels sometimes
differ from the .txt by punctuation or line breaks) a fuzzy alignment (rapidfuzz, score
≥ 90) is accepted, and labels still not found are counted.
"""

from __future__ import annotations

import ast
import csv
import hashlib
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.vocabulary import CLAUSE_TYPES

if TYPE_CHECKING:
    from assistant.embeddings import TextEmbedder
    from assistant.retrieval import ContractRetriever
    from assistant.settings import Settings
    from ingest.job import IngestSummary

FUZZY_MIN = 90.0

# Generic questions a negotiator would ask of any contract, one per CUAD category.
QUESTIONS: dict[str, str] = {
    "Renewal Term": (
        "Does this agreement renew automatically, and for how long is each renewal term?"
    ),
    "Notice Period To Terminate Renewal": (
        "How much notice is needed to stop the agreement from renewing?"
    ),
    "Expiration Date": "When does this agreement expire or how long is its initial term?",
    "Termination For Convenience": (
        "Can this agreement be terminated for convenience, without cause, on notice?"
    ),
    "Most Favored Nation": (
        "Is there a most favored nation clause guaranteeing terms at least as good as those "
        "given to others?"
    ),
    "Anti-Assignment": (
        "Can a party assign or transfer this agreement without the other party's consent?"
    ),
    "Governing Law": "Which state's or country's law governs this agreement?",
    "Audit Rights": "Does a party have the right to audit the other party's books and records?",
}


def mapped_categories() -> dict[str, str]:
    """CUAD category → Parley clause type, from the vocabulary."""
    return {cat: ct.key for ct in CLAUSE_TYPES.values() for cat in ct.cuad_categories}


def load_labels(cuad_dir: Path) -> dict[str, dict[str, list[str]]]:
    """``{contract file name: {category: [label texts]}}`` for the mapped categories."""
    csv.field_size_limit(sys.maxsize)
    cats = mapped_categories()
    out: dict[str, dict[str, list[str]]] = {}
    with (cuad_dir / "master_clauses.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            name = row["Filename"]
            labels: dict[str, list[str]] = {}
            for cat in cats:
                raw = (row.get(cat) or "").strip()
                try:
                    spans = ast.literal_eval(raw) if raw.startswith("[") else []
                except (ValueError, SyntaxError):
                    spans = [raw]
                spans = [s for s in spans if isinstance(s, str) and s.strip()]
                if spans:
                    labels[cat] = spans
            out[name] = labels
    return out


def contract_path(cuad_dir: Path, filename: str) -> Path | None:
    """The contract's text file (CSV names are the PDF names)."""
    stem = filename[:-4] if filename.lower().endswith(".pdf") else filename
    p = cuad_dir / "contracts" / f"{stem}.txt"
    return p if p.exists() else None


@dataclass
class IngestedContracts:
    """CUAD contracts ingested by Parley's real job into a private data folder."""

    settings: Settings
    doc_ids: dict[str, str]  # file name -> doc_id
    retriever: ContractRetriever
    summary: IngestSummary


def ingest_contracts(cuad_dir: Path, names: list[str], tmp: Path,
                     embedder: TextEmbedder) -> IngestedContracts:
    """Copy ``names`` under ``tmp/contracts``, ingest them into ``tmp/data`` and open the
    retriever over them (the CUAD and spans suites both search this way)."""
    import shutil

    from assistant.retrieval import create_retriever
    from assistant.settings import Settings
    from ingest.job import run_ingest

    src = tmp / "contracts"
    src.mkdir()
    for n in names:
        shutil.copy(contract_path(cuad_dir, n), src)  # type: ignore[arg-type]
    settings = Settings(data_dir=tmp / "data", environment="test")
    summary = run_ingest(settings, [src], embedder=embedder)
    doc_ids = {Path(r.path).name: r.doc_id for r in summary.results if r.doc_id}
    return IngestedContracts(settings, doc_ids, create_retriever(settings, embedder=embedder),
                             summary)


def pick_contracts(
    labels: dict[str, dict[str, list[str]]], cuad_dir: Path, limit: int | None,
    max_bytes: int | None = None,
) -> list[str]:
    """A deterministic, name-independent subset: contracts with ≥ 1 mapped label, by hash;
    with ``max_bytes``, only contracts whose text file is at most that size (the cost of a
    run is the text embedded, so a budgeted run takes shorter contracts, never other ones)."""
    names = []
    for n, lab in labels.items():
        path = contract_path(cuad_dir, n)
        if lab and path and (max_bytes is None or path.stat().st_size <= max_bytes):
            names.append(n)
    names.sort(key=lambda n: hashlib.sha1(n.encode()).hexdigest())
    return names[:limit] if limit else names


@dataclass
class Normalised:
    """Whitespace-collapsed lower-case text with a map back to original offsets."""

    text: str
    offsets: list[int] = field(default_factory=list)

    @classmethod
    def of(cls, raw: str) -> Normalised:
        """Collapse whitespace runs to one space, keeping where each char came from."""
        chars, offs, prev_space = [], [], False
        for i, ch in enumerate(raw):
            if ch.isspace():
                if prev_space:
                    continue
                chars.append(" ")
                prev_space = True
            else:
                chars.append(ch.lower())
                prev_space = False
            offs.append(i)
        offs.append(len(raw))
        return cls("".join(chars), offs)


def _norm_label(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def locate(label: str, doc: Normalised) -> tuple[int, int] | None:
    """Original-text span of ``label`` in the document, exact then fuzzy; None if absent."""
    needle = _norm_label(label)
    if not needle:
        return None
    i = doc.text.find(needle)
    if i >= 0:
        return doc.offsets[i], doc.offsets[i + len(needle) - 1] + 1
    from rapidfuzz import fuzz

    probe = needle[:300]
    al = fuzz.partial_ratio_alignment(probe, doc.text, score_cutoff=FUZZY_MIN)
    if al is None:
        return None
    start = al.dest_start
    end = min(len(doc.text), start + len(needle)) if len(needle) > len(probe) else al.dest_end
    return doc.offsets[start], doc.offsets[max(start, end - 1)] + 1


def fixed_chunks(text: str, size: int = 1000, overlap: int = 200) -> list[tuple[int, int, str]]:
    """The baseline chunks: RecursiveCharacterTextSplitter(size/overlap) with start offsets."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(
        chunk_size=size, chunk_overlap=overlap, add_start_index=True
    )
    out = []
    for d in splitter.create_documents([text]):
        start = int(d.metadata.get("start_index", -1))
        if start < 0:
            start = max(0, text.find(d.page_content))
        out.append((start, start + len(d.page_content), d.page_content))
    return out
