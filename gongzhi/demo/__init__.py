"""The demo: two invented places shaped like the reports (see ``gongzhi.demo.seeds``) and one login
per persona, loaded by ``manage.py demo_load`` (``make demo``).

Adding demo data for your app
-----------------------------
Define ``gongzhi/<app>/demo.py`` with a function ``load(context)``. After the base demo is in place,
``demo_load`` imports that module of every installed ``gongzhi.*`` app (in INSTALLED_APPS order) and
calls ``load`` with a ``DemoContext``, inside the same transaction::

    # gongzhi/meetings/demo.py
    def load(context):
        estate = context.estate("檀樾府")
        if MeetingSeries.objects.filter(estate=estate).exists():
            return  # already loaded: demo_load runs on every `make demo`
        meeting_series_create(estate=estate, ..., acting_user=context.users["branch_secretary"])

``load`` is called on every run of ``demo_load``, including on a database where the demo already
exists (``context.created`` is then False), so it must check for its own data first and create
nothing twice. Use the services (or ``bulk_create`` for many rows) and ``context.today`` for dates,
so the demo looks current whenever it is loaded.
"""

import datetime
from dataclasses import dataclass, field
from importlib import import_module

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from gongzhi.demo import seeds
from gongzhi.demo.builder import Built, build_subdistrict, person_names

DEMO_PASSWORD = "gongzhi-demo"  # noqa: S105 - printed for the demo logins; not for real deployments

# Persona → what they are in the demo, for the printed list of logins.
PERSONAS = {
    "resident": "檀樾府业主",
    "other_resident": "尊湖苑业主（另一小区）",
    "building_head": "檀樾府1号楼楼栋长（党员）",
    "supervisor": "檀樾府义务监督员",
    "steward": "檀樾府物业管家",
    "committee_chair": "檀樾府业委会主任",
    "branch_secretary": "檀樾府党支部书记",
    "community_worker": "东岚社区社区工作者",
    "subdistrict_admin": "东岚镇、青禾街道管理员",
}


@dataclass
class DemoContext:
    """What a demo hook gets. ``built`` (name → what the builder made) is filled only on the run
    that created the base demo; ``estate``/``subdistrict`` look places up on any run."""

    today: datetime.date
    created: bool
    password: str
    users: dict = field(default_factory=dict)  # persona → User
    built: dict[str, Built] = field(default_factory=dict)

    def subdistrict(self, name: str):
        from gongzhi.places.models import Place

        return Place.objects.get(kind="subdistrict", name=name, parent=None)

    def estate(self, name: str):
        from gongzhi.places.models import Place

        return Place.objects.get(kind="estate", name=name)


def is_loaded() -> bool:
    from gongzhi.places.models import Place

    return Place.objects.filter(kind="subdistrict", name=seeds.TOWN, parent=None).exists()


def _personas(town: Built, street: Built) -> dict:
    """One user per persona, living and working in the demo town (one password hash for all)."""
    from gongzhi.accounts.models import Appointment, Ownership, Person, User
    from gongzhi.orgs.models import ServiceContract

    start = seeds.START
    password = make_password(DEMO_PASSWORD)
    names = iter(["王晓明", "李梅", "陈建国", "林秋菊", "张海燕", "周振华"])
    flagship = seeds.FLAGSHIP
    people = {
        "resident": Person(name=next(names), phone="13800001111"),
        "other_resident": Person(name=next(names), phone="13800002222"),
        "building_head": Person(name=next(names), phone="13800003333", is_party_member=True),
        "supervisor": Person(name=next(names), phone="13800004444", is_party_member=True),
        "steward": Person(name=next(names), phone="13800005555"),
        "community_worker": Person(name=next(names), phone="13800008888", is_party_member=True),
        "subdistrict_admin": Person(name="吴立新", phone="13800009999", is_party_member=True),
    }
    Person.objects.bulk_create(people.values())
    # The flagship's committee chair and branch secretary were made by the builder.
    people["committee_chair"] = town.chairs[flagship]
    people["branch_secretary"] = town.secretaries[flagship]
    users = User.objects.bulk_create(
        [User(username=persona, password=password, first_name=people[persona].name) for persona in PERSONAS]
    )
    by_persona = {user.username: user for user in users}
    for persona, person in people.items():
        person.user = by_persona[persona]
    Person.objects.bulk_update(people.values(), ["user"])

    flats = town.free_flats
    Ownership.objects.bulk_create(
        [
            Ownership(person=people["resident"], flat=flats[flagship].pop(), starts_on=start),
            Ownership(person=people["other_resident"], flat=flats[seeds.OTHER_ESTATE].pop(), starts_on=start),
            Ownership(person=people["building_head"], flat=flats[flagship].pop(), starts_on=start),
            Ownership(person=people["supervisor"], flat=flats[flagship].pop(), starts_on=start),
        ]
    )
    company = ServiceContract.objects.get(estate=town.estates[flagship]).company
    community = town.estates[flagship].parent.name
    Appointment.objects.bulk_create(
        [
            Appointment(
                person=people["building_head"], post="building_head", place=town.buildings[flagship][0], starts_on=start
            ),
            Appointment(person=people["supervisor"], post="supervisor", place=town.estates[flagship], starts_on=start),
            Appointment(person=people["steward"], post="company_steward", organization=company, starts_on=start),
            Appointment(
                person=people["community_worker"],
                post="community_worker",
                organization=town.residents_committees[community],
                starts_on=start,
            ),
            Appointment(
                person=people["subdistrict_admin"], post="subdistrict_admin", place=town.subdistrict, starts_on=start
            ),
            Appointment(
                person=people["subdistrict_admin"], post="subdistrict_admin", place=street.subdistrict, starts_on=start
            ),
        ]
    )
    return by_persona


def _part_time_members(town: Built) -> None:
    """Seed 000: 9 party members leading owners' committees serve as part-time members of their
    community's party committee."""
    from gongzhi.accounts.models import Appointment

    chosen = [
        (estate_name, chair)
        for estate_name, chair in town.chairs.items()
        if chair.is_party_member and estate_name != seeds.FLAGSHIP
    ][: seeds.TOWN_PART_TIME_MEMBERS]
    Appointment.objects.bulk_create(
        [
            Appointment(
                person=chair,
                post="part_time_member",
                organization=town.party_committees[town.estates[estate_name].parent.name],
                starts_on=seeds.START,
            )
            for estate_name, chair in chosen
        ]
    )


def load_base() -> tuple[dict, dict]:
    """The two places and the personas. Returns (built by subdistrict name, users by persona)."""
    names = person_names()
    town = build_subdistrict(
        name=seeds.TOWN,
        subdistrict_kind="town",
        communities=seeds.town_specs(),
        companies=seeds.TOWN_COMPANIES,
        start=seeds.START,
        names=names,
    )
    street = build_subdistrict(
        name=seeds.STREET,
        subdistrict_kind="street",
        communities=seeds.street_specs(),
        companies=seeds.street_companies(),
        start=seeds.START,
        names=names,
    )
    _part_time_members(town)
    users = _personas(town, street)
    return {seeds.TOWN: town, seeds.STREET: street}, users


def hook_modules() -> list:
    """``gongzhi.<app>.demo`` of every installed app that has one, in INSTALLED_APPS order."""
    modules = []
    for config in apps.get_app_configs():
        if not config.name.startswith("gongzhi."):
            continue
        name = f"{config.name}.demo"
        try:
            modules.append(import_module(name))
        except ModuleNotFoundError as error:
            if error.name != name:
                raise
    return modules


@transaction.atomic
def load() -> DemoContext:
    """Load the demo once; on later runs only the hooks run (and find their data already there)."""
    from gongzhi.accounts.models import User

    created = not is_loaded()
    context = DemoContext(today=timezone.localdate(), created=created, password=DEMO_PASSWORD)
    if created:
        context.built, context.users = load_base()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # plan the first pages for the rows just loaded in bulk
    else:
        context.users = {user.username: user for user in User.objects.filter(username__in=list(PERSONAS))}
    for module in hook_modules():
        hook = getattr(module, "load", None)
        if callable(hook):
            hook(context)
    return context
