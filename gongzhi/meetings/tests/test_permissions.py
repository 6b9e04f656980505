"""Who may open which deliberation page: each persona × allowed (200), seen but refused (403),
not seen (404), anonymous (sent to sign in)."""

import pytest

from gongzhi.meetings import services

OK, FORBIDDEN, HIDDEN, LOGIN = 200, 403, 404, 302

#                         resident other_res building_head supervisor steward committee_chair branch_sec community_w subdistrict anon
MATRIX = {
    "estate_page": (OK, HIDDEN, OK, OK, OK, OK, OK, OK, OK, LOGIN),
    "community_page": (OK, HIDDEN, OK, HIDDEN, HIDDEN, OK, OK, OK, OK, LOGIN),
    "series_new": (FORBIDDEN, HIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK, OK, OK, LOGIN),
    "ad_hoc": (FORBIDDEN, HIDDEN, OK, OK, OK, OK, OK, OK, OK, LOGIN),
    "topic_new": (OK, HIDDEN, OK, FORBIDDEN, FORBIDDEN, OK, OK, FORBIDDEN, FORBIDDEN, LOGIN),
    "topic_add": (FORBIDDEN, HIDDEN, OK, OK, FORBIDDEN, OK, OK, OK, OK, LOGIN),
    "meeting": (OK, HIDDEN, OK, OK, OK, OK, OK, OK, OK, LOGIN),
    "agenda": (FORBIDDEN, HIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK, OK, OK, LOGIN),
    "record": (FORBIDDEN, HIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK, OK, OK, LOGIN),
    "invitations": (FORBIDDEN, HIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK, OK, OK, LOGIN),
    "topic": (OK, HIDDEN, OK, OK, OK, OK, OK, OK, OK, LOGIN),
}
PERSONAS = (
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
)


@pytest.fixture
def urls(world, ad_hoc, proposed):
    meeting = ad_hoc()
    topic = proposed()
    e = world.estate.id
    return {
        "estate_page": f"/meetings/places/{e}/",
        "community_page": f"/meetings/places/{world.community.id}/",
        "series_new": f"/meetings/places/{e}/series/new/",
        "ad_hoc": f"/meetings/places/{e}/ad-hoc/",
        "topic_new": f"/meetings/places/{e}/topics/new/",
        "topic_add": f"/meetings/places/{e}/topics/add/",
        "meeting": f"/meetings/{meeting.id}/",
        "agenda": f"/meetings/{meeting.id}/agenda/",
        "record": f"/meetings/{meeting.id}/record/",
        "invitations": f"/meetings/{meeting.id}/invitations/",
        "topic": f"/meetings/topics/{topic.id}/",
    }


@pytest.mark.parametrize("page", list(MATRIX))
def test_permission_matrix(client_for, urls, page):
    got = {}
    for persona in PERSONAS:
        response = client_for(persona).get(urls[page])
        got[persona] = response.status_code
    expected = dict(zip(PERSONAS, MATRIX[page], strict=True))
    assert got == expected


def test_posting_as_someone_who_may_not_act_changes_nothing(world, client_for, ad_hoc, proposed):
    meeting = ad_hoc()
    topic = proposed()
    client = client_for("steward")
    assert client.post(f"/meetings/{meeting.id}/agenda/", {"add": topic.id}).status_code == 403
    assert client.post(f"/meetings/{meeting.id}/record/", {"close": "1"}).status_code == 403
    assert not meeting.items.exists()
    client = client_for("other_resident")
    assert client.post(f"/meetings/topics/{topic.id}/back/").status_code == 404
    topic.refresh_from_db()
    assert topic.backer_count == 0


def test_only_the_invitee_answers_an_invitation(world, client_for, ad_hoc, secretary):
    meeting = ad_hoc()
    invitation = services.invitation_create(
        meeting=meeting, role="building_head", person=world.person("building_head"), acting_user=secretary
    )
    assert (
        client_for("resident")
        .post(f"/meetings/invitations/{invitation.id}/respond/", {"answer": "confirm"})
        .status_code
        == 404
    )
    response = client_for("building_head").post(
        f"/meetings/invitations/{invitation.id}/respond/", {"answer": "decline"}
    )
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == "declined"
