from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.core.errors import DomainError
from gongzhi.notifications import selectors, services


@login_required
def inbox(request):
    only_unread = request.GET.get("unread") == "1"
    notifications = selectors.inbox_for(request.user)
    if only_unread:
        notifications = notifications.filter(read_at__isnull=True)
    page = Paginator(notifications, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/inbox.html",
        {"page": page, "only_unread": only_unread, "unread": selectors.unread_count(request.user)},
    )


@login_required
@require_POST
def read(request, notification_id: int):
    try:
        notification = services.notification_mark_read(notification_id=notification_id, acting_user=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("notifications:inbox")
    target = notification.url
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("notifications:inbox")


@login_required
@require_POST
def read_all(request):
    count = services.notification_mark_all_read(acting_user=request.user)
    messages.success(request, _("已将 %(count)s 条通知标为已读") % {"count": count})
    return redirect("notifications:inbox")
