"""The department splits (交办) a case among three units from the admin, in a real Chromium:
the "Assign to several units" form, then the parts table on the case, each part with its own
unit, state and due date; an official of one unit sees only their part. Checked with axe and
looked at in screenshots (issue 11: the form and the table had only met the test client)."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.utils.translation import gettext_lazy as _
from playwright.sync_api import expect

from portal.cases import services
from portal.cases.constants import PART_TRANSITIONS, Action
from portal.cases.kinds import GOVERNMENT, Audience, KindSpec, Party, Side, register, unregister
from portal.cases.models import Case
from portal.cases.workflows import STANDARD_TRANSITIONS
from tests.e2e.signin import staff_sign_in
from tests.factories import UnitFactory, department_staff, unit_official
from tests.totp import activate_totp

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FINDING = KindSpec(
    code="testfinding", label=_("Test finding"),
    transitions={**STANDARD_TRANSITIONS, **PART_TRANSITIONS},
    audiences={Action.SUBMIT: Audience.SUBMITTER | GOVERNMENT,
               Action.PARTS_ANSWERED: Audience.SUBMITTER | GOVERNMENT},
    party=Party.SEALED, sealed=True, parts=True, auto_close_unrated=False,
    notify_sealed_submitter=lambda case, subject, body: None,
)


@pytest.fixture
def finding_kind():
    register(FINDING)
    yield FINDING
    unregister(FINDING.code)


def _staff(user, page, base, axe_check, path):
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    staff_sign_in(page, base, user, activate_totp(user), axe_check, path=path)


def test_the_department_splits_a_case_among_three_units_in_the_admin(
        finding_kind, page, browser, live_server, axe_check, shot):
    base = live_server.url
    units = [UnitFactory(code=f"split-{code}", name=name, name_en=en) for code, name, en in (
        ("zjj", "区住房和城乡建设局", "District Housing Bureau"),
        ("scjg", "区市场监督管理局", "District Market Regulation"),
        ("xfj", "区消防救援大队", "District Fire Brigade"))]
    UnitFactory(code="split-swj", name="区税务局", name_en="District Tax Bureau")
    dept = department_staff(email="li@yshj.gov.cn")
    case = services.case_open(kind=FINDING.code, actor=None, side=Side.REPORTER,
                              title="工业园区消防通道长期被占用",
                              description="园区消防通道被违章搭建占用，涉及住建、市场监管和消防。")

    _staff(dept, page, base, axe_check, f"/admin/cases/case/{case.pk}/change/")
    page.get_by_role("link", name=re.compile("Assign to several units|交办")).first.click()
    expect(page).to_have_url(re.compile(rf"/admin/cases/case/{case.pk}/step/split/"))
    axe_check(page)
    shot(page, "1-split-form")

    # Nothing chosen: the engine's refusal, on the form, nothing saved.
    page.locator('form button[type="submit"], form input[type="submit"]').last.click()
    expect(page.locator(".errorlist, .errornote").first).to_be_visible()
    assert not Case.objects.filter(parent=case).exists()
    for unit in units:
        page.get_by_label(re.compile(unit.name)).check()
    page.locator('form button[type="submit"], form input[type="submit"]').last.click()
    expect(page).to_have_url(re.compile(rf"/admin/cases/case/{case.pk}/change/"))
    expect(page.locator(".messagelist .success")).to_contain_text(case.reference)
    parts = {p.responsible_unit_id: p for p in Case.objects.filter(parent=case)}
    assert set(parts) == {u.pk for u in units}
    table = page.locator("table", has_text=parts[units[0].pk].reference)
    for unit in units:
        row = table.locator("tr", has_text=parts[unit.pk].reference)
        expect(row).to_contain_text(unit.name)
    expect(table).not_to_contain_text("区税务局")
    axe_check(page)
    shot(page, "2-parts-table")

    # One unit's official: their part in their queue, not the others'.
    official = unit_official(units[1], email="zhao@scjg.gov.cn", full_name="赵经办")
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    other = context.new_page()
    try:
        _staff(official, other, base, axe_check, "/admin/cases/case/")
        rows = other.locator("#result_list tbody tr")
        expect(rows).to_have_count(1)
        expect(rows).to_contain_text(parts[units[1].pk].reference)
        shot(other, "3-official-queue")
    finally:
        context.close()
