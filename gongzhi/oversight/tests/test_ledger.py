import io

import pytest
from openpyxl import load_workbook

from gongzhi.cases import services as case_services
from gongzhi.cases.models import Case
from gongzhi.core.errors import DomainError
from gongzhi.oversight import services
from gongzhi.oversight.models import LedgerItem, Verification


@pytest.fixture
def finding(world, photo):
    inspection = services.inspection_start(estate=world.estate, acting_user=world.users["supervisor"])
    return services.inspection_add_finding(
        inspection=inspection,
        title="3号楼消防通道堆放杂物",
        description="电动车和纸箱堵住了通道",
        location="3号楼东侧",
        party="company",
        photos=[photo()],
        acting_user=world.users["supervisor"],
    )


def test_supervisor_finding_with_photo_becomes_an_inspection_case_and_ledger_item(world, finding):
    assert finding.source == "inspection" and finding.number == 1 and finding.found_by == "林监督"
    case = finding.case
    assert case.channel == "inspection" and case.estate == world.estate
    assert case.responsible == world.company and case.state == "dispatched"
    assert case.photos.count() == 1
    # The ledger shows the case's deadline.
    assert finding.deadline is not None and finding.evidence.filter(kind="finding").count() == 1


def test_finding_without_photo_is_refused(world):
    inspection = services.inspection_start(estate=world.estate, acting_user=world.users["supervisor"])
    with pytest.raises(DomainError, match="至少拍一张照片"):
        services.inspection_add_finding(inspection=inspection, title="路灯不亮", acting_user=world.users["supervisor"])
    assert not LedgerItem.objects.exists()


def test_finding_without_party_waits_for_dispatch_and_follows_the_case(world, photo):
    inspection = services.inspection_start(estate=world.estate, acting_user=world.users["supervisor"])
    item = services.inspection_add_finding(
        inspection=inspection, title="路灯不亮", photos=[photo()], acting_user=world.users["supervisor"]
    )
    assert item.case.state == "received" and item.responsible is None
    case = Case.objects.get(pk=item.case_id)
    case_services.case_dispatch(case=case, acting_user=world.users["community_worker"], responsible=world.company)
    # The signal is sent on commit.
    services.ledger_sync_from_case(Case.objects.get(pk=case.pk))
    item.refresh_from_db()
    assert item.responsible == world.company and item.deadline is not None


def test_sign_off_needs_an_on_the_spot_photo_and_a_verifier(world, finding, photo):
    with pytest.raises(DomainError, match="只有义务监督员或社区工作人员"):
        services.ledger_item_verify(
            item=finding, passed=True, note="已清理", photos=[photo()], acting_user=world.users["steward"]
        )
    with pytest.raises(DomainError, match="至少一张现场照片"):
        services.ledger_item_verify(
            item=finding, passed=True, note="已清理", photos=[], acting_user=world.users["supervisor"]
        )
    with pytest.raises(DomainError, match="核验意见"):
        services.ledger_item_verify(
            item=finding, passed=True, note=" ", photos=[photo()], acting_user=world.users["supervisor"]
        )
    finding.refresh_from_db()
    assert finding.state == "open" and not Verification.objects.exists()
    services.ledger_item_report_rectified(
        item=finding, note="已清理杂物并张贴提示", photos=[photo()], acting_user=world.users["steward"]
    )
    finding.refresh_from_db()
    assert finding.state == "rectified"
    services.ledger_item_verify(
        item=finding, passed=False, note="仍有两辆电动车", photos=[photo()], acting_user=world.users["supervisor"]
    )
    finding.refresh_from_db()
    assert finding.state == "open"
    services.ledger_item_verify(
        item=finding, passed=True, note="现场通道畅通", photos=[photo()], acting_user=world.users["community_worker"]
    )
    finding.refresh_from_db()
    assert finding.state == "signed_off" and finding.signed_off_by == world.users["community_worker"]
    assert Verification.objects.filter(item=finding).count() == 2
    with pytest.raises(DomainError, match="已销号"):
        services.ledger_item_verify(
            item=finding, passed=True, note="再次", photos=[photo()], acting_user=world.users["supervisor"]
        )


def test_resolving_the_case_marks_the_item_rectified_awaiting_verification(
    world, finding, django_capture_on_commit_callbacks
):
    case = Case.objects.get(pk=finding.case_id)
    steward = world.users["steward"]
    # The case ledger's ``case_changed`` signal (sent on commit) keeps the ledger item in step.
    with django_capture_on_commit_callbacks(execute=True):
        case_services.case_sign(case=case, acting_user=steward)
        case_services.case_resolve(case=Case.objects.get(pk=case.pk), acting_user=steward, note="已清理")
    finding.refresh_from_db()
    assert finding.state == "rectified"


def test_inspection_checks_of_duties_and_submission(world):
    supervisor = world.users["supervisor"]
    inspection = services.inspection_start(estate=world.estate, acting_user=supervisor)
    with pytest.raises(DomainError, match="没有任何发现"):
        services.inspection_submit(inspection=inspection, acting_user=supervisor)
    with pytest.raises(DomainError, match="请说明情况"):
        services.inspection_add_check(
            inspection=inspection,
            subject="committee_duty",
            item="公共收益收支按季度公示",
            result="not_done",
            acting_user=supervisor,
        )
    services.inspection_add_check(
        inspection=inspection,
        subject="committee_duty",
        item="公共收益收支按季度公示",
        result="not_done",
        note="第三季度未公示",
        acting_user=supervisor,
    )
    with pytest.raises(DomainError, match="自己的巡查"):
        services.inspection_add_check(
            inspection=inspection,
            subject="company_duty",
            item="保洁",
            result="done",
            acting_user=world.users["community_worker"],
        )
    services.inspection_submit(inspection=inspection, acting_user=supervisor)
    with pytest.raises(DomainError, match="已提交"):
        services.inspection_add_check(
            inspection=inspection, subject="company_duty", item="保洁", result="done", acting_user=supervisor
        )


def test_supervisor_of_another_estate_cannot_inspect_here(world):
    with pytest.raises(DomainError, match="不是该小区的义务监督员"):
        services.inspection_start(estate=world.other_estate, acting_user=world.users["supervisor"])


def test_ledger_exports_to_excel_in_the_staff_format(world, finding, client_for, photo):
    services.ledger_item_verify(
        item=finding, passed=True, note="现场通道畅通", photos=[photo()], acting_user=world.users["supervisor"]
    )
    response = client_for("community_worker").get(f"/oversight/ledger/{world.estate.id}/export/")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == "檀悦小区问题整改台账"
    headers = [c.value for c in sheet[3]]
    assert headers[:6] == ["序号", "编号", "问题来源", "发现时间", "发现人", "问题描述"]
    row = [c.value for c in sheet[4]]
    assert row[2] == "监督巡查" and "消防通道" in row[5] and row[7] == "红心物业"
    assert row[10] == "已销号" and row[13] == "林监督" and row[14] == "现场通道畅通"
    assert sheet.freeze_panes == "A4"
    # A supervisor (no export capability) may read the ledger but not export it.
    assert client_for("supervisor").get(f"/oversight/ledger/{world.estate.id}/").status_code == 200
    assert client_for("supervisor").get(f"/oversight/ledger/{world.estate.id}/export/").status_code == 403


def test_inspections_are_listed_per_estate_and_per_supervisor(world, finding, client_for):
    inspector = finding.inspection.inspector
    worker = client_for("community_worker")
    by_estate = worker.get(f"/oversight/inspections/?estate={world.estate.id}").content.decode()
    assert "林监督" in by_estate and "发现问题 1 个" in by_estate
    assert (
        "林监督"
        not in worker.get(f"/oversight/inspections/?estate={world.third_estate.id}")
        .content.decode()
        .split('id="inspection-list"')[1]
    )
    by_supervisor = worker.get(f"/oversight/inspections/?inspector={inspector.id}").content.decode()
    assert "檀悦小区" in by_supervisor.split('id="inspection-list"')[1]
    mine = client_for("supervisor").get("/oversight/inspections/?mine=1").content.decode()
    assert "檀悦小区" in mine.split('id="inspection-list"')[1]
    detail = client_for("supervisor").get(f"/oversight/inspections/{finding.inspection_id}/").content.decode()
    assert "3号楼消防通道堆放杂物" in detail and 'id="finding-form"' in detail
