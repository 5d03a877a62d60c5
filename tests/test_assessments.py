"""Assessments and the register: create, score inline, conflicts, history, group targets."""

from __future__ import annotations

from bs4 import BeautifulSoup
from sqlalchemy import event

from kb.db import get_engine


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


REGISTER_COLUMNS = (
    "requirement",
    "current",
    "target",
    "owner",
    "due",
    "status",
    "notes",
    "evidence",
)


def register_rows(response) -> dict[str, dict[str, str]]:
    """{row slug: {column: text as shown}} of the register rows in a response."""
    rows = {}
    for tr in soup(response).select("tr[id^=row-]"):
        cells = [c.get_text(" ", strip=True) for c in tr.find_all(["th", "td"])]
        rows[tr["id"].removeprefix("row-")] = dict(
            zip(REGISTER_COLUMNS, cells, strict=False)
        )
    return rows


def save(client, assessment_id, slug, version, htmx=True, **fields):
    data = {"version": version, "applicable": "true", "status": "in progress", **fields}
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(
        f"/assessments/{assessment_id}/scores/{slug}", data=data, headers=headers
    )


def test_admin_creates_an_assessment_and_sees_its_register(world, login, org_client):
    login("admin@acme.test")
    response = org_client.post(
        "/orgs/acme-water/assessments",
        data={
            "name": "FY27 review",
            "scope": "Both plants",
            "parts": ["62443-2-4"],
            "assessed_on": "2027-03-01",
        },
    )
    assert response.status_code == 303
    page = org_client.get(response.headers["Location"])
    assert soup(page).h1.get_text() == "FY27 review"
    assert set(register_rows(page)) == {"sp-09-02-br", "sp-12-05-br"}
    listing = org_client.get("/orgs/acme-water/assessments")
    assert "FY27 review" in listing.text and "Acme FY26 baseline" in listing.text


def test_creating_without_parts_or_name_names_each_fault(world, login, org_client):
    login("admin@acme.test")
    response = org_client.post("/orgs/acme-water/assessments", data={"name": ""})
    assert response.status_code == 422
    errors = [e.get_text() for e in soup(response).select(".field-error")]
    assert len(errors) == 2
    assert "Other Co" not in response.text


def test_editor_sets_a_maturity_level_inline_and_it_is_in_the_history(
    world, login, org_client
):
    login("ed@acme.test")
    aid = world["assessment"].id
    edit = org_client.get(
        f"/assessments/{aid}/scores/sp-09-02-br/edit", headers={"HX-Request": "true"}
    )
    assert "<html" not in edit.text
    guidance = soup(edit).select_one("aside.guidance").get_text(" ")
    assert "ML 2 Managed" in guidance and "a written procedure is followed" in guidance
    saved = save(
        org_client,
        aid,
        "sp-09-02-br",
        0,
        current="1",
        target="3",
        owner="Jo",
        reason="first assessment",
    )
    assert saved.status_code == 200 and "<html" not in saved.text
    assert "scoreSaved" in saved.headers["HX-Trigger"]
    cells = register_rows(saved)["sp-09-02-br"]
    assert (
        cells["current"] == "1 Initial"
        and cells["target"].startswith("3 Defined")
        and "gap" in cells["target"]
    )
    history = org_client.get(f"/assessments/{aid}/history")
    rows = [
        [td.get_text(strip=True) for td in tr.select("td")]
        for tr in soup(history).select("table.history tbody tr")
    ]
    changed = {row[3]: row for row in rows}
    assert (
        changed["current"][1] == "ed@acme.test" and changed["current"][5] == "1 Initial"
    )
    assert (
        changed["target"][5] == "3 Defined"
        and changed["target"][6] == "first assessment"
    )


def test_without_javascript_the_edit_is_a_page_and_saving_redirects(
    world, login, org_client
):
    login("ed@acme.test")
    aid = world["assessment"].id
    page = org_client.get(f"/assessments/{aid}/scores/sp-12-05-br/edit")
    assert "<html" in page.text and soup(page).select_one("form.row-edit") is not None
    saved = save(org_client, aid, "sp-12-05-br", 0, htmx=False, current="2")
    assert saved.status_code == 303
    assert saved.headers["Location"].endswith(f"/assessments/{aid}#row-sp-12-05-br")


def test_invalid_score_gets_422_with_field_messages_and_changes_nothing(
    world, login, org_client
):
    login("ed@acme.test")
    aid = world["assessment"].id
    bad = save(org_client, aid, "sp-09-02-br", 0, current="7", applicable="false")
    assert bad.status_code == 422
    html = soup(bad)
    invalid = {
        el.find("select") or el.find("input") for el in html.select(".field.invalid")
    }
    assert {el["name"] for el in invalid} == {"current", "na_reason"}
    assert "say why the requirement does not apply" in bad.text
    assert (
        register_rows(org_client.get(f"/assessments/{aid}"))["sp-09-02-br"]["current"]
        == "–"
    )


def test_concurrent_edits_give_one_success_and_one_conflict_and_lose_nothing(
    world, org_app
):
    from tests.conftest import Login

    first, second = org_app.test_client(), org_app.test_client()
    Login(first)("ed@acme.test")
    Login(second)("admin@acme.test")
    aid = world["assessment"].id
    assert (
        save(first, aid, "sp-09-02-br", 0, current="2", owner="Ann").status_code == 200
    )
    conflict = save(second, aid, "sp-09-02-br", 0, current="3", owner="Bob")
    assert conflict.status_code == 409
    text = soup(conflict).get_text(" ")
    assert "someone else changed SP.09.02 BR" in text
    assert "Ann" in text and "Bob" in text
    retry = {
        i["name"]: i["value"]
        for i in soup(conflict).select("form input[type=hidden]")
        if i.get("name") != "csrf_token"
    }
    assert (
        retry["version"] == "1" and retry["current"] == "3" and retry["owner"] == "Bob"
    )
    assert (
        register_rows(second.get(f"/assessments/{aid}"))["sp-09-02-br"]["owner"]
        == "Ann"
    )
    reapplied = second.post(
        f"/assessments/{aid}/scores/sp-09-02-br",
        data=retry,
        headers={"HX-Request": "true"},
    )
    assert reapplied.status_code == 200
    assert register_rows(reapplied)["sp-09-02-br"]["owner"] == "Bob"
    history = soup(second.get(f"/assessments/{aid}/history?field=owner")).select(
        "tbody tr"
    )
    assert [tr.select("td")[5].get_text() for tr in history] == ["Bob", "Ann"]


def test_group_target_sets_every_applicable_row_of_the_group(world, login, org_client):
    login("ed@acme.test")
    aid = world["assessment"].id
    response = org_client.post(
        f"/assessments/{aid}/targets",
        data={"group": "CA-08", "target": "3", "group_by": "area"},
    )
    assert response.status_code == 303
    rows = register_rows(org_client.get(f"/assessments/{aid}"))
    assert rows["sp-12-05-br"]["target"].startswith("3 Defined")
    assert rows["sp-09-02-br"]["target"] == "–"


def test_register_filters_and_sorts(world, login, org_client):
    login("ed@acme.test")
    aid = world["assessment"].id
    save(
        org_client,
        aid,
        "sp-09-02-br",
        0,
        current="1",
        target="2",
        owner="Ann",
        due="2020-01-01",
    )
    save(
        org_client,
        aid,
        "sp-12-05-br",
        0,
        current="3",
        target="3",
        owner="Bob",
        status="implemented",
    )
    assert set(register_rows(org_client.get(f"/assessments/{aid}?gap=1"))) == {
        "sp-09-02-br"
    }
    assert set(register_rows(org_client.get(f"/assessments/{aid}?overdue=1"))) == {
        "sp-09-02-br"
    }
    assert set(register_rows(org_client.get(f"/assessments/{aid}?owner=bob"))) == {
        "sp-12-05-br"
    }
    assert set(
        register_rows(org_client.get(f"/assessments/{aid}?status=implemented"))
    ) == {"sp-12-05-br"}
    by_function = soup(org_client.get(f"/assessments/{aid}?group_by=function"))
    assert [h.get_text(" ", strip=True) for h in by_function.select(".group h2")] == [
        "SP.09 Account management",
        "SP.12 Backup and restore",
    ]
    empty = org_client.get(f"/assessments/{aid}?owner=nobody")
    assert "No requirement matches these filters" in empty.text
    fragment = org_client.get(
        f"/assessments/{aid}?gap=1", headers={"HX-Request": "true"}
    )
    assert "<html" not in fragment.text and "HX-Request" in fragment.headers["Vary"]


def test_notes_render_markdown_and_script_stays_inert(world, login, org_client):
    login("ed@acme.test")
    aid = world["assessment"].id
    notes = "**Checked** <script>alert(1)</script> <img src=x onerror=alert(2)>"
    save(org_client, aid, "sp-09-02-br", 0, notes=notes)
    page = org_client.get(f"/assessments/{aid}")
    cell = soup(page).select_one("#row-sp-09-02-br td.notes")
    assert cell.find("strong").get_text() == "Checked"
    assert cell.find("script") is None and cell.find("img") is None
    assert "&lt;script&gt;" in page.text


def test_register_query_count_does_not_grow_with_rows(
    world, login, org_client, org_app
):
    login("ed@acme.test")
    aid = world["assessment"].id
    statements = []

    def count(_conn, _cursor, statement, *_args):
        # The test's own transaction adds savepoints around each request.
        if not statement.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            statements.append(statement.split("FROM")[-1][:60])

    def measure() -> int:
        statements.clear()
        with org_app.app_context():
            engine = get_engine()
        event.listen(engine, "before_cursor_execute", count)
        try:
            assert org_client.get(f"/assessments/{aid}").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return sorted(statements)

    before = measure()
    save(org_client, aid, "sp-09-02-br", 0, current="1", notes="one")
    save(org_client, aid, "sp-12-05-br", 0, current="2", notes="two")
    assert measure() == before


def test_duplicate_rename_archive(world, login, org_client):
    login("admin@acme.test")
    aid = world["assessment"].id
    save(org_client, aid, "sp-09-02-br", 0, current="2")
    copy = org_client.post(f"/assessments/{aid}/duplicate")
    copy_url = copy.headers["Location"]
    assert (
        register_rows(org_client.get(copy_url))["sp-09-02-br"]["current"] == "2 Managed"
    )
    copy_id = copy_url.rsplit("/", 1)[1]
    org_client.post(f"/assessments/{copy_id}/rename", data={"name": "FY27 review"})
    assert soup(org_client.get(copy_url)).h1.get_text() == "FY27 review"
    org_client.post(f"/assessments/{copy_id}/archive", data={"archived": "1"})
    listing = soup(org_client.get("/orgs/acme-water/assessments"))
    assert "FY27 review" not in listing.select_one("table.grid").get_text()
    assert (
        "FY27 review" in org_client.get("/orgs/acme-water/assessments?archived=1").text
    )


def test_a_blank_scope_and_date_are_fine_and_faults_are_listed_at_the_top(
    world, login, org_client
):
    login("admin@acme.test")
    ok = org_client.post(
        "/orgs/acme-water/assessments",
        data={"name": "FY28", "scope": "", "assessed_on": "", "parts": ["62443-3-2"]},
    )
    assert ok.status_code == 303
    bad = org_client.post(
        "/orgs/acme-water/assessments",
        data={"name": "FY29", "parts": ["62443-9-9"], "assessed_on": "31/02/2027"},
    )
    assert bad.status_code == 422
    summary = soup(bad).select_one("div.error[role=alert]").get_text(" ")
    assert "parts" in summary and "assessed on" in summary


def test_column_headers_sort_and_keep_the_filters(world, login, org_client):
    login("ed@acme.test")
    aid = world["assessment"].id
    save(org_client, aid, "sp-09-02-br", 0, current="3")
    save(org_client, aid, "sp-12-05-br", 0, current="1")
    page = soup(org_client.get(f"/assessments/{aid}?group_by=function&owner="))
    link = page.select_one("table.register thead a[href*='sort=current']")["href"]
    assert "group_by=function" in link
    sorted_page = soup(org_client.get(link))
    header = sorted_page.select_one("th[aria-sort]")
    assert header.get_text(strip=True) == "Current▲"
    assert header["aria-sort"] == "ascending"
    assert (
        sorted_page.select_one("#register-sort option[selected]")["value"] == "current"
    )
    # A second click on the same header reverses the order.
    again = sorted_page.select_one("table.register thead a[href*='sort=-current']")
    reversed_page = soup(org_client.get(again["href"]))
    assert reversed_page.select_one("th[aria-sort]")["aria-sort"] == "descending"


def test_a_header_click_by_htmx_moves_the_sort_by_control_too(world, login, org_client):
    login("ed@acme.test")
    aid = world["assessment"].id
    region = org_client.get(
        f"/assessments/{aid}?sort=-due&status=in+progress",
        headers={"HX-Request": "true"},
    )
    control = soup(region).select_one("select#register-sort[hx-swap-oob]")
    assert control.select_one("option[selected]")["value"] == "-due"
    assert "<html" not in region.text


def test_history_and_row_serve_fragments_to_htmx_and_pages_otherwise(
    world, login, org_client
):
    login("ed@acme.test")
    aid = world["assessment"].id
    save(org_client, aid, "sp-09-02-br", 0, current="2", owner="Ann")
    for url in (
        f"/assessments/{aid}/history?field=owner",
        f"/assessments/{aid}/scores/sp-09-02-br",
    ):
        page = org_client.get(url)
        fragment = org_client.get(url, headers={"HX-Request": "true"})
        assert "<html" in page.text and "<html" not in fragment.text
        assert "Ann" in page.text and "Ann" in fragment.text
        assert (
            "HX-Request" in fragment.headers["Vary"]
            and "HX-Request" in page.headers["Vary"]
        )


def test_concurrent_writers_wait_for_each_other_instead_of_failing(tmp_path):
    """Eight people saving different rows at once all succeed (on SQLite a transaction
    that began with a read would fail on its stale snapshot instead of waiting)."""
    import threading

    from tests import factories
    from tests.conftest import Login, loaded_app, session_for

    app = loaded_app(tmp_path)  # its own database: the writes must really commit
    with session_for(app) as db:
        org = factories.make_org(db, name="Busy Water")
        factories.make_user(db, email="busy@busy.test", org=org, role="editor")
        assessment = factories.make_assessment(db, org=org, name="Busy")
        db.commit()
        aid = assessment.id
    statuses: list[int] = []

    def writer(slug: str) -> None:
        client = app.test_client()
        Login(client)("busy@busy.test")
        for version in range(6):
            response = save(client, aid, slug, version, current=str(version % 5))
            statuses.append(response.status_code)

    threads = [
        threading.Thread(target=writer, args=(slug,))
        for slug in ["sp-09-02-br", "sp-12-05-br"] * 4
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Two rows, four writers each: a writer whose version went stale gets a 409,
    # never a 500 from a locked database.
    assert len(statuses) == 8 * 6 and set(statuses) <= {200, 409}
    assert statuses.count(200) >= 2


def test_the_summary_counts_not_assessed_apart_from_below_target(
    world, login, org_client
):
    login("ed@acme.test")
    aid = world["assessment"].id
    save(org_client, aid, "sp-09-02-br", 0, target="3")  # a target, no current level
    save(org_client, aid, "sp-12-05-br", 0, current="1", target="2")
    summary = soup(org_client.get(f"/assessments/{aid}")).select_one(
        "#register-summary"
    )
    text = " ".join(summary.get_text().split())
    assert text == (
        "2 requirements · 1 assessed · 1 not assessed · 1 below target · 0 overdue"
    )
    rows = register_rows(org_client.get(f"/assessments/{aid}"))
    assert (
        "gap" not in rows["sp-09-02-br"]["target"]
        and "gap" in rows["sp-12-05-br"]["target"]
    )


def test_actions_say_what_they_did(world, login, org_client):
    login("admin@acme.test")
    aid = world["assessment"].id
    missing = org_client.post("/orgs/acme-water/assessments", data={"name": "No parts"})
    assert "choose at least one part" in missing.text
    assert "List should have" not in missing.text
    renamed = org_client.post(
        f"/assessments/{aid}/rename",
        data={"name": "FY26 review"},
        follow_redirects=True,
    )
    assert "Renamed to “FY26 review”." in renamed.text
    target = org_client.post(
        f"/assessments/{aid}/targets",
        data={"group": "CA-02", "target": "2"},
        follow_redirects=True,
    )
    assert "Target 2 Managed set for 1 requirement of CA-02." in target.text
    copied = org_client.post(f"/assessments/{aid}/duplicate", follow_redirects=True)
    assert "starts from the scores of “FY26 review”" in copied.text
    archived = org_client.post(
        f"/assessments/{aid}/archive", data={"archived": "1"}, follow_redirects=True
    )
    assert "“FY26 review” archived." in archived.text
    member = org_client.post(
        f"/orgs/acme-water/members/{world['viewer'].id}",
        data={"role": "editor"},
        follow_redirects=True,
    )
    assert "vi@acme.test is now editor of Acme Water." in member.text


def test_a_group_target_plan_fills_empty_targets_and_names_the_others():
    from types import SimpleNamespace

    from kb.services.register import Group, target_plan

    def row(target, applicable=True):
        score = (
            None
            if target == "unscored"
            else SimpleNamespace(target=target, applicable=applicable)
        )
        return SimpleNamespace(score=score)

    rows = [row("unscored"), row(None), row(3), row(2), row(1, applicable=False)]
    plan = target_plan(rows, 2)
    assert plan.empty == rows[:2] and plan.differing == [rows[2]]
    assert Group("CA-01", "", rows).target == "mixed"
    assert Group("CA-01", "", [rows[3], rows[4]]).target == 2  # n/a rows left out
    assert Group("CA-01", "", rows[:2]).target is None


def group_control(client, aid, group="CA-08"):
    page = soup(client.get(f"/assessments/{aid}"))
    select = page.select_one(f"#group-{group} select[name=target]")
    return select.select_one("option[selected]").get_text()


def test_a_group_target_asks_before_it_overwrites(world, login, org_client):
    login("ed@acme.test")
    aid = world["assessment"].id
    save(org_client, aid, "sp-12-05-br", 0, target="4")
    assert group_control(org_client, aid) == "4 Improving"
    asked = org_client.post(
        f"/assessments/{aid}/targets",
        data={"group": "CA-08", "target": "2", "group_by": "area"},
    )
    assert asked.status_code == 200
    question = soup(asked)
    assert question.select_one("h1").get_text() == "Overwrite 1 existing target?"
    assert "SP.12.05 BR" in question.select_one("table").get_text()
    assert "4 Improving" in question.select_one("table").get_text()
    rows = register_rows(org_client.get(f"/assessments/{aid}"))
    assert rows["sp-12-05-br"]["target"].startswith("4")  # nothing changed yet
    kept = org_client.post(
        f"/assessments/{aid}/targets",
        data={"group": "CA-08", "target": "2", "group_by": "area", "overwrite": "0"},
    )
    assert kept.headers["Location"].endswith("#group-CA-08")
    page = org_client.get(kept.headers["Location"])
    assert "set for 0 requirements of CA-08. 1 kept its own target." in page.text
    assert register_rows(page)["sp-12-05-br"]["target"].startswith("4")
    org_client.post(
        f"/assessments/{aid}/targets",
        data={"group": "CA-08", "target": "2", "group_by": "area", "overwrite": "1"},
    )
    rows = register_rows(org_client.get(f"/assessments/{aid}"))
    assert rows["sp-12-05-br"]["target"].startswith("2 Managed")
    assert group_control(org_client, aid) == "2 Managed"


def test_the_organisations_list_shows_each_assessments_progress(
    world, login, org_client
):
    login("ed@acme.test")
    aid = world["assessment"].id
    save(org_client, aid, "sp-09-02-br", 0, current="1", target="3")
    page = soup(org_client.get("/orgs/acme-water/assessments"))
    headers = [th.get_text() for th in page.select("table.grid thead th")]
    row = next(
        tr for tr in page.select("table.grid tbody tr") if "Acme FY26" in tr.get_text()
    )
    cells = dict(zip(headers, [td.get_text() for td in row.select("td")], strict=True))
    assert cells["Assessed"] == "1 of 2" and cells["Gaps"] == "1"
    assert cells["At target"] == "0" and cells["Overdue"] == "0"
