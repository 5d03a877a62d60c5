"""Search that forgives, on the real catalogue: misspelt words are corrected and the
corrected query is run (and said), synonyms find each other, and a topic's
requirements rank above the artefacts that serve them."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup


@pytest.fixture
def api(real_app):
    client = real_app.test_client()
    return lambda q, **p: client.get("/api/v1/search", query_string={"q": q, **p}).json


@pytest.mark.parametrize(
    ("typed", "run"),
    [
        ("authentcation", "authentication"),  # one edit
        ("authentcaton", "authentication"),  # two edits in a long word
        ("firewal rule reveiw", "firewall rule review"),  # each unknown word
        ("incidnet response", "incident response"),
    ],
)
def test_a_misspelt_query_runs_corrected_and_says_so(api, typed, run):
    body = api(typed)
    assert body["query"] == run and body["corrected_from"] == typed
    assert body["total"] > 0


def test_a_short_word_is_not_stretched_two_edits(api):
    body = api("xqzt")
    assert body["total"] == 0 and body["corrected_from"] is None


def test_the_page_and_the_quick_box_say_which_query_ran(real_app):
    client = real_app.test_client()
    page = BeautifulSoup(client.get("/search/?q=authentcation").text, "html.parser")
    note = page.select_one("p.corrected").get_text(" ", strip=True)
    assert (
        note == "Showing results for authentication ; search instead for authentcation"
    )
    instead = page.select_one("p.corrected a")["href"]
    assert instead == "/search/?q=authentcation&exact=1"
    exact = client.get(instead).text
    assert "Showing results for" not in exact and "Did you mean" in exact
    quick = client.get(
        "/search/?q=authentcation&quick=1", headers={"HX-Request": "true"}
    ).text
    assert "Showing results for" in quick and "authentication" in quick


@pytest.mark.parametrize(
    ("query", "finds"),
    [
        ("MFA", "multifactor"),
        ("DoS", "denial of service"),
        ("SIEM", "audit"),
        ("security update", "patch"),
    ],
)
def test_synonyms_find_each_other(api, query, finds):
    hits = api(query)["hits"]
    assert hits, query
    text = " ".join((h["title"] + " " + (h["snippet"] or "")).lower() for h in hits[:5])
    assert finds in text.replace("-", ""), (query, [h["id"] for h in hits[:5]])


@pytest.mark.parametrize(
    "query",
    [
        "multi-factor authentication",
        "firewall rule review",
        "incident response plan",
        "vulnerability scanning",
    ],
)
def test_a_topics_requirements_come_before_its_artefacts(api, query):
    """Only an artefact whose title is exactly the query may come before them."""
    hits = [h for h in api(query)["hits"] if h["title"].lower() != query]
    assert hits[0]["kind"] == "requirement", [(h["id"], h["kind"]) for h in hits[:5]]
    kinds = [h["kind"] for h in hits[:5]]
    assert kinds.index("requirement") < min(
        (kinds.index(k) for k in ("evidence", "policy", "offering") if k in kinds),
        default=5,
    )


def test_an_exact_title_still_wins(api):
    assert api("penetration testing")["hits"][0]["id"] == "OFF-PENTEST"
    assert api("incident response plan")["hits"][0]["id"] == "EV-INCIDENT-RESPONSE-PLAN"
