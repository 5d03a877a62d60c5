"""Write the CIRMP evidence pack (kb.services.cirmp.Pack) as a workbook: About,
Maturity (with a chart), Hazards, Evidence, Changes, Board approval."""

from __future__ import annotations

from datetime import datetime

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from importers.cells import BOLD, saved, set_widths, text_cell, write_rows
from importers.writer import choose, write_area_figures, write_evidence
from kb.services.cirmp import Pack

IEC_62443_NOTE = (
    "IEC 62443 is not one of the frameworks named in section 8 of the CIRMP Rules. "
    "Relying on it for section 8 needs an argument that it is equivalent to a named "
    "framework; this pack supports that argument and does not make it."
)
PLANNING_NOTE = (
    "csms-kb summarises IEC 62443 in its own words for planning: validate each "
    "requirement against the issuer's publication before relying on it."
)


def pack_workbook(pack: Pack, user_email: str, at: datetime) -> bytes:
    book = Workbook(write_only=True)
    _about(book.create_sheet("About"), pack, user_email, at)
    _maturity(book.create_sheet("Maturity"), pack)
    _hazards(book.create_sheet("Hazards"), pack)
    _evidence(book.create_sheet("Evidence"), pack)
    _changes(book.create_sheet("Changes"), pack)
    _board(book.create_sheet("Board approval"), pack)
    return saved(book)


def _about(sheet: Worksheet, pack: Pack, user_email: str, at: datetime) -> None:
    set_widths(sheet, 26, 90)
    sheet.append([text_cell(sheet, "CIRMP annual evidence pack", font=BOLD)])
    sheet.append([])
    for label, value in (
        ("Organisation", pack.org.name),
        ("Assessment", pack.assessment.name),
        ("Financial year", f"FY{pack.year}: {pack.period}"),
        ("Framework used", "IEC 62443 (" + ", ".join(pack.assessment.parts) + ")"),
        ("Made at (UTC)", at.replace(tzinfo=None, microsecond=0)),
        ("Made by", user_email),
        ("Section 8", IEC_62443_NOTE),
        ("Summaries", PLANNING_NOTE),
    ):
        sheet.append([text_cell(sheet, label, font=BOLD), text_cell(sheet, value)])


def _maturity(sheet: Worksheet, pack: Pack) -> None:
    write_area_figures(
        sheet, pack.areas, pack.whole, "Maturity per control area against target"
    )


def _hazards(sheet: Worksheet, pack: Pack) -> None:
    set_widths(sheet, 34, 16, 44, 10, 46, 36, 40)
    sheet.freeze_panes = "A2"
    headers = (
        "Hazard group",
        "Requirement",
        "Title",
        "Relation",
        "What it serves",
        "Where the assessment stands",
        "Evidence (id: title)",
    )
    rows = [
        (
            hazard,
            r.requirement.id,
            r.requirement.title,
            r.relation,
            r.their_title,
            r.standing,
            "; ".join(f"{e.item.id}: {e.item.title}" for e in r.evidence) or None,
        )
        for hazard, hazard_rows in pack.hazards.items()
        for r in hazard_rows
    ]
    write_rows(sheet, headers, rows)


def _evidence(sheet: Worksheet, pack: Pack) -> None:
    write_evidence(sheet, pack.evidence)


def _changes(sheet: Worksheet, pack: Pack) -> None:
    set_widths(sheet, 18, 16, 14, 22, 22, 24, 36)
    sheet.freeze_panes = "A2"
    headers = ("When (UTC)", "Requirement", "Field", "Before", "After", "Who", "Why")
    rows = [
        (
            c.changed_at.replace(tzinfo=None, microsecond=0),
            c.requirement_id,
            c.field,
            c.old,
            c.new,
            email or "",
            c.reason,
        )
        for c, email in pack.changes
    ]
    write_rows(sheet, headers, rows)


def _board(sheet: Worksheet, pack: Pack) -> None:
    """The governing body's approval of the annual report: to be filled in."""
    set_widths(sheet, 46, 50)
    sheet.append(
        [text_cell(sheet, f"Board approval of the FY{pack.year} report", font=BOLD)]
    )
    sheet.append([text_cell(sheet, f"Period: {pack.period}")])
    sheet.append([])
    for label in (
        "Approved by (name)",
        "Position",
        "Date of approval",
        "Resolution reference",
        "The CIRMP was up to date at the end of the year (Yes or No)",
        "Hazards with a significant relevant impact in the year",
        "How well the CIRMP mitigated them",
        "Changes made to the CIRMP because of them",
    ):
        sheet.append([text_cell(sheet, label, font=BOLD), None])
    choose(sheet, "B8", ("Yes", "No"))
