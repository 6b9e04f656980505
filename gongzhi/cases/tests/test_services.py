"""The services refuse bad input with a clear Chinese message and change nothing."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from gongzhi.cases import services
from gongzhi.cases.models import Case, CaseEvent, CasePhoto, CaseState, Category
from gongzhi.cases.signals import case_changed
from gongzhi.cases.tests.conftest import in_days, jpeg_with_gps
from gongzhi.core.errors import DomainError


def refused(message, call, *, status=None):
    counts = (Case.objects.count(), CaseEvent.objects.count(), CasePhoto.objects.count())
    with pytest.raises(DomainError) as error:
        call()
    assert message in error.value.message
    if status:
        assert error.value.status == status
    assert (Case.objects.count(), CaseEvent.objects.count(), CasePhoto.objects.count()) == counts


def test_case_numbers_carry_the_day_and_increase(world, report):
    first, second = report(), report()
    today = timezone.localdate().strftime("%Y%m%d")
    assert first.number.startswith(f"GZ{today}-") and second.number.startswith(f"GZ{today}-")
    serial = [int(case.number.rsplit("-", 1)[1]) for case in (first, second)]
    assert len(first.number.rsplit("-", 1)[1]) >= 4 and serial[1] > serial[0]


def test_bad_reports_are_refused(world, report, settings):
    refused("请描述遇到的问题", lambda: report(description="   "))
    refused("内容太长", lambda: report(description="长" * 2001))
    refused("楼栋不属于该小区", lambda: report(building=world.buildings[3]))
    refused("您不能在该小区反映问题", lambda: report(estate=world.other_estate), status=403)
    refused("居民只能通过手机或网页反映问题", lambda: report(channel="inspection"), status=403)
    refused("您不能直接指定责任方", lambda: report(responsible=world.company), status=403)
    refused("位置需同时包含经度和纬度", lambda: report(latitude="24.9"))
    fake = SimpleUploadedFile("a.png", b"GIF89a not really", content_type="image/png")
    refused("上传的文件不是有效的图片", lambda: report(photos=[fake]))
    gif = io.BytesIO()
    Image.new("RGB", (4, 4)).save(gif, format="GIF")
    refused("只接受 JPEG、PNG 或 WebP", lambda: report(photos=[SimpleUploadedFile("a.gif", gif.getvalue())]))
    settings.GONGZHI = {**settings.GONGZHI, "CASE_PHOTO_MAX_BYTES": 500}
    refused("照片太大", lambda: report(photos=[jpeg_with_gps(size=(400, 300))]))
    settings.GONGZHI = {**settings.GONGZHI, "CASE_PHOTO_MAX_BYTES": 10 * 1024 * 1024, "CASE_PHOTO_MAX_COUNT": 2}
    refused("最多上传 2 张照片", lambda: report(photos=[jpeg_with_gps(), jpeg_with_gps(), jpeg_with_gps()]))


def test_photos_lose_their_location_and_camera(world, report):
    case = report(photos=[jpeg_with_gps()])
    photo = case.photos.get()
    data = photo.image.read()
    assert b"SecretPhone" not in data and b"GPS" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG" and not image.getexif() and image.size == (64, 48)


def test_anonymous_report_keeps_the_reporter_for_follow_up_but_hides_them(world, report, client_for):
    case = report(is_anonymous=True)
    assert case.reporter == world.person("resident") and case.is_anonymous
    services.case_dispatch(case=case, acting_user=world.users["community_worker"], responsible=world.company)
    text = client_for("steward").get(f"/cases/{case.pk}/").content.decode()
    assert "匿名" in text and "王小明" not in text and "1111" not in text


def test_meeting_resolution_creates_a_case_already_dispatched(world):
    deadline = in_days(10)
    case = services.case_create(
        estate=world.estate,
        title="更换2号楼雨棚",
        description="三方联动议事会决议：物业两周内更换2号楼雨棚",
        channel="meeting",
        acting_user=world.users["branch_secretary"],
        responsible=world.company,
        deadline=deadline,
        source_kind="meetings.resolution",
        source_id=7,
    )
    assert case.state == CaseState.DISPATCHED and case.deadline == deadline and case.source_id == 7
    assert list(case.events.values_list("kind", flat=True)) == ["created", "dispatched"]


def test_dispatch_refusals(world, report):
    case = report()
    worker = world.users["community_worker"]
    refused(
        "办理时限不能早于现在",
        lambda: services.case_dispatch(
            case=case,
            acting_user=worker,
            responsible=world.company,
            deadline=timezone.now() - datetime.timedelta(hours=1),
        ),
    )
    refused(
        "不能承办本小区的诉求",
        lambda: services.case_dispatch(case=case, acting_user=worker, responsible=world.other_company),
    )
    refused(
        "您没有权限",
        lambda: services.case_dispatch(case=case, acting_user=world.users["supervisor"], responsible=world.company),
        status=403,
    )
    refused(
        "诉求不存在",
        lambda: services.case_dispatch(case=case, acting_user=world.users["other_resident"], responsible=world.company),
        status=404,
    )
    assert Case.objects.get(pk=case.pk).state == CaseState.RECEIVED


def test_deadline_follows_the_category_policy_and_suggested_party(world, report):
    category = Category.objects.get(code="committee_affairs")
    case = report(category=category)
    assert services.suggest_responsible(estate=world.estate, category=category) == world.committee
    assert (
        services.suggest_responsible(estate=world.estate, category=Category.objects.get(code="repair")) == world.company
    )
    assert (
        services.suggest_responsible(estate=world.estate, category=Category.objects.get(code="neighbour"))
        == world.residents_committee
    )
    case = services.case_dispatch(case=case, acting_user=world.users["community_worker"], responsible=world.committee)
    from gongzhi.cases.deadlines import add_working_days

    expected = add_working_days(timezone.localdate(), 10)
    assert timezone.localtime(case.deadline).date() == expected


def test_work_refusals(world, dispatched):
    case = dispatched()
    steward = world.users["steward"]
    refused("请填写办理结果", lambda: services.case_resolve(case=case, acting_user=steward, note=" "))
    refused("请填写退单理由", lambda: services.case_return(case=case, acting_user=steward, reason=""))
    refused(
        "您没有权限",
        lambda: services.case_resolve(case=case, acting_user=world.users["committee_chair"], note="好了"),
        status=403,
    )
    refused(
        "必须晚于现有时限",
        lambda: services.case_extend_request(case=case, acting_user=steward, until=case.deadline, reason="等配件"),
    )


def test_extension_approved_and_refused(world, dispatched):
    case = dispatched()
    steward, worker = world.users["steward"], world.users["community_worker"]
    until = case.deadline + datetime.timedelta(days=5)
    case = services.case_extend_request(case=case, acting_user=steward, until=until, reason="等配件到货")
    refused(
        "已有待审批的延期申请",
        lambda: services.case_extend_request(
            case=case, acting_user=steward, until=until + datetime.timedelta(days=1), reason="x"
        ),
    )
    refused("请填写不同意延期的理由", lambda: services.case_extend_decide(case=case, acting_user=worker, approve=False))
    case = services.case_extend_decide(case=case, acting_user=worker, approve=True)
    assert case.deadline == until and case.extension_requested_until is None
    case = services.case_extend_request(
        case=case, acting_user=steward, until=until + datetime.timedelta(days=3), reason="再等等"
    )
    case = services.case_extend_decide(case=case, acting_user=worker, approve=False, note="不能再拖")
    assert case.deadline == until


def test_return_goes_back_to_the_dispatcher_and_transfer_to_another_party(world, dispatched):
    case = dispatched()
    case = services.case_return(case=case, acting_user=world.users["steward"], reason="属于业委会决定事项")
    assert case.state == CaseState.RECEIVED and case.responsible is None
    case = services.case_transfer(
        case=case, acting_user=world.users["community_worker"], responsible=world.committee, note="转业委会"
    )
    assert case.state == CaseState.DISPATCHED and case.responsible == world.committee
    services.case_sign(case=case, acting_user=world.users["committee_chair"])


def test_merge_rules(world, report):
    a, b = report(), report()
    worker = world.users["community_worker"]
    refused("不能合并到自身", lambda: services.case_merge(case=a, acting_user=worker, into=a))
    other = services.case_create(estate=world.third_estate, description="x", channel="hotline", acting_user=worker)
    refused("只能合并同一小区的诉求", lambda: services.case_merge(case=a, acting_user=worker, into=other))
    a = services.case_merge(case=a, acting_user=worker, into=b)
    assert a.state == CaseState.MERGED and a.merged_into == b


def test_review_refusals_and_phone_review(world, dispatched, client_for):
    case = dispatched()
    case = services.case_resolve(case=case, acting_user=world.users["steward"], note="已处理")
    resident = world.users["resident"]
    refused(
        "请说明哪里还没有解决或不满意",
        lambda: services.case_review(case=case, acting_user=resident, solved=False, rating="satisfied"),
    )
    refused("请选择满意程度", lambda: services.case_review(case=case, acting_user=resident, solved=True, rating="good"))
    refused(
        "您没有权限",
        lambda: services.case_review(case=case, acting_user=world.users["steward"], solved=True, rating="satisfied"),
        status=403,
    )
    worker = world.users["community_worker"]
    refused("电话回访", lambda: services.case_review(case=case, acting_user=worker, solved=True, rating="satisfied"))
    case = services.case_review(case=case, acting_user=worker, solved=True, rating="satisfied", by_phone=True)
    assert case.state == CaseState.REVIEWED
    assert case.events.get(kind="reviewed").data == {"by_phone": True}


def test_case_changed_is_sent_after_commit(world, report, django_capture_on_commit_callbacks):
    received = []

    def listener(sender, case, event, **kwargs):
        received.append((case.number, event.kind))

    case_changed.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            case = report()
        assert received == [(case.number, "created")]
    finally:
        case_changed.disconnect(listener)


def test_events_are_immutable(world, report):
    event = report().events.get()
    event.note = "改写"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        CaseEvent.objects.all().update(note="x")
