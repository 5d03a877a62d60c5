"""Search on the fixture catalogue: ids in every form, facets, fragments, bad input."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup


def hits(client, q: str, **params) -> list[str]:
    body = client.get("/api/v1/search", query_string={"q": q, **params}).json
    return [hit["id"] for hit in body["hits"]]


def test_an_id_that_names_one_item_offers_a_jump(client):
    html = BeautifulSoup(client.get("/search/?q=sr1.1").text, "html.parser")
    jump = html.select_one(".jump a")
    assert jump["href"] == "/requirements/sr-1-1"


def test_prefix_of_the_word_being_typed_matches(client):
    assert "EV-ACCOUNT-REGISTER" in hits(client, "acc")


def test_stemming_matches_other_forms(client):
    assert "SR 1.1 RE(1)" in hits(client, "users")


def test_quoted_phrase_matches_words_in_order(client):
    assert hits(client, '"named accounts"') == ["SR 1.1"]
    assert hits(client, '"accounts named"') != ["SR 1.1"]


def test_one_edit_typo_runs_the_correction_and_offers_the_typed_words(client):
    body = client.get("/api/v1/search?q=acount").json
    assert body["query"] == "account" and body["corrected_from"] == "acount"
    assert body["total"] > 0
    page = client.get("/search/?q=acount")
    assert "Showing results for <strong>account</strong>" in page.text
    typed = client.get("/api/v1/search?q=acount&exact=1").json
    assert typed["total"] == 0 and typed["suggestion"] == "account"
    assert typed["corrected_from"] is None
    as_typed = client.get("/search/?q=acount&exact=1")
    assert (
        "Did you mean" in as_typed.text and 'href="/search/?q=account"' in as_typed.text
    )


def test_facets_count_and_narrow(client):
    body = client.get("/api/v1/search?q=accounts").json
    assert body["facets"]["kind"] == {"requirement": 4, "evidence": 1, "policy": 1}
    assert hits(client, "accounts", kind="evidence") == ["EV-ACCOUNT-REGISTER"]
    assert set(hits(client, "accounts", part="62443-3-3")) == {"SR 1.1", "SR 1.1 RE(1)"}
    assert hits(client, "accounts", level="SL 1") == ["SR 1.1"]


def test_snippet_highlights_the_matched_word(client):
    html = BeautifulSoup(client.get("/search/?q=accounts").text, "html.parser")
    assert "account" in [m.get_text().lower() for m in html.select(".hits mark")]


def test_htmx_gets_the_results_fragment_and_the_header_box_its_list(htmx_client):
    fragment = htmx_client.get("/search/?q=accounts")
    assert "<html" not in fragment.text and "6 results" in fragment.text
    assert "HX-Request" in fragment.headers["Vary"]
    quick = htmx_client.get("/search/?q=sr1.1&quick=1")
    links = BeautifulSoup(quick.text, "html.parser").select("ul.quick a")
    assert links[0]["href"] == "/requirements/sr-1-1"


def test_full_page_keeps_the_query_in_the_box(client):
    page = client.get("/search/?q=accounts")
    assert "<html" in page.text
    box = BeautifulSoup(page.text, "html.parser").select_one("#search-q")
    assert box["value"] == "accounts"


def test_every_page_has_the_header_search_box(client):
    html = BeautifulSoup(client.get("/requirements/sr-1-1").text, "html.parser")
    assert html.select_one("header form[role=search] input[name=q]") is not None


def test_api_limit_and_fields(client):
    body = client.get("/api/v1/search?q=accounts&limit=2").json
    assert len(body["hits"]) == 2 and body["total"] == 6
    assert set(body["hits"][0]) == {"id", "kind", "title", "url", "snippet"}


@pytest.mark.parametrize(
    "query",
    [
        "",
        " ",
        "x" * 10000,
        '"unbalanced',
        "((a",
        "a)",
        "AND",
        "OR",
        "*",
        "?",
        "NOT NOT",
        "\x07\x1b[31m\x7f",
        "🙂 日本語 العربية",
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "' OR 1=1; DROP TABLE contentitem; --",
        "a" * 300 + "*",
        "field:value",
        "[a TO z]",
        "sr 1.1^5",
        "%",
        "\\",
    ],
)
def test_bad_input_never_fails_and_is_escaped(client, query):
    page = client.get("/search/", query_string={"q": query})
    assert page.status_code == 200
    assert "<script>alert" not in page.text and "<img src=x" not in page.text
    api = client.get("/api/v1/search", query_string={"q": query})
    assert api.status_code == 200 and api.content_type == "application/json"


def test_empty_query_says_what_to_type(client):
    assert "Type a word, a topic or an id" in client.get("/search/?q=").text


def test_active_filters_show_as_removable_chips(client):
    page = BeautifulSoup(
        client.get("/search/?q=accounts&kind=requirement&part=62443-3-3").text,
        "html.parser",
    )
    chips = {
        a.get_text(" ", strip=True): a["href"] for a in page.select("p.chips a.chip")
    }
    assert set(chips) == {"Kind: requirement ×", "Part: 62443-3-3 ×"}
    assert (
        "kind=" in chips["Part: 62443-3-3 ×"]
        and "part=&" in chips["Part: 62443-3-3 ×"] + "&"
    )
    assert page.select_one("p.chips a.clear")["href"] == "/search/?q=accounts"
    one = BeautifulSoup(
        client.get("/search/?q=accounts&kind=requirement").text, "html.parser"
    )
    assert one.select_one("p.chips a.clear") is None  # one chip needs no "clear all"
    assert not BeautifulSoup(
        client.get("/search/?q=accounts").text, "html.parser"
    ).select("p.chips")


def test_a_summary_snippet_ends_at_a_word_with_an_ellipsis(client):
    snippet = client.get("/api/v1/search?q=SR 1.1").json["hits"][0]["snippet"]
    summary = client.get("/api/v1/requirements/SR%201.1").json["summary"]
    assert snippet.endswith(" …")
    shown = snippet.removesuffix(" …")
    assert summary.startswith(shown) and summary[len(shown)] in " ,;:"  # a whole word
