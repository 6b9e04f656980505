from gongzhi.notifications.models import Notification


def inbox_for(user):
    return Notification.objects.filter(user_id=user.pk).order_by("-created_at", "-id")


def unread_count(user) -> int:
    return Notification.objects.filter(user_id=user.pk, read_at__isnull=True).count()
