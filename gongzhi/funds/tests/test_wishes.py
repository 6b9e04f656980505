import threading

import pytest
from django.db import OperationalError, connection

from gongzhi.core.errors import DomainError
from gongzhi.funds import services
from gongzhi.funds.models import MicroWish
from gongzhi.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_a_wish_goes_from_posted_to_fulfilled(world, photo, django_capture_on_commit_callbacks):
    wish = services.micro_wish_post(
        estate=world.estate, title="给独居老人买一台收音机", acting_user=world.users["resident"]
    )
    assert wish.status == "pending"
    # Not shown to donors before approval.
    assert not world.users["building_head"].has_perm("funds.claim_wish", wish) or wish.status == "pending"
    with pytest.raises(DomainError, match="尚未通过审核"):
        services.micro_wish_claim(wish=wish, donor_kind="resident", acting_user=world.users["committee_chair"])
    services.micro_wish_review(wish=wish, approve=True, acting_user=world.users["community_worker"])
    with django_capture_on_commit_callbacks(execute=True):
        wish = services.micro_wish_claim(wish=wish, donor_kind="party_member", acting_user=world.users["building_head"])
    assert wish.status == "claimed" and wish.donor == world.person("building_head")
    assert Notification.objects.filter(user=world.users["resident"], kind="wish").exists()
    with pytest.raises(DomainError, match="只有认领人"):
        services.micro_wish_fulfil(wish=wish, photo=photo(), acting_user=world.users["other_resident"])
    wish = services.micro_wish_fulfil(wish=wish, photo=photo(), acting_user=world.users["building_head"])
    assert wish.status == "fulfilled" and wish.photo


def test_a_claim_on_a_claimed_wish_is_refused(world, approved_wish):
    wish = approved_wish()
    services.micro_wish_claim(wish=wish, donor_kind="resident", acting_user=world.users["committee_chair"])
    with pytest.raises(DomainError) as error:
        services.micro_wish_claim(wish=wish, donor_kind="resident", acting_user=world.users["branch_secretary"])
    assert "已被认领" in error.value.message and error.value.status == 409
    assert MicroWish.objects.get(pk=wish.pk).donor == world.person("committee_chair")


def test_bad_claims_are_refused(world, approved_wish, partner_contact):
    wish = approved_wish()
    with pytest.raises(DomainError, match="自己的心愿"):
        services.micro_wish_claim(wish=wish, donor_kind="resident", acting_user=world.users["resident"])
    with pytest.raises(DomainError, match="您不能认领"):
        services.micro_wish_claim(wish=wish, donor_kind="resident", acting_user=world.users["other_resident"])
    with pytest.raises(DomainError, match="只有党员"):
        services.micro_wish_claim(wish=wish, donor_kind="party_member", acting_user=world.users["steward"])
    unit, contact = partner_contact
    with pytest.raises(DomainError, match="不是该共建单位"):
        services.micro_wish_claim(
            wish=wish, donor_kind="partner_unit", donor_unit=unit, acting_user=world.users["committee_chair"]
        )
    claimed = services.micro_wish_claim(wish=wish, donor_kind="partner_unit", donor_unit=unit, acting_user=contact)
    assert claimed.donor_name == "晋江供电公司"


def test_only_residents_of_the_estate_post_and_staff_review(world):
    with pytest.raises(DomainError, match="本小区居民"):
        services.micro_wish_post(estate=world.estate, title="x", acting_user=world.users["other_resident"])
    with pytest.raises(DomainError, match="请写下"):
        services.micro_wish_post(estate=world.estate, title="  ", acting_user=world.users["resident"])
    wish = services.micro_wish_post(estate=world.estate, title="x", acting_user=world.users["resident"])
    with pytest.raises(DomainError):
        services.micro_wish_review(wish=wish, approve=True, acting_user=world.users["steward"])
    with pytest.raises(DomainError, match="原因"):
        services.micro_wish_review(wish=wish, approve=False, acting_user=world.users["community_worker"])
    assert MicroWish.objects.get(pk=wish.pk).status == "pending"


@pytest.mark.django_db(transaction=True)
def test_two_donors_claiming_at_once_one_wins(world, approved_wish):
    wish = approved_wish()
    results = []

    def claim(persona):
        try:
            services.micro_wish_claim(wish=wish, donor_kind="resident", acting_user=world.users[persona])
            results.append("ok")
        except DomainError as error:
            results.append(error.message)
        except OperationalError as error:  # a locked SQLite database under concurrency
            results.append(type(error).__name__)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=claim, args=(p,)) for p in ("committee_chair", "branch_secretary", "building_head")
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("ok") == 1
    assert MicroWish.objects.get(pk=wish.pk).status == "claimed"
