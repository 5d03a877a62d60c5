"""The assessment workbook: what the export holds, and (soon) the import."""

from __future__ import annotations

import io
import zipfile

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
    assert book.sheetnames == ["About", "Register", "Zones", "Evidence", "Summary"]
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
    changes = [
        [td.get_text(" ", strip=True) for td in tr.select("th, td")]
        for tr in BeautifulSoup(page.text, "html.parser").select(
            "table.changes tbody tr"
        )
    ]
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
