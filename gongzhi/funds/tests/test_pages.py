"""Pages and the permission matrix: each persona × each page or action, allowed or refused."""

import pytest

from gongzhi.funds import services
from gongzhi.funds.models import FundEntry, MicroWish

pytestmark = pytest.mark.django_db

PERSONAS = [
    "resident",
    "other_resident",
    "building_head",
    "supervisor",
    "steward",
    "committee_chair",
    "branch_secretary",
    "community_worker",
    "subdistrict_admin",
    None,
]


def status(client_for, persona, url, method="get", data=None):
    client = client_for(persona)
    response = getattr(client, method)(url, data or {})
    if response.status_code == 302 and "/accounts/login/" in response["Location"]:
        return "login"
    return response.status_code


# Who may open a fund's public page: everyone signed in within the subdistrict.
FUND_VIEW = {p: 200 for p in PERSONAS if p} | {None: "login"}
# Who may write the fund: the subdistrict's fund managers only.
FUND_WRITE = {p: 403 for p in PERSONAS if p} | {"subdistrict_admin": 302, None: "login"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_fund_page_and_contribution_matrix(world, fund, client_for, persona):
    assert status(client_for, persona, f"/funds/{fund.id}/") == FUND_VIEW[persona]
    before = FundEntry.objects.count()
    data = {"source": "shop", "amount": "100", "counterparty": "便利店", "evidence": "收据 3"}
    assert status(client_for, persona, f"/funds/{fund.id}/contribute/", "post", data) == FUND_WRITE[persona]
    assert FundEntry.objects.count() == before + (1 if persona == "subdistrict_admin" else 0)


REVENUE_VIEW = {
    "resident": 200,
    "other_resident": 404,
    "building_head": 200,
    "supervisor": 200,
    "steward": 200,
    "committee_chair": 200,
    "branch_secretary": 200,
    "community_worker": 200,
    "subdistrict_admin": 200,
    None: "login",
}
REVENUE_REVIEW = {
    # A building head is staff of a building only: the estate's ledger is not theirs to see.
    "resident": 404,
    "other_resident": 404,
    "building_head": 404,
    "supervisor": 403,
    "steward": 403,
    "committee_chair": 403,
    "branch_secretary": 403,
    "community_worker": 302,
    "subdistrict_admin": 302,
    None: "login",
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_revenue_matrix(world, client_for, persona):
    assert status(client_for, persona, f"/funds/revenue/{world.estate.id}/") == REVENUE_VIEW[persona]
    assert (
        status(
            client_for,
            persona,
            f"/funds/revenue/{world.estate.id}/review/",
            "post",
            {"year": "2020", "quarter": "1", "note": "ok"},
        )
        == REVENUE_REVIEW[persona]
    )


WORKS_PLAN = {
    "resident": 403,
    "other_resident": 404,
    "building_head": 403,
    "supervisor": 403,
    "steward": 403,
    "committee_chair": 302,
    "branch_secretary": 302,
    "community_worker": 302,
    "subdistrict_admin": 302,
    None: "login",
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_works_matrix(world, client_for, persona):
    url = f"/funds/works/{world.estate.id}/plan/"
    assert status(client_for, persona, url, "post", {"month": "2099-01", "title": "补种绿植"}) == WORKS_PLAN[persona]


WISH_CLAIM = {
    "resident": 302,  # the page answers with a message: one's own wish cannot be claimed
    "other_resident": 404,
    "building_head": 302,
    "supervisor": 302,
    "steward": 302,
    "committee_chair": 302,
    "branch_secretary": 302,
    "community_worker": 302,
    "subdistrict_admin": 302,
    None: "login",
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_wish_matrix(world, client_for, approved_wish, persona):
    wish = approved_wish()
    assert (
        status(client_for, persona, f"/funds/wishes/{wish.id}/claim/", "post", {"donor_kind": "resident"})
        == WISH_CLAIM[persona]
    )
    claimed = MicroWish.objects.get(pk=wish.pk).status == "claimed"
    assert claimed == (persona not in ("resident", "other_resident", None))


def test_pages_render_for_their_users(world, fund, client_for, approved_wish):
    wish = approved_wish()
    resident = client_for("resident")
    for url in ("/funds/", "/funds/wishes/", f"/funds/wishes/{wish.id}/", f"/funds/works/{world.estate.id}/"):
        assert resident.get(url).status_code == 200, url
    staff = client_for("community_worker")
    for url in (
        "/funds/",
        "/funds/renovation/",
        f"/funds/revenue/{world.estate.id}/",
        f"/funds/works/{world.estate.id}/",
    ):
        assert staff.get(url).status_code == 200, url
    assert client_for("resident").get("/funds/renovation/").status_code == 404


def test_bad_input_on_pages_comes_back_as_a_message(world, fund, client_for):
    admin = client_for("subdistrict_admin")
    response = admin.post(
        f"/funds/{fund.id}/contribute/",
        {"source": "resident", "amount": "-5", "counterparty": "x", "evidence": "y"},
        follow=True,
    )
    assert "必须大于零" in response.content.decode()
    response = admin.post(
        f"/funds/{fund.id}/grant/", {"amount": "5", "purpose": "p", "counterparty": "x", "evidence": "y"}, follow=True
    )
    assert "超过基金余额" in response.content.decode()
    assert FundEntry.objects.count() == 0


def test_wish_posted_on_the_page_waits_for_review(world, client_for):
    response = client_for("resident").post(
        "/funds/wishes/new/", {"estate": world.estate.id, "title": "想要一把轮椅"}, follow=True
    )
    assert "审核通过后会公开" in response.content.decode()
    wish = MicroWish.objects.get()
    assert client_for("committee_chair").get(f"/funds/wishes/{wish.id}/").status_code == 200  # staff of the estate
    assert client_for("other_resident").get(f"/funds/wishes/{wish.id}/").status_code == 404
    services.micro_wish_review(wish=wish, approve=True, acting_user=world.users["community_worker"])


def test_a_pending_wish_is_hidden_from_donors_and_the_pages_speak_english(world, client_for, partner_contact):
    wish = services.micro_wish_post(estate=world.estate, title="一把轮椅", acting_user=world.users["resident"])
    for persona in ("steward", "building_head", "branch_secretary"):
        expected = 200 if persona == "branch_secretary" else 404
        assert client_for(persona).get(f"/funds/wishes/{wish.id}/").status_code == expected, persona
    client = client_for("resident")
    client.cookies["django_language"] = "en"
    page = client.get("/funds/wishes/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Make a wish" in page and "Awaiting review" in page


def test_staff_plan_and_complete_a_micro_work_on_the_page(world, client_for, photo):
    from django.utils import timezone

    from gongzhi.funds.models import MicroProject

    client = client_for("branch_secretary")
    month = timezone.localdate().strftime("%Y-%m")
    client.post(f"/funds/works/{world.estate.id}/plan/", {"month": month, "title": "修复儿童滑梯", "source": "case"})
    project = MicroProject.objects.get()
    response = client.post(f"/funds/works/projects/{project.id}/complete/", {"evidence": "已更换滑梯板"}, follow=True)
    assert "现场照片" in response.content.decode()
    response = client.post(
        f"/funds/works/projects/{project.id}/complete/", {"evidence": "已更换滑梯板", "photo": photo()}, follow=True
    )
    assert "已办结" in response.content.decode()
    assert client_for("resident").get(f"/funds/works/projects/{project.id}/photo/").status_code == 200
    assert client_for("other_resident").get(f"/funds/works/projects/{project.id}/photo/").status_code == 404


def test_committee_records_revenue_on_the_page(world, client_for):
    from gongzhi.funds.models import RevenueEntry

    client = client_for("committee_chair")
    data = {"category": "charging", "amount": "1234.56", "is_cost": "0", "note": "充电分成", "evidence": "票据 9"}
    response = client.post(f"/funds/revenue/{world.estate.id}/record/", data, follow=True)
    assert "已记账" in response.content.decode() and "1234.56" in response.content.decode()
    response = client.post(f"/funds/revenue/{world.estate.id}/record/", data | {"category": "lottery"}, follow=True)
    assert "请选择收益类别" in response.content.decode()
    assert RevenueEntry.objects.count() == 1
