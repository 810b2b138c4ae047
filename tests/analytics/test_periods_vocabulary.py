"""Periods relative to an as-of date, and vocabulary resolution."""

from __future__ import annotations

import datetime as dt

import pytest

from assistant.analytics.periods import resolve_period
from assistant.analytics.vocabulary import PayerInfo, Vocabulary, code_in_category
from assistant.errors import InputError, UnknownEntityError

AS_OF = dt.date(2026, 11, 27)


@pytest.mark.parametrize("text,start,end", [
    ("2026Q3", "2026-07-01", "2026-09-30"),
    ("Q4 2025", "2025-10-01", "2025-12-31"),
    ("2025", "2025-01-01", "2025-12-31"),
    ("2026-02", "2026-02-01", "2026-02-28"),
    ("last quarter", "2026-07-01", "2026-09-30"),
    ("last month", "2026-10-01", "2026-10-31"),
    ("last 12 months", "2025-11-01", "2026-10-31"),
    ("last 3 months", "2026-08-01", "2026-10-31"),
    ("last year", "2025-01-01", "2025-12-31"),
    ("ytd", "2026-01-01", "2026-11-27"),
    ("2026-01-01..2026-03-15", "2026-01-01", "2026-03-15"),
])
def test_periods(text: str, start: str, end: str) -> None:
    p = resolve_period(text, AS_OF)
    assert (p.start.isoformat(), p.end.isoformat()) == (start, end)


def test_last_quarter_in_january() -> None:
    p = resolve_period("last quarter", dt.date(2026, 1, 10))
    assert p.label == "2025Q4"


def test_unknown_period() -> None:
    with pytest.raises(InputError):
        resolve_period("the good old days", AS_OF)


def test_vocabulary_resolution() -> None:
    vocab = Vocabulary(payers=[PayerInfo(payer_id="BSH", name="Blue Summit Health",
                                         aliases=["Blue Cross", "BCBS"]),
                               PayerInfo(payer_id="KHP", name="Keystone Health Plan",
                                         aliases=["Keystone"])],
                       codes=["99213", "99214", "73721"])
    assert vocab.resolve_payer("bcbs") == "BSH"
    assert vocab.resolve_payer("Blue Summit Health") == "BSH"
    assert vocab.resolve_payer("keystone health") == "KHP"
    with pytest.raises(UnknownEntityError) as err:
        vocab.resolve_payer("Aetna")
    assert err.value.suggestions
    assert vocab.resolve_code(" 99213 ") == "99213"
    with pytest.raises(UnknownEntityError) as err:
        vocab.resolve_code("99215")
    assert "99213" in err.value.suggestions or "99214" in err.value.suggestions
    assert vocab.codes_in_category("E/M") == ["99213", "99214"]
    assert vocab.codes_in_category("imaging") == ["73721"]
    assert code_in_category("99213", "em") and not code_in_category("J1100", "em")
