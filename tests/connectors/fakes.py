"""Test doubles for the edges: a recorder around the real assistant, and a local fake Slack
Web API server (the one external service the tests may replace)."""

from __future__ import annotations

import threading
from typing import Any

from bench.edge_servers import FakeSlackWebAPI


class Recorder:
    """The real assistant, with every ask() recorded (arguments and the answer it gave).

    Not a fake: each question is answered by the wrapped ``Assistant`` (offline engine over
    the sample practice). The record lets tests check what an edge passed on (scope, thread).
    """

    def __init__(self, assistant: Any) -> None:
        self.inner = assistant
        self.calls: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def ask(self, question: str, **kwargs: Any) -> Any:
        call = {"question": question, **kwargs, "answer": None}
        call.pop("on_progress", None)
        with self._lock:
            self.calls.append(call)
        answer = self.inner.ask(question, **kwargs)
        call["answer"] = answer
        return answer

    def called(self, question: str) -> dict[str, Any] | None:
        """The recorded call for ``question`` (None until it was asked)."""
        with self._lock:
            return next((c for c in self.calls if c["question"] == question), None)


# The fake Slack Web API lives beside the benchmarks that use it too.
FakeSlackAPI = FakeSlackWebAPI
