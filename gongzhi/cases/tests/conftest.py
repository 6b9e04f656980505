import datetime

import pytest
from django.utils import timezone

from gongzhi.cases import services
from gongzhi.cases.models import Category


@pytest.fixture(autouse=True)
def _default_categories(request):
    """The categories come from a data migration; a transactional test elsewhere in the run
    flushes them, so put them back before each database test here."""
    if request.node.get_closest_marker("django_db") is None:
        if "db" not in request.fixturenames:
            return
        request.getfixturevalue("db")
    from importlib import import_module

    defaults = import_module("gongzhi.cases.migrations.0002_default_categories").CATEGORIES
    for order, (code, name, kind, days, urgent, hours) in enumerate(defaults):
        Category.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "default_org_kind": kind,
                "working_days": days,
                "urgent_working_days": urgent,
                "emergency_hours": hours,
                "order": (order + 1) * 10,
            },
        )


@pytest.fixture
def category(db):
    return Category.objects.get(code="repair")


@pytest.fixture
def report(world, category):
    """A resident's report through the service, as the phone form files it."""

    def make(persona="resident", **fields):
        values = {
            "estate": world.estate,
            "description": "3号楼电梯按钮失灵，老人上下楼不方便",
            "channel": "app",
            "category": category,
            "acting_user": world.users[persona],
        }
        values.update(fields)
        return services.case_create(**values)

    return make


@pytest.fixture
def dispatched(world, report):
    def make(**fields):
        case = report(**fields)
        return services.case_dispatch(case=case, acting_user=world.users["community_worker"], responsible=world.company)

    return make


def in_days(days: int) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=days)


def jpeg_with_gps(name="photo.jpg", size=(64, 48)):
    """A real JPEG from a phone camera, with a camera model and a GPS position in its EXIF."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    image = Image.new("RGB", size, (200, 30, 30))
    exif = image.getexif()
    exif[0x0110] = "SecretPhone 12"  # Model
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (31.0, 14.0, 5.0)
    gps[3] = "E"
    gps[4] = (121.0, 28.0, 9.0)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def other_steward(world):
    """A steward of the company serving 鸿盛名邸 and 梅岭新村."""
    from gongzhi.accounts import services as people
    from gongzhi.testing import PASSWORD, START

    person = people.person_create(name="赵管家", phone="13800005556")
    user = people.user_create_for_person(person=person, username="other_steward", password=PASSWORD)
    people.appointment_create(person=person, post="company_steward", organization=world.other_company, starts_on=START)
    return user
