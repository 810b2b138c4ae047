"""Metrics for Parley's evaluation: pure functions over answers, hits and ground truth.

- retrieval: ``recall_at_k`` and ``mrr`` over the 1-based rank of the first relevant hit;
- citations: ``citation_matches`` (the cited chunk holds the ground-truth quote, or has
  the right file + page + section);
- numbers: ``figure_present`` (the expected figure appears in the answer text, within a
  cent or 0.1 point), ``numbers_in`` / ``dates_in``;
- faithfulness: ``support_check`` (every number, date and quote in the answer text is
  found in that turn's tool outputs or the question; dropped sentences count against);
- ``percentile`` for latency.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

_WS = re.compile(r"\s+")
_MONTHS = {
    m: i
    for i, m in enumerate(
        (
            "january february march april may june july august september october november december"
        ).split(),
        1,
    )
}
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_LONG_DATE = re.compile(r"\b([A-Z][a-z]{2,8})\.? (\d{1,2}),? (\d{4})\b")
_CITE = re.compile(r"\[\d+\]")
# Names that contain digits but state no figure: X12 transaction sets (835, 837P).
_NAMES = re.compile(
    r"\bX12\s+83[57]P?\b|\b83[57](?=\s+(?:remittance|file|ERA|transaction))|\b837P\b", re.I
)
_CODE = re.compile(r"`[^`\n]*`")  # identifiers (brief ids, file names), not figures
_NUM = re.compile(r"(?<![\w.])(-?)\$?(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(%?)(?![\w])")
_ELLIPSIS = re.compile(r"…|\.\.\.|\[\.\.\.\]")
_QUOTE = re.compile(r"[\"“]([^\"”]{20,}?)[\"”]")


def norm(text: str) -> str:
    """Lower-case, straight quotes and dashes, whitespace collapsed (for containment)."""
    t = (text or "").replace("“", '"').replace("”", '"').replace("’", "'").replace("‘", "'")
    t = t.replace("–", "-").replace("—", "-").replace("\u00a0", " ")
    return _WS.sub(" ", t).strip().lower()


def dates_in(text: str) -> set[str]:
    """ISO strings of the dates written in ``text`` (ISO or 'December 15, 2026')."""
    out = {f"{y}-{m}-{d}" for y, m, d in _ISO.findall(text)}
    for mon, day, year in _LONG_DATE.findall(text):
        idx = _MONTHS.get(mon.lower()) or next(
            (i for name, i in _MONTHS.items() if name.startswith(mon.lower()[:3])), None
        )
        if idx:
            try:
                out.add(dt.date(int(year), idx, int(day)).isoformat())
            except ValueError:
                continue
    return out


@dataclass(frozen=True)
class Number:
    """A number written in text: its value and the precision it was written with."""

    value: float
    decimals: int
    percent: bool
    token: str


def numbers_in(text: str) -> list[Number]:
    """Numbers in ``text``, ignoring citation markers, dates and X12 transaction names."""
    t = _NAMES.sub(" ", _CITE.sub(" ", _CODE.sub(" ", text)))
    t = _ISO.sub(" ", t)
    t = _LONG_DATE.sub(" ", t)
    out = []
    for m in _NUM.finditer(t):
        sign, whole, frac, pct = m.groups()
        value = float(whole.replace(",", "") + (frac or ""))
        out.append(
            Number(-value if sign else value, len(frac) - 1 if frac else 0, bool(pct), m.group(0))
        )
    return out


def expected_value(value: Any, fmt: str) -> Any:
    """The expected figure in the unit the answer writes it (share → percent points)."""
    if fmt == "share_pct1":
        return float(value) * 100
    if fmt in ("money", "pct1", "number"):
        return float(value)
    if fmt in ("int", "days", "months"):
        return int(round(float(value)))
    return value


def display(value: Any, fmt: str) -> str:
    """How a person would write the expected figure (for reports)."""
    v = expected_value(value, fmt)
    if fmt == "money":
        return f"${v:,.2f}"
    if fmt in ("pct1", "share_pct1"):
        return f"{v:.1f}%"
    if fmt == "days":
        return f"{v} days"
    if fmt == "months":
        return f"{v} months"
    return str(v)


def figure_present(text: str, value: Any, fmt: str) -> bool:
    """True when the expected figure is written in ``text`` (within a cent / 0.1 point)."""
    if value is None:
        return False
    if fmt == "date":
        return str(value) in dates_in(text)
    if fmt == "text":
        return norm(str(value)) in norm(text)
    want = expected_value(value, fmt)
    tol = {"money": 0.01, "pct1": 0.1, "share_pct1": 0.1, "number": 0.1}.get(fmt, 0.0)
    return any(abs(n.value - want) <= tol + 1e-9 for n in numbers_in(text))


def citation_matches(citation: Any, truth_clause: dict[str, Any], min_overlap: float = 0.6) -> bool:
    """The citation holds the ground-truth quote, or points at its file, page and section."""
    get = (
        (lambda k: citation.get(k))
        if isinstance(citation, dict)
        else (lambda k: getattr(citation, k, None))
    )
    quote, want = norm(str(get("quote") or "")), norm(truth_clause.get("quote", ""))
    if want and quote and (want in quote or (len(quote) >= 40 and quote in want)):
        return True
    if want and quote and token_overlap(want, quote) >= min_overlap:
        return True
    path = str(get("source_path") or "").replace("\\", "/")
    file_ok = bool(path) and path.endswith(truth_clause.get("file", "\0"))
    return (
        file_ok
        and get("page") == truth_clause.get("page")
        and norm(str(get("section") or "")) == norm(str(truth_clause.get("section", "")))
    )


def token_overlap(needle: str, hay: str) -> float:
    """Share of ``needle``'s words found in ``hay`` (for fuzzy quote matching)."""
    words = re.findall(r"[a-z0-9]+", needle.lower())
    have = set(re.findall(r"[a-z0-9]+", hay.lower()))
    return sum(w in have for w in words) / len(words) if words else 0.0


def span_overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    """Two half-open character spans share at least one character."""
    return a_start < b_end and b_start < a_end


def recall_at_k(ranks: Sequence[int | None], k: int) -> float:
    """Share of queries whose first relevant hit is at rank ≤ k (ranks are 1-based)."""
    return sum(1 for r in ranks if r is not None and r <= k) / len(ranks) if ranks else 0.0


def mrr(ranks: Sequence[int | None]) -> float:
    """Mean reciprocal rank (0 for a query with no relevant hit)."""
    return sum(1.0 / r for r in ranks if r) / len(ranks) if ranks else 0.0


def percentile(values: Iterable[float], p: float) -> float:
    """The p-th percentile (linear interpolation), 0 for no values."""
    xs = sorted(values)
    if not xs:
        return 0.0
    pos = (len(xs) - 1) * p / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


@dataclass
class Evidence:
    """What a turn's tool outputs (and the question) make it legitimate to say."""

    numbers: list[float] = field(default_factory=list)
    dates: set[str] = field(default_factory=set)
    text: str = ""

    @classmethod
    def collect(cls, artifacts: Sequence[Any], question: str = "") -> Evidence:
        """Every number, date and string inside the artifacts, plus the question."""
        blob = json.dumps(list(artifacts), default=str) + " " + question
        nums: list[float] = [n.value for n in numbers_in(blob)]
        _walk_numbers(list(artifacts), nums)
        return cls(
            numbers=nums, dates=dates_in(blob), text=norm(_strings(artifacts) + " " + question)
        )


def _walk_numbers(value: Any, out: list[float]) -> None:
    if isinstance(value, bool):
        return
    if isinstance(value, int | float):
        out.append(float(value))
        out.append(float(value) * 100)  # a 0..1 share written as a percentage
    elif isinstance(value, dict):
        for v in value.values():
            _walk_numbers(v, out)
    elif isinstance(value, list | tuple):
        for v in value:
            _walk_numbers(v, out)


def _strings(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return " ".join(_strings(v) for v in value.values())
    if isinstance(value, list | tuple):
        return " ".join(_strings(v) for v in value)
    return ""


@dataclass
class Support:
    """Faithfulness of one answer: claims checked, and the ones not supported."""

    total: int = 0
    supported: int = 0
    unsupported: list[str] = field(default_factory=list)


def support_check(
    text: str, evidence: Evidence, flagged: Sequence[str] = (), quotes: bool = True
) -> Support:
    """Check every number, date and quoted passage of ``text`` against ``evidence``.

    A number written with d decimals is supported by an evidence value that rounds to it
    (tolerance half a unit of its last digit, at least a cent). Each sentence the
    grounding step dropped (``flagged``) counts as one unsupported claim. ``quotes=False``
    skips quoted passages (a brief's talking points are scripted speech in quotes).
    """
    s = Support()
    for n in numbers_in(text):
        s.total += 1
        tol = max(0.5 * 10 ** (-n.decimals), 0.005) + 1e-9
        if any(abs(abs(n.value) - abs(e)) <= tol for e in evidence.numbers):
            s.supported += 1
        else:
            s.unsupported.append(n.token)
    for d in dates_in(text):
        s.total += 1
        if d in evidence.dates:
            s.supported += 1
        else:
            s.unsupported.append(d)
    for q in _QUOTE.findall(text) if quotes else []:
        s.total += 1
        # an ellipsis marks an omission; the pieces between must each be verbatim
        pieces = [norm(p).strip(" .") for p in _ELLIPSIS.split(q)]
        if all(p in evidence.text for p in pieces if p):
            s.supported += 1
        else:
            s.unsupported.append(f'quote not verbatim in tool output: "{q[:60]}"')
    for sentence in flagged:
        s.total += 1
        s.unsupported.append(f"dropped: {sentence[:80]}")
    return s
