"""A workbook exported with masked phones and ID numbers imports back as it is (a masked value
that is the masked form of what is registered means "unchanged"); a masked value that is not is
refused with its line; a recognised owner is updated from the file where it brings a real new
value, and the update is audited without the values."""

import io

import pytest
from openpyxl import load_workbook

from gongzhi.accounts.models import Ownership, Person
from gongzhi.core.models import AuditEntry
from gongzhi.places import services
from gongzhi.places.excel import export_workbook
from gongzhi.places.models import Flat, Place
from gongzhi.places.selectors import flats_for_export

pytestmark = pytest.mark.django_db

ROWS = [
    ["阳光社区", "檀悦小区", "3号楼", "101", 95.5, "登记面积", "已交付", "赵一", "13911110001", "11010519491231002X"],
    ["阳光社区", "檀悦小区", "3号楼", "101", 95.5, "登记面积", "已交付", "赵二", "13911110002", ""],
    ["阳光社区", "檀悦小区", "3号楼", "102", 88, "测绘面积", "已售未交付", "赵一", "13911110001", ""],
    ["阳光社区", "檀悦小区", "3号楼", "103", 70.25, "合同面积", "未售", "", "", ""],
    ["阳光社区", "檀悦小区", "3号楼", "104", 70.25, "", "", "钱三", "", ""],
]


def snapshot():
    return (
        Place.objects.count(),
        Flat.objects.count(),
        list(Person.objects.order_by("id").values_list("id", "name", "phone", "id_number")),
        Ownership.objects.count(),
    )


def run(world, book, apply=True):
    return services.flats_import(workbook=book, acting_user=world.users["community_worker"], apply=apply)


def masked_export(world) -> bytes:
    data, _count = export_workbook(flats=flats_for_export(world.users["community_worker"]), reveal=lambda flat: False)
    return data


def rows_of(data: bytes) -> list[list]:
    return [list(r) for r in load_workbook(io.BytesIO(data))["房屋"].iter_rows(values_only=True)]


def as_workbook(rows: list[list]) -> io.BytesIO:
    from gongzhi.places.tests.conftest import build_workbook

    return build_workbook(rows[1:], headers=rows[0])


def test_a_masked_export_imports_back_and_changes_nothing(world, workbook):
    assert run(world, workbook(ROWS)).ok
    data = masked_export(world)
    exported = rows_of(data)
    zhao = next(r for r in exported if r[7] == "赵一")
    assert zhao[8] == "139****0001" and zhao[9] == "1101**********002X"
    assert "王小明" in {r[7] for r in exported} and "138****1111" in {r[8] for r in exported}
    before = snapshot()
    report = run(world, io.BytesIO(data))
    assert report.ok, report.errors
    assert report.changes == 0 and report.persons_updated == 0
    assert report.ownerships_unchanged == sum(1 for r in exported[1:] if r[7])
    assert snapshot() == before
    assert not AuditEntry.objects.filter(action="person.update").exists()


def test_a_full_export_imports_back_and_changes_nothing(world, workbook):
    assert run(world, workbook(ROWS)).ok
    data, _count = export_workbook(flats=flats_for_export(world.users["community_worker"]), reveal=lambda flat: True)
    before = snapshot()
    report = run(world, io.BytesIO(data))
    assert report.ok, report.errors
    assert report.changes == 0 and snapshot() == before


def test_a_masked_value_that_does_not_match_is_refused_with_its_line(world, workbook):
    assert run(world, workbook(ROWS)).ok
    exported = rows_of(masked_export(world))
    line = next(n for n, r in enumerate(exported, start=1) if r[7] == "赵二")
    exported[line - 1][8] = "139****9999"
    id_line = next(n for n, r in enumerate(exported, start=1) if r[9] == "1101**********002X")
    exported[id_line - 1][9] = "1101**********0011"
    before = snapshot()
    report = run(world, as_workbook(exported))
    assert not report.ok and not report.applied
    assert f"第{line}行：手机号“139****9999”是打码的，与系统中该业主登记的手机号不符，请填写完整手机号" in report.errors
    assert any(e.startswith(f"第{id_line}行：身份证号“1101**********0011”是打码的") for e in report.errors)
    assert snapshot() == before


def test_a_masked_value_for_someone_not_registered_is_refused(world, workbook):
    row = ["阳光社区", "檀悦小区", "5号楼", "501", 90, "", "", "孙五", "139****0005", ""]
    before = snapshot()
    report = run(world, workbook([row]))
    assert report.errors == [
        "第2行：手机号或身份证号是打码的（如“139****0005”），系统中没有与之对应的业主“孙五”，请填写完整号码"
    ]
    assert snapshot() == before
    # A malformed mask is a malformed phone number, as before.
    report = run(world, workbook([[*row[:8], "139***0005", ""]]))
    assert report.errors == ["第2行：手机号“139***0005”格式不正确：应为11位中国大陆手机号"]


def test_a_recognised_owner_is_updated_from_the_file_and_audited(world, workbook):
    assert run(world, workbook(ROWS)).ok
    zhao_yi = Person.objects.get(name="赵一")
    qian = Person.objects.get(name="钱三")
    exported = rows_of(masked_export(world))
    for row in exported[1:]:
        if row[7] == "赵一":  # recognised by the ID number: a new name and a new phone number
            row[7:10] = ["赵壹", "13922220001", "11010519491231002X"]
        if row[7] == "钱三":  # recognised as the owner of the flat: no phone registered yet
            row[8] = "13922220003"
    persons_before, ownerships_before = Person.objects.count(), Ownership.objects.count()
    report = run(world, as_workbook(exported))
    assert report.ok, report.errors
    assert report.persons_updated == 2 and report.persons_created == 0 and report.ownerships_created == 0
    assert (Person.objects.count(), Ownership.objects.count()) == (persons_before, ownerships_before)
    zhao_yi.refresh_from_db()
    qian.refresh_from_db()
    assert (zhao_yi.name, zhao_yi.phone, zhao_yi.id_number) == ("赵壹", "13922220001", "11010519491231002X")
    assert qian.phone == "13922220003"
    audits = AuditEntry.objects.filter(action="person.update", actor=world.users["community_worker"])
    assert {a.target: a.detail["fields"] for a in audits} == {
        f"person:{zhao_yi.id}": ["name", "phone"],
        f"person:{qian.id}": ["phone"],
    }
    assert not any("1392222" in str(a.detail) for a in audits)  # which fields, never the values
    # Imported again, the same file changes nothing.
    before = snapshot()
    again = run(world, as_workbook(exported))
    assert again.ok and again.changes == 0 and snapshot() == before


def test_two_rows_giving_one_owner_different_new_phones_are_refused(world, workbook):
    assert run(world, workbook(ROWS)).ok
    rows = [
        ["阳光社区", "檀悦小区", "3号楼", "101", 95.5, "登记面积", "已交付", "赵二", "13933330001", ""],
        ["阳光社区", "檀悦小区", "3号楼", "101", 95.5, "登记面积", "已交付", "赵二", "13933330002", ""],
    ]
    before = snapshot()
    report = run(world, workbook(rows))
    assert report.errors == ["第3行：与第2行是同一人，但手机号不同"]
    assert snapshot() == before


def test_an_import_with_a_masked_value_through_the_page(world, client_for, workbook):
    from django.urls import reverse

    assert run(world, workbook(ROWS)).ok
    exported = rows_of(masked_export(world))
    line = next(n for n, r in enumerate(exported, start=1) if r[7] == "赵二")
    exported[line - 1][8] = "139****9998"
    before = snapshot()
    page = client_for("community_worker").post(
        reverse("places:import"), {"workbook": as_workbook(exported), "action": "apply"}
    )
    assert f"第{line}行：手机号“139****9998”是打码的" in page.content.decode()
    assert snapshot() == before


def test_a_person_registered_elsewhere_is_not_changed_by_this_import(world, workbook):
    """An ID number registered for someone of another community links the flat to them, but a
    different name is refused as before, and their phone is left alone."""
    from gongzhi.accounts import services as people

    outsider = people.person_create(
        name="周六", phone="13955550006", id_number="11010519491231002X", registered_at=world.other_community
    )
    row = ["阳光社区", "檀悦小区", "5号楼", "501", 90, "", "", "周陆", "13955550009", "11010519491231002X"]
    before = snapshot()
    report = run(world, workbook([row]))
    assert report.errors == ["第2行：身份证号已登记为“周六”，与业主姓名“周陆”不一致"]
    assert snapshot() == before
    report = run(world, workbook([[*row[:7], "周六", *row[8:]]]))
    assert report.ok and report.persons_updated == 0 and report.ownerships_created == 1
    outsider.refresh_from_db()
    assert outsider.phone == "13955550006"
