"""In a phone-sized browser: a resident proposes a topic; the branch secretary puts it on the
agenda, records the meeting with a resolution and closes it; the resident sees the outcome."""

import datetime

import pytest
from django.utils import timezone

from gongzhi.cases.models import Case
from gongzhi.meetings import services
from gongzhi.meetings.models import Topic

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_resident_proposes_and_secretary_closes_with_a_resolution(world, browser_login, browser_page):
    page = browser_login("resident")
    page.goto(f"{page.base}/meetings/")
    page.get_by_role("link", name="我要点题").first.click()
    page.fill("#id_title", "小区北门路灯不亮")
    page.fill("#id_description", "晚上回家很黑，老人容易摔倒")
    page.get_by_role("button", name="提交").click()
    page.wait_for_load_state()
    assert "小区北门路灯不亮" in page.content()
    topic = Topic.objects.get(title="小区北门路灯不亮")
    assert topic.proposer == world.person("resident")

    meeting = services.meeting_call_ad_hoc(
        place=world.estate,
        title="三方联动议事会",
        reason="路灯与安全",
        location="议事室",
        starts_at=timezone.now() + datetime.timedelta(hours=1),
        acting_user=world.users["branch_secretary"],
    )
    page.context.clear_cookies()
    page = browser_login("branch_secretary")
    page.goto(f"{page.base}/meetings/{meeting.id}/agenda/")
    page.get_by_role("button", name="列入").first.click()
    page.wait_for_load_state()
    page.get_by_role("button", name="向小区公布议题").click()
    page.wait_for_load_state()
    page.get_by_role("link", name="会议记录与答题").click()
    for persona in ("branch_secretary", "committee_chair", "steward"):
        page.check(f"#present-{world.person(persona).id}")
    page.get_by_role("button", name="保存出席").click()
    page.wait_for_load_state()
    item = meeting.items.get()
    page.fill(f"#minutes-{item.id}", "物业核实为线路老化")
    page.check(f"#answer-{item.id}-resolution")
    page.select_option(f"#responsible-{item.id}", label="红心物业")
    page.fill(f"#action-{item.id}", "更换北门路灯线路")
    page.fill(f"#deadline-{item.id}", (timezone.localdate() + datetime.timedelta(days=7)).isoformat())
    page.get_by_role("button", name="保存答题").click()
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("button", name="结束会议并公布结果").click()
    page.wait_for_load_state()
    assert "会议已结束" in page.content()
    case = Case.objects.get(source_kind="meeting_resolution")
    assert case.responsible == world.company and case.state == "dispatched"

    page.context.clear_cookies()
    page = browser_login("resident")
    page.goto(f"{page.base}/meetings/topics/{topic.id}/")
    content = page.content()
    assert "更换北门路灯线路" in content and "形成决议" in content and case.number in content
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
