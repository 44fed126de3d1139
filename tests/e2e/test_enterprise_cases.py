"""An enterprise on a phone (issue 3): files an appeal with a PDF, finds it in "My cases",
opens it, downloads its file, and — once the government side has answered — rates it, first
unhappily (by keyboard; the case goes back for redo), then satisfied (the case closes).
Every page passes axe and fits a 390 px screen."""

import re

import pytest
from allauth.account.models import EmailAddress
from playwright.sync_api import expect

from portal.cases import services
from portal.cases.constants import Status
from portal.cases.models import Case
from tests.cases.factories import PDF_BYTES, CategoryFactory
from tests.e2e.signin import sign_in
from tests.factories import UnitFactory, department_staff, enterprise_user, unit_official
from tests.fixtures.browser import fits_the_phone

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
TITLE = "新厂房消防验收迟迟未排期"


def test_enterprise_files_follows_and_rates_an_appeal_on_a_phone(
        phone_page, live_server, axe_check, shot, tmp_path):
    page, base = phone_page, live_server.url
    category = CategoryFactory(code="construction-e2e", name_zh_hans="工程建设",
                               name_zh_hant="工程建設", name_en="Construction projects")
    unit = UnitFactory(code="zjj-e2e", name="区住房和城乡建设局",
                       name_en="District Housing and Urban-Rural Development Bureau")
    dept, official = department_staff(), unit_official(unit, full_name="郑经办")
    boss = enterprise_user(email="boss@zhizao.example.cn", full_name="张经理")
    EmailAddress.objects.create(user=boss, email=boss.email, verified=True, primary=True)
    pdf = tmp_path / "消防验收申请回执.pdf"
    pdf.write_bytes(PDF_BYTES)

    # 1. File the appeal with a PDF.
    sign_in(page, base, boss.email)
    page.goto(base + "/cases/new/")
    axe_check(page)
    fits_the_phone(page)
    page.check("input[name=appeal_type][value=help]")
    page.select_option("#id_category", str(category.pk))
    page.fill("#id_title", TITLE)
    page.fill("#id_description", "我司新厂房已于上月提交消防验收申请，至今未收到现场验收排期，"
                                 "生产线设备已进场，希望尽快安排。")
    page.set_input_files("#id_attachments", str(pdf))
    shot(page, "1-new-appeal")
    page.locator("main form button[type=submit]").click()

    case = Case.objects.get()
    expect(page).to_have_url(re.compile(rf"/cases/{case.pk}/$"))
    expect(page.locator(".message-success")).to_contain_text(case.reference)
    expect(page.locator("h1")).to_have_text(TITLE)
    expect(page.locator(".case-timeline")).to_contain_text("消防验收申请回执.pdf")
    axe_check(page)
    fits_the_phone(page)
    shot(page, "2-case-submitted")
    # Reloading the page after the redirect does not file it again.
    page.reload()
    assert Case.objects.count() == 1

    # 2. "My cases" lists it; open it from there, and download the file.
    page.goto(base + "/cases/")
    row = page.locator("table.case-list tbody tr").filter(has_text=case.reference)
    expect(row).to_contain_text(TITLE)
    axe_check(page)
    fits_the_phone(page)
    shot(page, "3-my-cases")
    row.get_by_role("link", name=TITLE).click()
    expect(page).to_have_url(re.compile(rf"/cases/{case.pk}/$"))
    with page.expect_download() as download:
        page.get_by_role("link", name="消防验收申请回执.pdf").first.click()
    assert download.value.suggested_filename == "消防验收申请回执.pdf"
    assert open(download.value.path(), "rb").read() == PDF_BYTES

    # 2b. While it is open, add material (补充材料) from the case page.
    page.fill("#id_supplement-note", "补充：消防设施检测报告已取得。")
    page.locator("form[action$='/material/'] button[type=submit]").click()
    expect(page.locator(".message-success")).to_contain_text(case.reference)
    expect(page.locator(".case-timeline")).to_contain_text("消防设施检测报告已取得")
    axe_check(page)
    fits_the_phone(page)
    shot(page, "2b-material-added")

    # 3. The department assigns it, the unit signs for it, notes something, and answers.
    case = services.case_assign(case=case, actor=dept, unit=unit, note="请本周内安排")
    case = services.case_sign_for(case=case, actor=official)
    services.case_add_internal_note(case=case, actor=official, note="内部：需协调消防大队")
    case = services.case_answer(case=case, actor=official,
                                answer="已安排下周三上午现场验收，请提前准备竣工图纸。")

    # 4. Rate by keyboard: 2 without a comment is refused, with one it goes back for redo.
    page.reload()
    expect(page.locator("#answer-h")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("需协调消防大队")
    expect(page.locator("main")).not_to_contain_text("郑经办")
    axe_check(page)
    shot(page, "4-answered")
    page.locator("input[name=score][value='2']").focus()
    page.keyboard.press("Space")
    page.locator("form[action$='/rating/'] button[type=submit]").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#id_comment_error, .has-error .errorlist").first).to_be_visible()
    expect(page.locator("#id_comment")).to_have_attribute("aria-invalid", "true")
    axe_check(page)
    shot(page, "5-rating-needs-comment")
    assert Case.objects.get(pk=case.pk).status == Status.ANSWERED
    page.locator("input[name=score][value='2']").check()
    page.locator("#id_comment").fill("验收时间仍未书面确认。")
    page.locator("#id_comment").press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator(".message-success")).to_contain_text(unit.name)
    assert Case.objects.get(pk=case.pk).status == Status.REOPENED

    # 5. The unit answers again; rated 5, the case closes and the timeline tells it all.
    case = services.case_start(case=Case.objects.get(pk=case.pk), actor=official)
    services.case_answer(case=case, actor=official, answer="已书面确认：11月27日上午9时验收。")
    page.reload()
    page.locator("input[name=score][value='5']").check()
    page.locator("form[action$='/rating/'] button[type=submit]").click()
    expect(page.locator(".message-success")).to_be_visible()
    assert Case.objects.get(pk=case.pk).status == Status.CLOSED
    timeline = page.locator(".case-timeline > li")
    expect(timeline).to_have_count(10)  # submit, material … rate, twice answered and rated
    expect(page.locator(".case-timeline")).not_to_contain_text("请本周内安排")
    axe_check(page)
    fits_the_phone(page)
    shot(page, "6-closed")
