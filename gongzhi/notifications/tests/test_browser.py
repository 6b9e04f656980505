import pytest

from gongzhi.notifications import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_resident_sees_the_bell_count_opens_the_inbox_and_follows_a_notice(browser_login, world, settings):
    settings.GONGZHI_NOTIFICATION_SENDERS = {}
    services.notification_send(
        users=[world.users["resident"]],
        title="您反映的问题已办结，请评价",
        body="电梯已修好",
        url="/notifications/?unread=1",
    )
    page = browser_login("resident")
    bell = page.locator("[data-testid=nav-notifications]")
    if not bell.is_visible():  # the menu is collapsed on a phone
        page.click(".navbar-toggler")
    assert bell.inner_text().strip() == "1"
    bell.click()
    page.wait_for_url("**/notifications/")
    assert "1 条未读" in page.locator("main").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.click("main button:has-text('查看')")
    page.wait_for_url("**/notifications/?unread=1")
    assert "没有未读通知" in page.locator("main").inner_text()
