"""A resident downloads their own data and removes their account; their cases stay, anonymized."""

import datetime
import io
import json

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from gongzhi.accounts.models import Person, User
from gongzhi.cases.models import Case
from gongzhi.cases.services import case_create
from gongzhi.core.models import AuditEntry
from gongzhi.core.services import audit_record
from gongzhi.privacy.services import account_remove, retention_apply
from gongzhi.testing import PASSWORD


@pytest.fixture
def reported(world):
    resident = world.users["resident"]
    return case_create(
        estate=world.estate,
        description="3号楼电梯停运两天了",
        channel="web",
        acting_user=resident,
        reporter=resident.person,
        contact_name="王小明",
        contact_phone="13800001111",
    )


def test_resident_downloads_everything_about_them_as_json(client_for, reported):
    response = client_for("resident").get("/privacy/download.json")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["person"]["name"] == "王小明"
    assert data["person"]["phone"] == "13800001111"  # their own data, in full
    assert data["account"]["username"] == "resident"
    text = json.dumps(data["records"], ensure_ascii=False)
    assert "3号楼电梯停运两天了" in text  # the case they reported
    assert "檀悦小区" in text  # the flat they own
    assert "李梅" not in text and "13800002222" not in text  # nobody else's data
    assert AuditEntry.objects.filter(action="privacy.download", actor__username="resident").exists()


def test_resident_downloads_the_same_as_excel(client_for, reported):
    response = client_for("resident").get("/privacy/download.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[0] == "本人信息"
    cells = [str(c) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for c in row]
    assert "王小明" in cells and any("3号楼电梯停运两天了" in c for c in cells)


def test_my_page_masks_the_phone(client_for, world):
    page = client_for("resident").get("/privacy/").content.decode()
    assert "138****1111" in page and "13800001111" not in page


def test_removal_anonymizes_the_person_and_keeps_their_cases(client_for, reported):
    client = client_for("resident")
    user_id = User.objects.get(username="resident").pk
    response = client.post("/privacy/remove/", {"password": PASSWORD, "confirm": "注销"})
    assert response.status_code == 302
    person = Person.objects.get(user_id=user_id)
    assert person.anonymized_at is not None
    assert (person.name, person.phone, person.id_number, person.note) == ("已注销居民", "", "", "")
    user = User.objects.get(pk=user_id)
    assert not user.is_active and not user.has_usable_password() and user.username == f"removed-{user_id}"
    case = Case.objects.get(pk=reported.pk)
    assert case.description == "3号楼电梯停运两天了" and case.reporter_id == person.pk
    assert case.contact_name == "" and case.contact_phone == ""
    # No personal data of theirs is left in any row that points at them.
    for model in (Person, Case):
        for row in model.objects.values():
            assert "王小明" not in str(row) and "13800001111" not in str(row)
    # Signed out and cannot sign in again.
    assert client.get("/privacy/").status_code == 302
    assert not client.login(username="resident", password=PASSWORD)
    assert client.post("/accounts/login/", {"username": f"removed-{user_id}", "password": PASSWORD}).status_code == 200
    assert AuditEntry.objects.filter(action="privacy.account_remove", target=f"person:{person.pk}").exists()


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"password": PASSWORD, "confirm": "确定"}, "请在输入框中填写“注销”二字以确认"),
        ({"password": "wrong-password", "confirm": "注销"}, "密码不正确"),
    ],
)
def test_removal_needs_the_password_and_the_word(client_for, reported, form, message):
    client = client_for("resident")
    response = client.post("/privacy/remove/", form)
    assert response.status_code == 400
    assert message in response.content.decode()
    person = Person.objects.get(user__username="resident")
    assert person.name == "王小明" and person.anonymized_at is None


def test_staff_holding_a_post_must_leave_it_first(client_for, world):
    client = client_for("steward")
    response = client.post("/privacy/remove/", {"password": PASSWORD, "confirm": "注销"})
    assert response.status_code == 400
    assert "请先由社区办理卸任" in response.content.decode()
    assert Person.objects.get(user__username="steward").anonymized_at is None


def test_removed_twice_is_refused(world):
    person = world.person("other_resident")
    account_remove(person=person, acting_user=world.users["other_resident"])
    from gongzhi.core.errors import DomainError

    with pytest.raises(DomainError, match="该账号已注销"):
        account_remove(person=person, acting_user=world.users["other_resident"])


@pytest.mark.parametrize("persona", [None])
def test_anonymous_visitors_are_sent_to_sign_in(client_for, world, persona):
    client = client_for(persona)
    for url in ("/privacy/", "/privacy/download.json", "/privacy/download.xlsx", "/privacy/remove/"):
        assert client.get(url).status_code == 302


def test_retention_deletes_old_reveal_logs_and_sessions_once(world, settings):
    settings.GONGZHI = {**settings.GONGZHI, "RETENTION_DAYS": {"reveal_log": 30, "audit": 0, "outbox": 10}}
    old = audit_record(acting_user=None, action="personal_data.reveal", target="person:1")
    recent = audit_record(acting_user=None, action="personal_data.reveal", target="person:2")
    other = audit_record(acting_user=None, action="appointment.create", target="x")
    now = timezone.now()
    AuditEntry.objects.filter(pk__in=[old.pk, other.pk]).update(at=now - datetime.timedelta(days=40))
    first = retention_apply(now=now)
    assert first == {"reveal_log:core.AuditEntry": 1}
    assert not AuditEntry.objects.filter(pk=old.pk).exists()
    assert AuditEntry.objects.filter(pk__in=[recent.pk, other.pk]).count() == 2
    assert AuditEntry.objects.filter(action="privacy.retention").count() == 1
    assert retention_apply(now=now) == {}  # idempotent


def test_retention_runs_in_the_periodic_command(world):
    from gongzhi.core.periodic import run_all

    results = run_all(timezone.now(), only="privacy.")
    assert results == {"privacy.apply_retention": 0}
