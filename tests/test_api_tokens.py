"""Personal API tokens: made on /account or by `kb create-token`, shown once, stored as
a hash, acting with the owner's roles until revoked or expired, without CSRF, and held
to a rate limit."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

from bs4 import BeautifulSoup
from sqlmodel import select

from kb.models import ApiToken, AuditEvent, RequestCount, utcnow
from kb.services import tokens
from tests.conftest import build_world, make_app, run_cli, session_for


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def make_token(db, user, name="script", days=30) -> str:
    _token, secret = tokens.create_token(db, user, name, days)
    db.commit()
    return secret


def test_a_member_makes_a_token_sees_it_once_and_uses_it(world, login, org_client, db):
    login("ed@acme.test")
    made = org_client.post(
        "/account/tokens", data={"name": "Nightly sync", "days": "30"}
    )
    assert made.status_code == 201
    page = BeautifulSoup(made.text, "html.parser")
    secret = page.select_one("#new-token").get_text()
    assert secret.startswith("kb_") and len(secret) > 40
    again = org_client.get("/account")
    assert secret not in again.text  # shown once
    row = BeautifulSoup(again.text, "html.parser").select_one("table.tokens tbody tr")
    cells = [c.get_text(" ", strip=True) for c in row.select("th, td")]
    assert cells[0] == "Nightly sync" and cells[1] == secret[:8] + "…"
    assert cells[4] == "never" and cells[5] == "active"
    stored = db.exec(select(ApiToken).where(ApiToken.name == "Nightly sync")).one()
    assert stored.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in repr(stored.model_dump())

    client = org_client.application.test_client()  # no session: the token alone
    orgs = client.get("/api/v1/orgs", headers=bearer(secret))
    assert orgs.status_code == 200
    assert orgs.json["organisations"] == [
        {
            "slug": "acme-water",
            "name": "Acme Water",
            "role": "editor",
            "url": "/api/v1/orgs/acme-water/assessments",
        }
    ]
    assert "Set-Cookie" not in orgs.headers  # a token request starts no session
    assert "active" in org_client.get("/account").text
    db.expire_all()
    assert db.get(ApiToken, stored.id).last_used_at is not None


def test_bad_token_forms_are_refused_with_what_to_do(world, login, org_client):
    login("ed@acme.test")
    too_long = org_client.post("/account/tokens", data={"name": "x", "days": "400"})
    assert too_long.status_code == 422
    assert "less than or equal to 366" in too_long.text
    nameless = org_client.post("/account/tokens", data={"name": "", "days": "30"})
    assert nameless.status_code == 422


def test_revoked_expired_and_unknown_tokens_get_401(world, db, org_client):
    client = org_client
    revoked = make_token(db, world["editor"], "old")
    token = db.exec(select(ApiToken).where(ApiToken.name == "old")).one()
    tokens.revoke(db, world["editor"], token.id)
    expired = make_token(db, world["editor"], "short")
    short = db.exec(select(ApiToken).where(ApiToken.name == "short")).one()
    short.expires_at = utcnow() - timedelta(minutes=1)
    db.add(short)
    db.commit()
    for secret, words in (
        (revoked, "revoked"),
        (expired, "expired"),
        ("kb_not-a-token", "not known"),
    ):
        response = client.get("/api/v1/orgs", headers=bearer(secret))
        assert response.status_code == 401
        assert response.mimetype == "application/problem+json"
        assert words in response.json["detail"]


def test_a_token_acts_with_its_owners_role_and_organisation(world, db, org_client):
    viewer = make_token(db, world["viewer"], "reader")
    stranger = make_token(db, world["stranger"], "theirs")
    aid = world["assessment"].id
    write = org_client.put(
        f"/api/v1/assessments/{aid}/scores/sp-09-02-br",
        json={"version": 0, "current": 2},
        headers=bearer(viewer),
    )
    assert write.status_code == 403 and "needs the editor role" in write.json["detail"]
    read = org_client.get(f"/api/v1/assessments/{aid}/scores", headers=bearer(viewer))
    assert read.status_code == 200
    other = org_client.get(f"/api/v1/assessments/{aid}", headers=bearer(stranger))
    assert other.status_code == 404 and "Acme" not in other.text


def test_token_requests_need_no_csrf_token_and_session_requests_still_do(tmp_path):
    app = make_app(tmp_path, WTF_CSRF_ENABLED=True)
    assert run_cli(app, "load").exit_code == 0
    with session_for(app) as db:
        world = build_world(db)
        secret = make_token(db, world["editor"])
    body = {"name": "By script", "parts": ["62443-2-4"]}
    client = app.test_client()
    made = client.post(
        "/api/v1/orgs/acme-water/assessments", json=body, headers=bearer(secret)
    )
    assert made.status_code == 201 and made.json["name"] == "By script"
    session_client = app.test_client()
    token = re.search(
        r'name="csrf_token" value="([^"]+)"', session_client.get("/login").text
    )[1]
    logged_in = session_client.post(
        "/login",
        data={
            "email": "ed@acme.test",
            "password": "correct-horse-battery",
            "csrf_token": token,
        },
    )
    assert logged_in.status_code == 303
    refused = session_client.post("/api/v1/orgs/acme-water/assessments", json=body)
    assert refused.status_code == 400 and "CSRF" in refused.json["detail"]


def test_kb_create_token_prints_a_working_token(world, org_app, org_client):
    result = run_cli(
        org_app, "create-token", "ed@acme.test", "--name", "ci", "--expires-days", "7"
    )
    assert result.exit_code == 0, result.output
    secret = result.output.splitlines()[0]
    assert org_client.get("/api/v1/orgs", headers=bearer(secret)).status_code == 200
    unknown = run_cli(org_app, "create-token", "nobody@acme.test", "--name", "x")
    assert unknown.exit_code != 0 and "no user with the email" in unknown.output
    too_long = run_cli(
        org_app, "create-token", "ed@acme.test", "--name", "x", "--expires-days", "999"
    )
    assert too_long.exit_code != 0


def test_the_rate_limit_answers_429_with_retry_after(world, db, org_app, org_client):
    org_app.config.update(API_RATE_LIMIT=3, API_RATE_WINDOW_SECONDS=3600)
    secret = make_token(db, world["editor"])
    statuses = [
        org_client.get("/api/v1/orgs", headers=bearer(secret)).status_code
        for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    over = org_client.get("/api/v1/orgs", headers=bearer(secret))
    assert 0 < int(over.headers["Retry-After"]) <= 3600
    assert "Over 3 requests" in over.json["detail"]
    counts = db.exec(select(RequestCount.count)).all()
    assert counts == [
        3
    ]  # in the database, where every server sees it; refused ones not counted
    other = make_token(db, world["viewer"], "another")
    assert org_client.get("/api/v1/orgs", headers=bearer(other)).status_code == 200


def test_revoking_on_the_account_page_stops_the_token_and_is_audited(
    world, login, org_client, db
):
    login("ed@acme.test")
    made = org_client.post("/account/tokens", data={"name": "Temp", "days": "1"})
    secret = BeautifulSoup(made.text, "html.parser").select_one("#new-token").get_text()
    token = db.exec(select(ApiToken).where(ApiToken.name == "Temp")).one()
    revoked = org_client.post(f"/account/tokens/{token.id}/revoke")
    assert revoked.status_code == 303
    assert "is revoked" in org_client.get("/account").text
    client = org_client.application.test_client()
    assert client.get("/api/v1/orgs", headers=bearer(secret)).status_code == 401
    actions = db.exec(
        select(AuditEvent.action, AuditEvent.target).where(
            AuditEvent.organisation_id == world["acme"].id,
            AuditEvent.action.in_(("token created", "token revoked")),
        )
    ).all()
    assert sorted(actions) == [
        ("token created", "token 'Temp'"),
        ("token revoked", "token 'Temp'"),
    ]
    someone_elses = org_client.post(f"/account/tokens/{token.id + 999}/revoke")
    assert someone_elses.status_code == 404
