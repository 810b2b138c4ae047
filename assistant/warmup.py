"""Warming an assistant's retriever, so that no question pays for opening it or building its
local index. Every server edge (HTTP, Slack) calls these on the assistant it built; they live
here, next to the assistant, so that the edges do not import each other for them."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

log = logging.getLogger(__name__)


def warm_index(assistant: Any) -> threading.Thread | None:
    """Build the retriever's local index on a background thread (None without one)."""
    deps = getattr(assistant, "deps", None)  # an assistant without tools has nothing to warm
    if deps is None:
        return None

    def run() -> None:
        try:
            started = time.perf_counter()
            n = deps.retriever.warm()
            log.info("search index ready: %d chunks in %.1f s", n, time.perf_counter() - started)
        except Exception:
            log.warning("could not build the search index in the background", exc_info=True)

    thread = threading.Thread(target=run, name="parley-index-warm", daemon=True)
    thread.start()
    return thread


def warm_up(assistant: Any) -> None:
    """Open the retriever once, up front: the first question should not pay for it, and
    two tools opening it concurrently on first use can race. Then build its index."""
    deps = getattr(assistant, "deps", None)
    if deps is None:
        return
    try:
        _ = deps.retriever
    except Exception:
        log.warning(
            "could not open the vector store at start-up; /readyz will say so", exc_info=True
        )
        return
    warm_index(assistant)
