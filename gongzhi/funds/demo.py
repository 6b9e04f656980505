"""Demo money and works shaped like seed 002 (青阳街道): a fund with 500,000 yuan of government
seed money and just over 2,000,000 raised from companies, residents and shops; 80,000 to found a
community property company; 50,000 that drew 500,000 from the residents of a resettlement estate.
Micro-works month by month in the flagship estate, a published quarter of public revenue, and
micro-wishes (seed 004: eleven claimed in one afternoon)."""

import datetime
from decimal import Decimal

from django.utils import timezone

from gongzhi.demo import seeds
from gongzhi.funds import services
from gongzhi.funds.models import Fund, MicroProject, MicroWish, WishStatus

CONTRIBUTIONS = [
    ("government", "500000", "青禾街道财政", "财政拨款 2024-001"),
    ("company", "800000", "新佳园集团", "转账 NJY-0412"),
    ("company", "450000", "青禾城市服务", "转账 QH-0413"),
    ("company", "300000", "愿景家园公司", "转账 YJ-0415"),
    ("shop", "180000", "永丰里商家大联盟", "收据 0021-0056"),
    ("resident", "286500", "居民捐资（312户）", "收据 0101-0412"),
    ("other", "20000", "爱心人士", "收据 0413"),
]
WISHES = [
    "一副老花镜",
    "一台收音机",
    "轮椅一辆",
    "学习用台灯",
    "冬季棉被",
    "助听器电池",
    "儿童绘本一套",
    "血压计",
    "电饭煲",
    "防滑拖鞋",
    "保温杯",
    "雨伞",
]
WORKS = [
    "消防设施改造",
    "绿植修复",
    "停车棚搭建",
    "健身设施投放",
    "楼道卫生保洁",
    "路灯维修",
    "单元门禁更换",
    "垃圾分类亭翻新",
]


def load(context):
    street = context.subdistrict(seeds.STREET)
    if Fund.objects.filter(place=street).exists():
        return
    admin = context.users["subdistrict_admin"]
    today = context.today
    fund = services.fund_create(
        place=street, name="青禾街道美好家园基金", description="政府撬动、行业带动、全民发动", acting_user=admin
    )
    start = today - datetime.timedelta(days=300)
    for i, (source, amount, who, evidence) in enumerate(CONTRIBUTIONS):
        services.fund_contribute(
            fund=fund,
            source=source,
            amount=amount,
            counterparty=who,
            on_date=start + datetime.timedelta(days=7 * i),
            evidence=evidence,
            acting_user=admin,
        )
    services.fund_grant(
        fund=fund,
        amount="80000",
        purpose="成立社区物业公司",
        estate=None,
        counterparty="霞光社区",
        on_date=start + datetime.timedelta(days=60),
        evidence="拨付单 J-01",
        acting_user=admin,
    )
    resettlement = context.estate("象峰安置小区")
    services.fund_grant(
        fund=fund,
        amount="50000",
        co_funding="500000",
        purpose="安置小区基础设施改造",
        estate=resettlement,
        counterparty="象峰安置小区业主",
        on_date=start + datetime.timedelta(days=90),
        evidence="拨付单 J-02",
        acting_user=admin,
    )

    # Micro-works in the flagship estate: six months planned, most done (seed 002: 1,051 planned, 881 done).
    flagship = context.estate(seeds.FLAGSHIP)
    staff = context.users["branch_secretary"]
    month = today.replace(day=1)
    rows = []
    for back in range(6):
        for n, title in enumerate(WORKS[: 4 + back % 3]):
            done = back > 0 and n < 4 + back % 3 - (1 if back % 2 else 0) or (back == 0 and n < 2)
            rows.append(
                MicroProject(
                    estate=flagship,
                    month=month,
                    title=title,
                    source=("case", "meeting", "survey", "other")[n % 4],
                    status="done" if done else "planned",
                    done_on=month + datetime.timedelta(days=10) if done else None,
                    evidence="已完成，现场照片见台账" if done else "",
                    created_by=staff,
                )
            )
        month = (month - datetime.timedelta(days=1)).replace(day=1)
    MicroProject.objects.bulk_create(rows)

    # A published quarter of public revenue (parking, charging, advertising), reviewed by the community.
    chair, worker = context.users["committee_chair"], context.users["community_worker"]
    year, quarter = today.year, (today.month - 1) // 3
    if quarter == 0:
        year, quarter = year - 1, 4
    q_start, _q_end = services.quarter_bounds(year, quarter)
    for days, category, amount, cost, note in [
        (3, "parking", "38600", False, "地下车位月租"),
        (5, "charging", "12450.80", False, "充电桩电费分成"),
        (9, "advertising", "9000", False, "电梯广告"),
        (20, "lease", "6000", False, "架空层场地租赁"),
        (40, "other", "8200.50", True, "公共区域电费"),
    ]:
        services.revenue_record(
            estate=flagship,
            category=category,
            amount=amount,
            is_cost=cost,
            on_date=q_start + datetime.timedelta(days=days),
            note=note,
            evidence=f"票据 {days:03d}",
            acting_user=chair,
        )
    services.revenue_quarter_review(
        estate=flagship, year=year, quarter=quarter, note="账实相符，同意公示", acting_user=worker
    )
    services.revenue_quarter_publish(estate=flagship, year=year, quarter=quarter, acting_user=chair)
    services.revenue_record(
        estate=flagship,
        category="parking",
        amount="13200",
        is_cost=False,
        on_date=today,
        note="临停收费",
        evidence="日结单",
        acting_user=chair,
    )

    # Micro-wishes: most approved and claimed, one waiting for review, one fulfilled.
    resident = context.users["resident"]
    donors = [context.users[p] for p in ("building_head", "supervisor", "committee_chair", "branch_secretary")]
    now = timezone.now()
    for n, title in enumerate(WISHES):
        wish = services.micro_wish_post(estate=flagship, title=title, acting_user=resident)
        if n == len(WISHES) - 1:
            continue
        services.micro_wish_review(wish=wish, approve=True, acting_user=worker)
        donor = donors[n % len(donors)]
        kind = "party_member" if donor.person.is_party_member else "resident"
        services.micro_wish_claim(wish=wish, donor_kind=kind, acting_user=donor)
    MicroWish.objects.filter(estate=flagship, status=WishStatus.CLAIMED).update(
        claimed_at=now - datetime.timedelta(hours=3)
    )
    services.renovation_project_create(
        estate=resettlement, kind="fire_main", title="消防管网整治", amount="1260000", acting_user=admin
    )
    services.renovation_project_create(
        estate=resettlement, kind="lift", title="3号楼加装电梯", amount=Decimal("780000"), acting_user=admin
    )
