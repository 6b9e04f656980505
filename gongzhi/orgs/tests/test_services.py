import datetime

import pytest

from gongzhi.core.errors import DomainError
from gongzhi.core.models import AuditEntry
from gongzhi.orgs import services
from gongzhi.orgs.models import Organization, ServiceContract

D = datetime.date


def test_each_kind_of_organization_can_be_registered_at_its_level(world):
    admin = world.users["subdistrict_admin"]
    building = world.buildings[0]
    made = [
        services.organization_create(kind="party_group", name="1号楼党小组", place=building, acting_user=admin),
        services.organization_create(
            kind="owners_assembly", name="檀悦小区业主大会", place=world.estate, acting_user=admin
        ),
        services.organization_create(
            kind="supervisory_board", name="檀悦小区监事会", place=world.estate, acting_user=admin
        ),
        services.organization_create(
            kind="party_branch", name="鸿盛名邸功能型党支部", place=world.third_estate, branch_type="functional"
        ),
        services.organization_create(
            kind="property_company",
            name="社区自办物业",
            place=world.community,
            has_party_org=False,
            ownership="community_run",
            credit_code="91350500MA2XXXXX1A",
        ),
        services.organization_create(kind="partner_unit", name="供电所", place=world.subdistrict, has_party_org=True),
        services.organization_create(
            kind="department", name="青阳派出所", place=world.subdistrict, department_kind="police"
        ),
        services.organization_create(kind="residents_committee", name="梅岭社区居委会", place=world.other_community),
    ]
    assert [o.kind for o in made] == [
        "party_group",
        "owners_assembly",
        "supervisory_board",
        "party_branch",
        "property_company",
        "partner_unit",
        "department",
        "residents_committee",
    ]
    assert made[3].branch_type == "functional"
    assert made[4].ownership == "community_run" and not made[4].has_party_org
    assert AuditEntry.objects.filter(action="organization.create").count() == 3


def test_one_branch_may_cover_several_estates(world):
    branch = services.organization_create(
        kind="party_branch", name="联合党支部", place=world.third_estate, covered_places=[world.other_estate]
    )
    assert set(branch.covered_places.all()) == {world.third_estate, world.other_estate}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": "owners_committee", "name": "第二业委会", "place": "estate"}, "已有业主委员会"),
        ({"kind": "party_branch", "name": "错位支部", "place": "community"}, "必须设在小区"),
        ({"kind": "party_branch", "name": "支部", "place": "estate", "branch_type": "odd"}, "未知的支部类型"),
        ({"kind": "property_company", "name": "某物业", "place": "sub", "ownership": "foreign"}, "未知的企业性质"),
        (
            {"kind": "property_company", "name": "某物业", "place": "sub", "credit_code": "123"},
            "统一社会信用代码格式不正确",
        ),
        ({"kind": "department", "name": "某部门", "place": "sub", "has_party_org": True}, "不适用"),
        ({"kind": "owners_committee", "name": " ", "place": "third"}, "组织名称不能为空"),
        ({"kind": "nonsense", "name": "某", "place": "sub"}, "未知的组织类型"),
    ],
)
def test_bad_organizations_are_refused_and_nothing_saved(world, kwargs, message):
    places = {
        "estate": world.estate,
        "community": world.community,
        "sub": world.subdistrict,
        "third": world.third_estate,
    }
    kwargs = {**kwargs, "place": places[kwargs["place"]]}
    before = Organization.objects.count()
    with pytest.raises(DomainError, match=message):
        services.organization_create(**kwargs)
    assert Organization.objects.count() == before


def test_covering_a_community_is_refused(world):
    before = Organization.objects.count()
    with pytest.raises(DomainError, match="只能覆盖小区"):
        services.organization_create(
            kind="party_branch", name="联合党支部", place=world.third_estate, covered_places=[world.community]
        )
    assert Organization.objects.count() == before


def test_contract_end_before_start_is_refused(world):
    company = world.company
    with pytest.raises(DomainError, match="合同结束日期不能早于开始日期"):
        services.contract_create(
            company=company, estate=world.other_estate, starts_on=D(2025, 5, 1), ends_on=D(2025, 4, 30)
        )
    assert ServiceContract.objects.filter(company=company).count() == 1


def test_overlapping_contracts_are_refused_and_consecutive_ones_accepted(world):
    contract = ServiceContract.objects.get(estate=world.estate)
    with pytest.raises(DomainError, match="在该期间已有物业服务合同"):
        services.contract_create(company=world.other_company, estate=world.estate, starts_on=D(2025, 1, 1))
    services.contract_end(contract=contract, ends_on=D(2025, 12, 31))
    with pytest.raises(DomainError, match="在该期间已有物业服务合同"):
        services.contract_create(company=world.other_company, estate=world.estate, starts_on=D(2025, 12, 31))
    new = services.contract_create(company=world.other_company, estate=world.estate, starts_on=D(2026, 1, 1))
    assert services.current_company(world.estate, D(2025, 12, 31)) == world.company
    assert services.current_company(world.estate, D(2026, 1, 1)) == world.other_company
    assert new.ends_on is None


def test_ending_a_contract_before_it_started_is_refused(world):
    contract = ServiceContract.objects.get(estate=world.estate)
    with pytest.raises(DomainError, match="合同结束日期不能早于开始日期"):
        services.contract_end(contract=contract, ends_on=D(2023, 12, 31))
    contract.refresh_from_db()
    assert contract.ends_on is None


def test_dissolving_an_organization_ends_its_posts_access(world):
    from gongzhi.accounts import access

    services.organization_dissolve(organization=world.branch, on=D(2025, 3, 1))
    grants = access.compute_grants(world.users["branch_secretary"], on=D(2025, 3, 2))
    assert not any("meeting_manage" in g.capabilities for g in grants)
    with pytest.raises(DomainError, match="已撤销"):
        services.organization_dissolve(organization=world.branch, on=D(2025, 4, 1))
