"""Write an assessment as a workbook a person edits in Excel or LibreOffice and uploads
back: About, Register, Zones, Evidence and Summary (with a native chart). Written in
openpyxl's write-only mode, which streams rows instead of holding a sheet in memory."""

from __future__ import annotations

from copy import copy
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import BarChart, Reference
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from sqlmodel import Session

from importers.cells import BOLD, DATE_FORMAT, saved, text_cell
from importers.columns import (
    ABOUT_ASSESSMENT_ID,
    ABOUT_FORMAT,
    ABOUT_ORGANISATION,
    FORMAT_VERSION,
    REGISTER,
    ZONE_VERSIONS,
    Column,
    as_cell,
    looks_like_formula,
    register_values,
    zone_header,
)
from kb.models import Assessment, Organisation, User
from kb.services import dashboard, zone_states
from kb.services.register import RegisterFilter, register
from kb.vocabulary import LEVEL_NAMES, STATUSES, ZONE_STATES

GAP_FILL = PatternFill("solid", start_color="F8D7D3", end_color="F8D7D3")
UNLOCKED = Protection(locked=False)
HOW_TO = [
    "Change the white columns of the Register sheet (and the state of each zone's",
    "requirements on the Zones sheet); the grey ones are for reference and are locked.",
    "Keep the headers as they are: columns are found by their header, so you may move",
    "them or add columns of your own, which the import ignores.",
    "Then upload the file on the assessment's Import page: you will see every change",
    "before anything is saved, and a row changed in csms-kb since this export is shown",
    "as a conflict for you to decide.",
    "On the Zones sheet a blank cell leaves a state as it is; a requirement that does",
    "not apply to a zone needs its reason saved on the zone's page first.",
]


@dataclass
class Exported:
    """Who exported what, and when: the About sheet, and the file's name."""

    assessment: Assessment
    org: Organisation
    user: User
    at: datetime
    base_url: str  # where the requirement pages are, for the Page links

    @property
    def filename(self) -> str:
        safe = "".join(c if c.isalnum() else "-" for c in self.assessment.name)
        return f"{safe.strip('-') or 'assessment'}-{self.at:%Y-%m-%d}.xlsx"


def assessment_workbook(session: Session, exported: Exported, today: date) -> bytes:
    """The assessment's workbook, as the bytes of an .xlsx file."""
    book = Workbook(write_only=True)
    write_about(book.create_sheet("About"), exported)
    groups = register(session, exported.assessment, RegisterFilter())
    rows = [row for group in groups for row in group.rows]
    write_register(book.create_sheet("Register"), rows, exported.base_url)
    states = _zones(book.create_sheet("Zones"), session, exported.assessment)
    _evidence(book.create_sheet("Evidence"), rows)
    score_rows, _ = dashboard.score_rows(session, exported.assessment)
    _summary(book.create_sheet("Summary"), dashboard.rollups(score_rows, [], today))
    _zone_versions(book.create_sheet(ZONE_VERSIONS), states)
    return saved(book)


def write_about(sheet: Worksheet, exported: Exported) -> None:
    """Who exported what and when, how to fill the workbook in, and the legends."""
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = 60
    sheet.append([text_cell(sheet, "csms-kb assessment workbook", font=BOLD)])
    sheet.append([])
    for label, value in (
        ("Assessment", exported.assessment.name),
        (ABOUT_ASSESSMENT_ID, exported.assessment.id),
        ("Organisation", exported.org.name),
        (ABOUT_ORGANISATION, exported.org.slug),
        ("Exported at (UTC)", exported.at.replace(tzinfo=None, microsecond=0)),
        ("Exported by", exported.user.email),
        (ABOUT_FORMAT, FORMAT_VERSION),
    ):
        sheet.append([text_cell(sheet, label, font=BOLD), text_cell(sheet, value)])
    sheet.append([])
    sheet.append([text_cell(sheet, "How to fill it in", font=BOLD)])
    for line in HOW_TO:
        sheet.append([None, text_cell(sheet, line)])
    sheet.append([])
    sheet.append([text_cell(sheet, "Maturity levels", font=BOLD)])
    for level, name in LEVEL_NAMES.items():
        sheet.append([level, text_cell(sheet, name)])
    sheet.append([])
    sheet.append([text_cell(sheet, "Statuses", font=BOLD)])
    for status in STATUSES:
        sheet.append([None, text_cell(sheet, status)])


def _validate(sheet: Worksheet, ref: str, error: str, **rule: Any) -> None:
    """A data validation (a dropdown, or a range of numbers or dates) on `ref`."""
    validation = DataValidation(
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Not allowed here",
        error=error,
        **rule,
    )
    validation.add(ref)
    sheet.data_validations.append(validation)


def choose(sheet: Worksheet, ref: str, choices) -> None:
    _validate(
        sheet,
        ref,
        "Choose one of: " + ", ".join(choices),
        type="list",
        formula1='"' + ",".join(choices) + '"',
    )


def write_register(sheet: Worksheet, rows, base_url: str) -> None:
    """One row per register row, with dropdowns, dates, locked reference columns,
    the hidden row version, filters and gap highlighting."""
    count = len(rows)
    position = {column.field: n for n, column in enumerate(REGISTER, start=1)}
    for n, column in enumerate(REGISTER, start=1):
        dimension = sheet.column_dimensions[get_column_letter(n)]
        dimension.width = column.width
        dimension.hidden = column.hidden
        ref = f"{get_column_letter(n)}2:{get_column_letter(n)}{count + 1}"
        if column.choices:
            choose(sheet, ref, column.choices)
        elif column.kind == "level":
            _validate(
                sheet,
                ref,
                "Type a whole number from 0 to 4 (see the About sheet).",
                type="whole",
                operator="between",
                formula1="0",
                formula2="4",
            )
        elif column.kind == "date":
            _validate(
                sheet,
                ref,
                "Type a date, such as 2026-03-31.",
                type="date",
                operator="greaterThan",
                formula1="1",
            )
    sheet.freeze_panes = "C2"
    last = get_column_letter(len(REGISTER))
    sheet.auto_filter.ref = f"A1:{last}{count + 1}"
    current = get_column_letter(position["current"])
    target = get_column_letter(position["target"])
    sheet.conditional_formatting.add(
        f"A2:{last}{count + 1}",
        FormulaRule(
            formula=[
                f"AND(ISNUMBER(${current}2),ISNUMBER(${target}2),${current}2<${target}2)"
            ],
            fill=GAP_FILL,
        ),
    )
    sheet.protection.sheet = True
    sheet.protection.autoFilter = False
    sheet.protection.sort = False
    sheet.protection.formatColumns = False
    sheet.append([text_cell(sheet, c.header, font=BOLD) for c in REGISTER])
    root = base_url.rstrip("/")
    editable = {
        kind: _prototype(sheet, number_format=DATE_FORMAT if kind == "date" else None)
        for kind in ("text", "date")
    }
    for row in rows:
        values = register_values(row)
        sheet.append(
            [
                _register_cell(sheet, c, values[c.field], root, editable)
                for c in REGISTER
            ]
        )


def _prototype(sheet: Worksheet, number_format: str | None) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet)
    cell.protection = UNLOCKED
    if number_format:
        cell.number_format = number_format
    return cell


def _register_cell(sheet: Worksheet, column: Column, value, root: str, editable):
    """A Register cell: editable ones unlocked, a link for the page, and a plain value
    (the cheapest to write) where nothing more is needed."""
    value = as_cell(column, value)
    if column.kind == "url":
        cell = WriteOnlyCell(sheet, value="open")
        cell.hyperlink = root + value
        return cell
    if not column.editable:
        return text_cell(sheet, value) if looks_like_formula(value) else value
    if looks_like_formula(value):
        cell = text_cell(sheet, value)
        cell.protection = UNLOCKED
        return cell
    cell = WriteOnlyCell(sheet, value=value)
    # openpyxl finds a cell's style by hashing it, which for 100,000 cells costs more
    # than writing them; a copy of a prototype's style array is what openpyxl itself
    # does when it copies a cell.
    prototype = editable["date" if isinstance(value, date) else "text"]
    cell._style = copy(prototype._style)
    return cell


def _zones(sheet: Worksheet, session: Session, assessment: Assessment):
    """The 3-3 SRs and REs as rows, a column per zone or conduit; each zone's SL-T above."""
    table = zone_states.vector_table(session, assessment)
    zones = [row.zone for row in table]
    states = zone_states.states_of(session, [z.id for z in zones])
    requirements = zone_states.technical_requirements(session)
    sheet.column_dimensions["A"].width = 16
    sheet.column_dimensions["B"].width = 44
    for n in range(len(zones)):
        sheet.column_dimensions[get_column_letter(n + 3)].width = 16
    sheet.freeze_panes = "C4"
    if zones:
        last = get_column_letter(len(zones) + 2)
        choose(sheet, f"C4:{last}{len(requirements) + 3}", ZONE_STATES)
    sheet.append(
        [text_cell(sheet, "Zone or conduit", font=BOLD), None]
        + [text_cell(sheet, f"{z.name} ({z.kind})", font=BOLD) for z in zones]
    )
    sheet.append(
        [text_cell(sheet, "SL-T (FR 1-7)", font=BOLD), None]
        + [text_cell(sheet, " ".join(map(str, z.sl_t))) for z in zones]
    )
    sheet.append(
        [
            text_cell(sheet, "Requirement", font=BOLD),
            text_cell(sheet, "Title", font=BOLD),
        ]
        + [text_cell(sheet, zone_header(z.id), font=BOLD) for z in zones]
    )
    for requirement in requirements:
        cells = [text_cell(sheet, requirement.id), text_cell(sheet, requirement.title)]
        for zone in zones:
            state = states[zone.id].get(requirement.id)
            cells.append(text_cell(sheet, state.state if state else None))
        sheet.append(cells)
    return states


def _zone_versions(sheet: Worksheet, states) -> None:
    """The version of every saved zone state, for the import's conflict check."""
    sheet.sheet_state = "hidden"
    sheet.append(["Requirement", "Zone id", "Version"])
    for zone_id, by_requirement in states.items():
        for requirement_id, state in by_requirement.items():
            sheet.append([requirement_id, zone_id, state.version])


EVIDENCE_HEADERS = (
    "Evidence id",
    "Title",
    "Type",
    "Owner",
    "Collected on",
    "Next review",
    "Status",
    "Review",
    "Requirements",
)


def _evidence(sheet: Worksheet, rows) -> None:
    """The organisation's evidence items linked to this assessment, once each."""
    items: dict[int, tuple[Any, str | None, list[str]]] = {}
    for row in rows:
        for linked in row.evidence:
            found = items.setdefault(linked.item.id, (linked.item, linked.state, []))
            found[2].append(row.requirement.id)
    write_evidence(sheet, sorted(items.values(), key=lambda i: i[0].id))


def write_evidence(sheet: Worksheet, entries) -> None:
    """Evidence items as rows: `entries` are (item, review state, requirement ids)."""
    for n, width in enumerate((10, 40, 22, 16, 12, 12, 10, 10, 30), start=1):
        sheet.column_dimensions[get_column_letter(n)].width = width
    sheet.freeze_panes = "B2"
    sheet.append([text_cell(sheet, h, font=BOLD) for h in EVIDENCE_HEADERS])
    for item, state, requirements in entries:
        sheet.append(
            [
                text_cell(sheet, value)
                for value in (
                    item.id,
                    item.title,
                    item.type,
                    item.owner,
                    item.collected_on,
                    item.next_review,
                    item.status,
                    state or "",
                    ", ".join(requirements),
                )
            ]
        )


def _summary(sheet: Worksheet, rollups) -> None:
    write_area_figures(
        sheet, rollups.areas, rollups.assessment, "Mean maturity per control area"
    )


AREA_HEADERS = (
    "Area",
    "Requirements",
    "Assessed",
    "At target",
    "Mean current",
    "Mean target",
    "Open gap",
    "Overdue",
)


def write_area_figures(sheet: Worksheet, areas: dict, whole, title: str) -> None:
    """The figures per control area and for the whole assessment, with a native bar
    chart of mean current against mean target per area."""
    for n, width in enumerate((12, 13, 10, 10, 13, 12, 10, 9), start=1):
        sheet.column_dimensions[get_column_letter(n)].width = width
    sheet.append([text_cell(sheet, h, font=BOLD) for h in AREA_HEADERS])
    for name, f in [*areas.items(), ("Whole", whole)]:
        sheet.append(
            [
                name,
                f.requirements,
                f.assessed,
                f.at_target,
                f.mean_current,
                f.mean_target,
                f.gap,
                f.overdue,
            ]
        )
    if areas:
        chart = BarChart()
        chart.title = title
        chart.y_axis.title = "Maturity level"
        chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, 4
        last = len(areas) + 1
        chart.add_data(
            Reference(sheet, min_col=5, max_col=6, min_row=1, max_row=last),
            titles_from_data=True,
        )
        chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=last))
        chart.height, chart.width = 8, 18
        sheet.add_chart(chart, "J2")
