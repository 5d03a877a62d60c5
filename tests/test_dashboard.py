"""The dashboard shows what the roll-ups compute: figures, charts, gaps, zones, evidence."""

from __future__ import annotations

from datetime import date, timedelta

from bs4 import BeautifulSoup

from tests import factories


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def score(client, aid, slug, current, target, **extra):
    data = {"version": 0, "applicable": "true", "status": "in progress"}
    data |= {"current": current, "target": target, **extra}
    return client.post(f"/assessments/{aid}/scores/{slug}", data=data)


def figure(page, label: str) -> str:
    for box in page.select("dl.figures div"):
        if box.dt.get_text() == label:
            return box.dd.get_text(" ", strip=True)
    raise AssertionError(label)


def test_the_dashboard_shows_the_figures_of_the_scores(world, login, org_client, db):
    login("ed@acme.test")
    aid = world["assessment"].id
    score(org_client, aid, "sp-09-02-br", "1", "3", owner="Priya", due="2020-01-01")
    score(org_client, aid, "sp-12-05-br", "2", "2")
    factories.make_evidence(
        db,
        org=world["acme"],
        user=world["editor"],
        title="Stale restore record",
        type="EV-RESTORE-TEST",
        next_review=date.today() - timedelta(days=5),
    )
    db.commit()
    login("vi@acme.test")
    page = soup(org_client.get(f"/assessments/{aid}/dashboard"))
    assert figure(page, "Assessed") == "2 of 2 (100%)"
    assert figure(page, "At target") == "1 (50%)"
    assert figure(page, "Below target") == "1 gap 2 levels"
    assert figure(page, "Mean current") == "1.5 target 2.5"
    assert figure(page, "Overdue actions") == "1"
    assert figure(page, "Evidence overdue") == "1"
    areas = {
        tr.th.get_text(): [td.get_text() for td in tr.find_all("td")]
        for tr in page.select("table.areas-table tbody tr")
    }
    assert areas["CA-02"] == ["1/1", "0", "1.0", "1", "3.0", "2", "1"]
    assert areas["CA-08"] == ["1/1", "1", "2.0", "2", "2.0", "0", "0"]
    chart = page.select_one("svg.bar-chart")
    assert chart["role"] == "img" and "per control area" in chart.title.get_text()
    assert len(chart.select("rect.series-1")) == 2
    heat = page.select_one("svg.heatmap")
    assert "CA-02, ML 1: 1" in [t.get_text() for t in heat.select("rect title")]
    gaps = page.select_one("table.gaps").get_text(" ")
    assert "SP.09.02 BR" in gaps and "Priya" in gaps and "overdue" in gaps
    assert "SP.12.05 BR" not in gaps
    assert "Acme secret-plan zone" in page.select_one("table.vectors").get_text()
    assert "Stale restore record" in page.select_one("table.evidence").get_text()


def test_the_dashboard_shows_each_components_target_and_achieved_sl_c(
    world, login, org_client
):
    """The same vectors as the component API, per FR."""
    login("vi@acme.test")
    component = world["component"]
    api = org_client.get(f"/api/v1/components/{component.id}").json
    page = soup(org_client.get(f"/assessments/{world['assessment'].id}/dashboard"))
    table = page.select_one("table#component-vectors")
    assert component.name in table.get_text()
    rows = {
        tr.select_one("th[scope=row]").get_text(): [td.get_text() for td in tr("td")]
        for tr in table("tr")
        if tr.select_one("th[scope=row]")
    }
    assert rows["Target SL-C"] == [str(n) for n in api["sl_t"]]
    assert rows["Achieved SL-C"] == [str(n) for n in api["sl_c"]]
    assert rows["Gap"] == [str(n) if n else "–" for n in api["gap"]]
    assert any(api["gap"])  # a target above what is met shows a gap


def test_a_component_assessment_without_components_says_where_to_add_them(
    world, login, org_client, db
):
    login("ed@acme.test")
    parts = ("62443-4-2",)
    empty = factories.make_assessment(db, org=world["acme"], name="PLCs", parts=parts)
    db.commit()
    page = soup(org_client.get(f"/assessments/{empty.id}/dashboard"))
    assert "No component yet." in page.get_text(" ")
    assert page.find("a", string="Add components")["href"] == (
        f"/assessments/{empty.id}/components#new"
    )


def test_an_empty_assessment_says_so(world, login, org_client, db):
    login("ed@acme.test")
    empty = factories.make_assessment(db, org=world["acme"], name="Nothing yet")
    db.commit()
    page = org_client.get(f"/assessments/{empty.id}/dashboard")
    assert page.status_code == 200
    text = soup(page).get_text(" ")
    assert "No requirement is below its target" in text
    assert "No zone or conduit yet." in text
    # 62443-4-2 is not among its parts and it has no component: no such section
    assert "target SL-C against achieved SL-C" not in text
    assert figure(soup(page), "Assessed") == "0 of 2 (0%)"


def test_the_dashboard_is_a_tab_of_the_assessment(world, login, org_client):
    login("vi@acme.test")
    page = soup(org_client.get(f"/assessments/{world['assessment'].id}"))
    assert "Dashboard" in [a.get_text() for a in page.select("nav.tabs a")]


def test_the_organisation_overview_lists_each_assessment_with_figures(
    world, login, org_client, db
):
    login("ed@acme.test")
    aid = world["assessment"].id
    score(org_client, aid, "sp-09-02-br", "2", "2")
    factories.make_assessment(db, org=world["acme"], name="Second site")
    db.commit()
    page = soup(org_client.get("/orgs/acme-water/"))
    rows = {
        tr.th.a.get_text(): [td.get_text(" ", strip=True) for td in tr.find_all("td")]
        for tr in page.select("table.overview tbody tr")
    }
    assert rows["Acme FY26 baseline"][:4] == ["1/2 (50%)", "1 (50%)", "0", "0"]
    assert rows["Second site"][:2] == ["0/2 (0%)", "0 (0%)"]
    lines = {
        tr.th.a.get_text(): tr.select_one("svg.sparkline")["aria-label"]
        for tr in page.select("table.overview tbody tr")
    }
    # The world's snapshot, the month's automatic one before the score, and now.
    assert lines["Acme FY26 baseline"].endswith("3 points: 0.0, 0.0, 50.0")
    assert lines["Second site"].endswith("1 point: 0.0")
    assert "SP.09.02 BR" in page.select_one("table.history").get_text()
    assert "Other Co" not in page.get_text()


def test_sparkline_points():
    from kb.services.charts import sparkline

    assert (
        sparkline([0, 50, 100], width=100, height=28) == "0.0,26.0 50.0,14.0 100.0,2.0"
    )
    assert sparkline([None, 50], width=100, height=28) == "100.0,14.0"
    assert sparkline([None]) == ""
