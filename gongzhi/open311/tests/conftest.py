import pytest

from gongzhi.open311 import services


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The shared world creates a user per persona; a cheap hasher keeps these tests fast."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def partner_key(world):
    """A key for the community of 檀悦小区 and 鸿盛名邸, issued by the subdistrict administrator."""
    key, secret = services.api_key_issue(
        acting_user=world.users["subdistrict_admin"], name="12345 热线平台", place=world.community
    )
    key.secret = secret
    return key
