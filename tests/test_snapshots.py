"""Snapshots freeze an assessment; the trend and comparisons read them back."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import event
from sqlmodel import select

from kb.models import Snapshot
from kb.services import snapshots
from kb.services.compare import classify, compare_areas, compare_scores, counts
from tests import factories


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def score(client, aid, slug, version, current, target="3"):
    data = {"version": version, "applicable": "true", "status": "in progress"}
    return client.post(
        f"/assessments/{aid}/scores/{slug}",
        data=data | {"current": current, "target": target},
    )


# -- pure comparison -------------------------------------------------------------------


def s(current=None, target=None, applicable=True, status="in progress"):
    return {
        "title": "t",
        "area": "CA-01",
        "current": current,
        "target": target,
        "applicable": applicable,
        "status": status,
    }


@pytest.mark.parametrize(
    ("before", "after", "kind"),
    [
        (None, s(1), "new"),
        (s(1), None, "removed"),
        (s(1), s(2), "improved"),
        (s(None), s(0), "improved"),  # newly assessed
        (s(3), s(2), "regressed"),
        (s(2), s(2, applicable=False), "regressed"),  # no longer counted
        (s(2, 3), s(2, 4), "changed"),
        (s(2, 3), s(2, 3, status="verified"), "changed"),
        (s(2, 3), s(2, 3), "same"),
    ],
)
def test_classify(before, after, kind):
    assert classify(before, after) == kind


def test_compare_scores_and_areas():
    changes = compare_scores({"A": s(1), "B": s(2)}, {"B": s(3), "C": s(0)})
    assert [(c.requirement_id, c.kind) for c in changes] == [
        ("A", "removed"),
        ("B", "improved"),
        ("C", "new"),
    ]
    assert counts(changes)["improved"] == 1 and counts(changes)["same"] == 0
    areas = compare_areas(
        {"CA-01": {"mean_current": 1.5, "at_target": 1}},
        {
            "CA-01": {"mean_current": 2.0, "at_target": 2},
            "CA-02": {"mean_current": None},
        },
    )
    assert [(a.area, a.delta) for a in areas] == [("CA-01", 0.5), ("CA-02", None)]


# -- snapshots -------------------------------------------------------------------------


def test_a_snapshot_is_unchanged_by_later_edits(world, login, org_client):
    login("ed@acme.test")
    aid = world["assessment"].id
    score(org_client, aid, "sp-09-02-br", 0, "1")
    taken = org_client.post(
        f"/assessments/{aid}/snapshots", data={"label": "Before review"}
    )
    assert taken.status_code == 303
    score(org_client, aid, "sp-09-02-br", 1, "3")
    page = soup(org_client.get(taken.headers["Location"]))
    assert page.h1.get_text() == "Before review"
    row = page.select_one("table.snapshot-scores tbody tr")
    assert "SP.09.02 BR" in row.th.get_text() and "1 Initial" in row.get_text()
    rollups = org_client.get(
        f"/api/v1/assessments/{aid}/rollups",
        query_string={"snapshot": taken.headers["Location"].rsplit("/", 1)[1]},
    ).json
    assert rollups["assessment"]["mean_current"] == 1.0
    now = org_client.get(f"/api/v1/assessments/{aid}/rollups").json
    assert now["assessment"]["mean_current"] == 3.0


def test_a_snapshot_keeps_each_components_sl_c_as_it_was(world, login, org_client):
    login("ed@acme.test")
    aid, component = world["assessment"].id, world["component"].id
    state = f"/api/v1/components/{component}/requirements/CR 1.1"
    assert org_client.put(state, json={"state": "met"}).status_code == 200
    then = org_client.get(f"/api/v1/components/{component}").json["sl_c"]
    taken = org_client.post(f"/assessments/{aid}/snapshots", data={"label": "PLC"})
    org_client.put(state, json={"state": "not met"})
    assert org_client.get(f"/api/v1/components/{component}").json["sl_c"] != then
    page = soup(org_client.get(taken.headers["Location"]))
    (row,) = page.select("#snapshot-components tbody tr")
    assert "Acme secret-plan PLC" in row.th.get_text()
    achieved = row.select("td")[1].get_text()
    assert achieved == "{" + " ".join(map(str, then)) + "}"


def test_a_snapshot_survives_a_catalogue_reload_without_its_requirement(
    world, db, tmp_path
):
    """The snapshot keeps ids, titles and levels as data, not links to the catalogue."""
    snapshot = snapshots.take(
        db, world["assessment"], world["editor"], "Kept", date.today()
    )
    db.commit()
    data = dict(snapshot.data)
    from kb.models import ContentItem

    item = db.get(ContentItem, "SP.09.02 BR")
    item.title = "Renamed by a later catalogue"
    db.commit()
    db.expire_all()
    again = db.get(Snapshot, snapshot.id)
    assert again.data == data
    assert again.data["scores"]["SP.09.02 BR"]["title"] == "Unique user accounts"


def test_the_first_change_of_a_month_takes_one_snapshot(world, db):
    assessment, user = world["assessment"], world["editor"]
    november = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)
    first = snapshots.monthly(db, assessment, user, november)
    assert first is not None and first.automatic
    assert first.label == "Start of November 2026 (automatic)"
    assert snapshots.monthly(db, assessment, user, november.replace(day=20)) is None
    december = snapshots.monthly(
        db, assessment, user, datetime(2026, 12, 1, tzinfo=UTC)
    )
    assert december is not None
    automatic = [s for s in snapshots.list_snapshots(db, assessment) if s.automatic]
    assert len(automatic) == 2


def test_a_months_snapshot_once_seen_is_not_looked_up_again(world, db):
    """A save after the month's snapshot costs no query for it (snapshots are never
    deleted, so having seen one is enough)."""
    assessment, user = world["assessment"], world["editor"]
    november = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)
    snapshots.monthly(db, assessment, user, november)
    db.commit()
    statements = []
    listen = event.listens_for(db.connection(), "before_cursor_execute")
    listen(lambda *args: statements.append(args[2]))
    assert snapshots.monthly(db, assessment, user, november.replace(day=9)) is None
    assert len(statements) == 1  # the look-up that finds it
    assert snapshots.monthly(db, assessment, user, november.replace(day=20)) is None
    assert len(statements) == 1  # remembered
    assert snapshots.monthly(db, assessment, user, datetime(2026, 12, 1, tzinfo=UTC))
    assert len(statements) > 1  # a new month is looked up, and taken


def test_scoring_takes_the_months_automatic_snapshot(world, login, org_client, db):
    login("ed@acme.test")
    aid = world["assessment"].id
    score(org_client, aid, "sp-09-02-br", 0, "1")
    score(org_client, aid, "sp-09-02-br", 1, "2")
    db.expire_all()
    taken = db.exec(
        select(Snapshot).where(Snapshot.assessment_id == aid, Snapshot.automatic)
    ).all()
    assert len(taken) == 1 and taken[0].automatic
    # Taken before the first change: it holds the month as it found it.
    assert taken[0].data["scores"]["SP.09.02 BR"]["current"] is None


@pytest.mark.parametrize(
    ("label", "message"),
    [("", "at least 1 character"), ("x" * 10_000, "at most 200 characters")],
)
def test_a_bad_label_is_refused(world, login, org_client, db, label, message):
    login("ed@acme.test")
    aid = world["assessment"].id
    before = len(db.exec(select(Snapshot)).all())
    response = org_client.post(f"/assessments/{aid}/snapshots", data={"label": label})
    assert response.status_code == 422 and message in response.text
    db.expire_all()
    assert len(db.exec(select(Snapshot)).all()) == before


def test_the_api_lists_and_takes_snapshots(world, login, org_client):
    login("ed@acme.test")
    aid = world["assessment"].id
    made = org_client.post(f"/api/v1/assessments/{aid}/snapshots", json={"label": "Q3"})
    assert made.status_code == 201 and made.json["label"] == "Q3"
    listed = org_client.get(f"/api/v1/assessments/{aid}/snapshots").json
    # The world's assessment has one snapshot already.
    assert [s["label"] for s in listed["snapshots"]] == ["Acme secret-plan", "Q3"]
    future = org_client.post(
        f"/api/v1/assessments/{aid}/snapshots",
        json={"label": "Later", "taken_at": "2099-01-01"},
    )
    assert future.status_code == 422
    assert future.json["problems"][0]["field"] == "taken_at"


def test_an_archived_assessment_can_be_snapshotted_and_read(world, login, org_client):
    login("admin@acme.test")
    aid = world["assessment"].id
    org_client.post(f"/assessments/{aid}/archive", data={"archived": "1"})
    taken = org_client.post(f"/assessments/{aid}/snapshots", data={"label": "Archived"})
    assert taken.status_code == 303
    assert org_client.get(taken.headers["Location"]).status_code == 200


def test_a_viewer_reads_snapshots_but_takes_none(world, login, org_client):
    login("vi@acme.test")
    aid = world["assessment"].id
    page = org_client.get(f"/assessments/{aid}/snapshots")
    assert page.status_code == 200 and "Take a snapshot now" not in page.text
    assert (
        org_client.post(
            f"/assessments/{aid}/snapshots", data={"label": "x"}
        ).status_code
        == 403
    )


# -- trend and compare -------------------------------------------------------------------


def test_the_trend_draws_a_point_per_snapshot_and_now(world, login, org_client, db):
    login("ed@acme.test")
    aid = world["assessment"].id
    snapshots.take(db, world["assessment"], world["editor"], "Empty", date.today())
    db.commit()
    score(org_client, aid, "sp-09-02-br", 0, "2")
    page = soup(org_client.get(f"/assessments/{aid}/trend"))
    rows = {
        tr.th.get_text(): [td.get_text() for td in tr.find_all("td")]
        for tr in page.select("table.trend tbody tr")
    }
    # The world's snapshot, "Empty", the month's automatic one (before the score), now.
    assert rows["Assessed (%)"] == ["0.0", "0.0", "0.0", "50.0"]
    assert rows["CA-02"] == ["–", "–", "–", "2.0"]
    svg = page.select_one("svg.line-chart")
    assert svg["role"] == "img" and len(svg.select("circle")) >= 3


def test_compare_a_snapshot_with_now(world, login, org_client, db):
    login("ed@acme.test")
    aid = world["assessment"].id
    score(org_client, aid, "sp-09-02-br", 0, "1")
    before = snapshots.take(
        db, world["assessment"], world["editor"], "Before", date.today()
    )
    db.commit()
    score(org_client, aid, "sp-09-02-br", 1, "3")
    score(org_client, aid, "sp-12-05-br", 0, "0")
    page = soup(
        org_client.get(
            f"/assessments/{aid}/compare", query_string={"a": before.id, "changes": "1"}
        )
    )
    kinds = {
        tr.th.select_one(".id").get_text(): tr.select_one(".change").get_text()
        for tr in page.select("table.compare-scores tbody tr")
    }
    assert kinds == {"SP.09.02 BR": "improved", "SP.12.05 BR": "improved"}
    areas = {
        tr.th.get_text(): tr.find_all("td")[2].get_text()
        for tr in page.select("table.compare-areas tbody tr")
    }
    assert areas["CA-02"] == "+2.0"


def test_compare_two_assessments_of_the_organisation(world, login, org_client, db):
    login("ed@acme.test")
    other = factories.make_assessment(db, org=world["acme"], name="Last year")
    db.commit()
    aid = world["assessment"].id
    score(org_client, aid, "sp-09-02-br", 0, "2")
    page = org_client.get(
        f"/assessments/{aid}/compare", query_string={"a": f"a{other.id}", "b": "now"}
    )
    assert page.status_code == 200
    assert "Last year, now → Acme FY26 baseline, now" in soup(page).h1.get_text()


def test_comparing_with_another_organisation_is_404(world, login, org_client):
    login("ed@acme.test")
    response = org_client.get(
        f"/assessments/{world['assessment'].id}/compare",
        query_string={"a": f"a{world['theirs'].id}"},
    )
    assert response.status_code == 404 and "secret review" not in response.text


def test_a_snapshot_of_another_assessment_is_404(world, login, org_client, db):
    theirs = snapshots.take(
        db, world["theirs"], world["stranger"], "Theirs", date.today()
    )
    db.commit()
    login("ed@acme.test")
    aid = world["assessment"].id
    assert (
        org_client.get(f"/assessments/{aid}/snapshots/{theirs.id}").status_code == 404
    )
    assert (
        org_client.get(
            f"/assessments/{aid}/compare", query_string={"a": theirs.id}
        ).status_code
        == 404
    )


def test_a_snapshot_survives_kb_load_of_a_changed_catalogue(tmp_path):
    """Reload a catalogue with a requirement renamed and another removed: the snapshot
    still shows both as they were."""
    import shutil

    from tests.conftest import (
        FIXTURE_CONTENT,
        Login,
        build_world,
        make_app,
        run_cli,
        session_for,
    )

    content = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, content)
    app = make_app(tmp_path / "app", content_dir=content)
    assert run_cli(app, "load").exit_code == 0
    with session_for(app) as db:
        world = build_world(db)
        taken = snapshots.take(
            db, world["assessment"], world["editor"], "Kept", date.today()
        )
        db.commit()
        snapshot_id, aid = taken.id, world["assessment"].id
    page = content / "requirements/62443-2-4/sp-09-02-br.md"
    page.write_text(
        page.read_text().replace("title: Unique user accounts", "title: Renamed later")
    )
    (content / "requirements/62443-2-4/sp-12-05-br.md").unlink()
    # The removed requirement is linked from others only through its page: drop the links.
    for path in content.rglob("*.md"):
        text = path.read_text()
        if "SP.12.05 BR" in text and path.name != "sp-12-05-br.md":
            path.write_text(text.replace("[[SP.12.05 BR]]", "SP.12.05 BR"))
    result = run_cli(app, "load")
    assert result.exit_code == 0, result.output
    client = app.test_client()
    Login(client)("ed@acme.test")
    shown = soup(client.get(f"/assessments/{aid}/snapshots/{snapshot_id}"))
    rows = shown.select_one("table.snapshot-scores").get_text(" ")
    assert "Unique user accounts" in rows and "Renamed later" not in rows
    assert "SP.12.05 BR" in rows
    register = client.get(f"/assessments/{aid}").text
    assert "Renamed later" in register and "SP.12.05 BR" not in register
