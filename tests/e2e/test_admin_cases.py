"""An official's day in the admin, in a real Chromium (issue 3): signs in with password and
TOTP through the real allauth pages, opens the unit's queue, signs for (签收) cases in bulk,
and answers one with a reply template inserted without JavaScript.

Every page, the admin's included, is checked with axe.
"""

import re

import pytest
from allauth.account.models import EmailAddress
from playwright.sync_api import expect

from portal.appeals.services import appeal_submit
from portal.cases import services
from portal.cases.constants import Action, Status
from portal.cases.models import Case, CaseEvent
from tests.cases.factories import CategoryFactory, ReplyTemplateFactory
from tests.e2e.signin import staff_sign_in
from tests.factories import UnitFactory, department_staff, enterprise_user, unit_official
from tests.totp import activate_totp

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
TEMPLATE_BODY = "您好！经核实，办理施工许可所需材料清单如下："


def test_official_signs_for_and_answers_with_a_reply_template(page, live_server, axe_check,
                                                              shot):
    base = live_server.url
    unit = UnitFactory(code="zjj-admin-e2e", name="区住房和城乡建设局",
                       name_en="District Housing and Urban-Rural Development Bureau")
    other = UnitFactory(code="swj-admin-e2e", name="区税务局", name_en="District Tax Bureau")
    dept = department_staff()
    official = unit_official(unit, email="zheng@zjj.gov.cn", full_name="郑经办")
    EmailAddress.objects.create(user=official, email=official.email, verified=True,
                                primary=True)
    secret = activate_totp(official)
    category = CategoryFactory(code="construction-admin-e2e", name_zh_hans="工程建设",
                               name_zh_hant="工程建設", name_en="Construction projects")
    boss = enterprise_user(full_name="张经理")
    titles = ["新厂房施工许可材料被多次退回", "消防验收迟迟未排期"]
    cases = [services.case_assign(
        case=appeal_submit(submitter=boss, title=title, description=f"{title}，请协调。",
                                  category=category, subtype="help"),
        actor=dept, unit=unit) for title in titles]
    theirs = services.case_assign(
        case=appeal_submit(submitter=boss, title="增值税发票额度不足",
                                  description="发票额度不够用。", category=category,
                                  subtype="help"),
        actor=dept, unit=other)
    template = ReplyTemplateFactory(unit=unit, title="施工许可材料清单", body=TEMPLATE_BODY)

    # 1. Password, then the TOTP code, through the real allauth pages.
    staff_sign_in(page, base, official, secret, axe_check)

    # 2. The unit's queue: its two cases, not the tax bureau's.
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator("#result_list")).not_to_contain_text(theirs.reference)
    axe_check(page)
    shot(page, "1-queue")

    # 3. Bulk sign-for (签收): both cases, reported one by one.
    for case in cases:
        page.locator(f'input[name="_selected_action"][value="{case.pk}"]').check()
    page.select_option('select[name="action"]', "sign_for_selected")
    page.locator('button[name="index"]').click()
    message = page.locator(".messagelist .success")
    expect(message).to_contain_text(cases[0].reference)
    expect(message).to_contain_text(cases[1].reference)
    assert set(Case.objects.filter(responsible_unit=unit).values_list("status", flat=True)) == {
        Status.SIGNED_FOR}
    axe_check(page)
    shot(page, "2-signed-for")

    # 4. The case page: facts, the Actions box, the timeline.
    case = cases[0]
    page.locator("#result_list").get_by_role("link", name=case.reference).click()
    expect(page).to_have_url(re.compile(rf"/admin/cases/case/{case.pk}/change/"))
    actions = page.locator("nav.case-actions")
    expect(actions.locator("a")).to_have_count(7)
    expect(page.locator("#timeline")).to_contain_text("郑经办")
    axe_check(page)
    shot(page, "3-case-page")

    # 5. Answer: insert the template (no JavaScript: the form comes back with the text),
    #    complete it, send it.
    actions.locator('a[href$="/step/answer/"]').click()
    expect(page).to_have_url(re.compile(r"/step/answer/$"))
    axe_check(page)
    page.select_option("#id_template", str(template.pk))
    page.locator('button[name="use_template"]').click()
    expect(page.locator("#id_answer")).to_have_value(TEMPLATE_BODY)
    axe_check(page)
    shot(page, "4-answer-with-template")
    page.fill("#id_answer", TEMPLATE_BODY + "营业执照、施工图审查合格书、工程款支付担保。")
    page.locator('input[name="_submit"]').click()
    expect(page).to_have_url(re.compile(rf"/admin/cases/case/{case.pk}/change/$"))
    expect(page.locator(".messagelist .success")).to_contain_text(case.reference)
    answer = CaseEvent.objects.get(case=case, action=Action.ANSWER)
    assert answer.note.startswith(TEMPLATE_BODY) and answer.actor == official
    assert Case.objects.get(pk=case.pk).status == Status.ANSWERED
    expect(page.locator("#timeline")).to_contain_text("工程款支付担保")
    axe_check(page)
    shot(page, "5-answered")

    # 6. Answering again (an old tab, a bookmark) is refused in words before and after posting.
    page.goto(f"{base}/admin/cases/case/{case.pk}/step/answer/")
    expect(page.locator("#step-refusal")).to_be_visible()
    page.fill("#id_answer", "重复提交")
    page.locator('input[name="_submit"]').click()
    expect(page.locator(".errorlist.nonfield")).to_contain_text(case.reference)
    assert CaseEvent.objects.filter(case=case, action=Action.ANSWER).count() == 1
    axe_check(page)
    shot(page, "6-second-answer-refused")


def test_department_reads_the_dashboard_assigns_and_supervises_a_pain_point(
        page, live_server, axe_check, shot):
    import datetime

    import time_machine
    from django.utils import timezone

    from portal.cases.models import SupervisionItem
    from tests.cases.factories import local_dt
    from tests.routing.factories import RoutingRuleFactory

    base = live_server.url
    unit = UnitFactory(code="rsj-admin-e2e", name="区人力资源和社会保障局",
                       name_en="District Human Resources and Social Security Bureau")
    dept = department_staff(email="li@yshj.gov.cn", full_name="李科长")
    EmailAddress.objects.create(user=dept, email=dept.email, verified=True, primary=True)
    secret = activate_totp(dept)
    official = unit_official(unit, full_name="王经办")
    category = CategoryFactory(code="labour-admin-e2e", name_zh_hans="用工与人才",
                               name_zh_hant="用工與人才", name_en="Employment and talent")
    boss = enterprise_user(full_name="陈总")

    def appeal(title, description="请协调解决。"):
        return appeal_submit(submitter=boss, title=title, description=description,
                                    category=category, subtype="inquiry")

    # Last quarter: three appeals on the same topic (a pain point).
    today = timezone.localdate()
    first_month = 3 * ((today.month - 1) // 3) + 1
    last_quarter_day = today.replace(month=first_month, day=1) - datetime.timedelta(days=20)
    with time_machine.travel(local_dt(last_quarter_day.year, last_quarter_day.month,
                                      last_quarter_day.day, 10, 0), tick=False):
        for title in ("社保缴费基数核定太慢", "社保转移接续困难", "社保补缴流程不清楚"):
            appeal(title, "员工社保办理遇到困难，社保窗口排队时间长。")
    # An inquiry signed for long ago: overdue now.
    with time_machine.travel(local_dt(today.year, today.month, today.day, 9, 0)
                             - datetime.timedelta(days=14), tick=False):
        late = services.case_sign_for(
            case=services.case_assign(case=appeal("招聘外籍人才工作许可咨询"), actor=dept,
                                      unit=unit), actor=official)
    fresh = appeal("高校毕业生社保补贴申领", "我司新招高校毕业生，想申领社保补贴。")
    RoutingRuleFactory(unit=unit, keywords=["社保"], name="社保事项")

    # Sign in: password, then TOTP.
    staff_sign_in(page, base, dept, secret, axe_check, path="/admin/")

    # 1. The dashboard, from the admin index.
    page.locator('a[href="/admin/cases/dashboard/"]').first.click()
    row = page.locator(f"#unit-{unit.pk}")
    expect(row.locator("th")).to_contain_text("区人力资源和社会保障局")
    expect(row.locator("td").nth(1)).to_have_text("1")  # overdue
    axe_check(page)
    shot(page, "1-dashboard")
    row.locator("td").nth(1).locator("a").click()
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(late.reference)
    axe_check(page)
    shot(page, "2-overdue-queue")

    # 2. Assign the new appeal: the routing suggestion is shown and chosen.
    page.goto(f"{base}/admin/cases/case/{fresh.pk}/change/")
    expect(page.locator(".case-suggestion")).to_contain_text("100%")
    axe_check(page)
    shot(page, "3-submitted-case")
    page.locator('nav.case-actions a[href$="/step/assign/"]').click()
    expect(page.locator("#id_unit")).to_have_value(str(unit.pk))
    axe_check(page)
    shot(page, "4-assign-with-suggestion")
    page.locator('input[name="_submit"]').click()
    expect(page.locator(".messagelist .success")).to_contain_text(fresh.reference)
    assert Case.objects.get(pk=fresh.pk).responsible_unit == unit

    # 3. Pain points of last quarter: the social-security topic becomes a supervision item.
    page.goto(base + "/admin/cases/pain-points/")
    group = page.locator("#pain-point-1")
    expect(group).to_contain_text("社保")
    axe_check(page)
    group.locator("summary").click()
    group.locator("select").select_option(str(unit.pk))
    group.locator("textarea").fill("社保业务一窗通办，基数核定五个工作日内完成")
    group.locator('input[type="date"]').fill("2099-06-30")
    axe_check(page)
    shot(page, "5-pain-points")
    group.locator('input[type="submit"]').click()
    expect(page.locator(".messagelist .success")).to_contain_text("区人力资源和社会保障局")
    expect(page.locator("#pain-point-1")).to_contain_text("2099-06-30")
    item = SupervisionItem.objects.get(source="pain_point")
    assert item.unit == unit and item.cases.count() == 3
    axe_check(page)
    shot(page, "6-pain-point-supervised")
    page.locator(f'#pain-point-1 a[href$="/supervisionitem/{item.pk}/change/"]').click()
    axe_check(page)
    shot(page, "7-supervision-item")
