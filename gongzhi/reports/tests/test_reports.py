"""The report: who may read it where, what it says (figures recomputed by hand), the Excel
workbook, the monthly schedule and its job, and refused input that changes nothing."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from gongzhi.cases.models import Case, CaseEvent, EventKind
from gongzhi.core.periodic import run_all
from gongzhi.indicators.tests.casefixture import random_cases
from gongzhi.notifications.models import Notification
from gongzhi.reports.models import ReportSchedule, StoredReport

pytestmark = pytest.mark.django_db
URL = reverse("reports:report")
TZ = timezone.get_current_timezone()

# persona → (place attribute of the world, expected status) for the report page.
MATRIX = [
    ("resident", "estate", 403),
    ("other_resident", "estate", 403),
    ("building_head", "estate", 403),
    ("supervisor", "estate", 403),
    ("steward", "estate", 403),
    ("committee_chair", "estate", 200),
    ("committee_chair", "third_estate", 404),
    ("branch_secretary", "estate", 200),
    ("branch_secretary", "community", 404),
    ("community_worker", "community", 200),
    ("community_worker", "other_estate", 404),
    ("community_worker", "subdistrict", 404),
    ("subdistrict_admin", "subdistrict", 200),
    ("subdistrict_admin", "other_estate", 200),
]


@pytest.mark.parametrize(("persona", "where", "status"), MATRIX)
def test_permission_matrix_page_and_excel(client_for, world, persona, where, status):
    place = getattr(world, where)
    client = client_for(persona)
    query = {"place": place.id, "start": "2025-03-01", "end": "2025-03-31"}
    assert client.get(URL, query).status_code == status
    assert client.get(reverse("reports:xlsx"), query).status_code == status


def test_anonymous_is_sent_to_login(client_for):
    response = client_for(None).get(URL)
    assert response.status_code == 302


def _case(
    world, estate, n, *, created, deadline=None, resolved=None, state="closed", rating="", solved=None, agenda=False
):
    case = Case.objects.create(
        number=f"T{n:05d}",
        estate=estate,
        title=f"诉求{n}",
        description="描述",
        state=state,
        created_at=created,
        deadline=deadline,
        resolved_at=resolved,
        on_agenda=agenda,
        contact_name="李四",
        contact_phone="13900002222",
    )
    CaseEvent.objects.create(case=case, kind=EventKind.DISPATCHED, at=created)
    CaseEvent.objects.create(case=case, kind=EventKind.SIGNED, at=created + datetime.timedelta(hours=2))
    if rating:
        CaseEvent.objects.create(
            case=case, kind=EventKind.REVIEWED, at=created + datetime.timedelta(days=2), rating=rating, solved=solved
        )
    return case


def _march(day, hour=9):
    return datetime.datetime(2025, 3, day, hour, tzinfo=TZ)


def test_report_quotes_the_figures_in_a_written_summary(client_for, world):
    # 檀悦小区: 3 cases in March, 2 resolved on time of 3 with deadlines, reviews: satisfied+solved,
    # dissatisfied+unsolved; one open case overdue and flagged for the agenda.
    _case(
        world,
        world.estate,
        1,
        created=_march(3),
        deadline=_march(8),
        resolved=_march(5),
        rating="satisfied",
        solved=True,
    )
    _case(
        world,
        world.estate,
        2,
        created=_march(4),
        deadline=_march(9),
        resolved=_march(12),
        rating="dissatisfied",
        solved=False,
    )
    _case(world, world.third_estate, 3, created=_march(10), deadline=_march(15), resolved=_march(14))
    _case(world, world.estate, 4, created=_march(20), deadline=_march(25), state="signed", agenda=True)
    _case(world, world.other_estate, 5, created=_march(21))  # another community
    _case(world, world.estate, 6, created=datetime.datetime(2025, 4, 2, tzinfo=TZ))  # after the period
    response = client_for("community_worker").get(
        URL, {"place": world.community.id, "start": "2025-03-01", "end": "2025-03-31"}
    )
    assert response.status_code == 200
    content = response.context["content"]
    summary = content["summary"][0]
    assert summary.startswith(
        "2025年3月，阳光社区共受理诉求4件，响应率100.0%，按时办结率66.7%，解决率50.0%，满意率50.0%。"
    )
    assert "截至期末仍有超期未办结诉求1件" in summary and "列入议事协商的诉求1件" in summary
    assert [row["name"] for row in content["estates"]] == ["檀悦小区", "鸿盛名邸"]
    assert content["estates"][0]["figures"][0]["shown"] == "3件"
    assert [item["number"] for item in content["overdue"]] == ["T00004"]
    assert [item["number"] for item in content["flagged"]] == ["T00004"]
    body = response.content.decode()
    assert "13900002222" not in body and "李四" not in body
    assert "report.js" in body and "<script>" not in body


def test_excel_has_one_sheet_per_section(client_for, world):
    _case(
        world,
        world.estate,
        1,
        created=_march(3),
        deadline=_march(8),
        resolved=_march(5),
        rating="satisfied",
        solved=True,
    )
    response = client_for("subdistrict_admin").get(
        reverse("reports:xlsx"), {"place": world.subdistrict.id, "start": "2025-03-01", "end": "2025-03-31"}
    )
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["概要", "主要指标", "各小区", "超期事项", "列入议事"]
    assert book["概要"]["A1"].value == "青阳街道工作报告"
    assert "共受理诉求1件" in book["概要"]["A5"].value
    estates = list(book["各小区"].values)
    assert estates[0][:3] == ("小区", "社区", "受理诉求件数")
    assert {row[0] for row in estates[1:]} == {"檀悦小区", "鸿盛名邸", "梅岭新村"}


def test_bad_dates_get_a_clear_message(client_for, world):
    client = client_for("subdistrict_admin")
    response = client.get(URL, {"place": world.subdistrict.id, "start": "2025-13-01"})
    assert response.status_code == 200 and response.context["content"] is None
    assert "格式不正确" in response.context["errors"][0]
    response = client.get(URL, {"place": world.subdistrict.id, "start": "2025-05-01", "end": "2025-04-01"})
    assert "开始日期不能晚于截止日期" in response.context["errors"][0]
    response = client.get(reverse("reports:xlsx"), {"place": world.subdistrict.id, "end": "昨天"})
    assert response.status_code == 400 and "格式不正确" in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "where", "status"),
    [
        ("subdistrict_admin", "subdistrict", 302),
        ("subdistrict_admin", "community", 403),  # only a subdistrict schedules
        ("community_worker", "community", 403),
        ("committee_chair", "estate", 403),
        ("committee_chair", "subdistrict", 404),
        ("resident", "estate", 403),
    ],
)
def test_schedule_permission_matrix(client_for, world, persona, where, status):
    place = getattr(world, where)
    response = client_for(persona).post(reverse("reports:schedule"), {"place": place.id, "active": "1"})
    assert response.status_code == status
    assert ReportSchedule.objects.filter(is_active=True).count() == (1 if status == 302 else 0)


def test_monthly_job_generates_stores_and_notifies_once(client_for, world):
    client = client_for("subdistrict_admin")
    client.post(reverse("reports:schedule"), {"place": world.subdistrict.id, "active": "1"})
    _case(
        world,
        world.estate,
        1,
        created=_march(3),
        deadline=_march(8),
        resolved=_march(5),
        rating="satisfied",
        solved=True,
    )
    now = datetime.datetime(2025, 4, 1, 6, tzinfo=TZ)
    assert run_all(now, only="reports")["reports.monthly"] == 1
    assert run_all(now, only="reports")["reports.monthly"] == 0  # idempotent
    stored = StoredReport.objects.get()
    assert (stored.start, stored.end) == (datetime.date(2025, 3, 1), datetime.date(2025, 3, 31))
    note = Notification.objects.get(user=world.users["subdistrict_admin"], kind="reports.monthly")
    assert note.title == "青阳街道2025年3月工作报告已生成"
    assert "共受理诉求1件" in note.body
    page = client.get(note.url)
    assert page.status_code == 200 and "共受理诉求1件" in page.content.decode()
    assert client.get(note.url, {"format": "xlsx"}).status_code == 200
    # Readers of another place do not see it.
    assert client_for("committee_chair").get(note.url).status_code == 404
    # Turned off: no report for April.
    client = client_for("subdistrict_admin")
    client.post(reverse("reports:schedule"), {"place": world.subdistrict.id, "active": "0"})
    assert run_all(datetime.datetime(2025, 5, 1, 6, tzinfo=TZ), only="reports")["reports.monthly"] == 0


def test_report_of_a_random_ledger_matches_the_dashboard(client_for, world):
    random_cases([world.estate, world.third_estate, world.other_estate], count=80, seed=21)
    client = client_for("subdistrict_admin")
    report = client.get(URL, {"place": world.subdistrict.id, "start": "2025-01-01", "end": "2025-06-30"}).context[
        "content"
    ]
    dashboard = client.get(
        reverse("indicators:dashboard"), {"place": world.subdistrict.id, "start": "2025-01-01", "date": "2025-06-30"}
    )
    cards = {c.indicator.key: c.figure for s in dashboard.context["dashboard"].sections for c in s.cards}
    figures = {f["key"]: f for area in report["areas"] for f in area["figures"]}
    assert figures["cases.received"]["value"] == cards["cases.received"].value
    assert sum(row["figures"][0]["value"] for row in report["estates"]) == cards["cases.received"].value
