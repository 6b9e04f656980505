def test_staff_menu_is_grouped_into_a_few_menus(client_for, world):
    html = client_for("community_worker").get("/").content.decode()
    bar = html.split('id="main-nav"', 1)[1].split("/i18n/setlang/", 1)[0]
    for group in ("诉求", "议事", "管理", "看板"):
        assert f">{group}</a>" in bar
    # Every page the post opens is still one click away inside its menu.
    assert 'href="/cases/queue/"' in html and 'href="/places/"' in html and 'href="/dashboard/"' in html


def test_resident_menu_has_no_staff_entries(client_for, world):
    html = client_for("resident").get("/").content.decode()
    assert 'href="/cases/queue/"' not in html
    assert 'href="/places/"' not in html
    assert 'href="/cases/"' in html  # my cases


def test_menu_groups_read_in_english(client_for, world):
    client = client_for("community_worker")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/").content.decode()
    bar = html.split('id="main-nav"', 1)[1].split("/i18n/setlang/", 1)[0]
    for group in ("Cases", "Deliberation", "Administration", "Dashboards"):
        assert f">{group}</a>" in bar
