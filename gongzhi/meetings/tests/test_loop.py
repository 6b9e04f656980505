"""The whole loop: 点题 → 议题 → 答题 → case → resolved → 阅题."""

import datetime

import pytest
from django.utils import timezone

from gongzhi.cases import services as cases
from gongzhi.cases.models import Case
from gongzhi.core.errors import DomainError
from gongzhi.meetings import services
from gongzhi.meetings.models import Meeting, Topic, TopicReview
from gongzhi.notifications.models import Notification


def test_proposal_agenda_resolution_case_resolved_review(
    world, secretary, ad_hoc, proposed, three_parties, django_capture_on_commit_callbacks
):
    resident = world.users["resident"]
    topic = proposed()
    services.topic_back(topic=topic, acting_user=world.users["building_head"])
    topic.refresh_from_db()
    assert topic.backer_count == 1 and topic.status == "proposed"

    meeting = ad_hoc(title="逢七联议")
    services.agenda_add(meeting=meeting, topic=topic, acting_user=secretary)
    with django_capture_on_commit_callbacks(execute=True):
        services.agenda_publish(meeting=meeting, acting_user=secretary)
    assert Notification.objects.filter(user=resident, title__contains="议题公布").exists()

    services.invitation_create(
        meeting=meeting, role="building_head", person=world.person("building_head"), acting_user=secretary
    )
    invitation = meeting.invitations.get()
    services.invitation_respond(invitation=invitation, accept=True, acting_user=world.users["building_head"])

    services.attendance_set(
        meeting=meeting,
        entries=three_parties + [{"party": "building_head", "person": world.person("building_head")}],
        acting_user=secretary,
    )
    item = meeting.items.get()
    deadline = timezone.localdate() + datetime.timedelta(days=14)
    services.item_record(
        item=item,
        minutes="物业提出在北门新增充电棚",
        answer="resolution",
        responsible=world.company,
        action="北门增设20个充电桩",
        deadline=deadline,
        acting_user=secretary,
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_close(meeting=meeting, summary="三方一致同意", acting_user=secretary)

    topic.refresh_from_db()
    assert topic.status == "adopted"
    resolution = item.resolution
    resolution.refresh_from_db()
    case = Case.objects.get(id=resolution.case_id)
    assert case.channel == "meeting" and case.state == "dispatched"
    assert case.responsible == world.company
    assert timezone.localtime(case.deadline).date() == deadline
    assert case.source_kind == "meeting_resolution" and case.source_id == resolution.id

    with django_capture_on_commit_callbacks(execute=True):
        cases.case_resolve(case=case, acting_user=world.users["steward"], note="已安装20个充电桩")
    topic.refresh_from_db()
    assert topic.status == "done" and topic.review_requested_at is not None
    asked = set(Notification.objects.filter(title__contains="请评价").values_list("user__username", flat=True))
    assert asked == {"resident", "building_head"}

    review = services.topic_review(topic=topic, verdict="satisfied", comment="晚上不用排队了", acting_user=resident)
    assert review.verdict == "satisfied"
    with pytest.raises(DomainError):
        services.topic_review(topic=topic, verdict="satisfied", acting_user=resident)
    with pytest.raises(DomainError) as error:
        services.topic_review(topic=topic, verdict="satisfied", acting_user=world.users["committee_chair"])
    assert error.value.status == 403
    assert TopicReview.objects.count() == 1


def test_case_flagged_on_agenda_appears_as_a_topic_on_its_own(world, django_capture_on_commit_callbacks):
    case = cases.case_create(
        estate=world.estate,
        description="地下车库漏水，多次报修未解决",
        channel="app",
        acting_user=world.users["resident"],
    )
    with django_capture_on_commit_callbacks(execute=True):
        cases.case_flag_agenda(case=case, acting_user=world.users["community_worker"])
    topic = Topic.objects.get(case_id=case.id)
    assert topic.source == "case" and topic.estate == world.estate and topic.status == "proposed"
    # The periodic catch-up finds nothing more to do.
    assert services.topics_sync_from_cases() == 0


def test_not_adopted_and_deferred_need_a_reason_and_deferred_goes_back_to_the_pool(
    world, secretary, ad_hoc, proposed, three_parties
):
    meeting = ad_hoc()
    first, second = proposed(title="小区门口摆摊"), proposed(title="增设儿童游乐区")
    item1 = services.agenda_add(meeting=meeting, topic=first, acting_user=secretary)
    item2 = services.agenda_add(meeting=meeting, topic=second, acting_user=secretary)
    with pytest.raises(DomainError) as error:
        services.item_record(item=item1, answer="not_adopted", reason=" ", acting_user=secretary)
    assert "理由" in error.value.message
    services.item_record(
        item=item1, answer="not_adopted", reason="属于城管执法范围，已转交城管中队", acting_user=secretary
    )
    services.item_record(item=item2, answer="deferred", reason="需先征求一楼住户意见", acting_user=secretary)
    services.attendance_set(meeting=meeting, entries=three_parties, acting_user=secretary)
    services.meeting_close(meeting=meeting, acting_user=secretary)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == "not_adopted" and second.status == "deferred"
    assert not Case.objects.exists()
    nxt = ad_hoc(title="下一次会议")
    services.agenda_add(meeting=nxt, topic=second, acting_user=secretary)


def test_closing_needs_attendance_and_an_answer_for_every_item(world, secretary, ad_hoc, proposed, three_parties):
    meeting = ad_hoc()
    item = services.agenda_add(meeting=meeting, topic=proposed(), acting_user=secretary)
    with pytest.raises(DomainError) as error:
        services.meeting_close(meeting=meeting, acting_user=secretary)
    assert "出席" in error.value.message
    services.attendance_set(meeting=meeting, entries=three_parties, acting_user=secretary)
    with pytest.raises(DomainError) as error:
        services.meeting_close(meeting=meeting, acting_user=secretary)
    assert "没有答题" in error.value.message and "电动车充电桩不够用" in error.value.message
    meeting.refresh_from_db()
    assert meeting.status == "planned"
    services.item_record(item=item, answer="deferred", reason="资料不全", acting_user=secretary)
    services.meeting_close(meeting=meeting, acting_user=secretary)
    assert Meeting.objects.get(id=meeting.id).status == "closed"


def test_a_deadline_before_the_meeting_is_refused(world, secretary, ad_hoc, proposed):
    meeting = ad_hoc(starts_at=timezone.now() + datetime.timedelta(days=3))
    item = services.agenda_add(meeting=meeting, topic=proposed(), acting_user=secretary)
    with pytest.raises(DomainError) as error:
        services.item_record(
            item=item,
            answer="resolution",
            responsible=world.company,
            action="修",
            deadline=timezone.localdate() + datetime.timedelta(days=1),
            acting_user=secretary,
        )
    assert "不能早于会议日期" in error.value.message
    item.refresh_from_db()
    assert item.answer == "" and not hasattr(item, "resolution")


def test_resolution_needs_a_responsible_party_that_can_act_at_the_estate(world, secretary, ad_hoc, proposed):
    meeting = ad_hoc()
    item = services.agenda_add(meeting=meeting, topic=proposed(), acting_user=secretary)
    deadline = timezone.localdate() + datetime.timedelta(days=5)
    with pytest.raises(DomainError):
        services.item_record(item=item, answer="resolution", action="修", deadline=deadline, acting_user=secretary)
    with pytest.raises(DomainError) as error:
        services.item_record(
            item=item,
            answer="resolution",
            responsible=world.other_company,
            action="修",
            deadline=deadline,
            acting_user=secretary,
        )
    assert "梅岭物业" in error.value.message


def test_a_closed_record_is_not_edited_corrections_are_appended(world, secretary, ad_hoc, proposed, three_parties):
    meeting = ad_hoc()
    item = services.agenda_add(meeting=meeting, topic=proposed(), acting_user=secretary)
    services.item_record(item=item, minutes="原记录", answer="deferred", reason="待调研", acting_user=secretary)
    services.attendance_set(meeting=meeting, entries=three_parties, acting_user=secretary)
    services.meeting_close(meeting=meeting, acting_user=secretary)
    for call in (
        lambda: services.item_record(
            item=item, minutes="改过的记录", answer="deferred", reason="x", acting_user=secretary
        ),
        lambda: services.attendance_set(meeting=meeting, entries=[], acting_user=secretary),
        lambda: services.agenda_add(meeting=meeting, topic=proposed(title="另一个"), acting_user=secretary),
        lambda: services.meeting_close(meeting=meeting, acting_user=secretary),
    ):
        with pytest.raises(DomainError) as error:
            call()
        assert error.value.status == 409
    item.refresh_from_db()
    assert item.minutes == "原记录"
    assert meeting.attendances.count() == 3
    correction = services.correction_append(
        meeting=meeting, item=item, text="讨论记录补充：物业同意先行调研", acting_user=secretary
    )
    assert list(meeting.corrections.all()) == [correction]


def test_three_party_meeting_without_the_company_is_flagged(world, secretary, ad_hoc, three_parties):
    meeting = ad_hoc()
    services.attendance_set(meeting=meeting, entries=three_parties[:2], acting_user=secretary)
    assert services.missing_parties(meeting) == ["company"]


def test_backing_rules(world, proposed):
    topic = proposed()
    with pytest.raises(DomainError):
        services.topic_back(topic=topic, acting_user=world.users["resident"])  # own topic
    services.topic_back(topic=topic, acting_user=world.users["committee_chair"])
    with pytest.raises(DomainError) as error:
        services.topic_back(topic=topic, acting_user=world.users["committee_chair"])
    assert error.value.status == 409
    with pytest.raises(DomainError) as error:
        services.topic_back(topic=topic, acting_user=world.users["other_resident"])
    assert error.value.status == 403
    topic.refresh_from_db()
    assert topic.backer_count == 1


def test_residents_propose_only_in_their_own_estate_and_titles_are_required(world, proposed):
    with pytest.raises(DomainError) as error:
        proposed(persona="other_resident")
    assert "只有本小区居民" in error.value.message
    with pytest.raises(DomainError):
        proposed(title="  ")
    with pytest.raises(DomainError):
        proposed(persona="steward")
    assert not Topic.objects.exists()


def test_staff_topics_from_supervisors_findings_and_open_door_days(world):
    finding = services.topic_add(
        estate=world.estate,
        title="消防通道被占用",
        source="supervisor",
        source_note="随手拍 3月5日",
        acting_user=world.users["supervisor"],
    )
    assert finding.source == "supervisor" and finding.proposer == world.person("supervisor")
    open_day = services.topic_add(
        estate=world.estate, title="垃圾分类点异味", source="open_door_day", acting_user=world.users["branch_secretary"]
    )
    assert open_day.source == "open_door_day"
    with pytest.raises(DomainError):
        services.topic_add(
            estate=world.estate, title="x", source="open_door_day", acting_user=world.users["supervisor"]
        )
    with pytest.raises(DomainError):
        services.topic_add(estate=world.estate, title="x", source="supervisor", acting_user=world.users["resident"])


def test_periodic_catch_up_makes_topics_for_flagged_open_cases_once(world):
    from django.core.management import call_command

    case = cases.case_create(
        estate=world.estate, description="小区围墙开裂", channel="app", acting_user=world.users["resident"]
    )
    closed = cases.case_create(
        estate=world.estate, description="早已处理完的问题", channel="app", acting_user=world.users["resident"]
    )
    # As if the signal had been missed (e.g. the flag was set by a data import).
    Case.objects.filter(id=case.id).update(on_agenda=True)
    Case.objects.filter(id=closed.id).update(on_agenda=True, state="closed")
    call_command("run_periodic", only="meetings")
    call_command("run_periodic", only="meetings")
    assert list(Topic.objects.values_list("case_id", flat=True)) == [case.id]


def test_inviting_a_unit_of_another_community_is_refused(world, secretary, ad_hoc):
    from gongzhi.orgs import services as orgs

    meeting = ad_hoc()
    elsewhere = orgs.organization_create(kind="residents_committee", name="梅岭社区居委会", place=world.other_community)
    with pytest.raises(DomainError) as error:
        services.invitation_create(meeting=meeting, role="community", organization=elsewhere, acting_user=secretary)
    assert "不在檀悦小区所属范围内" in error.value.message
    with pytest.raises(DomainError) as error:
        services.invitation_create(
            meeting=meeting, role="partner_unit", organization=world.department, acting_user=secretary
        )
    assert "不是所选身份的单位" in error.value.message
    services.invitation_create(
        meeting=meeting, role="community", organization=world.residents_committee, acting_user=secretary
    )
    assert meeting.invitations.count() == 1
