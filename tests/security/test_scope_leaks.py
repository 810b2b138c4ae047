"""Issue 15, the scope redesign: one ``Scope`` carried on the turn, enforced at one boundary.

Leak tests for every tool, the brief, the monitor digest and the findings, each called as a
caller scoped to one payer (Keystone, ``KHP``) of the sample practice (six payers). For each:
no hidden payer's name, id or exact rate in what the caller gets; totals that are the
visible payer's own (the analytics filter their SQL by the scope, so a practice-wide total
never reaches a scoped result); a hidden payer and a name no payer has are refused with the
same words (no oracle of which payers exist).

Real parts: the sample practice's DuckDB warehouse and Chroma store, the real tools, the
brief builder, the monitor and a local fake Slack Web API.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from assistant.scope import OUT_OF_SCOPE, Scope
from tests.security.test_scoped_aggregates import _deps, assert_no_leak

MINE = "KHP"
SCOPE = Scope.of([MINE])
UNKNOWN = "Acme Mutual Insurance"


@pytest.fixture(scope="module")
def deps(practice: Any) -> Any:
    """The tools' dependencies over the practice, with the real hybrid retriever."""
    from assistant.retrieval import create_retriever

    settings = practice.settings
    return _deps(settings, lambda: create_retriever(settings, embedder=practice.embedder))


@pytest.fixture(scope="module")
def hidden(practice: Any) -> dict[str, Any]:
    """What the scoped caller must never see: the other payers' names and ids, and their
    exact rates that coincide with nothing the caller may see."""
    from assistant.analytics.rates import RateParams, compare_rates
    from assistant.stores.warehouse import open_warehouse

    conn = open_warehouse(practice.settings, read_only=True)
    try:
        rows = compare_rates(conn, RateParams(as_of=practice.as_of)).rows
    finally:
        conn.close()
    seen = {round(r.rate, 2) for r in rows if r.payer_id == MINE}
    seen |= {round(r.medicare_rate, 2) for r in rows if r.medicare_rate}
    others = [p for p in practice.truth["payers"] if p["payer_id"] != MINE]
    return {"names": [p["name"] for p in others], "ids": [p["payer_id"] for p in others],
            "rates": {round(r.rate, 2) for r in rows if r.payer_id != MINE} - seen,
            "rows": rows, "a_name": others[0]["name"]}


def _rt(practice: Any, scope: Scope) -> Any:
    from assistant.tools.base import TurnContext

    return SimpleNamespace(context=TurnContext(as_of=practice.as_of, scope=scope,
                                               question="scoped leak test"))


def _tools(deps: Any) -> dict[str, Any]:
    from assistant.tools import build_tools

    return {t.name: t for t in build_tools(deps)}


# every tool that takes a payer, with the other arguments one call needs
CALLS: dict[str, dict[str, Any]] = {
    "contract_search": {"query": "timely filing limit for claims"},
    "contract_terms": {},
    "deadlines": {},
    "denials": {},
    "payer_mix": {"by": "payment"},
    "payment_timeliness": {},
    "underpayments": {},
    "rate_comparison": {"codes": ["99214"]},
    "walkaway": {},
    "counteroffer": {"increase_pct": 5, "code_group": "E/M"},
}


def test_every_tool_is_covered(deps: Any) -> None:
    """A new tool must be added to this suite (with a scoped call) to pass."""
    assert set(_tools(deps)) == set(CALLS)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_a_tool_in_scope_leaks_nothing(practice: Any, deps: Any, hidden: dict[str, Any],
                                       name: str) -> None:
    """Called without a payer (and with the visible one where a payer is required)."""
    tool = _tools(deps)[name]
    kwargs = dict(CALLS[name])
    if name in ("walkaway", "counteroffer"):
        kwargs["payer"] = "Keystone"
    content, art = tool.func(runtime=_rt(practice, SCOPE), **kwargs)
    assert art["error"] is None, art["error"]
    assert_no_leak(hidden, content, art)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_a_hidden_payer_and_an_unknown_one_are_refused_alike(
        practice: Any, deps: Any, hidden: dict[str, Any], name: str) -> None:
    """The model may name any payer in a tool call: resolved through the scope, a hidden
    payer and a made-up one get the same refusal, and nothing of the hidden payer."""
    tool = _tools(deps)[name]
    outs = []
    for payer in (hidden["a_name"], UNKNOWN):
        content, art = tool.func(runtime=_rt(practice, SCOPE), **CALLS[name], payer=payer)
        assert art["error"] == OUT_OF_SCOPE, (payer, art["error"])
        assert not art["data"] and not art["figures"] and not art["citations"]
        # the filters echo the caller's own words (the name it asked for); nothing else
        # may name the payer
        shown = {k: v for k, v in json.loads(content).items() if k != "filters"}
        assert_no_leak(hidden, shown, {k: v for k, v in art.items() if k != "filters"})
        assert art["filters"].get("payer") in (payer, None)
        outs.append(art["error"])
    assert outs[0] == outs[1]


def test_scoped_totals_are_the_visible_payers_own(practice: Any, deps: Any) -> None:
    """Without a payer argument, a scoped caller's totals equal the same tool asked about
    its own payer by an unscoped caller: no hidden payer's lines in any total (the old
    post-filter left the practice-wide expected/allowed/paid and denial reasons in)."""
    tools = _tools(deps)
    pairs = {"underpayments": ("lines_compared", "underpaid_lines", "total_short",
                               "total_expected", "total_allowed", "total_paid"),
             "denials": ("lines", "denied_lines", "denial_rate")}
    for name, keys in pairs.items():
        _, scoped = tools[name].func(runtime=_rt(practice, SCOPE))
        _, mine = tools[name].func(runtime=_rt(practice, Scope.everyone()), payer=MINE)
        for key in keys:
            assert scoped["data"][key] == mine["data"][key], (name, key)
    _, scoped = tools["denials"].func(runtime=_rt(practice, SCOPE))
    _, mine = tools["denials"].func(runtime=_rt(practice, Scope.everyone()), payer=MINE)
    assert scoped["data"]["top_reasons"] == mine["data"]["top_reasons"]


def test_analytics_never_read_hidden_rows(practice: Any) -> None:
    """The scope is a SQL filter in the analytics themselves, not a filter on the tools'
    output: a scoped result holds the visible payers' rows only."""
    from assistant.analytics.deadlines import DeadlineParams, contract_deadlines
    from assistant.analytics.denials import DenialParams, denial_analysis
    from assistant.analytics.mix import ReceiptsParams, payments_received
    from assistant.analytics.timeliness import TimelinessParams, payment_timeliness
    from assistant.analytics.variance import VarianceParams, reimbursement_variance
    from assistant.errors import PermissionDenied
    from assistant.stores.warehouse import open_warehouse

    conn = open_warehouse(practice.settings, read_only=True)
    try:
        within = [MINE]
        den = denial_analysis(conn, DenialParams(within=within))
        assert {r.key for r in den.by_payer} == {MINE}
        var = reimbursement_variance(conn, VarianceParams(within=within))
        assert {r.key for r in var.by_payer} <= {MINE} and var.lines_compared > 0
        tim = payment_timeliness(conn, TimelinessParams(within=within))
        assert {r.payer_id for r in tim.by_payer} == {MINE}
        rec = payments_received(conn, ReceiptsParams(within=within))
        assert {r.payer_id for r in rec.by_payer} == {MINE}
        dl = contract_deadlines(conn, DeadlineParams(as_of=practice.as_of, within=within))
        assert dl.contracts and {c.payer_id for c in dl.contracts} == {MINE}
        with pytest.raises(PermissionDenied):
            denial_analysis(conn, DenialParams(payer="Northwind", within=within))
    finally:
        conn.close()


def test_a_scoped_brief_for_a_hidden_payer_is_refused_before_it_is_built(
        practice: Any, tmp_path: Path, hidden: dict[str, Any]) -> None:
    """Checked before anything is computed or stored: no brief folder appears."""
    from assistant.errors import PermissionDenied
    from connectors.briefs_api import build

    settings = practice.settings.model_copy(update={"briefs_dir": tmp_path / "briefs"})
    assistant = SimpleNamespace(embedder=practice.embedder, deps=None)
    messages = []
    for payer in (hidden["a_name"], UNKNOWN):
        with pytest.raises(PermissionDenied) as err:
            build(settings, assistant, payer, SCOPE, as_of=practice.as_of)
        messages.append(err.value.user_message)
    assert messages[0] == messages[1] == OUT_OF_SCOPE
    assert not (tmp_path / "briefs").exists() or not any((tmp_path / "briefs").iterdir())


def test_a_brief_with_one_or_two_hidden_payers_shows_no_practice_denials(practice: Any) -> None:
    """Scoped to all payers but two: "denials across payers" minus the visible payers'
    would be those two payers' denials (and the chart's "other payers" line their monthly
    rate), so the brief's all-payer denial figures cover the visible payers only. With
    three or more hidden payers the practice-wide figures are an aggregate and stay."""
    from assistant.analytics.denials import DenialParams, denial_analysis
    from assistant.briefs.facts import gather_facts
    from assistant.stores.warehouse import open_warehouse

    everyone = sorted(p["payer_id"] for p in practice.truth["payers"])
    two_hidden = [p for p in everyone if p != MINE][2:] + [MINE]
    assert len(everyone) - len(two_hidden) == 2
    conn = open_warehouse(practice.settings, read_only=True)
    try:
        visible = denial_analysis(conn, DenialParams(within=two_hidden))
        practice_wide = denial_analysis(conn, DenialParams())
        facts = gather_facts(conn, MINE, "Keystone", None, practice.as_of, [], allowed=two_hidden)
        wide = gather_facts(conn, MINE, "Keystone", None, practice.as_of, [], allowed=[MINE])
    finally:
        conn.close()
    assert visible.lines < practice_wide.lines
    assert facts.denials_all.lines == visible.lines
    assert facts.denials_all.denied_lines == visible.denied_lines
    assert {m.key: m.lines for m in facts.denials_all.by_month} == {
        m.key: m.lines for m in visible.by_month}
    assert {p.key for p in facts.denials_all.by_payer} <= set(two_hidden)
    assert wide.denials_all.lines == practice_wide.lines  # five hidden payers: an aggregate


def test_the_digest_holds_only_the_channel_payers_findings(
        practice: Any, tmp_path: Path, hidden: dict[str, Any]) -> None:
    """A digest channel mapped to Keystone in the Slack visibility file gets Keystone's
    findings only, with totals that are Keystone's; an unmapped channel gets nothing."""
    import shutil

    from slack_sdk import WebClient

    from assistant.monitor.detect import run_monitor
    from assistant.monitor.digest import post_digest
    from bench.edge_servers import FakeSlackWebAPI

    shutil.copytree(practice.settings.data_dir, tmp_path / "data")
    vis = tmp_path / "visibility.json"
    vis.write_text(json.dumps({"channels": {"C-KHP": [MINE]}, "users": {}}), encoding="utf-8")
    settings = practice.settings.model_copy(update={
        "data_dir": tmp_path / "data", "slack_visibility_file": vis,
        "slack_digest_channel": "C-KHP"})
    report = run_monitor(settings)
    assert {f.payer_id for f in report.new} - {MINE, None}, "the run must find other payers too"
    slack = FakeSlackWebAPI()
    try:
        client = WebClient(token="xoxb-test-not-real", base_url=slack.base_url)
        post_digest(settings, report, client)
        skipped = post_digest(settings, report, client, channel="C-NOBODY")
    finally:
        slack.server.shutdown()
    posts = slack.named("chat.postMessage")
    assert len(posts) == 1 and skipped["ts"] is None
    blocks = posts[0]["blocks"]
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    assert_no_leak({**hidden, "rates": set()}, posts[0]["text"], blocks)
    mine = [f for f in report.new if f.payer_id == MINE]
    totals = next(b for b in blocks if b.get("block_id") == "digest_totals")["text"]["text"]
    assert f"*{len(mine)} new findings*" in totals
    shown = {b["block_id"].removeprefix("finding_") for b in blocks
             if b.get("block_id", "").startswith("finding_")}
    assert shown and shown <= {f.finding_id for f in mine}
