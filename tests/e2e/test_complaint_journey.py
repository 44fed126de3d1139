"""An anonymous report from filing to its rated outcome, through the pages, in a real Chromium
(issue 14). Three people, each in a browser of their own, reading English:

1. a reporter, on a phone, not signed in, reads the warnings, files a report with a PDF, gets
   the receipt code, downloads the receipt and confirms having saved the code;
2. the complaint desk (password + TOTP) sees who reported (nobody: anonymous), tries to assign
   the accused unit (refused), and assigns an uninvolved unit;
3. the unit's official signs for the case and asks the reporter a question (engine services);
4. the reporter, in a fresh browser on the phone, follows the report with reference and code
   (a wrong code first: "Not found."), answers the question;
5. the official (password + TOTP) records the finding "verified" with its reasoning;
6. the reporter sees the outcome and rates it: the report is closed.

Screenshots on the phone and the desktop in test-artifacts/screenshots/. Rewards, retaliation
and publication are not in this journey yet (tests/rewards covers rewards by services and the
admin).
"""

import re

import pytest
from allauth.account.models import EmailAddress
from playwright.sync_api import expect

from complaints.models import Complaint
from portal.cases import services as case_services
from portal.cases.constants import Status
from portal.cases.models import Case
from tests.cases.factories import PDF_BYTES
from tests.complaints.factories import desk_staff
from tests.e2e.signin import staff_sign_in
from tests.factories import UnitFactory, unit_official
from tests.totp import activate_totp

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def read_english(page, base):
    page.context.add_cookies([{"name": "portal_language", "value": "en", "url": base}])


def test_an_anonymous_report_from_filing_to_its_rated_outcome(
        phone_page, page, second_page, live_server, axe_check, shot, tmp_path, browser):
    base = live_server.url
    reporter, desk_page, official_page = phone_page, page, second_page
    for each in (reporter, desk_page, official_page):
        read_english(each, base)
    bureau = UnitFactory(name="区住房和城乡建设局", name_en="District Housing Bureau")
    accused = UnitFactory(name="区建设工程质量安全监督站", name_en="Construction Quality Station",
                          parent=bureau)
    investigator = UnitFactory(name="区审计局", name_en="District Audit Bureau")
    desk = desk_staff(email="desk@yshj.gov.cn", full_name="林受理")
    desk_secret = activate_totp(desk)
    official = unit_official(investigator, email="audit@ys.gov.cn", full_name="赵审计")
    official_secret = activate_totp(official)
    for person in (desk, official):
        EmailAddress.objects.create(user=person, email=person.email, verified=True,
                                    primary=True)

    # 1. The reporter files on a phone.
    reporter.goto(base + "/complaints/")
    expect(reporter.get_by_text("A lost receipt code cannot be recovered.")).to_be_visible()
    expect(reporter.get_by_text("Anonymous reports are handled but not rewarded.").first
           ).to_be_visible()
    axe_check(reporter)
    reporter.select_option("#id_accused_unit", label="Construction Quality Station")
    reporter.get_by_label("Buck-passing (推诿)").check()
    reporter.fill("#id_title", "验收申请被三次退回且不说明理由")
    reporter.fill("#id_facts", "质量监督站窗口三次退回竣工验收申请，每次只说材料不全，不说明缺什么。")
    reporter.fill("#id_occurred_on", "2026-11-02")
    evidence = tmp_path / "退件记录.pdf"
    evidence.write_bytes(PDF_BYTES)
    reporter.set_input_files("#id_attachments", str(evidence))
    shot(reporter, "phone-1-report-form")
    reporter.get_by_role("button", name="Send the report").click()
    expect(reporter).to_have_url(re.compile(r"/complaints/receipt/$"))
    code = reporter.locator(".receipt-code strong").inner_text().replace(" ", "")
    assert re.fullmatch(r"\d{16}", code)
    complaint = Complaint.objects.get()
    assert complaint.accused_unit == accused
    reference = complaint.reference
    axe_check(reporter)
    shot(reporter, "phone-2-receipt")
    with reporter.expect_download() as download:
        reporter.get_by_role("link", name="Download the receipt").click()
    receipt = download.value.path().read_text(encoding="utf-8")
    assert reference in receipt and code[:4] in receipt
    reporter.get_by_label("I have saved my receipt code").check()
    reporter.get_by_role("button", name="Continue").click()
    expect(reporter).to_have_url(re.compile(r"/complaints/report/$"))

    # 2. The desk: anonymous, the accused unit refused, an uninvolved unit assigned.
    path = f"/admin/complaints/complaint/{complaint.pk}/change/"
    staff_sign_in(desk_page, base, desk, desk_secret, axe_check, path=path)
    expect(desk_page.get_by_text("Anonymous: the reporter holds a receipt code")).to_be_visible()
    desk_page.select_option("#id_assign-unit", label="Construction Quality Station")
    desk_page.get_by_role("button", name="Assign to an uninvolved unit").click()
    expect(desk_page.get_by_text("cannot investigate this report").first).to_be_visible()
    shot(desk_page, "desktop-3-desk-refuses-the-accused-unit")
    desk_page.select_option("#id_assign-unit", label="District Audit Bureau")
    desk_page.get_by_role("button", name="Assign to an uninvolved unit").click()
    expect(desk_page.get_by_text("was assigned to District Audit Bureau")).to_be_visible()
    assert Case.objects.get(pk=complaint.pk).responsible_unit == investigator

    # 3. The unit signs for it and asks (the engine's own steps).
    case = case_services.case_sign_for(case=complaint.case, actor=official)
    case_services.case_request_info(case=case, actor=official, question="请说明第三次退件的日期。")

    # 4. The reporter follows the report in a fresh phone browser.
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                  is_mobile=True, has_touch=True, locale="zh-CN")
    fresh = context.new_page()
    read_english(fresh, base)
    fresh.goto(base + "/complaints/follow/")
    fresh.fill("#id_reference", reference)
    fresh.fill("#id_code", "0000000000000000")
    fresh.get_by_role("button", name="Open the report").click()
    expect(fresh.get_by_text("Not found.")).to_be_visible()
    shot(fresh, "phone-4-not-found")
    fresh.fill("#id_reference", reference)
    fresh.fill("#id_code", code)
    fresh.get_by_role("button", name="Open the report").click()
    expect(fresh.locator("blockquote.case-quote")).to_have_text("请说明第三次退件的日期。")
    axe_check(fresh)
    fresh.fill("#id_information", "11月2日上午。")
    fresh.get_by_role("button", name="Send the answer").click()
    expect(fresh.get_by_text("Your answer was sent to the investigators.")).to_be_visible()
    assert Case.objects.get(pk=complaint.pk).status == Status.IN_PROGRESS

    # 5. The official records the finding in the admin.
    staff_sign_in(official_page, base, official, official_secret, axe_check, path=path)
    official_page.get_by_label("Verified", exact=True).check()
    official_page.fill("#id_finding-reasoning", "调阅退件记录与窗口录像，三次退件均未告知所缺材料，情况属实，已责令整改。")
    official_page.get_by_role("button", name="Record the finding").click()
    expect(official_page.get_by_text("The finding on")).to_be_visible()
    shot(official_page, "desktop-5-finding-recorded")

    # 6. The reporter sees the outcome and rates it.
    fresh.reload()
    expect(fresh.get_by_text("Outcome of the investigation")).to_be_visible()
    shot(fresh, "phone-6-outcome")
    fresh.get_by_label("5 — very satisfied").check()
    fresh.get_by_role("button", name="Send my rating").click()
    expect(fresh.get_by_text("Thank you for rating the outcome.")).to_be_visible()
    assert Case.objects.get(pk=complaint.pk).status == Status.CLOSED
    shot(fresh, "phone-7-closed")
    context.close()


def test_a_named_report_is_rewarded_by_two_people_and_the_reporter_confirms(
        phone_page, page, second_page, live_server, axe_check, shot):
    """A named report: filed signed in on a phone, verified (services), a reward proposed by one
    staff member and approved and paid by another in the admin, confirmed by the reporter."""
    from tests.e2e.signin import sign_in
    from tests.factories import department_staff, enterprise_user
    from tests.rewards.factories import exclusions, tier

    base = live_server.url
    reporter, proposer_page, approver_page = phone_page, page, second_page
    for each in (reporter, proposer_page, approver_page):
        read_english(each, base)
    accused = UnitFactory(name="区市场监督管理局", name_en="District Market Regulation")
    investigator = UnitFactory(name="区审计局", name_en="District Audit Bureau")
    person = enterprise_user(email="boss@zhizao.example.cn", full_name="周举报")
    EmailAddress.objects.create(user=person, email=person.email, verified=True, primary=True)
    desk = desk_staff()
    official = unit_official(investigator)
    proposer = department_staff(email="prop@yshj.gov.cn", full_name="陈提议")
    approver = department_staff(email="appr@yshj.gov.cn", full_name="吴审批")
    secrets_ = {}
    for staff in (proposer, approver):
        EmailAddress.objects.create(user=staff, email=staff.email, verified=True, primary=True)
        secrets_[staff.pk] = activate_totp(staff)
    exclusions()
    tier("1000", name="Verified graft")

    # The reporter files under their name.
    sign_in(reporter, base, person.email)
    reporter.goto(base + "/complaints/")
    expect(reporter.get_by_text("the report is filed under your name").first).to_be_visible()
    reporter.select_option("#id_accused_unit", label="District Market Regulation")
    reporter.get_by_label("Graft or obstruction (吃拿卡要)").check()
    reporter.fill("#id_title", "检查人员暗示请吃饭")
    reporter.fill("#id_facts", "日常检查时检查人员暗示“安排一下”才能通过。")
    reporter.get_by_role("button", name="Send the report").click()
    expect(reporter.get_by_text("Only the complaint desk knows it came from you.")).to_be_visible()
    complaint = Complaint.objects.get()
    assert complaint.named and complaint.accused_unit == accused
    from complaints import services as complaint_services

    complaint_services.complaint_assign(complaint=complaint, actor=desk, unit=investigator)
    case_services.case_sign_for(case=complaint.case, actor=official)
    complaint_services.complaint_record_finding(complaint=complaint, actor=official,
                                                finding="verified", reasoning="经查属实。")

    # One staff member proposes ...
    staff_sign_in(proposer_page, base, proposer, secrets_[proposer.pk], axe_check,
                  path="/admin/rewards/rewardproposal/add/")
    proposer_page.fill("#id_report", complaint.reference)
    proposer_page.select_option("#id_tier", label="Verified graft (1000.00)")
    for box in proposer_page.locator("input[name=not_excluded]").all():
        box.check()
    proposer_page.get_by_role("button", name="Propose the reward").click()
    expect(proposer_page.get_by_text("another staff member must approve it")).to_be_visible()
    expect(proposer_page.get_by_role("button", name="Approve or refuse")).to_have_count(0)
    shot(proposer_page, "desktop-reward-proposed")
    change = proposer_page.url.removeprefix(base)

    # ... another approves and records the payment.
    staff_sign_in(approver_page, base, approver, secrets_[approver.pk], axe_check, path=change)
    approver_page.get_by_label("Approve", exact=True).check()
    approver_page.get_by_role("button", name="Approve or refuse").click()
    expect(approver_page.get_by_text("The decision was recorded.")).to_be_visible()
    approver_page.fill("#id_pay-paid_on", "2026-12-03")
    approver_page.select_option("#id_pay-payment_method", "bank_transfer")
    approver_page.fill("#id_pay-payment_reference", "TRX-20261203-7")
    approver_page.get_by_role("button", name="Record the payment").click()
    expect(approver_page.get_by_text("the reporter is asked to confirm it")).to_be_visible()
    shot(approver_page, "desktop-reward-paid")

    # The reporter confirms on the phone.
    reporter.goto(base + "/rewards/")
    axe_check(reporter)
    shot(reporter, "phone-reward-to-confirm")
    reporter.get_by_role("button", name="I received this payment").click()
    expect(reporter.get_by_text("the receipt of 1000.00 yuan is confirmed")).to_be_visible()
    from rewards.models import RewardProposal

    assert RewardProposal.objects.get().status == "confirmed"

    # The negative case is drafted by one, published by the other, and shows on the public page.
    proposer_page.goto(base + "/admin/complaints/publishedcase/add/")
    proposer_page.get_by_label("Negative case (exposed)").check()
    proposer_page.fill("#id_report", complaint.reference)
    proposer_page.fill("#id_year", "2026")
    proposer_page.fill("#id_title", "检查人员借检查之机暗示吃请")
    proposer_page.fill("#id_title_en", "An inspector hinted at a dinner during an inspection")
    proposer_page.fill("#id_text", "经查属实，已对相关人员问责并通报。")
    proposer_page.fill("#id_text_en", "Verified; the inspector was held to account.")
    proposer_page.get_by_role("button", name="Save the draft").click()
    expect(proposer_page.get_by_text("another person must approve it")).to_be_visible()
    approver_page.goto(base + proposer_page.url.removeprefix(base))
    approver_page.get_by_label("I have read the text").check()
    approver_page.get_by_role("button", name="Approve and publish").click()
    expect(approver_page.get_by_text("The case is published.")).to_be_visible()
    reporter.goto(base + "/complaints/cases/")
    expect(reporter.get_by_text("An inspector hinted at a dinner during an inspection")
           ).to_be_visible()
    assert "周举报" not in reporter.content()
    axe_check(reporter)
    shot(reporter, "phone-published-cases")
    proposer_page.goto(base + "/complaints/cases/")
    shot(proposer_page, "desktop-published-cases")
