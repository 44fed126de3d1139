"""The policy journey in Chromium: a unit official drafts a policy in the admin (clauses,
conditions, a test case, a guide) and publishes it (desktop); a qualifying enterprise sees it in
"policies for me" with the reasons and has exactly one notice; a non-qualifying one sees
nothing; one with a missing fact is told which, supplies it, and becomes eligible (phone)."""

import json

import pytest
from allauth.account.models import EmailAddress
from playwright.sync_api import expect

from policies.models import Policy, PolicyStatus
from portal.notifications.models import Notification
from tests.e2e.signin import sign_in, staff_sign_in
from tests.factories import EnterpriseFactory, UnitFactory, enterprise_user, unit_official
from tests.fixtures.browser import fits_the_phone
from tests.fixtures.celery import wait_until

from .factories import HIGH_TECH, qualification

pytestmark = [pytest.mark.e2e]
TITLE = "高新技术企业研发投入补助办法"


def _member(email, **facts):
    enterprise = EnterpriseFactory(**facts)
    user = enterprise_user(enterprise, email=email, language="zh-hans")
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return enterprise, user


def test_draft_publish_and_enterprises_see_it(page, phone_page, live_server, celery_worker,
                                              axe_check, shot, tmp_path):
    from tests.totp import activate_totp

    base = live_server.url
    unit = UnitFactory(code="kjj-e2e", name="区科技局", name_en="District Science Bureau")
    official = unit_official(unit, full_name="王科长", language="zh-hans")
    EmailAddress.objects.create(user=official, email=official.email, verified=True,
                                primary=True)
    secret = activate_totp(official)
    good, good_user = _member("good@qiye.example.cn", registered_capital=500)
    good.qualifications.add(qualification())
    _bad, bad_user = _member("bad@qiye.example.cn", registered_capital=10)
    _later, later_user = _member("later@qiye.example.cn", registered_capital=800)

    # --- the unit drafts the policy (desktop admin)
    staff_sign_in(page, base, official, secret, axe_check, path="/admin/policies/policy/add/")
    page.fill("#id_title", TITLE)
    page.fill("#id_document_number", "埔科〔2026〕12号")
    page.fill("#id_summary", "对区内高新技术企业的研发投入给予补助。")
    page.fill("#id_conditions", json.dumps(HIGH_TECH, ensure_ascii=False))
    page.fill("#id_clauses-0-number", "第二条")
    page.fill("#id_clauses-0-text", "申请企业应为有效期内的高新技术企业。")
    page.locator("#clauses-group .add-row a").click()
    page.fill("#id_clauses-1-number", "第三条")
    page.fill("#id_clauses-1-text", "申请企业注册资本不低于100万元。")
    page.fill("#id_guide-0-who_benefits", "区内高新技术企业")
    page.fill("#id_guide-0-conditions", "见第二条、第三条")
    page.fill("#id_guide-0-amount", "按研发投入的10%补助，最高50万元")
    page.fill("#id_guide-0-how_to_apply", "登录本平台，在政策页面申报")
    page.fill("#id_guide-0-contact", "区科技局 020-82000000")
    page.fill("#id_test_cases-0-name", "有高企资质、注册资本500万元")
    page.fill("#id_test_cases-0-profile",
              '{"qualifications": ["high-tech"], "registered_capital": 500}')
    page.select_option("#id_test_cases-0-expected", "eligible")
    shot(page, "1-draft")
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist")).to_be_visible()
    policy = Policy.objects.get(title=TITLE)
    assert policy.status == PolicyStatus.DRAFT

    # --- and publishes it with the admin action
    page.locator(f"input[name=_selected_action][value='{policy.pk}']").check()
    page.select_option("select[name=action]", "publish")
    page.locator("button[name=index]").click()
    expect(page.locator(".messagelist .success")).to_contain_text("第1版")
    shot(page, "2-published")
    policy.refresh_from_db()
    assert policy.status == PolicyStatus.IN_FORCE
    wait_until(lambda: Notification.objects.filter(recipient=later_user).count() == 1,
               message="the notices")

    # --- the qualifying enterprise (phone): reasons, one notice
    p = phone_page
    sign_in(p, base, good_user.email)
    p.goto(base + "/policies/for-me/")
    expect(p.locator("main")).to_contain_text(TITLE)
    expect(p.locator("main")).to_contain_text("资质：高新技术企业")
    expect(p.locator("main")).to_contain_text("依据第二条")
    axe_check(p)
    fits_the_phone(p)
    shot(p, "3-for-me-phone")
    assert Notification.objects.filter(recipient=good_user).count() == 1
    p.context.clear_cookies()

    # --- the non-qualifying one sees nothing and was not told
    sign_in(p, base, bad_user.email)
    p.goto(base + "/policies/for-me/")
    expect(p.locator("main")).not_to_contain_text(TITLE)
    assert Notification.objects.filter(recipient=bad_user).count() == 0
    p.context.clear_cookies()

    # --- the one with a missing fact is told which, supplies it, becomes eligible
    sign_in(p, base, later_user.email)
    p.goto(base + f"/policies/{policy.pk}/")
    expect(p.locator("#eligibility")).to_contain_text("尚无法判断")
    expect(p.locator("#eligibility")).to_contain_text("是否具有“高新技术企业”资质")
    axe_check(p)
    fits_the_phone(p)
    shot(p, "4-unknown-phone")
    certificate = tmp_path / "高企证书.pdf"
    certificate.write_bytes(b"%PDF-1.4\n% certificate\n")
    p.locator("#id_qualification-high-tech-holds_0").check()
    p.set_input_files("#id_qualification-high-tech-certificate", str(certificate))
    p.locator(".fact-form button[type=submit]").first.click()
    expect(p.locator("#eligibility")).to_contain_text("贵企业符合条件")
    axe_check(p)
    fits_the_phone(p)
    shot(p, "5-eligible-phone")

    # --- desktop view of the same enterprise's list
    page.context.clear_cookies()
    sign_in(page, base, later_user.email)
    page.goto(base + "/policies/for-me/")
    expect(page.locator("main")).to_contain_text(TITLE)
    axe_check(page)
    shot(page, "6-for-me-desktop")
    assert Notification.objects.filter(recipient=later_user).count() == 1
