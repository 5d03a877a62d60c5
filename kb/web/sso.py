"""Single sign-on with OpenID Connect (authorisation code flow with PKCE, through
Authlib): /login/sso/<name> sends the person to the provider, the callback checks what
comes back, signs the account in (kb.services.sso makes it just in time) and audits it."""

from __future__ import annotations

from authlib.integrations.base_client.errors import MismatchingStateError, OAuthError
from authlib.integrations.flask_client import OAuth
from flask import Blueprint, Flask, abort, current_app, g, session, url_for
from flask_login import login_user, user_logged_out
from joserfc.errors import (
    BadSignatureError,
    ExpiredTokenError,
    InvalidClaimError,
    JoseError,
    MissingClaimError,
)
from requests import RequestException

from kb.db import get_session
from kb.services import sso
from kb.services.accounts import user_and_organisations
from kb.web import security
from kb.web.auditing import note
from kb.web.auth import SessionUser, after_login, login_page

bp = Blueprint("sso", __name__, url_prefix="/login/sso")
SESSION_KEY = "kb.sso"  # the provider and ID token of a single sign-on session
ID_TOKEN_KEPT = 1500  # longest ID token kept in the session cookie, in characters


def providers() -> dict[str, sso.Provider]:
    return current_app.extensions["kb.sso"]


def _client(name: str):
    return current_app.extensions["kb.oauth"].create_client(name)


def _provider(name: str):
    provider = providers().get(name)
    if provider is None:
        abort(404)
    return provider, _client(name)


def _refused(message: str, status: int):
    """The login page again, saying why single sign-on did not complete; the password
    form stays usable."""
    return login_page({"form": message}, status)


@bp.get("/<name>")
def start(name: str):
    """Send the person to the provider to sign in."""
    provider, client = _provider(name)
    try:
        return client.authorize_redirect(
            url_for("sso.callback", name=name, _external=True)
        )
    except RequestException:
        return _refused(
            f"{provider.label} cannot be reached just now. Try again in a few "
            "minutes, or log in with your password where your organisation allows it.",
            502,
        )


@bp.get("/<name>/callback")
def callback(name: str):
    """Check the provider's answer (state, code, ID token: signature, issuer, audience,
    expiry, nonce), then sign in; every failure says why and changes nothing."""
    provider, client = _provider(name)
    try:
        token = client.authorize_access_token(
            claims_options={"iss": {"essential": True, "values": [provider.issuer]}},
            leeway=60,
        )
    except RequestException:
        return _refused(
            f"{provider.label} cannot be reached just now, so the sign-in could not "
            "finish. Try again in a few minutes.",
            502,
        )
    except (OAuthError, JoseError) as exc:
        return _refused(f"Sign-in with {provider.label} failed: {_why(exc)}", 400)
    claims = token.get("userinfo")
    if not claims:
        return _refused(
            f"Sign-in with {provider.label} failed: it sent no identity token.", 400
        )
    db = get_session()
    try:
        user, added = sso.sign_in(db, provider, dict(claims))
    except sso.SignInRefused as exc:
        db.rollback()
        return _refused(str(exc), exc.status)
    for org, role in added:
        note(db, "member added", user.email, org=org, user=user, role=role, by=name)
    note(db, "login", user=user, sso=name)
    db.commit()
    id_token = token.get("id_token") or ""
    # For the logout hint only: a large token (many groups) would overflow the cookie.
    session[SESSION_KEY] = {
        "provider": name,
        "id_token": id_token if len(id_token) <= ID_TOKEN_KEPT else None,
    }
    found_user, orgs = user_and_organisations(db, user.id)
    login_user(SessionUser(found_user, orgs))
    return after_login(orgs, None)


def _why(exc: Exception) -> str:
    """A failed check in words a person can act on."""
    if isinstance(exc, MismatchingStateError) or "state" in str(exc):
        return (
            "the answer does not belong to a sign-in started here (it may have been "
            "started in another window, or used already). Start again."
        )
    if isinstance(exc, ExpiredTokenError):
        return "the identity token has expired. Start again."
    if isinstance(exc, BadSignatureError):
        return "the identity token is not signed with the provider's keys."
    if isinstance(exc, InvalidClaimError | MissingClaimError):
        what = {
            "aud": "was issued for another application",
            "azp": "was issued for another application",
            "iss": "comes from another issuer",
            "nonce": "does not belong to this sign-in",
            "exp": "has expired",
        }.get(exc.claim, f"has a wrong '{exc.claim}' claim")
        return f"the identity token {what}. Start again."
    if isinstance(exc, OAuthError) and exc.error == "invalid_grant":
        return "the provider refused the sign-in code (it expired or was used already). Start again."
    if isinstance(exc, OAuthError) and exc.error == "access_denied":
        return "you declined at the provider."
    return f"the provider's answer could not be checked ({exc}). Start again."


def _end_provider_session(_app, **_extra) -> None:
    """On logout (Flask-Login's signal), forget the single sign-on session and, where
    the provider offers end-session, leave its address in `g.logout_url` so that the
    logout ends the provider's session too."""
    ended = session.pop(SESSION_KEY, None)
    if not ended or ended["provider"] not in providers():
        return
    client = _client(ended["provider"])
    try:
        if not client.load_server_metadata().get("end_session_endpoint"):
            return
    except RequestException:
        return  # ours is ended; the provider's will time out on its own
    g.logout_url = client.create_logout_url(
        post_logout_redirect_uri=url_for("home.index", _external=True),
        id_token_hint=ended["id_token"],
        client_id=providers()[ended["provider"]].client_id,
    )["url"]


def init_app(app: Flask) -> None:
    """Register the configured providers with Authlib (a bad setting stops start-up
    with a message naming it)."""
    configured = sso.providers_from(app.config)
    app.extensions["kb.sso"] = {p.name: p for p in configured}
    security.allow_form_action(app, [p.origin for p in configured])
    oauth = OAuth(app)
    app.extensions["kb.oauth"] = oauth
    user_logged_out.connect(_end_provider_session, app)
    for provider in configured:
        oauth.register(
            provider.name,
            client_id=provider.client_id,
            client_secret=provider.client_secret,
            server_metadata_url=provider.metadata,
            client_kwargs={"scope": provider.scopes, "code_challenge_method": "S256"},
            overwrite=True,
        )
