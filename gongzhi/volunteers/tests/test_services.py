import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from gongzhi.accounts.models import PartyCheckIn
from gongzhi.cases.models import Case
from gongzhi.core.errors import DomainError
from gongzhi.indicators.registry import REGISTRY, Period
from gongzhi.volunteers import services
from gongzhi.volunteers.models import Booking, EnforcementPatrol, PatrolProblem, ServiceEvent, VisitProblem

pytestmark = pytest.mark.django_db
TODAY = None


def today():
    return timezone.localdate()


def year_period():
    t = today()
    return Period(datetime.date(t.year - 1, 1, 1), t + datetime.timedelta(days=1))


def test_team_and_event_with_participants_and_hours(world):
    worker = world.users["community_worker"]
    team = services.team_create(
        place=world.estate, name="红色银龄管家", colour="#D0021B", theme="助老", acting_user=worker
    )
    with pytest.raises(DomainError, match="同名"):
        services.team_create(place=world.estate, name="红色银龄管家", colour="#d0021b", acting_user=worker)
    with pytest.raises(DomainError, match="#RRGGBB"):
        services.team_create(place=world.estate, name="蓝队", colour="blue", acting_user=worker)
    people = [world.person("resident"), world.person("building_head")]
    event = services.event_record(
        team=team,
        estate=world.estate,
        title="楼道清理",
        on_date=today(),
        hours="2.5",
        participants=people,
        acting_user=worker,
    )
    assert event.participations.count() == 2
    for bad in ("0", "-1", "25", "abc", "1.25"):
        with pytest.raises(DomainError):
            services.event_record(
                team=team,
                estate=world.estate,
                title="x",
                on_date=today(),
                hours=bad,
                participants=people,
                acting_user=worker,
            )
    with pytest.raises(DomainError, match="晚于今天"):
        services.event_record(
            team=team,
            estate=world.estate,
            title="x",
            on_date=today() + datetime.timedelta(days=1),
            hours="1",
            participants=people,
            acting_user=worker,
        )
    with pytest.raises(DomainError) as error:
        services.event_record(
            team=team,
            estate=world.estate,
            title="x",
            on_date=today(),
            hours="1",
            participants=people,
            acting_user=world.users["steward"],
        )
    assert error.value.status == 403
    assert ServiceEvent.objects.count() == 1
    period = year_period()
    assert REGISTRY["volunteers.teams"].compute(world.subdistrict, period).value == 1
    assert REGISTRY["volunteers.events"].compute(world.community, period).value == 1
    assert REGISTRY["volunteers.hours"].compute(world.estate, period).value == Decimal("5.0")
    assert REGISTRY["volunteers.events"].compute(world.other_estate, period).value == 0


def test_party_member_checks_in_at_home_and_logs_service(world):
    head = world.users["building_head"]
    with pytest.raises(DomainError, match="请先到居住小区报到"):
        services.party_service_log(description="x", hours="1", on_date=today(), acting_user=head)
    with pytest.raises(DomainError, match="不住在"):
        services.party_check_in(estate=world.other_estate, workplace="市供电公司", acting_user=head)
    with pytest.raises(DomainError, match="只有党员"):
        services.party_check_in(estate=world.estate, workplace="x", acting_user=world.users["resident"])
    assert PartyCheckIn.objects.count() == 0
    services.party_check_in(estate=world.estate, workplace="市供电公司", acting_user=head)
    log = services.party_service_log(description="帮助独居老人更换灯泡", hours="1.5", on_date=today(), acting_user=head)
    assert log.check_in.estate == world.estate
    assert REGISTRY["volunteers.party_service_hours"].compute(world.estate, year_period()).value == Decimal("1.5")


def test_patrol_turns_each_unresolved_problem_into_an_enforcement_case(world):
    worker = world.users["community_worker"]
    problems = [
        {"description": "3号楼下乱堆杂物", "outcome": "fixed_on_spot"},
        {"description": "私搭铁皮棚", "outcome": "penalized", "penalty": "责令拆除并罚款500元"},
        {"description": "占用消防通道停车", "outcome": "unresolved"},
    ]
    patrol = services.patrol_record(
        estate=world.estate, on_date=today(), members="执法队、派出所、物业", problems=problems, acting_user=worker
    )
    case = Case.objects.get()
    assert case.channel == "enforcement" and "占用消防通道" in case.title and case.estate == world.estate
    assert patrol.problems.get(outcome="unresolved").case == case
    with pytest.raises(DomainError, match="处罚情况"):
        services.patrol_record(
            estate=world.estate,
            on_date=today(),
            members="执法队",
            problems=[{"description": "x", "outcome": "penalized"}],
            acting_user=worker,
        )
    with pytest.raises(DomainError):
        services.patrol_record(
            estate=world.estate,
            on_date=today(),
            members="执法队",
            problems=problems,
            acting_user=world.users["committee_chair"],
        )
    assert EnforcementPatrol.objects.count() == 1 and PatrolProblem.objects.count() == 3 and Case.objects.count() == 1
    period = year_period()
    assert REGISTRY["volunteers.patrol_problems"].compute(world.subdistrict, period).value == 3
    assert REGISTRY["volunteers.patrol_cleared"].compute(world.subdistrict, period).value == 2
    assert REGISTRY["volunteers.patrol_penalties"].compute(world.subdistrict, period).value == 1


def test_reception_visit_problems_become_cases_and_solved_ones_are_counted(world):
    worker = world.users["community_worker"]
    visit = services.reception_visit_record(
        estate=world.estate,
        leader="周主任",
        on_date=today(),
        attendance="23",
        problems=[
            {"description": "电梯经常停运", "solved_on_spot": False},
            {"description": "路灯不亮", "solved_on_spot": True},
        ],
        acting_user=worker,
    )
    assert Case.objects.filter(channel="reception_visit").count() == 2
    assert visit.problems.filter(solved_on_spot=True).count() == 1
    with pytest.raises(DomainError, match="整数"):
        services.reception_visit_record(
            estate=world.estate, leader="x", on_date=today(), attendance="many", problems=[], acting_user=worker
        )
    period = year_period()
    assert REGISTRY["volunteers.visits"].compute(world.estate, period).value == 1
    assert REGISTRY["volunteers.visit_solved"].compute(world.estate, period).value == 1
    assert REGISTRY["volunteers.visit_attendance"].compute(world.estate, period).value == 23
    assert VisitProblem.objects.count() == 2


def test_needs_orders_and_partner_units(world, partner_contact, django_capture_on_commit_callbacks):
    from gongzhi.notifications.models import Notification

    unit, contact = partner_contact
    need = services.need_post(estate=world.estate, description="想请医生来义诊", acting_user=world.users["resident"])
    with pytest.raises(DomainError, match="本小区居民"):
        services.need_post(estate=world.estate, description="x", acting_user=world.users["other_resident"])
    order = services.order_publish(
        estate=world.estate, title="社区义诊", needs=[need], acting_user=world.users["community_worker"]
    )
    with pytest.raises(DomainError, match="共建协议"):
        services.order_take(order=order, partner=unit, acting_user=contact)
    with pytest.raises(DomainError, match="共建单位"):
        services.agreement_sign(
            community=world.community,
            partner=world.company,
            signed_on=today(),
            partner_promises="x",
            acting_user=world.users["community_worker"],
        )
    services.agreement_sign(
        community=world.community,
        partner=unit,
        signed_on=today(),
        partner_promises="每季度进小区开展“电力暖小区”服务",
        community_promises="提供场地",
        acting_user=world.users["community_worker"],
    )
    with pytest.raises(DomainError, match="联络人"):
        services.order_take(order=order, partner=unit, acting_user=world.users["community_worker"])
    with django_capture_on_commit_callbacks(execute=True):
        services.order_take(order=order, partner=unit, acting_user=contact)
    assert Notification.objects.filter(user=world.users["resident"], kind="service_order").exists()
    with pytest.raises(DomainError, match="已被接单"):
        services.order_take(order=order, partner=unit, acting_user=contact)
    order = services.order_complete(order=order, report="义诊80人次", acting_user=contact)
    assert order.status == "done"
    assert REGISTRY["volunteers.orders_done"].compute(world.estate, year_period()).value == 1


def test_bookings_refuse_overlaps(world):
    venue = services.venue_create(
        estate=world.estate,
        name="邻里中心",
        opening_hours="每天 8:00-21:00",
        rooms=[("长者食堂", False, 40), ("议事厅", True, 30)],
        acting_user=world.users["community_worker"],
    )
    hall = venue.rooms.get(name="议事厅")
    canteen = venue.rooms.get(name="长者食堂")
    start = timezone.now().replace(microsecond=0) + datetime.timedelta(days=2)
    resident = world.users["resident"]
    services.booking_create(
        room=hall,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        purpose="楼栋议事",
        acting_user=resident,
    )
    with pytest.raises(DomainError, match="已被预约"):
        services.booking_create(
            room=hall,
            starts_at=start + datetime.timedelta(hours=1),
            ends_at=start + datetime.timedelta(hours=3),
            purpose="x",
            acting_user=world.users["committee_chair"],
        )
    services.booking_create(
        room=hall,
        starts_at=start + datetime.timedelta(hours=2),
        ends_at=start + datetime.timedelta(hours=3),
        purpose="back to back",
        acting_user=world.users["committee_chair"],
    )
    with pytest.raises(DomainError, match="不开放预约"):
        services.booking_create(
            room=canteen,
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=1),
            purpose="x",
            acting_user=resident,
        )
    with pytest.raises(DomainError, match="晚于开始"):
        services.booking_create(room=hall, starts_at=start, ends_at=start, purpose="x", acting_user=resident)
    with pytest.raises(DomainError, match="本小区居民"):
        services.booking_create(
            room=hall,
            starts_at=start + datetime.timedelta(days=1),
            ends_at=start + datetime.timedelta(days=1, hours=1),
            purpose="x",
            acting_user=world.users["other_resident"],
        )
    assert Booking.objects.count() == 2


def test_rota_and_theme(world):
    shifts = services.duty_rota_create(
        estate=world.estate,
        rota="商户轮值",
        start=today(),
        on_duty=["便利店", "水果店", "药店"],
        task="巡查开放式小区秩序",
        acting_user=world.users["community_worker"],
    )
    assert [s.on_date for s in shifts] == [today() + datetime.timedelta(days=i) for i in range(3)]
    with pytest.raises(DomainError, match="至少"):
        services.duty_rota_create(
            estate=world.estate, rota="x", start=today(), on_duty=[" "], acting_user=world.users["community_worker"]
        )
    services.estate_theme_set(
        estate=world.estate, theme="红色物业·睦邻善治", acting_user=world.users["community_worker"]
    )
    world.estate.refresh_from_db()
    assert world.estate.theme == "红色物业·睦邻善治"
    with pytest.raises(DomainError):
        services.estate_theme_set(estate=world.estate, theme="x", acting_user=world.users["committee_chair"])


def test_indicators_use_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    from gongzhi.places.models import Place

    places = list(Place.objects.filter(kind__in=("community", "estate")))
    period = year_period()
    keys = [k for k in REGISTRY if k.startswith(("volunteers.", "funds.", "works."))]
    with django_assert_max_num_queries(len(keys) * 2):
        for key in keys:
            REGISTRY[key].compute_many(places, period)
