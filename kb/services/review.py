"""Review dates of evidence items: pure date arithmetic, no session, no request."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from kb.vocabulary import CADENCE_DAYS_OR_MONTHS, DUE_WITHIN_DAYS


def add_months(start: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it is shorter."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def next_review(collected_on: date, cadence: str) -> date:
    """When an item collected on `collected_on` is next due, by its type's cadence."""
    unit, count = CADENCE_DAYS_OR_MONTHS[cadence]
    if unit == "days":
        return collected_on + timedelta(days=count)
    return add_months(collected_on, count)


def review_state(
    next_review_on: date | None, status: str, retired: bool, today: date
) -> str | None:
    """`overdue`, `due` (within 30 days) or `current`; None for items that are not
    reviewed any more (superseded or retired) or have no date."""
    if retired or status == "superseded" or next_review_on is None:
        return None
    if next_review_on < today:
        return "overdue"
    if next_review_on <= today + timedelta(days=DUE_WITHIN_DAYS):
        return "due"
    return "current"


def due_window(state: str, today: date) -> tuple[date | None, date | None]:
    """The next-review dates [from, to) of a review state, for filtering in a query."""
    soon = today + timedelta(days=DUE_WITHIN_DAYS + 1)
    return {
        "overdue": (None, today),
        "due": (today, soon),
        "current": (soon, None),
    }[state]
