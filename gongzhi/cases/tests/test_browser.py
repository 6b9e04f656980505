"""End to end on a phone-sized Chromium: a resident reports with a photo taken by the camera, the
community dispatches, the steward signs and resolves with an evidence photo, the resident rates."""

import pytest

from gongzhi.cases import services
from gongzhi.cases.models import Case, CaseState
from gongzhi.cases.tests.conftest import jpeg_with_gps

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def photo(name):
    upload = jpeg_with_gps(name)
    return {"name": name, "mimeType": "image/jpeg", "buffer": upload.read()}


def test_resident_reports_with_photo_and_steward_resolves(world, browser_login, browser_page):
    page = browser_login("resident")
    page.goto(f"{page.base}/cases/")
    page.click("text=我要反映问题")
    page.select_option("#id_category", label="电梯故障")
    page.fill("#id_description", "2号楼电梯门关不上，夜里一直报警")
    page.set_input_files("#id_photos", [photo("lift.jpg")])
    assert page.locator("#photo-preview img").count() == 1
    page.click("#report-form button[type=submit]")
    page.wait_for_selector("#case-number")
    case = Case.objects.get()
    assert page.inner_text("#case-number") == case.number
    assert "已受理" in page.inner_text("#case-state")
    assert page.locator("#timeline img.case-photo").count() == 1

    services.case_dispatch(case=case, acting_user=world.users["community_worker"], responsible=world.company)

    page.context.clear_cookies()
    page = browser_login("steward")
    page.goto(f"{page.base}/cases/queue/?tab=new")
    page.click(f"text={case.title}")
    page.click("#sign-button")
    page.wait_for_selector("text=已签收")
    page.fill("#work-note", "已更换电梯门机皮带，试运行正常")
    page.set_input_files("#work-form input[type=file]", [photo("fixed.jpg")])
    page.click("#resolve-button")
    page.wait_for_selector("text=已办结")
    case.refresh_from_db()
    assert case.state == CaseState.RESOLVED and case.photos.count() == 2

    page.context.clear_cookies()
    page = browser_login("resident")
    page.goto(f"{page.base}/cases/{case.pk}/")
    assert "已更换电梯门机皮带" in page.inner_text("#timeline")
    page.click("label[for=solved-yes]")
    page.click("label[for=rating-satisfied]")
    page.fill("textarea[name=comment]", "修得很快，谢谢")
    page.click("#review-card button[type=submit]")
    page.wait_for_selector("text=感谢您的评价")
    case.refresh_from_db()
    assert case.state == CaseState.REVIEWED and case.rating == "satisfied"
