"""Build the Parley service from settings (used by the CLI, HTTP and Slack edges)."""

from __future__ import annotations

import threading
import time
from typing import Any

from assistant.agent import OneShotLoop, create_checkpointer, create_parley_agent
from assistant.analytics.vocabulary import Vocabulary
from assistant.embeddings import create_embedder
from assistant.engines.providers import OFFLINE, create_chat_model
from assistant.service import Assistant
from assistant.settings import Settings
from assistant.tools import ToolDeps, build_tools

VOCAB_TTL_S = 30.0


class VocabularyCache:
    """The warehouse vocabulary, re-read at most every ``VOCAB_TTL_S`` seconds."""

    def __init__(self, connect: Any) -> None:
        self._connect = connect
        self._value: Vocabulary | None = None
        self._at = 0.0
        self._lock = threading.Lock()

    def __call__(self) -> Vocabulary:
        with self._lock:
            if self._value is None or time.monotonic() - self._at > VOCAB_TTL_S:
                conn = self._connect()
                try:
                    self._value = Vocabulary.load(conn)
                finally:
                    conn.close()
                self._at = time.monotonic()
            return self._value

    def invalidate(self) -> None:
        """Forget the cached vocabulary (after an ingest)."""
        with self._lock:
            self._value = None


def create_assistant(
    settings: Settings,
    model: Any | None = None,
    model_spec: str | None = None,
    embedder: Any | None = None,
    checkpointer: Any | None = None,
    one_shot: bool = False,
) -> Assistant:
    """The assistant with its stores, tools, chat model and agent.

    ``model`` injects a ready chat model (tests pass a scripted fake); otherwise
    ``model_spec`` or ``settings.chat_model`` names one (``offline`` by default).
    ``one_shot`` is for a process that answers one question and ends (``parley ask``):
    no conversation is stored (a chat model keeps the turn in process memory, which its
    repair turns need), the offline engine runs in ``agent.OneShotLoop`` without LangGraph,
    and the chunk store is opened only when the saved index cannot answer
    (``index_cache.SavedIndexStore``).
    """
    from assistant.retrieval import create_retriever
    from assistant.stores.warehouse import open_warehouse

    embedder = embedder or create_embedder(settings)

    def connect() -> Any:
        return open_warehouse(settings, read_only=True)

    def retriever() -> Any:
        store = _saved_index_store(settings, embedder) if one_shot else None
        return create_retriever(settings, embedder=embedder, store=store)

    vocab = VocabularyCache(connect)
    deps = ToolDeps(
        settings=settings,
        retriever_factory=retriever,
        warehouse_factory=connect,
        vocabulary=vocab,
    )
    spec = model_spec or settings.chat_model
    if model is None:
        offline_parts: dict[str, Any] = {}
        if spec == OFFLINE:
            from assistant.engines.planner import Planner
            from assistant.engines.router import SemanticRouter
            from assistant.engines.writer import Writer

            offline_parts = {
                "planner": Planner(SemanticRouter(embedder, settings.cache_dir), vocab),
                "writer": Writer(),
                "known_payers": lambda: [(p.payer_id, p.name) for p in vocab().payers],
            }
        model = create_chat_model(settings, spec, **offline_parts)
        name = spec
    else:
        name = getattr(model, "model_name", None) or type(model).__name__
    if one_shot and name == OFFLINE:
        agent: Any = OneShotLoop(model, build_tools(deps))
    else:
        if checkpointer is None:
            checkpointer = _memory_saver() if one_shot else create_checkpointer(settings)
        agent = create_parley_agent(model, build_tools(deps), checkpointer)
    return Assistant(
        settings=settings, deps=deps, agent=agent, model_name=str(name), vocabulary=vocab, embedder=embedder
    )


def _memory_saver() -> Any:
    """A LangGraph checkpointer in process memory (a turn that no later turn continues)."""
    from langgraph.checkpoint.memory import InMemorySaver

    return InMemorySaver()


def _saved_index_store(settings: Settings, embedder: Any) -> Any:
    """The local chunk store behind the saved index (Chroma opened on demand)."""
    from assistant.index_cache import SavedIndexStore

    return SavedIndexStore(settings, embedder)
