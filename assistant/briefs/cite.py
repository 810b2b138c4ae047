"""Numbered citations: every figure and every quoted passage of a brief gets one."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from assistant.briefs.models import Citation

if TYPE_CHECKING:
    from assistant.analytics.common import AnalyticsResult


class Citations:
    """Assigns footnote numbers, one per distinct source (same source → same number)."""

    def __init__(self) -> None:
        self._items: list[Citation] = []
        self._keys: dict[str, int] = {}

    def figure(self, label: str, result: AnalyticsResult | dict[str, Any]) -> int:
        """Cite an analytics result, or a dict with its ``function``/``filters``/``row_count``."""
        if isinstance(result, dict):
            function = str(result.get("function"))
            filters: dict[str, Any] = result.get("filters") or {}
            row_count = result.get("row_count")
        else:
            function, filters, row_count = result.function, result.filters, result.row_count
        key = f"fig:{function}:{sorted(filters.items())!r}"
        return self._add(key, Citation(n=0, kind="figure", label=label, function=function,
                                       filters=dict(filters), row_count=row_count))

    def passage(self, passage: Any, kind: str = "clause") -> int:
        """Cite a quoted ``evidence.Passage`` (its chunk, document, page and section)."""
        hit, quote = passage.hit, passage.quote
        key = f"chunk:{hit.chunk_id}:{quote[:60]}"
        return self._add(key, Citation(
            n=0, kind="note" if kind == "note" else "clause",
            label=hit.heading or hit.section or hit.title, document=passage.document,
            source_path=hit.source_path, page=hit.page_start, section=hit.section or None,
            chunk_id=hit.chunk_id, quote=quote))

    def _add(self, key: str, citation: Citation) -> int:
        if key in self._keys:
            return self._keys[key]
        citation.n = len(self._items) + 1
        self._items.append(citation)
        self._keys[key] = citation.n
        return citation.n

    @property
    def items(self) -> list[Citation]:
        """All citations in number order."""
        return list(self._items)


def refs(*numbers: int | None) -> str:
    """Footnote markers like ``[3][7]`` for the given citation numbers."""
    return "".join(f"[{n}]" for n in numbers if n)
