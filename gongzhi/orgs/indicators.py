"""The structure indicators (组织架构指标): how far the party branch, the owners' committee and the
property company — the three parties of each estate — are in place, and how they are interlinked.

Each figure is "as of a day" (the last day of the period asked for) and computed from the records:
organizations with their founding/dissolution dates, appointments with their start/end dates,
service contracts, check-ins. The numbers the reports quote are the sources cited in each
declaration: seed 000 (东园镇, Quanzhou Taishang investment zone), seed 002 (青阳街道, Jinjiang),
seed 003 (池店镇, Jinjiang).

Every ``compute_many`` runs a fixed number of queries whatever the number of places.
"""

from django.db.models import Exists, OuterRef
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts.models import Appointment, PartyCheckIn
from gongzhi.accounts.posts import POSTS, PostKind
from gongzhi.indicators.registry import Figure, Indicator, Period, register
from gongzhi.indicators.scope import (
    PlaceScope,
    appointment_current_q,
    check_in_current_q,
    contract_current_q,
    merge_sets,
    multimap,
    org_current_q,
    shared,
)
from gongzhi.orgs.models import Organization, OrgKind, ServiceContract

AREA = "structure"
ABOVE_ESTATE = ("district", "subdistrict", "community")

# The posts that make a person part of one of the three parties of an estate (posts.py says which).
PARTY_POSTS = {
    party: [post for post, rule in POSTS.items() if rule.party == party] for party in ("branch", "committee", "company")
}
COMMUNITY_ORG_KINDS = (OrgKind.PARTY_COMMITTEE, OrgKind.RESIDENTS_COMMITTEE)
# Members of the community's "two committees" (两委); part-time members are counted on their own.
COMMUNITY_MEMBER_POSTS = (PostKind.COMMUNITY_SECRETARY, PostKind.COMMUNITY_WORKER)
# Posts through which a party member is "in a building grid" (seed 000: 党员楼栋长、党员中心户、网格员).
GRID_POSTS = (PostKind.GRID_WORKER, PostKind.BUILDING_HEAD, PostKind.PARTY_GROUP_LEADER)


# --- Facts shared by several figures; each function is a fixed number of queries. ---------------


def branch_estates(scope: PlaceScope, day) -> dict[int, set[int]]:
    """Estate id → ids of the current party branches covering it (2 queries).

    A branch covers the estates listed as its covered places (a joint branch covers several); a
    branch with none listed covers the estate it sits at."""
    return shared(("branch_estates", day, *scope.key), lambda: _branch_estates(scope, day))


def _branch_estates(scope: PlaceScope, day) -> dict[int, set[int]]:
    through = Organization.covered_places.through
    rows = through.objects.filter(
        org_current_q(day, "organization__"), scope.q("place__path"), organization__kind=OrgKind.PARTY_BRANCH
    ).values_list("place_id", "organization_id")
    bare = Organization.objects.filter(
        org_current_q(day), scope.q("place__path"), kind=OrgKind.PARTY_BRANCH, covered_places__isnull=True
    ).values_list("place_id", "id")
    estates = scope.estates()
    return {estate: branches for estate, branches in multimap([*rows, *bare]).items() if estate in estates}


def committees(scope: PlaceScope, day) -> dict[int, int]:
    """Estate id → its current owners' committee (1 query)."""
    return shared(("committees", day, *scope.key), lambda: _committees(scope, day))


def _committees(scope: PlaceScope, day) -> dict[int, int]:
    estates = scope.estates()
    rows = Organization.objects.filter(
        org_current_q(day), scope.q("place__path"), kind=OrgKind.OWNERS_COMMITTEE
    ).values_list("place_id", "id")
    return {estate: committee for estate, committee in rows if estate in estates}


def members(organization_ids, posts, day) -> list[tuple[int, int, str, bool]]:
    """Current holders of ``posts`` in the organizations: (organization, person, post, is party member)."""
    organization_ids = tuple(sorted(organization_ids))
    posts = tuple(posts)
    return shared(("members", day, posts, organization_ids), lambda: _members(organization_ids, posts, day))


def _members(organization_ids, posts, day) -> list[tuple[int, int, str, bool]]:
    return list(
        Appointment.objects.filter(
            appointment_current_q(day), organization_id__in=list(organization_ids), post__in=posts
        )
        .values_list("organization_id", "person_id", "post", "person__is_party_member")
        .order_by()
        .distinct()
    )


def serving_companies(scope: PlaceScope, day) -> dict[int, set[tuple[int, bool]]]:
    """Estate id → {(company id, has its own party organization)} under a current contract (1 query)."""
    return shared(("serving_companies", day, *scope.key), lambda: _serving_companies(scope, day))


def _serving_companies(scope: PlaceScope, day) -> dict[int, set[tuple[int, bool]]]:
    rows = ServiceContract.objects.filter(
        contract_current_q(day), org_current_q(day, "company__"), scope.q("estate__path")
    ).values_list("estate_id", "company_id", "company__has_party_org")
    estates = scope.estates()
    return multimap((estate, (company, party)) for estate, company, party in rows if estate in estates)


def party_people_by_estate(scope: PlaceScope, day) -> dict[int, dict[str, set[int]]]:
    """Estate id → {"branch"|"committee"|"company": ids of people holding a current post in it}."""
    by_branch = branch_estates(scope, day)
    by_committee = committees(scope, day)
    by_company = serving_companies(scope, day)
    branch_ids = merge_sets(by_branch, by_branch)
    company_ids = {company for pairs in by_company.values() for company, _party in pairs}
    branch_people = multimap((org, person) for org, person, _p, _m in members(branch_ids, PARTY_POSTS["branch"], day))
    committee_people = multimap(
        (org, person) for org, person, _p, _m in members(by_committee.values(), PARTY_POSTS["committee"], day)
    )
    company_people = multimap(
        (org, person) for org, person, _p, _m in members(company_ids, PARTY_POSTS["company"], day)
    )
    result = {}
    for estate in scope.estates():
        result[estate] = {
            "branch": merge_sets(branch_people, by_branch.get(estate, ())),
            "committee": committee_people.get(by_committee.get(estate), set()),
            "company": merge_sets(company_people, (company for company, _party in by_company.get(estate, ()))),
        }
    return result


# --- The figures. ---------------------------------------------------------------------------------


def compute_party_branches(places, period: Period) -> dict[int, Figure]:
    scope = PlaceScope(places)
    estates = scope.estates()
    by_branch = branch_estates(scope, period.last_day)
    return scope.counts((estates[estate], branch) for estate, branches in by_branch.items() for branch in branches)


def compute_branch_coverage(places, period: Period) -> dict[int, Figure]:
    scope = PlaceScope(places)
    return scope.estate_rates(set(branch_estates(scope, period.last_day)))


def compute_committee_formation(places, period: Period) -> dict[int, Figure]:
    scope = PlaceScope(places)
    return scope.estate_rates(set(committees(scope, period.last_day)))


def red_committee_estates(scope: PlaceScope, day) -> tuple[set[int], set[int]]:
    """(estates whose current committee is red, estates with a current committee).

    Red: the party members among the committee's current members are more than half of them
    ("过半", so exactly half is not red; a committee with nobody in office is not red)."""
    by_committee = committees(scope, day)
    people: dict[int, set[int]] = multimap([])
    party: dict[int, set[int]] = multimap([])
    for org, person, _post, is_member in members(by_committee.values(), PARTY_POSTS["committee"], day):
        people[org].add(person)
        if is_member:
            party[org].add(person)
    red = {estate for estate, org in by_committee.items() if 2 * len(party.get(org, ())) > len(people.get(org, ()))}
    return red, set(by_committee)


def compute_red_committees(places, period: Period) -> dict[int, Figure]:
    scope = PlaceScope(places)
    red, formed = red_committee_estates(scope, period.last_day)
    return scope.estate_rates(red, formed)


def compute_dual_chairs(places, period: Period) -> dict[int, Figure]:
    scope = PlaceScope(places)
    day = period.last_day
    by_branch = branch_estates(scope, day)
    by_committee = committees(scope, day)
    secretaries = multimap(
        (org, person)
        for org, person, _p, _m in members(merge_sets(by_branch, by_branch), [PostKind.BRANCH_SECRETARY], day)
    )
    chairs = multimap(
        (org, person) for org, person, _p, _m in members(by_committee.values(), [PostKind.COMMITTEE_CHAIR], day)
    )
    dual = {
        estate
        for estate, committee in by_committee.items()
        if chairs.get(committee, set()) & merge_sets(secretaries, by_branch.get(estate, ()))
    }
    return scope.estate_rates(dual, set(by_committee))


def compute_cross_appointments(places, period: Period) -> dict[int, Figure]:
    scope = PlaceScope(places)
    estates = scope.estates()
    pairs = []
    for estate, parties in party_people_by_estate(scope, period.last_day).items():
        everyone = parties["branch"] | parties["committee"] | parties["company"]
        for person in everyone:
            if sum(person in group for group in parties.values()) >= 2:
                pairs.append((estates[estate], person))
    return scope.counts(pairs)


def compute_community_members_on_committees(places, period: Period) -> dict[int, Figure]:
    day = period.last_day
    scope = PlaceScope(places)
    estates = scope.estates()
    in_community_org = Appointment.objects.filter(
        appointment_current_q(day),
        org_current_q(day, "organization__"),
        person_id=OuterRef("person_id"),
        organization__kind__in=COMMUNITY_ORG_KINDS,
        post__in=COMMUNITY_MEMBER_POSTS,
    )
    rows = (
        Appointment.objects.filter(
            appointment_current_q(day),
            org_current_q(day, "organization__"),
            scope.q("organization__place__path"),
            Exists(in_community_org),
            organization__kind=OrgKind.OWNERS_COMMITTEE,
            post__in=PARTY_POSTS["committee"],
        )
        .values_list("organization__place_id", "person_id")
        .order_by()
        .distinct()
    )
    return scope.counts((estates[estate], person) for estate, person in rows if estate in estates)


def compute_part_time_members(places, period: Period) -> dict[int, Figure]:
    day = period.last_day
    scope = PlaceScope(places)
    rows = (
        Appointment.objects.filter(
            appointment_current_q(day),
            org_current_q(day, "organization__"),
            scope.q("organization__place__path"),
            organization__kind=OrgKind.PARTY_COMMITTEE,
            post=PostKind.PART_TIME_MEMBER,
        )
        .values_list("organization__place__path", "person_id")
        .order_by()
        .distinct()
    )
    figures = scope.counts(rows)
    # A community party organization sits above the estates: the figure has no meaning for one.
    return {
        place_id: (figure if scope.by_id[place_id].kind in ABOVE_ESTATE else Figure(None))
        for place_id, figure in figures.items()
    }


def compute_property_service_coverage(places, period: Period) -> dict[int, Figure]:
    scope = PlaceScope(places)
    return scope.estate_rates(set(serving_companies(scope, period.last_day)))


def compute_companies_with_party_org(places, period: Period) -> dict[int, Figure]:
    scope = PlaceScope(places)
    estates = scope.estates()
    served = scope.group(
        (estates[estate], pair) for estate, pairs in serving_companies(scope, period.last_day).items() for pair in pairs
    )
    return {
        place_id: Figure.rate(len({company for company, party in pairs if party}), len({c for c, _p in pairs}))
        for place_id, pairs in served.items()
    }


def compute_party_check_ins(places, period: Period) -> dict[int, Figure]:
    scope = PlaceScope(places)
    rows = (
        PartyCheckIn.objects.filter(
            check_in_current_q(period.last_day), scope.q("estate__path"), estate__is_active=True
        )
        .values_list("estate__path", "person_id")
        .order_by()
        .distinct()
    )
    return scope.counts(rows)


def compute_grid_party_members(places, period: Period) -> dict[int, Figure]:
    day = period.last_day
    scope = PlaceScope(places)
    current = Appointment.objects.filter(appointment_current_q(day), person__is_party_member=True).order_by()
    by_grid = current.filter(scope.q("grid__buildings__path"), post=PostKind.GRID_WORKER).values_list(
        "grid__buildings__path", "person_id"
    )
    by_building = current.filter(scope.q("place__path"), post=PostKind.BUILDING_HEAD).values_list(
        "place__path", "person_id"
    )
    by_group = current.filter(
        org_current_q(day, "organization__"), scope.q("organization__place__path"), post=PostKind.PARTY_GROUP_LEADER
    ).values_list("organization__place__path", "person_id")
    return scope.counts([*by_grid.distinct(), *by_building.distinct(), *by_group.distinct()])


def _supervisor_rows(scope: PlaceScope, day):
    return shared(("supervisors", day, *scope.key), lambda: list(_query_supervisor_rows(scope, day)))


def _query_supervisor_rows(scope: PlaceScope, day):
    return (
        Appointment.objects.filter(appointment_current_q(day), scope.q("place__path"), post=PostKind.SUPERVISOR)
        .values_list("place_id", "place__path", "person_id")
        .order_by()
        .distinct()
    )


def compute_volunteer_supervisors(places, period: Period) -> dict[int, Figure]:
    scope = PlaceScope(places)
    return scope.counts((path, person) for _estate, path, person in _supervisor_rows(scope, period.last_day))


def compute_supervisor_coverage(places, period: Period) -> dict[int, Figure]:
    scope = PlaceScope(places)
    return scope.estate_rates({estate for estate, _path, _person in _supervisor_rows(scope, period.last_day)})


def cite(seed, text):
    return format_lazy(_("{seed}：{text}"), seed=seed, text=text)


SEED_000 = _("东园镇（泉州台商投资区）“三方联建”做法")
SEED_002 = _("青阳街道（晋江市）“1+2+3+N”小区治理模式")
SEED_003 = _("池店镇（晋江市）“六个一”工作方法")

register(
    Indicator(
        key="party_branches",
        area=AREA,
        order=10,
        label=_("小区党支部数"),
        short_label=_("党支部"),
        formula=_("当日存续的小区党支部个数（建制式与功能型均计；联合党支部计一个）"),
        unit=_("个"),
        source=cite(SEED_000, _("全镇已成立小区党支部23个")),
        compute_many=compute_party_branches,
    )
)
register(
    Indicator(
        key="party_branch_coverage",
        area=AREA,
        order=11,
        label=_("小区党组织覆盖率"),
        short_label=_("党组织覆盖"),
        formula=_("有当日存续的党支部覆盖的小区数 ÷ 小区总数 × 100%（一个联合党支部可覆盖多个小区）"),
        unit="%",
        source=cite(SEED_000, _("党组织覆盖率达100%；青阳街道、池店镇均实现小区党组织全覆盖")),
        compute_many=compute_branch_coverage,
    )
)
register(
    Indicator(
        key="owners_committee_formation",
        area=AREA,
        order=20,
        label=_("业委会组建率"),
        short_label=_("业委会"),
        formula=_("有当日存续的业主委员会的小区数 ÷ 小区总数 × 100%"),
        unit="%",
        source=cite(
            SEED_002, _("业委会组建率从46%提升至100%；《民法典》第二百七十七条（业主可以设立业主大会，选举业主委员会）")
        ),
        compute_many=compute_committee_formation,
    )
)
register(
    Indicator(
        key="red_owners_committees",
        area=AREA,
        order=21,
        label=_("红色业委会占比"),
        short_label=_("红色业委会"),
        formula=_(
            "党员人数超过当日在任委员半数（不含半数）的业委会个数 ÷ 已组建业委会的个数 × 100%；分子即红色业委会个数"
        ),
        unit="%",
        source=cite(SEED_002, _("“红色业委会”占比达57.9%；池店镇：54个业委会党员委员数过半")),
        compute_many=compute_red_committees,
    )
)
register(
    Indicator(
        key="dual_chairs",
        area=AREA,
        order=22,
        label=_("书记主任“一肩挑”占比"),
        short_label=_("一肩挑"),
        formula=_(
            "覆盖该小区的党支部书记同时担任该小区业委会主任的小区数 ÷ 已组建业委会的小区数 × 100%；分子即“一肩挑”小区数"
        ),
        unit="%",
        source=cite(SEED_000, _("小区党支部书记与业委会主任“一肩挑”占比超6成")),
        compute_many=compute_dual_chairs,
    )
)
register(
    Indicator(
        key="cross_appointments",
        area=AREA,
        order=30,
        label=_("交叉任职人数"),
        short_label=_("交叉任职"),
        formula=_("当日在同一小区的党支部、业委会、物业服务企业三方中至少两方任职的人数（每人只计一次）"),
        unit=_("人"),
        source=cite(SEED_000, _("“双向进入、交叉任职”")),
        compute_many=compute_cross_appointments,
    )
)
register(
    Indicator(
        key="community_members_on_committees",
        area=AREA,
        order=31,
        label=_("社区“两委”成员兼任业委会成员"),
        short_label=_("两委兼任"),
        formula=_("当日担任社区党组织书记或社区工作者（社区“两委”成员，不含兼职委员）、同时在本地小区业委会任职的人数"),
        unit=_("人"),
        source=cite(SEED_000, _("23名社区“两委”成员通过法定程序兼任业委会成员")),
        compute_many=compute_community_members_on_committees,
    )
)
register(
    Indicator(
        key="part_time_members",
        area=AREA,
        order=32,
        label=_("社区党组织兼职委员"),
        short_label=_("兼职委员"),
        formula=_("当日在本地社区党组织担任兼职委员的人数（业委会、物业服务企业党员负责人等）"),
        unit=_("人"),
        source=cite(SEED_000, _("聘任9名业委会、物业服务企业党员负责人担任社区党组织兼职委员")),
        compute_many=compute_part_time_members,
        levels=ABOVE_ESTATE,
    )
)
register(
    Indicator(
        key="property_service_coverage",
        area=AREA,
        order=40,
        label=_("物业服务覆盖率"),
        short_label=_("物业服务"),
        formula=_("当日有有效物业服务合同的小区数 ÷ 小区总数 × 100%"),
        unit="%",
        source=cite(SEED_002, _("实现物业服务“全覆盖”，4个“失管”老旧小区进驻物业服务")),
        compute_many=compute_property_service_coverage,
    )
)
register(
    Indicator(
        key="companies_with_party_org",
        area=AREA,
        order=41,
        label=_("物业企业党组织覆盖率"),
        short_label=_("红色物业"),
        formula=_(
            "当日为本地小区提供服务的物业服务企业中建有党组织的家数 ÷ 这些企业的家数 × 100%；分子即建有党组织的企业家数"
        ),
        unit="%",
        source=cite(SEED_002, _("16家物业服务企业实现党组织全覆盖；池店镇7家物业公司全部完成党组织组建")),
        compute_many=compute_companies_with_party_org,
    )
)
register(
    Indicator(
        key="party_check_ins",
        area=AREA,
        order=50,
        label=_("在职党员到小区报到人数"),
        short_label=_("党员报到"),
        formula=_("当日仍在本地小区报到服务的在职党员人数"),
        unit=_("人"),
        source=cite(SEED_003, _("发布《党员到小区报到倡议书》")),
        compute_many=compute_party_check_ins,
    )
)
register(
    Indicator(
        key="grid_party_members",
        area=AREA,
        order=51,
        label=_("编入楼栋网格的党员"),
        short_label=_("网格党员"),
        formula=_("当日担任网格员、楼栋长或楼栋党小组长的党员人数"),
        unit=_("人"),
        source=cite(SEED_000, _("檀悦小区将128名小区党员编入楼栋网格")),
        compute_many=compute_grid_party_members,
    )
)
register(
    Indicator(
        key="volunteer_supervisors",
        area=AREA,
        order=52,
        label=_("义务监督员人数"),
        short_label=_("监督员"),
        formula=_("当日在本地小区任职的义务监督员人数"),
        unit=_("人"),
        source=cite(SEED_000, _("择优聘任46名义务监督员")),
        compute_many=compute_volunteer_supervisors,
    )
)
register(
    Indicator(
        key="supervisor_coverage",
        area=AREA,
        order=53,
        label=_("义务监督员小区覆盖率"),
        short_label=_("监督覆盖"),
        formula=_("当日有义务监督员任职的小区数 ÷ 小区总数 × 100%"),
        unit="%",
        source=cite(SEED_000, _("义务监督员实现住宅小区全覆盖")),
        compute_many=compute_supervisor_coverage,
    )
)
