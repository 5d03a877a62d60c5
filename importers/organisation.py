"""Workbooks of a whole organisation: its evidence register alone, and every
assessment's register in one workbook (for reading and reporting; an assessment's own
workbook is the one that imports back)."""

from __future__ import annotations

from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet
from sqlmodel import Session

from importers.cells import BOLD, saved, text_cell
from importers.writer import write_evidence, write_register
from kb.models import Organisation, User
from kb.services import evidence_links
from kb.services.assessments import list_assessments
from kb.services.register import RegisterFilter, register


def evidence_workbook(
    session: Session, org: Organisation, user: User, at: datetime, today: date
) -> bytes:
    """The organisation's live evidence items, with the requirements each is on."""
    book = Workbook(write_only=True)
    _about(book.create_sheet("About"), org, user, at, "Evidence register")
    write_evidence(
        book.create_sheet("Evidence"),
        evidence_links.items_with_requirements(session, org, today),
    )
    return saved(book)


def organisation_workbook(
    session: Session,
    org: Organisation,
    user: User,
    at: datetime,
    base_url: str,
    today: date,
) -> bytes:
    """Every active assessment's register on a sheet of its own, and the evidence."""
    book = Workbook(write_only=True)
    assessments = list_assessments(session, org)
    sheets = [(a, _sheet_name(a)) for a in assessments]
    about = book.create_sheet("About")
    _about(about, org, user, at, "Every assessment of the organisation")
    about.append([])
    about.append(
        [
            text_cell(about, "Sheet", font=BOLD),
            text_cell(about, "Assessment", font=BOLD),
        ]
    )
    for assessment, name in sheets:
        about.append([text_cell(about, name), text_cell(about, assessment.name)])
    for assessment, name in sheets:
        rows = [
            row
            for group in register(session, assessment, RegisterFilter())
            for row in group.rows
        ]
        write_register(book.create_sheet(name), rows, base_url)
    write_evidence(
        book.create_sheet("Evidence"),
        evidence_links.items_with_requirements(session, org, today),
    )
    return saved(book)


def _sheet_name(assessment) -> str:
    """A sheet name Excel accepts (31 characters, none of []:*?/\\), unique by id."""
    name = "".join(c for c in assessment.name if c not in "[]:*?/\\")
    return f"{assessment.id} {name}"[:31]


def _about(sheet: Worksheet, org, user, at: datetime, what: str) -> None:
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = 50
    sheet.append([text_cell(sheet, f"csms-kb: {what}", font=BOLD)])
    for label, value in (
        ("Organisation", org.name),
        ("Exported at (UTC)", at.replace(tzinfo=None, microsecond=0)),
        ("Exported by", user.email),
    ):
        sheet.append([text_cell(sheet, label, font=BOLD), text_cell(sheet, value)])
