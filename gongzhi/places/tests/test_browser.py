import pytest

from gongzhi.places.models import Flat
from gongzhi.places.tests.conftest import build_workbook

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_community_worker_imports_a_workbook_and_opens_the_dashboard(browser_login, world, tmp_path):
    rows = [
        ["阳光社区", "檀悦小区", "7号楼", f"{n}01", 80 + n, "登记面积", "已交付", f"业主{n}", f"1391111000{n}", ""]
        for n in range(1, 6)
    ]
    path = tmp_path / "房屋.xlsx"
    path.write_bytes(build_workbook(rows).getvalue())

    page = browser_login("community_worker")
    page.goto(f"{page.base}/places/import/")
    assert page.locator("h1").inner_text() == "Excel 导入房屋与业主"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.set_input_files("input[name=workbook]", str(path))
    page.click("button[value=apply]")
    page.wait_for_selector("#import-result")
    result = page.locator("#import-result").inner_text()
    assert "导入结果" in result
    assert page.locator("[data-count=flats-created]").inner_text() == "5"
    assert Flat.objects.filter(building__name="7号楼").count() == 5

    # The same file again: recognised, nothing new.
    page.set_input_files("input[name=workbook]", str(path))
    page.click("button[value=apply]")
    page.wait_for_selector("#import-result")
    assert page.locator("[data-count=flats-created]").inner_text() == "0"
    assert page.locator("[data-count=flats-unchanged]").inner_text() == "5"

    response = page.goto(f"{page.base}/dashboard/")
    assert response.status == 200
    assert "指标" in page.locator("h1").first.inner_text()
