"""Personal API tokens: made, listed and revoked by their owner, checked on each API
request (`Authorization: Bearer <token>`), and held to a rate limit that every server
shares. Services add and flush; the caller commits."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, delete, select

from kb.errors import NotFound, TooManyRequests, Unauthorised
from kb.models import ApiToken, RequestCount, User, utcnow

PREFIX = "kb_"
HINT_LENGTH = 8


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(
    session: Session, user: User, name: str, days: int
) -> tuple[ApiToken, str]:
    """A new token for `user`, valid for `days`; return it and its secret, which is
    shown once and never stored."""
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=name,
        token_hash=digest(secret),
        hint=secret[:HINT_LENGTH],
        expires_at=utcnow() + timedelta(days=days),
    )
    session.add(token)
    session.flush()
    return token, secret


def list_tokens(session: Session, user: User) -> list[ApiToken]:
    """The user's tokens, newest first, revoked and expired ones included."""
    return list(
        session.exec(
            select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(col(ApiToken.created_at).desc(), col(ApiToken.id).desc())
        )
    )


def state(token: ApiToken, now: datetime) -> str:
    """ "active", "expired" or "revoked"."""
    if token.revoked_at is not None:
        return "revoked"
    return "active" if _aware(token.expires_at) > now else "expired"


def revoke(session: Session, user: User, token_id: int) -> ApiToken:
    """Revoke one of the user's own tokens; NotFound for anyone else's."""
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound("You have no token with that id.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.add(token)
        session.flush()
    return token


def user_for(session: Session, secret: str, now: datetime) -> tuple[User, ApiToken]:
    """The active user a live token belongs to; Unauthorised for an unknown, expired or
    revoked token, or one whose owner is deactivated."""
    found = session.exec(
        select(ApiToken, User)
        .join(User, col(User.id) == ApiToken.user_id)
        .where(ApiToken.token_hash == digest(secret))
    ).first()
    if found is None:
        raise Unauthorised("The token is not known: check it, or make a new one.")
    token, user = found
    if state(token, now) != "active":
        raise Unauthorised(
            f"The token is {state(token, now)}: make a new one on your account page."
        )
    if not user.active:
        raise Unauthorised("The token's owner is deactivated.")
    return user, token


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive UTC datetimes; PostgreSQL aware ones."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def count_request(
    session: Session, key: str, limit: int, window_seconds: int, now: datetime
) -> None:
    """Count one request of `key` in the current fixed window; TooManyRequests (with
    the seconds until the window ends) once it is over `limit`. One upsert, so servers
    and threads count together."""
    stamp = int(now.timestamp())
    window = stamp // window_seconds
    dialect = postgresql if session.bind.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(RequestCount).values(key=key, window=window, count=1)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["key", "window"],
            set_={"count": RequestCount.count + 1},
        )
    )
    session.execute(
        delete(RequestCount).where(
            RequestCount.key == key, col(RequestCount.window) < window
        )
    )
    count = session.exec(
        select(RequestCount.count).where(
            RequestCount.key == key, RequestCount.window == window
        )
    ).one()
    if count > limit:
        retry = (window + 1) * window_seconds - stamp
        raise TooManyRequests(
            f"Over {limit} requests in {window_seconds} s for this token: "
            f"wait {retry} s.",
            retry,
        )


def touch(session: Session, token: ApiToken, now: datetime) -> None:
    """Note when a token was last used (at most once a minute, to spare writes)."""
    last = token.last_used_at
    if last is None or now - _aware(last) > timedelta(minutes=1):
        session.execute(
            update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now)
        )
