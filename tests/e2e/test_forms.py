"""Forms that fail, in a real Chromium (issue 12): focus lands on the error summary, each of
its links takes focus to its field, in three languages, on a desktop and on a phone in
large-text mode; axe finds nothing serious on the failed page."""

import pytest
from playwright.sync_api import expect

from tests.e2e.signin import PASSWORD
from tests.fixtures.browser import fits_the_phone

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FOCUSED_ID = "() => document.activeElement && document.activeElement.id"
SUMMARY_FOCUSED = "() => document.activeElement.matches('[data-error-summary]')"


def set_cookies(page, base, **cookies):
    page.context.add_cookies([{"name": name, "value": value, "url": base}
                              for name, value in cookies.items()])


def check_summary_reaches_every_field(page) -> list[str]:
    """After a failed submission: the summary has focus; each link moves focus to its field."""
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_visible()
    # static/js/forms.js runs deferred, once the page is parsed.
    page.wait_for_function(SUMMARY_FOCUSED, timeout=5_000)
    targets = summary.locator("a").evaluate_all("links => links.map(a => a.hash.slice(1))")
    assert targets
    for target in targets:
        summary.locator(f'a[href="#{target}"]').click()
        assert page.evaluate(FOCUSED_ID) == target
        field = page.locator(f"#{target}")
        expect(field).to_be_in_viewport()
        # The field says what is wrong beside it, through an element that exists.
        described = field.get_attribute("aria-describedby") or page.locator(
            f"#{target}").evaluate("el => el.closest('fieldset').getAttribute('aria-describedby')")
        error_id = next(d for d in described.split() if d.endswith("_error"))
        expect(page.locator(f"#{error_id}")).to_be_visible()
    return targets


@pytest.mark.parametrize("language, title_prefix, heading, message", [
    ("zh-hans", "错误：", "提交未成功，请修改以下问题", "请填写您的姓名"),
    ("zh-hant", "錯誤：", "提交未成功，請修改以下問題", "請填寫您的姓名"),
    ("en", "Error: ", "There is a problem", "Enter your full name"),
])
def test_failed_sign_up_moves_focus_to_the_summary_whose_links_reach_the_fields(
        page, live_server, axe_check, shot, language, title_prefix, heading, message):
    base = live_server.url
    set_cookies(page, base, portal_language=language)
    page.goto(base + "/accounts/signup/")
    page.fill("#id_email", "not-an-address")
    page.locator("main form button[type=submit]").click()

    expect(page.locator("[data-error-summary] h2")).to_have_text(heading)
    expect(page.locator("[data-error-summary]")).to_contain_text(message)
    assert page.title().startswith(title_prefix)
    targets = check_summary_reaches_every_field(page)
    assert {"id_full_name", "id_email", "id_credit_code", "id_industry"} <= set(targets)
    axe_check(page)
    page.locator("[data-error-summary]").focus()
    shot(page, f"signup-errors-{language}")


def test_failed_forms_on_a_phone_in_large_text(phone_page, live_server, axe_check, shot):
    """The summary and messages stay readable and inside the screen with large text."""
    base = live_server.url
    set_cookies(phone_page, base, portal_language="zh-hans", portal_text_size="large")
    phone_page.goto(base + "/accounts/signup/")
    phone_page.locator("main form button[type=submit]").click()
    check_summary_reaches_every_field(phone_page)
    fits_the_phone(phone_page)
    phone_page.locator("[data-error-summary]").focus()
    phone_page.evaluate("() => window.scrollTo(0, 0)")
    shot(phone_page, "signup-errors-phone-large")

    # allauth's own sign-in page draws its errors the same way.
    phone_page.goto(base + "/accounts/login/")
    phone_page.fill("#id_login", "nobody@example.com")
    phone_page.fill("#id_password", PASSWORD)
    phone_page.locator("main form button[type=submit]").click()
    expect(phone_page.locator("[data-error-summary]")).to_contain_text("不正确")
    phone_page.wait_for_function(SUMMARY_FOCUSED, timeout=5_000)
    phone_page.goto(base + "/accounts/login/")
    phone_page.locator("main form button[type=submit]").click()
    check_summary_reaches_every_field(phone_page)
    fits_the_phone(phone_page)
    axe_check(phone_page)
    shot(phone_page, "login-errors-phone-large")
