"""Assessments, scores, bulk updates and history through the JSON API: pages, ETags,
version checks, and every bad input refused as problem details that change nothing."""

from __future__ import annotations

from sqlmodel import func, select

from kb.models import Assessment, AuditEvent, Score
from kb.web.api.models import BULK_LIMIT


def scores_url(world, key: str = "") -> str:
    base = f"/api/v1/assessments/{world['assessment'].id}/scores"
    return f"{base}/{key}" if key else base


def count(db, model) -> int:
    return db.exec(select(func.count()).select_from(model)).one()


def problems(response) -> dict[str, str]:
    assert response.mimetype == "application/problem+json", response.text
    return {p["field"]: p["message"] for p in response.json.get("problems", [])}


def test_create_read_rename_and_archive_an_assessment(world, login, org_client, db):
    login("ed@acme.test")
    made = org_client.post(
        "/api/v1/orgs/acme-water/assessments",
        json={"name": "FY27", "parts": ["62443-2-4", "62443-3-3"], "scope": "Plant A"},
    )
    assert made.status_code == 201
    aid = made.json["id"]
    assert made.json["parts"] == ["62443-2-4", "62443-3-3"]
    assert org_client.get(f"/api/v1/assessments/{aid}").json["name"] == "FY27"
    listed = org_client.get("/api/v1/orgs/acme-water/assessments").json
    assert [a["name"] for a in listed["assessments"]] == ["FY27", "Acme FY26 baseline"]
    login.logout()
    login("admin@acme.test")
    renamed = org_client.patch(
        f"/api/v1/assessments/{aid}",
        json={"name": "FY27 plant A", "status": "archived"},
    )
    assert renamed.status_code == 200
    assert (renamed.json["name"], renamed.json["status"]) == (
        "FY27 plant A",
        "archived",
    )
    active = org_client.get("/api/v1/orgs/acme-water/assessments").json
    assert "FY27 plant A" not in [a["name"] for a in active["assessments"]]
    archived = org_client.get(
        "/api/v1/orgs/acme-water/assessments?status=archived"
    ).json
    assert [a["name"] for a in archived["assessments"]] == ["FY27 plant A"]
    events = db.exec(
        select(AuditEvent.action).where(AuditEvent.target.like("FY27%"))
    ).all()
    assert sorted(events) == ["assessment archived", "assessment created"]


def test_bad_assessment_bodies_name_the_field_and_change_nothing(
    world, login, org_client, db
):
    login("ed@acme.test")
    before = count(db, Assessment)
    url = "/api/v1/orgs/acme-water/assessments"
    malformed = org_client.post(
        url, data='{"name": "x",', content_type="application/json"
    )
    assert malformed.status_code == 400
    assert "not valid JSON" in malformed.json["detail"]
    assert problems(org_client.post(url, json=["a list"])) == {
        "body": "send a JSON object"
    }
    wrong = problems(org_client.post(url, json={"name": 7, "parts": "62443-2-4"}))
    assert set(wrong) == {"name", "parts"}
    unknown = problems(
        org_client.post(
            url, json={"name": "x", "parts": ["62443-2-4"], "colour": "red"}
        )
    )
    assert unknown == {"colour": "unknown field"}
    no_parts = problems(org_client.post(url, json={"name": "x", "parts": []}))
    assert no_parts == {"parts": "choose at least one part"}
    bad_patch = problems(
        org_client.patch(
            f"/api/v1/assessments/{world['assessment'].id}", json={"status": "gone"}
        )
    )
    assert "status" in bad_patch
    assert count(db, Assessment) == before


def test_scores_list_filters_and_pages(world, login, org_client):
    login("ed@acme.test")
    first = org_client.get(scores_url(world) + "?limit=1")
    assert first.status_code == 200
    assert first.json["total"] == 2
    assert [s["requirement"] for s in first.json["scores"]] == ["SP.09.02 BR"]
    assert first.json["scores"][0] | {"title": "", "updated_at": None} == {
        "requirement": "SP.09.02 BR",
        "title": "",
        "part": "62443-2-4",
        "area": "CA-02",
        "applicable": True,
        "na_reason": "",
        "current": None,
        "target": None,
        "gap": None,
        "owner": "",
        "due": None,
        "status": "not started",
        "notes": "",
        "version": 0,
        "updated_at": None,
    }
    second = org_client.get(
        scores_url(world) + f"?limit=1&cursor={first.json['next_cursor']}"
    )
    assert [s["requirement"] for s in second.json["scores"]] == ["SP.12.05 BR"]
    assert second.json["next_cursor"] is None
    bad = org_client.get(scores_url(world) + "?limit=0&cursor=%%%")
    assert set(problems(bad)) == {"limit", "cursor"}
    org_client.put(
        scores_url(world, "SP.12.05 BR"), json={"version": 0, "current": 1, "target": 3}
    )
    gaps = org_client.get(scores_url(world) + "?gap=1").json
    assert [s["requirement"] for s in gaps["scores"]] == ["SP.12.05 BR"]
    assert gaps["scores"][0]["gap"] == 2


def test_one_score_with_etag_if_match_and_a_stale_write(world, login, org_client):
    login("ed@acme.test")
    url = scores_url(world, "sp-09-02-br")
    read = org_client.get(url)
    assert read.headers["ETag"] == '"v0"'
    assert org_client.get(url, headers={"If-None-Match": '"v0"'}).status_code == 304
    saved = org_client.put(
        url,
        json={"current": 2, "target": 3, "owner": "Priya"},
        headers={"If-Match": '"v0"'},
    )
    assert saved.status_code == 200
    assert (saved.json["version"], saved.json["current"], saved.json["gap"]) == (
        1,
        2,
        1,
    )
    kept = org_client.put(url, json={"version": 1, "status": "in progress"})
    assert (kept.json["owner"], kept.json["current"], kept.json["status"]) == (
        "Priya",
        2,
        "in progress",
    )  # fields not sent keep their values
    stale = org_client.put(url, json={"version": 1, "current": 4})
    assert stale.status_code == 409
    assert "at version 2 now (current 2, target 3" in stale.json["detail"]
    assert org_client.get(url).json["current"] == 2
    too_high = org_client.put(url, json={"version": 2, "current": 5})
    assert problems(too_high) == {"current": "Input should be less than or equal to 4"}
    no_version = org_client.put(url, json={"current": 1})
    assert "version" in problems(no_version)
    assert org_client.get(scores_url(world, "SR 9.9")).status_code == 404


def test_bulk_update_is_all_or_nothing(world, login, org_client, db):
    login("ed@acme.test")
    url = scores_url(world) + "/bulk"
    bad = org_client.post(
        url,
        json={
            "rows": [
                {"requirement": "SP.09.02 BR", "version": 0, "current": 2},
                {"requirement": "sp-12-05-br", "version": 0, "current": 5},
                {"requirement": "SR 9.9", "version": 0},
                {"requirement": "SP.09.02 BR", "version": 0, "colour": "red"},
            ]
        },
    )
    assert bad.status_code == 422
    assert problems(bad) == {
        "rows.1.current": "Input should be less than or equal to 4",
        "rows.2.requirement": "not a requirement in this assessment's scope",
        "rows.3.colour": "unknown field",
    }
    assert count(db, Score) == 0
    good = org_client.post(
        url,
        json={
            "rows": [
                {"requirement": "SP.09.02 BR", "version": 0, "current": 2, "target": 3},
                {"requirement": "sp-12-05-br", "version": 0, "current": 1},
            ]
        },
    )
    assert good.status_code == 200
    assert (good.json["saved"], good.json["changed"]) == (2, 2)
    stale = org_client.post(
        url,
        json={
            "rows": [
                {"requirement": "SP.09.02 BR", "version": 1, "current": 4},
                {"requirement": "SP.12.05 BR", "version": 0, "current": 4},
            ]
        },
    )
    assert (
        stale.status_code == 409
        and "SP.12.05 BR changed since version 0" in stale.json["detail"]
    )
    assert org_client.get(scores_url(world, "sp-09-02-br")).json["current"] == 2
    huge = org_client.post(url, json={"rows": [{}] * (BULK_LIMIT + 1)})
    assert problems(huge) == {
        "rows": "List should have at most 10000 items after validation, not 10001"
    }


def test_history_lists_changes_newest_first_with_who(world, login, org_client):
    login("ed@acme.test")
    url = scores_url(world, "sp-09-02-br")
    org_client.put(url, json={"version": 0, "current": 1})
    org_client.put(url, json={"version": 1, "current": 2, "reason": "audit passed"})
    history = org_client.get(
        f"/api/v1/assessments/{world['assessment'].id}/history?limit=1"
    ).json
    first = history["changes"][0]
    assert (
        first["field"],
        first["old"],
        first["new"],
        first["by"],
        first["reason"],
    ) == (
        "current",
        "1 Initial",
        "2 Managed",
        "ed@acme.test",
        "audit passed",
    )
    assert history["next_cursor"]


def test_a_body_over_the_limit_is_refused_as_a_problem(
    world, login, org_client, org_app
):
    login("ed@acme.test")
    org_app.config["MAX_CONTENT_LENGTH"] = 1000
    response = org_client.post(
        scores_url(world) + "/bulk", json={"rows": [{"notes": "x" * 2000}]}
    )
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"


def test_evidence_items_page_by_limit_and_cursor(world, login, org_client, db):
    from tests import factories

    for n in range(2):
        factories.make_evidence(
            db, org=world["acme"], user=world["editor"], title=f"Item {n}"
        )
    login("ed@acme.test")
    url = "/api/v1/orgs/acme-water/evidence"
    first = org_client.get(url + "?limit=2").json
    assert first["count"] == 3 and len(first["items"]) == 2
    second = org_client.get(url + f"?limit=2&cursor={first['next_cursor']}").json
    assert len(second["items"]) == 1 and second["next_cursor"] is None
    seen = {i["id"] for i in first["items"]} | {i["id"] for i in second["items"]}
    assert len(seen) == 3
