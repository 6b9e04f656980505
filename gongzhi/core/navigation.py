"""The main menu. Each app adds its entries here with the capability that shows them, so the menu
shows a user only what their posts let them open."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts import access


@dataclass(frozen=True)
class NavEntry:
    url_name: str
    label: object
    capability: str | None  # None: every signed-in user
    order: int = 100


NAV: list[NavEntry] = [
    NavEntry("home", _("首页"), None, 0),
    NavEntry("places:tree", _("地区与房屋"), "view_internal", 20),
    NavEntry("orgs:list", _("组织"), "view_internal", 30),
    NavEntry("accounts:people", _("人员"), "manage_people", 40),
    NavEntry("indicators:dashboard", _("指标看板"), "view_dashboard", 90),
    NavEntry("audit-log", _("审计记录"), "audit_read", 96),
]


def register(entry: NavEntry) -> None:
    if all(e.url_name != entry.url_name for e in NAV):
        NAV.append(entry)


def entries_for(request) -> list[dict]:
    user = request.user
    if not user.is_authenticated:
        return []
    items = []
    for entry in sorted(NAV, key=lambda e: e.order):
        if entry.capability and not access.can(user, entry.capability):
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue
        items.append({"url": url, "label": entry.label, "active": request.path == url})
    return items
