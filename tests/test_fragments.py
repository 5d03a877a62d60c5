"""Pages kept rendered (kb.web.fragments) under the organisation's revision
(kb.revisions): every change shows at once, and each reader gets their own page."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup

from kb.models import (
    ConduitLink,
    ContentItem,
    EvidenceLink,
    Organisation,
    Score,
    Snapshot,
    StoredFile,
    User,
    Zone,
    ZoneRequirement,
)
from kb.revisions import organisation_of
from kb.services.changes import save_versioned
from tests import factories


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def revision(db, org) -> str:
    db.expire_all()
    return db.get(Organisation, org.id).revision


def test_each_kind_of_record_is_traced_to_its_organisation(world, db):
    acme = world["acme"].id
    zone, evidence = world["zone"], world["evidence"]
    conduit = factories.make_zone(
        db, assessment=world["assessment"], user=world["admin"], name="Conduit"
    )
    owned = [
        world["assessment"],
        Score(assessment_id=world["assessment"].id, requirement_id="SP.09.02 BR"),
        EvidenceLink(
            evidence_id=evidence.id,
            assessment_id=world["assessment"].id,
            requirement_id="SP.09.02 BR",
        ),
        ZoneRequirement(zone_id=zone.id, requirement_id="SR 1.1"),
        ConduitLink(conduit_id=conduit.id, zone_id=zone.id),
        StoredFile(
            evidence_id=evidence.id,
            storage_name="x",
            filename="a.pdf",
            content_type="application/pdf",
            size=1,
            sha256="0" * 64,
        ),
        Snapshot(assessment_id=world["assessment"].id, label="Q1"),
        evidence,
        world["acme"],
    ]
    assert [organisation_of(db, record) for record in owned] == [acme] * len(owned)
    assert organisation_of(db, world["theirs"]) == world["other"].id
    shared = [db.get(ContentItem, "SP.09.02 BR"), db.get(User, world["editor"].id)]
    assert [organisation_of(db, record) for record in shared] == [None, None]


def test_a_commit_gives_its_organisation_a_new_revision_and_no_other(world, db):
    acme_before, other_before = (
        revision(db, world["acme"]),
        revision(db, world["other"]),
    )
    score = Score(assessment_id=world["assessment"].id, requirement_id="SP.09.02 BR")
    db.add(score)
    db.commit()
    acme_after = revision(db, world["acme"])
    assert acme_after != acme_before
    assert revision(db, world["other"]) == other_before
    score.owner = "Jo"
    db.flush()
    db.rollback()
    assert revision(db, world["acme"]) == acme_after  # nothing committed, no change


def test_a_versioned_save_alone_gives_its_organisation_a_new_revision(world, db):
    """save_versioned writes a row with one UPDATE statement of its own, outside the
    flush; the row's organisation still gets a new revision."""
    db.commit()  # what making the world noted
    before = revision(db, world["acme"])
    zone = world["zone"]
    zone.name = "Renamed zone"
    save_versioned(db, zone, zone.version, world["admin"].id, lambda: zone)
    db.commit()
    assert revision(db, world["acme"]) != before
    assert db.get(Zone, zone.id).name == "Renamed zone"


def register(client, world):
    return client.get(f"/assessments/{world['assessment'].id}")


def test_the_register_shows_an_evidence_items_new_title_at_once(
    world, login, org_client
):
    login("ed@acme.test")
    item = world["evidence"]
    org_client.post(
        f"/assessments/{world['assessment'].id}/scores/sp-09-02-br/evidence",
        data={"evidence_id": item.id},
    )
    row = "#row-sp-09-02-br td.evidence"
    assert item.title in soup(register(org_client, world)).select_one(row).get_text()
    renamed = org_client.post(
        f"/orgs/acme-water/evidence/{item.id}",
        data={
            "type": item.type,
            "title": "Firewall review, renamed",
            "url": "https://intranet.example/fw",
            "status": "current",
            "version": item.version,
        },
        content_type="multipart/form-data",
    )
    assert renamed.status_code == 303
    shown = soup(register(org_client, world)).select_one(row).get_text()
    assert "Firewall review, renamed" in shown and item.title not in shown


def test_a_viewer_after_an_editor_gets_the_viewers_page(world, login, org_client):
    login("ed@acme.test")
    as_editor = soup(register(org_client, world))
    assert as_editor.select("form.group-target") and as_editor.select(
        "a[aria-label^=Edit]"
    )
    login.logout()
    login("vi@acme.test")
    as_viewer = soup(register(org_client, world))
    assert as_viewer.select("tr[id^=row-]")
    assert not as_viewer.select("form.group-target")
    assert not as_viewer.select("a[aria-label^=Edit]")


def test_each_reader_gets_forms_with_their_own_csrf_token(
    world, login, org_app, org_client
):
    org_app.config["WTF_CSRF_ENABLED"] = True

    def log_in(client, email):
        token = re.search(
            r'name="csrf_token" value="([^"]+)"', client.get("/login").text
        )
        client.post(
            "/login",
            data={
                "email": email,
                "password": "correct-horse-battery",
                "csrf_token": token[1],
            },
        )

    def group_token(client):
        form = soup(register(client, world)).select_one("form.group-target")
        return form.select_one("input[name=csrf_token]")["value"]

    editor, admin = org_client, org_app.test_client()
    log_in(editor, "ed@acme.test")
    log_in(admin, "admin@acme.test")
    editors_token, admins_token = group_token(editor), group_token(admin)
    assert editors_token != admins_token
    response = admin.post(
        f"/assessments/{world['assessment'].id}/targets",
        data={
            "group": "CA-08",
            "group_by": "area",
            "target": "3",
            "csrf_token": admins_token,
        },
    )
    assert response.status_code == 303


def test_the_kept_list_of_assessments_follows_changes_badges_and_messages(
    world, login, org_client, db
):
    from datetime import date, timedelta

    from tests import factories

    login("admin@acme.test")
    url = f"/orgs/{world['acme'].slug}/assessments"
    assert "Acme FY26 baseline" in org_client.get(url).text
    org_client.get(url)  # kept now
    renamed = org_client.patch(
        f"/api/v1/assessments/{world['assessment'].id}", json={"name": "Renamed FY26"}
    )
    assert renamed.status_code == 200
    page = org_client.get(url).text
    assert "Renamed FY26" in page and "Acme FY26 baseline" not in page
    # A message is shown once, not kept with the page.
    org_client.post(
        f"/assessments/{world['assessment'].id}/archive", data={"archived": "1"}
    )
    assert "“Renamed FY26” archived" in org_client.get(url).text
    assert "“Renamed FY26” archived" not in org_client.get(url).text
    # The header's overdue badge follows another organisation's evidence too.
    other = factories.make_org(db, name="Second Water")
    factories.make_user(db, email="admin@acme.test", org=other, role="admin")
    db.commit()
    login.logout()
    login("admin@acme.test")
    before = org_client.get(url).text
    factories.make_evidence(
        db,
        org=other,
        user=world["admin"],
        title="Stale record",
        next_review=date.today() - timedelta(days=3),
    )
    db.commit()
    after = org_client.get(url).text
    assert "second-water/evidence/due" not in before
    assert "second-water/evidence/due" in after
