import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from gongzhi.accounts.models import Ownership, Person
from gongzhi.core.errors import DomainError
from gongzhi.core.models import AuditEntry
from gongzhi.places import services
from gongzhi.places.excel import HEADERS, template_workbook
from gongzhi.places.models import Flat, Place

GOOD = [
    ["阳光社区", "檀悦小区", "3号楼", "101", 95.5, "登记面积", "已交付", "赵一", "13911110001", ""],
    ["阳光社区", "檀悦小区", "3号楼", "101", 95.5, "登记面积", "已交付", "赵二", "13911110002", ""],
    ["阳光社区", "檀悦小区", "3号楼", "102", "88", "测绘面积", "已售未交付", "赵一", "13911110001", ""],
    ["阳光社区", "新城花园", "1幢", "0101", 70.25, "", "", "", "", ""],
    ["阳光社区", "新城花园", "1幢", "0102", 70.25, "合同面积", "未售", "钱三", "", ""],
]


def snapshot():
    return (
        Place.objects.count(),
        Flat.objects.count(),
        Person.objects.count(),
        Ownership.objects.count(),
    )


def run(world, book, persona="community_worker", apply=True):
    return services.flats_import(workbook=book, acting_user=world.users[persona], apply=apply)


def test_import_creates_estates_buildings_flats_and_joint_owners(world, workbook):
    before = snapshot()
    report = run(world, workbook(GOOD))
    assert report.ok and report.applied
    assert report.estates_created == 1  # 新城花园; 檀悦小区 exists
    assert report.buildings_created == 2  # 3号楼 and 1幢
    assert report.flats_created == 4
    assert report.persons_created == 3  # 赵一 owns two flats, 赵二 jointly, 钱三
    assert report.ownerships_created == 4
    assert snapshot() == (before[0] + 3, before[1] + 4, before[2] + 3, before[3] + 4)
    flat = Flat.objects.get(building__name="3号楼", number="101")
    assert flat.estate == world.estate
    assert sorted(flat.ownerships.values_list("person__name", flat=True)) == ["赵一", "赵二"]
    zhao = Person.objects.get(name="赵一")
    assert zhao.ownerships.count() == 2
    new_estate = Place.objects.get(name="新城花园")
    assert new_estate.parent == world.community and new_estate.path == f"{world.community.path}{new_estate.id}/"
    building = Place.objects.get(name="1幢")
    assert building.path.startswith(new_estate.path) and building.depth == new_estate.depth + 1
    assert Flat.objects.get(number="0101").area_m2 == Decimal("70.25")
    assert Flat.objects.get(number="0102").delivery_status == "unsold"
    assert AuditEntry.objects.filter(action="places.import", actor=world.users["community_worker"]).count() == 1


def test_reimporting_the_same_file_changes_nothing(world, workbook):
    run(world, workbook(GOOD))
    before = snapshot()
    report = run(world, workbook(GOOD))
    assert report.ok
    assert report.changes == 0
    assert report.flats_unchanged == 4
    assert report.ownerships_unchanged == 4
    assert snapshot() == before


def test_check_only_writes_nothing(world, workbook):
    before = snapshot()
    report = run(world, workbook(GOOD), apply=False)
    assert report.ok and not report.applied
    assert report.flats_created == 4 and report.estates_created == 1
    assert snapshot() == before
    assert not AuditEntry.objects.filter(action="places.import").exists()


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (["无名社区", "檀悦小区", "1号楼", "901", 80, "", "", "", "", ""], "未知的社区“无名社区”"),
        (["梅岭社区", "梅岭新村", "1号楼", "901", 80, "", "", "", "", ""], "无权向社区“梅岭社区”导入"),
        (["阳光社区", "檀悦小区", "1号楼", "901", 0, "", "", "", "", ""], "专有部分面积必须是正数"),
        (["阳光社区", "檀悦小区", "1号楼", "901", -3, "", "", "", "", ""], "专有部分面积必须是正数"),
        (["阳光社区", "檀悦小区", "1号楼", "901", "九十", "", "", "", "", ""], "专有部分面积必须是正数"),
        (["阳光社区", "檀悦小区", "1号楼", "901", "", "", "", "", "", ""], "专有部分面积不能为空"),
        (["阳光社区", "檀悦小区", "1号楼", "901", 80, "", "", "张三", "1234", ""], "手机号“1234”格式不正确"),
        (["阳光社区", "檀悦小区", "1号楼", "901", 80, "", "已入住", "", "", ""], "未知的交付状态“已入住”"),
        (["阳光社区", "檀悦小区", "1号楼", "901", 80, "估算", "", "", "", ""], "未知的面积来源“估算”"),
        (["阳光社区", "檀悦小区", "1号楼", "901", 80, "", "", "张三", "", "110101199003070000"], "身份证号"),
        (["阳光社区", "檀悦小区", "1号楼", "901", 80, "", "", "", "13911110009", ""], "缺少业主姓名"),
        (["阳光社区", "", "1号楼", "901", 80, "", "", "", "", ""], "小区不能为空"),
        # 1号楼 101 of 檀悦小区 exists with 88.50 m².
        (["阳光社区", "檀悦小区", "1号楼", "101", 90, "", "", "", "", ""], "系统中已有该房屋，数据不同"),
    ],
)
def test_a_bad_row_refuses_the_whole_file_with_its_line(world, workbook, row, reason):
    before = snapshot()
    report = run(world, workbook([GOOD[0], row]))
    assert not report.ok and not report.applied
    assert len(report.errors) == 1
    assert report.errors[0].startswith("第3行：")
    assert reason in report.errors[0]
    assert snapshot() == before
    assert not AuditEntry.objects.filter(action="places.import").exists()


def test_duplicates_within_the_file_are_reported_with_the_earlier_line(world, workbook):
    rows = [GOOD[0], GOOD[0], [*GOOD[0][:4], 99, *GOOD[0][5:]]]
    report = run(world, workbook(rows))
    assert report.errors == [
        "第3行：与第2行重复",
        "第4行：与第2行是同一房屋，但面积、面积来源或交付状态不一致",
    ]
    assert not Flat.objects.filter(building__name="3号楼").exists()


def test_every_bad_row_is_reported_in_order(world, workbook):
    rows = [
        ["阳光社区", "檀悦小区", "1号楼", "901", -1, "", "", "", "", ""],
        GOOD[0],
        ["火星社区", "檀悦小区", "1号楼", "902", 80, "", "", "", "", ""],
    ]
    report = run(world, workbook(rows))
    assert [e.split("：", 1)[0] for e in report.errors] == ["第2行", "第4行"]


def test_existing_owner_is_recognised_by_phone_and_name(world, workbook):
    resident = world.person("resident")
    flat = world.flats[0]
    row = [
        "阳光社区",
        "檀悦小区",
        flat.building.name,
        flat.number,
        88.5,
        "登记面积",
        "已交付",
        resident.name,
        resident.phone,
        "",
    ]
    before = snapshot()
    report = run(world, workbook([row]))
    assert report.ok and report.changes == 0 and report.ownerships_unchanged == 1
    assert snapshot() == before


def test_missing_required_column_is_refused(world, workbook):
    headers = [h for h in HEADERS if h != "专有部分面积"]
    with pytest.raises(DomainError, match="缺少列：专有部分面积"):
        run(world, workbook([["阳光社区", "檀悦小区", "1号楼", "901"]], headers=headers))


def test_a_file_that_is_not_a_workbook_is_refused(world):
    with pytest.raises(DomainError, match="xlsx"):
        run(world, io.BytesIO(b"not a workbook"))


def test_template_has_the_chinese_headers_and_imports_cleanly(world):
    book = load_workbook(io.BytesIO(template_workbook()))
    sheet = book["房屋"]
    assert [c.value for c in sheet[1]] == HEADERS
    report = run(world, io.BytesIO(template_workbook()))
    assert report.ok, report.errors


def test_round_trip_generate_import_export_reimport(world, client_for, workbook):
    """Generate a workbook → import it → export the community → import the export: nothing
    changes, and the export holds every row that was imported."""
    client = client_for("community_worker")
    rows = [
        [
            "阳光社区",
            "往返小区",
            f"{b}号楼",
            f"{f}0{u}",
            60 + f + u / 4,
            "测绘面积",
            "已交付",
            f"业主{b}{f}{u}",
            f"1370000{b}{f}{u:02d}",
            "",
        ]
        for b in range(1, 3)
        for f in range(1, 4)
        for u in range(1, 3)
    ]
    rows.append(
        ["阳光社区", "往返小区", "1号楼", "101", 61.25, "测绘面积", "已交付", "共有人", "", "11010519491231002X"]
    )
    rows.append(["阳光社区", "往返小区", "2号楼", "401", 90, "合同面积", "未售", "", "", ""])
    response = client.post(reverse("places:import"), {"workbook": workbook(rows), "action": "apply"})
    assert response.status_code == 200
    estate = Place.objects.get(name="往返小区")
    assert Flat.objects.filter(estate=estate).count() == 13
    assert Ownership.objects.filter(flat__estate=estate).count() == 13

    exported = client.get(reverse("places:export"), {"place": estate.id})
    sheet = load_workbook(io.BytesIO(exported.content))["房屋"]
    exported_rows = list(sheet.iter_rows(values_only=True))
    assert list(exported_rows[0]) == HEADERS
    assert len(exported_rows) == 1 + 14  # 12 single owners, one flat with two owners, one unsold
    assert (
        "阳光社区",
        "往返小区",
        "1号楼",
        "101",
        61.25,
        "测绘面积",
        "已交付",
        "共有人",
        None,
        "11010519491231002X",
    ) in exported_rows

    before = snapshot()
    report = services.flats_import(
        workbook=io.BytesIO(exported.content), acting_user=world.users["community_worker"], apply=True
    )
    assert report.ok, report.errors
    assert report.changes == 0 and report.flats_unchanged == 13 and report.ownerships_unchanged == 13
    assert snapshot() == before


def test_export_masks_personal_data_for_a_post_that_may_not_reveal(world):
    from gongzhi.accounts import access
    from gongzhi.places.excel import export_workbook
    from gongzhi.places.selectors import flats_for_export

    secretary = world.users["branch_secretary"]  # may not reveal
    data, count = export_workbook(
        flats=flats_for_export(world.users["community_worker"]),
        reveal=lambda flat: access.can(secretary, "reveal_personal_data", flat.estate),
    )
    rows = list(load_workbook(io.BytesIO(data))["房屋"].iter_rows(values_only=True))
    assert {r[8] for r in rows if r[7] == "王小明"} == {"138****1111"}


def test_import_uses_the_same_number_of_queries_for_any_number_of_rows(world, workbook):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def rows(estate, n):
        return [
            ["阳光社区", estate, f"{i % 3 + 1}号楼", f"{i}", 50 + i, "", "", f"人{estate}{i}", f"1360000{i:04d}", ""]
            for i in range(1, n + 1)
        ]

    from gongzhi.accounts import access

    access.grants(world.users["community_worker"])  # the user's posts are read once per request
    counts = []
    for estate, n in (("少行小区", 5), ("多行小区", 60)):
        with CaptureQueriesContext(connection) as queries:
            report = run(world, workbook(rows(estate, n)))
        assert report.ok and report.flats_created == n
        counts.append(len(queries))
    assert counts[0] == counts[1]


def _trimmed(rows):
    result = [list(r) for r in rows]
    for row in result:
        while row and row[-1] is None:
            row.pop()
    while result and not result[-1]:
        result.pop()
    return result


def test_fast_reader_reads_what_openpyxl_reads(world, workbook):
    from openpyxl import Workbook

    from gongzhi.places.excel import _read_rows_openpyxl
    from gongzhi.places.xlsx_fast import read_rows

    book = Workbook()
    sheet = book.active
    sheet.title = "说明"
    other = book.create_sheet("房屋")
    other.append(HEADERS)
    other.append(["阳光社区", "檀悦小区", "1号楼", 101, 88.5, None, True, "王 小明", 13800001111, "=1+1"])
    other["B5"] = "隔了空行"
    other["L3"] = 1e-7
    mixed = io.BytesIO()
    book.save(mixed)
    samples = [template_workbook(), workbook(GOOD).getvalue(), mixed.getvalue()]
    for data in samples:
        assert _trimmed(read_rows(io.BytesIO(data))) == _trimmed(_read_rows_openpyxl(io.BytesIO(data)))
