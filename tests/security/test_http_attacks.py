"""Attacks through the HTTP API: oversized bodies (5), uploads left behind (3), server paths
in citations and job status, and the payer-existence oracle of a scoped key (14)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.connectors.conftest import Stack

MB = 1 << 20


def _chunks(total: int, size: int = 256 * 1024) -> Iterator[bytes]:
    yield b'{"question": "'
    sent = 0
    while sent < total:
        yield b"a" * size
        sent += size
    yield b'"}'


@pytest.mark.parametrize(
    ("method", "path", "who"),
    [
        ("POST", "/v1/ask", "reader"),
        ("POST", "/v1/briefs", "negotiator"),
        ("PATCH", "/v1/findings/UND-000000000000", "negotiator"),
        ("POST", "/v1/disputes", "negotiator"),
    ],
)
def test_json_body_over_the_cap_is_413(stack: Stack, method: str, path: str, who: str) -> None:
    body = b'{"question": "' + b"a" * (3 * MB) + b'"}'
    r = stack.client.request(
        method, path, content=body, headers={**stack.auth(who), "Content-Type": "application/json"}
    )
    assert r.status_code == 413, (path, r.status_code, r.text[:200])
    assert r.json()["request_id"]


def test_streamed_body_without_length_is_cut_at_the_cap(stack: Stack) -> None:
    """No Content-Length (chunked): the cap is counted while reading, before any parsing."""
    r = stack.client.post(
        "/v1/ask",
        content=_chunks(8 * MB),
        headers={**stack.auth("reader"), "Content-Type": "application/json"},
    )
    assert r.status_code == 413, r.text[:200]


def test_small_bodies_still_pass(stack: Stack) -> None:
    r = stack.client.post(
        "/v1/ask", headers=stack.auth("reader"), json={"question": "x" * 2001}
    )
    assert r.status_code == 422  # parsed and validated as before


def _wait(stack: Stack, job_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job = stack.client.get(f"/v1/jobs/{job_id}", headers=stack.auth("admin")).json()
        if job["status"] in ("succeeded", "failed"):
            return job
        time.sleep(0.2)
    raise AssertionError("job did not finish")


def test_uploads_are_deleted_when_the_job_ends_and_status_shows_names(stack: Stack) -> None:
    files = [
        ("files", ("keystone-call.md", b"# Keystone call\n\nThey will review 99214 rates.\n",
                   "text/markdown")),
        ("files", ("broken.pdf", b"%PDF-1.7 not really a pdf", "application/pdf")),
        ("files", ("claims.csv", b"claim_id,line_no\nC1,1\n", "text/csv")),
    ]
    r = stack.client.post("/v1/ingest", headers=stack.auth("admin"), files=files)
    assert r.status_code == 202, r.text
    job_id = r.json()["job_id"]
    job = _wait(stack, job_id)
    assert not (stack.settings.uploads_dir / job_id).exists()
    text = json.dumps(job)
    assert str(stack.settings.data_dir.resolve()) not in text and "/uploads/" not in text, text
    names = {d["path"] for d in job["summary"]["documents"]}
    assert names == {"keystone-call.md", "broken.pdf", "claims.csv"}, names


def test_uploads_of_a_failed_job_are_deleted(tmp_path: Path) -> None:
    """The runner itself failing (not one bad file) still deletes the uploads."""
    from assistant.settings import Settings
    from connectors.http.jobs import JobRegistry

    settings = Settings(data_dir=tmp_path, environment="test")

    def boom(settings: Settings, paths: list[Path]) -> dict[str, Any]:
        raise RuntimeError("disk on fire")

    registry = JobRegistry(settings, boom)
    job_id = registry.new_id()
    folder = settings.uploads_dir / job_id
    folder.mkdir(parents=True)
    (folder / "a.835").write_text("ISA*00*...")
    registry.start(job_id, "ada", [folder / "a.835"], [{"name": "a.835", "stored_as": "a.835"}])
    registry.join()
    assert registry.get(job_id)["status"] == "failed"
    assert not folder.exists()


def test_oversized_upload_leaves_nothing(stack: Stack) -> None:
    before = set(stack.settings.uploads_dir.iterdir()) if stack.settings.uploads_dir.exists() else set()
    files = [("files", ("big.pdf", b"x" * 200_000, "application/pdf"))]
    r = stack.client.post("/v1/ingest", headers=stack.auth("admin"), files=files)
    assert r.status_code == 413
    after = set(stack.settings.uploads_dir.iterdir()) if stack.settings.uploads_dir.exists() else set()
    assert after <= before


def test_citations_name_the_file_not_the_server_path(stack: Stack) -> None:
    r = stack.client.post(
        "/v1/ask", headers=stack.auth("reader"),
        json={"question": "What's Keystone's timely filing limit?"},
    )
    assert r.status_code == 200, r.text
    cites = r.json()["citations"]
    assert cites
    for c in cites:
        assert "/" not in (c["source_path"] or "") and "/" not in c["document"], c
    assert str(stack.settings.data_dir.parent) not in r.text


def test_scoped_key_cannot_tell_unknown_payers_from_hidden_ones(stack: Stack) -> None:
    def ask(payer: str) -> tuple[int, str]:
        r = stack.client.post(
            "/v1/ask", headers=stack.auth("scoped"), json={"question": "rates?", "payer": payer}
        )
        return r.status_code, r.json()["detail"]

    hidden, unknown = ask("Northwind Medicare Advantage"), ask("Acme Zeta Health")
    assert hidden == unknown and hidden[0] == 403, (hidden, unknown)
    brief_hidden = stack.client.post(
        "/v1/briefs", headers=stack.auth("scopedneg"), json={"payer": "Northwind Medicare Advantage"}
    )
    brief_unknown = stack.client.post(
        "/v1/briefs", headers=stack.auth("scopedneg"), json={"payer": "Acme Zeta Health"}
    )
    assert (brief_hidden.status_code, brief_hidden.json()["detail"]) == (
        brief_unknown.status_code, brief_unknown.json()["detail"])


def test_deeply_nested_json_is_a_4xx(stack: Stack) -> None:
    depth = 50_000  # 100 KB: under the body cap, far over any parser's recursion limit
    body = b'{"question": ' + b"[" * depth + b"]" * depth + b"}"
    r = stack.client.post(
        "/v1/ask", content=body, headers={**stack.auth("reader"), "Content-Type": "application/json"}
    )
    assert 400 <= r.status_code < 500, (r.status_code, r.text[:200])


@pytest.mark.parametrize(
    "path",
    ["/v1/briefs/..%2F..%2Fapi_keys.json", "/v1/briefs/../../api_keys.json/export.md",
     "/v1/disputes/..%2Fdisputes/export.md", "/v1/jobs/..%2F..%2Fapi_keys"],
)
def test_path_traversal_in_ids_finds_nothing(stack: Stack, path: str) -> None:
    r = stack.client.get(path, headers=stack.auth("admin"))
    assert r.status_code in (404, 422), (path, r.status_code)
    assert "sha256" not in r.text
