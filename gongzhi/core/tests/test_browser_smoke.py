import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_page_is_chinese_and_fits_a_phone(browser_page):
    page = browser_page
    page.goto(f"{page.base}/accounts/login/")
    assert page.locator("h1").inner_text() == "登录"
    # Nothing overflows the phone's width.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # Assets come from the app itself.
    css = page.evaluate("[...document.styleSheets].map(s => s.href).filter(Boolean)")
    assert css and all(href.startswith(page.base) for href in css)


def test_persona_logs_in_and_sees_their_estate(browser_login, world):
    page = browser_login("resident")
    assert "檀悦小区" in page.locator("main").inner_text()
