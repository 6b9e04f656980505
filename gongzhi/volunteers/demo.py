"""Demo community work shaped like seeds 002 and 003: colour-coded volunteer teams and their
service events, checked-in party members, joint enforcement patrols and reception visits (which
put cases in the ledger), a partner unit under an agreement taking an order, a venue with
bookable rooms, a shop rota and the flagship's theme."""

import datetime

from gongzhi.accounts import services as people
from gongzhi.accounts.models import Person
from gongzhi.demo import seeds
from gongzhi.orgs import services as orgs
from gongzhi.volunteers import services
from gongzhi.volunteers.models import VolunteerTeam

TEAMS = [
    ("海丝先锋党员突击队", "#d0021b", "应急与安全"),
    ("红色银龄管家", "#f5a623", "助老"),
    ("绿色家园护绿队", "#2e7d32", "环境"),
    ("蓝色平安巡逻队", "#1565c0", "平安"),
]


def load(context):
    flagship = context.estate(seeds.FLAGSHIP)
    if VolunteerTeam.objects.filter(place=flagship).exists():
        return
    worker = context.users["community_worker"]
    today = context.today
    teams = [services.team_create(place=flagship, name=n, colour=c, theme=t, acting_user=worker) for n, c, t in TEAMS]
    residents = [
        u.person for u in (context.users["resident"], context.users["building_head"], context.users["supervisor"])
    ]
    for i in range(12):
        services.event_record(
            team=teams[i % 4],
            estate=flagship,
            title=["楼道清理", "义诊", "护绿", "夜间巡逻"][i % 4],
            on_date=today - datetime.timedelta(days=5 * i + 1),
            hours=["2", "3", "1.5", "2.5"][i % 4],
            participants=residents[: 1 + i % 3],
            acting_user=worker,
        )
    head = context.users["building_head"]
    services.party_check_in(estate=flagship, workplace="东岚镇供电所", acting_user=head)
    services.party_service_log(description="帮独居老人代缴水电费", hours="1", on_date=today, acting_user=head)
    services.patrol_record(
        estate=flagship,
        on_date=today - datetime.timedelta(days=6),
        members="镇执法队、派出所、物业管家",
        problems=[
            {"description": "架空层乱堆杂物", "outcome": "fixed_on_spot"},
            {"description": "私搭铁皮棚", "outcome": "penalized", "penalty": "责令拆除，罚款500元"},
            {"description": "占用消防通道长期停车", "outcome": "unresolved"},
        ],
        acting_user=worker,
    )
    services.reception_visit_record(
        estate=flagship,
        leader="吴立新",
        on_date=today - datetime.timedelta(days=3),
        attendance=18,
        problems=[
            {"description": "小区南门路灯不亮", "solved_on_spot": True},
            {"description": "电动车充电桩不够用", "solved_on_spot": False},
        ],
        acting_user=worker,
    )
    community = flagship.parent
    unit = orgs.organization_create(kind="partner_unit", name="东岚供电所", place=community.parent)
    contact = Person.objects.create(name="郑联络", phone="13800007070")
    people.appointment_create(person=contact, post="partner_contact", organization=unit, starts_on=seeds.START)
    services.agreement_sign(
        community=community,
        partner=unit,
        signed_on=today - datetime.timedelta(days=90),
        partner_promises="每季度进小区开展“电力暖小区”安全用电检查",
        community_promises="提供场地、组织居民",
        acting_user=worker,
    )
    need = services.need_post(
        estate=flagship, description="希望有人上门检查老旧电线", acting_user=context.users["resident"]
    )
    services.order_publish(estate=flagship, title="老旧电线安全检查", needs=[need], acting_user=worker)
    services.venue_create(
        estate=flagship,
        name="檀樾府邻里中心",
        opening_hours="每天 8:00-21:00",
        rooms=[
            ("长者食堂", False, 60),
            ("卫生室", False, 6),
            ("阅览室", True, 20),
            ("议事厅", True, 30),
            ("健身房", False, 15),
        ],
        acting_user=worker,
    )
    services.duty_rota_create(
        estate=flagship,
        rota="沿街商户轮值",
        start=today,
        on_duty=["便利店", "水果店", "药店", "面包店", "五金店", "理发店", "茶叶店"],
        task="开放式街区秩序巡查",
        acting_user=worker,
    )
    services.estate_theme_set(
        estate=flagship, theme="红色物业·睦邻善治", acting_user=context.users["subdistrict_admin"]
    )
