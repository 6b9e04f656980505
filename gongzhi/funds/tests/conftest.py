import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from gongzhi.accounts import services as people
from gongzhi.funds import services
from gongzhi.orgs import services as orgs
from gongzhi.testing import PASSWORD


@pytest.fixture(autouse=True)
def _media_in_a_temporary_folder(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _default_language():
    translation.activate("zh-hans")
    yield
    translation.activate("zh-hans")


@pytest.fixture
def photo():
    def make(name="done.jpg"):
        buffer = io.BytesIO()
        Image.new("RGB", (40, 30), (30, 160, 60)).save(buffer, format="JPEG")
        return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")

    return make


@pytest.fixture
def fund(world):
    return services.fund_create(
        place=world.subdistrict, name="美好家园基金", acting_user=world.users["subdistrict_admin"]
    )


@pytest.fixture
def admin(world):
    return world.users["subdistrict_admin"]


@pytest.fixture
def partner_contact(world):
    """A partner unit (the power company) and its contact, who lives nowhere in the world."""
    from gongzhi.accounts.models import Person

    unit = orgs.organization_create(kind="partner_unit", name="晋江供电公司", place=world.subdistrict)
    person = Person.objects.create(name="郑联络", phone="13900001234")
    user = people.user_create_for_person(person=person, username="partner", password=PASSWORD)
    people.appointment_create(
        person=person, post="partner_contact", organization=unit, starts_on=datetime.date(2024, 1, 1)
    )
    return unit, user


@pytest.fixture
def approved_wish(world):
    def make(title="一副老花镜", poster="resident"):
        wish = services.micro_wish_post(estate=world.estate, title=title, acting_user=world.users[poster])
        return services.micro_wish_review(wish=wish, approve=True, acting_user=world.users["community_worker"])

    return make
