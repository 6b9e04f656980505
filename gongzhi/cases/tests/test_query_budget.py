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

    file("楼道灯不亮")  # the first request of a token computes its grants
    created, queries = file("单元门禁坏了")
    statements = _sql(queries)
    # The token (with its user), the case number, the case, its creation event, the audit row;
    # no place, category or permission rows (cached), no lock on a counter.
    writes = [s for s in statements if s in ("INSERT", "UPDATE", "DELETE")]
    assert writes == (["INSERT"] * 3 if connection.vendor == "postgresql" else ["UPDATE", "INSERT", "INSERT", "INSERT"])
    reads = [s for s in statements if s == "SELECT"]
    assert len(reads) == 2  # the token; the number (nextval on PostgreSQL, the day's counter elsewhere)
    case = Case.objects.get(pk=created["id"])
    assert created["number"] == case.number and case.reporter == world.person("resident")
    event = CaseEvent.objects.get(case=case)
    assert event.kind == "created" and event.actor == world.users["resident"]
    assert AuditEntry.objects.filter(action="case.created", target=case.number).count() == 1


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
