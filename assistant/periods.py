"""Dates from the phrases staff use — one ``Period`` type, always relative to an explicit
as-of date so answers are reproducible.

- ``resolve_period(text, as_of)``: a whole argument ("2026Q3", "last 12 months",
  "2026-01-01..2026-06-30", or any phrase ``find_period`` reads) → Period, else InputError.
- ``find_period(text, as_of)``: the first period phrase inside a free-text question
  ("what did Keystone pay us in Q3?", "since March") and its character span, or None.
"""

from __future__ import annotations

import datetime as dt
import re

from pydantic import BaseModel, ConfigDict

from assistant.errors import InputError

MONTH_NAMES = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip
MONTH_NUMBERS = {m: i for i, m in enumerate(MONTH_NAMES, 1)}
MONTHS = {m[:3]: i for m, i in MONTH_NUMBERS.items()}  # "jan" → 1, as typed in questions
ORDINAL_Q = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4}
COUNT_WORDS = {"three": 3, "six": 6, "nine": 9, "twelve": 12, "eighteen": 18, "twenty-four": 24}


MIN_DATE = dt.date(1900, 1, 1)
MAX_DATE = dt.date(2199, 12, 31)
RANGE_TEXT = f"between {MIN_DATE.isoformat()} and {MAX_DATE.isoformat()}"


def check_date(day: dt.date, what: str = "The date") -> dt.date:
    """``day`` when Parley can compute with it (deadlines add years and days to it, periods
    go back months from it), else an InputError naming the range."""
    if not MIN_DATE <= day <= MAX_DATE:
        raise InputError(f"{what} must be {RANGE_TEXT}, not {day.isoformat()}.")
    return day


def _year(text: str, raw: str) -> int:
    year = int(text)
    if not MIN_DATE.year <= year <= MAX_DATE.year:
        raise InputError(f"Period '{raw}' is out of range: dates must be {RANGE_TEXT}.")
    return year


class Period(BaseModel):
    """An inclusive date range with the label the user gave it."""

    model_config = ConfigDict(frozen=True)

    start: dt.date
    end: dt.date
    label: str


def quarter_range(year: int, q: int) -> tuple[dt.date, dt.date]:
    """First and last day of a calendar quarter."""
    return dt.date(year, 3 * (q - 1) + 1, 1), month_end(year, 3 * q)


def month_end(year: int, month: int) -> dt.date:
    """Last day of a month."""
    return dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)


def month_start(d: dt.date, back: int = 0) -> dt.date:
    """First day of the month ``back`` months before ``d``'s (negative: after)."""
    m = d.year * 12 + d.month - 1 - back
    return dt.date(m // 12, m % 12 + 1, 1)


def _period(start: dt.date, end: dt.date, label: str) -> Period:
    return Period(start=start, end=end, label=label)


def _quarter(year: int, q: int, as_of: dt.date | None = None) -> Period:
    s, e = quarter_range(year, q)
    return _period(s, min(e, as_of) if as_of else e, f"{year}Q{q}")


def _trailing_months(n: int, as_of: dt.date) -> Period:
    """The ``n`` whole months before the as-of month."""
    return _period(month_start(as_of, n), month_start(as_of) - dt.timedelta(days=1), f"last {n} months")


def resolve_period(text: str, as_of: dt.date) -> Period:
    """'2026Q3', 'Q3 2026', '2026', '2026-05', 'last quarter', 'this quarter',
    'last month', 'last N months', 'last year', 'this year', 'ytd', 'all',
    'YYYY-MM-DD..YYYY-MM-DD', or a phrase such as 'since March' → an inclusive Period."""
    raw = text.strip()
    t = raw.lower().replace("_", " ")
    check_date(as_of, "The as-of date")
    if m := re.fullmatch(r"(\d{4})\s*-?\s*q([1-4])|q([1-4])\s*-?\s*(\d{4})", t):
        return _quarter(_year(m.group(1) or m.group(4), raw), int(m.group(2) or m.group(3)))
    if m := re.fullmatch(r"(?:fy\s*|year\s*)?(\d{4})", t):
        y = _year(m.group(1), raw)
        return _period(dt.date(y, 1, 1), dt.date(y, 12, 31), str(y))
    if m := re.fullmatch(r"(\d{4})-(\d{2})", t):
        y, mo = _year(m.group(1), raw), int(m.group(2))
        if not 1 <= mo <= 12:
            raise InputError(f"Period '{raw}' names no month.")
        return _period(dt.date(y, mo, 1), month_end(y, mo), raw)
    if m := re.fullmatch(r"(\d{4}-\d{2}-\d{2})\s*(?:\.\.|to|/)\s*(\d{4}-\d{2}-\d{2})", t):
        try:
            s, e = dt.date.fromisoformat(m.group(1)), dt.date.fromisoformat(m.group(2))
        except ValueError:
            raise InputError(f"Period '{raw}' has a date that does not exist.") from None
        if not (MIN_DATE <= s <= MAX_DATE and MIN_DATE <= e <= MAX_DATE):
            raise InputError(f"Period '{raw}' is out of range: dates must be {RANGE_TEXT}.")
        if e < s:
            raise InputError(f"Period '{raw}' ends before it starts.")
        return _period(s, e, raw)
    cur_q = (as_of.month - 1) // 3 + 1
    if t in ("this quarter", "current quarter", "qtd"):
        s, _ = quarter_range(as_of.year, cur_q)
        return _period(s, as_of, f"{as_of.year}Q{cur_q} to date")
    if t in ("last 12 months", "ttm", "last twelve months"):
        return _trailing_months(12, as_of)
    if t in ("last year", "previous year"):
        return resolve_period(str(as_of.year - 1), as_of)
    if t in ("all", "all time", "everything"):
        return _period(dt.date(1900, 1, 1), as_of, "all time")
    found = find_period(t, as_of)
    # only when the phrase is (nearly) the whole argument: "the good old days" is no period
    if found is not None and len(re.sub(r"\W+", "", t[: found[1][0]] + t[found[1][1]:])) <= 3:
        return found[0]
    raise InputError(f"Unknown period '{raw}'. Try 2026Q3, 2026, 2026-05, 'last quarter' "
                     "or 'last 12 months'.")


# after "in 1500": a count ("in 1500 claims") unless the next word is a connective
_NOT_A_COUNT = (r"(?!\s+(?!(?:and|or|but|for|from|to|by|at|on|vs|versus|compared|with|than)\b)"
                r"[a-z])")


def find_period(text: str, as_of: dt.date) -> tuple[Period, tuple[int, int]] | None:
    """The first period phrase in ``text`` and its character span, or None."""
    check_date(as_of, "The as-of date")
    t = text.lower()
    cur_q = (as_of.month - 1) // 3 + 1

    def recent(q: int) -> int:  # the year of the most recent completed quarter q
        return as_of.year if q < cur_q else as_of.year - 1

    def span(m: re.Match[str]) -> tuple[int, int]:
        return m.start(), m.end()

    # any 4-digit year next to a quarter, a month, "in" or "FY" is that year, and a clear
    # InputError when out of range ("Q4 9999" is never read as "Q4", the last one)
    m = re.search(r"\b(?:q([1-4])\s*(?:of\s*)?'?(\d{4}|\d{2})?|(\d{4})\s*-?\s*q([1-4]))\b", t)
    if m:
        q = int(m.group(1) or m.group(4))
        ytxt = m.group(2) or m.group(3)
        year = (int(ytxt) + 2000 if len(ytxt) == 2 else _year(ytxt, m.group(0))) if ytxt else recent(q)
        return _quarter(year, q), span(m)
    m = re.search(r"\b(first|1st|second|2nd|third|3rd|fourth|4th) quarter(?: of)?(?: (\d{4}))?\b", t)
    if m:
        q = ORDINAL_Q[m.group(1)]
        return _quarter(_year(m.group(2), m.group(0)) if m.group(2) else recent(q), q), span(m)
    m = re.search(r"\b(last|previous|prior|this|current) quarter\b", t)
    if m:
        q, year = cur_q, as_of.year
        if m.group(1) in ("last", "previous", "prior"):
            q, year = (q - 1, year) if q > 1 else (4, year - 1)
        return _quarter(year, q, as_of), span(m)
    m = re.search(r"\b(?:last|past|previous|prior|trailing)\s+(\d{1,3}|" + "|".join(COUNT_WORDS)
                  + r")\s+months?\b", t)
    if m:
        n = COUNT_WORDS.get(m.group(1)) or int(m.group(1))
        return _trailing_months(n, as_of), span(m)
    m = re.search(r"\b(?:last|previous|prior) month\b", t)
    if m:
        prev = month_start(as_of, 1)
        return _period(prev, month_start(as_of) - dt.timedelta(days=1), prev.strftime("%Y-%m")), span(m)
    m = re.search(r"\b(ytd|year[- ]to[- ]date|this year)\b", t)
    if m:
        return _period(dt.date(as_of.year, 1, 1), as_of, f"{as_of.year} to date"), span(m)
    m = re.search(r"\b(?:last|previous|prior) year\b", t)
    if m:
        y = as_of.year - 1
        return _period(dt.date(y, 1, 1), dt.date(y, 12, 31), str(y)), span(m)
    m = re.search(  # month names only: "declined 1200 claims" names no December
        r"\b(since|from|after)?\s*(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
        r"(?:uary|ruary|ch|il|e|y|ust|t|tember|ember|ober)?\.?(?:\s+(\d{4}))?\b",
        t,
    )
    if m and not re.fullmatch(r"may", m.group(0).strip()):
        month = MONTHS[m.group(2)]
        year = (_year(m.group(3), m.group(0).strip()) if m.group(3)
                else (as_of.year if month <= as_of.month else as_of.year - 1))
        if m.group(1):
            return _period(dt.date(year, month, 1), as_of, f"since {year}-{month:02d}"), span(m)
        return _period(dt.date(year, month, 1), month_end(year, month), f"{year}-{month:02d}"), span(m)
    m = (re.search(r"\b(?:in|for|during|of)\s+(?:fy\s*)?((?:19|20)\d{2})\b", t)
         or re.search(r"\bfy\s*'?(\d{4})\b|\b(?:in|during)\s+(\d{4})\b" + _NOT_A_COUNT, t))
    if m:
        y = _year(m.group(1) or m.group(2), m.group(0))
        return _period(dt.date(y, 1, 1), min(dt.date(y, 12, 31), as_of), str(y)), span(m)
    return None
