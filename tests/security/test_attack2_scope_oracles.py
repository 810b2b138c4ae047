"""Second attack pass: what a key scoped to one payer (Keystone) can still learn about the
others over real HTTP. Each test fails on the code the pass was run against (7990ed0).

- /v1/ask answers a hidden payer's name with "not visible to you" but an unknown name with
  "I don't find a payer called ..." (the oracle issue 15 closed for the ``payer`` field is
  open in the question text).
- Finding ids are deterministic hashes of (kind, payer, facts); PATCH /v1/findings/{id} and
  POST /v1/disputes answer 403/422 for a hidden payer's finding and 404 for none, so a scoped
  negotiator can confirm guessed findings of other payers (e.g. a denial change by CARC and
  quarter).
- /v1/deadlines lists each term's source with the absolute server path, and GET
  /v1/briefs/{id} (JSON) holds absolute paths in ``citations[].source_path``,
  ``facts...source_file`` and ``files.md`` (issue 15, item 14, fixed only for answers and
  job status).
- The peer median is shown at any ``as_of``: two dates whose peer sets differ by one payer
  give two medians whose difference is that payer's exact rate (item 13's rule, broken by
  differencing).
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from assistant.monitor.findings import finding_id
from tests.connectors.conftest import Stack

MINE = "KHP"  # the scoped keys of the stack see Keystone only


def _text(stack: Stack, question: str, **body: Any) -> str:
    r = stack.client.post(
        "/v1/ask", headers=stack.auth("scoped"), json={"question": question, **body}
    )
    assert r.status_code == 200, r.text
    return str(r.json()["text"])


def _hidden_payer(stack: Stack) -> dict[str, Any]:
    return next(p for p in stack.truth["payers"] if p["payer_id"] != MINE)


def test_question_text_cannot_tell_hidden_payers_from_unknown_ones(stack: Stack) -> None:
    """Same question about a hidden payer and about a payer that does not exist: the two
    answers must read alike (the name aside), or the key learns which payers exist."""
    hidden = _hidden_payer(stack)["aliases"][-1]
    unknown = "Zenith Vale Care"
    template = "What's {}'s 99214 rate?"
    a = _text(stack, template.format(hidden)).replace(hidden, "<NAME>")
    b = _text(stack, template.format(unknown)).replace(unknown, "<NAME>")
    assert a == b, (a, b)


@pytest.fixture(scope="module")
def monitored(stack: Stack) -> Stack:
    from assistant.monitor.detect import run_monitor
    from connectors.http.routes.findings import serialised_write

    report = serialised_write(stack.settings, run_monitor, stack.settings)
    assert {f.payer_id for f in report.new} - {MINE, None}, "other payers must have findings"
    return stack


def _hidden_finding(stack: Stack) -> dict[str, Any]:
    found = stack.client.get("/v1/findings", headers=stack.auth("admin")).json()["findings"]
    return next(f for f in found if f["payer_id"] not in (MINE, None))


def test_patch_of_a_hidden_finding_reads_like_an_unknown_id(monitored: Stack) -> None:
    stack = monitored
    hidden = _hidden_finding(stack)["finding_id"]
    prefix = hidden.split("-")[0]
    # an id of the same shape that no finding has (a guess that missed)
    unknown = finding_id({"UND": "underpayment", "LATE": "late_payment", "DEN": "denial_change",
                          "DL": "deadline"}.get(prefix, "x"), "ZZZ", "nothing", "here")

    def patch(fid: str) -> tuple[int, str]:
        r = stack.client.patch(f"/v1/findings/{fid}", headers=stack.auth("scopedneg"),
                               json={"status": "acknowledged"})
        return r.status_code, r.json()["detail"].replace(fid, "<ID>")

    assert patch(hidden) == patch(unknown)


def test_dispute_with_a_hidden_finding_reads_like_an_unknown_id(monitored: Stack) -> None:
    stack = monitored
    hidden = _hidden_finding(stack)["finding_id"]
    unknown = finding_id("underpayment", "ZZZ", "00000", "1999-01-01")

    def draft(fid: str) -> tuple[int, str]:
        r = stack.client.post("/v1/disputes", headers=stack.auth("scopedneg"),
                              json={"payer": MINE, "finding_ids": [fid]})
        return r.status_code, r.json()["detail"].replace(fid, "<ID>")

    assert draft(hidden) == draft(unknown)


def test_deadlines_name_source_files_not_server_paths(stack: Stack) -> None:
    r = stack.client.get("/v1/deadlines", headers=stack.auth("reader"))
    assert r.status_code == 200
    paths = [src.get("source_file") for row in r.json()["deadlines"]
             for src in (row.get("sources") or {}).values() if isinstance(src, dict)]
    assert paths, "the deadlines should cite their sources"
    absolute = [p for p in paths if p and p.startswith("/")]
    assert not absolute, absolute[:3]


def _absolute_paths(obj: Any) -> list[str]:
    if isinstance(obj, dict):
        return [p for v in obj.values() for p in _absolute_paths(v)]
    if isinstance(obj, list):
        return [p for v in obj for p in _absolute_paths(v)]
    return [obj] if isinstance(obj, str) and re.match(r"^/\S+/\S+\.\w{2,4}$", obj) else []


def test_brief_json_names_files_not_server_paths(stack: Stack) -> None:
    made = stack.client.post("/v1/briefs", headers=stack.auth("scopedneg"), json={"payer": MINE})
    assert made.status_code == 201, made.text
    got = stack.client.get(made.json()["url"], headers=stack.auth("scopedneg"))
    assert got.status_code == 200
    absolute = _absolute_paths(got.json())
    assert not absolute, sorted(set(absolute))[:3]


MEDIAN = re.compile(r"other payers' median \$([\d,]+\.\d\d) \((\d+) payers\)")


def _window(n: int) -> int:
    """How many central values ``scope._central`` averages over ``n`` values."""
    return 3 if n % 2 else 2


def test_peer_medians_at_two_dates_do_not_give_one_payers_rate(stack: Stack) -> None:
    """A scoped key asks for the same code's comparison as of the first of every month. Where
    the peer count grows by one, w(n+1)*median(n+1) - w(n)*median(n) must not be a hidden
    payer's exact rate (within rounding of the two displayed medians)."""
    code = "99214"
    hidden_rates = {round(float(r["rate"]), 2) for r in stack.truth["fee_schedule"]
                    if r["code"] == code and r["payer_id"] != MINE}
    seen: dict[int, float] = {}
    for year in (2024, 2025, 2026):
        for month in range(1, 13):
            day = f"{year}-{month:02d}-15"
            if day > str(stack.settings.as_of):
                break
            m = MEDIAN.search(_text(stack, f"What is the {code} rate compared to other payers?",
                                    payer=MINE, as_of=day))
            if m:
                seen.setdefault(int(m.group(2)), float(m.group(1).replace(",", "")))
    derived = []
    for n, median in seen.items():
        if n + 1 in seen:
            value = _window(n + 1) * seen[n + 1] - _window(n) * median
            derived += [(n, round(value, 2), r) for r in hidden_rates if abs(value - r) <= 0.03]
    assert not derived, f"a hidden payer's exact rate follows from two medians: {derived}"
