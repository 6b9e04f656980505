from django.urls import reverse

from gongzhi.orgs.models import Organization, ServiceContract


def test_worker_registers_a_property_company_and_its_contract(world, client_for):
    client = client_for("community_worker")
    kinds = client.get(reverse("orgs:kinds")).content.decode()
    assert "物业服务企业" in kinds and "职能部门" in kinds
    form = client.get(reverse("orgs:create", args=["property_company"])).content.decode()
    assert "建有党组织" in form and "企业性质" in form and "支部类型" not in form
    response = client.post(
        reverse("orgs:create", args=["property_company"]),
        {"name": "阳光红色物业", "place": world.community.id, "has_party_org": "on", "ownership": "state_owned"},
    )
    company = Organization.objects.get(name="阳光红色物业")
    assert response.status_code == 302 and company.has_party_org and company.ownership == "state_owned"

    # The third estate's contract with 梅岭物业 runs from 2024: a new one overlapping is refused.
    response = client.post(
        reverse("orgs:contract-create"),
        {"company": company.id, "estate": world.third_estate.id, "starts_on": "2025-01-01"},
    )
    assert response.status_code == 200
    assert "在该期间已有物业服务合同" in response.content.decode()
    old = ServiceContract.objects.get(estate=world.third_estate)
    response = client.post(reverse("orgs:contract-end", args=[old.id]), {"on": "2025-06-30"})
    assert response.status_code == 302
    response = client.post(
        reverse("orgs:contract-create"),
        {"company": company.id, "estate": world.third_estate.id, "starts_on": "2025-07-01", "ends_on": "2025-06-01"},
    )
    assert "合同结束日期不能早于开始日期" in response.content.decode()
    response = client.post(
        reverse("orgs:contract-create"),
        {"company": company.id, "estate": world.third_estate.id, "starts_on": "2025-07-01", "ends_on": "2028-06-30"},
    )
    assert response.status_code == 302
    detail = client.get(reverse("orgs:detail", args=[company.id])).content.decode()
    assert "鸿盛名邸" in detail and "2028-06-30" in detail


def test_worker_registers_a_branch_covering_two_estates(world, client_for):
    client = client_for("community_worker")
    response = client.post(
        reverse("orgs:create", args=["party_branch"]),
        {
            "name": "鸿盛联合党支部",
            "place": world.third_estate.id,
            "branch_type": "functional",
            "covered_places": [world.third_estate.id, world.estate.id],
        },
    )
    assert response.status_code == 302
    branch = Organization.objects.get(name="鸿盛联合党支部")
    assert set(branch.covered_places.all()) == {world.third_estate, world.estate}
    assert branch.branch_type == "functional"


def test_worker_cannot_register_at_a_place_outside_the_community(world, client_for):
    client = client_for("community_worker")
    before = Organization.objects.count()
    response = client.post(
        reverse("orgs:create", args=["owners_committee"]), {"name": "梅岭业委会", "place": world.other_estate.id}
    )
    assert response.status_code == 200  # not among the choices
    assert Organization.objects.count() == before


def test_list_shows_the_organizations_in_scope(world, client_for):
    text = client_for("community_worker").get(reverse("orgs:list")).content.decode()
    assert "檀悦小区党支部" in text and "红心物业" in text and "阳光社区居委会" in text
    text = client_for("steward").get(reverse("orgs:list")).content.decode()
    assert "檀悦小区业委会" in text and "阳光社区居委会" not in text


def test_edit_and_dissolve(world, client_for):
    client = client_for("community_worker")
    response = client.post(
        reverse("orgs:edit", args=[world.committee.id]),
        {"name": "檀悦小区第二届业委会", "contact_phone": "0595-1234567"},
    )
    assert response.status_code == 302
    world.committee.refresh_from_db()
    assert world.committee.name == "檀悦小区第二届业委会"
    response = client.post(reverse("orgs:dissolve", args=[world.committee.id]), {"on": "2025-09-01"})
    world.committee.refresh_from_db()
    assert str(world.committee.dissolved_on) == "2025-09-01"


def test_only_those_who_may_end_a_contract_see_the_form(world, client_for):
    url = reverse("orgs:detail", args=[world.company.id])
    assert "结束合同" in client_for("community_worker").get(url).content.decode()
    steward_page = client_for("steward").get(url).content.decode()
    assert "檀悦小区" in steward_page and "结束合同" not in steward_page and "登记合同" not in steward_page
