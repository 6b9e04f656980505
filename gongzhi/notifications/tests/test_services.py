import datetime
import hashlib
import hmac
import socket

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from gongzhi.core.errors import DomainError
from gongzhi.notifications import services
from gongzhi.notifications.models import Notification, OutboxMessage, OutboxStatus


def _with_email(user, address):
    user.email = address
    user.save(update_fields=["email"])
    return user


def test_send_writes_inbox_and_one_outbox_row_per_reachable_channel(world, channels):
    steward = _with_email(world.users["steward"], "steward@example.org")
    resident = world.users["resident"]  # no e-mail address
    rows = services.notification_send(
        users=[steward, resident, steward, None],
        title="新诉求待签收",
        body="檀悦小区 1号楼漏水",
        url="/cases/1/",
        kind="case",
    )
    assert len(rows) == 2
    assert Notification.objects.filter(user=steward, read_at__isnull=True).count() == 1
    assert Notification.objects.filter(user=resident).count() == 1
    channels_by_user = sorted(OutboxMessage.objects.values_list("notification__user__username", "channel"))
    assert channels_by_user == [("resident", "webhook"), ("steward", "email"), ("steward", "webhook")]
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxStatus.PENDING}
    assert mail.outbox == []  # nothing leaves before the periodic job runs


def test_empty_title_is_refused_and_writes_nothing(world, channels):
    with pytest.raises(DomainError, match="通知标题不能为空"):
        services.notification_send(users=[world.users["resident"]], title="  ")
    assert Notification.objects.count() == 0
    assert OutboxMessage.objects.count() == 0


def test_send_inside_a_failed_transaction_leaves_nothing(world, channels):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        services.notification_send(users=[world.users["resident"]], title="会回滚")
        raise RuntimeError("the caller's action failed")
    assert Notification.objects.count() == 0
    assert OutboxMessage.objects.count() == 0


def test_delivery_sends_mail_and_signed_webhook_then_second_run_changes_nothing(world, channels):
    steward = _with_email(world.users["steward"], "steward@example.org")
    services.notification_send(users=[steward], title="新诉求待签收", body="请尽快处理", url="/cases/7/", kind="case")
    now = timezone.now()
    assert services.outbox_deliver_due(now=now) == 2
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "新诉求待签收"
    assert mail.outbox[0].to == ["steward@example.org"]
    assert "/cases/7/" in mail.outbox[0].body
    assert len(channels.received) == 1
    hit = channels.received[0]
    assert hit["body"]["title"] == "新诉求待签收"
    assert hit["body"]["user"] == "steward"
    expected = "sha256=" + hmac.new(b"s3cret", hit["raw"], hashlib.sha256).hexdigest()
    assert hit["headers"]["X-Gongzhi-Signature"] == expected
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxStatus.SENT}
    # Idempotent: the same run again sends nothing more.
    assert services.outbox_deliver_due(now=now) == 0
    assert len(mail.outbox) == 1
    assert len(channels.received) == 1


def test_failing_webhook_is_retried_with_backoff_and_given_up_at_last(world, channels):
    channels.status = 503
    services.notification_send(users=[world.users["resident"]], title="停水通知")
    message = OutboxMessage.objects.get(channel="webhook")
    now = timezone.now()
    assert services.outbox_deliver_due(now=now) == 1
    message.refresh_from_db()
    assert message.status == OutboxStatus.PENDING
    assert message.attempts == 1
    assert message.last_error == "HTTP 503"
    assert message.next_attempt_at == now + datetime.timedelta(seconds=services.RETRY_BACKOFF_SECONDS[0])
    # Not due yet: running again at the same time changes nothing.
    assert services.outbox_deliver_due(now=now) == 0
    # Keeps failing: after MAX_ATTEMPTS it is marked failed and never tried again.
    when = now
    for _ in range(services.MAX_ATTEMPTS - 1):
        message.refresh_from_db()
        when = message.next_attempt_at
        assert services.outbox_deliver_due(now=when) == 1
    message.refresh_from_db()
    assert message.status == OutboxStatus.FAILED
    assert message.attempts == services.MAX_ATTEMPTS
    assert services.outbox_deliver_due(now=when + datetime.timedelta(days=30)) == 0
    assert len(channels.received) == services.MAX_ATTEMPTS


def test_webhook_recovers_on_a_later_attempt(world, channels):
    channels.status = 500
    services.notification_send(users=[world.users["resident"]], title="停电通知")
    now = timezone.now()
    services.outbox_deliver_due(now=now)
    channels.status = 204
    message = OutboxMessage.objects.get(channel="webhook")
    assert services.outbox_deliver_due(now=message.next_attempt_at) == 1
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT
    assert message.attempts == 2
    assert message.last_error == ""


def test_client_error_from_webhook_is_permanent(world, channels):
    channels.status = 410
    services.notification_send(users=[world.users["resident"]], title="已停用的地址")
    services.outbox_deliver_due(now=timezone.now())
    message = OutboxMessage.objects.get(channel="webhook")
    assert message.status == OutboxStatus.FAILED
    assert message.attempts == 1


def test_unreachable_webhook_is_retried(world, settings):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.GONGZHI_NOTIFICATION_SENDERS = {
        "webhook": {"BACKEND": "gongzhi.notifications.senders.WebhookSender", "URL": f"http://127.0.0.1:{port}/x"}
    }
    services.notification_send(users=[world.users["resident"]], title="无人接收")
    services.outbox_deliver_due(now=timezone.now())
    message = OutboxMessage.objects.get()
    assert message.status == OutboxStatus.PENDING
    assert message.attempts == 1
    assert "URLError" in message.last_error or "Connection" in message.last_error


def test_channel_removed_from_settings_is_marked_failed(world, channels, settings):
    services.notification_send(users=[world.users["resident"]], title="渠道已下线")
    settings.GONGZHI_NOTIFICATION_SENDERS = {}
    services.outbox_deliver_due(now=timezone.now())
    message = OutboxMessage.objects.get()
    assert message.status == OutboxStatus.FAILED
    assert "no sender configured" in message.last_error


def test_a_deployment_plugs_in_an_sms_sender(world, settings):
    settings.GONGZHI_NOTIFICATION_SENDERS = {
        "sms": {"BACKEND": "gongzhi.notifications.tests.sms_gateway.FileSmsSender", "SIGN": "【共治】"}
    }
    services.notification_send(users=[world.users["resident"]], title="您的诉求已办结", body="请评价")
    message = OutboxMessage.objects.get()
    assert message.address == "13800001111"
    services.outbox_deliver_due(now=timezone.now())
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT
    from gongzhi.notifications.tests import sms_gateway

    assert sms_gateway.SENT == [("13800001111", "【共治】您的诉求已办结：请评价")]


def test_periodic_command_delivers_and_is_idempotent(world, channels):
    steward = _with_email(world.users["steward"], "steward@example.org")
    services.notification_send(users=[steward], title="逾期提醒")
    stamp = timezone.now().isoformat()
    call_command("run_periodic", "--now", stamp, "--only", "notifications")
    assert len(mail.outbox) == 1
    call_command("run_periodic", "--now", stamp, "--only", "notifications")
    assert len(mail.outbox) == 1
    assert list(OutboxMessage.objects.values_list("status", flat=True)) == ["sent", "sent"]
