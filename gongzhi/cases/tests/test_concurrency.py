"""Two dispatchers acting on the same case at once must not both win.

Every service re-reads the case under a row lock (``select_for_update``) before checking the state
machine, so the second dispatcher sees the first one's result and is refused. On SQLite, whose
writers are serialized by ``BEGIN IMMEDIATE``, the test checks the same outcome with two stale
copies of the case; on PostgreSQL it also runs two real threads, the second blocked on the row lock
until the first commits.
"""

import threading
import time

import pytest
from django.db import connection, transaction

from gongzhi.cases import services
from gongzhi.cases.models import Case, CaseEvent, CaseState
from gongzhi.core.errors import DomainError


def test_a_stale_copy_cannot_dispatch_twice(world, report):
    case = report()
    first_copy, second_copy = Case.objects.get(pk=case.pk), Case.objects.get(pk=case.pk)
    services.case_dispatch(case=first_copy, acting_user=world.users["community_worker"], responsible=world.company)
    with pytest.raises(DomainError) as refused:
        services.case_dispatch(
            case=second_copy, acting_user=world.users["subdistrict_admin"], responsible=world.committee
        )
    assert refused.value.status == 409
    case.refresh_from_db()
    assert case.responsible == world.company
    assert CaseEvent.objects.filter(case=case, kind="dispatched").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_at_once(world, report):
    case = report()
    if connection.vendor != "postgresql":
        # SQLite takes the database write lock at BEGIN (transaction_mode IMMEDIATE): two writers
        # never overlap, so the stale-copy test above is the whole story there.
        assert connection.settings_dict["OPTIONS"].get("transaction_mode") == "IMMEDIATE"
        return
    first_holds_lock = threading.Event()
    results: dict[str, object] = {}

    def first():
        try:
            with transaction.atomic():
                services.case_dispatch(
                    case=Case.objects.get(pk=case.pk),
                    acting_user=world.users["community_worker"],
                    responsible=world.company,
                )
                first_holds_lock.set()
                time.sleep(0.6)  # the second dispatcher is now waiting on the row lock
            results["first"] = "dispatched"
        finally:
            connection.close()

    def second():
        try:
            first_holds_lock.wait(5)
            started = time.monotonic()
            try:
                services.case_dispatch(
                    case=Case.objects.get(pk=case.pk),
                    acting_user=world.users["subdistrict_admin"],
                    responsible=world.committee,
                )
                results["second"] = "dispatched"
            except DomainError as error:
                results["second"] = error.status
            results["waited"] = time.monotonic() - started
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(15)
    assert results["first"] == "dispatched" and results["second"] == 409
    assert results["waited"] >= 0.4
    case.refresh_from_db()
    assert case.state == CaseState.DISPATCHED and case.responsible == world.company
    assert CaseEvent.objects.filter(case=case, kind="dispatched").count() == 1
