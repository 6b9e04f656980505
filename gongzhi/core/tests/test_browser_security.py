"""In a real browser under the real Content-Security-Policy: the pages of sign-in, second factor,
audit log and personal data run without a single policy violation and fit a phone."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def watch_csp(page):
    violations = []
    page.on(
        "console",
        lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
    )
    return violations


def test_staff_sets_up_the_second_factor_on_a_phone(browser_login, world):
    page = browser_login("community_worker")
    violations = watch_csp(page)
    page.goto(f"{page.base}/accounts/two-factor/")
    page.click("main form button[type=submit]")
    page.wait_for_selector("#totp-secret")
    assert page.locator("svg").count() >= 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    device = TOTPDevice.objects.get(user__username="community_worker", confirmed=False)
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    page.fill("#id_token", code)
    page.click("text=确认开启")
    page.wait_for_selector("text=两步验证已开启")
    for path in ("/audit/", "/privacy/", "/"):
        page.goto(f"{page.base}{path}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
    assert not violations, violations


def test_resident_downloads_data_from_the_phone(browser_login, world):
    page = browser_login("resident")
    violations = watch_csp(page)
    page.goto(f"{page.base}/privacy/")
    assert "138****1111" in page.locator("main").inner_text()
    with page.expect_download() as download:
        page.click("#download-json")
    assert download.value.suggested_filename.startswith("my-data-")
    assert not violations, violations
