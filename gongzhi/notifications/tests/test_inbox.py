import pytest
from django.urls import reverse

from gongzhi.notifications import services
from gongzhi.notifications.models import Notification


@pytest.fixture
def inbox(world, settings):
    settings.GONGZHI_NOTIFICATION_SENDERS = {}
    resident = world.users["resident"]
    first = services.notification_send(users=[resident], title="您的诉求已受理", url="/notifications/?from=case")[0]
    second = services.notification_send(users=[resident], title="请对处理结果评价", body="满意吗？")[0]
    other = services.notification_send(users=[world.users["other_resident"]], title="别人的通知")[0]
    return first, second, other


def test_inbox_lists_only_my_notifications_with_unread_count(client_for, inbox):
    page = client_for("resident").get(reverse("notifications:inbox"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "您的诉求已受理" in text and "请对处理结果评价" in text
    assert "别人的通知" not in text
    assert "2 条未读" in text
    # The bell in the navigation bar shows the count on every page.
    assert 'data-testid="nav-notifications"' in text


def test_opening_a_notification_marks_it_read_and_follows_its_link(client_for, inbox):
    first, second, _ = inbox
    client = client_for("resident")
    response = client.post(reverse("notifications:read", args=[first.pk]))
    assert response.status_code == 302
    assert response["Location"] == "/notifications/?from=case"
    first.refresh_from_db()
    assert first.is_read
    page = client.get(reverse("notifications:inbox") + "?unread=1").content.decode()
    assert "您的诉求已受理" not in page
    assert "1 条未读" in page


def test_someone_elses_notification_cannot_be_marked(client_for, inbox):
    _, _, other = inbox
    response = client_for("resident").post(reverse("notifications:read", args=[other.pk]), follow=True)
    assert "通知不存在" in response.content.decode()
    other.refresh_from_db()
    assert not other.is_read


def test_mark_all_read(client_for, inbox):
    client = client_for("resident")
    response = client.post(reverse("notifications:read-all"), follow=True)
    assert "已将 2 条通知标为已读" in response.content.decode()
    assert Notification.objects.filter(user__username="resident", read_at__isnull=True).count() == 0
    assert Notification.objects.filter(user__username="other_resident", read_at__isnull=True).count() == 1


def test_external_links_are_not_followed(client_for, world, settings):
    settings.GONGZHI_NOTIFICATION_SENDERS = {}
    row = services.notification_send(users=[world.users["resident"]], title="钓鱼", url="https://evil.example/")[0]
    response = client_for("resident").post(reverse("notifications:read", args=[row.pk]))
    assert response["Location"] == reverse("notifications:inbox")


@pytest.mark.parametrize("persona", ["resident", "other_resident", "steward", "community_worker", None])
def test_inbox_permission_matrix(client_for, inbox, persona):
    """Everyone signed in has an inbox of their own; anonymous visitors are sent to log in."""
    response = client_for(persona).get(reverse("notifications:inbox"))
    if persona is None:
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
        assert client_for(None).post(reverse("notifications:read-all")).status_code == 302
        assert Notification.objects.filter(read_at__isnull=False).count() == 0
    else:
        assert response.status_code == 200


def test_reading_requires_post(client_for, inbox):
    first, _, _ = inbox
    assert client_for("resident").get(reverse("notifications:read", args=[first.pk])).status_code == 405
    first.refresh_from_db()
    assert not first.is_read
