"""Issue 15, item 13: a payer-scoped caller never sees another payer's exact rate, name or id,
nor a value from which one follows (a gap to the best payer, a min or max, a rank).

Real parts: the sample practice (six payers), its DuckDB warehouse, the real tools called
with a scoped ``TurnContext`` and the brief built through the edge helper a scoped key uses.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

SCOPE = ["KHP"]


def _deps(settings: Any, retriever_factory: Any = lambda: None) -> Any:
    """The tools' dependencies over ``settings``' warehouse (no retriever unless given)."""
    from assistant.analytics.vocabulary import Vocabulary
    from assistant.stores.warehouse import open_warehouse
    from assistant.tools.base import ToolDeps

    def vocab() -> Any:
        conn = open_warehouse(settings, read_only=True)
        try:
            return Vocabulary.load(conn)
        finally:
            conn.close()

    return ToolDeps(settings=settings, retriever_factory=retriever_factory,
                    warehouse_factory=lambda: open_warehouse(settings, read_only=True),
                    vocabulary=vocab)


def _runtime(practice: Any, allowed: list[str] | None) -> Any:
    from assistant.scope import Scope
    from assistant.tools.base import TurnContext

    return SimpleNamespace(context=TurnContext(as_of=practice.as_of, scope=Scope.of(allowed)))


@pytest.fixture(scope="module")
def truth(practice: Any) -> dict[str, Any]:
    """Rates in force per payer and code, the hidden payers' names and ids, and the values
    that coincide with something the scoped caller may see (its own rates, Medicare)."""
    from assistant.analytics.rates import RateParams, compare_rates
    from assistant.stores.warehouse import open_warehouse

    conn = open_warehouse(practice.settings, read_only=True)
    try:
        res = compare_rates(conn, RateParams(as_of=practice.as_of))
    finally:
        conn.close()
    hidden_rows = [r for r in res.rows if r.payer_id not in SCOPE]
    seen = {round(r.rate, 2) for r in res.rows if r.payer_id in SCOPE}
    seen |= {round(r.medicare_rate, 2) for r in res.rows if r.medicare_rate}
    hidden_rates = {round(r.rate, 2) for r in hidden_rows} - seen
    payers = [p for p in practice.truth["payers"] if p["payer_id"] not in SCOPE]
    assert len(payers) >= 3 and hidden_rates
    return {"rates": hidden_rates, "rows": res.rows,
            "names": [p["name"] for p in payers], "ids": [p["payer_id"] for p in payers]}


def _numbers(obj: Any) -> set[float]:
    """Every number in a JSON-like value, and every decimal number written in its strings."""
    out: set[float] = set()
    if isinstance(obj, bool) or obj is None:
        return out
    if isinstance(obj, int | float):
        out.add(round(float(obj), 2))
    elif isinstance(obj, str):
        out |= {round(float(m.replace(",", "")), 2) for m in re.findall(r"\d[\d,]*\.\d+", obj)}
    elif isinstance(obj, dict):
        for v in obj.values():
            out |= _numbers(v)
    elif isinstance(obj, list | tuple):
        for v in obj:
            out |= _numbers(v)
    return out


def assert_no_leak(truth: dict[str, Any], *outputs: Any) -> None:
    """No hidden payer's name, id or exact rate (to the cent) anywhere in ``outputs``."""
    text = "\n".join(o if isinstance(o, str) else json.dumps(o, default=str) for o in outputs)
    for name in truth["names"]:
        assert name not in text, f"other payer named: {name}"
    for pid in truth["ids"]:
        assert not re.search(rf"\b{pid}\b", text), f"other payer's id: {pid}"
    leaked = sorted(_numbers(list(outputs)) & truth["rates"])
    assert not leaked, f"other payers' exact rates: {leaked}"


def _rate_rows_imply_no_best_rate(truth: dict[str, Any], rows: list[dict[str, Any]]) -> None:
    """rate + gap / units is the target; it must not be a hidden payer's rate (the best)."""
    for r in rows:
        if r.get("annual_gap") and r.get("annual_units"):
            implied = round(r["rate"] + r["annual_gap"] / r["annual_units"], 2)
            assert implied not in truth["rates"], f"gap implies another payer's rate {implied}"


def test_rate_comparison_for_a_scoped_caller_shows_only_aggregates(practice: Any,
                                                                   truth: dict[str, Any]) -> None:
    from assistant.tools.rates import make_rate_comparison

    tool = make_rate_comparison(_deps(practice.settings))
    for kwargs in ({"codes": ["99214"], "payer": "Keystone"}, {"codes": ["99214"]},
                   {"code_group": "E/M"}, {}):
        content, art = tool.func(runtime=_runtime(practice, SCOPE), **kwargs)  # type: ignore[attr-defined]
        assert art["error"] is None, art["error"]
        assert art["data"]["rows"] and all(r["payer_id"] in SCOPE for r in art["data"]["rows"])
        assert_no_leak(truth, content, art)
        _rate_rows_imply_no_best_rate(truth, art["data"]["rows"])
        row = next(r for r in art["data"]["rows"] if r["code"] == "99214")
        assert row["peer_count"] >= 3 and row["peer_median"] is not None


def test_rate_comparison_unscoped_keeps_the_full_comparison(practice: Any,
                                                            truth: dict[str, Any]) -> None:
    from assistant.tools.rates import make_rate_comparison

    tool = make_rate_comparison(_deps(practice.settings))
    _, art = tool.func(runtime=_runtime(practice, None), codes=["99214"])  # type: ignore[attr-defined]
    rows = art["data"]["rows"]
    assert {r["payer_id"] for r in rows} >= set(truth["ids"])
    best = max(r["rate"] for r in rows)
    assert all(r["target_rate"] == best for r in rows) and rows[0]["rank"] == 1


def test_payer_mix_and_walkaway_and_counteroffer_leak_nothing(practice: Any,
                                                              truth: dict[str, Any]) -> None:
    from assistant.tools.counteroffer import make_counteroffer
    from assistant.tools.payer_mix import make_payer_mix
    from assistant.tools.walkaway import make_walkaway

    deps = _deps(practice.settings)
    rt = _runtime(practice, SCOPE)
    outs = [
        make_payer_mix(deps).func(runtime=rt),  # type: ignore[attr-defined]
        make_payer_mix(deps).func(runtime=rt, by="payment"),  # type: ignore[attr-defined]
        make_walkaway(deps).func(runtime=rt, payer="Keystone"),  # type: ignore[attr-defined]
        make_counteroffer(deps).func(runtime=rt, payer="Keystone",  # type: ignore[attr-defined]
                                     increase_pct=6, code_group="E/M"),
    ]
    for content, art in outs:
        assert art["error"] is None, art["error"]
        assert_no_leak(truth, content, art)


def test_too_few_hidden_payers_means_no_comparison_and_no_total(practice: Any,
                                                               truth: dict[str, Any]) -> None:
    """Scoped to all payers but two: an aggregate over the two others would be one or two
    payers' values, so the comparison and the practice totals are not available."""
    from assistant.tools.payer_mix import make_payer_mix
    from assistant.tools.rates import make_rate_comparison
    from assistant.tools.walkaway import make_walkaway

    everyone = [p["payer_id"] for p in practice.truth["payers"]]
    allowed = everyone[:-2]
    deps = _deps(practice.settings)
    rt = _runtime(practice, allowed)
    content, art = make_rate_comparison(deps).func(runtime=rt, codes=["99214"])  # type: ignore[attr-defined]
    assert all(r["peer_median"] is None and r["target_rate"] is None for r in art["data"]["rows"])
    assert "not available at this scope" in (art["note"] or "")
    hidden_rates = {round(r.rate, 2) for r in truth["rows"] if r.payer_id in everyone[-2:]}
    visible_rates = {round(r.rate, 2) for r in truth["rows"] if r.payer_id in allowed}
    assert not (_numbers([content, art]) & (hidden_rates - visible_rates))
    _, mix = make_payer_mix(deps).func(runtime=rt)  # type: ignore[attr-defined]
    assert mix["data"]["claims"] is None and mix["data"]["patients"] is None
    assert all(r["share_of_paid"] is None for r in mix["data"]["by_payer"])
    _, walk = make_walkaway(deps).func(runtime=rt, payer="KHP")  # type: ignore[attr-defined]
    assert walk["data"]["annual_revenue"] > 0
    assert walk["data"]["practice_annual_revenue"] is None and walk["data"]["share_of_revenue"] is None


def test_scoped_brief_shows_only_aggregates(practice: Any, truth: dict[str, Any]) -> None:
    """The brief a scoped key builds: no other payer's min, max, name, share or exact rate,
    in the Markdown or in brief.json."""
    from assistant.scope import Scope
    from connectors.briefs_api import build

    assistant = SimpleNamespace(embedder=practice.embedder, deps=None)
    brief = build(practice.settings, assistant, "KHP", Scope.of(SCOPE), as_of=practice.as_of)
    stored = json.loads((Path(brief.files["md"]).parent / "brief.json").read_text(encoding="utf-8"))
    assert_no_leak(truth, brief.markdown, stored)
    others = stored["facts"]["others"]
    assert others and all(set(v) == {"median", "n"} and v["n"] >= 3 for v in others.values())


# --- through the HTTP edge, with a key scoped to Keystone (tests/connectors/conftest.py) ---


def test_scoped_key_asking_for_the_gap_to_the_best_payer_gets_no_best_rate(
        stack: Any, truth: dict[str, Any]) -> None:
    """The attack of the pass: the annual gap to the best payer gave its exact rate away."""
    r = stack.client.post("/v1/ask", headers=stack.auth("scoped"), json={
        "question": "How does Keystone's 99214 rate compare to the best-paying payer?"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert_no_leak(truth, body)
    assert "99214" in json.dumps(body)
    # the gap to the best payer, with the caller's own rate and volume, gives the best rate
    from assistant.analytics.rates import RateParams, compare_rates
    from assistant.stores.warehouse import open_warehouse

    conn = open_warehouse(stack.settings, read_only=True)
    try:
        gaps = {round(compare_rates(conn, RateParams(as_of=stack.settings.as_of, payer="KHP", **kw))
                      .total_gap, 2) for kw in ({"code": "99214"}, {})}
    finally:
        conn.close()
    gaps.discard(0.0)
    assert gaps and not (_numbers(body) & gaps), "the answer gives the gap to the best payer"


def test_scoped_key_brief_and_findings_over_http_leak_nothing(stack: Any,
                                                              truth: dict[str, Any]) -> None:
    made = stack.client.post("/v1/briefs", headers=stack.auth("scopedneg"), json={"payer": "Keystone"})
    assert made.status_code == 201, made.text
    url = made.json()["url"]
    as_json = stack.client.get(url, headers=stack.auth("scopedneg"))
    as_md = stack.client.get(url, params={"format": "md"}, headers=stack.auth("scopedneg"))
    assert as_json.status_code == as_md.status_code == 200
    assert_no_leak(truth, as_json.json(), as_md.text)
    assert "min – median – max" not in as_md.text and "median of n" in as_md.text
    findings = stack.client.get("/v1/findings", headers=stack.auth("scoped"))
    assert findings.status_code == 200
    assert_no_leak(truth, findings.json())


def test_a_full_brief_is_not_served_to_a_scoped_key(stack: Any) -> None:
    """A brief built by an unscoped key names and ranks every payer: a key scoped to its payer
    is told it does not exist; the unscoped key still gets the full comparison."""
    made = stack.client.post("/v1/briefs", headers=stack.auth("negotiator"), json={"payer": "Keystone"})
    assert made.status_code == 201, made.text
    full = stack.client.get(made.json()["url"], params={"format": "md"}, headers=stack.auth("negotiator"))
    assert full.status_code == 200 and "min – median – max" in full.text
    assert stack.client.get(made.json()["url"], headers=stack.auth("scopedneg")).status_code == 404
