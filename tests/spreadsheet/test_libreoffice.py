"""Our workbooks in a real spreadsheet program: LibreOffice opens the export, a person's
edit survives its saving, and the file it writes imports as ours does."""

from __future__ import annotations

import io
import zipfile

from openpyxl import load_workbook

from tests.test_assessments import save
from tests.test_workbooks import export, preview_page, shown_rows, upload


def test_a_workbook_edited_and_saved_by_libreoffice_imports_the_edit(
    world, login, org_client, calc, tmp_path
):
    login("ed@acme.test")
    aid = world["assessment"].id
    save(
        org_client,
        aid,
        "sp-09-02-br",
        0,
        current="2",
        target="3",
        owner="Owner-before",
        due="2026-03-31",
        notes="@SUM(1) stays text",
    )
    exported = tmp_path / "export.xlsx"
    exported.write_bytes(export(org_client, world).data)

    # LibreOffice opens our file and writes it as a document a person could edit;
    # the edit is made in that document, and LibreOffice saves it back as .xlsx.
    document = calc.convert(exported, "fods")
    text = document.read_text(encoding="utf-8")
    assert text.count("Owner-before") == 1
    document.write_text(text.replace("Owner-before", "Owner-after"), encoding="utf-8")
    resaved = calc.convert(document, "xlsx")
    data = resaved.read_bytes()

    book = load_workbook(io.BytesIO(data))
    sheet = book["Register"]
    headers = {c.value: c.column for c in sheet[1]}
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "SP.09.02 BR")
    assert row[headers["Due"] - 1].is_date  # still a date, not text
    assert row[headers["Notes"] - 1].value == "@SUM(1) stays text"
    assert row[headers["Notes"] - 1].data_type == "s"
    lists = {dv.formula1 for dv in sheet.data_validations.dataValidation}
    assert '"Yes,No"' in lists and any("not started" in f for f in lists)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert any(n.startswith("xl/charts/chart") for n in archive.namelist())

    page = preview_page(org_client, upload(org_client, world, data, "resaved.xlsx"))
    changes = shown_rows(page, "changes")
    assert changes == [["SP.09.02 BR", "Owner", "Owner-before", "Owner-after"]]


def test_libreoffice_opens_every_other_workbook_we_write(
    world, login, org_client, calc, tmp_path
):
    login("ed@acme.test")
    aid = world["assessment"].id
    save(org_client, aid, "sp-09-02-br", 0, current="2", target="3", due="2026-03-31")
    for name, url, sheets in (
        (
            "cirmp",
            f"/assessments/{aid}/cirmp.xlsx?year=2026",
            ["About", "Maturity", "Hazards", "Evidence", "Changes", "Board approval"],
        ),
        ("everything", "/orgs/acme-water/export.xlsx", None),
        ("evidence", "/orgs/acme-water/evidence/export.xlsx", ["About", "Evidence"]),
    ):
        original = tmp_path / f"{name}.xlsx"
        original.write_bytes(org_client.get(url).data)
        resaved = calc.convert(original, "xlsx")
        assert resaved != original and resaved.exists()
        before = load_workbook(original)
        after = load_workbook(resaved)
        assert after.sheetnames == (sheets or before.sheetnames)
        for sheet in before.sheetnames:  # every value reads back the same
            assert [
                [c for c in row if c is not None]
                for row in after[sheet].iter_rows(values_only=True)
            ] == [
                [c for c in row if c is not None]
                for row in before[sheet].iter_rows(values_only=True)
            ], (name, sheet)
        if name == "cirmp":
            with zipfile.ZipFile(resaved) as archive:
                assert any(n.startswith("xl/charts/") for n in archive.namelist())
