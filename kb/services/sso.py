"""Single sign-on with OpenID Connect: the configured providers, the rules that map a
provider's groups or email domains to an organisation and a role, and the account and
memberships a first sign-in creates just in time. The flow itself (Authlib) is in
kb.web.sso; nothing here talks to a provider."""

from __future__ import annotations

import json
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    StringConstraints,
    ValidationError,
    model_validator,
)
from sqlmodel import Session, select

from kb.errors import Forbidden, InvalidInput, Problem
from kb.models import Membership, Organisation, User
from kb.vocabulary import ROLES, Role

Name = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$")]


class Rule(BaseModel):
    """Who gets which role where: everyone in a provider `group`, or everyone whose
    email is at `domain`, becomes a member of the organisation `org` (its slug)."""

    model_config = ConfigDict(extra="forbid")
    group: str | None = None
    domain: str | None = None
    org: str
    role: Role

    @model_validator(mode="after")
    def one_condition(self):
        if (self.group is None) == (self.domain is None):
            raise ValueError("a rule names either a group or a domain")
        return self


class Provider(BaseModel):
    """One OpenID Connect provider, as the settings describe it."""

    model_config = ConfigDict(extra="forbid")
    name: Name = "sso"  # in URLs: /login/sso/<name>
    label: str = "Single sign-on"  # on the login button
    issuer: Annotated[str, StringConstraints(pattern=r"^https?://\S+$")]
    client_id: Annotated[str, StringConstraints(min_length=1)]
    client_secret: str = ""
    scopes: str = "openid email profile"
    groups_claim: str = "groups"
    # Where the provider's metadata is, when not at the issuer's well-known address.
    metadata_url: str | None = None
    rules: list[Rule] = []

    @property
    def origin(self) -> str:
        """Where its pages are (the logout leads there)."""
        parts = urlsplit(self.issuer)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def metadata(self) -> str:
        return self.metadata_url or (
            self.issuer.rstrip("/") + "/.well-known/openid-configuration"
        )


class SignInRefused(Forbidden):
    """A sign-in the provider vouched for that csms-kb does not accept; the message
    says why and what to do."""


def providers_from(config: dict[str, Any]) -> list[Provider]:
    """The providers the settings configure: `OIDC_PROVIDERS` (a list, or its JSON) and
    the single provider of `OIDC_ISSUER`, `OIDC_CLIENT_ID`, `OIDC_CLIENT_SECRET`, ...

    Raises ValueError naming the setting and what is wrong, so a bad deployment stops
    at start-up instead of at someone's sign-in.
    """
    listed = config.get("OIDC_PROVIDERS") or []
    if isinstance(listed, str):
        try:
            listed = json.loads(listed)
        except json.JSONDecodeError as exc:
            raise ValueError(f"KB_OIDC_PROVIDERS is not JSON: {exc}") from None
    if config.get("OIDC_ISSUER"):
        listed = [
            *listed,
            {
                "issuer": config["OIDC_ISSUER"],
                "client_id": config.get("OIDC_CLIENT_ID") or "",
                "client_secret": config.get("OIDC_CLIENT_SECRET") or "",
                "label": config.get("OIDC_LABEL") or "Single sign-on",
                "scopes": config.get("OIDC_SCOPES") or "openid email profile",
                "groups_claim": config.get("OIDC_GROUPS_CLAIM") or "groups",
                "rules": config.get("OIDC_RULES") or [],
            },
        ]
    providers = []
    for number, entry in enumerate(listed, start=1):
        try:
            providers.append(Provider.model_validate(entry))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"]) or "the entry"
            raise ValueError(
                f"single sign-on settings, provider {number}: {where}: {first['msg']}"
            ) from None
    names = [p.name for p in providers]
    if len(set(names)) != len(names):
        raise ValueError("single sign-on settings: two providers have the same name")
    return providers


def grants(claims: dict[str, Any], provider: Provider) -> dict[str, str]:
    """The organisations (by slug) and roles the provider's rules give this person:
    where several rules name one organisation, the highest role wins."""
    groups = claims.get(provider.groups_claim) or []
    if isinstance(groups, str):
        groups = [groups]
    email = str(claims.get("email") or "").lower()
    domain = email.rsplit("@", 1)[1] if "@" in email else ""
    out: dict[str, str] = {}
    for rule in provider.rules:
        if (rule.group is not None and rule.group in groups) or (
            rule.domain is not None and rule.domain.lower() == domain
        ):
            current = out.get(rule.org)
            if current is None or ROLES.index(rule.role) > ROLES.index(current):
                out[rule.org] = rule.role
    return out


def sign_in(
    session: Session, provider: Provider, claims: dict[str, Any]
) -> tuple[User, list[tuple[Organisation, str]]]:
    """The account a provider's verified claims sign in to, and the memberships this
    sign-in added or raised (to be audited).

    A first sign-in that a rule matches creates the account (without a password) and
    its memberships. Later sign-ins add what new rules give and raise a role a rule
    gives higher; they never remove or lower one (an admin may have raised it).

    Raises SignInRefused (nothing written) when the claims carry no email or one the
    provider marks unverified, when nobody
    has this email yet and no rule matches, or when the account is deactivated.
    """
    email = str(claims.get("email") or "").strip().lower()
    if claims.get("email_verified") is False:
        raise SignInRefused(
            f"{provider.label} says the email address {email} is not verified, so "
            "csms-kb cannot tell whose account it is. Verify it there, then sign in "
            "again."
        )
    if not email or "@" not in email:
        raise SignInRefused(
            f"{provider.label} did not send an email address for this account, and "
            "csms-kb needs one. Ask your administrator to release the email claim "
            "to csms-kb."
        )
    given = grants(claims, provider)
    organisations = {
        org.slug: org
        for org in session.exec(
            select(Organisation).where(Organisation.slug.in_(given))  # type: ignore[attr-defined]
        )
    }
    user = session.exec(select(User).where(User.email == email)).first()
    if user is None and not organisations:
        raise SignInRefused(
            f"{provider.label} vouched for {email}, but no rule gives that account "
            "access to an organisation here, so no account was made. Ask your "
            "administrator to add you to a group that has access to csms-kb."
        )
    if user is not None and not user.active:
        raise SignInRefused(f"The account {email} is deactivated.")
    if user is None:
        user = User(email=email, password_hash=None)
    user.sso_provider = provider.name
    session.add(user)
    session.flush()
    changed = []
    for slug, role in given.items():
        org = organisations.get(slug)
        if org is None:
            continue  # a rule for an organisation that does not exist (yet)
        membership = session.get(Membership, (user.id, org.id))
        if membership is None:
            membership = Membership(user_id=user.id, organisation_id=org.id, role=role)
        elif ROLES.index(role) > ROLES.index(membership.role):
            membership.role = role
        else:
            continue
        session.add(membership)
        changed.append((org, role))
    session.flush()
    return user, changed


def password_login_refused(session: Session, user: User) -> str | None:
    """Why this person may not log in with a password (an organisation of theirs
    signs in through single sign-on only), or None."""
    names = session.exec(
        select(Organisation.name)
        .join(Membership, Membership.organisation_id == Organisation.id)
        .where(Membership.user_id == user.id, Organisation.password_login.is_(False))  # type: ignore[attr-defined]
    ).all()
    if not names:
        return None
    return (
        f"{', '.join(names)} signs in through single sign-on only: use the button "
        "below instead of a password."
    )


def set_password_login(
    session: Session, org: Organisation, allowed: bool, providers: dict[str, Provider]
) -> bool:
    """Let the organisation's members log in with a password, or not; return whether
    anything changed.

    Raises InvalidInput (nothing changed) when turning it off with no single sign-on
    provider configured: nobody could log in any more.
    """
    if not allowed and not providers:
        raise InvalidInput(
            [
                Problem(
                    "password_login",
                    "no single sign-on provider is configured, so turning password "
                    "login off would lock every member out",
                )
            ]
        )
    if org.password_login == allowed:
        return False
    org.password_login = allowed
    session.add(org)
    session.flush()
    return True


def sign_in_methods(user: User, providers: dict[str, Provider]) -> list[str]:
    """How a person signs in, as the members page says it."""
    methods = []
    if user.password_hash is not None:
        methods.append("password")
    if user.sso_provider:
        known = providers.get(user.sso_provider)
        methods.append(
            known.label if known else f"{user.sso_provider} (single sign-on)"
        )
    return methods
