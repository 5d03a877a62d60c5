"""The assessment workbook: what the export holds, and (soon) the import."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest
from bs4 import BeautifulSoup
from openpyxl import load_workbook

from importers.columns import REGISTER
from tests.test_assessments import save

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export(client, world):
    response = client.get(f"/assessments/{world['assessment'].id}/export.xlsx")
    assert response.status_code == 200, response.text[:300]
    return response


def register_rows(book) -> dict[str, dict]:
    sheet = book["Register"]
    rows = sheet.iter_rows(values_only=True)
    headers = next(rows)
    return {row[0]: dict(zip(headers, row, strict=True)) for row in rows}


def test_the_export_holds_every_sheet_and_the_scores(world, login, org_client):
    login("ed@acme.test")
    aid = world["assessment"].id
    save(
        org_client,
        aid,
        "sp-09-02-br",
        0,
        current="1",
        target="3",
        owner="Jo",
        due="2026-03-31",
        notes="Checked in March",
    )
    response = export(org_client, world)
    assert response.mimetype == XLSX
    assert "attachment" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == [
        "About",
        "Register",
        "Zones",
        "Evidence",
        "Summary",
        "Zone versions",
    ]
    assert book["Zone versions"].sheet_state == "hidden"
    about = {row[0]: row[1] for row in book["About"].iter_rows(values_only=True) if row}
    assert about["Assessment id"] == aid and about["Organisation slug"] == "acme-water"
    assert about["Exported by"] == "ed@acme.test"
    rows = register_rows(book)
    row = rows["SP.09.02 BR"]
    assert (row["Current level"], row["Target level"], row["Owner"]) == (1, 3, "Jo")
    assert row["Due"].date().isoformat() == "2026-03-31"
    assert row["Applies"] == "Yes" and row["Status"] == "in progress"
    assert row["Row version"] == 1
    assert rows["SP.12.05 BR"]["Row version"] == 0  # never scored
    sheet = book["Register"]
    assert [c.value for c in sheet[1]] == [c.header for c in REGISTER]
    assert sheet.column_dimensions["A"].width > 10
    version_letter = sheet.cell(1, len(REGISTER)).column_letter
    assert sheet.column_dimensions[version_letter].hidden
    assert sheet.freeze_panes == "C2" and sheet.auto_filter.ref.startswith("A1:")
    assert sheet.protection.sheet and sheet["A2"].protection.locked
    assert not sheet.cell(2, 5).protection.locked  # Applies: editable
    lists = {dv.formula1 for dv in sheet.data_validations.dataValidation}
    assert '"Yes,No"' in lists
    assert '"not started,in progress,implemented,verified"' in lists
    assert sheet.conditional_formatting, "gaps are highlighted"
    link = next(c for c in sheet[2] if c.hyperlink)
    assert link.hyperlink.target.startswith("http://localhost/requirements/")
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        assert any(n.startswith("xl/charts/chart") for n in archive.namelist())


def test_text_that_looks_like_a_formula_is_exported_as_text(world, login, org_client):
    login("ed@acme.test")
    aid = world["assessment"].id
    save(org_client, aid, "sp-09-02-br", 0, notes='=HYPERLINK("http://x")')
    save(org_client, aid, "sp-12-05-br", 0, notes="@SUM(1)", owner="+61 2 5550 1234")
    book = load_workbook(io.BytesIO(export(org_client, world).data))
    sheet = book["Register"]
    notes = [c for c in sheet[1] if c.value == "Notes"][0].column
    cells = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    first, second = cells["SP.09.02 BR"][notes - 1], cells["SP.12.05 BR"][notes - 1]
    assert first.value == '=HYPERLINK("http://x")' and first.data_type == "s"
    assert second.value == "@SUM(1)" and second.data_type == "s"
    owner = [c for c in sheet[1] if c.value == "Owner"][0].column
    assert cells["SP.12.05 BR"][owner - 1].data_type == "s"


def test_a_viewer_may_export(world, login, org_client):
    login("vi@acme.test")
    assert export(org_client, world).mimetype == XLSX


# -- import --------------------------------------------------------------------------


def edited(data: bytes, cells: dict[tuple[str, str], object]) -> bytes:
    """The workbook with Register cells set, as a person would in a spreadsheet:
    `cells` maps (requirement id, column header) to the new value."""
    book = load_workbook(io.BytesIO(data))
    sheet = book["Register"]
    headers = {c.value: c.column for c in sheet[1]}
    rows = {row[0].value: row[0].row for row in sheet.iter_rows(min_row=2)}
    for (requirement, header), value in cells.items():
        sheet.cell(rows[requirement], headers[header]).value = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, world, data: bytes, name="filled.xlsx"):
    return client.post(
        f"/assessments/{world['assessment'].id}/import",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def shown_rows(page, table: str) -> list[list[str]]:
    """The text of each cell of each body row of `table.<table>` on a page."""
    return [
        [cell.get_text(" ", strip=True) for cell in tr.select("th, td")]
        for tr in BeautifulSoup(page.text, "html.parser").select(
            f"table.{table} tbody tr"
        )
    ]


def preview_page(client, response):
    assert response.status_code == 303, response.text[:500]
    return client.get(response.headers["Location"])


def test_a_workbook_imported_unchanged_changes_nothing(world, login, org_client):
    login("ed@acme.test")
    save(
        org_client,
        world["assessment"].id,
        "sp-09-02-br",
        0,
        current="2",
        target="3",
        notes='=HYPERLINK("http://x")',
        due="2026-03-31",
    )
    page = preview_page(
        org_client, upload(org_client, world, export(org_client, world).data)
    )
    assert "nothing to import" in page.text


def test_edited_cells_show_in_the_preview_and_are_saved_on_confirm(
    world, login, org_client
):
    login("ed@acme.test")
    aid = world["assessment"].id
    data = edited(
        export(org_client, world).data,
        {
            ("SP.09.02 BR", "Current level"): 2,
            ("SP.09.02 BR", "Owner"): "Priya",
            ("SP.12.05 BR", "Due"): "31 March 2027",
            ("SP.12.05 BR", "Evidence ids"): str(world["evidence"].id),
        },
    )
    page = preview_page(org_client, upload(org_client, world, data))
    changes = shown_rows(page, "changes")
    assert ["SP.09.02 BR", "Current level", "(blank)", "2 Managed"] in changes
    assert ["SP.09.02 BR", "Owner", "(blank)", "Priya"] in changes
    assert ["SP.12.05 BR", "Due", "(blank)", "2027-03-31"] in changes
    assert [
        "SP.12.05 BR",
        "Evidence ids",
        "(blank)",
        str(world["evidence"].id),
    ] in changes
    register = org_client.get(f"/assessments/{aid}")
    assert "Priya" not in register.text  # nothing saved before the confirmation
    form = BeautifulSoup(page.text, "html.parser").select_one("form[action$=apply]")
    applied = org_client.post(form["action"])
    assert applied.status_code == 303
    register = org_client.get(f"/assessments/{aid}")
    assert "Imported 4 values from filled.xlsx" in register.text
    row = BeautifulSoup(register.text, "html.parser").select_one("#row-sp-09-02-br")
    assert "2 Managed" in row.get_text() and "Priya" in row.get_text()
    evidence = BeautifulSoup(register.text, "html.parser").select_one(
        "#row-sp-12-05-br td.evidence"
    )
    assert world["evidence"].title in evidence.get_text()
    history = org_client.get(f"/assessments/{aid}/history").text
    assert "imported from filled.xlsx" in history
    again = org_client.post(form["action"])
    assert again.status_code == 303
    assert "applied already" in org_client.get(again.headers["Location"]).text


def test_a_row_saved_since_the_export_is_a_conflict_to_decide(world, login, org_client):
    login("ed@acme.test")
    aid = world["assessment"].id
    save(org_client, aid, "sp-09-02-br", 0, current="1", owner="Jo")
    data = edited(
        export(org_client, world).data,
        {("SP.09.02 BR", "Owner"): "Priya", ("SP.12.05 BR", "Owner"): "Sam"},
    )
    save(org_client, aid, "sp-09-02-br", 1, current="1", owner="Kim")  # meanwhile
    page = preview_page(org_client, upload(org_client, world, data))
    soup_ = BeautifulSoup(page.text, "html.parser")
    conflict = soup_.select_one("table.conflicts tbody tr").get_text(" ", strip=True)
    assert "SP.09.02 BR" in conflict and "Kim" in conflict and "Priya" in conflict
    action = soup_.select_one("form[action$=apply]")["action"]
    org_client.post(action, data={"conflict-0": "file"})
    rows = BeautifulSoup(org_client.get(f"/assessments/{aid}").text, "html.parser")
    assert "Priya" in rows.select_one("#row-sp-09-02-br").get_text()
    assert "Sam" in rows.select_one("#row-sp-12-05-br").get_text()


def test_a_row_saved_after_the_preview_stops_the_import(world, login, org_client):
    login("ed@acme.test")
    aid = world["assessment"].id
    data = edited(export(org_client, world).data, {("SP.09.02 BR", "Owner"): "Priya"})
    page = preview_page(org_client, upload(org_client, world, data))
    save(org_client, aid, "sp-09-02-br", 0, owner="Kim")  # after the preview
    action = BeautifulSoup(page.text, "html.parser").select_one("form[action$=apply]")[
        "action"
    ]
    refused = org_client.post(action)
    shown = org_client.get(refused.headers["Location"]).text
    assert "Someone saved SP.09.02 BR after this preview" in shown
    row = BeautifulSoup(org_client.get(f"/assessments/{aid}").text, "html.parser")
    assert "Kim" in row.select_one("#row-sp-09-02-br").get_text()


def test_a_viewer_cannot_import(world, login, org_client):
    login("vi@acme.test")
    assert (
        org_client.get(f"/assessments/{world['assessment'].id}/import").status_code
        == 403
    )


# -- bad input: a clear message, and nothing changes ----------------------------------


def zipped(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def rezipped(data: bytes, change) -> bytes:
    """The workbook with `change(name, xml) -> xml` applied to every member."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return zipped({n: change(n, archive.read(n)) for n in archive.namelist()})


def register_xml(name: str) -> bool:
    return name == "xl/worksheets/sheet2.xml"  # About is sheet1, Register sheet2


def with_sheet(data: bytes, edit) -> bytes:
    book = load_workbook(io.BytesIO(data))
    edit(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def duplicated_row(book):
    sheet = book["Register"]
    sheet.append([c.value for c in sheet[2]])


def renamed_owner(book):
    cell = next(c for c in book["Register"][1] if c.value == "Owner")
    cell.value = "Owner name"


def entity(name: str, xml: bytes) -> bytes:
    if not register_xml(name):
        return xml
    doctype = b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
    return doctype + xml


def external(name: str, xml: bytes) -> bytes:
    if not register_xml(name):
        return xml
    doctype = b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
    return doctype + xml


def million_rows(name: str, xml: bytes) -> bytes:
    if not register_xml(name):
        return xml
    # What a sheet's <dimension> claims is what read-only mode believes.
    return xml.replace(
        b"<sheetViews>", b'<dimension ref="A1:P1000000"/><sheetViews>', 1
    )


def other_assessment(book):
    sheet = book["About"]
    cell = next(r[1] for r in sheet.iter_rows() if r[0].value == "Assessment id")
    cell.value = 999


def other_organisation(book):
    sheet = book["About"]
    cell = next(r[1] for r in sheet.iter_rows() if r[0].value == "Organisation slug")
    cell.value = "other-co"


BAD_FILES = {
    "an empty file": (lambda good: b"", "the file is empty"),
    "not a zip": (
        lambda good: b"Requirement,Owner\nSP.09.02 BR,Jo\n",
        "not a zip file",
    ),
    "a zip that is not a workbook": (
        lambda good: zipped({"notes.txt": b"hello"}),
        "not an Excel workbook",
    ),
    "an .xls or a password-protected workbook": (
        lambda good: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600),
        "without a password",
    ),
    "an .ods renamed .xlsx": (
        lambda good: zipped(
            {
                "mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
                "content.xml": b"<x/>",
            }
        ),
        "OpenDocument spreadsheet",
    ),
    "a zip bomb": (
        lambda good: zipped(
            {"xl/workbook.xml": b"<x/>", "xl/big.xml": bytes(8 * 2**20)}
        ),
        "compressed far beyond",
    ),
    "a missing sheet": (
        lambda good: with_sheet(good, lambda b: b.remove(b["Register"])),
        "Register: the sheet is missing",
    ),
    "a renamed column": (
        lambda good: with_sheet(good, renamed_owner),
        "Register!1: the column 'Owner' is missing or renamed",
    ),
    "an unknown requirement": (
        lambda good: edited(good, {("SP.09.02 BR", "Requirement"): "XX 9.9"}),
        "'XX 9.9' is not a requirement of this assessment",
    ),
    "a duplicated row": (
        lambda good: with_sheet(good, duplicated_row),
        "appears twice",
    ),
    "maturity five": (
        lambda good: edited(good, {("SP.09.02 BR", "Current level"): "five"}),
        "'five' is not a maturity level; use a whole number from 0 to 4",
    ),
    "maturity 7": (
        lambda good: edited(good, {("SP.09.02 BR", "Current level"): 7}),
        "7 is not a maturity level",
    ),
    "maturity -1": (
        lambda good: edited(good, {("SP.09.02 BR", "Target level"): -1}),
        "-1 is not a maturity level",
    ),
    "maturity 2.5": (
        lambda good: edited(good, {("SP.09.02 BR", "Target level"): 2.5}),
        "2.5 is not a maturity level",
    ),
    "an ambiguous date": (
        lambda good: edited(good, {("SP.09.02 BR", "Due"): "03/04/2026"}),
        "'03/04/2026' is not a date that reads one way only",
    ),
    "a formula": (
        lambda good: edited(good, {("SP.09.02 BR", "Owner"): "=1+1"}),
        "a formula; type the value itself",
    ),
    "merged cells": (
        lambda good: with_sheet(good, lambda b: b["Register"].merge_cells("I2:J2")),
        "Register!I2: merged cells",
    ),
    "a million rows claimed": (
        lambda good: rezipped(good, million_rows),
        "the sheet says it has 1,000,000 rows",
    ),
    "an XML entity expansion": (
        lambda good: rezipped(good, entity),
        "declares entities",
    ),
    "an external entity": (
        lambda good: rezipped(good, external),
        "declares entities",
    ),
    "another assessment's workbook": (
        lambda good: with_sheet(good, other_assessment),
        "exported from assessment 999, not this one",
    ),
    "another organisation's workbook": (
        lambda good: with_sheet(good, other_organisation),
        "belongs to the organisation 'other-co'",
    ),
    "an evidence item of nobody": (
        lambda good: edited(good, {("SP.09.02 BR", "Evidence ids"): "424242"}),
        "no live evidence item 424242",
    ),
}


def dump(db, world) -> list:
    """Everything an import could change, as plain rows."""
    from sqlmodel import select

    from kb.models import (
        EvidenceLink,
        ImportRun,
        Score,
        ScoreChange,
        ZoneChange,
        ZoneRequirement,
    )

    db.expire_all()
    return [
        sorted(map(repr, db.exec(select(model)).all()))
        for model in (
            Score,
            ScoreChange,
            ImportRun,
            EvidenceLink,
            ZoneRequirement,
            ZoneChange,
        )
    ]


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_a_bad_file_gets_a_clear_message_and_changes_nothing(
    case, world, login, org_client, db
):
    login("ed@acme.test")
    save(org_client, world["assessment"].id, "sp-09-02-br", 0, owner="Jo")
    make, expected = BAD_FILES[case]
    bad = make(export(org_client, world).data)
    before = dump(db, world)
    response = upload(org_client, world, bad)
    assert response.status_code == 422
    problems = BeautifulSoup(response.text, "html.parser").select_one(
        "section.problems"
    )
    assert problems is not None and "nothing has changed" in problems.get_text()
    assert expected in " ".join(problems.get_text().split())
    assert dump(db, world) == before


def test_a_file_over_the_limit_is_refused(world, login, org_app, org_client, db):
    login("ed@acme.test")
    org_app.config["EVIDENCE_MAX_BYTES"] = 1000
    before = dump(db, world)
    response = upload(org_client, world, bytes(5000))
    assert response.status_code == 422 and "larger than" in response.text
    assert dump(db, world) == before


def test_unambiguous_dates_typed_as_text_are_read(world, login, org_client):
    login("ed@acme.test")
    data = edited(
        export(org_client, world).data,
        {("SP.09.02 BR", "Due"): "2026-03-31", ("SP.12.05 BR", "Due"): "31 Mar 2026"},
    )
    page = preview_page(org_client, upload(org_client, world, data))
    assert page.text.count("2026-03-31") == 2


# -- the same through the API ---------------------------------------------------------


def api_upload(client, world, data: bytes):
    return client.post(
        f"/api/v1/assessments/{world['assessment'].id}/imports",
        data={"file": (io.BytesIO(data), "filled.xlsx")},
        content_type="multipart/form-data",
    )


def test_the_api_previews_and_applies_an_import(world, login, org_client):
    login("ed@acme.test")
    aid = world["assessment"].id
    save(org_client, aid, "sp-09-02-br", 0, owner="Jo")
    data = edited(
        export(org_client, world).data,
        {("SP.09.02 BR", "Owner"): "Priya", ("SP.12.05 BR", "Due"): "2027-01-31"},
    )
    save(org_client, aid, "sp-09-02-br", 1, owner="Kim")  # a conflict for the file
    preview = api_upload(org_client, world, data)
    assert preview.status_code == 201
    body = preview.json
    assert body["problems"] == [] and body["status"] == "previewed"
    assert body["changes"] == [
        {"requirement": "SP.12.05 BR", "field": "due", "old": None, "new": "2027-01-31"}
    ]
    assert body["conflicts"] == [
        {"requirement": "SP.09.02 BR", "field": "owner", "app": "Kim", "file": "Priya"}
    ]
    applied = org_client.post(
        f"/api/v1/assessments/{aid}/imports/{body['id']}/apply",
        json={"take_file": [{"requirement": "SP.09.02 BR", "field": "owner"}]},
    )
    assert applied.status_code == 200 and applied.json["applied"] == 2
    rows = BeautifulSoup(org_client.get(f"/assessments/{aid}").text, "html.parser")
    assert "Priya" in rows.select_one("#row-sp-09-02-br").get_text()
    assert "2027-01-31" in rows.select_one("#row-sp-12-05-br").get_text()
    again = org_client.post(f"/api/v1/assessments/{aid}/imports/{body['id']}/apply")
    assert again.status_code == 409


def test_the_api_lists_every_problem_by_sheet_and_cell(world, login, org_client, db):
    login("ed@acme.test")
    data = edited(
        export(org_client, world).data,
        {
            ("SP.09.02 BR", "Current level"): "five",
            ("SP.12.05 BR", "Due"): "03/04/2026",
        },
    )
    before = dump(db, world)
    response = api_upload(org_client, world, data)
    assert response.status_code == 422
    problems = response.json["problems"]
    assert [(p["sheet"], p["cell"][0]) for p in problems] == [
        ("Register", "G"),
        ("Register", "J"),
    ]
    assert "not a maturity level" in problems[0]["message"]
    assert dump(db, world) == before
    empty = api_upload(org_client, world, b"")
    assert empty.json["problems"] == [
        {"sheet": None, "cell": None, "message": empty.json["problems"][0]["message"]}
    ]


def test_the_api_refuses_a_run_whose_rows_moved_since_the_preview(
    world, login, org_client
):
    login("ed@acme.test")
    aid = world["assessment"].id
    data = edited(export(org_client, world).data, {("SP.09.02 BR", "Owner"): "Priya"})
    run = api_upload(org_client, world, data).json["id"]
    save(org_client, aid, "sp-09-02-br", 0, owner="Kim")
    moved = org_client.post(f"/api/v1/assessments/{aid}/imports/{run}/apply")
    assert moved.status_code == 409
    assert "after this preview" in moved.json["detail"]


# -- an organisation's workbooks ------------------------------------------------------


def test_the_evidence_register_exports_alone(world, login, org_client):
    login("vi@acme.test")
    response = org_client.get("/orgs/acme-water/evidence/export.xlsx")
    assert response.status_code == 200 and response.mimetype == XLSX
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["About", "Evidence"]
    titles = [r[1] for r in book["Evidence"].iter_rows(min_row=2, values_only=True)]
    assert titles == [world["evidence"].title]


def test_every_assessment_exports_in_one_workbook(world, login, org_client, db):
    from tests import factories

    login("ed@acme.test")
    second = factories.make_assessment(db, org=world["acme"], name="North: plant [B]")
    db.commit()
    save(org_client, second.id, "sp-12-05-br", 0, owner="Sam")
    response = org_client.get("/orgs/acme-water/export.xlsx")
    book = load_workbook(io.BytesIO(response.data))
    first = f"{world['assessment'].id} Acme FY26 baseline"
    assert book.sheetnames == ["About", f"{second.id} North plant B", first, "Evidence"]
    rows = {
        r[0]: r for r in book[f"{second.id} North plant B"].iter_rows(values_only=True)
    }
    assert "Sam" in rows["SP.12.05 BR"]
    assert "Other Co" not in str([r for r in book["About"].iter_rows(values_only=True)])


# -- zone states ------------------------------------------------------------------------


def edited_zones(data: bytes, cells: dict[tuple[str, int], str]) -> bytes:
    """The workbook with Zones cells set: (requirement id, zone id) to a state."""
    book = load_workbook(io.BytesIO(data))
    sheet = book["Zones"]
    header = next(r for r in sheet.iter_rows() if r[0].value == "Requirement")
    columns = {c.value: c.column for c in header}
    rows = {r[0].value: r[0].row for r in sheet.iter_rows() if r[0].value}
    for (requirement, zone_id), state in cells.items():
        sheet.cell(
            rows[requirement], columns[f"State (zone id {zone_id})"]
        ).value = state
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_zone_states_round_trip_through_the_workbook(world, login, org_client):
    from tests.test_zones import set_state

    login("ed@acme.test")
    zone = world["zone"]
    set_state(org_client, world, zone.id, "sr-1-1", state="partly met")
    unchanged = export(org_client, world).data
    assert (
        "nothing to import"
        in preview_page(org_client, upload(org_client, world, unchanged)).text
    )
    data = edited_zones(
        unchanged, {("SR 1.1", zone.id): "met", ("SR 1.1 RE(1)", zone.id): "not met"}
    )
    page = preview_page(org_client, upload(org_client, world, data))
    states = shown_rows(page, "states")
    assert states == [
        [zone.name, "SR 1.1", "partly met", "met"],
        [zone.name, "SR 1.1 RE(1)", "(none)", "not met"],
    ]
    form = BeautifulSoup(page.text, "html.parser").select_one("form[action$=apply]")
    org_client.post(form["action"])
    again = export(org_client, world).data
    assert (
        "nothing to import"
        in preview_page(org_client, upload(org_client, world, again)).text
    )
    zone_page = org_client.get(
        f"/assessments/{world['assessment'].id}/zones/{zone.id}/history"
    )
    assert "imported from filled.xlsx" in zone_page.text


def test_a_zone_state_saved_since_the_export_is_a_conflict(world, login, org_client):
    from tests.test_zones import set_state

    login("ed@acme.test")
    zone = world["zone"]
    data = edited_zones(export(org_client, world).data, {("SR 1.1", zone.id): "met"})
    set_state(org_client, world, zone.id, "sr-1-1", state="not met")  # meanwhile
    page = preview_page(org_client, upload(org_client, world, data))
    soup_ = BeautifulSoup(page.text, "html.parser")
    conflict = soup_.select_one("table.state-conflicts tbody tr").get_text(
        " ", strip=True
    )
    assert "not met" in conflict and "met" in conflict
    org_client.post(
        soup_.select_one("form[action$=apply]")["action"],
        data={"state-conflict-0": "file"},
    )
    again = export(org_client, world).data
    book = load_workbook(io.BytesIO(again))
    header = next(r for r in book["Zones"].iter_rows() if r[0].value == "Requirement")
    column = next(c.column for c in header if c.value == f"State (zone id {zone.id})")
    row = next(r for r in book["Zones"].iter_rows() if r[0].value == "SR 1.1")
    assert row[column - 1].value == "met"


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("done", "'done' is not a state; choose one of met, partly met"),
        ("not applicable", "needs a reason; set it on the zone's page"),
    ],
)
def test_a_bad_zone_state_is_refused(state, expected, world, login, org_client, db):
    login("ed@acme.test")
    zone = world["zone"]
    data = edited_zones(export(org_client, world).data, {("SR 1.1", zone.id): state})
    before = dump(db, world)
    response = upload(org_client, world, data)
    assert response.status_code == 422
    shown = BeautifulSoup(response.text, "html.parser").select_one("section.problems")
    assert expected in " ".join(shown.get_text().split())
    assert "Zones!C" in shown.get_text()
    assert dump(db, world) == before


def test_the_api_reports_and_applies_zone_states(world, login, org_client):
    from tests.test_zones import set_state

    login("ed@acme.test")
    aid, zone = world["assessment"].id, world["zone"]
    data = edited_zones(export(org_client, world).data, {("SR 1.1", zone.id): "met"})
    set_state(org_client, world, zone.id, "sr-1-1", state="not met")  # meanwhile
    body = api_upload(org_client, world, data).json
    assert body["zone_conflicts"] == [
        {"zone": zone.id, "requirement": "SR 1.1", "app": "not met", "file": "met"}
    ]
    applied = org_client.post(
        f"/api/v1/assessments/{aid}/imports/{body['id']}/apply",
        json={"take_file": [{"zone": zone.id, "requirement": "SR 1.1"}]},
    )
    assert applied.status_code == 200 and applied.json["applied"] == 1
    after = org_client.get(f"/api/v1/zones/{zone.id}").json
    assert after["sl_a"][0] == 1  # SR 1.1 met lifts FR 1 to SL 1


# -- a table from another tool --------------------------------------------------------

OTHER_TOOL_CSV = (
    b"Control ID;Current maturity;Target;Owner;Comments;Risk\n"
    b"sp-09-02-br;2;3;Priya;Reviewed in March;High\n"
    b"SP 12.05 BR;1;;Sam;;Low\n"
)


def start_table(client, world, data: bytes, name="other-tool.csv"):
    return client.post(
        f"/assessments/{world['assessment'].id}/import/table",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_a_table_from_another_tool_maps_its_columns_and_imports(
    world, login, org_client
):
    login("ed@acme.test")
    aid = world["assessment"].id
    save(org_client, aid, "sp-12-05-br", 0, target="4", notes="Keep this note")
    started = start_table(org_client, world, OTHER_TOOL_CSV)
    assert started.status_code == 303
    page = BeautifulSoup(
        org_client.get(started.headers["Location"]).text, "html.parser"
    )
    chosen = {
        s["name"]: s.select_one("option[selected]").get_text()
        for s in page.select("form.mapping select")
        if s.select_one("option[selected]")
    }
    assert chosen == {
        "requirement_id": "Control ID",
        "current": "Current maturity",
        "target": "Target",
        "owner": "Owner",
        "notes": "Comments",
    }
    mapped = org_client.post(
        started.headers["Location"],
        data={"requirement_id": "0", "current": "1", "target": "2", "owner": "3"},
    )
    preview = preview_page(org_client, mapped)
    changes = shown_rows(preview, "changes")
    assert ["SP.12.05 BR", "Target level", "4 Improving", "(blank)"] in changes
    assert ["SP.09.02 BR", "Owner", "(blank)", "Priya"] in changes
    assert not any(c[1] == "Notes" for c in changes)  # not mapped: kept
    form = BeautifulSoup(preview.text, "html.parser").select_one("form[action$=apply]")
    org_client.post(form["action"])
    rows = BeautifulSoup(org_client.get(f"/assessments/{aid}").text, "html.parser")
    kept = rows.select_one("#row-sp-12-05-br").get_text()
    assert "Sam" in kept and "Keep this note" in kept


def test_a_table_with_a_bad_row_or_mapping_is_explained(world, login, org_client, db):
    login("ed@acme.test")
    bad = OTHER_TOOL_CSV + b"XX 9.9;five;3;Jo;;\n"
    started = start_table(org_client, world, bad)
    before = dump(db, world)
    refused = org_client.post(
        started.headers["Location"], data={"requirement_id": "0", "current": "1"}
    )
    assert refused.status_code == 422
    text = " ".join(
        BeautifulSoup(refused.text, "html.parser")
        .select_one("section.problems")
        .get_text()
        .split()
    )
    assert "other-tool.csv!A4: 'XX 9.9' is not a requirement of this assessment" in text
    assert "other-tool.csv!B4: 'five' is not a maturity level" in text
    no_ids = org_client.post(started.headers["Location"], data={"current": "1"})
    assert "choose the column of requirement ids" in no_ids.text
    assert dump(db, world)[:2] == before[:2]  # no score and no history written


def test_the_first_sheet_of_another_tools_workbook_is_a_table(world, login, org_client):
    from openpyxl import Workbook

    login("ed@acme.test")
    book = Workbook()
    book.active.append(["Requirement", "Status", "Due date"])
    book.active.append(["SP.09.02 BR", "Implemented", date(2026, 9, 30)])
    out = io.BytesIO()
    book.save(out)
    started = start_table(org_client, world, out.getvalue(), "gap-tracker.xlsx")
    mapped = org_client.post(
        started.headers["Location"],
        data={"requirement_id": "0", "status": "1", "due": "2"},
    )
    preview = preview_page(org_client, mapped).text
    assert "implemented" in preview and "2026-09-30" in preview


def test_columns_are_found_by_their_header_wherever_they_are(world, login, org_client):
    login("ed@acme.test")
    book = load_workbook(io.BytesIO(export(org_client, world).data))
    sheet = book["Register"]
    sheet.insert_cols(3)  # a column of the person's own, before the others move
    sheet.cell(1, 3).value = "My remarks"
    sheet.move_range("I1:I999", cols=20)  # the Owner column goes to the far right
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "SP.09.02 BR")
    row[2].value = "ignored by the import"
    owner = next(c for c in sheet[1] if c.value == "Owner")
    sheet.cell(row[0].row, owner.column).value = "Priya"
    out = io.BytesIO()
    book.save(out)
    page = preview_page(org_client, upload(org_client, world, out.getvalue()))
    changes = shown_rows(page, "changes")
    assert changes == [["SP.09.02 BR", "Owner", "(blank)", "Priya"]]


# -- an evidence list from another tool -------------------------------------------------

EVIDENCE_CSV = (
    b"Document,Kind,Link,Owner,Review date\n"
    b"Account register north plant,EV-ACCOUNT-REGISTER,https://intranet.example/ar,"
    b"Sam,31 March 2027\n"
    b"Acme secret-plan firewall review,Account register,https://intranet.example/fw,,\n"
)


def start_evidence(client, data: bytes, name="evidence-list.csv"):
    return client.post(
        "/orgs/acme-water/evidence/import",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_an_evidence_list_from_another_tool_adds_its_new_items(
    world, login, org_client, db
):
    from sqlmodel import select

    from kb.models import EvidenceItem

    login("ed@acme.test")
    started = start_evidence(org_client, EVIDENCE_CSV)
    assert started.status_code == 303
    page = BeautifulSoup(
        org_client.get(started.headers["Location"]).text, "html.parser"
    )
    chosen = {
        s["name"]: s.select_one("option[selected]").get_text()
        for s in page.select("form.mapping select")
        if s.select_one("option[selected]")
    }
    assert chosen == {
        "type": "Kind",
        "title": "Document",
        "owner": "Owner",
        "next_review": "Review date",
        "url": "Link",
    }
    mapped = org_client.post(
        started.headers["Location"],
        data={"type": "1", "title": "0", "url": "2", "owner": "3", "next_review": "4"},
    )
    preview = BeautifulSoup(preview_page(org_client, mapped).text, "html.parser")
    added = [
        tr.get_text(" ", strip=True) for tr in preview.select("table.add tbody tr")
    ]
    known = [
        tr.get_text(" ", strip=True) for tr in preview.select("table.known tbody tr")
    ]
    assert len(added) == 1 and "Account register north plant" in added[0]
    assert "2027-03-31" in added[0]
    assert len(known) == 1 and world["evidence"].title in known[0]  # left as it is
    applied = org_client.post(preview.select_one("form[action$=apply]")["action"])
    assert applied.status_code == 303
    listing = org_client.get("/orgs/acme-water/evidence").text
    assert "Added 1 evidence item from evidence-list.csv" in listing
    db.expire_all()
    item = db.exec(
        select(EvidenceItem).where(EvidenceItem.title == "Account register north plant")
    ).one()
    assert (item.owner, item.next_review.isoformat()) == ("Sam", "2027-03-31")
    assert (
        "imported from evidence-list.csv"
        in org_client.get(f"/orgs/acme-water/evidence/{item.id}").text
    )


def test_an_evidence_list_with_bad_rows_is_explained(world, login, org_client, db):
    login("ed@acme.test")
    bad = EVIDENCE_CSV + b"Pump logs,EV-NOPE,ftp://x,Jo,03/04/2026\n"
    started = start_evidence(org_client, bad)
    before = dump(db, world)
    refused = org_client.post(
        started.headers["Location"],
        data={"type": "1", "title": "0", "url": "2", "next_review": "4"},
    )
    assert refused.status_code == 422
    text = " ".join(
        BeautifulSoup(refused.text, "html.parser")
        .select_one("section.problems")
        .get_text()
        .split()
    )
    assert "evidence-list.csv!B4: 'EV-NOPE' is not an evidence type" in text
    assert "evidence-list.csv!E4: '03/04/2026' is not a date that reads one way" in text
    no_title = org_client.post(
        started.headers["Location"], data={"type": "1", "url": "2"}
    )
    assert "choose the column of the title" in no_title.text
    assert dump(db, world) == before
