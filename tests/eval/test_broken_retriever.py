"""A retriever that returns random chunks must make retrieval and citation metrics fall."""

from __future__ import annotations

import random
from typing import Any

from eval.dataset import Item
from eval.sample_suite import run_items, summarize


class RandomRetriever:
    """Same interface as ContractRetriever; ignores the query and returns random chunks."""

    def __init__(self, real: Any, seed: int = 1) -> None:
        from assistant.retrieval import Hit

        self._hit = Hit.from_stored
        self.store = real.store
        self._chunks = list(real.store.iter_all())
        self._rng = random.Random(seed)

    def search(
        self, query: str, k: int = 5, payer_ids: list[str] | None = None, **_: Any
    ) -> list[Any]:
        pool = [c for c in self._chunks if not payer_ids or c.metadata.get("payer_id") in payer_ids]
        return [self._hit(c, 0.0) for c in self._rng.sample(pool, min(k, len(pool)))]

    def get_chunk(self, chunk_id: str) -> Any:
        got = self.store.get([chunk_id])
        return self._hit(got[0], 0.0) if got else None


def test_random_chunks_make_recall_and_citations_fall(
    practice: Any, golden: list[Item], offline_assistant_eval: Any
) -> None:
    items = [i for i in golden if i.category == "clause"]
    assistant = offline_assistant_eval
    real = assistant.deps.retriever
    good = summarize(run_items(assistant, items, practice.as_of))
    assistant.deps._retriever = RandomRetriever(real)
    try:
        bad = summarize(run_items(assistant, items, practice.as_of))
    finally:
        assistant.deps._retriever = real
    assert good["retrieval_recall@5"] - bad["retrieval_recall@5"] >= 0.3, (
        good["retrieval_recall@5"],
        bad["retrieval_recall@5"],
    )
    assert good["citation_accuracy"] - bad["citation_accuracy"] >= 0.2, (
        good["citation_accuracy"],
        bad["citation_accuracy"],
    )
