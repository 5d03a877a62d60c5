"""Organisations, users, memberships, and who may do what where."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import and_, bindparam, delete, func
from sqlmodel import Session, col, select
from werkzeug.security import check_password_hash, generate_password_hash

from kb.errors import Conflict, Forbidden, InvalidInput, NotFound, Problem
from kb.models import LoginAttempt, Membership, Organisation, User, utcnow
from kb.vocabulary import ROLES

# One message whether the organisation is missing or the user is not in it: no oracle.
NO_ORG = "There is no such organisation, or you are not a member of it."


def slug_for(name: str) -> str:
    """`Acme Water` -> `acme-water`; a lowercase one-word name is its own slug."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    if not slug:
        raise InvalidInput(
            [Problem("name", f"'{name}' has no letters or digits to make a URL from")]
        )
    return slug


def create_org(session: Session, name: str) -> Organisation:
    slug = slug_for(name)
    if session.exec(select(Organisation).where(Organisation.slug == slug)).first():
        raise Conflict(
            f"An organisation with the address /orgs/{slug}/ exists already."
        )
    org = Organisation(name=name.strip(), slug=slug)
    session.add(org)
    session.flush()
    return org


def get_org(session: Session, slug: str) -> Organisation:
    org = session.exec(select(Organisation).where(Organisation.slug == slug)).first()
    if org is None:
        raise NotFound(NO_ORG)
    return org


def find_user(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == email.strip().lower())).first()


def create_user(session: Session, email: str, password: str) -> User:
    if find_user(session, email):
        raise Conflict(f"A user with the email {email} exists already.")
    if len(password) < 12:
        raise InvalidInput([Problem("password", "use at least 12 characters")])
    user = User(
        email=email.strip().lower(), password_hash=generate_password_hash(password)
    )
    session.add(user)
    session.flush()
    return user


def set_membership(
    session: Session, user: User, org: Organisation, role: str
) -> Membership:
    if role not in ROLES:
        raise InvalidInput(
            [Problem("role", f"'{role}' is not one of {', '.join(ROLES)}")]
        )
    membership = session.get(Membership, (user.id, org.id))
    if membership is None:
        membership = Membership(user_id=user.id, organisation_id=org.id, role=role)
    else:
        _keep_an_admin(session, org, membership, role)
        membership.role = role
    session.add(membership)
    session.flush()
    return membership


def member(session: Session, org: Organisation, user_id: int) -> User:
    """A member of `org` by user id; NotFound for anyone else."""
    if session.get(Membership, (user_id, org.id)) is None:
        raise NotFound("That person is not a member of this organisation.")
    return session.get(User, user_id)


def remove_membership(session: Session, org: Organisation, user_id: int) -> None:
    membership = session.get(Membership, (user_id, org.id))
    if membership is None:
        raise NotFound("That person is not a member of this organisation.")
    _keep_an_admin(session, org, membership, None)
    session.delete(membership)
    session.flush()


def _keep_an_admin(session, org, membership: Membership, new_role: str | None) -> None:
    if membership.role != "admin" or new_role == "admin":
        return
    admins = session.exec(
        select(func.count())
        .select_from(Membership)
        .where(Membership.organisation_id == org.id, Membership.role == "admin")
    ).one()
    if admins <= 1:
        raise Conflict(
            "An organisation needs at least one admin; make someone else admin first."
        )


def members(session: Session, org: Organisation) -> list[tuple[User, Membership]]:
    return list(
        session.exec(
            select(User, Membership)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.organisation_id == org.id)
            .order_by(User.email)
        )
    )


# Built once: every request of a member runs it, and building it costs more than the
# cached compilation it then hits.
USER_AND_ORGANISATIONS = (
    select(User, Organisation, Membership.role)
    .outerjoin(Membership, Membership.user_id == User.id)
    .outerjoin(Organisation, Organisation.id == Membership.organisation_id)
    .where(User.id == bindparam("user_id"))
    .order_by(Organisation.name)
)


def user_and_organisations(
    session: Session, user_id: int
) -> tuple[User, list[tuple[Organisation, str]]] | None:
    """The user and their organisations with their role in each, by name, in one
    query (every page a member opens needs both); None when there is no such user."""
    rows = session.exec(USER_AND_ORGANISATIONS, params={"user_id": user_id}).all()
    if not rows:
        return None
    return rows[0][0], [(org, role) for _user, org, role in rows if org is not None]


@dataclass
class Access:
    org: Organisation
    user: User
    role: str

    def can(self, role: str) -> bool:
        return ROLES.index(self.role) >= ROLES.index(role)


def grant(org: Organisation, user: User | None, role: str | None, need: str) -> Access:
    """The access of `user`, a member of `org` with `role` (None: not a member).

    Raises NotFound for a non-member (so that other organisations stay invisible) and
    Forbidden for a member whose role is lower than `need`.
    """
    if user is None or role is None:
        raise NotFound(NO_ORG)
    found = Access(org, user, role)
    if not found.can(need):
        raise Forbidden(f"This needs the {need} role; you are a {role} here.")
    return found


def membership_of(user: User | None):
    """The condition that outer-joins `user`'s Membership to the Organisation of a
    query, so that one query finds the organisation and the user's role in it."""
    return and_(
        Membership.organisation_id == Organisation.id,
        Membership.user_id == (user.id if user else None),
    )


def org_access(
    session: Session, user: User | None, slug: str, need: str = "viewer"
) -> Access:
    """The user's access to the organisation at /orgs/<slug>/, found in one query;
    raises as `grant` does."""
    found = session.exec(
        select(Organisation, Membership.role)
        .outerjoin(Membership, membership_of(user))
        .where(Organisation.slug == slug)
    ).first()
    if found is None:
        raise NotFound(NO_ORG)
    org, role = found
    return grant(org, user, role, need)


# -- login -----------------------------------------------------------------------


class LoginLimiter:
    """Failed-login counter kept in the database, so every server sees the same count."""

    def __init__(
        self, session: Session, max_failures: int, window_seconds: int
    ) -> None:
        self.session = session
        self.max_failures = max_failures
        self.window = timedelta(seconds=window_seconds)

    def blocked(self, key: str) -> bool:
        since = utcnow() - self.window
        failures = self.session.exec(
            select(func.count())
            .select_from(LoginAttempt)
            .where(LoginAttempt.key == key, col(LoginAttempt.attempted_at) >= since)
        ).one()
        return failures >= self.max_failures

    def failed(self, key: str) -> None:
        self.session.add(LoginAttempt(key=key))
        self.session.flush()

    def succeeded(self, key: str) -> None:
        self.session.execute(delete(LoginAttempt).where(LoginAttempt.key == key))


def change_password(session: Session, user: User, current: str, new: str) -> None:
    """Set a new password for a user who proves they know the current one."""
    if user.password_hash is None or not check_password_hash(
        user.password_hash, current
    ):
        raise InvalidInput([Problem("current", "that is not your current password")])
    user.password_hash = generate_password_hash(new)
    session.add(user)
    session.flush()


def authenticate(session: Session, email: str, password: str) -> User | None:
    user = find_user(session, email)
    if (
        user is None
        or not user.active
        or user.password_hash is None  # made by single sign-on
        or not check_password_hash(user.password_hash, password)
    ):
        return None
    return user
