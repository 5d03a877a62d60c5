"""Login and logout with a signed session cookie (Flask-Login), rate-limited."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import (
    LoginManager,
    current_user,
    login_required,
    login_user,
    logout_user,
)

from kb.db import get_session
from kb.errors import InvalidInput
from kb.models import Organisation, User, utcnow
from kb.schemas import TOKEN_MAX_DAYS, Login, PasswordChange, TokenCreate
from kb.services import tokens
from kb.services.accounts import (
    LoginLimiter,
    authenticate,
    change_password,
    find_user,
    user_and_organisations,
)
from kb.services.sso import password_login_refused
from kb.web.auditing import note
from kb.web.forms import parse
from kb.web.htmx import see_other
from kb.web.member_memo import find_member

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Log in to see that page."


class SessionUser:
    """The Flask-Login view of a User row, with the user's organisations and roles."""

    def __init__(self, user: User, organisations: list[tuple[Organisation, str]]):
        self.row = user
        self.organisations = organisations
        self.id = user.id
        self.email = user.email

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        return str(self.id)


@login_manager.unauthorized_handler
def _unauthorized():
    """The API answers 401 in JSON; pages send the visitor to the login form."""
    if request.path.startswith("/api/"):
        abort(
            401,
            "Log in first, or send a token as 'Authorization: Bearer <token>' "
            "(make one on your account page).",
        )
    flash(login_manager.login_message)
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def bearer_token() -> str | None:
    """The token of an API request's `Authorization: Bearer` header, if it has one."""
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    if request.path.startswith("/api/") and scheme.lower() == "bearer":
        return secret.strip()
    return None


@login_manager.request_loader
def load_token_user(_request) -> SessionUser | None:
    """The owner of the request's API token, counted against the token's rate limit
    (committed at once, so a request that fails still counts). Raises Unauthorised or
    TooManyRequests."""
    secret = bearer_token()
    if secret is None:
        return None
    session = get_session()
    now = utcnow()
    user, token = tokens.user_for(session, secret, now)
    config = current_app.config
    tokens.count_request(
        session,
        f"token:{token.id}",
        config["API_RATE_LIMIT"],
        config["API_RATE_WINDOW_SECONDS"],
        now,
    )
    tokens.touch(session, token, now)
    session.commit()
    g.api_token = token
    return SessionUser(*user_and_organisations(session, user.id))


@login_manager.user_loader
def load_user(user_id: str) -> SessionUser | None:
    if bearer_token() is not None:
        return None  # an API request with a token acts as the token's owner
    found = find_member(int(user_id)) if user_id.isdigit() else None
    return SessionUser(*found) if found and found[0].active else None


CATALOGUE_BLUEPRINTS = {"home", "catalogue", "requirements", "search", "api"}


def _remember_user():
    """Set g.user; when the catalogue needs a login, send strangers to the login page."""
    g.user = current_user.row if current_user.is_authenticated else None
    g.organisations = current_user.organisations if g.user else []
    if (
        g.user is None
        and current_app.config["CATALOGUE_REQUIRES_LOGIN"]
        and request.blueprint in CATALOGUE_BLUEPRINTS
        and request.endpoint != "home.healthz"
    ):
        return login_manager.unauthorized()
    return None


def _safe_next(target: str | None) -> str | None:
    """Only same-site paths may be a redirect target after login."""
    if not target:
        return None
    parts = urlsplit(target)
    return (
        target
        if not parts.scheme and not parts.netloc and target.startswith("/")
        else None
    )


def _limiter() -> LoginLimiter:
    config = current_app.config
    return LoginLimiter(
        get_session(), config["LOGIN_MAX_FAILURES"], config["LOGIN_WINDOW_SECONDS"]
    )


def login_page(errors: dict, status: int = 200, email: str = "", next_url=None):
    """The login form: the password form and a button per single sign-on provider."""
    return render_template(
        "auth/login.html",
        errors=errors,
        email=email,
        next=next_url,
        providers=current_app.extensions["kb.sso"].values(),
    ), status


def after_login(orgs, next_url: str | None):
    """Where a fresh session goes: the page asked for, the one organisation, or the
    list of them."""
    if next_url:
        return redirect(next_url, 303)
    if len(orgs) == 1:
        return redirect(url_for("orgs.assessments", slug=orgs[0][0].slug), 303)
    return redirect(url_for("orgs.index"), 303)


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the login form; on POST check the password and start a session."""
    if request.method == "GET":
        return login_page({}, next_url=_safe_next(request.args.get("next")))
    form = parse(Login, request.form)
    next_url = _safe_next(request.form.get("next"))
    if isinstance(form, dict):
        return login_page(form, 422, request.form.get("email", ""), next_url)
    session = get_session()
    limiter = _limiter()
    key = f"{form.email.lower()}|{request.remote_addr}"
    if limiter.blocked(key):
        message = "Too many failed attempts. Wait a few minutes, then try again."
        return login_page({"form": message}, 429, form.email, next_url)
    user = authenticate(session, form.email, form.password)
    if user is None:
        limiter.failed(key)
        known = find_user(session, form.email)
        if known is not None:
            note(session, "login failed", user=known)
        session.commit()
        message = "That email and password do not match an account."
        return login_page({"form": message}, 401, form.email, next_url)
    refused = password_login_refused(session, user)
    if refused:
        return login_page({"form": refused}, 403, form.email, next_url)
    limiter.succeeded(key)
    note(session, "login", user=user)
    session.commit()
    _user, orgs = user_and_organisations(session, user.id)
    login_user(SessionUser(user, orgs))
    return after_login(orgs, next_url)


def _account_page(status: int = 200, **context):
    session = get_session()
    context.setdefault("errors", {})
    now = utcnow()
    return render_template(
        "auth/account.html",
        tokens=[(t, tokens.state(t, now)) for t in tokens.list_tokens(session, g.user)],
        max_days=TOKEN_MAX_DAYS,
        **context,
    ), status


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    """Show the user's account and API tokens; on POST change the password."""
    if request.method == "GET":
        return _account_page()
    form = parse(PasswordChange, request.form)
    if isinstance(form, dict):
        return _account_page(422, errors=form)
    session = get_session()
    user = session.get(User, g.user.id)
    try:
        change_password(session, user, form.current, form.new)
    except InvalidInput as exc:
        errors = {problem.where: problem.message for problem in exc.problems}
        return _account_page(422, errors=errors)
    session.commit()
    flash("Your password is changed.")
    return redirect(url_for("auth.account"), 303)


@bp.post("/account/tokens")
@login_required
def create_token():
    """Make an API token; its secret is shown on this response only."""
    form = parse(TokenCreate, request.form)
    if isinstance(form, dict):
        return _account_page(422, token_errors=form)
    session = get_session()
    token, secret = tokens.create_token(session, g.user, form.name, form.days)
    note(session, "token created", f"token '{token.name}'")
    session.commit()
    return _account_page(201, new_token=token, secret=secret)


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    """Revoke one of the user's tokens: it stops working at once."""
    session = get_session()
    token = tokens.revoke(session, g.user, token_id)
    note(session, "token revoked", f"token '{token.name}'")
    session.commit()
    flash(f"The token '{token.name}' is revoked.")
    return redirect(url_for("auth.account"), 303)


@bp.post("/logout")
def logout():
    """End the session (and the single sign-on provider's, where it offers that)."""
    logout_user()  # kb.web.sso ends the provider's session on this signal
    flash("You are logged out.")
    return see_other(g.get("logout_url") or url_for("home.index"))


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    app.before_request(_remember_user)
