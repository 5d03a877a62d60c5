"""A member signs in through the organisation's identity provider and out again, in
Chromium, against a real OpenID Connect provider on a local port."""

from __future__ import annotations

import re
import threading
from urllib.parse import quote

import httpx
import oidc_provider_mock
import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from tests.conftest import build_world, make_app, run_cli, session_for

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def provider():
    with oidc_provider_mock.run_server_in_thread() as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(scope="module")
def sso_url(tmp_path_factory, provider):
    app = make_app(
        tmp_path_factory.mktemp("sso-browser"),
        OIDC_ISSUER=provider,
        OIDC_CLIENT_ID="csms-kb",
        OIDC_CLIENT_SECRET="secret",
        OIDC_LABEL="Acme Entra ID",
        OIDC_RULES=[{"group": "csms-editors", "org": "acme-water", "role": "editor"}],
    )
    assert run_cli(app, "load").exit_code == 0
    with session_for(app) as db:
        build_world(db)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_sign_in_with_the_identity_provider_and_out(page, sso_url, provider, artifacts):
    sub = "engineer@acme.test"
    claims = {"email": sub, "groups": ["csms-editors"], "name": "Pat Engineer"}
    assert (
        httpx.put(f"{provider}/users/{quote(sub, safe='')}", json=claims).status_code
        == 204
    )
    page.goto(sso_url + "/login")
    expect(page.get_by_label("Password")).to_be_visible()  # the password form stays
    page.get_by_role("link", name="Sign in with Acme Entra ID").click()
    page.wait_for_url(re.compile(re.escape(provider)))
    page.fill("input[name=sub]", sub)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(re.compile(r"/orgs/acme-water/assessments$"))
    expect(page.locator("h1")).to_contain_text("Acme Water")
    expect(page.get_by_role("button", name=re.compile("Log out"))).to_contain_text(sub)
    page.screenshot(path=str(artifacts / "sso-signed-in.png"))

    page.get_by_role("button", name=re.compile("Log out")).click()
    page.wait_for_url(re.compile(re.escape(provider) + "/oauth2/end_session"))
    page.get_by_role("button").first.click()  # the provider's own confirmation
    page.wait_for_url(re.compile(re.escape(sso_url) + r"/(\?.*)?$"))
    page.goto(sso_url + "/orgs/")
    expect(page).to_have_url(re.compile(r"/login"))
