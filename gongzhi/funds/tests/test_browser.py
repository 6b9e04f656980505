import pytest

from gongzhi.funds import services
from gongzhi.funds.models import MicroWish

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _media_in_a_temporary_folder(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_a_resident_posts_a_wish_and_a_donor_claims_it(browser_login, world, browser_page):
    page = browser_login("resident")
    page.goto(f"{page.base}/funds/wishes/")
    page.click("#wish-submit")
    assert "请写下您的心愿" in page.locator("main").inner_text()
    page.fill("#wish-title", "给楼下独居老人送一台收音机")
    page.click("#wish-submit")
    assert "审核通过后会公开" in page.locator("main").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    wish = MicroWish.objects.get()
    services.micro_wish_review(wish=wish, approve=True, acting_user=world.users["community_worker"])

    page.context.clear_cookies()
    page = browser_login("building_head")
    page.goto(f"{page.base}/funds/wishes/")
    page.click(f"#open-wishes a[href='/funds/wishes/{wish.id}/']")
    page.select_option("select[name=donor_kind]", "party_member")
    page.click("#wish-claim")
    assert "认领成功" in page.locator("main").inner_text()
    assert "陈楼长" in page.locator("#wish-donor").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    wish.refresh_from_db()
    assert wish.status == "claimed" and wish.donor == world.person("building_head")
