import pytest

from gongzhi.testing import PASSWORD, PERSONAS, build_world

_flushed = {"since_seed": False}


def _data_migration_operations():
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.operations.special import RunPython

    loader = MigrationLoader(connection, ignore_no_migrations=True)
    for key in sorted(loader.graph.nodes):
        if not key[0].isidentifier() or loader.graph.nodes[key].__module__.split(".")[0] != "gongzhi":
            continue
        # Seeding data migrations are named "*_default_*" (e.g. cases 0002_default_categories);
        # others (e.g. creating a database sequence) change the schema and are not replayed.
        if "_default_" not in key[1]:
            continue
        for operation in loader.graph.nodes[key].operations:
            if isinstance(operation, RunPython):
                yield operation


@pytest.fixture(autouse=True)
def _chinese_and_seeded(request, settings):
    """Every test starts in Chinese (a test that switched to English must not leak into the next),
    with fast password hashing (the named world logs in nine personas), and with the rows the data
    migrations seed (categories, default scorecards, the negative list): a transactional test
    (browser, live server) flushes every table when it ends, taking those rows with it."""
    from django.utils import translation

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.RATELIMIT_ENABLED = False
    translation.activate("zh-hans")
    marker = request.node.get_closest_marker("django_db")
    uses_db = marker is not None or {"db", "transactional_db", "live_server"} & set(request.fixturenames)
    transactional = (
        "transactional_db" in request.fixturenames
        or "live_server" in request.fixturenames
        or (marker is not None and marker.kwargs.get("transaction"))
    )
    if uses_db and _flushed["since_seed"]:
        request.getfixturevalue("transactional_db" if transactional else "db")
        from django.apps import apps

        for operation in _data_migration_operations():
            operation.code(apps, None)
    yield
    translation.deactivate()
    if transactional:
        _flushed["since_seed"] = True


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
