"""Login, logout, rate limit, CSRF, cookies and the set-up commands."""

from __future__ import annotations

import re

from tests.conftest import make_app, run_cli


def test_login_lands_on_the_only_organisation(world, login):
    response = login("ed@acme.test")
    assert response.status_code == 303
    assert response.headers["Location"] == "/orgs/acme-water/assessments"


def test_wrong_password_is_refused_with_a_message(world, login):
    response = login("ed@acme.test", "wrong password")
    assert response.status_code == 401
    assert "That email and password do not match an account." in response.text


def test_login_is_rate_limited_even_for_the_right_password(world, login):
    for _ in range(5):
        assert login("ed@acme.test", "nope").status_code == 401
    blocked = login("ed@acme.test")
    assert blocked.status_code == 429
    assert "Too many failed attempts" in blocked.text


def test_logout_ends_the_session(world, login, org_client):
    login("ed@acme.test")
    assert org_client.get("/orgs/acme-water/assessments").status_code == 200
    login.logout()
    response = org_client.get("/orgs/acme-water/assessments")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_next_only_redirects_within_the_site(world, org_client):
    data = {"email": "ed@acme.test", "password": "correct-horse-battery"}
    outside = org_client.post("/login", data=data | {"next": "https://evil.example/"})
    assert outside.headers["Location"] == "/orgs/acme-water/assessments"


def test_session_cookie_is_httponly_samesite_and_secure_over_https(world, org_client):
    data = {"email": "ed@acme.test", "password": "correct-horse-battery"}
    plain = org_client.post("/login", data=data).headers["Set-Cookie"]
    assert "HttpOnly" in plain and "SameSite=Lax" in plain and "Secure" not in plain
    https = org_client.post("/login", data=data, base_url="https://localhost").headers[
        "Set-Cookie"
    ]
    assert "Secure" in https


def test_post_without_csrf_token_is_refused(world, tmp_path):
    app = make_app(tmp_path / "csrf", WTF_CSRF_ENABLED=True)
    run_cli(app, "upgrade")
    client = app.test_client()
    refused = client.post("/login", data={"email": "ed@acme.test", "password": "x"})
    assert refused.status_code == 400
    assert "CSRF" in refused.text
    token = re.search(
        r'name="csrf_token" value="([^"]+)"', client.get("/login").text
    ).group(1)
    allowed = client.post(
        "/login", data={"email": "ed@acme.test", "password": "x", "csrf_token": token}
    )
    assert allowed.status_code != 400


def test_htmx_post_carries_the_token_in_a_header(world, tmp_path):
    app = make_app(tmp_path / "csrf", WTF_CSRF_ENABLED=True)
    run_cli(app, "upgrade")
    client = app.test_client()
    token = re.search(
        r'name="csrf_token" value="([^"]+)"', client.get("/login").text
    ).group(1)
    response = client.post(
        "/login",
        data={"email": "a@b.test", "password": "x"},
        headers={"X-CSRFToken": token, "HX-Request": "true"},
    )
    assert response.status_code == 401


def test_create_org_and_user_commands(tmp_path):
    app = make_app(tmp_path)
    run_cli(app, "upgrade")
    assert "at /orgs/acme/" in run_cli(app, "create-org", "acme").output
    assert "exists already" in run_cli(app, "create-org", "Acme").output
    runner = app.test_cli_runner()
    short = runner.invoke(
        args=[
            "create-user",
            "a@acme.test",
            "--org",
            "acme",
            "--role",
            "admin",
            "--password-stdin",
        ],
        input="short\n",
    )
    assert short.exit_code == 1 and "at least 12 characters" in short.output
    ok = runner.invoke(
        args=[
            "create-user",
            "A@Acme.test",
            "--org",
            "acme",
            "--role",
            "admin",
            "--password-stdin",
        ],
        input="correct-horse-battery\n",
    )
    assert ok.exit_code == 0 and "a@acme.test is admin of acme" in ok.output
    client = app.test_client()
    login = client.post(
        "/login", data={"email": "a@acme.test", "password": "correct-horse-battery"}
    )
    assert login.headers["Location"] == "/orgs/acme/assessments"


def test_members_page_adds_changes_and_removes(world, login, org_client):
    login("admin@acme.test")
    added = org_client.post(
        "/orgs/acme-water/members",
        data={
            "email": "new@acme.test",
            "role": "viewer",
            "password": "another-long-password",
        },
    )
    assert added.status_code == 303
    page = org_client.get("/orgs/acme-water/members").text
    assert "new@acme.test" in page
    missing = org_client.post(
        "/orgs/acme-water/members", data={"email": "second@acme.test", "role": "viewer"}
    )
    assert missing.status_code == 422 and "initial password" in missing.text
    admin_id = world["admin"].id
    last_admin = org_client.post(
        f"/orgs/acme-water/members/{admin_id}", data={"role": "viewer"}
    )
    assert last_admin.status_code == 409
    assert "at least one admin" in last_admin.text


def test_catalogue_can_require_login(tmp_path):
    app = make_app(tmp_path, CATALOGUE_REQUIRES_LOGIN=True)
    run_cli(app, "load")
    client = app.test_client()
    assert "/login" in client.get("/requirements/sr-1-1").headers["Location"]
    assert client.get("/api/v1/requirements").status_code == 401
    assert client.get("/healthz").status_code == 200


def test_a_user_changes_their_password(world, login, org_client):
    login("ed@acme.test")
    wrong = org_client.post(
        "/account",
        data={
            "current": "nope",
            "new": "a-brand-new-password",
            "confirm": "a-brand-new-password",
        },
    )
    assert wrong.status_code == 422 and "not your current password" in wrong.text
    mismatch = org_client.post(
        "/account",
        data={
            "current": "correct-horse-battery",
            "new": "a-brand-new-password",
            "confirm": "other",
        },
    )
    assert mismatch.status_code == 422 and "same new password twice" in mismatch.text
    done = org_client.post(
        "/account",
        data={
            "current": "correct-horse-battery",
            "new": "a-brand-new-password",
            "confirm": "a-brand-new-password",
        },
    )
    assert done.status_code == 303
    assert "Your password is changed." in org_client.get("/account").text
    login.logout()
    assert login("ed@acme.test").status_code == 401
    assert login("ed@acme.test", "a-brand-new-password").status_code == 303
