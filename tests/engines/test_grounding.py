from assistant.grounding import Evidence, check

ARTIFACTS = [
    {
        "tool": "underpayments",
        "data": {"total_short": 1234.5, "share_late": 0.3456, "start": "2026-04-01"},
        "citations": [{"text": "Clean claims shall be paid within thirty (30) days of receipt."}],
    }
]


def test_supported_numbers_dates_and_quotes_pass() -> None:
    ev = Evidence.from_artifacts(ARTIFACTS, "Did they pay 99214 in Q3?")
    text = (
        "Short $1,234.50 since 2026-04-01; 34.6% paid late for 99214 [S1a2b3c].\n"
        '> "Clean claims shall be paid within thirty (30) days of receipt." [S1a2b3c]'
    )
    report = check(text, ev)
    assert report.ok
    assert report.text == text


def test_invented_figure_and_altered_quote_are_dropped_and_flagged() -> None:
    ev = Evidence.from_artifacts(ARTIFACTS)
    text = (
        "Short $1,234.50 in total. They also owe $99.00 in interest.\n"
        '> "Clean claims shall be paid within ten (10) days of receipt."'
    )
    report = check(text, ev)
    assert report.unsupported_numbers == ["$99.00"]
    assert report.unsupported_quotes == ["Clean claims shall be paid within ten (10) days of receipt."]
    assert "$99.00" not in report.text and "ten (10)" not in report.text
    assert "Short $1,234.50 in total." in report.text
    assert len(report.dropped) == 2


def test_rounding_must_match_the_precision_written() -> None:
    ev = Evidence.from_artifacts([{"data": {"rate": 112.456}}])
    assert ev.supports_number("$112.46")
    assert ev.supports_number("112.5")
    assert not ev.supports_number("$112.40")
