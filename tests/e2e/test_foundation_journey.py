"""The foundation in a real Chromium (issue 2): an enterprise signs up (a wrong credit code is
refused first), a colleague asks to join and is approved, the language switches to zh-hant and
en, and an official signs into the admin with TOTP and sees only their own unit."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from portal.orgs.models import Enterprise
from tests.factories import UnitFactory, industry, make_credit_code, unit_official
from tests.totp import activate_totp, current_code

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "Gz-portal-2026!"


def confirm_email(page, base_url, address):
    message = next(m for m in reversed(mail.outbox) if address in m.to)
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+)", message.body).group(1)
    page.goto(base_url + link)
    page.get_by_role("button", name="确认").click()


def fill_person(page, *, name, email):
    page.fill("#id_full_name", name)
    page.fill("#id_email", email)
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)


def test_enterprise_signs_up_colleague_joins_languages_switch(page, browser, live_server, axe_check, shot):
    industry("C")
    base = live_server.url
    code = make_credit_code(seed=2026)

    # 1. Sign up with a wrong code: refused, in words, next to the field.
    page.goto(base + "/accounts/signup/")
    axe_check(page)
    fill_person(page, name="张经理", email="boss@example.com")
    page.fill("#id_credit_code", code[:-1] + ("0" if code[-1] != "0" else "1"))
    page.fill("#id_enterprise_name", "广州黄埔示范智造有限公司")
    page.select_option("#id_industry", "C")
    page.fill("#id_industry_division", "39")
    page.get_by_role("button", name="注册").click()
    expect(page.locator("#id_credit_code_error")).to_contain_text("不是有效的统一社会信用代码")
    expect(page.locator("#id_credit_code")).to_have_attribute("aria-invalid", "true")
    axe_check(page)
    shot(page, "signup-invalid-code")
    assert not Enterprise.objects.exists()

    # 2. The right code: the enterprise is registered, the e-mail confirmed, the user signed in.
    page.fill("#id_credit_code", code)
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.get_by_role("button", name="注册").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("验证")
    confirm_email(page, base, "boss@example.com")
    expect(page.locator(".message-success").first).to_contain_text("boss@example.com")
    page.goto(base + "/")
    expect(page.get_by_text("您当前代表广州黄埔示范智造有限公司办理事项")).to_be_visible()
    shot(page, "home-signed-in")

    # 3. A colleague, in another browser context, asks to join with the same code.
    colleague = browser.new_context(locale="zh-CN").new_page()
    colleague.goto(base + "/accounts/signup/")
    fill_person(colleague, name="李会计", email="li@example.com")
    colleague.get_by_label("加入已注册的企业").check()
    colleague.fill("#id_credit_code", code.lower())
    colleague.fill("#id_join_message", "我是公司财务")
    colleague.get_by_role("button", name="注册").click()
    confirm_email(colleague, base, "li@example.com")
    colleague.goto(base + "/")
    expect(colleague.get_by_text("正等待该企业管理员审批")).to_be_visible()

    # 4. The administrator approves the request on the members page.
    page.goto(base + "/enterprise/members/")
    axe_check(page)
    shot(page, "members-pending")
    page.get_by_role("button", name="同意李会计的申请").click()
    expect(page.locator(".message-success")).to_contain_text("李会计")
    colleague.reload()
    expect(colleague.get_by_text("您当前代表广州黄埔示范智造有限公司办理事项")).to_be_visible()
    colleague.context.close()

    # 5. The language switcher: Traditional Chinese, then English, then back.
    page.goto(base + "/")
    page.select_option("#lang-select", "zh-hant")
    page.get_by_role("button", name="切换").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hant")
    expect(page.locator(".brand-name")).to_have_text("營商環境政企通")
    axe_check(page)
    shot(page, "home-zh-hant")
    page.select_option("#lang-select", "en")
    page.get_by_role("button", name="切換").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".brand-name")).to_have_text("Yingshang Portal")
    axe_check(page)
    shot(page, "home-en")

    # 6. Large-text mode, by keyboard only.
    page.get_by_role("button", name="Large text").focus()
    page.keyboard.press("Enter")
    expect(page.locator("body")).to_have_class(re.compile("large-text"))
    shot(page, "home-en-large-text")


def test_official_signs_in_with_totp_and_sees_only_their_unit(page, live_server, axe_check, shot):
    base = live_server.url
    own = UnitFactory(code="scjg", name="区市场监督管理局")
    UnitFactory(code="swj", name="区税务局")
    official = unit_official(own, email="lin@scjg.gov.cn")
    official.emailaddress_set.create(email=official.email, verified=True, primary=True)
    secret = activate_totp(official)

    page.goto(base + "/admin/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.fill("#id_login", official.email)
    page.fill("#id_password", "correct-horse-battery")
    page.locator("main").get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    axe_check(page)
    shot(page, "totp-prompt")
    page.fill("#id_code", current_code(secret))
    page.locator("main").get_by_role("button").first.click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
    shot(page, "admin-index")

    page.goto(base + "/admin/orgs/unit/")
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("区市场监督管理局")
    expect(page.locator("#result_list")).not_to_contain_text("区税务局")
    shot(page, "admin-units-own-only")
