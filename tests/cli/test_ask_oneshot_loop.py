"""``agent.OneShotLoop`` (``parley ask`` on the offline engine) runs a turn as LangChain's
agent does: the same system prompt, tool results, tool errors and tool-call limit, and the
same answers. Real tools over the ingested sample practice; only the chat model of the
loop-level test is scripted (tests/fakes/chat.py)."""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

from tests.fakes.chat import ScriptedChatModel


def _call(name: str, args: dict[str, Any], call_id: str) -> dict[str, Any]:
    return {"name": name, "args": args, "id": call_id, "type": "tool_call"}


def _script() -> list[AIMessage]:
    """An unknown tool, a payer nobody has, bad arguments, then more calls than the limit."""
    many = [_call("deadlines", {"window_days": 30 + i}, f"m{i}") for i in range(10)]
    return [
        AIMessage("", tool_calls=[_call("no_such_tool", {}, "u1"),
                                  _call("contract_terms", {"payer": "Nobody Mutual"}, "p1"),
                                  _call("contract_terms", {"terms": 7}, "bad1")]),
        AIMessage("", tool_calls=many),
        AIMessage("That is all."),
    ]


def _shape(messages: list[Any]) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = []
    for m in messages:
        if isinstance(m, ToolMessage):
            # a validation error's wording is LangGraph's own; its status and id must match
            content = None if m.tool_call_id == "bad1" else m.content
            out.append(("tool", m.tool_call_id, m.name, m.status, content, m.artifact))
        elif isinstance(m, AIMessage):
            out.append(("ai", m.content, [(c["name"], c["args"], c["id"]) for c in m.tool_calls]))
        else:
            out.append((type(m).__name__, m.content))
    return out


def test_one_shot_loop_runs_a_turn_as_the_langgraph_agent(practice: Any) -> None:
    from langgraph.checkpoint.memory import InMemorySaver

    from assistant.agent import LIMIT_MESSAGE, MAX_TOOL_CALLS_PER_TURN, OneShotLoop, create_parley_agent
    from assistant.factory import create_assistant
    from assistant.tools import build_tools
    from assistant.tools.base import TurnContext

    deps = create_assistant(practice.settings, embedder=practice.embedder, one_shot=True).deps
    question = "Which deadlines are coming up?"
    ctx = TurnContext(as_of=practice.as_of, question=question)
    runs = []
    for make in (lambda m: OneShotLoop(m, build_tools(deps)),
                 lambda m: create_parley_agent(m, build_tools(deps), InMemorySaver())):
        model = ScriptedChatModel()
        model.enqueue(*_script())
        agent = make(model)
        config = {"configurable": {"thread_id": "t1"}, "recursion_limit": 25}
        result = agent.invoke({"messages": [HumanMessage(question)]}, config=config, context=ctx)
        runs.append((model.seen, _shape(result["messages"]),
                     _shape(agent.get_state(config).values["messages"])))
    (seen, light, light_state), (seen_graph, graph, graph_state) = runs
    assert light == graph and light_state == light and graph_state == graph
    assert [_shape(s) for s in seen] == [_shape(s) for s in seen_graph]  # prompts included
    blocked = [t for t in light if t[0] == "tool" and t[4] == LIMIT_MESSAGE]
    assert len(blocked) == 3 + 10 - MAX_TOOL_CALLS_PER_TURN  # the first reply's 3 calls count
    statuses = {t[1]: t[3] for t in light if t[0] == "tool"}
    assert statuses["u1"] == statuses["bad1"] == "error" and statuses["m0"] == "success"


def test_one_shot_answers_equal_the_langgraph_assistant(practice: Any) -> None:
    from assistant.factory import create_assistant

    one_shot = create_assistant(practice.settings, embedder=practice.embedder, one_shot=True)
    full = create_assistant(practice.settings, embedder=practice.embedder)
    names = [p["name"] for p in practice.truth["payers"]]
    questions = [
        f"What's {names[0]}'s timely filing limit?",
        f"How much notice do we need to terminate {names[1]} without cause?",
        f"Is {names[-1]} paying us late?",
        "What's our payer mix?",
        "Which contracts renew in the next 120 days?",
        "What's Acme Widgets Mutual's timely filing limit?",
        "What's the weather tomorrow?",
    ]
    for q in questions:
        got = one_shot.ask(q).model_dump(exclude={"answer_id", "latency_ms"})
        want = full.ask(q).model_dump(exclude={"answer_id", "latency_ms"})
        assert got == want, q


def test_one_shot_chat_model_keeps_the_turn_for_its_repair(practice: Any) -> None:
    from assistant.factory import create_assistant
    from tests.fakes.chat import tool_call

    term = next(t for t in practice.truth["terms"] if t["term"] == "timely_filing_days")
    payer = next(p for p in practice.truth["payers"] if p["payer_id"] == term["payer_id"])
    model = ScriptedChatModel()
    model.enqueue(
        tool_call("contract_terms", {"payer": payer["name"], "terms": ["timely_filing_days"]}),
        AIMessage(content=f"Claims are due within {term['value']} days. "
                          "They owe us $4,321.00 in penalties."),  # unsupported: repaired
        AIMessage(content=f"Claims are due within {term['value']} days."),
    )
    assistant = create_assistant(practice.settings, model=model, embedder=practice.embedder,
                                 one_shot=True)
    answer = assistant.ask(f"What's {payer['name']}'s timely filing limit?")
    assert f"{term['value']} days" in answer.text and "4,321" not in answer.text
    assert answer.tools_used == ["contract_terms"]
    repair = model.seen[-1]  # the repair turn runs in the same (in-memory) conversation
    assert len(model.seen) == 3 and any(isinstance(m, ToolMessage) for m in repair)
    assert "4,321" in str(repair[-1].content)
