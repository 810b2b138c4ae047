"""The same agent loop with other models: a scripted fake and an OpenAI-compatible server."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from langchain_core.messages import AIMessage

from assistant.errors import ModelError
from tests.conftest import Practice
from tests.fakes.chat import ScriptedChatModel, tool_call


def _assistant(practice: Practice, **kw: Any) -> Any:
    from assistant.factory import create_assistant

    return create_assistant(practice.settings, embedder=practice.embedder, **kw)


def test_scripted_model_tool_loop_and_grounding(practice: Practice) -> None:
    truth = next(
        t
        for t in practice.truth["terms"]
        if t["payer_id"] == "BSH" and t["term"] == "clean_claim_payment_days"
    )
    model = ScriptedChatModel()
    model.enqueue(
        tool_call("contract_terms", {"payer": "Blue Summit", "terms": ["clean_claim_payment_days"]}),
        AIMessage(
            content=f"Blue Summit must pay clean claims within {truth['value']} days. "
            "They also owe us $4,321.00 in penalties."
        ),
        # asked once to repair, the model insists: the sentence is dropped and flagged
        AIMessage(content=f"Clean claims: {truth['value']} days. Penalties: $4,321.00."),
    )
    answer = _assistant(practice, model=model).ask("How fast must Blue Summit pay?")
    assert f"{truth['value']} days" in answer.text
    assert "4,321" not in answer.text
    assert any("4,321" in s for s in answer.flagged)
    assert answer.tools_used == ["contract_terms"]
    # the model saw the tool result as a ToolMessage with the figure in it
    assert len(model.seen) == 3
    assert "4,321" in str(model.seen[-1][-1].content)  # the repair request names the problem
    last_prompt = model.seen[1]
    assert any(
        getattr(m, "type", "") == "tool" and str(truth["value"]) in str(m.content) for m in last_prompt
    )


class _FakeOpenAI(BaseHTTPRequestHandler):
    replies: list[dict[str, Any]] = []
    requests: list[dict[str, Any]] = []
    delay_s: float = 0.0

    def do_POST(self) -> None:  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append(body)
        time.sleep(type(self).delay_s)
        reply = type(self).replies.pop(0) if type(self).replies else {"content": "I don't know."}
        message: dict[str, Any] = {"role": "assistant", "content": reply.get("content")}
        if "tool_calls" in reply:
            message["tool_calls"] = reply["tool_calls"]
        payload = {
            "id": "chatcmpl-test",
            "object": "chat.completion",
            "created": 0,
            "model": body["model"],
            "choices": [
                {
                    "index": 0,
                    "message": message,
                    "finish_reason": "tool_calls" if "tool_calls" in reply else "stop",
                }
            ],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        }
        data = json.dumps(payload).encode()
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture()
def fake_openai() -> Iterator[str]:
    _FakeOpenAI.replies, _FakeOpenAI.requests, _FakeOpenAI.delay_s = [], [], 0.0
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeOpenAI)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()


def test_openai_compatible_server_end_to_end(practice: Practice, fake_openai: str) -> None:
    truth = next(
        t for t in practice.truth["terms"] if t["payer_id"] == "NWM" and t["term"] == "timely_filing_days"
    )
    _FakeOpenAI.replies = [
        {
            "tool_calls": [
                {
                    "id": "call_a",
                    "type": "function",
                    "function": {
                        "name": "contract_terms",
                        "arguments": json.dumps({"payer": "Northwind", "terms": ["timely_filing_days"]}),
                    },
                }
            ]
        },
        {"content": f"Northwind's timely filing limit is {truth['value']} days."},
    ]
    settings = practice.settings.model_copy(
        update={"chat_model": "local-model", "chat_base_url": fake_openai, "chat_timeout_s": 10.0}
    )
    from assistant.factory import create_assistant

    assistant = create_assistant(settings, embedder=practice.embedder)
    answer = assistant.ask("What's Northwind's timely filing limit?")
    assert f"{truth['value']} days" in answer.text and answer.flagged == []
    first, second = _FakeOpenAI.requests[:2]
    assert first["model"] == "local-model"
    assert {t["function"]["name"] for t in first["tools"]} >= {
        "contract_search",
        "contract_terms",
        "underpayments",
    }
    assert first["messages"][0]["role"] == "system" and "Today is" in first["messages"][0]["content"]
    tool_msgs = [m for m in second["messages"] if m["role"] == "tool"]
    assert tool_msgs and str(truth["value"]) in tool_msgs[0]["content"]
    # no patient-level data goes to the remote model
    sent = json.dumps(second["messages"])
    assert "MRN" not in sent and "patient_hash" not in sent


def test_openai_compatible_server_timeout_is_a_clear_error(practice: Practice, fake_openai: str) -> None:
    _FakeOpenAI.delay_s = 2.0
    settings = practice.settings.model_copy(
        update={
            "chat_model": "local-model",
            "chat_base_url": fake_openai,
            "chat_timeout_s": 0.3,
            "chat_max_retries": 0,
        }
    )
    from assistant.factory import create_assistant

    assistant = create_assistant(settings, embedder=practice.embedder)
    with pytest.raises(ModelError) as err:
        assistant.ask("What's Northwind's timely filing limit?")
    assert "PARLEY_CHAT_BASE_URL" in err.value.user_message
