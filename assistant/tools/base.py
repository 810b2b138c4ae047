"""What every tool shares: its dependencies, the per-turn context, the result shape.

A tool returns ``(content, artifact)``: ``content`` is compact JSON the model reads,
``artifact`` is the full structured result (figures with their filters and row counts,
citations with the chunk text) that grounding and the answer object use. Neither ever
contains patient-level rows.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from assistant.scope import EVERYONE, Scope
from assistant.settings import Settings

if TYPE_CHECKING:
    from duckdb import DuckDBPyConnection

    from assistant.analytics.vocabulary import Vocabulary
    from assistant.retrieval import ContractRetriever


@dataclass
class TurnContext:
    """Per-request context passed to the agent run (LangGraph runtime context).

    ``scope`` is the caller's payer scope, built by the edge: every tool resolves its payer
    argument through it and passes it to the analytics, which filter their SQL with it.
    """

    as_of: dt.date
    scope: Scope = EVERYONE
    question: str = ""


@dataclass
class ToolDeps:
    """Dependencies the tools need, built once by the assistant factory."""

    settings: Settings
    retriever_factory: Callable[[], ContractRetriever]
    warehouse_factory: Callable[[], DuckDBPyConnection]  # a read-only connection
    vocabulary: Callable[[], Vocabulary]  # the cached warehouse vocabulary the planner reads
    _retriever: ContractRetriever | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def retriever(self) -> ContractRetriever:
        """The hybrid contract retriever (built once, on first use; tools run in threads)."""
        with self._lock:
            if self._retriever is None:
                self._retriever = self.retriever_factory()
            return self._retriever

    def connect(self) -> DuckDBPyConnection:
        """A fresh read-only warehouse connection; close it when done."""
        return self.warehouse_factory()


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if hasattr(value, "model_dump"):
        return _jsonable(value.model_dump())
    return value


def figure(label: str, value: Any, unit: str | None = None) -> dict[str, Any]:
    """One figure a tool hands to the writer and the grounding check."""
    return {"label": label, "value": _jsonable(value), "unit": unit}


def tool_result(
    tool: str,
    *,
    filters: dict[str, Any],
    data: Any,
    figures: list[dict[str, Any]] | None = None,
    citations: list[dict[str, Any]] | None = None,
    rows: int | None = None,
    note: str | None = None,
    error: str | None = None,
    model_view: dict[str, Any] | None = None,
) -> tuple[str, dict[str, Any]]:
    """Build the ``(content, artifact)`` pair every tool returns.

    ``model_view`` replaces keys of the content only (a None value removes the key), for
    tools that show the model something other than the artifact, e.g. quoted passages.
    """
    artifact = {
        "tool": tool,
        "filters": _jsonable({k: v for k, v in filters.items() if v not in (None, [], "")}),
        "rows": rows,
        "data": _jsonable(data),
        "figures": figures or [],
        "citations": citations or [],
        "note": note,
        "error": error,
    }
    content_obj = {k: v for k, v in artifact.items() if v not in (None, [], {})}
    if "citations" in content_obj:
        # chunk text stays in the artifact; tools that show it to the model do so as quoted data
        content_obj["citations"] = [
            {k: v for k, v in c.items() if k != "text"} for c in content_obj["citations"]
        ]
    for key, value in (model_view or {}).items():
        if value is None:
            content_obj.pop(key, None)
        else:
            content_obj[key] = value
    return json.dumps(content_obj, ensure_ascii=False, default=str), artifact


def error_result(tool: str, message: str, filters: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """A tool-level failure the model and writer can explain (message is user-safe)."""
    return tool_result(tool, filters=filters, data=None, error=message)


def run_on_warehouse(
    deps: ToolDeps,
    tool: str,
    filters: dict[str, Any],
    fn: Callable[[DuckDBPyConnection], tuple[str, dict[str, Any]]],
    scope: Scope = EVERYONE,
) -> tuple[str, dict[str, Any]]:
    """Run ``fn(conn)`` on a fresh read-only connection; Parley errors become tool errors."""
    import logging

    from assistant.errors import ParleyError

    try:
        conn = deps.connect()
    except ParleyError as exc:
        return error_result(tool, exc.user_message, filters)
    try:
        return fn(conn)
    except ParleyError as exc:
        return error_result(tool, scope.message(exc), filters)
    except Exception:  # a bug or a broken store must not take the turn down
        logging.getLogger(__name__).exception("tool %s failed", tool)
        return error_result(tool, f"the {tool} analysis failed unexpectedly; it has been logged", filters)
    finally:
        conn.close()


def names_of(conn: DuckDBPyConnection) -> dict[str, str]:
    """payer_id → display name."""
    return dict(conn.execute("SELECT payer_id, name FROM payers").fetchall())
