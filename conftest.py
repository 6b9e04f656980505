import pytest

from gongzhi.testing import PASSWORD, PERSONAS, build_world


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def client_for(client, world):
    """Log the test client in as a persona: ``client_for("steward")``; ``None`` stays anonymous."""

    def login(persona):
        client.logout()
        if persona is not None:
            assert client.login(username=persona, password=PASSWORD)
        return client

    return login


@pytest.fixture
def personas():
    return PERSONAS + (None,)


# --- Browser tests: Playwright driving the system's Chromium (Debian package ``chromium``). ---

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def _playwright_browser():
    import os

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(_playwright_browser, live_server):
    """A fresh phone-sized page (390×844, zh-CN) against the live server. ``page.base`` is the URL."""
    context = _playwright_browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", accept_downloads=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base = live_server.url
    yield page
    context.close()


@pytest.fixture
def browser_login(browser_page):
    def login(username, password=PASSWORD):
        page = browser_page
        page.goto(f"{page.base}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("main button[type=submit]")
        page.wait_for_load_state()
        return page

    return login
