"""The audit log page: who may read it, filters, and the Excel export (itself audited)."""

import io

import pytest
from openpyxl import load_workbook

from gongzhi.accounts.services import personal_data_reveal
from gongzhi.core.models import AuditEntry
from gongzhi.core.services import audit_record


@pytest.fixture
def entries(world):
    admin = world.users["subdistrict_admin"]
    personal_data_reveal(person=world.person("resident"), field="phone", acting_user=admin, reason="回访")
    audit_record(acting_user=world.users["community_worker"], action="appointment.create", target="=HYPERLINK(1)")
    return world


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        (None, 302),
        ("resident", 403),
        ("other_resident", 403),
        ("building_head", 403),
        ("supervisor", 403),
        ("steward", 403),
        ("committee_chair", 403),
        ("branch_secretary", 403),
        ("community_worker", 200),
        ("subdistrict_admin", 200),
    ],
)
def test_who_may_read_the_audit_log(client_for, entries, persona, status):
    client = client_for(persona)
    assert client.get("/audit/").status_code == status
    assert client.get("/audit/export.xlsx").status_code == status


def test_filters_narrow_the_list(client_for, entries):
    client = client_for("community_worker")
    page = client.get("/audit/", {"action": "personal_data"}).content.decode()
    assert "personal_data.reveal" in page and "appointment.create" not in page
    page = client.get("/audit/", {"actor": "community_worker"}).content.decode()
    assert "appointment.create" in page and "personal_data.reveal" not in page
    page = client.get("/audit/", {"target": "HYPERLINK"}).content.decode()
    assert "appointment.create" in page
    page = client.get("/audit/", {"since": "2000-01-01", "until": "2000-01-31"}).content.decode()
    assert "没有符合条件的记录" in page


def test_bad_dates_get_a_clear_message(client_for, entries):
    client = client_for("community_worker")
    page = client.get("/audit/", {"since": "昨天"}).content.decode()
    assert "起始日期应为日期" in page
    page = client.get("/audit/", {"since": "2025-03-02", "until": "2025-03-01"}).content.decode()
    assert "起始日期不能晚于截止日期" in page
    assert client.get("/audit/export.xlsx", {"until": "x"}).status_code == 400


def test_export_holds_the_filtered_rows_and_is_itself_audited(client_for, entries):
    client = client_for("subdistrict_admin")
    response = client.get("/audit/export.xlsx", {"actor": "community_worker"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("时间", "操作人", "操作", "对象")
    assert len(rows) == 2
    assert rows[1][1] == "community_worker" and rows[1][2] == "appointment.create"
    assert rows[1][3] == "'=HYPERLINK(1)"  # shown as text, never run as a formula
    exported = AuditEntry.objects.get(action="audit.export")
    assert exported.actor == entries.users["subdistrict_admin"]
    assert exported.detail == {"filters": {"actor": "community_worker"}}


def test_log_is_paginated(client_for, entries):
    for n in range(60):
        audit_record(acting_user=None, action="test.bulk", target=f"row {n}")
    client = client_for("community_worker")
    first = client.get("/audit/", {"action": "test.bulk"}).content.decode()
    assert "1 / 2" in first and "row 59" in first and "row 0<" not in first
    second = client.get("/audit/", {"action": "test.bulk", "page": 2}).content.decode()
    assert "row 0" in second
