"""The dashboard in a phone-sized Chromium: cards, a definition one tap away, the chart drawn from
the local ECharts, nothing overflowing the screen."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_community_worker_reads_the_dashboard_on_a_phone(browser_login, world):
    page = browser_login("community_worker")
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{page.base}/dashboard/")
    assert page.get_by_test_id("place-name").inner_text() == "阳光社区"
    card = page.locator('[data-indicator="party_branch_coverage"]')
    assert "50.0%" in card.inner_text() and "1/2" in card.inner_text()
    definition = page.locator("#def-party_branch_coverage")
    assert not definition.is_visible()
    card.get_by_role("button").click()
    definition.wait_for(state="visible")
    assert "覆盖的小区数" in definition.inner_text()
    # The chart is drawn (SVG renderer) with the series picker filled in by the script.
    page.locator("#indicator-chart svg").wait_for()
    assert page.locator("#chart-series option").count() >= 5
    page.select_option("#chart-series", index=2)
    assert page.locator("#estate-table tbody tr").count() == 2
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    scripts = page.evaluate("[...document.scripts].map(s => s.src)")
    assert all(src.startswith(page.base) for src in scripts)
    assert errors == []
