"""The CIRMP annual evidence pack: the financial year, the hazard groups, the
evidence, the year's changes, as a workbook and as a page."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
from bs4 import BeautifulSoup
from openpyxl import load_workbook
from sqlmodel import select

from kb.errors import InvalidInput
from kb.models import ScoreChange
from kb.services.cirmp import HAZARDS, financial_year
from tests.test_assessments import save


@pytest.mark.parametrize(
    ("value", "today", "year"),
    [
        (None, date(2026, 11, 30), 2026),  # the last year that has ended
        ("", date(2026, 5, 1), 2025),
        ("2025", date(2026, 11, 30), 2025),
        ("2027", date(2026, 11, 30), 2027),  # the year under way
    ],
)
def test_the_financial_year_is_named_by_the_year_it_ends_in(value, today, year):
    assert financial_year(value, today) == year


@pytest.mark.parametrize("value", ["2023", "2028", "FY26", "2026.5", "-1"])
def test_a_year_outside_the_reports_is_refused_with_what_is_allowed(value):
    with pytest.raises(InvalidInput) as refused:
        financial_year(value, date(2026, 11, 30))
    assert "from 2024 to 2027" in str(refused.value)


def pack(client, world, kind="cirmp.xlsx", **args):
    return client.get(
        f"/assessments/{world['assessment'].id}/{kind}", query_string=args
    )


def test_the_pack_covers_the_year_the_hazards_and_the_evidence(
    world, login, org_client, db
):
    login("ed@acme.test")
    aid = world["assessment"].id
    item = world["evidence"]
    save(org_client, aid, "sp-09-02-br", 0, current="2", target="3", owner="Jo")
    org_client.post(
        f"/assessments/{aid}/scores/sp-09-02-br/evidence", data={"evidence_id": item.id}
    )
    # One change inside FY2026 and one before it.
    changes = db.exec(select(ScoreChange)).all()
    changes[0].changed_at = datetime(2025, 6, 30, 23, 0, tzinfo=UTC)  # FY2025
    for change in changes[1:]:
        change.changed_at = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)  # FY2026
    db.commit()
    response = pack(org_client, world, year="2026")
    assert response.status_code == 200
    assert "FY2026" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == [
        "About",
        "Maturity",
        "Hazards",
        "Evidence",
        "Changes",
        "Board approval",
    ]
    about = {r[0]: r[1] for r in book["About"].iter_rows(values_only=True) if r}
    assert about["Financial year"] == "FY2026: 1 July 2025 to 30 June 2026"
    assert "not one of the frameworks named in section 8" in about["Section 8"]
    hazards = list(book["Hazards"].iter_rows(min_row=2, values_only=True))
    assert {h[0] for h in hazards} <= set(HAZARDS)
    row = next(h for h in hazards if h[1] == "SP.09.02 BR")
    assert row[0] == "Cyber and information security hazards"
    assert row[5] == "level 2 of target 3, in progress"
    assert row[6] == f"{item.id}: {item.title}"
    sr = next(h for h in hazards if h[1] == "SR 1.1 RE(1)")
    assert sr[0] == "Physical security hazards and natural hazards"
    assert sr[5] == "not in this assessment's parts"
    evidence = [r[1] for r in book["Evidence"].iter_rows(min_row=2, values_only=True)]
    assert item.title in evidence
    fields = [r[2] for r in book["Changes"].iter_rows(min_row=2, values_only=True)]
    assert len(fields) == len(changes) - 1  # the FY2025 change is left out
    board = [r[0] for r in book["Board approval"].iter_rows(values_only=True) if r]
    assert "Resolution reference" in board


def test_the_pack_prints_as_a_page(world, login, org_client):
    login("vi@acme.test")
    page = BeautifulSoup(
        pack(org_client, world, "cirmp", year="2026").text, "html.parser"
    )
    assert page.select_one("h1").get_text() == "CIRMP evidence pack, FY2026"
    assert [h.get_text() for h in page.select("section.hazard h3")] == list(HAZARDS)
    assert "1 July 2025 to 30 June 2026" in page.get_text()


def test_a_bad_year_gets_a_clear_page(world, login, org_client):
    login("vi@acme.test")
    response = pack(org_client, world, "cirmp", year="1999")
    assert response.status_code == 422
    assert "2026 means 1 July 2025 to 30 June 2026" in response.text
