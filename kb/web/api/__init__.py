"""JSON API under /api/v1: one blueprint, its routes in a module per area (the
catalogue; offerings; organisations and their audit log; assessments, their scores and
history; an organisation's evidence; zones and conduits; imports; OSCAL documents), and what every
route shares: bodies checked against a model, errors as problem details (kb.web.errors),
pages by `limit` and `cursor`, and ETags on reads."""

from __future__ import annotations

import base64
import binascii
from typing import TypeVar

from flask import Blueprint, Response, g, request
from pydantic import BaseModel, ValidationError

from kb.db import get_session
from kb.errors import InvalidInput, KBError, NotFound, Problem
from kb.services.assessments import get_assessment

bp = Blueprint("api", __name__, url_prefix="/api/v1")
M = TypeVar("M", bound=BaseModel)
MAX_LIMIT = 1000


def within_assessment(model: type, record_id: int, need: str, what: str):
    """A record of an assessment (a zone, a component) and the session, when the
    caller may reach its assessment with the role `need`; NotFound naming `what`
    otherwise, the same as for a record that does not exist."""
    session = get_session()
    record = session.get(model, record_id)
    try:
        if record is None:
            raise NotFound
        get_assessment(session, g.user, record.assessment_id, need)
    except NotFound:
        raise NotFound(f"There is no {what} {record_id}.") from None
    return session, record


def json_object() -> dict:
    """The request's JSON body, which must be an object. Raises KBError (400) for a body
    that is not JSON, InvalidInput for one that is not an object."""
    if not request.get_data():
        raise InvalidInput([Problem("body", "send a JSON object")])
    try:
        body = request.get_json(force=True)
    except Exception:  # werkzeug's BadRequest, whatever the parser said
        raise KBError(
            "The body is not valid JSON: check its quotes, commas and brackets."
        ) from None
    if not isinstance(body, dict):
        raise InvalidInput([Problem("body", "send a JSON object")])
    return body


def faults(exc: ValidationError, prefix: str = "") -> list[Problem]:
    """Each fault of a model's validation, at its field path (`rows.3.current`)."""
    out = []
    for error in exc.errors():
        path = ".".join(str(part) for part in error["loc"])
        where = ".".join(p for p in (prefix, path) if p) or "body"
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "unknown field"
        out.append(Problem(where, message))
    return out


def parsed(model: type[M], data: dict, prefix: str = "") -> M:
    """`data` as `model`; InvalidInput naming each fault by its path."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(faults(exc, prefix)) from None


def page_args(default: int = 100) -> tuple[int, int]:
    """(limit, offset) from `limit` (1 to MAX_LIMIT) and the opaque `cursor` a previous
    page gave; InvalidInput for either out of shape."""
    problems = []
    limit = request.args.get("limit", default, type=int)
    if not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        problems.append(Problem("limit", f"a whole number from 1 to {MAX_LIMIT}"))
    offset = 0
    if cursor := request.args.get("cursor"):
        try:
            offset = int(base64.urlsafe_b64decode(cursor.encode()).decode())
        except (ValueError, binascii.Error, UnicodeDecodeError):
            problems.append(Problem("cursor", "use the next_cursor of a page as given"))
    if problems:
        raise InvalidInput(problems)
    return limit, offset


def next_cursor(offset: int, limit: int, total: int) -> str | None:
    """The cursor of the page after [offset, offset + limit), or None at the end."""
    after = offset + limit
    return (
        base64.urlsafe_b64encode(str(after).encode()).decode()
        if after < total
        else None
    )


@bp.after_request
def _conditional(response: Response) -> Response:
    """Every successful read carries an ETag; `If-None-Match` with it gets a 304."""
    if request.method == "GET" and response.status_code == 200 and response.is_json:
        if not response.get_etag()[0]:
            response.add_etag()
        response.make_conditional(request)
    return response


# The route modules register on `bp`; they import it, so they come after it.
from kb.web.api import (  # noqa: E402,F401
    assessments,
    catalogue,
    components,
    evidence,
    imports,
    offerings,
    openapi,
    orgs,
    oscal,
    risks,
    scores,
    zones,
)
