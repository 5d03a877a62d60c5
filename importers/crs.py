"""The cybersecurity requirements specification (kb.services.crs) as a workbook: About,
Zones and conduits (characteristics, SL-T and its justification), Requirements (what
each SL-T asks for) and Text (the specification's own words)."""

from __future__ import annotations

from openpyxl import Workbook

from importers.cells import about_sheet, saved, set_widths, write_rows
from kb.vocabulary import FOUNDATIONAL_REQUIREMENTS

SECTIONS = {
    "suc_description": "System under consideration",
    "assumptions": "Operating environment assumptions",
    "threat_environment": "Threat environment",
    "policies": "Organisational security policies",
    "regulatory": "Regulatory requirements",
}


def crs_workbook(document: dict, status: str) -> bytes:
    """The workbook of one CRS document; `status` says whether it is a draft or which
    approved version it is."""
    book = Workbook(write_only=True)
    tolerable = document["tolerable"]
    about_sheet(
        book.create_sheet("About"),
        "Cybersecurity requirements specification (IEC 62443-3-2, ZCR 6)",
        [
            ("Organisation", document["organisation"]),
            ("Assessment", document["assessment"]),
            ("Status", status),
            ("Built", document["built_at"]),
            ("Risk of the system", document["system_risk"] or "not assessed"),
            (
                "Tolerable risk",
                f"up to {tolerable['tolerable']} (consequence x likelihood), risk "
                f"matrix version {tolerable['matrix_version']}",
            ),
        ],
    )
    zones = book.create_sheet("Zones and conduits")
    write_rows(
        zones,
        [
            "Name",
            "Kind",
            "Criticality",
            "Assets",
            "Protocols",
            "Joins",
            *[f"SL-T {fr}" for fr in FOUNDATIONAL_REQUIREMENTS],
            "Suggested SL-T",
            "Justification",
            "Threat scenarios",
        ],
        [
            [
                z["name"],
                z["kind"],
                z["criticality"],
                z["assets"],
                z["protocols"],
                ", ".join(z["joins"]),
                *z["sl_t"],
                " ".join(map(str, z["suggested"])) if z["suggested"] else "",
                "; ".join(f"{fr}: {why}" for fr, why in z["reasons"].items()),
                z["scenarios"],
            ]
            for z in document["zones"]
        ],
    )
    requirements = book.create_sheet("Requirements")
    set_widths(requirements, 30, 16)
    write_rows(
        requirements,
        ["Zone or conduit", "Requirement"],
        [[z["name"], rid] for z in document["zones"] for rid in z["requirements"]],
    )
    text = book.create_sheet("Text")
    set_widths(text, 36, 120)
    write_rows(
        text,
        ["Section", "Text"],
        [[title, document[key]] for key, title in SECTIONS.items()],
    )
    return saved(book)
