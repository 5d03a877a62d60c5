"""Zones and conduits as an assessor uses them: SL-T in, states per SR and RE, SL-A out;
every bad input refused with its reason and nothing changed.

The fixture catalogue has two 3-3 items, both of FR 1: SR 1.1 (from SL 1) and
SR 1.1 RE(1) (from SL 2, flagged to verify). FR 2 to FR 7 have no items there, so they
are met at every level.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func
from sqlmodel import select

from kb.models import Zone, ZoneRequirement
from tests import factories

HX = {"HX-Request": "true"}


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def zones_url(world) -> str:
    return f"/assessments/{world['assessment'].id}/zones"


def add_zone(client, world, **fields):
    data = {"kind": "zone", "name": "Safety zone", "sl_t_text": "", **fields}
    return client.post(zones_url(world), data=data)


def fr_rows(response) -> dict[str, list[str]]:
    """The zone page's FR table: {FR: [SL-T, SL-A, gap, blockers]}."""
    table = soup(response).select_one("#fr-vectors")
    return {
        tr.th.get_text(" ", strip=True): [
            td.get_text(" ", strip=True) for td in tr.find_all("td")
        ]
        for tr in table.select("tbody tr")
    }


def set_state(client, world, zone_id, key, version=0, htmx=True, **fields):
    data = {"version": version, **fields}
    return client.post(
        f"{zones_url(world)}/{zone_id}/requirements/{key}",
        data=data,
        headers=HX if htmx else {},
    )


def count(db, model=Zone) -> int:
    db.expire_all()
    return db.exec(select(func.count()).select_from(model)).one()


def test_an_editor_adds_a_zone_with_seven_fields(world, login, org_client):
    login("ed@acme.test")
    fields = {f"sl_t_{fr}": level for fr, level in enumerate([3, 2, 1, 0, 2, 1, 3], 1)}
    response = add_zone(org_client, world, assets="SIS controllers", **fields)
    assert response.status_code == 303
    page = org_client.get(response.headers["Location"])
    assert soup(page).h1.get_text() == "Safety zone"
    rows = fr_rows(page)
    assert rows["FR 1 IAC"][:3] == ["3", "0", "3"]
    assert rows["FR 4 DC"][:3] == ["0", "4", "–"]
    assert "SR 1.1" in rows["FR 1 IAC"][3]
    assert "SIS controllers" in page.text


def test_the_written_form_wins_over_the_fields(world, login, org_client):
    login("ed@acme.test")
    response = add_zone(
        org_client, world, sl_t_1="4", sl_t_text="SL-T(Safety zone) = {1 2 0 1 3 1 3}"
    )
    page = org_client.get(response.headers["Location"])
    assert "{1 2 0 1 3 1 3}" in soup(page).select_one("dl.facts").get_text()


def test_marking_srs_raises_sl_a_and_keeps_history(world, login, org_client):
    login("ed@acme.test")
    zone = world["zone"]  # SL-T {2 2 0 1 3 1 3}
    show = f"{zones_url(world)}/{zone.id}"
    assert fr_rows(org_client.get(show))["FR 1 IAC"][:3] == ["2", "0", "2"]
    saved = set_state(org_client, world, zone.id, "sr-1-1", state="met")
    assert saved.status_code == 200 and "<html" not in saved.text
    assert "met" in soup(saved).select_one(".zstate").get_text()
    assert fr_rows(org_client.get(show))["FR 1 IAC"][:4] == [
        "2",
        "1",
        "1",
        "SR 1.1 RE(1) depends on SR 1.1 RE(1) (to verify)",
    ]
    set_state(org_client, world, zone.id, "sr-1-1-re-1", state="met")
    assert fr_rows(org_client.get(show))["FR 1 IAC"][:3] == ["2", "4", "–"]
    history = org_client.get(f"{show}/history")
    text = soup(history).select_one("table.history").get_text(" ")
    assert "SR 1.1 RE(1)" in text and "met" in text and "ed@acme.test" in text


def test_not_applicable_needs_a_reason_and_then_counts(world, login, org_client, db):
    login("ed@acme.test")
    zone = world["zone"]
    refused = set_state(org_client, world, zone.id, "sr-1-1", state="not applicable")
    assert refused.status_code == 422
    assert "say why the requirement does not apply" in refused.text
    assert count(db, ZoneRequirement) == 0
    set_state(
        org_client,
        world,
        zone.id,
        "sr-1-1",
        state="not applicable",
        reason="no human users on this conduit",
    )
    rows = fr_rows(org_client.get(f"{zones_url(world)}/{zone.id}"))
    assert rows["FR 1 IAC"][1] == "1"


def test_a_state_beyond_the_target_is_allowed_and_shown(world, login, org_client):
    login("ed@acme.test")
    response = add_zone(org_client, world, name="Office", sl_t_text="{1 0 0 0 0 0 0}")
    zone_id = int(response.headers["Location"].rsplit("/", 1)[1])
    page = org_client.get(response.headers["Location"])
    assert not soup(page).select("#req-sr-1-1-re-1")  # SL 2 item, target 1
    saved = set_state(org_client, world, zone_id, "sr-1-1-re-1", state="met")
    assert saved.status_code == 200 and "beyond target" in saved.text
    again = org_client.get(response.headers["Location"])
    assert "beyond target" in soup(again).select_one("#req-sr-1-1-re-1").get_text()


def test_a_stale_state_is_refused_with_what_is_stored(world, login, org_client):
    login("ed@acme.test")
    zone = world["zone"]
    set_state(org_client, world, zone.id, "sr-1-1", state="met")
    stale = set_state(org_client, world, zone.id, "sr-1-1", state="not met")
    assert stale.status_code == 409
    assert "what is stored now: met" in stale.text
    assert soup(stale).select_one("input[name=version]")["value"] == "1"


def test_a_state_for_something_that_is_not_a_3_3_item_is_404(world, login, org_client):
    login("ed@acme.test")
    response = set_state(
        org_client, world, world["zone"].id, "sp-09-02-br", state="met"
    )
    assert response.status_code == 404


def test_the_row_endpoints_give_fragment_or_page(world, login, org_client):
    login("ed@acme.test")
    url = f"{zones_url(world)}/{world['zone'].id}/requirements/sr-1-1"
    fragment = org_client.get(url + "/edit", headers=HX)
    assert "<html" not in fragment.text and "HX-Request" in fragment.headers["Vary"]
    assert soup(fragment).select_one("select[name=state]")
    page = org_client.get(url + "/edit")
    assert "<html" in page.text and soup(page).h1
    assert "<html" not in org_client.get(url, headers=HX).text


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"sl_t_text": "{2 2 0 1 3 1}"}, "sl t", "has 6"),
        ({"sl_t_text": "{2 2 0 1 3 1 3 3}"}, "sl t", "has 8"),
        ({"sl_t_text": "{2 2 0 1 5 1 3}"}, "sl t", "RDF: 5 is not a level"),
        ({"sl_t_text": "{-1 2 0 1 3 1 3}"}, "sl t", "IAC: -1 is not a level"),
        ({"sl_t_1": "5"}, "sl t", "IAC: 5 is not a level"),
        ({"name": ""}, "name", "at least 1 character"),
        (
            {"name": "Acme secret-plan zone"},
            "name",
            "has a zone 'Acme secret-plan zone'",
        ),
        ({"kind": "pipe"}, "kind", "'zone' or 'conduit'"),
        ({"criticality": "extreme"}, "criticality", "'low'"),
    ],
)
def test_bad_zone_input_names_the_field_and_changes_nothing(
    world, login, org_client, db, fields, field, message
):
    login("ed@acme.test")
    before = count(db)
    response = add_zone(org_client, world, **fields)
    assert response.status_code == 422
    faults = soup(response).select_one(".error").get_text(" ")
    assert field in faults and message in faults
    assert count(db) == before


@pytest.fixture
def two_zones(world, db):
    make = factories.make_zone
    a = make(db, assessment=world["assessment"], user=world["editor"], name="Cell A")
    b = make(db, assessment=world["assessment"], user=world["editor"], name="Cell B")
    theirs = make(db, assessment=world["theirs"], user=world["stranger"], name="Theirs")
    db.commit()
    return a, b, theirs


@pytest.mark.parametrize(
    ("joins", "message"),
    [
        ("a,a", "joins a zone only once, not to itself"),
        ("a", "joins at least two zones"),
        ("a,theirs", "is not a zone of this assessment"),
        ("", "joins at least two zones"),
    ],
)
def test_bad_conduits_are_refused(
    world, login, org_client, db, two_zones, joins, message
):
    login("ed@acme.test")
    a, _b, theirs = two_zones
    ids = {"a": a.id, "theirs": theirs.id}
    before = count(db)
    data = {"kind": "conduit", "name": "Bad conduit", "sl_t_text": "{1 1 1 1 1 1 1}"}
    picked = [ids[j] for j in joins.split(",") if j]
    response = org_client.post(zones_url(world), data={**data, "joins": picked})
    assert response.status_code == 422 and message in response.text
    assert count(db) == before


def test_a_zone_cannot_join_and_a_conduit_cannot_be_joined(
    world, login, org_client, two_zones
):
    login("ed@acme.test")
    a, b, _ = two_zones
    zone = add_zone(org_client, world, name="Zone with joins", joins=[a.id, b.id])
    assert zone.status_code == 422 and "only a conduit joins zones" in zone.text
    conduit = org_client.post(
        zones_url(world),
        data={"kind": "conduit", "name": "C1", "joins": [a.id, b.id]},
    )
    c1 = int(conduit.headers["Location"].rsplit("/", 1)[1])
    onto = org_client.post(
        zones_url(world),
        data={"kind": "conduit", "name": "C2", "joins": [a.id, c1]},
    )
    assert onto.status_code == 422 and "'C1' is a conduit" in soup(onto).get_text()


def test_the_vector_table_and_diagram_show_every_zone_and_conduit(
    world, login, org_client, two_zones
):
    login("vi@acme.test")
    a, b, _ = two_zones
    login("ed@acme.test")
    org_client.post(
        zones_url(world),
        data={"kind": "conduit", "name": "Cell firewall", "joins": [a.id, b.id]},
    )
    page = org_client.get(zones_url(world))
    table = soup(page).select_one("table.vectors").get_text(" ")
    for name in ("Cell A", "Cell B", "Cell firewall", "Acme secret-plan zone"):
        assert name in table
    assert "joins Cell A, Cell B" in table
    inline = soup(page).select_one("figure.diagram svg")
    assert inline["role"] == "img" and inline.find("desc")
    svg = org_client.get(f"{zones_url(world)}/diagram.svg")
    assert svg.mimetype == "image/svg+xml"
    root = ET.fromstring(svg.data)
    ns = {"s": "http://www.w3.org/2000/svg"}
    texts = [t.text for t in root.iterfind(".//s:text", ns)]
    for name in ("Cell A", "Cell B", "Acme secret-plan zone", "Cell firewall"):
        assert name in texts
    assert len(root.findall(".//s:g[@class='box']", ns)) == 3
    assert len(root.findall(".//s:g[@class='wire']/s:line", ns)) == 1
    description = root.find("s:desc", ns).text
    assert "Zone Cell A: SL-T {2 2 0 1 3 1 3}" in description


def test_the_empty_state_says_what_to_do(world, login, org_client, db):
    login("ed@acme.test")
    other = factories.make_assessment(db, org=world["acme"], name="Empty")
    db.commit()
    page = org_client.get(f"/assessments/{other.id}/zones")
    assert "No zone or conduit yet." in page.text
    assert "a conduit needs two zones" in page.text


def test_editing_a_zone_is_recorded_and_a_stale_edit_keeps_the_input(
    world, login, org_client
):
    login("ed@acme.test")
    zone = world["zone"]
    url = f"{zones_url(world)}/{zone.id}"
    form = {"kind": "zone", "name": "Control room", "sl_t_text": "{3 3 0 1 3 1 3}"}
    assert org_client.post(url, data={**form, "version": 1}).status_code == 303
    stale = org_client.post(url, data={**form, "name": "Late name", "version": 1})
    assert stale.status_code == 409 and 'value="Late name"' in stale.text
    history = soup(org_client.get(url + "/history")).select_one("table.history")
    text = history.get_text(" ")
    assert (
        "Control room" in text
        and "{2 2 0 1 3 1 3}" in text
        and "{3 3 0 1 3 1 3}" in text
    )


def test_a_zone_a_conduit_joins_cannot_be_retired(world, login, org_client, two_zones):
    login("ed@acme.test")
    a, b, _ = two_zones
    conduit = org_client.post(
        zones_url(world),
        data={"kind": "conduit", "name": "Link", "joins": [a.id, b.id]},
    )
    refused = org_client.post(f"{zones_url(world)}/{a.id}/retire")
    assert (
        refused.status_code == 422 and "conduits join this zone (Link)" in refused.text
    )
    conduit_url = conduit.headers["Location"]
    assert org_client.post(conduit_url + "/retire").status_code == 303
    assert org_client.post(f"{zones_url(world)}/{a.id}/retire").status_code == 303
    table = soup(org_client.get(zones_url(world))).select_one("table.vectors")
    assert "Cell A" not in table.get_text() and "Link" not in table.get_text()
    again = add_zone(org_client, world, name="Cell A")
    assert again.status_code == 422
    assert "has a retired zone 'Cell A' already" in soup(again).get_text()


def test_evidence_is_linked_to_a_zones_requirement(world, login, org_client):
    login("ed@acme.test")
    zone, item = world["zone"], world["evidence"]  # an EV-ACCOUNT-REGISTER item
    url = f"{zones_url(world)}/{zone.id}/requirements/sr-1-1"
    form = org_client.get(url + "/edit")
    options = [o.get_text() for o in soup(form).select(".zone-evidence option[value]")]
    assert any(item.title in o for o in options if o)
    assert (
        org_client.post(url + "/evidence", data={"evidence_id": item.id}).status_code
        == 303
    )
    page = f"{zones_url(world)}/{zone.id}"
    assert item.title in soup(org_client.get(page)).select_one("#req-sr-1-1").get_text()
    unlinked = org_client.post(f"{url}/evidence/{item.id}/delete")
    assert unlinked.status_code == 303
    row = soup(org_client.get(page)).select_one("#req-sr-1-1")
    assert item.title not in row.get_text()
    history = soup(org_client.get(page + "/history")).select_one("table.history")
    assert "evidence" in history.get_text() and item.title in history.get_text()


def test_an_assessment_can_take_62443_3_3_in_its_parts(world, login, org_client):
    login("admin@acme.test")
    response = org_client.post(
        "/orgs/acme-water/assessments",
        data={"name": "OT systems", "parts": ["62443-2-4", "62443-3-3"]},
    )
    page = org_client.get(response.headers["Location"])
    assert "62443-2-4, 62443-3-3" in page.text
    tabs = [a.get_text() for a in soup(page).select("nav.tabs a")]
    assert "Zones and conduits (62443-3-3)" in tabs


# -- the JSON API ----------------------------------------------------------------------


def test_api_creates_a_zone_and_a_conduit(world, login, org_client):
    login("ed@acme.test")
    url = f"/api/v1/assessments/{world['assessment'].id}/zones"
    made = org_client.post(
        url, json={"name": "Cell A", "kind": "zone", "sl_t": [1] * 7}
    )
    assert made.status_code == 201
    body = made.json
    assert body["sl_t"] == [1] * 7 and body["sl_a"] == [0, 4, 4, 4, 4, 4, 4]
    assert body["gap"] == [1, 0, 0, 0, 0, 0, 0]
    conduit = org_client.post(
        url,
        json={
            "name": "Pipe",
            "kind": "conduit",
            "sl_t": [2, 1, 1, 1, 1, 1, 1],
            "joins": [body["id"], world["zone"].id],
        },
    )
    assert conduit.status_code == 201
    assert sorted(conduit.json["joins"]) == sorted([body["id"], world["zone"].id])
    listing = org_client.get(url).json
    assert {z["name"] for z in listing["zones"]} == {
        "Cell A",
        "Pipe",
        "Acme secret-plan zone",
    }


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "x", "sl_t": [1] * 6}, "sl_t"),
        ({"name": "x", "sl_t": [1] * 8}, "sl_t"),
        ({"name": "x", "sl_t": [5, 1, 1, 1, 1, 1, 1]}, "sl_t"),
        ({"name": "x", "sl_t": [-1, 1, 1, 1, 1, 1, 1]}, "sl_t"),
        ({"name": "x", "kind": "conduit", "sl_t": [1] * 7, "joins": [1, 1]}, "joins"),
        ({"name": "Acme secret-plan zone", "sl_t": [1] * 7}, "name"),
    ],
)
def test_api_refuses_bad_zones_with_problems(world, login, org_client, db, body, field):
    login("ed@acme.test")
    before = count(db)
    response = org_client.post(
        f"/api/v1/assessments/{world['assessment'].id}/zones", json=body
    )
    assert response.status_code == 422
    assert field in {p["field"] for p in response.json["problems"]}
    assert count(db) == before


def test_api_sets_states_and_reports_vectors_and_blockers(world, login, org_client):
    login("ed@acme.test")
    zone = world["zone"]
    before = org_client.get(f"/api/v1/zones/{zone.id}").json
    assert before["sl_t"] == [2, 2, 0, 1, 3, 1, 3]
    assert before["sl_a"][0] == 0 and before["gap"][0] == 2
    assert [b["id"] for b in before["blockers"]["FR 1"]] == ["SR 1.1"]
    put = org_client.put(
        f"/api/v1/zones/{zone.id}/requirements/SR 1.1", json={"state": "met"}
    )
    assert put.status_code == 200 and put.json["zone"]["sl_a"][0] == 1
    by_slug = org_client.put(
        f"/api/v1/zones/{zone.id}/requirements/sr-1-1-re-1",
        json={"state": "not applicable", "reason": "no interactive users"},
    )
    assert by_slug.json["zone"]["sl_a"][0] == 4
    no_reason = org_client.put(
        f"/api/v1/zones/{zone.id}/requirements/sr-1-1", json={"state": "not applicable"}
    )
    assert no_reason.status_code == 422
    assert no_reason.json["problems"][0]["field"] == "reason"
