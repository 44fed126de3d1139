"""A visitor on a phone reads a support policy commitment: the list and the page link the policy
it rests on; once the policy is repealed the page says so, and the link still leads to the
policy's own page. Every page passes axe and fits a 390 px screen."""

import pytest
from playwright.sync_api import expect

from policies.commitments.constants import CommitmentKind
from policies.commitments.models import Commitment
from policies.models import PolicyStatus
from tests.factories import UnitFactory
from tests.fixtures.browser import fits_the_phone
from tests.policies.factories import make_policy

from .factories import commitment

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_visitor_follows_the_commitment_to_its_policy_on_a_phone(
    phone_page, live_server, axe_check, shot
):
    page, base = phone_page, live_server.url
    unit = UnitFactory(code="kjj-e2e", name="区科技局", name_en="District Science Bureau")
    policy = make_policy(unit=unit, title="高新技术企业研发补助办法")
    policy.status = PolicyStatus.IN_FORCE
    policy.save(update_fields=["status"])
    c = commitment(
        unit=unit,
        kind=CommitmentKind.SUPPORT_POLICY,
        title="研发补助按季兑现",
        number=policy.document_number,
    )
    Commitment.objects.filter(pk=c.pk).update(policy=policy)

    page.goto(base + "/commitments/")
    expect(page.locator(f'a[href="/policies/{policy.pk}/"]')).to_have_text(policy.document_number)
    axe_check(page)
    fits_the_phone(page)
    page.locator("main h2 a", has_text="研发补助按季兑现").click()
    expect(page.locator("#commitment-policy")).to_have_text("高新技术企业研发补助办法")
    expect(page.locator("#policy-standing")).to_have_count(0)
    axe_check(page)
    fits_the_phone(page)
    shot(page, "1-in-force")

    policy.status = PolicyStatus.REPEALED
    policy.save(update_fields=["status"])
    page.reload()
    expect(page.locator("#policy-standing")).to_contain_text("废止")
    axe_check(page)
    fits_the_phone(page)
    shot(page, "2-repealed")

    page.locator("#commitment-policy").click()
    expect(page.locator("h1")).to_contain_text("高新技术企业研发补助办法")
    axe_check(page)
    fits_the_phone(page)
    shot(page, "3-policy-page")
