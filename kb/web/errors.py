"""Turn domain errors and HTTP errors into pages, fragments or JSON a person can act on."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, make_response, render_template, request
from jinja2 import TemplateNotFound
from werkzeug.exceptions import HTTPException

from kb.errors import KBError, Problem, TooManyRequests
from kb.storage import too_large
from kb.web.htmx import is_fragment_request

logger = logging.getLogger(__name__)


def _respond(
    status: int, title: str, detail: str, problems: list[Problem] | None = None
):
    if request.path.startswith("/api/"):
        return problem_response(
            status, title, detail, problem_list(problems) if problems else None
        )
    context = {
        "status": status,
        "title": title,
        "detail": detail,
        "problems": problems or [],
    }
    if is_fragment_request():
        response = make_response(
            render_template("errors/_error.html", **context), status
        )
        response.headers["HX-Retarget"] = "#messages"
        response.headers["HX-Reswap"] = "innerHTML"
    else:
        try:
            html = render_template(f"errors/{status}.html", **context)
        except TemplateNotFound:
            html = render_template("errors/error.html", **context)
        response = make_response(html, status)
    response.vary.add("HX-Request")
    return response


def problem_response(
    status: int, title: str, detail: str, problems: list[dict] | None = None
) -> Response:
    """An API error as RFC 9457 problem details, with a `problems` member naming where
    each fault is (a field path such as `rows.3.current`, or a workbook's cell)."""
    body: dict = {"type": "about:blank", "title": title, "status": status}
    body["detail"] = detail
    if problems:
        body["problems"] = problems
    response = make_response(jsonify(body), status)
    response.mimetype = "application/problem+json"
    return response


def problem_list(problems: list[Problem]) -> list[dict[str, str]]:
    """Problems as the API shows them: `[{"field", "message"}]`."""
    return [{"field": p.where, "message": p.message} for p in problems]


def handle_http(exc: HTTPException) -> Response:
    if exc.code == 413:
        message = too_large(request.max_content_length or 0)
        return _respond(413, "File too large", message, [Problem("file", message)])
    return _respond(exc.code or 500, exc.name, exc.description or "")


TITLES = {
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    422: "Invalid input",
    429: "Too Many Requests",
}


def handle_domain(exc: KBError) -> Response:
    problems = getattr(exc, "problems", None)
    response = _respond(
        exc.status, TITLES.get(exc.status, "Bad Request"), str(exc), problems
    )
    if isinstance(exc, TooManyRequests):
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


def register(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(KBError, handle_domain)
