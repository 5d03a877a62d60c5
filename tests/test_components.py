"""Components assessed against 62443-4-2 as a product team or an integrator uses them:
a target SL-C in, states per requirement, achieved SL-C out by the zones' rule.

The fixture catalogue's 4-2 items: CCSC 1 (a common constraint, every level, no FR),
CR 1.1 (FR 1, from SL 1), CR 1.1 RE(2) (FR 1, from SL 3, flagged to verify), EDR 2.13
(FR 2, from SL 2, embedded devices only) and HDR 2.13 (FR 2, from SL 1, host devices
only). FR 3 to FR 7 have no items there, so they are met at every level.
"""

from __future__ import annotations

from bs4 import BeautifulSoup
from sqlalchemy import func
from sqlmodel import select

from kb.models import Component, ComponentRequirement
from kb.services.levels import Item, State, applies_to, derive

HX = {"HX-Request": "true"}


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def url(world) -> str:
    return f"/assessments/{world['assessment'].id}/components"


def add(client, world, **fields):
    data = {"name": "Filler PLC", "type": "embedded device", "sl_t_text": "", **fields}
    return client.post(url(world), data=data)


def fr_rows(response) -> dict[str, list[str]]:
    """The component page's FR table: {FR: [target, achieved, gap, blockers]}."""
    table = soup(response).select_one("#fr-vectors")
    return {
        tr.th.get_text(" ", strip=True): [
            td.get_text(" ", strip=True) for td in tr.find_all("td")
        ]
        for tr in table.select("tbody tr")
    }


def set_state(client, page_url, key, version=0, **fields):
    return client.post(
        f"{page_url}/requirements/{key}",
        data={"version": version, **fields},
        headers=HX,
    )


def count(db, model) -> int:
    db.expire_all()
    return db.exec(select(func.count()).select_from(model)).one()


# -- the arithmetic ---------------------------------------------------------------------


def test_each_type_is_held_to_the_crs_and_its_own_items_only():
    assert applies_to("CR 3.10", "embedded device")
    assert applies_to("CCSC 4", "network device")
    assert applies_to("EDR 3.10", "embedded device")
    assert not applies_to("EDR 3.10", "host device")
    assert applies_to("HDR 3.10", "host device")
    assert applies_to("NDR 5.2", "network device")
    assert not applies_to("NDR 5.2", "software application")
    assert applies_to("SAR 3.2", "software application")
    assert not applies_to("SAR 3.2", "embedded device")


def test_an_embedded_device_needs_its_edr_item_for_the_level():
    """The derivation of a zone, fed a component's items: an unmet EDR item caps FR 3
    even when the CR is met; for a host or a network device its own item decides."""
    catalogue = [
        ("CR 3.10", 3, 1),
        ("EDR 3.10", 3, 2),
        ("HDR 3.10", 3, 1),
        ("NDR 3.10", 3, 3),
    ]
    states = {"CR 3.10": State("met"), "HDR 3.10": State("met")}
    target = [0, 0, 3, 0, 0, 0, 0]

    def achieved(component_type):
        items = [
            Item(i, fr, sl) for i, fr, sl in catalogue if applies_to(i, component_type)
        ]
        return derive(items, states, target)

    embedded = achieved("embedded device")
    assert embedded.sl_a[2] == 1 and embedded.gap[2] == 2
    assert [i.id for i in embedded.blockers[3]] == ["EDR 3.10"]
    assert achieved("host device").sl_a[2] == 4
    network = achieved("network device")  # its NDR item, from SL 3, is not met
    assert network.sl_a[2] == 2 and network.gap[2] == 1
    assert achieved("software application").sl_a[2] == 4  # no SAR 3.10


# -- the pages ----------------------------------------------------------------------------


def test_an_editor_adds_a_component_and_sees_its_vectors(world, login, org_client):
    login("ed@acme.test")
    response = add(
        org_client,
        world,
        product_version="fw 4.2.1",
        supplier="Acme Controls",
        sl_t_text="SL-C(PLC) = {2 2 0 0 0 0 0}",
    )
    assert response.status_code == 303
    page = org_client.get(response.headers["Location"])
    assert soup(page).h1.get_text() == "Filler PLC"
    assert "fw 4.2.1" in page.text and "Acme Controls" in page.text
    rows = fr_rows(page)
    assert rows["FR 1 IAC"][:4] == ["2", "0", "2", "CR 1.1"]
    assert rows["FR 2 UC"][:4] == ["2", "1", "1", "EDR 2.13"]
    assert rows["FR 3 SI"][:3] == ["0", "4", "–"]
    assert soup(page).select("#req-ccsc-1")  # the constraints are listed
    assert not soup(page).select("#req-hdr-2-13")  # another type's item
    table = org_client.get(url(world))
    assert "Filler PLC" in soup(table).select_one("#component-vectors").get_text()


def test_marking_requirements_raises_the_achieved_sl_c(world, login, org_client):
    login("ed@acme.test")
    component = world["component"]  # embedded device, target {2 2 0 0 0 0 0}
    show = f"{url(world)}/{component.id}"
    saved = set_state(org_client, show, "cr-1-1", state="met")
    assert saved.status_code == 200 and "<html" not in saved.text
    assert "met" in soup(saved).select_one(".zstate").get_text()
    set_state(org_client, show, "edr-2-13", state="met")
    rows = fr_rows(org_client.get(show))
    # FR 1 stops below CR 1.1 RE(2) (SL 3), whose level the catalogue flags to verify.
    assert rows["FR 1 IAC"][:3] == ["2", "2", "–"]
    assert "CR 1.1 RE(2)" in rows["FR 1 IAC"][3]
    assert rows["FR 2 UC"][:3] == ["2", "4", "–"]
    history = org_client.get(f"{show}/history")
    text = soup(history).select_one("table.history").get_text(" ")
    assert "EDR 2.13" in text and "met" in text and "ed@acme.test" in text


def test_a_common_constraint_does_not_move_the_vector(world, login, org_client):
    login("ed@acme.test")
    show = f"{url(world)}/{world['component'].id}"
    before = fr_rows(org_client.get(show))
    saved = set_state(org_client, show, "ccsc-1", state="not met")
    assert saved.status_code == 200
    assert fr_rows(org_client.get(show)) == before


def test_another_types_item_is_not_found(world, login, org_client, db):
    login("ed@acme.test")
    show = f"{url(world)}/{world['component'].id}"
    response = set_state(org_client, show, "hdr-2-13", state="met")
    assert response.status_code == 404
    assert (
        "not a requirement of IEC 62443-4-2 for the type &#39;embedded device&#39;"
        in response.text
    )
    assert set_state(org_client, show, "sr-1-1", state="met").status_code == 404
    assert count(db, ComponentRequirement) == 0


def test_not_applicable_needs_a_reason(world, login, org_client, db):
    login("ed@acme.test")
    show = f"{url(world)}/{world['component'].id}"
    refused = set_state(org_client, show, "edr-2-13", state="not applicable")
    assert refused.status_code == 422
    assert "say why the requirement does not apply" in refused.text
    assert count(db, ComponentRequirement) == 0
    set_state(
        org_client,
        show,
        "edr-2-13",
        state="not applicable",
        reason="the device has no diagnostic port",
    )
    assert fr_rows(org_client.get(show))["FR 2 UC"][1] == "4"


def test_a_stale_state_is_refused_with_what_is_stored(world, login, org_client):
    login("ed@acme.test")
    show = f"{url(world)}/{world['component'].id}"
    set_state(org_client, show, "cr-1-1", state="met")
    stale = set_state(org_client, show, "cr-1-1", version=0, state="not met")
    assert stale.status_code == 409
    assert "what is stored now: met" in stale.text
    assert "met" in soup(org_client.get(show)).select_one("#req-cr-1-1").get_text()


def test_bad_input_says_what_is_allowed_and_adds_nothing(world, login, org_client, db):
    login("ed@acme.test")
    before = count(db, Component)
    for fields, message in (
        ({"sl_t_text": "{2 2 0 0 0 0 5}"}, "RA: 5 is not a level; use 0 to 4"),
        ({"type": "toaster"}, "embedded device"),
        ({"name": "Acme secret-plan PLC"}, "has a component"),
        ({"name": ""}, "at least 1 character"),
    ):
        response = add(org_client, world, **fields)
        assert response.status_code == 422, fields
        assert message in response.text, fields
    assert count(db, Component) == before


def test_a_stale_edit_of_a_component_keeps_both_versions(world, login, org_client):
    login("ed@acme.test")
    show = f"{url(world)}/{world['component'].id}"
    first = org_client.post(
        show,
        data={"version": 1, "name": "Line PLC A", "type": "embedded device"},
    )
    assert first.status_code == 303
    second = org_client.post(
        show,
        data={"version": 1, "name": "Line PLC B", "type": "embedded device"},
    )
    assert second.status_code == 409
    assert "Line PLC B" in second.text  # what the person typed stays on the form
    assert "Line PLC A" in soup(second).select_one("aside.theirs").get_text()


def test_a_retired_component_leaves_the_table(world, login, org_client):
    login("ed@acme.test")
    component = world["component"]
    org_client.post(f"{url(world)}/{component.id}/retire", data={"retired": "1"})
    table = org_client.get(url(world))
    assert component.name not in table.text
    assert "No component yet" in table.text


def test_4_1_is_scored_on_the_register_and_4_2_per_component(world, login, org_client):
    login("admin@acme.test")
    response = org_client.post(
        "/orgs/acme-water/assessments",
        data={"name": "Supplier review", "parts": ["62443-4-1", "62443-4-2"]},
    )
    assert response.status_code == 303
    register = soup(org_client.get(response.headers["Location"]))
    rows = [tr["id"] for tr in register.select("tbody tr[id^=row-]")]
    assert rows == ["row-sum-1"]  # the 4-2 items are not register rows
    tab = register.find("a", string="Components (62443-4-2)")
    components = org_client.get(tab["href"])
    assert "No component yet" in components.text
    assert "62443-4-2 is not among" not in components.text
