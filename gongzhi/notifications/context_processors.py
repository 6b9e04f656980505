from django.utils.functional import SimpleLazyObject

from gongzhi.notifications.selectors import unread_count


def unread_notifications(request):
    """``notifications_unread`` for the bell in the navigation bar; counted only if rendered."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"notifications_unread": 0}
    return {"notifications_unread": SimpleLazyObject(lambda: unread_count(user))}
