"""The evidence register as compliance staff use it: add, find, download, edit, retire,
link to register rows; every bad input refused with its reason and nothing stored."""

from __future__ import annotations

import hashlib
import io
import re
from datetime import date, timedelta

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func
from sqlmodel import select

from kb.models import EvidenceItem, FileBlob, StoredFile
from tests import factories
from tests.conftest import make_app, run_cli

ORG = "/orgs/acme-water/evidence"
PDF = b"%PDF-1.4 firewall rule review\n" * 50


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def add(client, *, file=None, filename="review.pdf", **fields):
    """Submit the new-item form, with a file as a browser sends it."""
    data = {
        "type": "EV-ACCOUNT-REGISTER",
        "title": "Account register, north plant",
        "owner": "Priya",
        "status": "current",
        **fields,
    }
    if file is not None:
        data["file"] = (io.BytesIO(file), filename, "application/pdf")
    return client.post(ORG, data=data, content_type="multipart/form-data")


def count(db, model=EvidenceItem) -> int:
    db.expire_all()
    return db.exec(select(func.count()).select_from(model)).one()


def errors(response) -> str:
    return " ".join(e.get_text(" ") for e in soup(response).select(".error li"))


def test_an_editor_adds_a_file_and_sees_its_hash_and_history(world, login, org_client):
    login("ed@acme.test")
    response = add(org_client, file=PDF, collected_on="2026-11-01")
    assert response.status_code == 303
    page = org_client.get(response.headers["Location"])
    assert page.status_code == 200
    text = page.text
    assert soup(page).h1.get_text(strip=True) == "Account register, north plant"
    assert hashlib.sha256(PDF).hexdigest() in text
    assert "review.pdf" in text and "application/pdf" in text
    history = soup(page).select_one("table.history").get_text(" ")
    assert (
        "ed@acme.test" in history and "created" in history and "review.pdf" in history
    )
    listing = org_client.get(ORG)
    assert "Account register, north plant" in listing.text


def test_the_next_review_defaults_from_the_types_cadence(world, login, org_client, db):
    login("ed@acme.test")
    add(org_client, url="https://intranet.example/ar", collected_on="2026-01-31")
    item = db.exec(
        select(EvidenceItem).where(EvidenceItem.url == "https://intranet.example/ar")
    ).one()
    # EV-ACCOUNT-REGISTER is reviewed quarterly; April has 30 days.
    assert item.next_review == date(2026, 4, 30)


def test_download_is_an_attachment_with_the_original_name_and_bytes(
    world, login, org_client, db
):
    login("ed@acme.test")
    location = add(org_client, file=PDF, filename="report.pdf.exe").headers["Location"]
    response = org_client.get(location + "/file")
    assert response.status_code == 200
    assert response.data == PDF
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "report.pdf.exe" in disposition
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert response.headers["Content-Type"] == "application/pdf"


def test_a_file_with_a_non_ascii_name_downloads_under_that_name(
    world, login, org_client
):
    login("ed@acme.test")
    location = add(org_client, file=b"data", filename="Prüfbericht.pdf").headers[
        "Location"
    ]
    disposition = org_client.get(location + "/file").headers["Content-Disposition"]
    assert "filename*=UTF-8''Pr%C3%BCfbericht.pdf" in disposition


@pytest.mark.parametrize(
    ("fields", "file", "filename", "field", "message"),
    [
        (
            {"url": "javascript:alert(1)"},
            None,
            None,
            "url",
            "only http:// and https://",
        ),
        ({"url": "data:text/html,hi"}, None, None, "url", "only http:// and https://"),
        ({"url": "https://x.example/a"}, PDF, "a.pdf", "url", "not both"),
        ({}, None, None, "file", "upload a file or give the address"),
        ({}, b"", "empty.pdf", "file", "the file is empty"),
        ({}, PDF, "../../x", "file", "folder parts"),
        ({}, PDF, "C:\\x", "file", "folder parts"),
        ({}, PDF, "a\x01b.pdf", "file", "control characters"),
        ({}, PDF, "a" * 300 + ".pdf", "file", "at most 255"),
        ({"type": "EV-NOPE"}, PDF, "a.pdf", "type", "is not an evidence type"),
        ({"type": "SR 1.1"}, PDF, "a.pdf", "type", "is not an evidence type"),
        ({"title": ""}, PDF, "a.pdf", "title", ""),
        ({"next_review": "31/12/2026"}, PDF, "a.pdf", "next review", "date"),
        ({"status": "archived"}, PDF, "a.pdf", "status", "draft"),
    ],
)
def test_bad_input_names_the_field_and_stores_nothing(
    world, login, org_client, db, fields, file, filename, field, message
):
    login("ed@acme.test")
    before = (count(db), count(db, StoredFile), count(db, FileBlob))
    response = add(org_client, file=file, filename=filename or "x", **fields)
    assert response.status_code == 422
    assert field in errors(response) and message in errors(response)
    assert (count(db), count(db, StoredFile), count(db, FileBlob)) == before


def test_an_upload_over_the_limit_is_refused_and_stores_nothing(
    world, login, org_app, org_client, db
):
    org_app.config["EVIDENCE_MAX_BYTES"] = 10_000
    login("ed@acme.test")
    before = count(db)
    just_over = add(org_client, file=b"x" * 10_001)
    assert just_over.status_code == 422
    assert "larger than" in errors(just_over)
    far_over = add(org_client, file=b"x" * 200_000)
    assert far_over.status_code == 413
    assert "larger than" in far_over.text
    assert count(db) == before


def test_a_past_review_date_is_allowed_and_flagged_overdue(world, login, org_client):
    login("ed@acme.test")
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    add(org_client, url="https://intranet.example/old", next_review=yesterday)
    listing = org_client.get(ORG, query_string={"review": "overdue"})
    assert "Account register, north plant" in listing.text
    assert "overdue" in soup(listing).select_one("table.evidence").get_text()
    due = org_client.get(ORG + "/due")
    overdue = soup(due).select_one("section.overdue").get_text(" ")
    assert "Account register, north plant" in overdue
    badge = soup(org_client.get("/orgs/acme-water/assessments")).select_one(
        ".overdue-badge"
    )
    assert badge and badge.get_text(" ", strip=True).startswith("1 overdue evidence")


def test_the_due_page_says_so_when_nothing_is_due(world, login, org_client):
    login("vi@acme.test")
    page = org_client.get(ORG + "/due")
    assert "Nothing is overdue." in page.text
    assert not soup(page).select(".overdue-badge")


@pytest.fixture
def five_items(world, db):
    """Five items of two types, two owners, various review dates."""
    today = date.today()
    specs = [
        ("Alpha", "EV-ACCOUNT-REGISTER", "Priya", today - timedelta(days=3), "current"),
        ("Bravo", "EV-RESTORE-TEST", "Sam", today + timedelta(days=10), "current"),
        ("Charlie", "EV-RESTORE-TEST", "Priya", today + timedelta(days=100), "draft"),
        (
            "Delta",
            "EV-ACCOUNT-REGISTER",
            "Sam",
            today + timedelta(days=20),
            "superseded",
        ),
        (
            "Echo",
            "EV-ACCOUNT-REGISTER",
            "priya k",
            today + timedelta(days=200),
            "current",
        ),
    ]
    for title, kind, owner, next_on, status in specs:
        factories.make_evidence(
            db,
            org=world["acme"],
            user=world["editor"],
            title=title,
            type=kind,
            owner=owner,
            next_review=next_on,
            status=status,
        )
    db.commit()


def titles(response) -> list[str]:
    rows = soup(response).select("table.evidence tbody tr")
    return [tr.td.a.get_text() for tr in rows]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"type": "EV-RESTORE-TEST"}, ["Bravo", "Charlie"]),
        ({"owner": "priya"}, ["Alpha", "Charlie", "Echo"]),
        ({"status": "draft"}, ["Charlie"]),
        ({"review": "overdue"}, ["Alpha"]),
        ({"review": "due"}, ["Bravo"]),  # Delta is superseded: never due
        # the world's item is reviewed quarterly from today, before Charlie
        (
            {"review": "current"},
            ["Acme secret-plan firewall review", "Charlie", "Echo"],
        ),
        (
            {"sort": "title"},
            [
                "Acme secret-plan firewall review",
                "Alpha",
                "Bravo",
                "Charlie",
                "Delta",
                "Echo",
            ],
        ),
        ({"sort": "-title", "owner": "sam"}, ["Delta", "Bravo"]),
        ({"sort": "bogus", "owner": "sam"}, ["Bravo", "Delta"]),
    ],
)
def test_the_register_filters_and_sorts(login, org_client, five_items, query, expected):
    login("vi@acme.test")
    assert titles(org_client.get(ORG, query_string=query)) == expected


def test_the_register_pages_and_keeps_its_filters(
    login, org_app, org_client, five_items
):
    org_app.config["EVIDENCE_PAGE_SIZE"] = 2
    login("vi@acme.test")
    first = org_client.get(ORG, query_string={"owner": "priya", "sort": "title"})
    assert titles(first) == ["Alpha", "Charlie"] and "Page 1 of 2" in first.text
    following = soup(first).select_one("a[rel=next]")["href"]
    assert "owner=priya" in following and "sort=title" in following
    assert titles(org_client.get(following)) == ["Echo"]


def test_a_column_header_sorts_and_a_second_click_reverses(
    login, org_client, five_items
):
    login("vi@acme.test")
    page = org_client.get(ORG, query_string={"sort": "title"})
    header = soup(page).find("th", attrs={"aria-sort": "ascending"})
    assert header.get_text(strip=True).startswith("Title")
    reversed_page = org_client.get(header.a["href"])
    assert titles(reversed_page)[0] == "Echo"
    assert soup(reversed_page).find("th", attrs={"aria-sort": "descending"})


def test_the_register_fragment_for_htmx(login, org_client, five_items, htmx_headers):
    login("vi@acme.test")
    fragment = org_client.get(
        ORG, query_string={"type": "EV-RESTORE-TEST"}, headers=htmx_headers
    )
    assert "<html" not in fragment.text and "Bravo" in fragment.text
    assert "HX-Request" in fragment.headers["Vary"]
    page = org_client.get(ORG, query_string={"type": "EV-RESTORE-TEST"})
    assert "<html" in page.text and "HX-Request" in page.headers["Vary"]


def test_empty_states(world, login, org_client):
    login("vi@acme.test")
    none_match = org_client.get(ORG, query_string={"owner": "nobody"})
    assert "No evidence item matches these filters" in none_match.text
    assert "Clear the filters" in none_match.text


@pytest.fixture
def htmx_headers() -> dict:
    return {"HX-Request": "true"}


def edit(client, item_id, version, **fields):
    data = {
        "type": "EV-ACCOUNT-REGISTER",
        "title": "Renamed",
        "url": "https://intranet.example/doc/1",
        "status": "current",
        "version": version,
        **fields,
    }
    return client.post(
        f"{ORG}/{item_id}", data=data, content_type="multipart/form-data"
    )


def test_an_edit_is_recorded_field_by_field(world, login, org_client):
    login("ed@acme.test")
    item = world["evidence"]
    response = edit(org_client, item.id, 1, owner="Sam", reason="new owner")
    assert response.status_code == 303
    history = soup(org_client.get(f"{ORG}/{item.id}")).select_one("table.history")
    rows = [tr.get_text(" ", strip=True) for tr in history.select("tbody tr")]
    assert any(
        "title" in r and "Acme secret-plan" in r and "Renamed" in r for r in rows
    )
    assert any("owner" in r and "Sam" in r and "new owner" in r for r in rows)


def test_a_stale_edit_keeps_the_persons_input_and_writes_nothing(
    world, login, org_client, db
):
    login("ed@acme.test")
    item = world["evidence"]
    assert edit(org_client, item.id, 1, title="First save").status_code == 303
    stale = edit(org_client, item.id, 1, title="My late change")
    assert stale.status_code == 409
    assert 'value="My late change"' in stale.text
    assert "First save" in soup(stale).select_one("aside.theirs").get_text()
    db.expire_all()
    assert db.get(EvidenceItem, item.id).title == "First save"


def test_a_new_file_keeps_the_earlier_one_downloadable(world, login, org_client):
    login("ed@acme.test")
    location = add(org_client, file=b"version one").headers["Location"]
    item_id = int(location.rsplit("/", 1)[1])
    response = org_client.post(
        f"{ORG}/{item_id}",
        data={
            "type": "EV-ACCOUNT-REGISTER",
            "title": "Account register, north plant",
            "status": "current",
            "version": "1",
            "file": (io.BytesIO(b"version two"), "v2.pdf", "application/pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    assert org_client.get(location + "/file").data == b"version two"
    page = soup(org_client.get(location))
    links = [a["href"] for a in page.select("table.grid a[download]")]
    assert len(links) == 2
    assert org_client.get(links[1]).data == b"version one"


def test_retiring_hides_an_item_and_keeps_its_history(world, login, org_client):
    login("ed@acme.test")
    item = world["evidence"]
    assert org_client.post(f"{ORG}/{item.id}/retire").status_code == 303
    assert item.title not in org_client.get(ORG).text
    assert item.title in org_client.get(ORG, query_string={"retired": "1"}).text
    page = org_client.get(f"{ORG}/{item.id}")
    assert "retired" in soup(page).select_one("table.history").get_text()
    org_client.post(f"{ORG}/{item.id}/retire", data={"retired": "0"})
    assert item.title in org_client.get(ORG).text


def test_a_viewer_cannot_upload_and_nothing_is_stored(world, login, org_client, db):
    login("vi@acme.test")
    before = count(db, FileBlob)
    response = add(org_client, file=PDF)
    assert response.status_code == 403
    assert count(db, FileBlob) == before
    assert "Add an evidence item" not in org_client.get(ORG).text


# -- register rows -------------------------------------------------------------------


def row_url(world, key="sp-09-02-br") -> str:
    return f"/assessments/{world['assessment'].id}/scores/{key}"


def test_a_register_row_links_and_unlinks_an_item(
    world, login, org_client, htmx_headers
):
    login("ed@acme.test")
    item = world["evidence"]
    linked = org_client.post(
        row_url(world) + "/evidence",
        data={"evidence_id": item.id},
        headers=htmx_headers,
    )
    assert linked.status_code == 200 and "<html" not in linked.text
    section = soup(linked).select_one("section.row-evidence")
    assert item.title in section.select_one("ul").get_text()
    register = org_client.get(f"/assessments/{world['assessment'].id}")
    row = soup(register).select_one("#row-sp-09-02-br td.evidence")
    assert item.title in row.get_text()
    other_row = soup(register).select_one("#row-sp-12-05-br td.evidence")
    assert item.title not in other_row.get_text()
    item_page = org_client.get(f"{ORG}/{item.id}")
    assert "SP.09.02 BR" in item_page.text and "linked to" in item_page.text
    unlinked = org_client.post(
        row_url(world) + f"/evidence/{item.id}/delete", headers=htmx_headers
    )
    assert "No evidence linked yet." in unlinked.text


def test_without_htmx_linking_returns_to_the_edit_page(world, login, org_client):
    login("ed@acme.test")
    response = org_client.post(
        row_url(world) + "/evidence", data={"evidence_id": world["evidence"].id}
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/scores/sp-09-02-br/edit")


def test_the_picker_suggests_items_of_the_types_the_requirement_names(
    world, login, org_client, five_items
):
    login("ed@acme.test")
    # SP.12.05 BR names only EV-RESTORE-TEST; superseded and retired items are left out.
    page = org_client.get(row_url(world, "sp-12-05-br") + "/edit")
    options = [o.get_text() for o in soup(page).select("optgroup option")]
    assert options == ["Bravo (EV-RESTORE-TEST)", "Charlie (EV-RESTORE-TEST)"]
    add_links = soup(page).select("section.row-evidence p a")
    assert [a.get_text() for a in add_links] == ["Backup restore test record"]
    assert "type=EV-RESTORE-TEST" in add_links[0]["href"]


def test_an_item_added_from_a_row_is_linked_there(world, login, org_client):
    login("ed@acme.test")
    assessment_id = world["assessment"].id
    form = org_client.get(
        f"{ORG}/new",
        query_string={
            "type": "EV-RESTORE-TEST",
            "assessment": assessment_id,
            "requirement": "sp-12-05-br",
        },
    )
    assert "It will be linked to" in form.text and "SP.12.05 BR" in form.text
    chosen = soup(form).select_one("select[name=type] option[selected]")
    assert chosen["value"] == "EV-RESTORE-TEST"
    response = add(
        org_client,
        file=PDF,
        type="EV-RESTORE-TEST",
        title="Restore test, March",
        assessment=str(assessment_id),
        requirement="sp-12-05-br",
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(
        f"/assessments/{assessment_id}#row-sp-12-05-br"
    )
    register = org_client.get(f"/assessments/{assessment_id}")
    assert (
        "Restore test, March"
        in soup(register).select_one("#row-sp-12-05-br td.evidence").get_text()
    )


def test_a_requirement_outside_the_assessments_scope_cannot_be_linked(
    world, login, org_client
):
    login("ed@acme.test")
    response = org_client.post(
        row_url(world, "sr-1-1") + "/evidence",
        data={"evidence_id": world["evidence"].id},
    )
    assert response.status_code == 404
    assert "not in the scope of this assessment" in response.text


def test_a_retired_item_cannot_be_linked(world, login, org_client):
    login("ed@acme.test")
    item = world["evidence"]
    org_client.post(f"{ORG}/{item.id}/retire")
    response = org_client.post(
        row_url(world) + "/evidence", data={"evidence_id": item.id}
    )
    assert response.status_code == 422 and "is retired" in response.text


# -- the JSON API --------------------------------------------------------------------

API = "/api/v1/orgs/acme-water/evidence"


def test_api_upload_answers_201_with_the_item(world, login, org_client):
    login("ed@acme.test")
    response = org_client.post(
        API,
        data={
            "file": (io.BytesIO(PDF), "rules.pdf", "application/pdf"),
            "title": "Firewall rules",
            "type": "EV-ACCOUNT-REGISTER",
            "owner": "Sam",
            "next_review": "2030-01-01",
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 201
    body = response.json
    assert body["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert body["size"] == len(PDF) and body["filename"] == "rules.pdf"
    assert body["next_review"] == "2030-01-01" and body["review_state"] == "current"
    assert body["url"] is None and body["title"] == "Firewall rules"
    again = org_client.get(f"{API}/{body['id']}").json
    assert again["sha256"] == body["sha256"]
    assert org_client.get(body["file_url"]).data == PDF


def test_api_json_with_a_url(world, login, org_client):
    login("ed@acme.test")
    response = org_client.post(
        API,
        json={
            "title": "Restore record",
            "type": "EV-RESTORE-TEST",
            "url": "https://intranet.example/restore",
        },
    )
    assert response.status_code == 201
    assert response.json["url"] == "https://intranet.example/restore"
    assert response.json["filename"] is None and response.json["sha256"] is None


def test_api_refuses_bad_input_with_problems(world, login, org_client, db):
    login("ed@acme.test")
    before = count(db)
    response = org_client.post(
        API, json={"title": "", "type": "EV-NOPE", "url": "javascript:alert(1)"}
    )
    assert response.status_code == 422
    fields = {p["field"] for p in response.json["problems"]}
    assert {"title", "url"} <= fields
    assert all(p["message"] for p in response.json["problems"])
    unknown_type = org_client.post(
        API, json={"title": "x", "type": "EV-NOPE", "url": "https://a.example"}
    )
    assert unknown_type.json["problems"][0]["field"] == "type"
    assert count(db) == before


def test_api_too_large_is_a_problem_on_the_file(world, login, org_app, org_client):
    org_app.config["EVIDENCE_MAX_BYTES"] = 10_000
    login("ed@acme.test")
    response = org_client.post(
        API,
        data={
            "file": (io.BytesIO(b"x" * 200_000), "big.bin"),
            "title": "x",
            "type": "EV-RESTORE-TEST",
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert response.json["problems"][0]["field"] == "file"


def test_api_lists_with_the_pages_filters(login, org_client, five_items):
    login("vi@acme.test")
    body = org_client.get(API, query_string={"type": "EV-RESTORE-TEST"}).json
    assert body["count"] == 2
    assert [item["title"] for item in body["items"]] == ["Bravo", "Charlie"]


def test_api_links_an_item_to_a_register_row(world, login, org_client):
    login("ed@acme.test")
    url = f"/api/v1/assessments/{world['assessment'].id}/scores/SP.09.02 BR/evidence"
    response = org_client.post(url, json={"evidence_id": world["evidence"].id})
    assert response.status_code == 201
    assert response.json["requirement"] == "SP.09.02 BR"
    register = org_client.get(f"/assessments/{world['assessment'].id}")
    assert (
        world["evidence"].title
        in soup(register).select_one("#row-sp-09-02-br td.evidence").get_text()
    )
    bad = org_client.post(url, json={"evidence_id": "x"})
    assert bad.status_code == 422 and bad.json["problems"][0]["field"] == "evidence_id"


def test_api_with_csrf_on_needs_the_header(world, tmp_path):
    app = make_app(tmp_path / "csrf", WTF_CSRF_ENABLED=True)
    assert run_cli(app, "load").exit_code == 0
    from tests.conftest import build_world, session_for

    with session_for(app) as db:
        build_world(db)
    client = app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)[
        1
    ]
    client.post(
        "/login",
        data={
            "email": "ed@acme.test",
            "password": factories.PASSWORD,
            "csrf_token": token,
        },
    )
    item = {"title": "x", "type": "EV-RESTORE-TEST", "url": "https://a.example/x"}
    assert client.post(API, json=item).status_code == 400
    allowed = client.post(API, json=item, headers={"X-CSRFToken": token})
    assert allowed.status_code == 201


def test_a_register_row_shows_an_items_new_title_and_review_state(
    world, login, org_client
):
    """Register rows are kept rendered by their state: a change to a linked item shows."""
    login("ed@acme.test")
    item = world["evidence"]
    register = f"/assessments/{world['assessment'].id}"
    org_client.post(row_url(world) + "/evidence", data={"evidence_id": item.id})
    cell = soup(org_client.get(register)).select_one("#row-sp-09-02-br td.evidence")
    assert item.title in cell.get_text() and "overdue" not in cell.get_text()
    edit(org_client, item.id, 1, title="Renamed review", next_review="2020-01-01")
    cell = soup(org_client.get(register)).select_one("#row-sp-09-02-br td.evidence")
    assert "Renamed review" in cell.get_text() and "overdue" in cell.get_text()
