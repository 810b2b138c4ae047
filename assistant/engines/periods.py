"""Turn the time phrases staff use ("last quarter", "Q3", "since March") into dates.

Everything is relative to an explicit as-of date so answers are reproducible.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

MONTH_NAMES = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip
MONTH_NUMBERS = {m: i for i, m in enumerate(MONTH_NAMES, 1)}
MONTHS = {m[:3]: i for m, i in MONTH_NUMBERS.items()}  # "jan" → 1, as typed in questions
ORDINAL_Q = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4}


@dataclass(frozen=True)
class Period:
    """A closed date range with the words it came from."""

    start: dt.date
    end: dt.date
    label: str


def quarter_range(year: int, q: int) -> tuple[dt.date, dt.date]:
    """First and last day of a calendar quarter."""
    start = dt.date(year, 3 * (q - 1) + 1, 1)
    end_month = 3 * q
    end = (dt.date(year + (end_month == 12), end_month % 12 + 1, 1)) - dt.timedelta(days=1)
    return start, end


def month_end(year: int, month: int) -> dt.date:
    """Last day of a month."""
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def _add_months(d: dt.date, months: int) -> dt.date:
    y, m = divmod(d.month - 1 + months, 12)
    return dt.date(d.year + y, m + 1, 1)


def find_period(text: str, as_of: dt.date) -> tuple[Period, tuple[int, int]] | None:
    """The first period phrase in ``text`` and its character span, or None."""
    t = text.lower()
    cur_q = (as_of.month - 1) // 3 + 1

    def span(m: re.Match[str]) -> tuple[int, int]:
        return m.start(), m.end()

    m = re.search(r"\b(?:q([1-4])\s*(?:of\s*)?'?((?:19|20)?\d{2})?|((?:19|20)\d{2})\s*-?\s*q([1-4]))\b", t)
    if m:
        q = int(m.group(1) or m.group(4))
        ytxt = m.group(2) or m.group(3)
        if ytxt:
            year = int(ytxt) + (2000 if len(ytxt) == 2 else 0)
        else:
            year = as_of.year if q < cur_q else as_of.year - 1  # most recent completed
        s, e = quarter_range(year, q)
        return Period(s, e, f"{year}Q{q}"), span(m)
    m = re.search(r"\b(first|1st|second|2nd|third|3rd|fourth|4th) quarter(?: of)?(?: ((?:19|20)\d{2}))?", t)
    if m:
        q = ORDINAL_Q[m.group(1)]
        year = int(m.group(2)) if m.group(2) else (as_of.year if q < cur_q else as_of.year - 1)
        s, e = quarter_range(year, q)
        return Period(s, e, f"{year}Q{q}"), span(m)
    m = re.search(r"\b(last|previous|prior|this|current) quarter\b", t)
    if m:
        q, year = cur_q, as_of.year
        if m.group(1) in ("last", "previous", "prior"):
            q, year = (q - 1, year) if q > 1 else (4, year - 1)
        s, e = quarter_range(year, q)
        return Period(s, min(e, as_of), f"{year}Q{q}"), span(m)
    m = re.search(r"\b(?:last|past|previous|trailing)\s+(\d{1,2}|twelve|six|three)\s+months?\b", t)
    if m:
        words = {"twelve": 12, "six": 6, "three": 3}
        n = int(words.get(m.group(1), m.group(1) if m.group(1).isdigit() else 12))
        start = _add_months(dt.date(as_of.year, as_of.month, 1), -n)
        end = dt.date(as_of.year, as_of.month, 1) - dt.timedelta(days=1)
        return Period(start, end, f"last {n} months"), span(m)
    m = re.search(r"\blast month\b", t)
    if m:
        first = dt.date(as_of.year, as_of.month, 1)
        prev = _add_months(first, -1)
        return Period(prev, first - dt.timedelta(days=1), prev.strftime("%Y-%m")), span(m)
    m = re.search(r"\b(ytd|year[- ]to[- ]date|this year)\b", t)
    if m:
        return Period(dt.date(as_of.year, 1, 1), as_of, f"{as_of.year} to date"), span(m)
    m = re.search(r"\blast year\b", t)
    if m:
        y = as_of.year - 1
        return Period(dt.date(y, 1, 1), dt.date(y, 12, 31), str(y)), span(m)
    m = re.search(
        r"\b(since|from|after)?\s*(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
        r"(?:\s+((?:19|20)\d{2}))?\b",
        t,
    )
    if m and not re.fullmatch(r"may", m.group(0).strip()):
        month = MONTHS[m.group(2)]
        year = int(m.group(3)) if m.group(3) else (as_of.year if month <= as_of.month else as_of.year - 1)
        if m.group(1):
            return Period(dt.date(year, month, 1), as_of, f"since {year}-{month:02d}"), span(m)
        return Period(dt.date(year, month, 1), month_end(year, month), f"{year}-{month:02d}"), span(m)
    m = re.search(r"\b(?:in|for|during|of)\s+((?:19|20)\d{2})\b", t)
    if m:
        y = int(m.group(1))
        return Period(dt.date(y, 1, 1), min(dt.date(y, 12, 31), as_of), str(y)), span(m)
    return None
