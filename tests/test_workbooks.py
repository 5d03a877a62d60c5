"""The assessment workbook: what the export holds, and (soon) the import."""

from __future__ import annotations

import io
import zipfile

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
