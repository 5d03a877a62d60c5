"""The content engine: every fault reported as path:line, loads all-or-nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlmodel import Session, func, select

from kb.content.loader import read_tree
from kb.db import get_engine
from kb.models import ContentItem
from tests.conftest import FIXTURE_CONTENT, make_app, run_cli

FAULTS = {
    "requirements/62443-3-3/sr-1-2.md": (
        "---\nid: SR 1.2\ntitle: [unclosed\n---\nBody\n",
        "content/requirements/62443-3-3/sr-1-2.md:3: invalid YAML",
    ),
    "evidence/ev-extra.md": (
        "---\nid: EV-EXTRA\ntitle: Extra field\nowner: shared\nreview: yearly\n"
        "colour: blue\n---\nBody\n",
        "content/evidence/ev-extra.md:6: colour: unknown field; allowed fields:",
    ),
    "policies/pol-dup.md": (
        "---\nid: POL-ACCESS-CONTROL\ntitle: Duplicate\napprover: me\nreview: yearly\n---\n",
        "content/policies/pol-dup.md:2: duplicate id 'POL-ACCESS-CONTROL' "
        "(also in content/policies/pol-access-control.md)",
    ),
    "areas/ca-03.md": (
        "---\nid: CA-03\ntitle: Use control\noutcome: Fine.\n---\n"
        + ("word " * 45)
        + "\n\nSee [[SR 9.9]] here.\n",
        "content/areas/ca-03.md:8: [[SR 9.9]] links to an unknown id",
    ),
    "sectors/sec-missing.md": (
        "---\nid: SEC-MISSING\nregulators: []\n---\n",
        "content/sectors/sec-missing.md:2: title: required field is missing",
    ),
    "offerings/off-bad.md": (
        "---\nid: OFF-BAD\ntitle: Bad coverage\naddresses:\n  - {id: SR 1.1, coverage: full}\n"
        "  - {id: SR 1.1 RE(1), coverage: most}\n---\n",
        "content/offerings/off-bad.md:6: addresses.1.coverage: Input should be",
    ),
}


@pytest.fixture
def broken_tree(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, root)
    for name, (text, _message) in FAULTS.items():
        (root / name).write_text(text)
    return root


def test_fixture_content_has_no_problems():
    catalogue = read_tree(FIXTURE_CONTENT)
    assert [str(p) for p in catalogue.problems] == []
    assert len(catalogue.entries) == 33


def test_every_fault_is_reported_with_path_and_line(broken_tree):
    problems = [str(p) for p in read_tree(broken_tree).problems]
    for _text, expected in FAULTS.values():
        assert any(p.startswith(expected) for p in problems), (expected, problems)


def test_kb_check_prints_every_problem_and_fails(tmp_path, broken_tree):
    result = run_cli(make_app(tmp_path, broken_tree), "check")
    assert result.exit_code == 1
    for _text, expected in FAULTS.values():
        assert expected in result.output
    assert f"{len(read_tree(broken_tree).problems)} problem(s)" in result.output


def test_a_bad_tree_changes_nothing_in_the_database(tmp_path, broken_tree):
    good = make_app(tmp_path)
    assert run_cli(good, "load").exit_code == 0
    with good.app_context(), Session(get_engine()) as session:
        before = session.exec(select(ContentItem.id, ContentItem.title)).all()
    bad = make_app(tmp_path, broken_tree)
    result = run_cli(bad, "load")
    assert result.exit_code == 1
    with bad.app_context(), Session(get_engine()) as session:
        assert session.exec(select(ContentItem.id, ContentItem.title)).all() == before


def test_load_is_idempotent(tmp_path):
    app = make_app(tmp_path)
    first = run_cli(app, "load")
    second = run_cli(app, "load")
    assert "33 new" in first.output
    assert "loaded 33 items: 0 new, 0 changed, 0 retired" in second.output


def test_a_removed_file_retires_its_item(tmp_path):
    root = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, root)
    app = make_app(tmp_path, root)
    run_cli(app, "load")
    (root / "offerings" / "off-pentest.md").unlink()
    sector = root / "sectors" / "sec-critical-infrastructure.md"
    sector.write_text(
        sector.read_text().replace("offerings: [OFF-PENTEST]", "offerings: []")
    )
    result = run_cli(app, "load")
    assert "1 retired" in result.output
    client = app.test_client()
    assert client.get("/offerings/off-pentest").status_code == 404
    assert "Penetration Testing" not in client.get("/requirements/sr-1-1").text
    with app.app_context(), Session(get_engine()) as session:
        total = session.exec(select(func.count()).select_from(ContentItem)).one()
    assert total == 33


def test_coverage_rules_name_what_is_missing(tmp_path):
    root = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, root)
    page = root / "requirements" / "62443-2-4" / "sp-09-02-br.md"
    page.write_text(
        page.read_text().replace("- ML 4: account reviews are measured", "x")
    )
    evidence = root / "evidence" / "ev-orphan.md"
    evidence.write_text(
        (root / "evidence" / "ev-restore-test.md")
        .read_text()
        .replace("EV-RESTORE-TEST", "EV-ORPHAN")
    )
    problems = [str(p) for p in read_tree(root).problems]
    assert (
        "content/requirements/62443-2-4/sp-09-02-br.md:2: the body needs a "
        "'**Scoring.**' section with '- ML 1:' to '- ML 4:' lines"
    ) in problems
    assert (
        "content/evidence/ev-orphan.md:2: no requirement links evidence 'EV-ORPHAN'"
        in problems
    )


def test_synonyms_are_checked_like_content(tmp_path):
    root = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, root)
    (root / "synonyms.yaml").write_text(
        "groups:\n"
        "  - [mfa, multi-factor authentication]\n"
        "  - [dos]\n"
        "  - [patch, Security Update!]\n"
        "  - [2fa, mfa]\n"
    )
    problems = [str(p) for p in read_tree(root).problems]
    assert any(
        p.startswith("content/synonyms.yaml:3: groups.1: List should have at least 2")
        for p in problems
    ), problems
    assert any(
        p.startswith("content/synonyms.yaml:4: groups.2.1: String should match")
        for p in problems
    ), problems
    (root / "synonyms.yaml").write_text(
        "groups:\n  - [mfa, multi-factor authentication]\n  - [2fa, mfa]\n"
    )
    assert [str(p) for p in read_tree(root).problems] == [
        "content/synonyms.yaml:3: 'mfa' is already in group 1; a term belongs to "
        "one group"
    ]


def test_an_ml_1_line_that_describes_absence_is_refused(tmp_path):
    root = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, root)
    page = root / "requirements" / "62443-2-4" / "sp-09-02-br.md"
    text = page.read_text()
    line = next(row for row in text.splitlines() if row.startswith("- ML 1:"))
    number = text.splitlines().index(line) + 1
    for absent in (
        "- ML 1: nobody reviews accounts.",
        "- ML 1: accounts are never reviewed.",
        "- ML 1: no review; accounts pile up.",
    ):
        page.write_text(text.replace(line, absent))
        assert [str(p) for p in read_tree(root).problems] == [
            f"content/requirements/62443-2-4/sp-09-02-br.md:{number}: ML 1 is the "
            "practice done ad hoc, not its absence (that is level 0): say what is "
            "done, informally or unevenly"
        ], absent
    page.write_text(text.replace(line, "- ML 1: accounts are reviewed now and then."))
    assert read_tree(root).problems == []


def test_a_threat_scenario_is_checked_like_the_rest(tmp_path):
    root = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, root)
    page = root / "threats" / "th-fixture-intruder.md"
    text = page.read_text()
    page.write_text(
        text.replace("counters: [SR 1.1]", "counters: [SR 1.1, SR 9.9]")
        .replace("sources: [simple, sophisticated]", "sources: [simple, aliens]")
        .replace("**What counters it.** [[SR 1.1]].", "")
    )
    problems = [str(p) for p in read_tree(root).problems]
    assert any(
        p.startswith(
            "content/threats/th-fixture-intruder.md:4: sources.1: Input should be"
        )
        for p in problems
    ), problems
    page.write_text(
        text.replace("counters: [SR 1.1]", "counters: [SR 1.1, SR 9.9]").replace(
            "**What counters it.** [[SR 1.1]].", ""
        )
    )
    assert [str(p) for p in read_tree(root).problems] == [
        "content/threats/th-fixture-intruder.md:6: unknown requirement id 'SR 9.9'",
        "content/threats/th-fixture-intruder.md:2: a threat scenario's body needs a "
        "'**What counters it.**' section",
    ]


def test_a_threat_and_its_requirements_link_both_ways(client):
    threat = client.get("/threats/th-fixture-intruder").text
    assert "Requirements that counter it" in threat and "/requirements/sr-1-1" in threat
    assert "SL 3: Deliberate, sophisticated" in threat
    requirement = client.get("/requirements/sr-1-1").text
    assert "Threat scenarios it counters" in requirement
    assert "An intruder logs in with a guessed password" in requirement
    assert "Threat scenarios that bear on it" in client.get("/requirements/fr-1").text
    found = client.get("/api/v1/search?q=guessed+password").json["hits"]
    assert found[0]["id"] == "TH-FIXTURE-INTRUDER"
