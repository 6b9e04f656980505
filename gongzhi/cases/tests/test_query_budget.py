"""Round trips of the busiest requests, pinned so they cannot creep back: a phone filing a case
with its app token, the staff queue and the case page. The grants a signed-in user acts with are
cached for a few seconds; ending an appointment still takes effect on the very next request."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gongzhi.accounts import services as people
from gongzhi.cases.models import Case, CaseEvent
from gongzhi.core.models import AuditEntry
from gongzhi.open311 import services as tokens

API = "/api/v1/cases/"


def _sql(queries) -> list[str]:
    return [q["sql"].split()[0].upper() for q in queries]


def test_filing_a_case_with_an_app_token_takes_a_fixed_handful_of_queries(world, client):
    _token, secret = tokens.app_token_issue(acting_user=world.users["resident"], name="手机")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

    def file(text):
        body = json.dumps({"estate": world.estate.pk, "description": text, "category": "repair"})
        with CaptureQueriesContext(connection) as queries:
            response = client.post(API, body, content_type="application/json", **auth)
        assert response.status_code == 201, response.content
        return response.json(), queries

    file("楼道灯不亮")  # the first request of a token reads the token and computes its grants
    created, queries = file("单元门禁坏了")
    statements = _sql(queries)
    # No token, place, category or permission rows (cached for a few seconds), no lock on a counter.
    if connection.vendor == "postgresql":
        # One statement draws the number and writes the case and its creation event.
        assert statements == ["WITH"]
        sql = queries[0]["sql"]
        for table in ("cases_case", "cases_caseevent"):
            assert f'INSERT INTO "{table}"' in sql
    else:
        # The day's counter (bumped, then read), then the two rows.
        # (SAVEPOINT / RELEASE: the test runs inside a transaction of its own.)
        statements = [s for s in statements if s not in ("SAVEPOINT", "RELEASE")]
        assert statements == ["UPDATE", "SELECT", "INSERT", "INSERT"], [q["sql"][:90] for q in queries]
    case = Case.objects.get(pk=created["id"])
    assert created["number"] == case.number and case.reporter == world.person("resident")
    event = CaseEvent.objects.get(case=case)
    assert event.kind == "created" and event.actor == world.users["resident"]
    # The creation event is the step's record; the audit log keeps the sensitive actions only.
    assert not AuditEntry.objects.filter(target=case.number).exists()


@pytest.mark.parametrize("persona", ["community_worker", "steward"])
def test_queue_and_case_pages_have_a_fixed_query_budget(world, client_for, report, persona):
    from gongzhi.cases import services

    client = client_for(persona)
    case = report()
    services.case_dispatch(
        case=case, acting_user=world.users["community_worker"], responsible=world.company, note="请处理"
    )

    def count(url):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    count("/cases/queue/?tab=all")  # computes and caches the grants and the filter's options
    queue, page = count("/cases/queue/?tab=all"), count(f"/cases/{case.pk}/")
    # Queue: session, user, person, the page of cases, the unread count. Case page: session, user,
    # the case, person, timeline, photos, unread count, and for the dispatcher the estate's company
    # and the parties to choose from.
    assert queue == 5
    assert page == {"community_worker": 9, "steward": 7}[persona]


def test_ending_an_appointment_takes_effect_on_the_next_request(world, client_for):
    client = client_for("community_worker")
    assert client.get("/cases/queue/").status_code == 200
    assert client.get("/cases/queue/").status_code == 200  # grants now cached
    appointment = world.person("community_worker").appointments.get(ends_on__isnull=True)
    people.appointment_end(appointment=appointment, ends_on=timezone.localdate())
    assert client.get("/cases/queue/").status_code == 403


def test_a_revoked_token_is_refused_at_once(world, client):
    token, secret = tokens.app_token_issue(acting_user=world.users["resident"], name="手机")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    assert client.get(API, **auth).status_code == 200
    tokens.app_token_revoke(acting_user=world.users["resident"], token_id=token.pk)
    assert client.get(API, **auth).status_code == 401


def test_a_deactivated_account_loses_its_token_at_once(world, client):
    _token, secret = tokens.app_token_issue(acting_user=world.users["resident"], name="手机")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    assert client.get(API, **auth).status_code == 200  # the token is now cached
    user = world.users["resident"]
    user.is_active = False
    user.save()
    assert client.get(API, **auth).status_code == 401


def test_the_one_statement_report_writes_what_the_step_by_step_path_writes(world, client):
    """A phone's report (one statement on PostgreSQL) and a report with a dispatch at creation (the
    ORM path) leave the same kind of rows: a numbered case and its creation event."""
    from gongzhi.cases import services

    _token, secret = tokens.app_token_issue(acting_user=world.users["resident"], name="手机")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # numbers past four digits keep every digit
            cursor.execute("SELECT setval(%s, 12344)", [services.NUMBER_SEQUENCE])
    body = json.dumps({"estate": world.estate.pk, "description": "楼道灯不亮\n晚上看不清", "category": "repair"})
    response = client.post(API, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 201, response.content
    fast = Case.objects.get(pk=response.json()["id"])
    slow = services.case_create(
        estate=world.estate,
        description="楼道灯不亮\n晚上看不清",
        channel="hotline",
        acting_user=world.users["community_worker"],
        responsible=world.company,
    )
    today = timezone.localdate().strftime("%Y%m%d")
    assert fast.number.startswith(f"GZ{today}-") and slow.number.startswith(f"GZ{today}-")
    if connection.vendor == "postgresql":
        assert fast.number == f"GZ{today}-12345"
    assert fast.title == slow.title == "楼道灯不亮"
    assert fast.state == "received" and fast.reporter == world.person("resident") and fast.channel == "app"
    assert fast.created_by == world.users["resident"] and fast.updated_at is not None
    for case, kinds in ((fast, ["created"]), (slow, ["created", "dispatched"])):
        events = list(case.events.order_by("id"))
        assert [e.kind for e in events] == kinds
        assert events[0].at == case.created_at and events[0].to_state == "received"
        assert events[0].actor == case.created_by and events[0].from_state == "" and events[0].data == {}
    assert response.json()["number"] == fast.number


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
@pytest.mark.parametrize("prepared", [1, 0])
def test_the_report_statement_is_prepared_once_per_connection(world, client, settings, prepared):
    """PostgreSQL parses and plans a phone's report once per connection (it is the same statement
    each time); a deployment behind a pooler that cannot carry prepared statements turns it off."""
    settings.GONGZHI = {**settings.GONGZHI, "CASE_PREPARED_WRITE": prepared}
    _token, secret = tokens.app_token_issue(acting_user=world.users["resident"], name="手机")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    numbers = []
    for text in ("楼道灯不亮", "单元门禁坏了", "电梯按钮失灵"):
        body = json.dumps({"estate": world.estate.pk, "description": text, "category": "repair"})
        response = client.post(API, body, content_type="application/json", **auth)
        assert response.status_code == 201, response.content
        numbers.append(response.json()["number"])
    assert len(set(numbers)) == 3
    assert Case.objects.filter(number__in=numbers).count() == 3
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ['WITH c AS (INSERT INTO "cases_case"%'],
        )
        assert cursor.fetchone()[0] == prepared


def test_a_saved_estate_is_read_again_by_the_next_report(world, client):
    """The estate and category a report names are kept in the worker's memory between reports, and
    dropped as soon as either is saved."""
    _token, secret = tokens.app_token_issue(acting_user=world.users["resident"], name="手机")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    body = json.dumps({"estate": world.estate.pk, "description": "楼道灯不亮", "category": "repair"})
    assert client.post(API, body, content_type="application/json", **auth).status_code == 201
    world.estate.name = "改名后的小区"
    world.estate.save()
    with CaptureQueriesContext(connection) as queries:
        response = client.post(API, body, content_type="application/json", **auth)
    assert response.status_code == 201
    assert any("places_place" in q["sql"] for q in queries)  # read again, not the kept copy
    assert Case.objects.get(pk=response.json()["id"]).estate.name == "改名后的小区"


def test_rows_a_case_names_cannot_be_deleted(world, report, category):
    """The estate, category, reporter and accounts a case names carry no database constraint on
    the ledger (models.HOT_REFERENCES); deleting one is still refused, and the case stays whole."""
    from django.db.models import ProtectedError

    case = report()
    for row in (world.estate, category, world.person("resident"), world.users["resident"]):
        with pytest.raises(ProtectedError):
            row.delete()
    case.refresh_from_db()
    assert case.estate == world.estate and case.category == category
    assert case.reporter == world.person("resident") and case.created_by == world.users["resident"]
    assert CaseEvent.objects.get(case=case).actor == world.users["resident"]
