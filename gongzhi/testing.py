"""A small named world for tests: one subdistrict, two communities, three estates, and one persona
per post (Zulip's hamlet/iago idea). Built through the services, as a user would."""

import datetime
from dataclasses import dataclass, field

from gongzhi.accounts import services as people
from gongzhi.accounts.models import Person, User
from gongzhi.orgs import services as orgs
from gongzhi.orgs.models import Organization
from gongzhi.places import services as places
from gongzhi.places.models import Flat, Place

PASSWORD = "gongzhi-test-pw"  # noqa: S105 - test fixture only
START = datetime.date(2024, 1, 1)


@dataclass
class World:
    subdistrict: Place
    community: Place
    other_community: Place
    estate: Place  # 檀悦小区, the one most personas live or work in
    other_estate: Place  # in the other community
    third_estate: Place  # same community as ``estate``, served by another company
    buildings: list[Place]
    flats: list[Flat]
    branch: Organization
    committee: Organization
    company: Organization
    other_company: Organization
    residents_committee: Organization
    party_committee: Organization
    department: Organization
    users: dict[str, User] = field(default_factory=dict)

    def person(self, persona: str) -> Person:
        return self.users[persona].person


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
)


def _user(persona: str, name: str, phone: str, *, party: bool = False) -> User:
    person = people.person_create(name=name, phone=phone, is_party_member=party)
    return people.user_create_for_person(person=person, username=persona, password=PASSWORD)


def build_world() -> World:
    sub = places.place_create(kind="subdistrict", name="青阳街道", parent=None, subdistrict_kind="street")
    com = places.place_create(kind="community", name="阳光社区", parent=sub)
    com2 = places.place_create(kind="community", name="梅岭社区", parent=sub)
    estate = places.place_create(kind="estate", name="檀悦小区", parent=com, estate_kind="commodity")
    estate3 = places.place_create(kind="estate", name="鸿盛名邸", parent=com, estate_kind="commodity")
    estate2 = places.place_create(kind="estate", name="梅岭新村", parent=com2, estate_kind="old")
    buildings = []
    flats = []
    for est in (estate, estate3, estate2):
        for b in range(1, 3):
            building = places.place_create(kind="building", name=f"{b}号楼", parent=est)
            buildings.append(building)
            for n in range(1, 4):
                flats.append(places.flat_create(building=building, number=f"{n}01", area_m2="88.50"))

    party_committee = orgs.organization_create(kind="party_committee", name="阳光社区党委", place=com)
    residents_committee = orgs.organization_create(kind="residents_committee", name="阳光社区居委会", place=com)
    orgs.organization_create(kind="party_working_committee", name="青阳街道党工委", place=sub)
    branch = orgs.organization_create(kind="party_branch", name="檀悦小区党支部", place=estate)
    committee = orgs.organization_create(kind="owners_committee", name="檀悦小区业委会", place=estate)
    company = orgs.organization_create(
        kind="property_company", name="红心物业", place=sub, has_party_org=True, ownership="private"
    )
    other_company = orgs.organization_create(
        kind="property_company", name="梅岭物业", place=sub, ownership="state_owned"
    )
    orgs.contract_create(company=company, estate=estate, starts_on=START)
    orgs.contract_create(company=other_company, estate=estate2, starts_on=START)
    orgs.contract_create(company=other_company, estate=estate3, starts_on=START)
    department = orgs.organization_create(
        kind="department", name="青阳街道城管中队", place=sub, department_kind="urban_management"
    )

    world = World(
        subdistrict=sub,
        community=com,
        other_community=com2,
        estate=estate,
        other_estate=estate2,
        third_estate=estate3,
        buildings=buildings,
        flats=flats,
        branch=branch,
        committee=committee,
        company=company,
        other_company=other_company,
        residents_committee=residents_committee,
        party_committee=party_committee,
        department=department,
    )
    u = world.users
    u["resident"] = _user("resident", "王小明", "13800001111")
    people.ownership_add(person=u["resident"].person, flat=flats[0])
    u["other_resident"] = _user("other_resident", "李梅", "13800002222")
    people.ownership_add(person=u["other_resident"].person, flat=flats[-1])
    u["building_head"] = _user("building_head", "陈楼长", "13800003333", party=True)
    people.ownership_add(person=u["building_head"].person, flat=flats[1])
    people.appointment_create(
        person=u["building_head"].person, post="building_head", place=buildings[0], starts_on=START
    )
    u["supervisor"] = _user("supervisor", "林监督", "13800004444", party=True)
    people.appointment_create(person=u["supervisor"].person, post="supervisor", place=estate, starts_on=START)
    u["steward"] = _user("steward", "张管家", "13800005555")
    people.appointment_create(person=u["steward"].person, post="company_steward", organization=company, starts_on=START)
    u["committee_chair"] = _user("committee_chair", "黄主任", "13800006666", party=True)
    people.ownership_add(person=u["committee_chair"].person, flat=flats[2])
    people.appointment_create(
        person=u["committee_chair"].person, post="committee_chair", organization=committee, starts_on=START
    )
    u["branch_secretary"] = _user("branch_secretary", "吴书记", "13800007777", party=True)
    people.ownership_add(person=u["branch_secretary"].person, flat=flats[3])
    people.appointment_create(
        person=u["branch_secretary"].person, post="branch_secretary", organization=branch, starts_on=START
    )
    u["community_worker"] = _user("community_worker", "刘社工", "13800008888", party=True)
    people.appointment_create(
        person=u["community_worker"].person,
        post="community_worker",
        organization=residents_committee,
        starts_on=START,
    )
    u["subdistrict_admin"] = _user("subdistrict_admin", "周主任", "13800009999", party=True)
    people.appointment_create(
        person=u["subdistrict_admin"].person, post="subdistrict_admin", place=sub, starts_on=START
    )
    return world
