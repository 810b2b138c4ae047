"""Periods relative to an as-of date, and vocabulary resolution."""

from __future__ import annotations

import datetime as dt

import pytest

from assistant.analytics.vocabulary import PayerInfo, Vocabulary, code_in_category
from assistant.errors import InputError, PermissionDenied, UnknownEntityError
from assistant.periods import resolve_period
from assistant.scope import Scope

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
                                         aliases=("Blue Cross", "BCBS")),
                               PayerInfo(payer_id="KHP", name="Keystone Health Plan",
                                         aliases=("Keystone",))],
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


def _three_payers() -> Vocabulary:
    return Vocabulary(
        payers=[PayerInfo("BSH", "Blue Summit Health", aliases=("BCBS",)),
                PayerInfo("KHP", "Keystone Health Plan", aliases=("Keystone",)),
                PayerInfo("NWM", "Northwind Medicare Advantage", aliases=("Northwind",))],
        codes=["99213", "99214"],
        reference_codes=frozenset({"99215", "G0438"}),
    )


def test_scoped_caller_is_only_offered_its_own_payers() -> None:
    vocab = _three_payers()
    assert vocab.resolve_payer("keystone", allowed=["KHP"]) == "KHP"
    assert vocab.resolve_payer("Keystne", allowed=["KHP"]) == "KHP"  # typo
    with pytest.raises(PermissionDenied):
        vocab.resolve_payer("Northwind", allowed=["KHP"])
    with pytest.raises(PermissionDenied):
        vocab.resolve_payer("Northwinds", allowed=["KHP"])  # a typo of a payer out of scope
    with pytest.raises(UnknownEntityError) as err:
        vocab.resolve_payer("Summit Medicare Advantage", allowed=["KHP"])
    assert err.value.suggestions == ["Keystone Health Plan"]
    assert "Northwind" not in str(err.value) and "Blue Summit" not in str(err.value)
    with pytest.raises(UnknownEntityError) as err:
        vocab.resolve_payer("Summit Medicare Advantage")  # unscoped: near names are offered
    assert {"Blue Summit Health", "Northwind Medicare Advantage"} & set(err.value.suggestions)
    assert Scope.of(["KHP"]).resolve_optional(vocab, "  ") is None
    assert Scope.everyone().resolve_optional(vocab, None) is None


def test_reference_codes_resolve_but_do_not_expand() -> None:
    vocab = _three_payers()
    assert vocab.resolve_code("g0438") == "G0438"  # Medicare knows it; the practice has no data
    assert vocab.is_code("99215") and not vocab.is_code("99999")
    assert vocab.codes_in_category("E/M") == ["99213", "99214"]


def test_initials_resolve_and_generic_words_never_match_a_payer() -> None:
    from assistant.analytics.vocabulary import with_acronyms

    vocab = Vocabulary(payers=with_acronyms([
        PayerInfo("CEDAR-RIDGE", "Cedar Ridge Health Plan, Inc."),
        PayerInfo("GPHI", "Granite Peak Health Insurance Company"),
        PayerInfo("TMIC", "Tamarack Mutual Insurance Company"),
        PayerInfo("TMX", "Timberline Mutual Insurance Company")]))  # same initials as TMIC
    assert vocab.resolve_payer("CRHP") == "CEDAR-RIDGE"
    assert vocab.resolve_payer("crhp") == "CEDAR-RIDGE"
    assert vocab.resolve_payer("GPHIC") == "GPHI"
    assert vocab.resolve_payer("tamarak") == "TMIC"  # a typo of the distinctive word
    with pytest.raises(UnknownEntityError):
        vocab.resolve_payer("TMI")  # too short to be anyone's initials
    for other in ("Blue Mesa Health", "Health Plan", "Mutual Insurance Company"):
        with pytest.raises(UnknownEntityError):
            vocab.resolve_payer(other)
