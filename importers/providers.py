"""Workbooks for service providers: the coverage matrix (kb.services.coverage) and a
client's proposal (kb.services.proposal)."""

from __future__ import annotations

from datetime import datetime

from openpyxl import Workbook

from importers.cells import about_sheet, saved, set_widths, write_rows
from kb.services.coverage import Matrix, MatrixFilter, Share
from kb.services.proposal import RULE, Proposal

PLANNING_NOTE = (
    "csms-kb summarises IEC 62443 in its own words for planning: validate each "
    "requirement against the issuer's publication before relying on it."
)
COUNTING = (
    "A requirement is covered when some offering covers it fully or partly, and a "
    "blind spot when no offering touches it."
)
SHARE_HEADERS = [
    "Part",
    "Area",
    "Area title",
    "Requirements",
    "Full",
    "Partial at best",
    "Only supported",
    "Covered",
    "Covered share",
    "Blind spots",
]


def _share_row(part: str, area: str, title: str, share: Share) -> list:
    return [
        part,
        area,
        title,
        share.requirements,
        share.full,
        share.partial,
        share.supports,
        share.covered,
        round(share.covered_share or 0, 4),
        len(share.blind_spots),
    ]


def matrix_workbook(
    matrix: Matrix, area_titles: dict[str, str], filters: MatrixFilter, at: datetime
) -> bytes:
    """About, Shares (per part and area), Matrix (a row per requirement, a column per
    offering) and Blind spots."""
    book = Workbook(write_only=True)
    chosen = ", ".join(f"{k} = {v}" for k, v in filters.active().items()) or "none"
    about_sheet(
        book.create_sheet("About"),
        "csms-kb: service offerings against requirements",
        [
            ("Made at (UTC)", at.replace(tzinfo=None, microsecond=0)),
            ("Filters", chosen),
            ("Offerings", len(matrix.offerings)),
            ("Counting", COUNTING),
            ("Summaries", PLANNING_NOTE),
        ],
    )
    shares = book.create_sheet("Shares")
    set_widths(shares, 12, 8, 40, 13, 8, 14, 15, 9, 13, 12)
    rows = []
    for part in matrix.parts:
        rows.append(_share_row(part.part, "", "All areas", part.share))
        rows += [
            _share_row(part.part, b.area, area_titles.get(b.area, ""), b.share)
            for b in part.areas
        ]
    rows.append(_share_row("All parts", "", "", matrix.whole))
    write_rows(shares, SHARE_HEADERS, rows)

    sheet = book.create_sheet("Matrix")
    set_widths(sheet, 12, 8, 18, 50, *[12] * len(matrix.offerings), 14)
    sheet.freeze_panes = "E2"
    headers = ["Part", "Area", "Requirement", "Title"]
    headers += [o.title for o in matrix.offerings] + ["Best coverage"]
    write_rows(
        sheet,
        headers,
        (
            [part.part, block.area, row.requirement.id, row.requirement.title]
            + [row.cells.get(o.id, "") for o in matrix.offerings]
            + [row.best or "none"]
            for part in matrix.parts
            for block in part.areas
            for row in block.rows
        ),
    )
    blind = book.create_sheet("Blind spots")
    set_widths(blind, 12, 8, 18, 60)
    write_rows(
        blind,
        ["Part", "Area", "Requirement", "Title"],
        (
            [part.part, block.area, r.id, r.title]
            for part in matrix.parts
            for block in part.areas
            for r in block.share.blind_spots
        ),
    )
    return saved(book)


def proposal_workbook(
    proposal: Proposal,
    org_name: str,
    assessment_name: str,
    user_email: str,
    at: datetime,
) -> bytes:
    """About, Suggestion (the ranked offerings with the running total) and Gaps (each
    gap with the offerings that address it)."""
    book = Workbook(write_only=True)
    about_sheet(
        book.create_sheet("About"),
        "csms-kb: proposal of service offerings",
        [
            ("Organisation", org_name),
            ("Assessment", assessment_name),
            ("Made at (UTC)", at.replace(tzinfo=None, microsecond=0)),
            ("Made by", user_email),
            ("Open gap (levels)", proposal.total_gap),
            ("Closed by the suggestion", proposal.closed),
            ("Rule", RULE),
            ("Summaries", PLANNING_NOTE),
        ],
    )
    steps = book.create_sheet("Suggestion")
    set_widths(steps, 8, 22, 40, 16, 15, 14)
    write_rows(
        steps,
        [
            "Order",
            "Offering",
            "Title",
            "Closes (levels)",
            "Running total",
            "Of all gaps",
        ],
        (
            [
                n,
                s.offering.id,
                s.offering.title,
                s.closes,
                s.running_total,
                round(s.running_total / proposal.total_gap, 4),
            ]
            for n, s in enumerate(proposal.steps, start=1)
        ),
    )
    gaps = book.create_sheet("Gaps")
    set_widths(gaps, 60, 16, 9, 9, 6, 90)
    write_rows(
        gaps,
        [
            "Gap",
            "Kind",
            "Current",
            "Target",
            "Gap",
            "Offerings (coverage; levels closed alone)",
        ],
        (
            [
                line.gap.label,
                line.gap.kind,
                line.gap.current,
                line.gap.target,
                line.gap.size,
                "; ".join(
                    f"{o.offering.id} ("
                    + ", ".join(f"{rid} {given}" for rid, given in o.covers)
                    + f"; closes {o.closes})"
                    for o in line.options
                )
                or "none: stays with the client",
            ]
            for line in proposal.gaps
        ),
    )
    return saved(book)
