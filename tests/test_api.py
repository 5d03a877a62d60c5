"""The JSON API: what other tools get from /api/v1."""

from __future__ import annotations


def test_requirements_lists_every_requirement_with_its_fields(client):
    body = client.get("/api/v1/requirements").json
    assert body["count"] == 18
    sr = next(r for r in body["requirements"] if r["id"] == "SR 1.1")
    assert sr == {
        "id": "SR 1.1",
        "part": "62443-3-3",
        "edition": "2013",
        "type": "requirement",
        "title": "Human user identification and authentication",
        "area": "CA-02",
        "parent": "FR 1",
        "levels": {"sl": [1, 2, 3, 4]},
        "provisional": False,
        "url": "/requirements/sr-1-1",
    }


def test_requirements_filter_by_part(client):
    body = client.get("/api/v1/requirements?part=62443-2-4").json
    assert [r["id"] for r in body["requirements"]] == [
        "SP.09",
        "SP.09.02 BR",
        "SP.12",
        "SP.12.05 BR",
    ]
    assert client.get("/api/v1/requirements?part=nope").json["count"] == 0


def test_one_requirement_has_every_field_and_link(client):
    body = client.get("/api/v1/requirements/SR%201.1").json
    assert body["links"]["evidence"][0]["id"] == "EV-ACCOUNT-REGISTER"
    assert body["links"]["area"][0]["url"] == "/areas/ca-02"
    assert body["backlinks"]["addresses"][1] == {
        "id": "OFF-PENTEST",
        "kind": "offering",
        "title": "Penetration Testing",
        "url": "/offerings/off-pentest",
        "coverage": "supports",
    }
    assert body["crosswalks"] == [
        {
            "framework": "nist-csf",
            "id": "PR.AC-1",
            "title": "Identities and credentials are managed",
            "relation": "related",
            "basis": "published",
        }
    ]
    assert body["summary"].startswith("Every person who uses the control system")
    assert (
        client.get("/api/v1/requirements/sr-1-1-re-1").json["verify"].startswith("SL 2")
    )


def test_unknown_requirement_is_a_json_404(client):
    response = client.get("/api/v1/requirements/SR%209.9")
    assert response.status_code == 404
    assert response.json["detail"] == "There is no requirement with the id 'SR 9.9'."
