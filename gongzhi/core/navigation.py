"""The main menu. Each app adds its entries here with the capability that shows them, so the menu
shows a user only what their posts let them open."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

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


# The menu bar groups entries by the app their page belongs to, so a staff member with twenty
# entries sees eight menus rather than twenty links; an app with one entry shows it as a link.
GROUPS = {
    "cases": pgettext_lazy("menu", "诉求"),
    "meetings": pgettext_lazy("menu", "议事"),
    "oversight": pgettext_lazy("menu", "测评"),
    "elections": pgettext_lazy("menu", "表决"),
    "funds": pgettext_lazy("menu", "共建"),
    "volunteers": pgettext_lazy("menu", "共建"),
    "indicators": pgettext_lazy("menu", "看板"),
    "reports": pgettext_lazy("menu", "看板"),
    "places": pgettext_lazy("menu", "管理"),
    "orgs": pgettext_lazy("menu", "管理"),
    "accounts": pgettext_lazy("menu", "管理"),
    "open311": pgettext_lazy("menu", "管理"),
    "audit-log": pgettext_lazy("menu", "管理"),
}


def groups_for(items: list[dict]) -> list[dict]:
    groups: list[dict] = []
    by_label: dict[str, dict] = {}
    for item in items:
        label = GROUPS.get(item["url_name"].split(":")[0])
        if label is None:
            groups.append({"label": item["label"], "items": [item], "active": item["active"]})
            continue
        key = str(label)
        if key not in by_label:
            by_label[key] = {"label": label, "items": [], "active": False}
            groups.append(by_label[key])
        by_label[key]["items"].append(item)
        by_label[key]["active"] = by_label[key]["active"] or item["active"]
    return groups


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
        items.append({"url": url, "label": entry.label, "active": request.path == url, "url_name": entry.url_name})
    return items


@dataclass(frozen=True)
class EstateLink:
    """A door from an estate's page into one capability, shown to users holding ``perm`` at the
    estate (None: everyone who may open the estate page). The target view checks again."""

    url_name: str
    label: object
    perm: str | None
    icon: str = "bi-arrow-right-circle"
    order: int = 100
    takes_estate: bool = True  # the URL takes the estate's id


ESTATE_LINKS: list[EstateLink] = [
    EstateLink("cases:report", _("我要报事"), "cases.report_case", "bi-megaphone", 10, takes_estate=False),
    EstateLink("cases:board", _("诉求公示"), None, "bi-clipboard-data", 20),
    EstateLink("meetings:place", _("议事"), "meetings.view_meeting", "bi-people", 30),
    EstateLink("oversight:ledger", _("整改台账"), "oversight.view_ledger", "bi-list-check", 40),
    EstateLink("elections:rules", _("规约与议事规则"), "elections.view_rules", "bi-journal-text", 50),
    EstateLink("elections:decisions", _("重大事项"), "elections.view_decision", "bi-bank", 55),
    EstateLink("funds:revenue", _("公共收益"), "funds.view_published_revenue", "bi-cash-coin", 60),
    EstateLink("funds:works", _("微实事"), "funds.view_works", "bi-hammer", 65),
    EstateLink("volunteers:estate", _("志愿与阵地"), "volunteers.view_volunteers", "bi-heart", 70),
]


def estate_links_for(user, estate) -> list[dict]:
    items = []
    for link in sorted(ESTATE_LINKS, key=lambda entry: entry.order):
        if link.perm and not user.has_perm(link.perm, estate):
            continue
        try:
            url = reverse(link.url_name, args=[estate.id] if link.takes_estate else [])
        except NoReverseMatch:
            continue
        items.append({"url": url, "label": link.label, "icon": link.icon})
    return items
