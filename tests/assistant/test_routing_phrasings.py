"""The offline planner on phrasings written after the engine (not in its exemplars, rules or
the eval suite): staff words for the same questions must reach the same analysis.

Measured on the 51-question probe these come from: 21/51 routed right before the intent
classifier (keyword cues + nearest exemplar), 41/51 after. Only questions it gets right are
pinned here; the misses are listed in the issue note, not hidden.
"""

from __future__ import annotations

from typing import Any

import pytest

from assistant.engines.planner import TOOL_INTENTS, Planner
from assistant.engines.router import SemanticRouter

CASES = [
    ("clause:termination_without_cause",
     "Could we end the Riverbend agreement early just because we want to? What notice?"),
    ("clause:term_renewal", "Does the Harborline contract roll over automatically every year?"),
    ("clause:most_favored_nation",
     "Is there anything in Blue Summit's paper saying we can't give someone else a lower price?"),
    ("clause:prompt_pay", "How many days does Riverbend have to pay a clean claim under the contract?"),
    ("clause:fee_schedule_updates", "Is Keystone allowed to lower our rates mid-contract?"),
    ("clause:prior_authorization", "Which services need pre-approval under the Harborline agreement?"),
    ("clause:audit_rights", "Can Keystone come in and look through our billing records?"),
    ("rates", "What's Riverbend giving us for a level 4 established visit?"),
    ("rates", "how do Keystone's fees stack up against the other plans"),
    ("underpayments", "Check whether Keystone's allowed amounts match the contract"),
    ("denials", "Which payer kicks back the most claims?"),
    ("timeliness", "Which payer is slowest to send money?"),
    ("timeliness", "How many Keystone claims were paid past the due date?"),
    ("payer_mix", "What fraction of our income is from Northwind?"),
    ("walkaway", "What would it cost us to stop taking Blue Summit?"),
    ("walkaway", "If we terminate Riverbend, what's the financial hit?"),
    ("walkaway", "Could we survive dropping Northwind?"),
    ("counteroffer", "If Blue Summit moved to 120% of Medicare, how much more would we collect?"),
    ("deadlines", "What contract dates should I have on my calendar this quarter?"),
    ("brief", "Put together a negotiation packet for Northwind"),
    # misses of the first probe, fixed in the fourth session
    ("clause:timely_filing", "How long after the date of service do we have to get a claim to Keystone?"),
    ("walkaway", "Give me a heads up on what happens if we quit Northwind's network"),
    ("clause:appeals", "What's our window to fight a denial with Riverbend?"),
    ("clause:governing_law", "Which state's courts handle disputes under the Harborline agreement?"),
    ("underpayments", "Is Blue Summit paying less than the fee schedule on 99214?"),
    ("denials", "Why does Northwind keep bouncing our imaging claims?"),
    ("refuse", "Who is the CEO of Blue Summit?"),
    ("clause:hold_harmless", "Can we bill Keystone members for what the plan doesn't pay?"),
    ("refuse", "Can you help me write a cover letter?"),
    ("refuse", "What's the date of birth of the patient on claim 1234?"),
]


@pytest.fixture(scope="module")
def planner(offline_assistant: Any) -> Planner:
    return Planner(SemanticRouter(offline_assistant.embedder), offline_assistant.vocabulary)


@pytest.mark.parametrize(("want", "question"), CASES)
def test_new_phrasings_reach_the_right_analysis(
    planner: Planner, practice: Any, want: str, question: str
) -> None:
    plan = planner.plan(question, practice.as_of, [])
    if want == "refuse":
        assert plan.refusal, plan.calls
        return
    assert not plan.refusal and plan.calls, plan.refusal
    first = plan.calls[0]
    intent = TOOL_INTENTS[first["name"]]
    if want.startswith("clause:"):
        types = [c["args"].get("clause_type") for c in plan.calls if c["name"] == "contract_search"]
        assert intent == "clause" and want.split(":")[1] in types, (intent, types)
    else:
        assert intent == want, (intent, plan.route)


def test_a_follow_up_keeps_the_thread_s_analysis_and_clause(planner: Planner, practice: Any) -> None:
    from assistant.engines.planner import PriorTurn

    first = planner.plan("What's Keystone's timely filing limit?", practice.as_of, [])
    prior = PriorTurn("What's Keystone's timely filing limit?", first.calls)
    for follow in ("and for riverbend?", "and Riverbend's?"):
        again = planner.plan(follow, practice.as_of, [prior])
        assert again.calls and again.calls[0]["name"] == first.calls[0]["name"]
        assert all(c["args"].get("payer") == "RCC" for c in again.calls if "payer" in c["args"])
        types = {c["args"].get("clause_type") for c in again.calls if c["name"] == "contract_search"}
        assert types == {"timely_filing"}, types
        terms = [c["args"]["terms"] for c in again.calls if c["name"] == "contract_terms"]
        assert terms == [["timely_filing_days"]]


class _Counting:
    """The real embedder, counting documents embedded."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.model_name, self.embedded = inner, inner.model_name, 0

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.embedded += len(texts)
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)


def test_exemplar_embeddings_are_cached_per_file_and_model(shared_embedder: Any, tmp_path: Any) -> None:
    first = _Counting(shared_embedder)
    a = SemanticRouter(first, tmp_path)
    assert first.embedded > 500 and len(list(tmp_path.glob("router-*.npy"))) == 1
    second = _Counting(shared_embedder)
    b = SemanticRouter(second, tmp_path)
    assert second.embedded == 0  # read back, not re-embedded
    q = "Which payer is slowest to send money?"
    assert a.analyse(q) == b.analyse(q)
    (next(tmp_path.glob("router-*.npy"))).write_bytes(b"not an array")
    (next(tmp_path.glob("router-clf-*.npz"))).write_bytes(b"not an archive")  # refit too
    third = _Counting(shared_embedder)
    SemanticRouter(third, tmp_path)  # a broken cache file is rebuilt, not an error
    assert third.embedded == second.embedded + first.embedded
