"""Bulk creation of a subdistrict with its communities, estates, organizations, people and posts.

Used by the demo and by the benchmarks: rows go in with ``bulk_create`` a table at a time, so a
subdistrict of hundreds of estates takes seconds, not minutes. The shape of each estate is given
by an ``EstateSpec`` (does it have a branch, a committee of how many members of whom how many are
party members, is the branch secretary also the chair, which company serves it from when…).

This bypasses the services on purpose (they validate one row at a time); what it writes respects
the same invariants: paths of places, one current committee per estate, one chair and one
secretary, contracts that do not overlap, check-ins only of party members living in the estate.
"""

import datetime
from dataclasses import dataclass, field

from gongzhi.accounts.models import Appointment, Ownership, PartyCheckIn, Person
from gongzhi.orgs.models import Organization, OrgKind, ServiceContract
from gongzhi.places.models import Flat, Grid, Place, PlaceKind

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢傅钟姜崔谭廖范汪陆金石戴贾韦夏邱方侯邹熊孟秦白江阎薛尹段雷黎史龙陶贺顾毛郝龚邵万钱严覃武洪"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍建国红梅海燕志斌文婷雪晨欣怡宇航子涵思源佳琪浩然雨萱俊杰梓轩嘉怡明远春生秋菊冬梅振华立新晓东"


def person_names():
    """Invented names, deterministic: 王伟, 王芳, … then with a second given character."""
    for second in ("", *GIVEN):
        for given in GIVEN:
            for surname in SURNAMES:
                yield f"{surname}{given}{second}"


@dataclass
class CompanySpec:
    name: str
    has_party_org: bool = True
    ownership: str = "private"


@dataclass
class EstateSpec:
    name: str
    kind: str = "commodity"
    buildings: int = 2
    flats_per_building: int = 4
    branch: bool = True  # its own party branch (False: none, or covered by a joint branch)
    joint_with: str = ""  # name of an estate whose branch also covers this one
    committee_size: int = 0  # 0: no owners' committee
    committee_party: int = 0  # party members among the committee's members
    committee_founded_on: datetime.date | None = None
    dual_chair: bool = False  # the branch secretary chairs the committee
    company: str = ""  # name of the company serving it ("": none)
    contract_starts_on: datetime.date | None = None
    supervisors: int = 0
    check_ins: int = 0
    community_member_on_committee: bool = False  # one committee member also works for the community
    grid_party_members: int = 0  # party members serving as grid workers on its buildings


@dataclass
class Built:
    """What a build produced, by name, for the demo's personas and the hooks of other apps."""

    subdistrict: Place
    communities: dict[str, Place] = field(default_factory=dict)
    estates: dict[str, Place] = field(default_factory=dict)
    buildings: dict[str, list[Place]] = field(default_factory=dict)  # estate name → its buildings
    flats: dict[str, list[Flat]] = field(default_factory=dict)  # estate name → its flats
    branches: dict[str, Organization] = field(default_factory=dict)  # estate name → branch covering it
    committees: dict[str, Organization] = field(default_factory=dict)
    companies: dict[str, Organization] = field(default_factory=dict)
    party_committees: dict[str, Organization] = field(default_factory=dict)  # community name → org
    residents_committees: dict[str, Organization] = field(default_factory=dict)
    chairs: dict[str, Person] = field(default_factory=dict)  # estate name → committee chair
    secretaries: dict[str, Person] = field(default_factory=dict)  # estate name → branch secretary
    free_flats: dict[str, list[Flat]] = field(default_factory=dict)  # flats nobody owns yet


def _places(parent: Place, kind: str, rows: list[dict]) -> list[Place]:
    places = Place.objects.bulk_create([Place(kind=kind, parent=parent, **row) for row in rows])
    for place in places:
        place.path = f"{parent.path}{place.id}/"
        place.depth = parent.depth + 1
    Place.objects.bulk_update(places, ["path", "depth"])
    return places


def _places_under(parents: list[Place], kind: str, rows_of: dict[int, list[dict]]) -> dict[int, list[Place]]:
    """Places of one kind under several parents, in one insert and one update."""
    pending = [(parent, Place(kind=kind, parent=parent, **row)) for parent in parents for row in rows_of[parent.id]]
    created = Place.objects.bulk_create([place for _parent, place in pending])
    result: dict[int, list[Place]] = {parent.id: [] for parent in parents}
    for (parent, _place), place in zip(pending, created, strict=True):
        place.path = f"{parent.path}{place.id}/"
        place.depth = parent.depth + 1
        result[parent.id].append(place)
    Place.objects.bulk_update(created, ["path", "depth"], batch_size=500)
    return result


def build_subdistrict(
    *,
    name: str,
    subdistrict_kind: str,
    communities: dict[str, list[EstateSpec]],
    companies: list[CompanySpec],
    start: datetime.date,
    names=None,
    parent: Place | None = None,
) -> Built:
    """Create a subdistrict as specified; returns what was built, by name. ``names`` is an
    iterator of person names (shared between several builds so nobody is invented twice)."""
    names = names or person_names()
    if parent is None:
        sub = Place.objects.create(kind=PlaceKind.SUBDISTRICT, name=name, subdistrict_kind=subdistrict_kind)
        sub.path = f"/{sub.id}/"
        sub.save(update_fields=["path"])
    else:
        sub = _places(parent, PlaceKind.SUBDISTRICT, [{"name": name, "subdistrict_kind": subdistrict_kind}])[0]
    built = Built(subdistrict=sub)
    community_places = _places(sub, PlaceKind.COMMUNITY, [{"name": community} for community in communities])
    built.communities = {place.name: place for place in community_places}
    estates_of = _places_under(
        community_places,
        PlaceKind.ESTATE,
        {c.id: [{"name": s.name, "estate_kind": s.kind} for s in communities[c.name]] for c in community_places},
    )
    specs = {spec.name: spec for specs in communities.values() for spec in specs}
    estate_list = [estate for c in community_places for estate in estates_of[c.id]]
    built.estates = {estate.name: estate for estate in estate_list}
    community_of = {estate.name: c for c in community_places for estate in estates_of[c.id]}
    buildings_of = _places_under(
        estate_list,
        PlaceKind.BUILDING,
        {e.id: [{"name": f"{n}号楼"} for n in range(1, specs[e.name].buildings + 1)] for e in estate_list},
    )
    flats = []
    for estate in estate_list:
        spec = specs[estate.name]
        built.buildings[estate.name] = buildings_of[estate.id]
        for building in buildings_of[estate.id]:
            for n in range(spec.flats_per_building):
                floor, unit = n // 2 + 1, n % 2 + 1
                area = 80 + (floor * 7 + unit * 13) % 60
                flats.append(Flat(building=building, estate=estate, number=f"{floor}0{unit}", area_m2=area))
    flats = Flat.objects.bulk_create(flats, batch_size=1000)
    for flat in flats:
        built.flats.setdefault(flat.estate.name, []).append(flat)
    built.free_flats = {key: list(value) for key, value in built.flats.items()}

    # Organizations: community party committee and residents' committee; branches; committees; companies.
    orgs: list[Organization] = []
    for community in community_places:
        orgs.append(Organization(kind=OrgKind.PARTY_COMMITTEE, name=f"{community.name}党委", place=community))
        orgs.append(Organization(kind=OrgKind.RESIDENTS_COMMITTEE, name=f"{community.name}居委会", place=community))
    orgs.append(Organization(kind=OrgKind.PARTY_WORKING_COMMITTEE, name=f"{name}党工委", place=sub))
    for estate in estate_list:
        spec = specs[estate.name]
        if spec.branch:
            orgs.append(
                Organization(
                    kind=OrgKind.PARTY_BRANCH, name=f"{estate.name}党支部", place=estate, branch_type="regular"
                )
            )
        if spec.committee_size:
            orgs.append(
                Organization(
                    kind=OrgKind.OWNERS_COMMITTEE,
                    name=f"{estate.name}业主委员会",
                    place=estate,
                    founded_on=spec.committee_founded_on,
                )
            )
    for company in companies:
        orgs.append(
            Organization(
                kind=OrgKind.PROPERTY_COMPANY,
                name=company.name,
                place=sub,
                has_party_org=company.has_party_org,
                ownership=company.ownership,
            )
        )
    orgs = Organization.objects.bulk_create(orgs)
    for org in orgs:
        if org.kind == OrgKind.PARTY_COMMITTEE:
            built.party_committees[org.place.name] = org
        elif org.kind == OrgKind.RESIDENTS_COMMITTEE:
            built.residents_committees[org.place.name] = org
        elif org.kind == OrgKind.PARTY_BRANCH:
            built.branches[org.place.name] = org
        elif org.kind == OrgKind.OWNERS_COMMITTEE:
            built.committees[org.place.name] = org
        elif org.kind == OrgKind.PROPERTY_COMPANY:
            built.companies[org.name] = org
    covered = []
    for estate in estate_list:
        spec = specs[estate.name]
        if spec.branch:
            covered.append((built.branches[estate.name], estate))
        elif spec.joint_with:
            branch = built.branches[spec.joint_with]
            built.branches[estate.name] = branch
            covered.append((branch, estate))
    through = Organization.covered_places.through
    through.objects.bulk_create([through(organization_id=org.id, place_id=estate.id) for org, estate in covered])
    ServiceContract.objects.bulk_create(
        [
            ServiceContract(
                company=built.companies[specs[e.name].company],
                estate=e,
                starts_on=specs[e.name].contract_starts_on or start,
            )
            for e in estate_list
            if specs[e.name].company
        ]
    )

    # People and their posts.
    people: list[Person] = []
    posts: list[tuple[Person, dict]] = []
    owners: list[tuple[Person, Flat]] = []
    check_ins: list[tuple[Person, Place]] = []

    def new_person(party: bool, estate_name: str | None = None) -> Person:
        person = Person(name=next(names), is_party_member=party)
        people.append(person)
        if estate_name and built.free_flats.get(estate_name):
            owners.append((person, built.free_flats[estate_name].pop()))
        return person

    def appoint(person: Person, post: str, **where) -> None:
        posts.append((person, {"post": post, "starts_on": start, **where}))

    grids: list[tuple[Grid, Place]] = []
    for estate in estate_list:
        spec = specs[estate.name]
        community = community_of[estate.name]
        secretary = None
        if spec.branch:
            branch = built.branches[estate.name]
            secretary = new_person(True, estate.name)
            appoint(secretary, "branch_secretary", organization=branch)
            built.secretaries[estate.name] = secretary
            for _ in range(2):
                appoint(new_person(True, estate.name), "branch_member", organization=branch)
        if spec.committee_size:
            committee = built.committees[estate.name]
            when = {"starts_on": spec.committee_founded_on or start}
            party_left = spec.committee_party
            if spec.dual_chair and secretary is not None:
                chair = secretary
            else:
                chair = new_person(party_left > 0, estate.name)
            party_left -= chair.is_party_member
            posts.append((chair, {"post": "committee_chair", "organization": committee, **when}))
            built.chairs[estate.name] = chair
            for n in range(spec.committee_size - 1):
                member = new_person(party_left > 0, estate.name)
                party_left -= member.is_party_member
                post = "committee_vice_chair" if n == 0 else "committee_member"
                posts.append((member, {"post": post, "organization": committee, **when}))
                if n == 1 and spec.community_member_on_committee:
                    appoint(member, "community_worker", organization=built.residents_committees[community.name])
        for _ in range(spec.supervisors):
            appoint(new_person(True, estate.name), "supervisor", place=estate)
        for _ in range(spec.check_ins):
            check_ins.append((new_person(True, estate.name), estate))
        if spec.grid_party_members:
            estate_buildings = built.buildings[estate.name]
            estate_grids = []
            for index in range(0, len(estate_buildings), 2):
                grid = Grid(community=community, name=f"{estate.name}第{index // 2 + 1}网格")
                estate_grids.append((grid, estate_buildings[index : index + 2]))
            grids.extend(estate_grids)
            for n in range(spec.grid_party_members):
                grid, _pair = estate_grids[n % len(estate_grids)]
                posts.append((new_person(True, estate.name), {"post": "grid_worker", "starts_on": start, "grid": grid}))
        if spec.company:
            company = built.companies[spec.company]
            appoint(new_person(False), "company_steward", organization=company)

    for company in built.companies.values():
        appoint(new_person(company.has_party_org), "company_manager", organization=company)

    Person.objects.bulk_create(people, batch_size=1000)
    created_grids = Grid.objects.bulk_create([grid for grid, _buildings in grids])
    grid_buildings = Grid.buildings.through
    grid_buildings.objects.bulk_create(
        [
            grid_buildings(grid_id=grid.id, place_id=building.id)
            for grid, (_g, buildings) in zip(created_grids, grids, strict=True)
            for building in buildings
        ]
    )
    Appointment.objects.bulk_create([Appointment(person=person, **where) for person, where in posts], batch_size=1000)
    Ownership.objects.bulk_create([Ownership(person=person, flat=flat, starts_on=start) for person, flat in owners])
    PartyCheckIn.objects.bulk_create(
        [PartyCheckIn(person=person, estate=estate, checked_in_on=start, workplace="") for person, estate in check_ins]
    )
    return built
