"""``parley ask`` on the offline engine imports only what it needs (issue 18, item 2).

A one-shot question runs the offline engine in ``agent.OneShotLoop`` (no LangChain agent
factory, no LangGraph) and, once a process has recorded the store's version, reads chunks
from the saved index without opening Chroma (``index_cache.SavedIndexStore``). The answers
and citations must be the ones the full LangGraph-and-Chroma assistant gives. Real parts:
the ingested sample practice, real Chroma, ONNX embeddings and DuckDB; each ask runs the
real CLI in a fresh interpreter, so ``sys.modules`` shows what the command imported.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from assistant.settings import Settings

# What the offline one-shot path must never import (the issue's ~1.8 s).
NEVER = ("langgraph", "langchain.agents", "langchain_openai", "torch", "sentence_transformers")
SCRIPT = """
import json, sys
from assistant.cli import main
code = main(sys.argv[1:])
heavy = ["langgraph", "langchain.agents", "langchain_openai", "torch", "sentence_transformers",
         "chromadb"]
print(json.dumps({"code": code,
                  "imported": [m for m in heavy if m in sys.modules]}), file=sys.stderr)
"""


def _ask(settings: Settings, as_of: str, question: str) -> tuple[dict[str, Any], list[str]]:
    """Run ``parley ask --json`` in a new interpreter: the answer and the heavy modules."""
    args = ["--data-dir", str(settings.data_dir), "--as-of", as_of, "ask", "--json", question]
    done = subprocess.run([sys.executable, "-c", SCRIPT, *args], capture_output=True,
                          text=True, timeout=300, check=False)
    report = json.loads(done.stderr.strip().splitlines()[-1])
    assert report["code"] == 0, done.stderr
    return json.loads(done.stdout), report["imported"]


def _comparable(answer: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in answer.items() if k not in ("answer_id", "latency_ms")}


def _question(practice: Any) -> str:
    return f"What's {practice.truth['payers'][0]['name']}'s timely filing limit?"


def test_offline_ask_imports_no_agent_framework_and_answers_as_the_full_assistant(
    practice: Any,
) -> None:
    from assistant.factory import create_assistant
    from connectors.redact import public_answer

    question, as_of = _question(practice), practice.as_of.isoformat()
    first, imported = _ask(practice.settings, as_of, question)
    assert not [m for m in imported if m in NEVER], imported
    # the first ask may have opened Chroma (no version recorded yet); the next one must not
    again, imported = _ask(practice.settings, as_of, question)
    assert imported == [], imported
    assert first["citations"] and first["tools_used"]
    assert _comparable(again) == _comparable(first)

    full = create_assistant(practice.settings, embedder=practice.embedder)  # LangGraph, Chroma
    expected = json.loads(public_answer(full.ask(question)).model_dump_json())
    assert _comparable(first) == _comparable(expected)


def test_saved_index_store_opens_chroma_when_the_store_changed(
    practice: Any, tmp_path: Path
) -> None:
    from assistant.embeddings import Embedder
    from assistant.errors import ConfigError
    from assistant.index_cache import SavedIndexStore
    from assistant.retrieval import create_retriever
    from assistant.stores.vectors import create_vector_store

    data = tmp_path / "data"
    shutil.copytree(practice.settings.data_dir, data)
    settings = practice.settings.model_copy(update={"data_dir": data})
    store = SavedIndexStore(settings, practice.embedder)
    real = create_vector_store(settings, practice.embedder)
    retriever = create_retriever(settings, embedder=practice.embedder, store=store)
    retriever.warm()  # saves the index for this version (if the copy's was not current)
    version = real.version()
    assert store.version() == version
    some = [c.chunk_id for c in list(real.iter_all())[:3]]

    fresh = SavedIndexStore(settings, practice.embedder)  # a later process
    assert fresh.version() == version
    assert [(c.chunk_id, c.text, c.metadata) for c in fresh.get(some)] == [
        (c.chunk_id, c.text, c.metadata) for c in real.get(some)]
    assert fresh._opened is None  # answered from the record and the saved index

    chunk = real.get(some[:1])[0]
    real.delete_ids([chunk.chunk_id])  # a write: the count and the stamp change
    changed = SavedIndexStore(settings, practice.embedder)
    assert changed.version() == real.version() != version
    assert changed._opened is not None
    assert changed.get([chunk.chunk_id]) == []

    torch_embedder = Embedder(model_name=settings.embedding_model)  # another backend
    if torch_embedder.backend != SavedIndexStore(settings, practice.embedder).backend:
        with pytest.raises(ConfigError):
            SavedIndexStore(settings, torch_embedder).version()


def test_model_loads_in_background_and_embeds_as_the_plain_embedder(shared_embedder: Any) -> None:
    from assistant.embeddings import BackgroundLoaded, Embedder, create_embedder, load_in_background

    expected = shared_embedder.embed_query("timely filing limit")  # also ensures the export
    loading = load_in_background(create_embedder(Settings()))
    assert isinstance(loading, BackgroundLoaded)
    assert loading.backend == shared_embedder.backend  # other attributes pass through
    assert loading.embed_query("timely filing limit") == expected
    loading.wait()
    torch_embedder = Embedder(model_name=Settings().embedding_model)
    assert load_in_background(torch_embedder) is torch_embedder  # torch: no second thread
