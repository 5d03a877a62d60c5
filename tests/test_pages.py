"""Catalogue pages as a person sees them: content, links on both ends, filters, errors."""

from __future__ import annotations

import shutil

import pytest
from bs4 import BeautifulSoup

from tests.conftest import FIXTURE_CONTENT, make_app, run_cli


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def links(response, selector: str = "section.links a") -> list[str]:
    return [a.get_text(" ", strip=True) for a in soup(response).select(selector)]


def test_overview_lists_frameworks_and_areas(client):
    page = client.get("/")
    assert page.status_code == 200
    text = " ".join(soup(page).get_text(" ").split())
    assert "IEC 62443 series" in text
    assert "CA-02 Identification and authentication" in text
    assert "IEC 62443-3-3 2 requirements" in text
    assert "Evidence artefact types 2" in text and "Service offerings 2" in text


def test_requirement_page_shows_everything_it_connects_to(client):
    page = client.get("/requirements/sr-1-1")
    assert page.status_code == 200
    html = soup(page)
    assert (
        html.h1.get_text(" ", strip=True)
        == "SR 1.1 Human user identification and authentication"
    )
    crumbs = [li.get_text(strip=True) for li in html.select(".breadcrumbs li")]
    assert crumbs == ["Home", "Requirements", "IEC 62443-3-3", "FR 1", "SR 1.1"]
    shown = links(page)
    assert "SR 1.1 RE(1) Unique identification and authentication" in shown
    assert "EV-ACCOUNT-REGISTER Account register" in shown
    assert "POL-ACCESS-CONTROL Access control and account management policy" in shown
    assert "SP.09.02 BR Unique user accounts" in shown
    assert "OFF-PENTEST Penetration Testing" in shown
    assert [b.get_text() for b in html.select(".badge.on")] == [
        "SL 1",
        "SL 2",
        "SL 3",
        "SL 4",
    ]
    assert "PR.AC-1" in html.select_one("section.links table").get_text()
    assert "planning summary" in html.select_one(".notice").get_text()


def test_requirement_page_is_reached_by_id_as_well_as_slug(client):
    assert client.get("/requirements/SR%201.1%20RE(1)").status_code == 200


def test_uncertain_fact_is_flagged_on_the_page(client):
    notice = (
        soup(client.get("/requirements/sr-1-1-re-1")).select_one(".notice").get_text()
    )
    assert "To verify against the publication: SL 2 applicability differs" in notice


def test_raw_html_in_content_is_inert(client):
    html = client.get("/requirements/sr-1-1").text
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize(
    ("url", "heading", "expected"),
    [
        (
            "/evidence/ev-account-register",
            "Requirements it satisfies",
            [
                "SR 1.1 Human user identification and authentication",
                "SP.09.02 BR Unique user accounts",
            ],
        ),
        (
            "/policies/pol-access-control",
            "Requirements it covers",
            ["SR 1.1 RE(1) Unique identification and authentication"],
        ),
        (
            "/offerings/off-pentest",
            "Requirements it covers: partial",
            ["SP.09.02 BR Unique user accounts partial"],
        ),
        (
            "/offerings/off-pentest",
            "Sectors",
            ["SEC-CRITICAL-INFRASTRUCTURE Critical Infrastructure"],
        ),
        (
            "/sectors/sec-critical-infrastructure",
            "Service offerings",
            ["OFF-PENTEST Penetration Testing"],
        ),
        (
            "/sectors/sec-critical-infrastructure",
            "Control areas that matter most",
            ["CA-08 Resource availability"],
        ),
        (
            "/areas/ca-02",
            "Requirements in this area",
            [
                "FR 1 Identification and authentication control",
                "SR 1.1 Human user identification and authentication",
            ],
        ),
        (
            "/areas/CA-01",
            "Sectors where it matters most",
            ["SEC-CRITICAL-INFRASTRUCTURE Critical Infrastructure"],
        ),
    ],
)
def test_backlinks_show_on_the_other_end(client, url, heading, expected):
    html = soup(client.get(url))
    section = next(
        s
        for s in html.select("section.links")
        if s.h2.find(string=True, recursive=False).strip() == heading
    )
    shown = [li.get_text(" ", strip=True) for li in section.select("li")]
    for item in expected:
        assert item in shown


@pytest.mark.parametrize(
    ("url", "title"),
    [
        ("/evidence/", "EV-RESTORE-TEST Backup restore test record"),
        (
            "/policies/",
            "POL-ACCESS-CONTROL Access control and account management policy",
        ),
        ("/offerings/", "OFF-PENTEST Penetration Testing"),
        ("/sectors/", "SEC-CRITICAL-INFRASTRUCTURE Critical Infrastructure"),
        ("/areas/", "CA-08 Resource availability"),
        ("/frameworks/", "nist-csf NIST Cybersecurity Framework"),
    ],
)
def test_list_pages_list_their_items(client, url, title):
    assert title in links(client.get(url), ".listing a")


def test_framework_page_has_parts_areas_sectors_offerings_and_issuer(client):
    html = soup(client.get("/frameworks/iec-62443"))
    text = html.get_text(" ")
    assert "Policies and procedures" in text and "62443-2-4" in text
    assert html.select_one('a[href="https://webstore.iec.ch/"]') is not None
    headings = [h.get_text() for h in html.select("section.links h2")]
    assert headings == [
        "Parts",
        "Control areas",
        "Where it shows up",
        "Service offerings that deliver against it",
    ]


def test_external_framework_page_shows_its_crosswalk(client):
    table = soup(client.get("/frameworks/nist-csf")).select_one("#crosswalk table")
    assert "PR.AC-1" in table.get_text() and "SR 1.1" in table.get_text()


def row_ids(response) -> list[str]:
    return [td.get_text(strip=True) for td in soup(response).select("td.id")]


def test_requirement_list_filters_combine(client):
    assert row_ids(client.get("/requirements/")) == [
        "SP.09.02 BR",
        "SP.12.05 BR",
        "SR 1.1",
        "SR 1.1 RE(1)",
        "SUM-1",
        "CCSC 1",
        "CR 1.1",
        "CR 1.1 RE(2)",
        "EDR 2.13",
        "HDR 2.13",
    ]
    assert row_ids(client.get("/requirements/?part=62443-3-3")) == [
        "SR 1.1",
        "SR 1.1 RE(1)",
    ]
    assert row_ids(client.get("/requirements/?part=62443-3-3&level=1")) == ["SR 1.1"]
    assert row_ids(client.get("/requirements/?tag=accounts")) == [
        "SP.09.02 BR",
        "SR 1.1",
    ]
    assert row_ids(
        client.get("/requirements/?tag=accounts&part=62443-2-4&area=CA-02")
    ) == ["SP.09.02 BR"]


def test_filters_are_kept_in_the_form(client):
    html = soup(client.get("/requirements/?part=62443-3-3&tag=accounts"))
    assert html.select_one("select[name=part] option[selected]")["value"] == "62443-3-3"
    assert html.select_one("input[name=tag]")["value"] == "accounts"
    tags = [o["value"] for o in html.select("datalist#tag-list option")]
    assert "accounts" in tags


def test_empty_result_says_so(client):
    page = client.get("/requirements/?part=62443-2-4&level=2")
    assert "No requirement matches these filters" in page.text


def test_requirement_list_paginates(tmp_path):
    app = make_app(tmp_path, PAGE_SIZE=2)
    run_cli(app, "load")
    client = app.test_client()
    first = client.get("/requirements/")
    second = client.get("/requirements/?page=2")
    beyond = client.get("/requirements/?page=99")
    assert row_ids(first) == ["SP.09.02 BR", "SP.12.05 BR"]
    assert "Page 1 of 5" in first.text  # ten requirements
    assert soup(first).select_one("a[rel=next]")["href"] == "/requirements/?page=2"
    assert row_ids(second) == ["SR 1.1", "SR 1.1 RE(1)"]
    assert row_ids(beyond) == ["EDR 2.13", "HDR 2.13"]


def test_htmx_request_gets_the_list_fragment_only(htmx_client, client):
    fragment = htmx_client.get("/requirements/?part=62443-3-3")
    assert "<html" not in fragment.text
    assert row_ids(fragment) == ["SR 1.1", "SR 1.1 RE(1)"]
    assert "HX-Request" in fragment.headers["Vary"]
    full = client.get("/requirements/?part=62443-3-3")
    assert "<html" in full.text and "HX-Request" in full.headers["Vary"]


@pytest.mark.parametrize(
    "url",
    [
        "/requirements/SR%209.9",
        "/evidence/EV-NOPE",
        "/policies/x",
        "/offerings/x",
        "/sectors/x",
        "/areas/CA-09",
        "/frameworks/nope",
        "/nothing/here",
    ],
)
def test_unknown_ids_get_a_friendly_404_with_search(client, url):
    page = client.get(url)
    assert page.status_code == 404
    html = soup(page)
    assert html.h1.get_text() == "We could not find that page"
    assert html.select_one("form[role=search] input[name=q]") is not None


def test_404_names_the_missing_id(client):
    text = soup(client.get("/requirements/SR%209.9")).get_text()
    assert "There is no requirement with the id 'SR 9.9'." in text


@pytest.mark.parametrize(
    "query",
    [
        "level=abc&page=-4",
        "page=0",
        "page=99999999999999999999",
        "area=%ff",
        "tag=<script>",
        "level=9",
        "part[]=x&area=CA-02&area=CA-03",
        "%",
        "q=%E2%9C%93&page=1e3",
    ],
)
def test_malformed_query_strings_never_fail(client, query):
    page = client.get(f"/requirements/?{query}")
    assert page.status_code == 200
    assert "<script>" not in soup(page).select_one("#results").decode()


def test_nul_in_a_query_is_a_clear_400(client):
    for url in ("/requirements/?part=%00", "/search/?q=a%00b", "/api/v1/search?q=%00"):
        response = client.get(url)
        assert response.status_code == 400
        assert "NUL character" in response.text


def test_healthz(client):
    assert client.get("/healthz").json == {"status": "ok"}


def test_security_headers_on_every_page(client):
    headers = client.get("/").headers
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert "form-action 'self';" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_pages_use_no_inline_script(client):
    for url in ("/", "/requirements/", "/requirements/sr-1-1"):
        for script in soup(client.get(url)).select("script"):
            assert script.get("src") and not script.string


def test_catalogue_pages_set_no_cookie_for_anonymous_readers(client):
    for url in ("/", "/requirements/", "/requirements/sr-1-1", "/search/?q=accounts"):
        assert "Set-Cookie" not in client.get(url).headers


def test_a_cached_page_is_the_same_page_and_follows_a_reload(tmp_path):
    root = tmp_path / "content"
    shutil.copytree(FIXTURE_CONTENT, root)
    app = make_app(tmp_path, root)
    run_cli(app, "load")
    client = app.test_client()
    first, second = (
        client.get("/evidence/ev-restore-test"),
        client.get("/evidence/ev-restore-test"),
    )
    assert first.data == second.data
    assert (
        second.headers["Content-Security-Policy"]
        == first.headers["Content-Security-Policy"]
    )
    page = root / "evidence" / "ev-restore-test.md"
    page.write_text(
        page.read_text().replace("Backup restore test record", "Restore drill record")
    )
    run_cli(app, "load")
    assert "Restore drill record" in client.get("/evidence/ev-restore-test").text


def test_the_favicon_is_served_where_browsers_look(client):
    with client.get("/favicon.ico") as response:
        assert response.status_code == 200
        assert response.mimetype == "image/vnd.microsoft.icon"
        assert response.data[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert '<link rel="icon" href="/favicon.ico">' in client.get("/").text


def test_a_blank_setting_is_taken_as_not_set(tmp_path, monkeypatch):
    from kb import create_app
    from kb.config import DEFAULTS

    default = f"sqlite:///{tmp_path / 'default.sqlite'}"
    monkeypatch.setitem(DEFAULTS, "DATABASE_URL", default)
    monkeypatch.setenv("KB_DATABASE_URL", "")
    monkeypatch.setenv("KB_INDEX_DIR", str(tmp_path / "index"))
    app = create_app()
    assert app.config["DATABASE_URL"] == default
    assert app.test_client().get("/healthz").json == {"status": "ok"}
    app.extensions["kb.db"].dispose()


def test_pages_say_what_their_scale_and_titles_are(real_app):
    client = real_app.test_client()
    zcr = client.get("/requirements/zcr-3-4").text
    assert "IEC 62443-3-2 defines no maturity levels of its own" in zcr
    old = client.get("/requirements/4-3-3-2").text
    assert "IEC 62443-2-1:2010 defines no maturity levels of its own" in old
    sp = client.get("/requirements/sp-09-02-br").text
    assert "our own short labels, not the standard&#39;s wording" in sp
    assert "defines no maturity levels" not in sp
    assert "our own short labels" not in client.get("/requirements/sr-1-1").text


def test_an_area_page_groups_its_requirements_by_part_with_counts(client):
    html = soup(client.get("/areas/ca-02"))
    section = html.select_one("section.by-part")
    assert section.h2.small.get_text() == "5"
    groups = {
        d.summary.get_text(" ", strip=True): [
            li.get_text(" ", strip=True)[:12] for li in d.select("li")
        ]
        for d in section.select("details")
    }
    assert list(groups) == ["IEC 62443-2-4 2", "IEC 62443-3-3 3"]


def test_the_requirements_list_shows_only_the_levels_that_differ(client):
    html = soup(client.get("/requirements/"))
    rows = {
        r.select_one("td.id").get_text(strip=True): r.select("td")[-1].get_text(
            " ", strip=True
        )
        for r in html.select("table.requirements tbody tr")
    }
    assert rows["SP.09.02 BR"] == ""  # ML 1-4, as on every process requirement
    assert rows["SR 1.1"] == "SL 1 SL 2 SL 3 SL 4"


def test_frameworks_are_in_the_menu_and_a_framework_page_has_contents(client):
    home = soup(client.get("/"))
    assert home.select_one('nav[aria-label=Main] a[href="/frameworks/"]')
    page = soup(client.get("/frameworks/iec-62443"))
    toc = [a["href"] for a in page.select("nav.toc a")]
    assert toc[:2] == ["#about", "#parts"]
    for anchor in toc:
        assert page.select_one(anchor), anchor
