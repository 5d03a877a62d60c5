"""What every template may use: the vocabularies and the notes filter."""

from __future__ import annotations

from functools import lru_cache

from flask import Flask
from markupsafe import Markup

from kb.markdown import make_renderer
from kb.vocabulary import (
    BORROWED_SCALE_NOTE,
    COMPONENT_TYPES,
    CONSEQUENCE_DIMENSIONS,
    COVERAGE_MARKS,
    CRITICALITIES,
    EVIDENCE_STATUSES,
    FOUNDATIONAL_REQUIREMENTS,
    LEVEL_NAMES,
    ORIGINS,
    OWN_TITLES_NOTE,
    PART_LABELS,
    REGISTER_SORTS,
    REVIEW_STATES,
    STATUSES,
    THREAT_SOURCES,
    ZONE_STATES,
)

# Notes are re-rendered on every register page; the same text renders the same HTML.
_render_notes = lru_cache(maxsize=8192)(make_renderer(lambda _id: None))


def notes_filter(text: str) -> Markup:
    """Render a person's Markdown notes; raw HTML is escaped by the renderer."""
    return Markup(_render_notes(text or ""))


def percent_filter(share: float | None) -> str:
    """A share 0-1 as a whole percentage; "–" where there is nothing to share."""
    return "–" if share is None else f"{round(share * 100)}%"


def init_app(app: Flask) -> None:
    from kb.web.rowcache import register_row

    app.add_template_filter(notes_filter, "notes")
    app.add_template_filter(percent_filter, "percent")
    app.jinja_env.globals["cached_register_row"] = register_row
    app.jinja_env.globals.update(
        LEVEL_NAMES=LEVEL_NAMES,
        STATUSES=STATUSES,
        LEVEL_CHOICES=[("", "Not assessed")]
        + [(n, f"{n} {name}") for n, name in LEVEL_NAMES.items()],
        STATUS_CHOICES=[(status, status) for status in STATUSES],
        EVIDENCE_STATUSES=EVIDENCE_STATUSES,
        EVIDENCE_STATUS_CHOICES=[(status, status) for status in EVIDENCE_STATUSES],
        REVIEW_STATES=REVIEW_STATES,
        PART_LABELS=PART_LABELS,
        FOUNDATIONAL_REQUIREMENTS=FOUNDATIONAL_REQUIREMENTS,
        ZONE_STATE_CHOICES=[(state, state) for state in ZONE_STATES],
        CRITICALITIES=CRITICALITIES,
        COMPONENT_TYPE_CHOICES=[(kind, kind) for kind in COMPONENT_TYPES],
        REGISTER_SORTS=REGISTER_SORTS,
        COVERAGE_MARKS=COVERAGE_MARKS,
        THREAT_SOURCES=THREAT_SOURCES,
        CONSEQUENCE_DIMENSIONS=CONSEQUENCE_DIMENSIONS,
        THREAT_SOURCE_CHOICES=[("", "Choose…")]
        + [
            (key, f"SL {level} {key}: {text}")
            for key, (level, text) in THREAT_SOURCES.items()
        ],
        BORROWED_SCALE_NOTE=BORROWED_SCALE_NOTE,
        OWN_TITLES_NOTE=OWN_TITLES_NOTE,
        ORIGINS=ORIGINS,
    )
