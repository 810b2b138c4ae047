"""The Chroma vector store wrapper, on a real PersistentClient in tmp_path."""

from __future__ import annotations

from pathlib import Path

from assistant.settings import Settings
from assistant.stores.vectors import clean_metadata, create_vector_store
from tests.ingest.helpers import real_embedder


def test_store_upsert_query_delete(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    store = create_vector_store(settings, real_embedder())
    assert store.collection.metadata["hnsw:space"] == "cosine"
    texts = ["timely filing within 90 days", "governing law of Ohio", "hold harmless members"]
    vectors = real_embedder().embed_documents(texts)
    metas = [
        {"doc_id": f"d{i % 2}", "content_hash": "h1", "payer_id": None, "n": i} for i in range(3)
    ]
    store.upsert(["a", "b", "c"], texts, vectors, metas)
    store.upsert(["a", "b", "c"], texts, vectors, metas)  # idempotent
    assert store.count() == 3
    hits = store.query(real_embedder().embed_query("claim submission deadline"), 2)
    assert hits[0][0].chunk_id == "a"
    assert "payer_id" not in hits[0][0].metadata  # None dropped
    only = store.query(real_embedder().embed_query("law"), 3, where={"doc_id": "d1"})
    assert [c.chunk_id for c, _ in only] == ["b"]
    assert store.existing_ids(["a", "zz"]) == {"a"}
    store.delete_doc("d0", keep_hash="h1")
    assert store.count() == 3
    store.delete_doc("d0")
    assert store.count() == 1 and [c.chunk_id for c in store.iter_all()] == ["b"]


def test_persistent_reopen(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    store = create_vector_store(settings, real_embedder())
    store.upsert(["x"], ["text"], real_embedder().embed_documents(["text"]), [{"doc_id": "d"}])
    again = create_vector_store(settings, real_embedder())
    assert again.get(["x"])[0].text == "text"


def test_clean_metadata() -> None:
    assert clean_metadata({"a": None, "b": 1, "c": True, "d": [1]}) == {
        "b": 1,
        "c": True,
        "d": "[1]",
    }
