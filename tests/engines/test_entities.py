import datetime as dt

from assistant.analytics.vocabulary import PayerInfo, Vocabulary
from assistant.engines.entities import extract
from assistant.engines.planner import unknown_payer_names

VOCAB = Vocabulary(
    payers=[
        PayerInfo("BSH", "Blue Summit Health", aliases=("Blue Summit", "BCBS", "Blue Cross")),
        PayerInfo("KHP", "Keystone Health Plan", aliases=("Keystone",)),
        PayerInfo("NWM", "Northwind Medicare Advantage", aliases=("Northwind",)),
    ],
    codes=["73721", "99213", "99214"],
)
AS_OF = dt.date(2026, 11, 27)


def test_payers_by_name_alias_and_typo() -> None:
    assert extract("What's Northwind's timely-filing limit?", VOCAB, AS_OF).payers == ["NWM"]
    assert extract("does BCBS have an MFN clause", VOCAB, AS_OF).payers == ["BSH"]
    assert extract("did keystne underpay us", VOCAB, AS_OF).payers == ["KHP"]
    assert extract("compare Keystone and Blue Summit", VOCAB, AS_OF).payers == ["KHP", "BSH"]


def test_codes_clauses_terms_and_period() -> None:
    ent = extract("Did Keystone pay 99214 at contract in Q3 2026?", VOCAB, AS_OF)
    assert ent.codes == ["99214"]
    assert ent.period is not None and ent.period.label == "2026Q3"
    ent = extract("How long do we have to file a claim with Northwind?", VOCAB, AS_OF)
    assert "timely_filing" in ent.clause_types
    assert "timely_filing_days" in ent.terms
    ent = extract("notice to terminate Keystone without cause", VOCAB, AS_OF)
    assert ent.clause_types == ["termination_without_cause"]


def test_year_is_not_a_code_and_unknown_code_is_kept_apart() -> None:
    ent = extract("rates for 99999 in 2025", VOCAB, AS_OF)
    assert ent.codes == []
    assert ent.unknown_codes == ["99999"]


def test_unknown_payer_names() -> None:
    assert unknown_payer_names("What's Acme Insurance's timely filing limit?", VOCAB) == ["Acme Insurance"]
    assert unknown_payer_names("What's the timely filing limit?", VOCAB) == []
