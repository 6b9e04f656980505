"""Permission matrix: each persona × each page and action. Outsiders get 404, those who may see
but not act 403, anonymous visitors are sent to the login page (except the public board)."""

import pytest

from gongzhi.cases import services
from gongzhi.cases.models import CaseEvent

PERSONAS = (
    "resident",
    "other_resident",
    "building_head",
    "supervisor",
    "steward",
    "committee_chair",
    "branch_secretary",
    "community_worker",
    "subdistrict_admin",
    None,
)

PAGES = {
    # url name: {persona: status}; personas not listed expect the "default".
    "/cases/": {"default": 200, None: 302},
    "/cases/new/": {"default": 200, "steward": 403, None: 302},
    "/cases/intake/": {"default": 403, "community_worker": 200, "subdistrict_admin": 200, None: 302},
    "/cases/queue/": {"default": 200, "resident": 403, "other_resident": 403, None: 302},
    "/cases/boards/": {"default": 200},
}


def expected(table, persona):
    return table.get(persona, table["default"])


@pytest.mark.parametrize("url", list(PAGES))
def test_pages(world, client_for, url):
    for persona in PERSONAS:
        assert client_for(persona).get(url).status_code == expected(PAGES[url], persona), (url, persona)


def test_case_page_and_board(world, client_for, dispatched):
    case = dispatched()
    see = {
        "default": 200,
        "other_resident": 404,
        "building_head": 404,  # a building head's area is the building, not the estate
        None: 302,
    }
    for persona in PERSONAS:
        assert client_for(persona).get(f"/cases/{case.pk}/").status_code == expected(see, persona), persona
        assert client_for(persona).get(f"/cases/boards/{world.estate.pk}/").status_code == 200


ACTIONS = {
    # verb: (state the case is brought to, form data, allowed personas)
    "dispatch": ("received", {"responsible": "company"}, {"community_worker", "subdistrict_admin"}),
    "reject": ("received", {"note": "无效"}, {"community_worker", "subdistrict_admin"}),
    "flag_agenda": ("received", {"on": "1"}, {"community_worker", "subdistrict_admin"}),
    "sign": ("dispatched", {}, {"steward"}),
    "reply": ("dispatched", {"note": "明天上门"}, {"steward"}),
    "resolve": ("dispatched", {"note": "已修好"}, {"steward"}),
    "return": ("dispatched", {"note": "不归我们管"}, {"steward"}),
    "transfer": (
        "dispatched",
        {"responsible": "committee", "note": "转业委会"},
        {"community_worker", "subdistrict_admin"},
    ),
    "review": (
        "resolved",
        {"solved": "yes", "rating": "satisfied", "by_phone": "on"},
        {"resident", "community_worker", "subdistrict_admin"},
    ),
    "close": ("resolved", {"note": "联系不上"}, {"community_worker", "subdistrict_admin"}),
    "reopen": ("resolved", {"note": "复查未修好"}, {"community_worker", "subdistrict_admin"}),
}
# Who sees a case of 檀悦小区 reported by the resident: everyone but these.
OUTSIDERS = {"other_resident", "building_head"}


@pytest.mark.parametrize("verb", list(ACTIONS))
def test_actions(world, client_for, report, dispatched, verb):
    state, data, allowed = ACTIONS[verb]
    orgs = {"company": world.company.pk, "committee": world.committee.pk}
    form = {k: orgs.get(v, v) if k == "responsible" else v for k, v in data.items()}

    def fresh():
        if state == "received":
            return report()
        case = dispatched()
        if state == "resolved":
            case = services.case_resolve(case=case, acting_user=world.users["steward"], note="已处理")
        return case

    for persona in PERSONAS:
        case = fresh()
        events = CaseEvent.objects.filter(case=case).count()
        response = client_for(persona).post(f"/cases/{case.pk}/{verb}/", form)
        if persona is None:
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], (verb, persona)
        elif persona in allowed:
            assert response.status_code == 302, (verb, persona, response.content.decode()[:500])
            assert CaseEvent.objects.filter(case=case).count() > events, (verb, persona)
            continue
        elif persona in OUTSIDERS:
            assert response.status_code == 404, (verb, persona)
        else:
            assert response.status_code == 403, (verb, persona)
        assert CaseEvent.objects.filter(case=case).count() == events, (verb, persona)
