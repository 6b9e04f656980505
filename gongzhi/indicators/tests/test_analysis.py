"""The case analysis on the dashboard: trend, breakdowns, rankings, drill-down links, and a page
whose query count does not grow with the number of cases."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gongzhi.cases.models import Case
from gongzhi.indicators.tests.casefixture import random_cases

pytestmark = pytest.mark.django_db
URL = reverse("indicators:dashboard")


def test_analysis_tables_and_drilldown(client_for, world):
    random_cases([world.estate, world.third_estate, world.other_estate], count=90, seed=31)
    response = client_for("community_worker").get(URL, {"date": "2025-12-31"})
    assert response.status_code == 200
    analysis = response.context["analysis"]
    assert [line.label for line in analysis.trend][0] == "2025-01" and len(analysis.trend) == 12
    counted = Case.objects.filter(estate__in=[world.estate, world.third_estate]).exclude(
        state__in=("merged", "rejected")
    )
    assert sum(line.sums["received"] for line in analysis.trend) == counted.count()
    assert {line.label for line in analysis.estate_ranking} == {"檀悦小区", "鸿盛名邸"}  # not 梅岭新村
    assert sum(line.sums["received"] for line in analysis.by_category) == counted.count()
    scores = [line.figures["cases.composite_score"].value for line in analysis.estate_ranking]
    assert scores == sorted(scores, key=lambda v: (v is None, -(v or 0)))
    # Two companies serve the two estates; each ranked with its estates' cases.
    assert sum(line.sums["received"] for line in analysis.company_ranking) == counted.count()
    drill = response.context["drill"]["cases.received"]
    assert drill.startswith(reverse("cases:queue")) and "tab=all" in drill and "date_from=2025-01-01" in drill
    body = response.content.decode()
    assert 'id="trend-table"' in body and 'data-echart="' in body and "analysis.js" in body
    # The estate's own dashboard drills down to its cases only.
    response = client_for("committee_chair").get(URL, {"place": world.estate.id, "date": "2025-12-31"})
    assert f"estate={world.estate.id}" in response.context["drill"]["cases.received"]
    assert response.context["analysis"].estate_ranking == []


def test_drilled_down_case_list_shows_only_cases_the_user_may_see(client_for, world):
    random_cases([world.estate, world.other_estate], count=40, seed=33)
    client = client_for("community_worker")
    drill = client.get(URL, {"date": "2025-12-31"}).context["drill"]["cases.received"]
    page = client.get(drill + "&page=1")
    assert page.status_code == 200
    shown = {case.estate_id for case in page.context["cases"]}
    assert shown and shown <= {world.estate.id, world.third_estate.id}


def test_page_queries_do_not_grow_with_cases(client_for, world):
    client = client_for("subdistrict_admin")
    query = {"place": world.subdistrict.id, "date": "2025-12-31", "area": "cases"}
    random_cases([world.estate], count=10, seed=41)
    client.get(URL, query)  # folds the new cases into the roll-ups
    with CaptureQueriesContext(connection) as small:
        client.get(URL, query)
    random_cases([world.estate, world.third_estate, world.other_estate], count=150, seed=42)
    client.get(URL, query)
    with CaptureQueriesContext(connection) as large:
        client.get(URL, query)
    assert len(small) == len(large)


def test_the_responsible_parties_with_most_cases_are_listed_and_the_rest_a_click_away(client_for, world, settings):
    random_cases([world.estate, world.third_estate, world.other_estate], count=90, seed=31)
    client = client_for("community_worker")
    every = client.get(URL, {"date": "2025-12-31", "responsible": "all"}).context["analysis"].by_responsible
    assert len(every) >= 2
    settings.GONGZHI = {**settings.GONGZHI, "DASHBOARD_RESPONSIBLE_SHOWN": 1}
    response = client.get(URL, {"date": "2025-12-31"})
    analysis = response.context["analysis"]
    shown, rest = analysis.by_responsible
    assert (shown.label, shown.sums) == (every[0].label, every[0].sums)
    assert analysis.responsible_hidden == len(every) - 1
    assert rest.label == f"其余{len(every) - 1}个责任方"
    assert rest.sums["received"] == sum(line.sums["received"] for line in every[1:])
    body = response.content.decode()
    assert 'data-testid="every-responsible"' in body and "responsible=all" in body and "date=2025-12-31" in body
    whole = client.get(URL, {"date": "2025-12-31", "responsible": "all"})
    assert [line.label for line in whole.context["analysis"].by_responsible] == [line.label for line in every]
    assert 'data-testid="every-responsible"' not in whole.content.decode()
