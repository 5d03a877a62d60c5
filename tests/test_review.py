"""Review dates of evidence: hand-worked cases of the pure date arithmetic."""

from __future__ import annotations

from datetime import date

import pytest

from kb.services.review import add_months, due_window, next_review, review_state

TODAY = date(2026, 11, 30)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 15), 1, date(2026, 2, 15)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),  # February is shorter
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # leap year
        (date(2026, 11, 30), 3, date(2027, 2, 28)),  # across the year end
        (date(2026, 12, 1), 12, date(2027, 12, 1)),
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
    ],
)
def test_add_months(start, months, expected):
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    ("cadence", "expected"),
    [
        ("weekly", date(2026, 12, 7)),
        ("monthly", date(2026, 12, 30)),
        ("quarterly", date(2027, 2, 28)),
        ("half-yearly", date(2027, 5, 30)),
        ("yearly", date(2027, 11, 30)),
    ],
)
def test_next_review_follows_the_cadence(cadence, expected):
    assert next_review(TODAY, cadence) == expected


@pytest.mark.parametrize(
    ("next_on", "status", "retired", "expected"),
    [
        (date(2026, 11, 29), "current", False, "overdue"),
        (date(2020, 1, 1), "draft", False, "overdue"),
        (date(2026, 11, 30), "current", False, "due"),  # today is not overdue yet
        (date(2026, 12, 30), "current", False, "due"),  # day 30 is within 30 days
        (date(2026, 12, 31), "current", False, "current"),
        (date(2020, 1, 1), "superseded", False, None),  # no longer reviewed
        (date(2020, 1, 1), "current", True, None),  # retired
        (None, "current", False, None),
    ],
)
def test_review_state(next_on, status, retired, expected):
    assert review_state(next_on, status, retired, TODAY) == expected


@pytest.mark.parametrize(
    "day", [date(2026, 11, 1), TODAY, date(2026, 12, 30), date(2026, 12, 31)]
)
def test_due_window_selects_the_same_dates_as_review_state(day):
    """The query's date window and the per-item state never disagree."""
    for state in ("overdue", "due", "current"):
        start, end = due_window(state, TODAY)
        inside = (start is None or day >= start) and (end is None or day < end)
        assert inside == (review_state(day, "current", False, TODAY) == state)
