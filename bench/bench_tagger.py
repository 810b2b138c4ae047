"""Measure the rule-based clause tagger against CUAD's expert labels.

For each of the 510 CUAD contracts: parse and chunk the text exactly as ``parley ingest``
does, tag every chunk, and compare with the expert-labelled spans of the CUAD categories
mapped to each clause type (``ClauseType.cuad_categories``). A chunk is a gold positive
when it overlaps a labelled span. Prints chunk-level and document-level precision, recall
and F1 per clause type.

    python bench/bench_tagger.py [--limit N] [--cuad ../shared/data/cuad]
"""

from __future__ import annotations

import argparse
import ast
import csv
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

from assistant.vocabulary import CLAUSE_TYPES
from ingest.chunking import chunk_document
from ingest.clauses import tag_clauses
from ingest.parsers.text import parse_text

DEFAULT_CUAD = Path(__file__).resolve().parents[2] / "shared" / "data" / "cuad"


def _normalised(text: str) -> tuple[str, list[int]]:
    """Whitespace-collapsed lower-case text and the original offset of each character."""
    out, index = [], []
    prev_space = False
    for i, ch in enumerate(text):
        if ch.isspace():
            if prev_space:
                continue
            out.append(" ")
            prev_space = True
        else:
            out.append(ch.lower())
            prev_space = False
        index.append(i)
    return "".join(out), index


def locate(text_norm: str, index: list[int], span: str) -> tuple[int, int] | None:
    """Original (start, end) of a labelled span, matched with collapsed whitespace."""
    needle = re.sub(r"\s+", " ", span.strip().lower())
    if not needle:
        return None
    pos = text_norm.find(needle)
    if pos < 0:
        pos = text_norm.find(needle[:80])
        if pos < 0:
            return None
        end = min(len(index) - 1, pos + len(needle) - 1)
    else:
        end = pos + len(needle) - 1
    return index[pos], index[end] + 1


def load_labels(cuad: Path) -> dict[str, dict[str, list[str]]]:
    """{contract stem: {category: [spans]}} for the categories the taxonomy maps."""
    csv.field_size_limit(10**9)
    wanted = {cat for ct in CLAUSE_TYPES.values() for cat in ct.cuad_categories}
    labels: dict[str, dict[str, list[str]]] = {}
    with (cuad / "master_clauses.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            stem = Path(row["Filename"]).stem
            labels[stem] = {}
            for cat in wanted:
                try:
                    spans = ast.literal_eval(row.get(cat) or "[]")
                except (ValueError, SyntaxError):
                    spans = []
                labels[stem][cat] = [s for s in spans if s.strip()]
    return labels


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """Precision, recall, F1."""
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def main(argv: list[str] | None = None) -> int:
    """Run the measurement and print the table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cuad", type=Path, default=DEFAULT_CUAD)
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument(
        "--skip",
        type=int,
        default=0,
        help="leave out the first N contracts (the ones looked at while writing rules)",
    )
    args = ap.parse_args(argv)
    labels = load_labels(args.cuad)
    files = sorted((args.cuad / "contracts").glob("*.txt"))[args.skip :]
    if args.limit:
        files = files[: args.limit]
    measured = {k: ct for k, ct in CLAUSE_TYPES.items() if ct.cuad_categories}
    chunk_counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    doc_counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    unlocated = n_chunks = 0
    t0 = time.perf_counter()
    for path in files:
        doc_labels = labels.get(path.stem)
        if doc_labels is None:
            continue
        doc = parse_text(path.read_bytes())
        chunks = chunk_document(doc, title=path.stem)
        n_chunks += len(chunks)
        norm, index = _normalised(doc.text)
        tags = [set(tag_clauses(c.text, c.heading)) for c in chunks]
        for key, ct in measured.items():
            spans = []
            for cat in ct.cuad_categories:
                for s in doc_labels.get(cat, []):
                    loc = locate(norm, index, s)
                    if loc is None:
                        unlocated += 1
                    else:
                        spans.append(loc)
            gold = [any(a < c.char_end and c.char_start < b for a, b in spans) for c in chunks]
            pred = [key in t for t in tags]
            cc = chunk_counts[key]
            for g, p in zip(gold, pred, strict=True):
                cc[0] += g and p
                cc[1] += p and not g
                cc[2] += g and not p
            dg = any(doc_labels.get(cat) for cat in ct.cuad_categories)
            dp = any(pred)
            dc = doc_counts[key]
            dc[0] += dg and dp
            dc[1] += dp and not dg
            dc[2] += dg and not dp
    secs = time.perf_counter() - t0
    print(
        f"CUAD tagger benchmark: {len(files)} contracts, {n_chunks} chunks, {secs:.1f} s "
        f"({unlocated} labelled spans not found in the text)"
    )
    print(
        f"{'clause type':28} {'CUAD categories':58} | {'chunk P':>7} {'R':>5} {'F1':>5} "
        f"{'gold':>5} | {'doc P':>5} {'R':>5} {'F1':>5} {'gold':>4}"
    )
    for key, ct in measured.items():
        tp, fp, fn = chunk_counts[key]
        p, r, f = prf(tp, fp, fn)
        dtp, dfp, dfn = doc_counts[key]
        dp, dr, df = prf(dtp, dfp, dfn)
        cats = ", ".join(ct.cuad_categories)[:58]
        print(
            f"{key:28} {cats:58} | {p:7.2f} {r:5.2f} {f:5.2f} {tp + fn:5d} | "
            f"{dp:5.2f} {dr:5.2f} {df:5.2f} {dtp + dfn:4d}"
        )
    others = [k for k in CLAUSE_TYPES if k not in measured]
    print(f"not measured (no CUAD category): {', '.join(others)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
