"""The one place that knows how htmx requests differ (htmx-flask kept behind it)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, Response, make_response, redirect, render_template
from htmx_flask import Htmx
from htmx_flask import request as htmx_request

htmx = Htmx()


def init_app(app: Flask) -> None:
    htmx.init_app(app)


def is_fragment_request() -> bool:
    """True when htmx asks for a region, not for a whole page."""
    hx = htmx_request.htmx
    return bool(hx) and not hx.boosted and not hx.history_restore_request


def render(
    page_template: str, fragment_template: str, status: int = 200, **context: Any
) -> Response:
    """Render the fragment for an htmx request, otherwise the page; vary on HX-Request."""
    return page_or_region(
        lambda: render_template(page_template, **context),
        lambda: render_template(fragment_template, **context),
        status,
    )


def page_or_region(
    page: Callable[[], str], region: Callable[[], str], status: int = 200
) -> Response:
    """`region()` for an htmx request, otherwise `page()`; vary on HX-Request."""
    response = make_response(region() if is_fragment_request() else page(), status)
    response.vary.add("HX-Request")
    return response


def see_other(url: str) -> Response:
    """Navigate after a change: HX-Redirect for htmx, a 303 otherwise."""
    if htmx_request.htmx:
        response = make_response("", 204)
        response.headers["HX-Redirect"] = url
        return response
    return redirect(url, 303)
