"""The HTTP API over a real uvicorn server: auth, errors, ask (JSON and SSE), ingest."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pytest

from tests.connectors.conftest import Stack
from tests.connectors.fakes import fake_brief_modules

ENDPOINTS = [
    ("POST", "/v1/ask", "reader", {"json": {"question": "hi"}}),
    ("GET", "/v1/deadlines", "reader", {}),
    ("POST", "/v1/briefs", "negotiator", {"json": {"payer": "Keystone"}}),
    ("GET", "/v1/briefs/abc123", "negotiator", {}),
    ("GET", "/v1/briefs/abc123/export.pdf", "negotiator", {}),
    ("POST", "/v1/ingest", "admin", {"files": {"files": ("a.txt", b"x")}}),
    ("GET", "/v1/jobs/abc123", "admin", {}),
]
BELOW = {"reader": None, "negotiator": "reader", "admin": "negotiator"}


def test_health_and_docs(stack: Stack) -> None:
    assert stack.client.get("/healthz").json() == {"status": "ok"}
    ready = stack.client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"
    assert stack.client.get("/docs").status_code == 200
    paths = stack.client.get("/openapi.json").json()["paths"]
    assert {"/v1/ask", "/v1/briefs", "/v1/deadlines", "/v1/ingest", "/v1/jobs/{job_id}"} <= set(
        paths
    )


@pytest.mark.parametrize(("method", "path", "role", "kw"), ENDPOINTS)
def test_every_endpoint_needs_a_valid_key_and_role(
    stack: Stack, method: str, path: str, role: str, kw: dict
) -> None:
    none = stack.client.request(method, path, **kw)
    assert none.status_code == 401 and none.json()["request_id"]
    assert none.headers["www-authenticate"] == "Bearer"
    wrong = stack.client.request(method, path, headers={"Authorization": "Bearer pk_nope"}, **kw)
    assert wrong.status_code == 401
    if BELOW[role]:
        low = stack.client.request(method, path, headers=stack.auth(BELOW[role]), **kw)
        assert low.status_code == 403, low.text


def test_ask_returns_answer_with_citations(stack: Stack) -> None:
    r = stack.client.post(
        "/v1/ask",
        headers={**stack.auth("reader"), "X-Request-ID": "req-42"},
        json={"question": "Keystone timely filing?", "conversation_id": "c1"},
    )
    assert r.status_code == 200, r.text
    assert r.headers["x-request-id"] == "req-42"
    body = r.json()
    assert body["citations"][0]["document"] == "Keystone Agreement"
    assert body["conversation_id"] == "c1"
    call = stack.assistant.calls[-1]
    assert call["conversation_id"] == "http:rita:c1" and call["allowed_payers"] is None


def test_payer_scope_is_passed_and_enforced(stack: Stack) -> None:
    ok = stack.client.post("/v1/ask", headers=stack.auth("scoped"), json={"question": "rates?"})
    assert ok.status_code == 200
    assert stack.assistant.calls[-1]["allowed_payers"] == ["KEYSTONE"]
    denied = stack.client.post(
        "/v1/ask", headers=stack.auth("scoped"), json={"question": "rates?", "payer": "Northwind"}
    )
    assert denied.status_code == 403 and "request_id" in denied.json()


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"question": ""},
        {"question": 5},
        {"question": "x" * 2001},
        {"question": "q", "extra": 1},
        {"question": "q", "conversation_id": "bad id!"},
        {"question": "q", "as_of": "yesterday"},
    ],
)
def test_bad_bodies_are_422_with_the_field(stack: Stack, body: dict) -> None:
    r = stack.client.post("/v1/ask", headers=stack.auth("reader"), json=body)
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["field"]


def test_malformed_json_is_422(stack: Stack) -> None:
    r = stack.client.post(
        "/v1/ask",
        headers={**stack.auth("reader"), "Content-Type": "application/json"},
        content=b"{not json",
    )
    assert r.status_code == 422


def test_errors_are_translated_at_the_edge(stack: Stack) -> None:
    r = stack.client.post("/v1/ask", headers=stack.auth("reader"), json={"question": "invalid q"})
    assert (
        r.status_code == 422 and r.json()["detail"] == "That question cannot be answered as asked."
    )
    boom = stack.client.post("/v1/ask", headers=stack.auth("reader"), json={"question": "explode"})
    assert boom.status_code == 500
    assert "passwd" not in boom.text and boom.json()["request_id"] in boom.json()["detail"]


def _parse_sse(text: str) -> list[tuple[str, object]]:
    events = []
    for chunk in text.strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in chunk.splitlines())
        events.append((fields["event"], json.loads(fields["data"])))
    return events


def test_ask_streams_server_sent_events(stack: Stack) -> None:
    with stack.client.stream(
        "POST",
        "/v1/ask?stream=true",
        headers=stack.auth("reader"),
        json={"question": "Keystone timely filing?"},
    ) as r:
        assert r.headers["content-type"].startswith("text/event-stream")
        events = _parse_sse(r.read().decode())
    kinds = [k for k, _ in events]
    assert kinds == ["progress", "progress", "text", "citations", "done"]
    assert events[0][1] == "searching contracts…"
    assert events[3][1][0]["page"] == 4 and events[4][1]["answer_id"]


def test_stream_error_is_an_event(stack: Stack) -> None:
    r = stack.client.post(
        "/v1/ask", headers=stack.auth("reader"), json={"question": "explode", "stream": True}
    )
    ((kind, data),) = _parse_sse(r.text)
    assert kind == "error" and data["status"] == 500 and "passwd" not in r.text


def test_briefs_and_deadlines_unavailable_are_503(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "assistant.briefs.build", None)  # not installed
    r = stack.client.post(
        "/v1/briefs", headers=stack.auth("negotiator"), json={"payer": "Keystone"}
    )
    assert r.status_code == 503 and r.json()["detail"] == "Briefs are not available yet."
    # the fake assistant has no warehouse behind it
    d = stack.client.get("/v1/deadlines", headers=stack.auth("reader"))
    assert d.status_code == 503 and d.json()["detail"] == "Deadlines are not available yet."


def test_ingest_upload_runs_a_background_job(stack: Stack) -> None:
    files = [
        ("files", ("../../etc/contract.txt", b"Timely filing: 90 days.", "text/plain")),
        ("files", ("notes.md", b"# notes", "text/markdown")),
    ]
    r = stack.client.post("/v1/ingest", headers=stack.auth("admin"), files=files)
    assert r.status_code == 202, r.text
    job_id = r.json()["job_id"]
    for _ in range(100):
        job = stack.client.get(f"/v1/jobs/{job_id}", headers=stack.auth("admin")).json()
        if job["status"] == "succeeded":
            break
        time.sleep(0.05)
    assert job["status"] == "succeeded" and job["summary"]["counts"]["ingested"] == 2
    paths = stack.ingested[-1]
    assert all(p.parent == stack.settings.uploads_dir / job_id for p in paths)
    assert {p.suffix for p in paths} == {".txt", ".md"} and "contract" not in str(paths)
    assert stack.client.get("/v1/jobs/nope", headers=stack.auth("admin")).status_code == 404


@pytest.mark.parametrize(
    ("files", "status"),
    [
        ([("files", ("big.pdf", b"x" * 80_000, "application/pdf"))], 413),
        ([("files", ("evil.exe", b"MZ", "application/octet-stream"))], 415),
        ([("other", ("a.txt", b"x", "text/plain"))], 422),
    ],
)
def test_ingest_rejects_bad_uploads(stack: Stack, files: list, status: int) -> None:
    r = stack.client.post("/v1/ingest", headers=stack.auth("admin"), files=files)
    assert r.status_code == status, r.text


def test_ingest_needs_multipart(stack: Stack) -> None:
    r = stack.client.post("/v1/ingest", headers=stack.auth("admin"), json={"files": []})
    assert r.status_code == 415


def test_briefs_with_a_builder(
    stack: Stack, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name, module in fake_brief_modules(tmp_path).items():
        monkeypatch.setitem(sys.modules, name, module)
    r = stack.client.post(
        "/v1/briefs", headers=stack.auth("negotiator"), json={"payer": "Keystone"}
    )
    assert r.status_code == 201, r.text
    url = r.json()["url"]
    got = stack.client.get(url, headers=stack.auth("negotiator"))
    assert got.json()["payer_id"] == "KEYSTONE"
    md = stack.client.get(url + "?format=md", headers=stack.auth("negotiator"))
    assert md.text.startswith("# Brief: Keystone")
    assert md.headers["content-type"].startswith("text/markdown")
    pdf = stack.client.get(url + "/export.pdf", headers=stack.auth("negotiator"))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    bad = stack.client.get(url + "/export.exe", headers=stack.auth("negotiator"))
    assert bad.status_code == 422


def test_brief_out_of_scope_is_refused(
    stack: Stack, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name, module in fake_brief_modules(tmp_path).items():
        monkeypatch.setitem(sys.modules, name, module)
    r = stack.client.post(
        "/v1/briefs", headers=stack.auth("scopedneg"), json={"payer": "Northwind"}
    )
    assert r.status_code == 403, r.text
    made = stack.client.post(
        "/v1/briefs", headers=stack.auth("negotiator"), json={"payer": "Northwind"}
    ).json()
    hidden = stack.client.get(made["url"], headers=stack.auth("scopedneg"))
    assert hidden.status_code == 404


def test_unknown_payer_for_scoped_caller_names_no_other_payers(stack: Stack) -> None:
    r = stack.client.post(
        "/v1/ask", headers=stack.auth("scoped"), json={"question": "rates?", "payer": "Acme Zeta"}
    )
    assert r.status_code == 422 and "Northwind" not in r.text
    stream = stack.client.post(
        "/v1/ask?stream=true",
        headers=stack.auth("reader"),
        json={"question": "rates?", "payer": "Acme Zeta"},
    )
    assert stream.status_code == 422
