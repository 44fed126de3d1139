"""One appeal from filing to closing, every step through the pages, in a real Chromium
(issue 3). Three people, each in a browser of their own, reading English:

1. an enterprise manager, on a phone, files an appeal with a PDF;
2. the department (password + TOTP) sees the learned routing suggestion with its confidence,
   accepts the appeal, assigns it to the suggested unit and adds an internal note;
3. the unit's official (password + TOTP) signs for it (签收) and answers;
4. the enterprise rates the answer 1 with a comment: the appeal goes back for redo (重办);
5. the unit answers again;
6. the enterprise rates it 5: the appeal is closed;
7. the enterprise's timeline shows every public step, none of the internal ones, and the PDF
   still downloads.

Only the people, units and the past cases the routing model learns from are made
in Python. Every page, the admin's included, is checked with axe.
"""

import re

import pytest
from allauth.account.models import EmailAddress
from playwright.sync_api import expect

from portal.cases.constants import Status
from portal.cases.models import Case
from portal.routing import learning
from portal.routing import selectors as routing_selectors
from portal.routing import services as routing_services
from tests.cases.factories import PDF_BYTES, CategoryFactory
from tests.e2e.signin import sign_in, staff_sign_in
from tests.factories import UnitFactory, department_staff, enterprise_user, unit_official
from tests.fixtures.browser import fits_the_phone
from tests.routing.factories import distinct_appeals, kept_case
from tests.totp import activate_totp

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
TITLE = "新厂房竣工验收迟迟未排期"
DESCRIPTION = ("我司新厂房施工许可已办结，上月提交竣工验收申请，至今未安排质量监督现场验收，"
               "工程款结算也因此搁置，请协调。")
PDF_NAME = "竣工验收申请回执.pdf"
ACCEPT_NOTE = "已受理，将尽快转交主管单位办理。"
INSTRUCTION = "请三个工作日内联系企业"  # to the unit, internal
INTERNAL_NOTE = "内部备注：该企业去年曾两次反映同类问题"
FIRST_ANSWER = "已安排质量监督站下周三上午现场验收，请提前准备竣工图纸。"
UNHAPPY_COMMENT = "验收时间仍未书面确认，现场也无人联系。"
SECOND_ANSWER = "已书面确认：11月27日上午9时现场验收，联系人王工。"
BUILD = "District Housing and Urban-Rural Development Bureau"


@pytest.fixture
def fresh_routing_caches():
    """The learned model and the rules are cached per process: start and end without them."""
    learning.cache_clear()
    routing_selectors.rules_cache_clear()
    yield
    learning.cache_clear()
    routing_selectors.rules_cache_clear()


def read_english(page, base):
    page.context.add_cookies([{"name": "portal_language", "value": "en", "url": base}])


def take_step(page, slug):
    """Follow a link of the case page's Actions box to a step's form."""
    page.locator(f'nav.case-actions a[href$="/step/{slug}/"]').click()
    expect(page).to_have_url(re.compile(rf"/step/{slug}/$"))


def admin_status(page):
    return page.locator(".field-status_display .readonly")


def test_an_appeal_from_filing_to_closing_through_every_page(
        phone_page, page, second_page, live_server, axe_check, shot,
        fresh_routing_caches, tmp_path):
    base = live_server.url
    boss_page, dept_page, official_page = phone_page, page, second_page
    for each in (boss_page, dept_page, official_page):
        read_english(each, base)

    # --- setup: people, units, and past cases the routing model learns from --------------
    category = CategoryFactory(code="construction")  # the reference category 工程建设
    assert category.name_en == "Construction projects"
    units = {
        "build": UnitFactory(code="zjj-journey", name="区住房和城乡建设局", name_en=BUILD),
        "tax": UnitFactory(code="swj-journey", name="区税务局", name_en="District Tax Bureau"),
        "hr": UnitFactory(code="rsj-journey", name="区人力资源和社会保障局",
                          name_en="District Human Resources and Social Security Bureau"),
    }
    dept = department_staff(email="li@yshj.gov.cn", full_name="李科长")
    official = unit_official(units["build"], email="zheng@zjj.gov.cn", full_name="郑经办")
    boss = enterprise_user(email="boss@zhizao.example.cn", full_name="张经理")
    for user in (dept, official, boss):
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    dept_secret, official_secret = activate_totp(dept), activate_totp(official)
    others = {key: official if key == "build" else unit_official(unit)
              for key, unit in units.items()}
    past_submitter = enterprise_user(full_name="往期企业")
    for appeal in distinct_appeals(36, profiles=list(units), seed=303):
        kept_case(dept=dept, official=others[appeal.profile], submitter=past_submitter,
                  title=appeal.title, description=appeal.description, category=category)
    trained = routing_services.routing_model_train()
    assert trained.status == "trained", trained.message
    pdf = tmp_path / PDF_NAME
    pdf.write_bytes(PDF_BYTES)

    # --- 1. The enterprise, on a phone, files the appeal with a PDF ------------------------
    sign_in(boss_page, base, boss.email)
    boss_page.goto(base + "/cases/new/")
    expect(boss_page.locator("h1")).to_have_text("New appeal")
    boss_page.check("input[name=appeal_type][value=help]")
    boss_page.select_option("#id_category", str(category.pk))
    boss_page.fill("#id_title", TITLE)
    boss_page.fill("#id_description", DESCRIPTION)
    boss_page.set_input_files("#id_attachments", str(pdf))
    axe_check(boss_page)
    fits_the_phone(boss_page)
    shot(boss_page, "01-enterprise-new-appeal")
    boss_page.get_by_role("button", name="Submit the appeal").click()

    expect(boss_page).to_have_url(re.compile(r"/cases/\d+/$"))
    expect(boss_page.locator(".message-success")).to_contain_text("Your appeal was submitted")
    reference = boss_page.locator(".case-summary .case-ref").inner_text()
    assert re.fullmatch(r"YS-\d{4}-\d{6}", reference)
    expect(boss_page.locator(".message-success")).to_contain_text(reference)
    expect(boss_page.locator(".case-summary .status")).to_have_text("Submitted")
    expect(boss_page.locator("h1")).to_have_text(TITLE)
    expect(boss_page.locator(".case-timeline")).to_contain_text(PDF_NAME)
    case_url = boss_page.url
    axe_check(boss_page)
    fits_the_phone(boss_page)
    shot(boss_page, "02-enterprise-submitted")

    # --- 2. The department: suggestion, accept, assign to the suggested unit, note ---------
    staff_sign_in(dept_page, base, dept, dept_secret, axe_check)
    dept_page.locator("#result_list").get_by_role("link", name=reference).click()
    expect(dept_page.locator("#content h1")).to_have_text(reference)
    expect(admin_status(dept_page)).to_have_text("Submitted")
    suggestion = dept_page.locator(".case-suggestion")
    expect(suggestion).to_contain_text(f"Suggested unit: {BUILD}")
    expect(suggestion).to_contain_text(
        re.compile(r"\(\d{2,3}% confidence, from: Learned from past assignments\)"))
    expect(suggestion).to_contain_text("Learned from 36 past assignments")
    percent = int(re.search(r"(\d+)% confidence", suggestion.inner_text())[1])
    assert 50 <= percent <= 100, f"a weak suggestion ({percent}%) for a clear case"
    axe_check(dept_page)
    shot(dept_page, "03-department-case-with-suggestion")

    take_step(dept_page, "accept")
    dept_page.fill("#id_note", ACCEPT_NOTE)
    axe_check(dept_page)
    dept_page.get_by_role("button", name="Accept the appeal").click()
    expect(dept_page.locator(".messagelist .success")).to_have_text(f"{reference} was accepted.")
    expect(admin_status(dept_page)).to_have_text("Accepted")
    # Still assignable: the suggestion is still shown, with the same unit.
    expect(dept_page.locator(".case-suggestion")).to_contain_text(BUILD)

    take_step(dept_page, "assign")
    expect(dept_page.locator(".case-suggestion")).to_contain_text(f"{percent}% confidence")
    chosen = dept_page.locator("#id_unit option:checked")
    expect(chosen).to_have_text(BUILD)  # the suggested unit is chosen for the dispatcher
    dept_page.fill("#id_note", INSTRUCTION)
    axe_check(dept_page)
    shot(dept_page, "04-department-assign")
    dept_page.get_by_role("button", name="Assign the case").click()
    expect(dept_page.locator(".messagelist .success")).to_have_text(f"{reference} was assigned.")
    expect(admin_status(dept_page)).to_have_text("Assigned to a unit")
    expect(dept_page.locator(".case-suggestion")).to_have_count(0)  # decided: no suggestion

    take_step(dept_page, "note")
    dept_page.fill("#id_note", INTERNAL_NOTE)
    axe_check(dept_page)
    dept_page.get_by_role("button", name="Add the note").click()
    expect(dept_page.locator(".messagelist .success")).to_have_text(
        f"Your internal note was added to {reference}.")
    note_row = dept_page.locator("#timeline tbody tr").filter(has_text=INTERNAL_NOTE)
    expect(note_row).to_have_class(re.compile("event-internal"))
    expect(note_row.locator("td").last).to_have_text("Internal")
    axe_check(dept_page)
    shot(dept_page, "05-department-assigned-with-note")

    # --- 3. The unit official signs for it and answers --------------------------------------
    staff_sign_in(official_page, base, official, official_secret, axe_check)
    row = official_page.locator("#result_list tbody tr").filter(has_text=reference)
    expect(row).to_contain_text("Assigned to a unit")
    axe_check(official_page)
    shot(official_page, "06-official-queue")
    row.get_by_role("link", name=reference).click()
    expect(official_page.locator("#timeline")).to_contain_text(INTERNAL_NOTE)  # theirs to read
    expect(official_page.locator(".case-suggestion")).to_have_count(0)  # the department's only
    take_step(official_page, "sign-for")
    axe_check(official_page)
    official_page.get_by_role("button", name="Sign for the case").click()
    expect(official_page.locator(".messagelist .success")).to_have_text(
        f"You signed for {reference}.")
    expect(admin_status(official_page)).to_have_text("Signed for")

    take_step(official_page, "answer")
    official_page.fill("#id_answer", FIRST_ANSWER)
    axe_check(official_page)
    shot(official_page, "07-official-answer")
    official_page.get_by_role("button", name="Send the answer").click()
    expect(official_page.locator(".messagelist .success")).to_have_text(
        f"The answer to {reference} was sent.")
    expect(admin_status(official_page)).to_have_text("Answered")

    # --- 4. The enterprise reads the answer and rates it 1: back for redo (重办) -------------
    boss_page.goto(case_url)
    expect(boss_page.locator(".case-summary .status")).to_have_text("Answered")
    answer = boss_page.locator("section[aria-labelledby=answer-h]")
    expect(answer.locator(".case-quote")).to_have_text(FIRST_ANSWER)
    expect(answer).to_contain_text(BUILD)  # the unit answers, not the official by name
    expect(boss_page.locator("main")).not_to_contain_text("郑经办")
    boss_page.check("input[name=score][value='1']")
    boss_page.fill("#id_comment", UNHAPPY_COMMENT)
    axe_check(boss_page)
    fits_the_phone(boss_page)
    shot(boss_page, "08-enterprise-rates-1")
    boss_page.get_by_role("button", name="Send my rating").click()
    expect(boss_page.locator(".message-success")).to_contain_text(
        f"You rated the answer 1 of 5. The appeal goes back to {BUILD}, which must work on it "
        f"again by")
    expect(boss_page.locator(".case-summary .status")).to_have_text("Reopened for redo")
    expect(boss_page.locator("form[action$='/rating/']")).to_have_count(0)
    axe_check(boss_page)
    fits_the_phone(boss_page)
    shot(boss_page, "09-enterprise-reopened")

    # --- 5. The unit answers again -------------------------------------------------------------
    official_page.reload()
    expect(admin_status(official_page)).to_have_text("Reopened for redo")
    expect(official_page.locator("#timeline")).to_contain_text(UNHAPPY_COMMENT)
    take_step(official_page, "answer")
    official_page.fill("#id_answer", SECOND_ANSWER)
    official_page.get_by_role("button", name="Send the answer").click()
    expect(official_page.locator(".messagelist .success")).to_have_text(
        f"The answer to {reference} was sent.")
    expect(admin_status(official_page)).to_have_text("Answered")
    axe_check(official_page)
    shot(official_page, "10-official-answered-again")

    # --- 6. The enterprise rates 5: closed ------------------------------------------------------
    boss_page.reload()
    expect(boss_page.locator("section[aria-labelledby=answer-h] .case-quote")).to_have_text(
        SECOND_ANSWER)
    boss_page.check("input[name=score][value='5']")
    boss_page.get_by_role("button", name="Send my rating").click()
    expect(boss_page.locator(".message-success")).to_contain_text(
        "Thank you for rating the answer 5 of 5. The appeal is closed.")
    expect(boss_page.locator(".case-summary .status")).to_have_text("Closed")
    facts = boss_page.locator(".facts")
    expect(facts).to_contain_text("Closed on")
    expect(facts).to_contain_text("5 of 5")

    # --- 7. The public timeline: every public step, nothing internal, the file downloads ----
    heads = boss_page.locator(".case-timeline > li .step-head")
    expect(heads).to_have_text(["Submitted", "Accepted", "Assigned", "Signed for", "Answered",
                                "Rated", "Answered", "Rated"])
    steps = boss_page.locator(".case-timeline > li")
    expect(steps.nth(1)).to_contain_text(ACCEPT_NOTE)
    # The step keeps the unit's name as it was then, in Chinese (services record `unit.name`).
    expect(steps.nth(2)).to_contain_text(re.compile(rf"To: (区住房和城乡建设局|{BUILD})"))
    expect(steps.nth(3)).to_contain_text("Answer due by")
    expect(steps.nth(4)).to_contain_text(FIRST_ANSWER)
    expect(steps.nth(5)).to_contain_text(re.compile(
        r"Score: 1 of 5 — sent back for redo, due by \d{1,2} [A-Z][a-z]+ \d{4}"))
    expect(steps.nth(5)).to_contain_text(UNHAPPY_COMMENT)
    expect(steps.nth(6)).to_contain_text(SECOND_ANSWER)
    expect(steps.nth(7)).to_contain_text("Score: 5 of 5")
    main = boss_page.locator("main")
    expect(main).not_to_contain_text(INTERNAL_NOTE)
    expect(main).not_to_contain_text(INSTRUCTION)
    expect(main).not_to_contain_text("Internal")
    expect(main).not_to_contain_text("郑经办")
    with boss_page.expect_download() as download:
        steps.nth(0).get_by_role("link", name=PDF_NAME).click()
    assert download.value.suggested_filename == PDF_NAME
    assert open(download.value.path(), "rb").read() == PDF_BYTES
    axe_check(boss_page)
    fits_the_phone(boss_page)
    shot(boss_page, "11-enterprise-closed-timeline")

    # The pages told the truth.
    case = Case.objects.get(reference=reference)
    assert (case.status, case.responsible_unit, case.satisfaction, case.reopen_count) == (
        Status.CLOSED, units["build"], 5, 1)
