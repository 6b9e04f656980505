"""Pages and the permission matrix: each persona × each action, before, during and after the
voting window."""

import datetime

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from gongzhi.elections import services
from gongzhi.elections.models import Ballot

pytestmark = pytest.mark.django_db

VIEWERS = {
    "resident": 200,
    "other_resident": 404,
    "building_head": 200,
    "supervisor": 200,
    "steward": 200,
    "committee_chair": 200,
    "branch_secretary": 200,
    "community_worker": 200,
    "subdistrict_admin": 200,
}
# Who may cast during the window: the estate's owners on the roll.
CASTERS = {
    "resident": "ok",
    "other_resident": 404,
    "building_head": "ok",
    "supervisor": 403,
    "steward": 403,
    "committee_chair": "ok",
    "branch_secretary": "ok",
    "community_worker": 403,
    "subdistrict_admin": 403,
}


def vote_in_phase(world, phase):
    now = timezone.now()
    chair = world.users["committee_chair"]
    if phase == "before":
        opens_at, closes_at, opened = now + datetime.timedelta(days=16), now + datetime.timedelta(days=20), now
    elif phase == "during":
        opens_at, closes_at, opened = (
            now - datetime.timedelta(days=1),
            now + datetime.timedelta(days=5),
            now - datetime.timedelta(days=20),
        )
    else:
        opens_at, closes_at, opened = (
            now - datetime.timedelta(days=5),
            now - datetime.timedelta(hours=1),
            now - datetime.timedelta(days=30),
        )
    vote = services.vote_create(
        estate=world.estate,
        title=f"表决-{phase}",
        matter="other",
        opens_at=opens_at,
        closes_at=closes_at,
        acting_user=chair,
    )
    return services.vote_open(vote=vote, acting_user=chair, now=opened)


def test_view_matrix(world, client_for, open_vote):
    vote = open_vote()
    for persona, expected in VIEWERS.items():
        response = client_for(persona).get(f"/elections/votes/{vote.id}/")
        assert response.status_code == expected, persona
    assert client_for(None).get(f"/elections/votes/{vote.id}/").status_code == 302


def test_residents_do_not_see_drafts(world, client_for):
    now = timezone.now()
    vote = services.vote_create(
        estate=world.estate,
        title="草稿",
        matter="other",
        opens_at=now + datetime.timedelta(days=20),
        closes_at=now + datetime.timedelta(days=25),
        acting_user=world.users["committee_chair"],
    )
    assert client_for("resident").get(f"/elections/votes/{vote.id}/").status_code == 404
    assert client_for("committee_chair").get(f"/elections/votes/{vote.id}/").status_code == 200


@pytest.mark.parametrize("phase", ["before", "during", "after"])
def test_cast_matrix(world, client_for, phase):
    vote = vote_in_phase(world, phase)
    for persona, expected in CASTERS.items():
        client = client_for(persona)
        before = Ballot.objects.filter(vote=vote).count()
        response = client.post(f"/elections/votes/{vote.id}/cast/", {"choice": "yes"}, follow=True)
        after = Ballot.objects.filter(vote=vote).count()
        if expected == "ok" and phase == "during":
            assert response.status_code == 200 and after == before + 1, persona
            assert "回执码" in response.content.decode()
        elif expected == "ok":
            assert after == before, persona
            text = response.content.decode()
            assert ("投票尚未开始" in text) if phase == "before" else ("截止" in text), persona
        else:
            assert response.status_code == expected, persona
            assert after == before


@pytest.mark.parametrize(
    "persona,allowed",
    [
        ("resident", False),
        ("supervisor", False),
        ("steward", False),
        ("branch_secretary", False),
        ("committee_chair", True),
        ("community_worker", True),
        ("subdistrict_admin", True),
    ],
)
def test_close_matrix(world, client_for, persona, allowed):
    vote = vote_in_phase(world, "after")
    response = client_for(persona).post(f"/elections/votes/{vote.id}/close/", {"note": ""})
    vote.refresh_from_db()
    if allowed:
        assert response.status_code == 302 and vote.status == "closed"
    else:
        assert response.status_code == 403 and vote.status == "open"


def test_teller_page_and_paper_entry(world, client_for, open_vote):
    vote = open_vote()
    assert client_for("resident").get(f"/elections/votes/{vote.id}/teller/").status_code == 403
    assert client_for("steward").get(f"/elections/votes/{vote.id}/teller/").status_code == 403
    client = client_for("committee_chair")
    assert client.get(f"/elections/votes/{vote.id}/teller/").status_code == 200
    entry = vote.roll.filter(kind="unrecorded").first()
    response = client.post(
        f"/elections/votes/{vote.id}/teller/",
        {"entry": entry.id, "choice": "no", "serial": "A-1", "action": "paper"},
        follow=True,
    )
    assert "纸质票已录入" in response.content.decode()
    response = client.post(
        f"/elections/votes/{vote.id}/teller/",
        {"entry": entry.id, "choice": "no", "proxy_name": "张三", "action": "proxy"},
        follow=True,
    )
    assert "书面授权委托书" in response.content.decode()
    assert Ballot.objects.filter(vote=vote).count() == 1


def test_result_export_print_and_receipt(world, client_for, open_vote):
    vote = open_vote()
    ballot = services.ballot_cast(vote=vote, acting_user=world.users["resident"], choice="yes")
    services.vote_close(vote=vote, acting_user=world.users["committee_chair"], note="测试")
    client = client_for("resident")
    page = client.get(f"/elections/votes/{vote.id}/").content.decode()
    assert "表决未通过" in page and "1/6" in page
    printed = client.get(f"/elections/votes/{vote.id}/print/").content.decode()
    assert ballot.receipt in printed
    check = client.get(f"/elections/votes/{vote.id}/receipt/?code={ballot.receipt}").content.decode()
    assert "已计入统计" in check
    assert client.get(f"/elections/votes/{vote.id}/result.xlsx").status_code == 403  # residents: print, not export
    response = client_for("committee_chair").get(f"/elections/votes/{vote.id}/result.xlsx")
    assert response.status_code == 200
    from io import BytesIO

    book = load_workbook(BytesIO(response.content))
    rows = list(book.worksheets[0].values)
    assert any(row[0] == "参与表决人数 / 总人数" and row[1] == "1/6" for row in rows)
    assert [r[0] for r in book.worksheets[1].values][1] == ballot.receipt
    verify = client.get(f"/elections/votes/{vote.id}/verify/").content.decode()
    assert "校验通过" in verify


def test_new_vote_form(world, client_for):
    assert client_for("resident").get("/elections/votes/new/").status_code == 403
    client = client_for("committee_chair")
    assert client.get("/elections/votes/new/").status_code == 200
    start = timezone.localtime() + datetime.timedelta(days=16)
    response = client.post(
        "/elections/votes/new/",
        {
            "estate": world.estate.id,
            "title": "增设充电桩",
            "matter": "common_parts",
            "organizer": "committee",
            "opens_at": start.strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (start - datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
            "allow_online": "on",
        },
    )
    assert "截止时间必须晚于开始时间" in response.content.decode()
    response = client.post(
        "/elections/votes/new/",
        {
            "estate": world.estate.id,
            "title": "增设充电桩",
            "matter": "common_parts",
            "organizer": "committee",
            "opens_at": start.strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (start + datetime.timedelta(days=5)).strftime("%Y-%m-%dT%H:%M"),
            "allow_online": "on",
        },
    )
    assert response.status_code == 302
    response = client.post(response["Location"] + "open/", follow=True)
    assert "表决已开始" in response.content.decode()


def test_index_and_election_pages(world, client_for):
    election = services.election_open(
        estate=world.estate, title="", seats=5, acting_user=world.users["community_worker"]
    )
    assert client_for("resident").get("/elections/").status_code == 200
    assert client_for("resident").get(f"/elections/elections/{election.id}/").status_code == 200
    assert client_for("other_resident").get(f"/elections/elections/{election.id}/").status_code == 404
    response = client_for("resident").post(
        f"/elections/elections/{election.id}/nominate/", {"source": "self", "statement": "退休教师"}, follow=True
    )
    assert "提名已登记" in response.content.decode()
    assert client_for("resident").post(f"/elections/elections/{election.id}/start_review/", {}).status_code == 403
    page = client_for("community_worker").get(f"/elections/elections/{election.id}/").content.decode()
    assert "王小明" in page and "31天" in page
    assert client_for("committee_chair").get("/elections/elections/new/").status_code == 403
    assert client_for("community_worker").get("/elections/elections/new/").status_code == 200


def test_rules_and_decision_pages(world, client_for):
    client = client_for("committee_chair")
    response = client.post(
        f"/elections/estates/{world.estate.id}/rules/",
        {"kind": "residents_convention", "text": "一、爱护环境"},
        follow=True,
    )
    assert "草案已保存" in response.content.decode()
    assert client_for("resident").get(f"/elections/estates/{world.estate.id}/rules/").status_code == 200
    assert client_for("resident").post(f"/elections/estates/{world.estate.id}/rules/", {"kind": "x"}).status_code == 403
    assert client_for("other_resident").get(f"/elections/estates/{world.estate.id}/rules/").status_code == 404
    client = client_for("committee_chair")
    response = client.post(f"/elections/estates/{world.estate.id}/decisions/", {"title": "更换监控"}, follow=True)
    assert response.status_code == 200 and "更换监控" in response.content.decode()
    assert (
        client_for("resident").post(f"/elections/estates/{world.estate.id}/decisions/", {"title": "x"}).status_code
        == 403
    )


def test_api_vote_cast_and_receipt(world, client_for, open_vote):
    vote = open_vote()
    client = client_for("resident")
    listed = client.get("/api/v1/elections/votes").json()
    assert [v["id"] for v in listed] == [vote.id]
    response = client.post(
        f"/api/v1/elections/votes/{vote.id}/ballots", {"choice": "maybe"}, content_type="application/json"
    )
    assert response.status_code == 400 and "同意、反对或弃权" in response.json()["detail"]
    response = client.post(
        f"/api/v1/elections/votes/{vote.id}/ballots", {"choice": "yes"}, content_type="application/json"
    )
    assert response.status_code == 201
    receipt = response.json()["receipt"]
    detail = client.get(f"/api/v1/elections/votes/{vote.id}").json()
    assert detail["my_receipt"] == receipt and detail["result"]["yes_owners"] == 1
    assert client.get(f"/api/v1/elections/votes/{vote.id}/receipts/{receipt}").json()["counted"]
    other = client_for("other_resident")
    assert other.get(f"/api/v1/elections/votes/{vote.id}").status_code == 404
    steward = client_for("steward")
    response = steward.post(
        f"/api/v1/elections/votes/{vote.id}/ballots", {"choice": "yes"}, content_type="application/json"
    )
    assert response.status_code == 403


def test_roll_page_corrects_drafts_and_refuses_after_opening(world, client_for, open_vote):
    now = timezone.now()
    draft = services.vote_create(
        estate=world.estate,
        title="草稿",
        matter="other",
        opens_at=now + datetime.timedelta(days=20),
        closes_at=now + datetime.timedelta(days=25),
        acting_user=world.users["committee_chair"],
    )
    client = client_for("committee_chair")
    entry = draft.roll.order_by("id").first()
    response = client.post(
        f"/elections/votes/{draft.id}/roll/", {"entry": entry.id, "area": "90.00", "note": ""}, follow=True
    )
    assert "请说明面积更正的依据" in response.content.decode()
    response = client.post(
        f"/elections/votes/{draft.id}/roll/", {"entry": entry.id, "area": "90.00", "note": "登记证"}, follow=True
    )
    assert "面积已更正" in response.content.decode()
    opened = open_vote()
    entry = opened.roll.order_by("id").first()
    response = client.post(
        f"/elections/votes/{opened.id}/roll/", {"entry": entry.id, "area": "90.00", "note": "登记证"}, follow=True
    )
    assert "已冻结" in response.content.decode()
    entry.refresh_from_db()
    assert str(entry.area) == "88.50"
    assert client_for("resident").get(f"/elections/votes/{opened.id}/roll/").status_code == 403


def test_owners_never_see_review_findings(world, client_for, make_owner):
    worker = world.users["community_worker"]
    election = services.election_open(estate=world.estate, title="", seats=5, acting_user=worker)
    nominee = make_owner("赵六")
    services.candidate_nominate(
        election=election, person=nominee, source="party", nominated_by="党支部", acting_user=worker
    )
    client = client_for("community_worker")
    candidate = election.candidates.get()
    response = client.post(f"/elections/elections/{election.id}/interview/", {"candidate": candidate.id}, follow=True)
    assert "见面访谈已记录" in response.content.decode()
    tasks = services.election_start_review(election=election, departments=[world.department], acting_user=worker)
    from gongzhi.elections.models import NegativeListItem

    services.review_record(
        task=tasks[0], finding="failed", hits=[NegativeListItem.objects.get(code="N03")], acting_user=worker
    )
    staff_page = client_for("community_worker").get(f"/elections/elections/{election.id}/").content.decode()
    assert "赵六" in staff_page and "N03" in staff_page
    owner_page = client_for("resident").get(f"/elections/elections/{election.id}/").content.decode()
    assert "赵六" not in owner_page and "N03" not in owner_page
