"""An owner votes on a phone; the committee closes the vote and the result is published."""

import datetime

import pytest
from django.utils import timezone

from gongzhi.elections import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_owner_votes_on_a_phone_and_the_committee_closes(world, browser_login):
    now = timezone.now()
    chair = world.users["committee_chair"]
    vote = services.vote_create(
        estate=world.estate,
        title="利用架空层开设邻里服务站",
        matter="common_parts",
        text="利用2号楼架空层约400平方米建设休闲活动中心和图书阅览室。",
        opens_at=now - datetime.timedelta(hours=2),
        closes_at=now + datetime.timedelta(days=5),
        acting_user=chair,
    )
    services.vote_open(vote=vote, acting_user=chair, now=now - datetime.timedelta(days=16))
    for persona in ("building_head", "branch_secretary", "committee_chair"):
        services.ballot_cast(vote=vote, acting_user=world.users[persona], choice="yes")

    page = browser_login("resident")
    page.goto(f"{page.base}/elections/")
    page.get_by_role("link", name="利用架空层开设邻里服务站").first.click()
    page.get_by_text("同意", exact=True).click()
    page.click("#submit-ballot")
    page.wait_for_selector("#receipt-code")
    receipt = page.inner_text("#receipt-code")
    assert len(receipt) == 16
    assert "同意" in page.inner_text("#my-ballot")
    # The page fits a phone: nothing wider than the viewport.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.context.clear_cookies()
    page = browser_login("committee_chair")
    page.goto(f"{page.base}/elections/votes/{vote.id}/")
    page.fill("#close-note", "全体业主已完成投票")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#close-vote")
    page.wait_for_selector("#outcome")
    # 4 of 6 owners (354 of 531 m²) took part: exactly two thirds; all consented (≥ 3/4).
    assert "表决通过" in page.inner_text("#outcome")
    assert "4/6" in page.content()
    page.goto(f"{page.base}/elections/votes/{vote.id}/receipt/?code={receipt}")
    assert "已计入统计" in page.content()
