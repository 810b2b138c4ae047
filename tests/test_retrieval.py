"""Hybrid retriever over a small ingested corpus (real Chroma, real embeddings)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from assistant.local_index import ALL, LocalIndex, tokenize
from assistant.retrieval import (
    build_where,
    create_retriever,
    focus_question,
    names_document,
)
from assistant.settings import Settings
from assistant.stores.vectors import create_vector_store
from ingest.job import IngestJob
from tests.ingest.helpers import CONTRACT, CountingEmbedder

OTHER = (
    CONTRACT.replace("Northwind Health Plan, Inc.", "Keystone Mutual")
    .replace("NW-2024-001", "KS-7")
    .replace("January 1, 2024", "March 1, 2026")
    .replace("ninety (90) days after", "one hundred eighty (180) days after")
)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root = tmp_path_factory.mktemp("retrieval")
    src = root / "src"
    src.mkdir()
    (src / "northwind.txt").write_text(CONTRACT)
    (src / "keystone.txt").write_text(OTHER)
    (src / "notes.md").write_text("# Call notes\n\nKeystone hinted at a 3% increase in 2026.\n")
    settings = Settings(data_dir=root / "data")
    IngestJob(settings, embedder=CountingEmbedder()).run([src])  # type: ignore[arg-type]
    return settings


def test_hybrid_search_finds_the_clause(corpus: Settings) -> None:
    r = create_retriever(corpus, embedder=CountingEmbedder())  # type: ignore[arg-type]
    hits = r.search("What is the timely filing limit?", k=3)
    assert hits[0].section == "2.1" and "timely_filing" in hits[0].clause_types
    h = hits[0]
    assert h.title and h.source_path.endswith(".txt") and h.page_start == 1
    full = Path(corpus.data_dir / "texts" / f"{h.doc_id}.txt").read_text()
    assert full[h.char_start : h.char_end] == h.text
    assert hits[0].score >= hits[-1].score


def test_filters(corpus: Settings) -> None:
    r = create_retriever(corpus, embedder=CountingEmbedder())  # type: ignore[arg-type]
    notes = r.search("increase", k=5, doc_types=["note"])
    assert notes and all(h.doc_type == "note" for h in notes)
    gl = r.search("which state law applies", k=5, clause_types=["governing_law"])
    assert gl and all("governing_law" in h.clause_types for h in gl)
    early = r.search("timely filing", k=10, as_of=dt.date(2025, 1, 1))
    assert early and all(
        h.effective_date is None or h.effective_date <= "2025-01-01" for h in early
    )
    assert not any("180" in h.text for h in early)


def test_get_chunk_and_empty_query(corpus: Settings) -> None:
    r = create_retriever(corpus, embedder=CountingEmbedder())  # type: ignore[arg-type]
    hit = r.search("appeal a denial", k=1)[0]
    assert r.get_chunk(hit.chunk_id).text == hit.text  # type: ignore[union-attr]
    assert r.get_chunk("nope") is None
    assert r.search("   ") == []


def test_bm25_refreshes_when_collection_changes(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_text("1.1 Audit. Payer may audit the books and records yearly.\n")
    IngestJob(settings, embedder=CountingEmbedder()).run([src])  # type: ignore[arg-type]
    r = create_retriever(settings, embedder=CountingEmbedder())  # type: ignore[arg-type]
    assert r.search("zyxomatic", k=1)[0].text.startswith("1.1 Audit")
    (src / "b.txt").write_text("2.1 Zyxomatic clause. The zyxomatic procedure needs approval.\n")
    IngestJob(settings, embedder=CountingEmbedder()).run([src])  # type: ignore[arg-type]
    assert "zyxomatic" in r.search("zyxomatic", k=1)[0].text


def test_where_and_tokenize() -> None:
    assert build_where(None, None, None, None) is None
    w = build_where(["p1"], ["timely_filing", "appeals"], None, 20250101)
    assert w == {
        "$and": [
            {"payer_id": {"$in": ["p1"]}},
            {"$or": [{"ct_timely_filing": True}, {"ct_appeals": True}]},
            {"effective_ord": {"$lte": 20250101}},
        ]
    }
    assert tokenize("Section 7.2: 90 days") == ["section", "7.2", "90", "days"]


FILTER_CASES = [
    {},
    {"doc_types": ["note"]},
    {"doc_types": ["contract", "amendment"], "as_of_ord": 20250101},
    {"clause_types": ["timely_filing", "appeals"]},
    {"clause_types": ["no_such_type"]},
    {"payer_ids": ["nobody"]},
    {"payer_ids": ["PAYER"], "clause_types": ["governing_law"], "as_of_ord": 20300101},
]


@pytest.mark.parametrize("filters", FILTER_CASES)
def test_local_mask_selects_what_chroma_where_selects(practice, filters: dict) -> None:  # type: ignore[no-untyped-def]
    """The in-process filter and Chroma's where-filter state the same rules twice (the
    Chroma one serves indexes above LOCAL_DENSE_MAX): they must pick the same chunks
    (on the sample practice: several payers, contracts, amendments, notes)."""
    store = create_vector_store(practice.settings)
    index = LocalIndex(list(store.iter_all(embeddings=True)))
    payers = sorted({str(c.metadata.get("payer_id") or "") for c in index.chunks} - {""})
    if filters.get("payer_ids") == ["PAYER"]:
        assert payers, "the corpus names a payer"
        filters = {**filters, "payer_ids": payers[:1]}
    args = [filters.get(k) for k in ("payer_ids", "clause_types", "doc_types", "as_of_ord")]
    local = {index.chunks[i].chunk_id for i in np.flatnonzero(index.mask(*args))}
    where = build_where(*args)
    chroma = set(store.collection.get(where=where)["ids"]) if where else {c.chunk_id for c in index.chunks}
    assert local == chroma
    if filters:
        assert local != {c.chunk_id for c in index.chunks} or filters.get("as_of_ord") == 20300101


def test_nearest_is_exact_with_and_without_a_mask(practice) -> None:  # type: ignore[no-untyped-def]
    store = create_vector_store(practice.settings)
    index = LocalIndex(list(store.iter_all(embeddings=True)))
    assert index.vectors is not None
    q = index.vectors[0] + 0.5 * index.vectors[-1]
    sims = index.vectors @ (q / np.linalg.norm(q))
    for keep in (ALL, sims > np.median(sims), np.arange(len(sims)) == 3):  # all, >1/4, one row
        allowed = np.ones(len(sims), bool) if keep is ALL else keep
        expect = [index.chunks[i].chunk_id for i in np.argsort(-np.where(allowed, sims, -9))][
            : min(5, int(allowed.sum()))
        ]
        got = index.nearest(list(q), 5, keep)
        assert [c.chunk_id for c, _ in got] == expect
        assert all(abs((1 - d) - sims[index.chunks.index(c)]) < 1e-5 for c, d in got)


def test_a_document_replaced_by_one_with_as_many_chunks_is_seen(tmp_path: Path) -> None:
    """A long-running retriever must not keep quoting the old text of a corrected contract."""
    settings = Settings(data_dir=tmp_path / "data")
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_text(CONTRACT)
    IngestJob(settings, embedder=CountingEmbedder()).run([src])  # type: ignore[arg-type]
    r = create_retriever(settings, embedder=CountingEmbedder())  # type: ignore[arg-type]
    before = r.search("timely filing limit", k=1, clause_types=["timely_filing"])[0]
    assert "ninety (90)" in before.text
    count = create_vector_store(settings).count()
    (src / "a.txt").write_text(CONTRACT.replace("ninety (90) days after", "sixty (60) days after"))
    IngestJob(settings, embedder=CountingEmbedder()).run([src])  # type: ignore[arg-type]
    assert create_vector_store(settings).count() == count  # the count alone shows no change
    after = r.search("timely filing limit", k=1, clause_types=["timely_filing"])[0]
    assert "sixty (60)" in after.text and after.chunk_id != before.chunk_id


def test_warm_index_is_built_in_the_background_and_reused(corpus: Settings) -> None:
    """Servers build the index off the request path; the first question then reuses it."""
    from types import SimpleNamespace

    from connectors.http.app import warm_index

    r = create_retriever(corpus, embedder=CountingEmbedder())  # type: ignore[arg-type]
    thread = warm_index(SimpleNamespace(deps=SimpleNamespace(retriever=r)))
    assert thread is not None
    thread.join(timeout=60)
    built = r._index()
    assert len(built.chunks) == r.store.count() > 0
    r.search("timely filing", k=1)
    assert r._index() is built  # nothing changed in the store: not rebuilt
    assert warm_index(SimpleNamespace()) is None  # an assistant without tools: nothing to warm


def test_the_local_index_is_saved_and_loaded_until_the_store_changes(tmp_path: Path) -> None:
    from assistant.retrieval import ContractRetriever

    settings = Settings(data_dir=tmp_path / "data")
    src = tmp_path / "src"
    src.mkdir()
    (src / "northwind.txt").write_text(CONTRACT)
    IngestJob(settings, embedder=CountingEmbedder()).run([src])  # type: ignore[arg-type]
    store = create_vector_store(settings, CountingEmbedder())  # type: ignore[arg-type]
    reads: list[int] = []
    original = store.iter_all

    def counting_iter_all(embeddings: bool = False):  # type: ignore[no-untyped-def]
        reads.append(1)
        return original(embeddings)

    store.iter_all = counting_iter_all  # type: ignore[method-assign]
    folder = settings.data_dir / "index"
    queries = ["What is the timely filing limit?", "appeal a denial", "governing law"]
    first = ContractRetriever(store, CountingEmbedder(), index_dir=folder)  # type: ignore[arg-type]
    built = [[h.chunk_id for h in first.search(q, k=4)] for q in queries]
    assert reads == [1] and (folder / "local.json").is_file()
    # A new process: the saved index is loaded, the store is not read, answers are equal.
    second = ContractRetriever(store, CountingEmbedder(), index_dir=folder)  # type: ignore[arg-type]
    assert [[h.chunk_id for h in second.search(q, k=4)] for q in queries] == built
    filtered = second.search("timely filing", k=3, clause_types=["timely_filing"])
    assert filtered and all("timely_filing" in h.clause_types for h in filtered)
    assert reads == [1]
    # Any store write changes the version: the next process rebuilds and saves again.
    (src / "northwind.txt").write_text(CONTRACT.replace("ninety (90)", "sixty (60)"))
    IngestJob(settings, embedder=CountingEmbedder()).run([src])  # type: ignore[arg-type]
    third = ContractRetriever(store, CountingEmbedder(), index_dir=folder)  # type: ignore[arg-type]
    hit = third.search("What is the timely filing limit?", k=1)[0]
    assert "sixty (60)" in hit.text and reads == [1, 1]


def test_doc_filter_and_a_question_that_names_its_document(corpus: Settings) -> None:
    r = create_retriever(corpus, embedder=CountingEmbedder())  # type: ignore[arg-type]
    every = r.search("timely filing limit for claims", k=10)
    keystone = next(h.doc_id for h in every if "180" in h.text)
    only = r.search("timely filing limit for claims", k=10, doc_ids=[keystone])
    assert only and all(h.doc_id == keystone for h in only)
    assert r.search("timely filing", k=5, doc_ids=["no-such-doc"]) == []
    # "Consider the <document>; <question>": the answer comes from that document only
    named = r.search("Consider the Provider Agreement between Keystone Mutual and the "
                     "provider; what is the timely filing limit?", k=10)
    assert named and {h.doc_id for h in named} == {keystone}
    assert names_document("Consider the Supply Agreement between A and B; who pays?")
    assert not names_document("What does the Keystone agreement say about timely filing?")
    assert focus_question("Consider the Supply Agreement; who pays?") == "who pays?"
    # a name no document holds restricts nothing; one outside the payer filter is not seen
    assert len({h.doc_id for h in r.search("Consider the Zyxw Qvrt agreement; what is the "
                                           "timely filing limit?", k=10)}) > 1
