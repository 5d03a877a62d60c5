"""Importing an OSCAL catalog as a framework to map to: upload, preview, apply, map;
a second import of the same catalog; and every bad upload refused with a message that
says where and what is allowed, changing nothing."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func
from sqlmodel import select

from kb.models import (
    AuditEvent,
    FrameworkControl,
    FrameworkMapping,
    ImportRun,
    MappedFramework,
)
from tests.test_oscal import assert_valid, controls_of

CATALOG = json.loads(
    (Path(__file__).parent / "data" / "oscal" / "acme-controls.json").read_text()
)
ACME_UUID = CATALOG["catalog"]["uuid"]


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def count(db, model) -> int:
    db.expire_all()
    return db.exec(select(func.count()).select_from(model)).one()


def upload(client, document, filename="controls.json"):
    data = document if isinstance(document, bytes) else json.dumps(document).encode()
    return client.post(
        "/orgs/acme-water/frameworks",
        data={"file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def other_catalog() -> dict:
    """The fixture catalog as another organisation would publish it (a new uuid)."""
    document = copy.deepcopy(CATALOG)
    document["catalog"]["uuid"] = "0b8e7c1a-9f2d-4e3b-8a6c-1d2e3f4a5b6c"
    return document


def problems_of(response) -> list[str]:
    return [
        " ".join(li.get_text().split()) for li in soup(response).select(".problems li")
    ]


def test_a_catalog_is_previewed_then_imported_then_mapped(world, login, org_client, db):
    login("ed@acme.test")
    frameworks, controls = count(db, MappedFramework), count(db, FrameworkControl)
    previewed = upload(org_client, other_catalog())
    assert previewed.status_code == 303
    page = org_client.get(previewed.headers["Location"])
    assert soup(page).h1.get_text() == "Acme internal OT controls"
    assert soup(page).select_one("#control-count").get_text() == "5"
    assert (
        "A new framework with 5 controls" in soup(page).select_one("#plan").get_text()
    )
    assert (count(db, MappedFramework), count(db, FrameworkControl)) == (
        frameworks,
        controls,
    )

    apply_url = soup(page).select_one("form[action$='/apply']")["action"]
    applied = org_client.post(apply_url, follow_redirects=True)
    assert "Imported Acme internal OT controls: 5 controls to map to." in applied.text
    rows = [
        [td.get_text(" ", strip=True) for td in tr.select("td")[:3]]
        for tr in soup(applied).select("#controls tbody tr")
    ]
    assert rows == [
        ["Access", "acc-1", "Named accounts for every operator"],
        ["Access", "acc-1.1", "No shared vendor logins"],
        ["Access", "acc-2", "Remote access through the jump host"],
        ["Monitoring", "mon-1", "Central log collection"],
        ["Monitoring", "mon-2", "Alarm on new devices"],
    ]
    # the mapping form offers the controls and our requirements as you type
    offered = [o["value"] for o in soup(applied).select("#control-ids option")]
    assert offered == ["acc-1", "acc-1.1", "acc-2", "mon-1", "mon-2"]
    ours = {o["value"] for o in soup(applied).select("#requirement-ids option")}
    assert {"SR 1.1", "SP.09.02 BR"} <= ours and "FR 1" not in ours
    again = org_client.post(apply_url, follow_redirects=True)
    assert "This catalog was imported already." in again.text
    assert count(db, FrameworkControl) == controls + 5

    show = applied.request.path
    mapped = org_client.post(
        f"{show}/mappings",
        data={"control_id": "acc-1.1", "requirement": "sr 1.1", "relation": "partial"},
        follow_redirects=True,
    )
    assert "Mapped SR 1.1 to acc-1.1 (partial)." in mapped.text
    (row,) = soup(mapped).select("#controls tbody tr")
    assert (
        row.select_one(".mapping")
        .get_text(" ", strip=True)
        .startswith("SR 1.1 partial")
    )
    listed = soup(org_client.get("/orgs/acme-water/frameworks")).select(
        "#frameworks tbody tr"
    )
    cells = {tr.td.get_text(strip=True): tr.select("td") for tr in listed}
    assert [c.get_text() for c in cells["Acme internal OT controls"][3:5]] == ["5", "1"]
    actions = set(db.exec(select(AuditEvent.action)))
    assert {"import applied", "mapping added"} <= actions

    # the mappings as OSCAL: ours the source, theirs the target
    framework_id = int(show.rsplit("/", 1)[1])
    exported = org_client.get(
        f"/api/v1/orgs/acme-water/frameworks/{framework_id}/oscal/mapping-collection.json"
    )
    assert_valid(exported.json, "mapping")
    (mapping,) = exported.json["mapping-collection"]["mappings"]
    (one,) = mapping["maps"]
    assert (one["relationship"], one["sources"][0]["id-ref"]) == ("subset-of", "sr-1-1")
    assert one["targets"] == [{"type": "control", "id-ref": "acc-1.1"}]
    assert mapping["source-resource"]["href"].endswith("/api/v1/oscal/catalog.json")


def test_a_framework_with_nothing_mapped_has_no_mapping_collection(
    world, login, org_client
):
    login("ed@acme.test")
    framework = world["framework"]
    removed = org_client.post(
        f"/orgs/acme-water/frameworks/{framework.id}/mappings/{world['mapping'].id}/delete",
        follow_redirects=True,
    )
    assert "Removed the mapping of SR 1.1 to acc-1." in removed.text
    empty = org_client.get(
        f"/api/v1/orgs/acme-water/frameworks/{framework.id}/oscal/mapping-collection.json"
    )
    assert empty.status_code == 404
    assert "Nothing is mapped to Acme secret-plan framework yet" in empty.json["detail"]


@pytest.mark.parametrize(
    ("form", "message"),
    [
        (
            {"control_id": "zz-9"},
            "'zz-9' is not a control of Acme internal OT controls",
        ),
        ({"requirement": "XX 9.9"}, "'XX 9.9' is not one of our requirements"),
        ({"relation": "same"}, "choose one of equivalent, partial, related"),
        ({"requirement": "SR 1.1", "control_id": "acc-1"}, "mapped to acc-1 already"),
    ],
)
def test_a_bad_mapping_says_why_and_maps_nothing(
    world, login, org_client, db, form, message
):
    login("ed@acme.test")
    framework = world["framework"]
    framework.title = "Acme internal OT controls"
    db.add(framework)
    db.commit()
    before = count(db, FrameworkMapping)
    data = {"control_id": "acc-1", "requirement": "SP.09.02 BR", "relation": "related"}
    refused = org_client.post(
        f"/orgs/acme-water/frameworks/{framework.id}/mappings", data=data | form
    )
    assert refused.status_code == 422
    assert any(message in p for p in problems_of(refused))
    assert count(db, FrameworkMapping) == before


def test_importing_the_same_catalog_again_keeps_the_mappings_that_remain(
    world, login, org_client, db
):
    """The world's framework is this catalog, with SR 1.1 mapped to acc-1."""
    login("ed@acme.test")
    framework = world["framework"]
    org_client.post(
        f"/orgs/acme-water/frameworks/{framework.id}/mappings",
        data={
            "control_id": "acc-1",
            "requirement": "SP.09.02 BR",
            "relation": "related",
        },
    )
    newer = copy.deepcopy(CATALOG)
    newer["catalog"]["metadata"]["version"] = "2027.1"
    newer["catalog"]["groups"][0]["controls"][0]["id"] = "acc-01"  # acc-1 renamed
    page = org_client.get(upload(org_client, newer).headers["Location"])
    plan = soup(page).select_one("#plan").get_text(" ", strip=True)
    assert "imported before (version 1)" in plan
    assert "5 new, 1 removed, and 2 mappings to removed controls dropped" in plan
    # the world's own control acc-1 is replaced; its mappings go with it
    org_client.post(soup(page).select_one("form[action$='/apply']")["action"])
    db.expire_all()
    assert db.get(MappedFramework, framework.id).version == "2027.1"
    assert count(db, FrameworkMapping) == 0

    # a mapping to a control that stays survives the next import
    org_client.post(
        f"/orgs/acme-water/frameworks/{framework.id}/mappings",
        data={"control_id": "mon-1", "requirement": "SR 1.1", "relation": "related"},
    )
    page = org_client.get(upload(org_client, newer).headers["Location"])
    assert "0 new, 0 removed" in soup(page).select_one("#plan").get_text()
    org_client.post(soup(page).select_one("form[action$='/apply']")["action"])
    assert [m.control_id for m in db.exec(select(FrameworkMapping))] == ["mon-1"]


def test_a_preview_overtaken_by_another_import_is_refused(world, login, org_client, db):
    login("ed@acme.test")
    first = org_client.get(upload(org_client, CATALOG).headers["Location"])
    second = org_client.get(upload(org_client, CATALOG).headers["Location"])
    org_client.post(soup(first).select_one("form[action$='/apply']")["action"])
    controls = count(db, FrameworkControl)
    late = org_client.post(
        soup(second).select_one("form[action$='/apply']")["action"],
        follow_redirects=True,
    )
    assert "The framework changed since this preview" in late.text
    assert count(db, FrameworkControl) == controls


def bad(path: str, value) -> dict:
    """The fixture catalog with one value changed (None removes it)."""
    document = copy.deepcopy(CATALOG)
    *parents, last = path.split("/")
    node = document["catalog"]
    for key in parents:
        node = node[int(key) if key.isdigit() else key]
    if value is None:
        del node[int(last) if last.isdigit() else last]
    else:
        node[int(last) if last.isdigit() else last] = value
    return document


DUPLICATE = bad("groups/1/controls/0/id", "acc-2")


@pytest.mark.parametrize(
    ("document", "filename", "message"),
    [
        (
            bad("metadata/oscal-version", "1.1.2"),
            "c.json",
            "this catalog is OSCAL 1.1.2; csms-kb reads OSCAL 1.2 catalogs",
        ),
        (
            bad("groups/0/controls/1/id", None),
            "c.json",
            "catalog.groups.0.controls.1.id: required, and missing",
        ),
        (DUPLICATE, "c.json", "the control id 'acc-2' appears 2 times"),
        (bad("groups/0/controls/0/title", None), "c.json", "title: required"),
        ({"profile": {}}, "c.json", "is not an OSCAL catalog"),
        (b'{"catalog": ', "c.json", "c.json is not readable JSON or YAML"),
        (CATALOG, "c.xml", "send an OSCAL catalog as .json or .yaml"),
        (bad("groups", []), "c.json", "catalog.groups: must not be empty"),
        (bad("groups", None), "c.json", "the catalog has no controls"),
    ],
)
def test_a_bad_catalog_is_refused_with_its_reason_and_changes_nothing(
    world, login, org_client, db, document, filename, message
):
    login("ed@acme.test")
    before = [count(db, m) for m in (MappedFramework, FrameworkControl, ImportRun)]
    refused = upload(org_client, document, filename)
    assert refused.status_code == 422
    assert "The file was not imported: nothing has changed" in refused.text
    assert any(message in p for p in problems_of(refused)), problems_of(refused)
    assert [
        count(db, m) for m in (MappedFramework, FrameworkControl, ImportRun)
    ] == before


def test_a_yaml_catalog_reads_like_json(world, login, org_client):
    import yaml

    login("ed@acme.test")
    sent = upload(org_client, yaml.safe_dump(other_catalog()).encode(), "c.yaml")
    assert sent.status_code == 303


def test_a_50_mib_upload_is_refused_before_it_is_read(world, login, org_client, db):
    login("ed@acme.test")
    before = count(db, ImportRun)
    # the multipart body written out, so that the test client keeps it in memory
    body = (
        b"--b\r\nContent-Disposition: form-data; name=file; filename=huge.json\r\n"
        b"Content-Type: application/json\r\n\r\n"
        + b" " * (50 * 1024 * 1024)
        + b"\r\n--b--\r\n"
    )
    huge = org_client.post(
        "/orgs/acme-water/frameworks",
        data=body,
        content_type="multipart/form-data; boundary=b",
    )
    assert huge.status_code == 413
    assert "too large" in huge.text.lower()
    assert count(db, ImportRun) == before


def test_a_requirement_page_shows_a_members_own_framework_mappings(
    world, login, org_client
):
    """The world maps SR 1.1 to acc-1 of Acme's framework: Acme's members see it on
    the requirement's page; nobody else does."""
    login("vi@acme.test")
    page = soup(org_client.get("/requirements/sr-1-1"))
    (row,) = page.select("#mapped tbody tr")
    cells = [td.get_text(" ", strip=True) for td in row.select("td")]
    assert cells == ["Acme secret-plan framework", "acc-1 x", "related"]
    link = row.select_one("a")["href"]
    assert link == f"/orgs/acme-water/frameworks/{world['framework'].id}?q=acc-1"
    login.logout()
    assert "secret-plan" not in org_client.get("/requirements/sr-1-1").text
    login("boss@other.test")
    assert "secret-plan" not in org_client.get("/requirements/sr-1-1").text


def test_an_admin_removes_a_framework_after_seeing_what_goes(
    world, login, org_client, db
):
    framework_id = world["framework"].id
    url = f"/orgs/acme-water/frameworks/{framework_id}/remove"
    login("ed@acme.test")
    assert org_client.get(url).status_code == 403
    assert org_client.post(url).status_code == 403
    login.logout()
    login("admin@acme.test")
    page = soup(org_client.get(url))
    assert (
        page.select_one("#what-goes")
        .get_text(" ", strip=True)
        .startswith(
            "Its 1 control and the 1 mapping your organisation made to them are deleted."
        )
    )
    removed = org_client.post(url, follow_redirects=True)
    assert "Removed Acme secret-plan framework and its 1 mapping." in removed.text
    assert "No framework yet" in removed.text
    assert [count(db, m) for m in (MappedFramework, FrameworkControl)] == [0, 0]
    assert count(db, FrameworkMapping) == 0
    assert "framework removed" in set(db.exec(select(AuditEvent.action)))


def test_our_own_catalog_imports_as_a_framework(world, login, org_client, db):
    """A catalog as rich as a real one (nested groups, parts, links, back matter):
    our own, exported and read back as another framework."""
    login("ed@acme.test")
    exported = org_client.get("/api/v1/oscal/catalog.json")
    controls = len(controls_of(exported.json["catalog"]))
    page = org_client.get(
        upload(org_client, exported.data, "iec-62443.json").headers["Location"]
    )
    assert soup(page).select_one("#control-count").get_text() == str(controls)
    org_client.post(soup(page).select_one("form[action$='/apply']")["action"])
    framework = db.exec(
        select(MappedFramework).where(MappedFramework.title.startswith("IEC 62443"))
    ).one()
    ids = db.exec(
        select(FrameworkControl.control_id)
        .where(FrameworkControl.framework_id == framework.id)
        .order_by(FrameworkControl.position)
    ).all()
    assert ids == [c["id"] for c in controls_of(exported.json["catalog"])]
