"""CSRF protection and the security headers every response carries."""

from __future__ import annotations

from flask import (
    Flask,
    Response,
    abort,
    current_app,
    has_request_context,
    request,
)
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action {form_action}; "
    "frame-ancestors 'none'"
)


def allow_form_action(app: Flask, origins: list[str]) -> None:
    """Let forms lead to these origins too (the logout form ends a single sign-on
    session at the provider); by default forms post to csms-kb only."""
    app.extensions["kb.csp"] = CSP.format(
        form_action=" ".join(["'self'", *sorted(set(origins))])
    )


def _headers(response: Response) -> Response:
    response.headers.setdefault(
        "Content-Security-Policy", current_app.extensions["kb.csp"]
    )
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response


class SessionInterface(SecureCookieSessionInterface):
    """Signed-cookie sessions whose cookie is Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return super().get_cookie_secure(app) or (
            has_request_context() and request.is_secure
        )


def _refuse_nul() -> None:
    """No field accepts NUL, and PostgreSQL cannot store it: refuse it up front."""
    values = [*request.args.values(), *(request.form.values() if request.form else [])]
    if any("\x00" in value for value in values):
        abort(
            400, "The request contains a NUL character (%00), which no field accepts."
        )


# Multipart framing and the form's other fields, on top of the file itself.
FORM_SLACK = 64 * 1024


def _bound_uploads() -> None:
    """Hold an upload to the evidence limit, so that an oversized one is refused from
    its Content-Length (413) before anything reads its body, the CSRF check included."""
    if request.mimetype == "multipart/form-data":
        limit = current_app.config["EVIDENCE_MAX_BYTES"] + FORM_SLACK
        request.max_content_length = min(
            limit, current_app.config["MAX_CONTENT_LENGTH"] or limit
        )


def _check_csrf() -> None:
    """Every write of a session needs the CSRF token; an API request that carries a
    token (`Authorization: Bearer`) needs none: no browser sends that header by itself."""
    from kb.web.auth import bearer_token

    if current_app.config["WTF_CSRF_ENABLED"] and bearer_token() is None:
        csrf.protect(apply_exemptions=True)


def init_app(app: Flask) -> None:
    from kb.web import htmx

    app.session_interface = SessionInterface()
    allow_form_action(app, [])
    app.before_request(_bound_uploads)  # before CSRF, which reads the form
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False  # _check_csrf decides instead
    csrf.init_app(app)
    app.before_request(_check_csrf)
    htmx.init_app(app)
    app.before_request(_refuse_nul)
    app.after_request(_headers)
