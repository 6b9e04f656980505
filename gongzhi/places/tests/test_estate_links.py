import pytest


@pytest.mark.parametrize(
    ("persona", "shown", "hidden"),
    [
        ("resident", ["我要报事", "诉求公示", "议事"], ["整改台账"]),
        ("community_worker", ["诉求公示", "整改台账", "议事"], []),
    ],
)
def test_estate_page_opens_the_doors_the_user_may_use(client_for, world, persona, shown, hidden):
    html = client_for(persona).get(f"/places/estates/{world.estate.id}/").content.decode()
    links = html.split('id="estate-links"', 1)[1].split("</nav>", 1)[0]
    for label in shown:
        assert label in links
    for label in hidden:
        assert label not in links


def test_every_estate_link_opens_for_a_community_worker(client_for, world):
    from gongzhi.core.navigation import estate_links_for

    client = client_for("community_worker")
    user = world.users["community_worker"]
    links = estate_links_for(user, world.estate)
    assert len(links) >= 8
    for link in links:
        assert client.get(link["url"]).status_code == 200, link
