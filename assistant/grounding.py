"""Grounding: every number and every quote in an answer must come from this turn's tools.

Sentences that state an unsupported figure or an inexact quote are dropped and flagged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

REF_RE = re.compile(r"\[S[0-9A-Za-z_]{6}\]|\[\d+\]")
QUOTE_RE = re.compile(r"[\"“]([^\"”]{20,})[\"”]")
NUM_RE = re.compile(r"(?<![A-Za-z0-9])-?\$?\d[\d,]*(?:\.\d+)?%?")
ORDINAL_RE = re.compile(r"\b\d+(?:st|nd|rd|th)\b")
SENT_SPLIT_RE = re.compile(r"(?<=[.!?])\s+(?=[A-Z*>\-\[])|\n+")


def _norm(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip().lower()


def _collect(obj: Any, nums: set[float], texts: list[str]) -> None:
    if isinstance(obj, bool) or obj is None:
        return
    if isinstance(obj, int | float):
        nums.add(float(obj))
        if -1.0 <= obj <= 1.0:
            nums.add(float(obj) * 100)
        return
    if isinstance(obj, str):
        texts.append(obj)
        for m in NUM_RE.finditer(obj):
            v = _to_float(m.group(0))
            if v is not None:
                nums.add(v)
        return
    if isinstance(obj, dict):
        for v in obj.values():
            _collect(v, nums, texts)
        return
    if isinstance(obj, list | tuple):
        for v in obj:
            _collect(v, nums, texts)


def _to_float(token: str) -> float | None:
    t = token.replace("$", "").replace(",", "").replace("%", "")
    try:
        return float(t)
    except ValueError:
        return None


def _decimals(token: str) -> int:
    t = token.replace("%", "")
    return len(t.split(".")[1]) if "." in t else 0


def usable_citation(c: Any) -> bool:
    """False for a passage that may not support a figure or a quote: flagged at ingestion
    as addressing an AI (``suspicious``), or holding X12 patient segments."""
    if not isinstance(c, dict):
        return True
    if c.get("suspicious"):
        return False
    from ingest.discovery import has_x12_segments

    return not has_x12_segments(str(c.get("text") or "") + str(c.get("quote") or ""))


def _usable(artifact: Any) -> Any:
    """The artifact without the citations that may not serve as evidence."""
    if isinstance(artifact, dict) and isinstance(artifact.get("citations"), list):
        return {**artifact, "citations": [c for c in artifact["citations"] if usable_citation(c)]}
    return artifact


@dataclass
class Evidence:
    """What this turn's tools returned: numbers and texts (quotes must be in them)."""

    numbers: set[float] = field(default_factory=set)
    texts: list[str] = field(default_factory=list)

    @classmethod
    def from_artifacts(cls, artifacts: list[dict[str, Any]], question: str = "") -> Evidence:
        """Gather evidence from tool artifacts (and the numbers the user typed)."""
        ev = cls()
        for a in artifacts:
            _collect(_usable(a), ev.numbers, ev.texts)
        _collect(question, ev.numbers, [])
        ev.texts = [_norm(t) for t in ev.texts if len(t) >= 20]
        return ev

    def supports_number(self, token: str) -> bool:
        """True if the number as written equals some evidence number at its precision."""
        x = _to_float(token)
        if x is None:
            return True
        d = _decimals(token)
        tol = 0.5 * 10 ** (-d) + 1e-9
        if token.endswith("%"):
            tol = max(tol, 0.051)
        return any(abs(abs(x) - abs(n)) <= tol for n in self.numbers)

    def supports_quote(self, quote: str) -> bool:
        """True if the quote appears verbatim (whitespace aside) in a tool text."""
        q = _norm(quote).rstrip(".… ")
        return any(q in t for t in self.texts)


@dataclass
class GroundingReport:
    """Result of checking one answer."""

    text: str
    unsupported_numbers: list[str] = field(default_factory=list)
    unsupported_quotes: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """No violation found."""
        return not (self.unsupported_numbers or self.unsupported_quotes)


def check(text: str, evidence: Evidence) -> GroundingReport:
    """Check an answer; the report's ``text`` has unsupported sentences removed."""
    report = GroundingReport(text=text)
    kept: list[str] = []
    for line in text.split("\n"):
        pieces = SENT_SPLIT_RE.split(line) if line.strip() else [line]
        out_line: list[str] = []
        for sentence in pieces:
            bad = False
            body = REF_RE.sub("", sentence)
            for m in QUOTE_RE.finditer(body):
                if not evidence.supports_quote(m.group(1)):
                    report.unsupported_quotes.append(m.group(1))
                    bad = True
            unquoted = ORDINAL_RE.sub(" ", QUOTE_RE.sub("", body))
            unquoted = re.sub(r"\b\d{4}-\d{2}-\d{2}\b", lambda m: _date_ok(m.group(0), evidence), unquoted)
            for m in NUM_RE.finditer(unquoted):
                if not evidence.supports_number(m.group(0)):
                    report.unsupported_numbers.append(m.group(0))
                    bad = True
            if bad:
                report.dropped.append(sentence.strip())
            else:
                out_line.append(sentence)
        if out_line or not line.strip():
            kept.append(" ".join(s for s in out_line if s is not None))
    report.text = "\n".join(kept).strip()
    return report


def _date_ok(date: str, evidence: Evidence) -> str:
    # A date is supported when it appears in the evidence; numbers of a supported date
    # are then not checked one by one.
    if any(date in t for t in evidence.texts) or _date_in_numbers(date, evidence):
        return " "
    return date


def _date_in_numbers(date: str, evidence: Evidence) -> bool:
    y, m, d = (float(x) for x in date.split("-"))
    return all(v in evidence.numbers for v in (y, m, d))
