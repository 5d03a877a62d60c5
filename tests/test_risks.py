"""The risk assessment of zones and conduits (62443-3-2) as an assessor uses it: the
initial assessment, threat scenarios, the register and heatmaps, the suggested SL-T and
the decision, the risk matrix and its versions; every bad input refused with its reason
and nothing changed.

The world's zone "Acme secret-plan zone" (SL-T {2 2 0 1 3 1 3}) has one scenario:
"Acme secret-plan sabotage", a simple source (SL 2) on FR 3 and FR 7, risk 4 x 3 = 12
before and 4 x 2 = 8 after, above the default tolerable line of 6.
"""

from __future__ import annotations

from bs4 import BeautifulSoup
from sqlalchemy import func
from sqlmodel import select

from kb.models import InitialRisk, RiskMatrix, RiskScenario, TargetDecision, Zone

SCENARIO = {
    "title": "Contractor laptop brings malware",
    "source": "sophisticated",
    "frs": ["3", "5"],
    "consequence": "4",
    "likelihood": "4",
    "countermeasures": "USB ports locked on HMIs",
    "countering_srs": "SR 1.1",
    "residual_consequence": "4",
    "residual_likelihood": "3",
    "additional": "A kiosk that scans media",
    "owner": "OT lead",
}


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def zone_url(world) -> str:
    return f"/assessments/{world['assessment'].id}/zones/{world['zone'].id}/risks"


def count(db, model) -> int:
    db.expire_all()
    return db.exec(select(func.count()).select_from(model)).one()


def suggestion_rows(page) -> dict[str, list[str]]:
    return {
        tr.th.get_text(" ", strip=True): [
            td.get_text(" ", strip=True) for td in tr.find_all("td")[:2]
        ]
        for tr in soup(page).select("table.suggestion tbody tr")
    }


def test_the_initial_assessment_says_which_need_a_detailed_one(
    world, login, org_client, db
):
    login("ed@acme.test")
    url = f"/assessments/{world['assessment'].id}/risks"
    assert "not assessed" in org_client.get(url).text  # kept until a change
    for zone_id, consequence, likelihood in (("", 4, 4), (world["zone"].id, 2, 3)):
        saved = org_client.post(
            f"{url}/initial",
            data={
                "zone_id": zone_id,
                "consequence": consequence,
                "likelihood": likelihood,
                "notes": "only the historian, behind the DMZ" if zone_id else "",
            },
        )
        assert saved.status_code == 303
    rows = {
        tr.th.get_text(" ", strip=True): [
            td.get_text(" ", strip=True) for td in tr.find_all("td")
        ]
        for tr in soup(org_client.get(url)).select("table.initial-risk tbody tr")
    }
    assert rows["System under consideration"][1:3] == ["16", "needed"]
    zone_row = rows["Acme secret-plan zone zone"]
    assert zone_row[1:3] == ["6", "not needed"]  # on the line: tolerable
    assert count(db, InitialRisk) == 2


def test_a_level_outside_the_matrix_changes_nothing(world, login, org_client, db):
    login("ed@acme.test")
    url = f"/assessments/{world['assessment'].id}/risks/initial"
    refused = org_client.post(
        url, data={"zone_id": "", "consequence": 6, "likelihood": 2}
    )
    assert refused.status_code == 422
    assert "6 is outside the risk matrix; use 1 to 5" in refused.text
    assert count(db, InitialRisk) == 0
    added = org_client.post(zone_url(world), data=SCENARIO | {"likelihood": "9"})
    assert added.status_code == 422
    assert "9 is outside the risk matrix; use 1 to 5" in added.text
    assert count(db, RiskScenario) == 1  # the world's own


def test_a_scenario_with_unknown_references_is_refused(world, login, org_client, db):
    login("ed@acme.test")
    for changes, message in (
        (
            {"countering_srs": "SR 9.9"},
            "&#39;SR 9.9&#39; is not an SR or RE of 62443-3-3",
        ),
        ({"threat_id": "TH-NOPE"}, "&#39;TH-NOPE&#39; is not in the threat catalogue"),
        ({"frs": []}, "choose at least one foundational requirement"),
        ({"source": "aliens"}, "casual"),
    ):
        refused = org_client.post(zone_url(world), data=SCENARIO | changes)
        assert refused.status_code == 422, changes
        assert message in refused.text, changes
    assert count(db, RiskScenario) == 1


def test_a_scenario_from_the_catalogue_takes_its_blanks_from_the_threat(
    world, login, org_client
):
    login("ed@acme.test")
    added = org_client.post(
        zone_url(world),
        data={
            "threat_id": "TH-FIXTURE-INTRUDER",
            "consequence": "3",
            "likelihood": "3",
            "residual_consequence": "3",
            "residual_likelihood": "3",
        },
    )
    assert added.status_code == 303
    page = soup(org_client.get(zone_url(world)))
    row = next(
        tr
        for tr in page.select("table.scenarios tbody tr")
        if "An intruder logs in with a guessed password" in tr.get_text()
    )
    cells = [td.get_text(" ", strip=True) for td in row.find_all("td")]
    assert cells[0] == "SL 3 sophisticated" and cells[1] == "1"  # FR 1
    assert cells[4] == "SR 1.1 not assessed in this zone"
    zone = world["zone"]
    org_client.post(
        f"/assessments/{world['assessment'].id}/zones/{zone.id}/requirements/sr-1-1",
        data={"version": 0, "state": "met"},
    )
    page = soup(org_client.get(zone_url(world)))
    assert "SR 1.1 met" in page.select("table.scenarios tbody tr")[-1].get_text(
        " ", strip=True
    )


def test_scenarios_suggest_the_slt_and_a_decision_sets_it(world, login, org_client, db):
    login("ed@acme.test")
    assert org_client.post(zone_url(world), data=SCENARIO).status_code == 303
    page = org_client.get(zone_url(world))
    rows = suggestion_rows(page)
    # the world's SL 2 scenario on FR 3 and FR 7, this SL 3 one on FR 3 and FR 5
    assert rows["FR 3 SI"] == ["3", "Contractor laptop brings malware"]
    assert rows["FR 5 RDF"] == ["3", "Contractor laptop brings malware"]
    assert rows["FR 7 RA"] == ["2", "Acme secret-plan sabotage"]
    assert rows["FR 1 IAC"] == ["0", "no scenario above the line"]
    assert "{0 0 3 0 3 0 2}" in soup(page).select_one("#suggested").get_text()

    zone = world["zone"]
    levels = {f"sl_t_{fr}": level for fr, level in enumerate([0, 0, 3, 0, 3, 0, 2], 1)}
    apart = levels | {"sl_t_1": "2", "version": zone.version}
    refused = org_client.post(
        f"/assessments/{world['assessment'].id}/zones/{zone.id}/slt", data=apart
    )
    assert refused.status_code == 422
    assert "FR 1: say why 2 and not the suggested 0" in refused.text
    assert count(db, TargetDecision) == 0

    decided = org_client.post(
        f"/assessments/{world['assessment'].id}/zones/{zone.id}/slt",
        data=apart | {"reason_1": "vendor remote access lands here"},
    )
    assert decided.status_code == 303
    db.expire_all()
    assert db.get(Zone, zone.id).sl_t == [2, 0, 3, 0, 3, 0, 2]
    zone_page = org_client.get(f"/assessments/{world['assessment'].id}/zones/{zone.id}")
    assert "{2 0 3 0 3 0 2}" in soup(zone_page).select_one("dl.facts").get_text()
    assert (
        "2 threat scenarios" in soup(zone_page).select_one("#risk-summary").get_text()
    )
    reasoning = (
        soup(org_client.get(zone_url(world))).select_one("#decision").get_text(" ")
    )
    assert "FR 1: vendor remote access lands here" in reasoning
    history = org_client.get(
        f"/assessments/{world['assessment'].id}/zones/{zone.id}/history"
    )
    assert "from the risk assessment" in history.text


def test_countermeasures_that_bring_a_scenario_under_the_line_drop_it(
    world, login, org_client
):
    login("ed@acme.test")
    treated = SCENARIO | {"residual_consequence": "2", "residual_likelihood": "3"}  # 6
    org_client.post(zone_url(world), data=treated)
    rows = suggestion_rows(org_client.get(zone_url(world)))
    assert rows["FR 5 RDF"] == ["0", "no scenario above the line"]
    assert rows["FR 3 SI"] == ["2", "Acme secret-plan sabotage"]


def test_the_register_filters_and_its_heatmaps_count_what_it_shows(
    world, login, org_client
):
    login("ed@acme.test")
    org_client.post(zone_url(world), data=SCENARIO | {"residual_likelihood": "1"})  # 4
    url = f"/assessments/{world['assessment'].id}/risks"

    def titles(query=""):
        page = soup(org_client.get(url + query))
        return [
            th.get_text(strip=True)
            for th in page.select("table.risk-register tbody th")
        ], page

    everything, page = titles()
    assert everything == [
        "Acme secret-plan sabotage",
        "Contractor laptop brings malware",
    ]
    before = page.select_one("#heatmap-before table.numbers")
    cells = {
        tr.th.get_text(" ", strip=True): [td.get_text() for td in tr.find_all("td")]
        for tr in before.select("tbody tr")
    }
    assert cells["4 Major"] == ["0", "0", "1", "1", "0"]  # likelihoods 3 and 4
    assert titles("?state=above")[0] == ["Acme secret-plan sabotage"]
    assert titles("?state=tolerable")[0] == ["Contractor laptop brings malware"]
    assert titles("?level=3")[0] == ["Contractor laptop brings malware"]
    assert (
        titles(f"?zone={world['zone'].id}&level=1")[1]
        .select_one(".empty")
        .get_text(strip=True)
        == "No threat scenario matches these filters."
    )


def test_a_stale_scenario_edit_keeps_the_persons_words(world, login, org_client):
    login("ed@acme.test")
    url = f"{zone_url(world)}/{world['scenario'].id}"
    base = SCENARIO | {"title": "Sabotage by a contractor", "version": "1"}
    assert org_client.post(url, data=base).status_code == 303
    stale = org_client.post(url, data=base | {"title": "Sabotage, second opinion"})
    assert stale.status_code == 409
    assert "Sabotage, second opinion" in stale.text
    assert "Someone else saved this scenario" in stale.text
    ticked = [i["value"] for i in soup(stale).select("input[name=frs][checked]")]
    assert ticked == ["3", "5"]  # both FRs the person ticked


def test_a_new_matrix_version_leaves_a_started_assessment_alone(
    world, login, org_client, db
):
    login("admin@acme.test")
    url = "/orgs/acme-water/risk-matrix"
    page = soup(org_client.get(url))
    form = {
        i["name"]: i.get("value", "")
        for i in page.select("form.matrix-form input")
        if i.get("name")
    }
    refused = org_client.post(url, data=form | {"tolerable": ""})
    assert refused.status_code == 422
    assert "set the tolerable line" in refused.text
    refused = org_client.post(url, data=form | {"consequence_2_name": ""})
    assert "give the level a name" in refused.text
    assert count(db, RiskMatrix) == 1  # version 1, pinned by the world's scenario
    saved = org_client.post(
        url, data=form | {"tolerable": "9", "likelihood_5_name": "Frequent"}
    )
    assert saved.status_code == 303
    assert "version 2" in soup(org_client.get(url)).h2.get_text()
    register = org_client.get(f"/assessments/{world['assessment'].id}/risks")
    assert "up to 6 it is tolerable" in register.text  # it keeps version 1


def test_the_api_adds_a_scenario_and_answers_the_suggestion(
    world, login, org_client, db
):
    login("ed@acme.test")
    url = f"/api/v1/zones/{world['zone'].id}"
    refused = org_client.post(
        f"{url}/risks",
        json={
            "title": "x",
            "source": "simple",
            "frs": [1],
            "consequence": 9,
            "likelihood": 1,
            "residual_consequence": 1,
            "residual_likelihood": 1,
        },
    )
    assert refused.status_code == 422
    assert refused.json["problems"] == [
        {"field": "consequence", "message": "9 is outside the risk matrix; use 1 to 5"}
    ]
    assert count(db, RiskScenario) == 1
    added = org_client.post(
        f"{url}/risks",
        json={
            "threat_id": "TH-FIXTURE-INTRUDER",
            "consequence": 4,
            "likelihood": 4,
            "residual_consequence": 4,
            "residual_likelihood": 4,
        },
    )
    assert added.status_code == 201
    assert added.json["source"] == "sophisticated" and added.json["risk_after"] == 16
    listed = org_client.get(f"{url}/risks").json
    assert listed["tolerable"] == 6 and listed["count"] == 2
    suggestion = org_client.get(f"{url}/slt-suggestion").json
    assert suggestion["suggested"] == [3, 0, 2, 0, 0, 0, 2]
    assert (
        suggestion["drivers"]["FR 1"]["title"]
        == "An intruder logs in with a guessed password"
    )
    assert suggestion["drivers"]["FR 2"] is None
