"""Dates at the edges (9): ``as_of`` of 9999-12-31, year 1, and period phrases naming far
years are a clear InputError at every edge, never 'failed unexpectedly'."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.errors import InputError
from assistant.periods import find_period, resolve_period
from tests.connectors.conftest import Stack

EDGES = ["9999-12-31", "0001-01-01", "1000-01-01", "2999-06-30"]
PHRASES = ["{y}Q4", "Q1 {y}", "{y}", "{y}-12", "{y}-01", "last 12 months", "last quarter",
           "this year", "all", "since December {y}", "in {y}", "{y}-12-01..{y}-12-31",
           "ytd", "last month", "last year", "first quarter of {y}"]


@given(as_of=st.dates(), year=st.integers(1, 9999), phrase=st.sampled_from(PHRASES))
@settings(max_examples=300, deadline=None)
def test_periods_are_a_period_or_an_input_error(as_of: dt.date, year: int, phrase: str) -> None:
    text = phrase.format(y=f"{year:04d}")
    for fn in (lambda: resolve_period(text, as_of), lambda: find_period(f"denials {text}?", as_of)):
        try:
            fn()
        except InputError as exc:
            assert "date" in exc.user_message.lower() or "period" in exc.user_message.lower()


@pytest.mark.parametrize("day", EDGES)
def test_cli_as_of_at_the_edges_is_one_clear_line(
    day: str, practice: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from assistant.cli import main

    code = main(["--data-dir", str(practice.settings.data_dir), "--as-of", day,
                 "deadlines"])
    err = capsys.readouterr().err
    assert code == 1 and "--as-of" in err and "between" in err and "unexpected" not in err, err


@pytest.mark.parametrize("day", EDGES[:2])
def test_http_as_of_at_the_edges_is_422(stack: Stack, day: str) -> None:
    r = stack.client.post("/v1/ask", headers=stack.auth("reader"),
                          json={"question": "What contract deadlines are coming up?", "as_of": day})
    assert r.status_code == 422 and "between" in r.text, r.text
    r = stack.client.get(f"/v1/deadlines?as_of={day}", headers=stack.auth("reader"))
    assert r.status_code == 422 and "between" in r.text, r.text
    r = stack.client.post("/v1/briefs", headers=stack.auth("negotiator"),
                          json={"payer": "Keystone", "as_of": day})
    assert r.status_code == 422 and "between" in r.text, r.text


@pytest.mark.parametrize("question", ["How many denials did Keystone have in Q4 9999?",
                                      "Keystone denials since December 9999",
                                      "Keystone payments in 0001"])
def test_far_years_in_a_question_are_an_input_error(stack: Stack, question: str) -> None:
    r = stack.client.post("/v1/ask", headers=stack.auth("reader"), json={"question": question})
    assert r.status_code in (200, 422), r.text
    assert "unexpected" not in r.text.lower() and "Internal error" not in r.text, r.text


def test_settings_refuse_an_as_of_out_of_range(tmp_path: Path) -> None:
    from pydantic import ValidationError

    from assistant.settings import Settings

    with pytest.raises(ValidationError, match="between"):
        Settings(data_dir=tmp_path, as_of=dt.date(9999, 12, 31))
