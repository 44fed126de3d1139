"""On a phone, in Traditional Chinese and English (issue 12): the appeal page names its unit
and category in the reader's script, and the new-appeal form that failed says what to do, with
focus on its summary."""

import pytest
from allauth.account.models import EmailAddress
from playwright.sync_api import expect

from tests.cases.factories import CategoryFactory, assigned_case
from tests.e2e.signin import sign_in
from tests.factories import UnitFactory, department_staff, enterprise_user
from tests.fixtures.browser import fits_the_phone

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language, unit, category, heading, title_message", [
    ("zh-hant", "區發展和改革局", "政策兌現", "提交未成功，請修改以下問題", "請填寫訴求標題"),
    ("en", "District Development and Reform Bureau", "Policy benefits", "There is a problem",
     "Enter a title for your appeal"),
])
def test_reference_names_and_form_errors_in_the_readers_language(
        phone_page, live_server, axe_check, shot, language, unit, category, heading,
        title_message):
    page, base = phone_page, live_server.url
    fgj = UnitFactory(code="fgj-phone", name="区发展和改革局",
                      name_en="District Development and Reform Bureau")
    topic = CategoryFactory(code="policy-phone", name_zh_hans="政策兑现", name_zh_hant="政策兌現",
                            name_en="Policy benefits")
    boss = enterprise_user(email=f"{language}@zhizao.example.hk", full_name="陳經理")
    EmailAddress.objects.create(user=boss, email=boss.email, verified=True, primary=True)
    case = assigned_case(department_staff(), fgj, submitter=boss, category=topic,
                         title="高新技術企業認定獎勵資金何時兌現")
    page.context.add_cookies([{"name": "portal_language", "value": language, "url": base}])
    sign_in(page, base, boss.email)

    page.goto(f"{base}/cases/{case.pk}/")
    facts = page.locator("main")
    expect(facts).to_contain_text(unit)
    expect(facts).to_contain_text(category)
    expect(facts).not_to_contain_text("区发展和改革局")
    fits_the_phone(page)
    axe_check(page)
    shot(page, f"appeal-{language}")

    page.goto(f"{base}/cases/new/")
    page.select_option("#id_category", label=category)
    page.locator("main form button[type=submit]").click()
    summary = page.locator("[data-error-summary]")
    expect(summary.locator("h2")).to_have_text(heading)
    expect(summary).to_contain_text(title_message)
    page.wait_for_function("() => document.activeElement.matches('[data-error-summary]')")
    summary.get_by_role("link", name=title_message).click()
    assert page.evaluate("() => document.activeElement.id") == "id_title"
    expect(page.locator("#id_subject_unit")).to_contain_text(unit)
    fits_the_phone(page)
    axe_check(page)
    page.evaluate("() => window.scrollTo(0, 0)")
    shot(page, f"new-appeal-errors-{language}")
