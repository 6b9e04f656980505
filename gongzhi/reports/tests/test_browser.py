"""In a phone-sized Chromium: the dashboard's case figure drills down to the case list, the charts
are drawn from local ECharts, and the report downloads as Excel."""

import io

import pytest
from openpyxl import load_workbook

from gongzhi.indicators.tests.casefixture import random_cases

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_dashboard_drills_down_to_cases_and_report_downloads(browser_login, world):
    cases = random_cases([world.estate, world.third_estate], count=40, seed=17)
    page = browser_login("community_worker")
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{page.base}/dashboard/?date=2025-12-31")
    received = page.locator('[data-indicator="cases.received"] a.drilldown')
    counted = int(received.inner_text())
    assert counted == sum(1 for c in cases if c.state not in ("merged", "rejected"))
    # The analysis charts are drawn and their numbers are in tables too.
    page.locator("#analysis .analysis-chart svg").first.wait_for()
    assert page.locator("#trend-table tbody tr").count() == 12
    assert page.locator("#estate-ranking tbody tr").count() == 2
    received.click()
    page.wait_for_url("**/cases/queue/**")
    assert "date_from=2025-01-01" in page.url
    assert page.get_by_text(cases[0].title, exact=False).count() + page.locator("table, .list-group").count() > 0
    numbers = page.locator("body").inner_text()
    assert any(case.number in numbers for case in cases)
    # The report for the same place, downloaded as Excel.
    page.goto(f"{page.base}/reports/?place={world.community.id}&start=2025-01-01&end=2025-12-31")
    assert "阳光社区共受理诉求" in page.get_by_test_id("report").inner_text()
    with page.expect_download() as info:
        page.click("#download-xlsx")
    book = load_workbook(io.BytesIO(open(info.value.path(), "rb").read()))
    assert book.sheetnames[0] == "概要"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert errors == []
