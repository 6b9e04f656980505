"""The pages a resident and staff use, through the test client."""

import io

from PIL import Image

from gongzhi.cases.models import Case, CaseEvent, CasePhoto, CaseState
from gongzhi.cases.tests.conftest import jpeg_with_gps


def test_resident_reports_with_photo_and_gets_a_number(world, client_for, category):
    client = client_for("resident")
    response = client.post(
        "/cases/new/",
        {
            "estate": world.estate.pk,
            "category": category.pk,
            "description": "2号楼门口路灯不亮",
            "photos": [jpeg_with_gps()],
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    page = client.get(response["Location"])
    assert case.number in page.content.decode()
    assert case.reporter == world.person("resident") and case.channel == "app"
    photo = CasePhoto.objects.get(case=case)
    stored = photo.image.read()
    assert b"SecretPhone" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert not image.getexif()
    served = client.get(f"/cases/photos/{photo.pk}/")
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert b"".join(served.streaming_content) == stored


def test_photo_is_hidden_from_those_who_may_not_see_the_case(world, client_for, report):
    case = report(photos=[jpeg_with_gps()])
    photo = case.photos.get()
    for persona, status in (("other_resident", 404), (None, 302), ("steward", 200), ("community_worker", 200)):
        assert client_for(persona).get(f"/cases/photos/{photo.pk}/").status_code == status, persona


def test_report_refuses_a_fake_image_and_empty_text_and_keeps_nothing(world, client_for, category):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for("resident")
    fake = SimpleUploadedFile("evil.jpg", b"<?php echo 1; ?>", content_type="image/jpeg")
    page = client.post("/cases/new/", {"estate": world.estate.pk, "description": "漏水", "photos": [fake]})
    assert page.status_code == 200 and "上传的文件不是有效的图片" in page.content.decode()
    page = client.post("/cases/new/", {"estate": world.estate.pk, "description": "  "})
    assert "请描述遇到的问题" in page.content.decode()
    assert not Case.objects.exists() and not CasePhoto.objects.exists()


def test_steward_signs_and_resolves_and_resident_reviews(world, client_for, dispatched):
    case = dispatched()
    steward = client_for("steward")
    assert steward.post(f"/cases/{case.pk}/sign/").status_code == 302
    response = steward.post(f"/cases/{case.pk}/resolve/", {"note": "已修好", "photos": [jpeg_with_gps("fix.jpg")]})
    assert response.status_code == 302
    resident = client_for("resident")
    page = resident.get(f"/cases/{case.pk}/").content.decode()
    assert "已修好" in page and "提交评价" in page
    resident.post(f"/cases/{case.pk}/review/", {"solved": "yes", "rating": "satisfied", "comment": "谢谢"})
    case.refresh_from_db()
    assert case.state == CaseState.REVIEWED and case.rating == "satisfied"


def test_wrong_state_action_shows_message_and_changes_nothing(world, client_for, dispatched):
    case = dispatched()
    before = CaseEvent.objects.filter(case=case).count()
    response = client_for("resident").post(f"/cases/{case.pk}/review/", {"solved": "yes", "rating": "satisfied"})
    assert response.status_code == 409
    assert "当前状态" in response.content.decode()
    assert CaseEvent.objects.filter(case=case).count() == before


def test_queue_tabs_filters_and_chinese_search(world, client_for, report, dispatched):
    report(description="小区东门垃圾堆放无人清理")
    dispatched(description="3号楼电梯经常停运")
    client = client_for("community_worker")
    page = client.get("/cases/queue/?tab=new").content.decode()
    assert "垃圾堆放" in page and "电梯经常停运" not in page
    page = client.get("/cases/queue/", {"tab": "all", "q": "电梯"}).content.decode()
    assert "电梯经常停运" in page and "垃圾堆放" not in page
    page = client_for("steward").get("/cases/queue/?tab=mine").content.decode()
    assert "电梯经常停运" in page and "垃圾堆放" not in page


def test_hotline_intake_and_phone_review(world, client_for, category):
    client = client_for("community_worker")
    response = client.post(
        "/cases/intake/",
        {
            "estate": world.estate.pk,
            "channel": "hotline",
            "category": category.pk,
            "urgency": "normal",
            "contact_name": "赵大爷",
            "contact_phone": "13912345678",
            "description": "楼道灯坏了一个月",
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302 and case.channel == "hotline" and case.reporter is None
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "139****5678" in page and "13912345678" not in page


def test_public_board_has_figures_and_no_personal_data(world, client_for, report, django_assert_num_queries):
    client = client_for(None)
    report(description="王小明家门口水管爆裂")
    with django_assert_num_queries(4):  # estate, figures, review events, the month's list
        client.get(f"/cases/boards/{world.estate.pk}/")
    for _ in range(4):
        report(description="王小明家门口水管爆裂")
    with django_assert_num_queries(4):
        page = client.get(f"/cases/boards/{world.estate.pk}/")
    text = page.content.decode()
    assert page.status_code == 200 and 'id="board-total">5<' in text
    assert "王小明" not in text and "水管爆裂" not in text and "13800001111" not in text


def test_pages_in_english(world, client_for, report):
    case = report()
    client = client_for("resident")
    client.cookies["django_language"] = "en"
    text = client.get(f"/cases/{case.pk}/").content.decode()
    assert "Timeline" in text and "Received" in text
    board = client_for(None)
    board.cookies["django_language"] = "en"
    assert "Taken in this month" in board.get(f"/cases/boards/{world.estate.pk}/").content.decode()


def test_full_phone_for_a_callback_is_logged_and_never_for_anonymous_reports(world, client_for, report):
    from gongzhi.core.models import AuditEntry

    case = report()
    page = client_for("community_worker").post(f"/cases/{case.pk}/contact/", {"reason": "回访"})
    assert page.status_code == 200 and "13800001111" in page.content.decode()
    assert AuditEntry.objects.filter(action="case.contact_reveal", target=case.number).count() == 1
    assert client_for("resident").post(f"/cases/{case.pk}/contact/").status_code == 403
    assert client_for("other_resident").post(f"/cases/{case.pk}/contact/").status_code == 404
    hidden = report(is_anonymous=True)
    assert client_for("community_worker").post(f"/cases/{hidden.pk}/contact/").status_code == 403
    assert "查看完整电话" not in client_for("community_worker").get(f"/cases/{hidden.pk}/").content.decode()
    assert AuditEntry.objects.filter(action="case.contact_reveal").count() == 1


def test_queue_and_case_pages_do_not_grow_their_queries_with_rows(world, client_for, dispatched):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from gongzhi.cases import services

    client = client_for("steward")
    case = dispatched()

    def count(url):
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    queue_few, case_few = count("/cases/queue/?tab=all"), count(f"/cases/{case.pk}/")
    for _ in range(6):
        dispatched()
    for note in ("第一次答复", "第二次答复", "第三次答复"):
        case = services.case_reply(case=case, acting_user=world.users["steward"], note=note, photos=[jpeg_with_gps()])
    assert count("/cases/queue/?tab=all") == queue_few
    assert count(f"/cases/{case.pk}/") == case_few
