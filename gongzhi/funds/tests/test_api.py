import json

import pytest

from gongzhi.funds import services
from gongzhi.funds.models import MicroWish

pytestmark = pytest.mark.django_db


def test_fund_balance_and_flows_over_json(world, fund, admin, client_for):
    services.fund_contribute(
        fund=fund,
        source="company",
        amount="1000.50",
        counterparty="企业",
        on_date="2025-01-02",
        evidence="R1",
        acting_user=admin,
    )
    body = client_for("other_resident").get(f"/api/v1/funds/{fund.id}").json()
    assert body["balance"] == "1000.50"
    assert {"source": "company", "amount": "1000.50"} in body["by_source"]
    assert client_for("other_resident").get("/api/v1/funds/").json()[0]["balance"] == "1000.50"


def test_post_and_claim_a_wish_over_json(world, client_for):
    response = client_for("resident").post(
        "/api/v1/funds/wishes",
        json.dumps({"estate_id": world.estate.id, "title": "一副老花镜"}),
        content_type="application/json",
    )
    assert response.status_code == 201
    wish = MicroWish.objects.get()
    services.micro_wish_review(wish=wish, approve=True, acting_user=world.users["community_worker"])
    assert [w["id"] for w in client_for("committee_chair").get("/api/v1/funds/wishes").json()] == [wish.id]
    url = f"/api/v1/funds/wishes/{wish.id}/claim"
    assert client_for("committee_chair").post(url, "{}", content_type="application/json").json()["status"] == "claimed"
    refused = client_for("branch_secretary").post(url, "{}", content_type="application/json")
    assert refused.status_code == 409 and "已被认领" in refused.json()["detail"]
    assert client_for("other_resident").post(url, "{}", content_type="application/json").status_code == 404
