"""Single sign-on against a real OpenID Connect provider (oidc-provider-mock, on a free
local port): just-in-time accounts and memberships, the mapping rules, every way a
sign-in can go wrong (each refused with its reason and nothing changed), the logout at
the provider, password login turned off per organisation, and tenancy for SSO users."""

from __future__ import annotations

import json
import threading
import time
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import httpx
import oidc_provider_mock
import pytest
from bs4 import BeautifulSoup
from joserfc.jwk import RSAKey
from sqlmodel import select
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from kb.models import AuditEvent, Membership, Organisation, User
from kb.services.sso import Provider, Rule, grants, providers_from
from tests.conftest import Login, build_world, make_app, run_cli, session_for
from tests.test_tenancy import FORM, ROUTES, url_for_rule

RULES = [
    {"group": "csms-editors", "org": "acme-water", "role": "editor"},
    {"domain": "acme.test", "org": "acme-water", "role": "viewer"},
    {"group": "other-admins", "org": "other-co", "role": "admin"},
]


# -- the provider, and a front for it that serves another signing key ----------------


def serve(app) -> tuple[str, object]:
    server = make_server("localhost", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://localhost:{server.server_port}", server


@pytest.fixture(scope="module")
def provider():
    with oidc_provider_mock.run_server_in_thread() as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(scope="module")
def key_swapping_front(provider):
    """The provider's metadata, but with a key set of another key under the same key
    id: ID tokens then fail the signature check."""
    kid = httpx.get(f"{provider}/jwks").json()["keys"][0]["kid"]
    other = RSAKey.generate_key(2048, parameters={"kid": kid})
    holder = {}

    @Request.application
    def front(request):
        if request.path == "/jwks":
            body = {"keys": [other.as_dict(private=False)]}
        else:
            body = httpx.get(f"{provider}/.well-known/openid-configuration").json()
            body["jwks_uri"] = f"{holder['url']}/jwks"
        return Response(json.dumps(body), mimetype="application/json")

    holder["url"], server = serve(front)
    yield holder["url"]
    server.shutdown()


@pytest.fixture(scope="module")
def sso_app(tmp_path_factory, provider, key_swapping_front):
    app = make_app(
        tmp_path_factory.mktemp("sso"),
        OIDC_PROVIDERS=[
            {
                "name": "mock",
                "label": "Mock IdP",
                "issuer": provider,
                "client_id": "csms-kb",
                "client_secret": "secret",
                "rules": RULES,
            },
            {
                "name": "swapped",
                "label": "Swapped keys",
                "issuer": provider,
                "client_id": "csms-kb",
                "client_secret": "secret",
                "metadata_url": f"{key_swapping_front}/.well-known/openid-configuration",
                "rules": RULES,
            },
            {
                "name": "down",
                "label": "Down IdP",
                "issuer": "http://localhost:9",
                "client_id": "csms-kb",
            },
        ],
    )
    result = run_cli(app, "load")
    assert result.exit_code == 0, result.output
    return app


@pytest.fixture(scope="module")
def world(sso_app):
    with session_for(sso_app) as db:
        return build_world(db)


@pytest.fixture
def client(sso_app, world):
    return sso_app.test_client()


def sign_in(client, provider, sub, claims, name="mock", tamper=None):
    """Start at csms-kb, consent at the provider's form as `sub`, come back."""
    put = httpx.put(f"{provider}/users/{quote(sub, safe='')}", json=claims)
    assert put.status_code == 204
    start = client.get(f"/login/sso/{name}")
    assert start.status_code == 302, start.text[:300]
    consent = httpx.post(start.location, data={"sub": sub})
    assert consent.status_code == 302, consent.text[:300]
    back = consent.headers["location"]
    return client.get(tamper(back) if tamper else back)


def with_query(url: str, **changes) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query)) | changes
    return parts._replace(query=urlencode(query)).geturl()


def alert(response) -> str:
    return (
        BeautifulSoup(response.text, "html.parser")
        .select_one("[role=alert]")
        .get_text(" ", strip=True)
    )


def user_row(app, email):
    with session_for(app) as db:
        return db.exec(select(User).where(User.email == email)).first()


# -- the settings and the rules (pure) ---------------------------------------------------


def test_bad_settings_stop_start_up_with_the_setting_named():
    for config, message in (
        ({"OIDC_PROVIDERS": "[{"}, "KB_OIDC_PROVIDERS is not JSON"),
        (
            {"OIDC_PROVIDERS": [{"issuer": "https://idp.example"}]},
            "provider 1: client_id: Field required",
        ),
        (
            {"OIDC_PROVIDERS": [{"issuer": "ftp://x", "client_id": "a"}]},
            "provider 1: issuer: String should match",
        ),
        (
            {
                "OIDC_ISSUER": "https://idp.example",
                "OIDC_CLIENT_ID": "kb",
                "OIDC_RULES": [
                    {"group": "g", "domain": "d", "org": "o", "role": "viewer"}
                ],
            },
            "a rule names either a group or a domain",
        ),
        (
            {
                "OIDC_PROVIDERS": [
                    {"issuer": "https://a.example", "client_id": "a"},
                    {"issuer": "https://b.example", "client_id": "b"},
                ]
            },
            "two providers have the same name",
        ),
    ):
        with pytest.raises(ValueError, match=message.replace("(", r"\(")):
            providers_from(config)
    single = providers_from(
        {"OIDC_ISSUER": "https://idp.example/", "OIDC_CLIENT_ID": "kb"}
    )
    assert single[0].metadata == "https://idp.example/.well-known/openid-configuration"


def test_rules_give_the_highest_role_per_organisation():
    provider = Provider(
        issuer="https://idp.example",
        client_id="kb",
        rules=[Rule.model_validate(r) for r in RULES],
    )
    both = {"email": "Ops@ACME.test", "groups": ["csms-editors"]}
    assert grants(both, provider) == {"acme-water": "editor"}
    assert grants({"email": "a@acme.test"}, provider) == {"acme-water": "viewer"}
    assert grants({"email": "x@else.test", "groups": "other-admins"}, provider) == {
        "other-co": "admin"
    }
    assert grants({"email": "x@else.test", "groups": ["nobody"]}, provider) == {}


# -- signing in ---------------------------------------------------------------------------


def test_the_login_page_offers_each_provider_and_the_password_form(client):
    page = BeautifulSoup(client.get("/login").text, "html.parser")
    buttons = [a.get_text(strip=True) for a in page.select(".sso a.button")]
    assert buttons == [
        "Sign in with Mock IdP",
        "Sign in with Swapped keys",
        "Sign in with Down IdP",
    ]
    assert page.select_one("input[name=password]") is not None


def test_a_first_sign_in_makes_the_account_and_membership(client, provider, sso_app):
    claims = {"email": "ops@acme.test", "groups": ["csms-editors"], "name": "Ops"}
    response = sign_in(client, provider, "ops-1", claims)
    assert response.status_code == 303
    assert response.location.endswith("/orgs/acme-water/assessments")
    assert "Acme FY26 baseline" in client.get(response.location).text
    user = user_row(sso_app, "ops@acme.test")
    assert user.password_hash is None and user.sso_provider == "mock"
    with session_for(sso_app) as db:
        membership = db.exec(
            select(Membership).where(Membership.user_id == user.id)
        ).one()
        assert membership.role == "editor"  # the group rule beats the domain rule
        actions = db.exec(
            select(AuditEvent.action, AuditEvent.detail).where(
                AuditEvent.user_id == user.id
            )
        ).all()
    assert ("member added", {"role": "editor", "by": "mock"}) in actions
    assert ("login", {"sso": "mock"}) in actions
    account = client.get("/account").text
    assert "You sign in through single sign-on and have no password here" in account
    # no password: the password form cannot be used for this account
    client.post("/logout")
    assert Login(client)("ops@acme.test", "any-password-at-all").status_code == 401


def test_a_domain_rule_gives_a_viewer_and_the_members_page_says_how(
    client, provider, sso_app, world
):
    response = sign_in(client, provider, "dom-1", {"email": "reader@acme.test"})
    assert response.status_code == 303
    admin = sso_app.test_client()
    Login(admin)("admin@acme.test")
    page = BeautifulSoup(admin.get("/orgs/acme-water/members").text, "html.parser")
    rows = {
        tr.td.get_text(strip=True): [
            td.get_text(strip=True) for td in tr.find_all("td")
        ]
        for tr in page.select("tbody tr")
    }
    assert rows["reader@acme.test"][1] == "Mock IdP"
    assert rows["admin@acme.test"][1] == "password"
    assert "viewer" in str(page.find("td", string="reader@acme.test").parent)


def test_someone_no_rule_matches_gets_a_page_not_an_account(client, provider, sso_app):
    response = sign_in(client, provider, "str-1", {"email": "stranger@else.test"})
    assert response.status_code == 403
    assert "no rule gives that account access" in alert(response)
    assert user_row(sso_app, "stranger@else.test") is None
    assert client.get("/orgs/").status_code == 302  # not signed in


def test_claims_without_a_verified_email_are_refused(client, provider, sso_app):
    response = sign_in(client, provider, "nomail-1", {"name": "No Mail"})
    assert response.status_code == 403
    assert "did not send an email address" in alert(response)
    claims = {"email": "unverified@acme.test", "email_verified": False}
    response = sign_in(client, provider, "unverified-1", claims)
    assert response.status_code == 403
    assert "is not verified" in alert(response)
    assert user_row(sso_app, "unverified@acme.test") is None


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({"aud": "someone-else"}, "was issued for another application"),
        ({"exp": int(time.time()) - 3600}, "has expired"),
        ({"iss": "https://impostor.example"}, "comes from another issuer"),
    ],
)
def test_an_id_token_with_a_wrong_claim_is_refused(client, provider, claims, reason):
    email = f"bad-{abs(hash(reason))}@acme.test"
    response = sign_in(client, provider, email, {"email": email, **claims})
    assert response.status_code == 400
    assert reason in alert(response)
    assert client.get("/orgs/").status_code == 302


def test_an_id_token_signed_by_another_key_is_refused(client, provider, sso_app):
    response = sign_in(
        client, provider, "key-1", {"email": "key@acme.test"}, name="swapped"
    )
    assert response.status_code == 400
    assert "not signed with the provider's keys" in alert(response)
    assert user_row(sso_app, "key@acme.test") is None


def test_a_state_that_does_not_match_is_refused(client, provider, sso_app):
    response = sign_in(
        client,
        provider,
        "state-1",
        {"email": "state@acme.test"},
        tamper=lambda url: with_query(url, state="forged"),
    )
    assert response.status_code == 400
    assert "does not belong to a sign-in started here" in alert(response)
    assert user_row(sso_app, "state@acme.test") is None


def test_a_nonce_that_does_not_match_is_refused(client, provider, sso_app):
    def forget_nonce(url):
        state = dict(parse_qsl(urlsplit(url).query))["state"]
        with client.session_transaction() as session:
            stored = session[f"_state_mock_{state}"]
            stored["data"]["nonce"] = "another-sign-in"
            session[f"_state_mock_{state}"] = stored
        return url

    response = sign_in(
        client, provider, "nonce-1", {"email": "nonce@acme.test"}, tamper=forget_nonce
    )
    assert response.status_code == 400
    assert "does not belong to this sign-in" in alert(response)
    assert user_row(sso_app, "nonce@acme.test") is None


def test_a_replayed_code_is_refused(client, provider):
    used = {}

    def keep(url):
        used["url"] = url
        return url

    first = sign_in(
        client, provider, "replay-1", {"email": "replay@acme.test"}, tamper=keep
    )
    assert first.status_code == 303
    client.post("/logout")
    start = client.get("/login/sso/mock")  # a fresh state, the old code
    state = dict(parse_qsl(urlsplit(start.location).query))["state"]
    again = client.get(with_query(used["url"], state=state))
    assert again.status_code == 400
    assert "refused the sign-in code" in alert(again)


def test_a_provider_that_is_down_leaves_the_password_login_working(client):
    response = client.get("/login/sso/down")
    assert response.status_code == 502
    assert "Down IdP cannot be reached just now" in alert(response)
    assert Login(client)("admin@acme.test").status_code == 303


def test_an_unknown_provider_is_not_found(client):
    assert client.get("/login/sso/nope").status_code == 404
    assert client.get("/login/sso/nope/callback?code=x&state=y").status_code == 404


def test_logout_ends_the_providers_session_too(client, provider):
    assert (
        sign_in(client, provider, "out-1", {"email": "out@acme.test"}).status_code
        == 303
    )
    response = client.post("/logout")
    assert response.status_code == 303
    assert response.location.startswith(f"{provider}/oauth2/end_session?")
    query = dict(parse_qsl(urlsplit(response.location).query))
    assert (
        query["id_token_hint"]
        and query["post_logout_redirect_uri"] == "http://localhost/"
    )
    assert client.get("/orgs/").status_code == 302
    # the page's policy lets the logout form lead to the provider, and nowhere else
    policy = client.get("/login").headers["Content-Security-Policy"]
    form_action = next(d for d in policy.split("; ") if d.startswith("form-action"))
    assert sorted(form_action.split()[1:]) == sorted(
        ["'self'", provider, "http://localhost:9"]
    )


# -- password login per organisation --------------------------------------------------------


def test_an_admin_turns_password_login_off_and_sso_still_works(
    client, provider, sso_app, world
):
    admin = sso_app.test_client()
    Login(admin)("admin@acme.test")
    off = admin.post("/orgs/acme-water/sign-in", data={"password_login": "0"})
    assert off.status_code == 303
    try:
        refused = Login(client)("ed@acme.test")
        assert refused.status_code == 403
        assert "Acme Water signs in through single sign-on only" in alert(refused)
        other = sso_app.test_client()  # Other Co keeps its passwords
        assert Login(other)("boss@other.test").status_code == 303
        claims = {"email": "ed@acme.test", "groups": ["csms-editors"]}
        assert sign_in(client, provider, "ed-1", claims).status_code == 303
        with session_for(sso_app) as db:
            events = db.exec(
                select(AuditEvent.detail).where(
                    AuditEvent.action == "password login changed"
                )
            ).all()
        assert events == [{"allowed": False}]
    finally:
        admin.post("/orgs/acme-water/sign-in", data={"password_login": "1"})


def test_password_login_stays_on_without_a_provider(tmp_path):
    app = make_app(tmp_path)
    run_cli(app, "load")
    with session_for(app) as db:
        build_world(db)
    admin = app.test_client()
    Login(admin)("admin@acme.test")
    page = admin.get("/orgs/acme-water/members")
    assert "How members sign in" not in page.text  # nothing to choose
    refused = admin.post("/orgs/acme-water/sign-in", data={"password_login": "0"})
    assert refused.status_code == 422
    assert "would lock every member out" in refused.text
    with session_for(app) as db:
        org = db.exec(
            select(Organisation).where(Organisation.slug == "acme-water")
        ).one()
        assert org.password_login is True


# -- tenancy ----------------------------------------------------------------------------------


def test_an_sso_user_of_another_organisation_reaches_nothing_of_acme(
    sso_app, provider, world
):
    stranger = sso_app.test_client()
    claims = {"email": "chief@else.test", "groups": ["other-admins"]}
    assert sign_in(stranger, provider, "chief-1", claims).status_code == 303
    for rule, endpoint, method in ROUTES:
        url = url_for_rule(rule, world)
        if method == "GET":
            response = stranger.get(url)
        else:
            response = stranger.open(url, method=method, data=FORM)
        assert response.status_code == 404, (endpoint, method, response.status_code)
        response.close()


def test_a_large_id_token_is_not_kept_in_the_session_cookie(client, provider):
    """Many groups make a long ID token; the cookie must stay under the browsers'
    limit (Werkzeug warns past it, and the tests make warnings errors)."""
    groups = [f"a-long-group-name-from-the-directory-{n:03d}" for n in range(120)]
    claims = {"email": "many@acme.test", "groups": ["csms-editors", *groups]}
    assert sign_in(client, provider, "many-1", claims).status_code == 303
    response = client.post("/logout")
    query = dict(parse_qsl(urlsplit(response.location).query))
    assert "id_token_hint" not in query and query["client_id"] == "csms-kb"
