"""A small hand-counted world for the structure indicators (see ``structure_world``'s docstring for
the right answers) and helpers to count queries."""

import datetime
from dataclasses import dataclass, field

import pytest

from gongzhi.accounts import services as people
from gongzhi.orgs import services as orgs
from gongzhi.places import services as places

D = datetime.date(2025, 6, 30)  # the day the figures are counted on
BEFORE = datetime.date(2024, 1, 1)


@dataclass
class StructureWorld:
    subdistrict: object
    c1: object
    c2: object
    estates: dict  # "E1".."E5" → Place
    people: dict = field(default_factory=dict)  # "P1".. → Person


def build_structure_world() -> StructureWorld:
    """Subdistrict 南岭街道: community 一社区 (E1, E2, E3) and 二社区 (E4, E5). As of D (2025-06-30):

    - E1: branch B1 (secretary P1); committee K1: chair P1 (party), P2 (party), P3 (not) → red, dual
      chair; company X1 (has a party org) since 2024; X1's steward P3 and manager P12.
    - E2: joint branch B2 covers E2 and E3 (secretary P8; P5 was a member until 2025-01-01);
      committee K2: chair P4 (party), P5 (party), P6, P7 → exactly half party, not red; company X2
      (no party org) only from 2025-07-01.
    - E3: covered by B2; committee K3: chair P9 ended 2025-03-01, P11 ended, P10 (party) current →
      red (1 of 1), not dual; X1's contract ends on D (its last day served).
    - E4: no branch; committee K4 dissolved 2025-01-01; no contract; supervisors P15 (current), P16 (ended).
    - E5: branch B5 dissolved 2025-05-01; no committee; X2 since 2023.
    - community: P2 is a community worker of 一社区 (so a community member on a committee); P6 was
      one until D (ends_on = D: no longer on D). P12 is a part-time member of 一社区党委; P4 becomes
      one only from 2025-07-01.
    - check-ins: P5 at E2 since 2025-01-01 (counts); P2 at E1 from 2025-07-01 (not yet).
    - grids: P13 (party) grid worker of a grid with an E1 building; P6 (not party) too; P10 (party)
      building head in E3.
    """
    sub = places.place_create(kind="subdistrict", name="南岭街道", parent=None, subdistrict_kind="street")
    c1 = places.place_create(kind="community", name="一社区", parent=sub)
    c2 = places.place_create(kind="community", name="二社区", parent=sub)
    estates = {}
    flats = {}
    buildings = {}
    for name, community in (("E1", c1), ("E2", c1), ("E3", c1), ("E4", c2), ("E5", c2)):
        estate = places.place_create(kind="estate", name=f"{name}小区", parent=community)
        estates[name] = estate
        building = places.place_create(kind="building", name="1号楼", parent=estate)
        buildings[name] = building
        flats[name] = [places.flat_create(building=building, number=f"{n}01", area_m2="90") for n in range(1, 4)]
    world = StructureWorld(subdistrict=sub, c1=c1, c2=c2, estates=estates)
    party = {"P1", "P2", "P4", "P5", "P8", "P9", "P10", "P12", "P13"}
    for n in range(1, 17):
        key = f"P{n}"
        world.people[key] = people.person_create(name=f"人员{n}", is_party_member=key in party)
    p = world.people
    e = estates

    def appoint(person, post, starts_on=BEFORE, **kwargs):
        return people.appointment_create(person=p[person], post=post, starts_on=starts_on, **kwargs)

    party_committee = orgs.organization_create(kind="party_committee", name="一社区党委", place=c1)
    residents_committee = orgs.organization_create(kind="residents_committee", name="一社区居委会", place=c1)
    b1 = orgs.organization_create(kind="party_branch", name="B1", place=e["E1"])
    b2 = orgs.organization_create(kind="party_branch", name="B2", place=e["E2"], covered_places=[e["E2"], e["E3"]])
    b5 = orgs.organization_create(kind="party_branch", name="B5", place=e["E5"])
    k1 = orgs.organization_create(kind="owners_committee", name="K1", place=e["E1"])
    k2 = orgs.organization_create(kind="owners_committee", name="K2", place=e["E2"])
    k3 = orgs.organization_create(kind="owners_committee", name="K3", place=e["E3"], founded_on=BEFORE)
    k4 = orgs.organization_create(kind="owners_committee", name="K4", place=e["E4"])
    x1 = orgs.organization_create(kind="property_company", name="X1", place=sub, has_party_org=True)
    x2 = orgs.organization_create(kind="property_company", name="X2", place=sub)

    appoint("P1", "branch_secretary", organization=b1)
    appoint("P1", "committee_chair", organization=k1)
    appoint("P2", "committee_member", organization=k1)
    appoint("P3", "committee_member", organization=k1)
    appoint("P3", "company_steward", organization=x1)
    appoint("P12", "company_manager", organization=x1)
    appoint("P8", "branch_secretary", organization=b2)
    appoint("P8", "company_manager", organization=x1)
    appoint("P5", "branch_member", organization=b2, ends_on=datetime.date(2025, 1, 1))
    appoint("P4", "committee_chair", organization=k2)
    for person in ("P5", "P6", "P7"):
        appoint(person, "committee_member", organization=k2)
    appoint("P9", "committee_chair", organization=k3, ends_on=datetime.date(2025, 3, 1))
    appoint("P11", "committee_member", organization=k3, ends_on=datetime.date(2025, 3, 1))
    appoint("P10", "committee_member", organization=k3)
    appoint("P13", "branch_member", organization=b5)
    orgs.organization_dissolve(organization=b5, on=datetime.date(2025, 5, 1))
    orgs.organization_dissolve(organization=k4, on=datetime.date(2025, 1, 1))

    orgs.contract_create(company=x1, estate=e["E1"], starts_on=BEFORE)
    orgs.contract_create(company=x2, estate=e["E2"], starts_on=datetime.date(2025, 7, 1))
    orgs.contract_create(company=x1, estate=e["E3"], starts_on=BEFORE, ends_on=D)
    orgs.contract_create(company=x2, estate=e["E5"], starts_on=datetime.date(2023, 1, 1))

    appoint("P2", "community_worker", organization=residents_committee)
    appoint("P6", "community_worker", organization=residents_committee, ends_on=D)
    appoint("P12", "part_time_member", organization=party_committee)
    appoint("P4", "part_time_member", organization=party_committee, starts_on=datetime.date(2025, 7, 1))

    people.ownership_add(person=p["P5"], flat=flats["E2"][0])
    people.ownership_add(person=p["P2"], flat=flats["E1"][0])
    people.party_check_in(person=p["P5"], estate=e["E2"], checked_in_on=datetime.date(2025, 1, 1))
    people.party_check_in(person=p["P2"], estate=e["E1"], checked_in_on=datetime.date(2025, 7, 1))

    grid = places.grid_create(community=c1, name="一网格", buildings=[buildings["E1"]])
    appoint("P13", "grid_worker", grid=grid)
    appoint("P6", "grid_worker", grid=grid)
    appoint("P10", "building_head", place=buildings["E3"])

    appoint("P14", "supervisor", place=e["E1"])
    appoint("P15", "supervisor", place=e["E4"])
    appoint("P16", "supervisor", place=e["E4"], ends_on=datetime.date(2025, 6, 1))
    return world


@pytest.fixture
def structure_world(db):
    return build_structure_world()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The shared world logs in nine personas; a slow hash makes every test of the matrix slow.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
