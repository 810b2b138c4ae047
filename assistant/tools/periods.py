"""Turn a tool's start/end arguments into an analytics Period."""

from __future__ import annotations

import datetime as dt

from assistant.errors import InputError
from assistant.periods import Period


def period_from(start: str | None, end: str | None, as_of: dt.date) -> Period | None:
    """A Period from ISO dates (either may be missing), or None for all time."""
    if not start and not end:
        return None
    try:
        s = dt.date.fromisoformat(start) if start else dt.date(1900, 1, 1)
        e = dt.date.fromisoformat(end) if end else as_of
    except ValueError:
        raise InputError("Dates must look like 2026-07-01.") from None
    if e < s:
        raise InputError("The period ends before it starts.")
    return Period(start=s, end=e, label=_label(s, e) if start else f"to {e.isoformat()}")


def _label(s: dt.date, e: dt.date) -> str:
    """'2026Q3', '2026-07' or '2026' when the range is exactly one, else 'start..end'."""
    nxt = e + dt.timedelta(days=1)
    if s.day == 1 and nxt.day == 1:
        months = (nxt.year - s.year) * 12 + nxt.month - s.month
        if months == 12 and s.month == 1:
            return str(s.year)
        if months == 3 and s.month in (1, 4, 7, 10):
            return f"{s.year}Q{(s.month - 1) // 3 + 1}"
        if months == 1:
            return f"{s.year}-{s.month:02d}"
    return f"{s.isoformat()}..{e.isoformat()}"
