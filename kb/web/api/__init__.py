"""JSON API under /api/v1: one blueprint, its routes in a module per area (the
catalogue; an organisation's evidence; zones and conduits; an assessment's roll-ups and
snapshots)."""

from __future__ import annotations

from flask import Blueprint, request

from kb.errors import InvalidInput, Problem

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def json_object() -> dict:
    """The request's JSON body, which must be an object; InvalidInput otherwise."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidInput([Problem("body", "send a JSON object")])
    return body


# The route modules register on `bp`; they import it, so they come after it.
from kb.web.api import (  # noqa: E402,F401
    assessments,
    catalogue,
    evidence,
    imports,
    offerings,
    zones,
)
