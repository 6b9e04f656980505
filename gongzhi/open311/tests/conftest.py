import pytest

from gongzhi.open311 import services


@pytest.fixture
def partner_key(world):
    """A key for the community of 檀悦小区 and 鸿盛名邸, issued by the subdistrict administrator."""
    key, secret = services.api_key_issue(
        acting_user=world.users["subdistrict_admin"], name="12345 热线平台", place=world.community
    )
    key.secret = secret
    return key


@pytest.fixture
def categories(db):
    """The default categories from the data migration. Transactional tests (a live server) start
    from an emptied database after another such test, so they put them back the same way."""
    import importlib

    from django.apps import apps

    importlib.import_module("gongzhi.cases.migrations.0002_default_categories").add(apps, None)
