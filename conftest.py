import pytest

from gongzhi.testing import PASSWORD, PERSONAS, build_world


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def client_for(client, world):
    """Log the test client in as a persona: ``client_for("steward")``; ``None`` stays anonymous."""

    def login(persona):
        client.logout()
        if persona is not None:
            assert client.login(username=persona, password=PASSWORD)
        return client

    return login


@pytest.fixture
def personas():
    return PERSONAS + (None,)
