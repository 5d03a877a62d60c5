"""Rendered register rows, kept by everything they show, so that a register page renders
only the rows that changed since it was last drawn. A row's key is what the row shows:
the score's fields, its evidence (id, title, review state), the requirement's id, title
and URL, the day and the reader's right to edit; any change to them gives a new key."""

from __future__ import annotations

from datetime import date

from flask import current_app
from markupsafe import Markup

from kb.services.register import SCORED_FIELDS
from kb.web.cache import SharedLRU

_rows = SharedLRU(20_000)


def _key(row, register_url: str, evidence_url: str, can_edit: bool) -> tuple:
    score, requirement = row.score, row.requirement
    return (
        register_url,
        evidence_url,
        can_edit,
        date.today(),
        requirement.id,
        requirement.title,
        requirement.url,
        requirement.slug,
        tuple(getattr(score, name) for name in SCORED_FIELDS) if score else None,
        tuple((e.item.id, e.item.title, e.state) for e in row.evidence),
    )


def register_row(row, register_url: str, evidence_url: str, can_edit: bool) -> Markup:
    """The row's HTML from the `register_row` macro, rendered once per state."""
    key = _key(row, register_url, evidence_url, can_edit)
    html = _rows.get(key)
    if html is None:
        macro = current_app.jinja_env.get_template(
            "assessments/_row_macro.html"
        ).module.register_row
        html = Markup(macro(row, register_url, evidence_url, can_edit))
        _rows.put(key, html)
    return html
