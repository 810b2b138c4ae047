import datetime as dt

import pytest

from assistant.errors import InputError
from assistant.periods import find_period, resolve_period

AS_OF = dt.date(2026, 11, 27)


@pytest.mark.parametrize(
    ("text", "start", "end", "label"),
    [
        ("denials last quarter", "2026-07-01", "2026-09-30", "2026Q3"),
        ("Did Keystone pay 99214 at contract in Q3?", "2026-07-01", "2026-09-30", "2026Q3"),
        ("payments in 2026 Q2", "2026-04-01", "2026-06-30", "2026Q2"),
        ("Q4 2025 volume", "2025-10-01", "2025-12-31", "2025Q4"),
        ("second quarter of 2026", "2026-04-01", "2026-06-30", "2026Q2"),
        ("since March", "2026-03-01", "2026-11-27", "since 2026-03"),
        ("what happened in 2025", "2025-01-01", "2025-12-31", "2025"),
        ("last 12 months", "2025-11-01", "2026-10-31", "last 12 months"),
        ("past six months", "2026-05-01", "2026-10-31", "last 6 months"),
        ("last month", "2026-10-01", "2026-10-31", "2026-10"),
        ("year to date", "2026-01-01", "2026-11-27", "2026 to date"),
    ],
)
def test_periods_resolve_relative_to_as_of(text: str, start: str, end: str, label: str) -> None:
    found = find_period(text, AS_OF)
    assert found is not None
    period, _span = found
    assert (period.start.isoformat(), period.end.isoformat(), period.label) == (start, end, label)


def test_current_quarter_without_year_means_most_recent_completed() -> None:
    period, _ = find_period("Q4 denials", AS_OF)  # Q4 2026 is not over: last year's Q4
    assert period.label == "2025Q4"


def test_no_period_and_modal_may_is_not_a_month() -> None:
    assert find_period("How many visits may we bill per day?", AS_OF) is None
    assert find_period("What's the timely filing limit?", AS_OF) is None


@pytest.mark.parametrize(
    ("text", "start", "end", "label"),
    [
        ("2026Q3", "2026-07-01", "2026-09-30", "2026Q3"),
        ("last quarter", "2026-07-01", "2026-09-30", "2026Q3"),
        ("this quarter", "2026-10-01", "2026-11-27", "2026Q4 to date"),
        ("2026-02", "2026-02-01", "2026-02-28", "2026-02"),
        ("last 12 months", "2025-11-01", "2026-10-31", "last 12 months"),
        ("last year", "2025-01-01", "2025-12-31", "2025"),
        # phrases a model may pass as a tool argument, read by find_period
        ("since March", "2026-03-01", "2026-11-27", "since 2026-03"),
        ("second quarter of 2026", "2026-04-01", "2026-06-30", "2026Q2"),
        ("Q3", "2026-07-01", "2026-09-30", "2026Q3"),
        ("prior 6 months", "2026-05-01", "2026-10-31", "last 6 months"),
    ],
)
def test_arguments_resolve_whole(text: str, start: str, end: str, label: str) -> None:
    period = resolve_period(text, AS_OF)
    assert (period.start.isoformat(), period.end.isoformat(), period.label) == (start, end, label)


@pytest.mark.parametrize("text", ["the good old days", "march madness bracket", "2026-13",
                                  "2026-02-30..2026-03-31", "2026-06-30..2026-01-01"])
def test_arguments_that_are_no_period_are_input_errors(text: str) -> None:
    with pytest.raises(InputError):
        resolve_period(text, AS_OF)
