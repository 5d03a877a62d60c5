"""The audit log: what is recorded, who may read it (page and API), and that it holds
who, when, from which address and what."""

from __future__ import annotations

from bs4 import BeautifulSoup
from sqlmodel import select

from kb.models import AuditEvent
from tests.test_workbooks import api_upload, edited, export


def logged(db, world) -> list[tuple[str, str, str]]:
    return [
        (e.action, e.actor, e.target)
        for e in db.exec(
            select(AuditEvent)
            .where(AuditEvent.organisation_id == world["acme"].id)
            .order_by(AuditEvent.id)
        )
    ]


def test_logins_members_assessments_imports_and_exports_are_recorded(
    world, login, org_client, db
):
    assert login("admin@acme.test", "wrong password").status_code == 401
    login("admin@acme.test")
    slug, aid = world["acme"].slug, world["assessment"].id
    org_client.post(
        f"/orgs/{slug}/members",
        data={
            "email": "new@acme.test",
            "role": "viewer",
            "password": "long-enough-password",
        },
    )
    new_id = next(
        u
        for u, _m in __import__("kb.services.accounts", fromlist=["members"]).members(
            db, world["acme"]
        )
        if u.email == "new@acme.test"
    ).id
    org_client.post(f"/orgs/{slug}/members/{new_id}", data={"role": "editor"})
    org_client.post(f"/orgs/{slug}/members/{new_id}/delete")
    org_client.post(
        f"/orgs/{slug}/assessments", data={"name": "FY27", "parts": "62443-2-4"}
    )
    org_client.post(f"/assessments/{aid}/duplicate")
    org_client.post(f"/assessments/{aid}/archive", data={"archived": "1"})
    data = edited(export(org_client, world).data, {("SP.09.02 BR", "Owner"): "Priya"})
    run = api_upload(org_client, world, data).json["id"]
    assert (
        org_client.post(
            f"/api/v1/assessments/{aid}/imports/{run}/apply", json={}
        ).status_code
        == 200
    )
    events = logged(db, world)
    assert [(a, t) for a, _actor, t in events] == [
        ("login failed", ""),
        ("login", ""),
        ("member added", "new@acme.test"),
        ("member changed", "new@acme.test"),
        ("member removed", "new@acme.test"),
        ("assessment created", "FY27"),
        ("assessment duplicated", "Acme FY26 baseline"),
        ("assessment archived", "Acme FY26 baseline"),
        ("export downloaded", events[8][2]),
        ("import applied", "filled.xlsx"),
    ]
    assert events[8][2].endswith(".xlsx")
    assert {actor for _a, actor, _t in events} == {"admin@acme.test"}
    stored = db.exec(
        select(AuditEvent).where(AuditEvent.action == "import applied")
    ).one()
    assert stored.detail["values"] == 1 and stored.address == "127.0.0.1"


def test_admins_read_the_log_on_a_page_and_by_api_and_others_may_not(
    world, login, org_client
):
    login("ed@acme.test")  # an editor's login is recorded, but the log is not theirs
    slug = world["acme"].slug
    assert org_client.get(f"/orgs/{slug}/audit").status_code == 403
    assert org_client.get(f"/api/v1/orgs/{slug}/audit").status_code == 403
    login.logout()
    login("admin@acme.test")
    page = BeautifulSoup(org_client.get(f"/orgs/{slug}/audit").text, "html.parser")
    rows = [
        [c.get_text(" ", strip=True) for c in row.select("td")]
        for row in page.select("table.audit tbody tr")
    ]
    assert [r[1:3] for r in rows] == [
        ["admin@acme.test", "Logged in"],
        ["ed@acme.test", "Logged in"],
    ]
    assert rows[0][4] == "127.0.0.1"
    nav = page.select_one("nav.tabs").get_text()
    assert "Audit log" in nav
    only = BeautifulSoup(
        org_client.get(f"/orgs/{slug}/audit?action=token+created").text, "html.parser"
    )
    assert "Nothing recorded of this kind yet." in only.get_text()
    api = org_client.get(f"/api/v1/orgs/{slug}/audit?limit=1").json
    assert [e["actor"] for e in api["events"]] == ["admin@acme.test"]
    assert api["next_cursor"]
    second = org_client.get(
        f"/api/v1/orgs/{slug}/audit?limit=1&cursor={api['next_cursor']}"
    ).json
    assert [e["actor"] for e in second["events"]] == ["ed@acme.test"]
    assert second["next_cursor"] is None
