"""Turn user phrases into date ranges, always relative to an explicit as-of date."""

from __future__ import annotations

import datetime as dt
import re

from pydantic import BaseModel

from assistant.errors import InputError


class Period(BaseModel):
    """An inclusive date range with the label the user gave it."""

    start: dt.date
    end: dt.date
    label: str


def _quarter(year: int, q: int) -> tuple[dt.date, dt.date]:
    start = dt.date(year, 3 * (q - 1) + 1, 1)
    end = dt.date(year + (q == 4), (3 * q) % 12 + 1, 1) - dt.timedelta(days=1)
    return start, end


def quarter_of(day: dt.date) -> str:
    """'2026Q3' style label of the quarter containing ``day``."""
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def _month_start(d: dt.date, back: int) -> dt.date:
    m = d.year * 12 + d.month - 1 - back
    return dt.date(m // 12, m % 12 + 1, 1)


def resolve_period(text: str, as_of: dt.date) -> Period:
    """'2026Q3', 'Q3 2026', '2026', '2026-05', 'last quarter', 'this quarter',
    'last month', 'last N months', 'last year', 'this year', 'ytd', 'all',
    or 'YYYY-MM-DD..YYYY-MM-DD' → an inclusive Period."""
    raw = text.strip()
    t = raw.lower().replace("_", " ")
    if m := re.fullmatch(r"(\d{4})\s*-?\s*q([1-4])|q([1-4])\s*-?\s*(\d{4})", t):
        year = int(m.group(1) or m.group(4))
        q = int(m.group(2) or m.group(3))
        s, e = _quarter(year, q)
        return Period(start=s, end=e, label=f"{year}Q{q}")
    if m := re.fullmatch(r"(?:fy\s*|year\s*)?(\d{4})", t):
        y = int(m.group(1))
        return Period(start=dt.date(y, 1, 1), end=dt.date(y, 12, 31), label=str(y))
    if m := re.fullmatch(r"(\d{4})-(\d{2})", t):
        s = dt.date(int(m.group(1)), int(m.group(2)), 1)
        return Period(start=s, end=_month_start(s, -1) - dt.timedelta(days=1), label=raw)
    if m := re.fullmatch(r"(\d{4}-\d{2}-\d{2})\s*(?:\.\.|to|/)\s*(\d{4}-\d{2}-\d{2})", t):
        s, e = dt.date.fromisoformat(m.group(1)), dt.date.fromisoformat(m.group(2))
        if e < s:
            raise InputError(f"Period '{raw}' ends before it starts.")
        return Period(start=s, end=e, label=raw)
    cur_q = (as_of.month - 1) // 3 + 1
    if t in ("last quarter", "previous quarter"):
        y, q = (as_of.year, cur_q - 1) if cur_q > 1 else (as_of.year - 1, 4)
        s, e = _quarter(y, q)
        return Period(start=s, end=e, label=f"{y}Q{q}")
    if t in ("this quarter", "current quarter", "qtd"):
        s, _ = _quarter(as_of.year, cur_q)
        return Period(start=s, end=as_of, label=f"{as_of.year}Q{cur_q} to date")
    if t in ("last month", "previous month"):
        s = _month_start(as_of, 1)
        return Period(start=s, end=_month_start(as_of, 0) - dt.timedelta(days=1),
                      label=s.strftime("%Y-%m"))
    if m := re.fullmatch(r"(?:last|past|trailing)\s+(\d{1,3})\s+months?", t):
        n = int(m.group(1))
        return Period(start=_month_start(as_of, n), end=_month_start(as_of, 0)
                      - dt.timedelta(days=1), label=f"last {n} months")
    if t in ("last 12 months", "ttm", "last twelve months"):
        return resolve_period("last 12 months", as_of)
    if t in ("last year", "previous year"):
        return resolve_period(str(as_of.year - 1), as_of)
    if t in ("this year", "ytd", "year to date"):
        return Period(start=dt.date(as_of.year, 1, 1), end=as_of, label=f"{as_of.year} to date")
    if t in ("all", "all time", "everything"):
        return Period(start=dt.date(1900, 1, 1), end=as_of, label="all time")
    raise InputError(f"Unknown period '{raw}'. Try 2026Q3, 2026, 2026-05, 'last quarter' "
                     "or 'last 12 months'.")
