"""An enterprise on a phone disputes the fulfilment of its agreement: it is told of the recorded
fulfilment, opens the commitment, first sends no reason (refused in words, nothing changes),
then a reason; the clause shows as disputed and the department has one supervision item.
Every page passes axe and fits a 390 px screen."""

import datetime

import pytest
from allauth.account.models import EmailAddress
from playwright.sync_api import expect

from policies.commitments import services
from policies.commitments.constants import ClauseStatus
from policies.commitments.models import Clause
from portal.cases.models import SupervisionItem
from tests.cases.factories import PDF_BYTES, upload
from tests.e2e.signin import sign_in, staff_sign_in
from tests.factories import UnitFactory, enterprise_user, unit_official
from tests.fixtures.browser import fits_the_phone

from .factories import commitment

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_enterprise_disputes_a_fulfilment_on_a_phone(phone_page, live_server, axe_check, shot):
    page, base = phone_page, live_server.url
    unit = UnitFactory(code="swj-e2e", name="区商务局", name_en="District Commerce Bureau")
    official = unit_official(unit, full_name="李经办")
    c = commitment(unit=unit, title="智能制造产业园项目投资协议", due=datetime.date(2026, 6, 30))
    boss = enterprise_user(
        c.enterprise, email="boss@yuanqu.example.cn", full_name="陈总", language="zh-hans"
    )
    EmailAddress.objects.create(user=boss, email=boss.email, verified=True, primary=True)
    clause = c.clauses.get()
    services.fulfilment_record(
        actor=official,
        clause=clause,
        note="落户奖励100万元已于2026年6月28日拨付。",
        fulfilled_on=datetime.date(2026, 6, 28),
        files=[upload("拨付凭证.pdf", PDF_BYTES, "application/pdf")],
    )

    sign_in(page, base, boss.email)
    page.goto(base + "/inbox/")
    page.locator("main a", has_text="区商务局").first.click()
    expect(page.locator("h1")).to_have_text("智能制造产业园项目投资协议")
    expect(page.locator(".case-files")).to_contain_text("拨付凭证.pdf")
    axe_check(page)
    fits_the_phone(page)
    shot(page, "1-commitment")

    # No reason: refused in words, the clause unchanged.
    page.locator(f"#clause-{clause.pk} form button.secondary").click()
    expect(page.locator(".errorlist, .error-summary").first).to_be_visible()
    assert Clause.objects.get().status == ClauseStatus.FULFILLED
    axe_check(page)
    fits_the_phone(page)
    shot(page, "2-no-reason")

    page.fill(f"#id_c{clause.pk}-reason", "协议约定100万元，实际到账50万元，差额未说明。")
    page.locator(f"#clause-{clause.pk} form button.secondary").click()
    expect(page.locator(".message-success")).to_be_visible()
    assert Clause.objects.get().status == ClauseStatus.DISPUTED
    assert SupervisionItem.objects.filter(unit=unit).count() == 1
    expect(page.locator(f"#clause-{clause.pk}")).to_contain_text("差额未说明")
    expect(page.locator(f"#clause-{clause.pk} form")).to_have_count(0)
    axe_check(page)
    fits_the_phone(page)
    shot(page, "3-disputed")

    # The public page counts the dispute against the unit.
    page.goto(base + "/commitments/rates/")
    expect(page.locator(f"#unit-{unit.code}")).to_contain_text("区商务局")
    axe_check(page)
    fits_the_phone(page)
    shot(page, "4-rates")


def test_an_official_records_evidence_in_the_admin(page, live_server, axe_check, shot, tmp_path):
    """Desktop admin: the official of the responsible unit opens the clause, records what was
    done with a PDF; the enterprise's members are told."""
    from tests.totp import activate_totp

    base = live_server.url
    unit = UnitFactory(code="swj-e2e2", name="区商务局", name_en="District Commerce Bureau")
    official = unit_official(unit, full_name="李经办")
    EmailAddress.objects.create(user=official, email=official.email, verified=True, primary=True)
    secret = activate_totp(official)
    c = commitment(unit=unit, title="智能制造产业园项目投资协议")
    boss = enterprise_user(c.enterprise)
    clause = c.clauses.get()
    pdf = tmp_path / "拨付凭证.pdf"
    pdf.write_bytes(PDF_BYTES)
    path = f"/admin/commitments/clause/{clause.pk}/change/"
    staff_sign_in(page, base, official, secret, axe_check, path=path)
    page.get_by_role("link", name="登记兑现情况").click()
    axe_check(page)
    page.fill("#id_note", "落户奖励100万元已拨付。")
    page.set_input_files("#id_files", str(pdf))
    shot(page, "1-record")
    page.locator("input[type=submit]").click()
    expect(page.locator(".messagelist")).to_be_visible()
    expect(page.locator("a[download]", has_text="拨付凭证.pdf")).to_be_visible()
    axe_check(page)
    shot(page, "2-recorded")
    assert Clause.objects.get().status == ClauseStatus.FULFILLED
    assert boss.notifications.count() == 1
