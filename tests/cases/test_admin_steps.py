"""Transitions from the case admin: the Actions box offers exactly what the user may do now;
each form calls its one service; a refusal (wrong state, missing reason, wrong person) shows a
translated message and changes nothing; bulk sign-for reports per case."""

import datetime
import re

import pytest
from django.apps import apps
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.utils import timezone

from portal.cases import services
from portal.cases.constants import Action, ReturnReason, Status, SupervisionSource
from portal.cases.models import CaseEvent, SupervisionItem
from tests.factories import UnitFactory
from tests.totp import login

from .factories import (
    EXE_BYTES,
    PDF_BYTES,
    ReplyTemplateFactory,
    answered_case,
    assigned_case,
    signed_case,
    submit_case,
    upload,
)

pytestmark = pytest.mark.django_db
QUEUE = "/admin/cases/case/"



def step_url(case, slug):
    return f"{QUEUE}{case.pk}/step/{slug}/"


def offered(client, case) -> list[str]:
    """The step slugs linked from the case page's Actions box."""
    html = client.get(f"{QUEUE}{case.pk}/change/").content.decode()
    start = html.index('class="module case-actions"')
    box = html[start:html.index("</nav>", start)]
    return re.findall(rf"{QUEUE}{case.pk}/step/([a-z-]+)/", box)


def errors(response) -> str:
    html = response.content.decode()
    return " ".join(re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', html, re.S)
                    + re.findall(r'<p class="errornote"[^>]*>(.*?)</p>', html, re.S))


def events(case) -> list[str]:
    return list(CaseEvent.objects.filter(case=case).order_by("id").values_list("action",
                                                                             flat=True))


def flash(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- what is offered ---------------------------------------------------------------------

def test_actions_box_offers_exactly_what_the_user_may_do_now(client, dept, unit, official):
    assigned = assigned_case(dept, unit)
    login(client, official)
    assert offered(client, assigned) == ["sign-for", "return", "transfer", "note"]
    signed = services.case_sign_for(case=assigned, actor=official)
    assert offered(client, signed) == ["start", "answer", "request-info", "request-extension",
                                       "return", "transfer", "note"]
    answered = services.case_answer(case=signed, actor=official, answer="已答复。")
    assert offered(client, answered) == ["note"]

    fresh = submit_case()
    login(client, dept)
    assert offered(client, fresh) == ["accept", "reject", "assign", "supervise", "note"]
    assert offered(client, answered) == ["close", "supervise", "note"]
    extension = services.case_request_extension(
        case=signed_case(dept, unit, official), actor=official,
        until=timezone.localdate() + datetime.timedelta(days=60), reason="需要现场核查。")
    assert offered(client, extension) == ["decide-extension", "supervise", "note"]


def test_a_step_for_another_role_is_refused(client, dept, unit, official):
    fresh = submit_case()
    assigned = assigned_case(dept, unit)
    login(client, official)
    # The department's steps are not the official's, even on a case in their queue.
    for slug in ("accept", "assign", "close", "decide-extension", "supervise"):
        assert client.get(step_url(assigned, slug)).status_code == 403, slug
    assert client.post(step_url(assigned, "assign"),
                       {"unit": UnitFactory().pk}).status_code == 403
    assert client.get(step_url(fresh, "accept")).status_code == 404  # not in their queue
    # The unit's steps are not the department's on another unit's case.
    login(client, dept)
    assert client.post(step_url(assigned, "sign-for")).status_code == 403
    assert client.get(step_url(assigned, "no-such-step")).status_code == 404
    assigned.refresh_from_db()
    fresh.refresh_from_db()
    assert (assigned.status, fresh.status) == (Status.ASSIGNED, Status.SUBMITTED)


def test_officials_of_another_unit_cannot_act_even_with_a_forged_form(client, dept, unit,
                                                                      other_official):
    case = signed_case(dept, unit)
    login(client, other_official)
    for slug, data in (("answer", {"answer": "越权"}), ("return", {"reason": "duplicate"}),
                       ("note", {"note": "x"}), ("sign-for", {})):
        assert client.post(step_url(case, slug), data).status_code == 404
    assert events(case)[-1] == Action.SIGN_FOR


# --- the unit's steps ----------------------------------------------------------------------

def test_sign_for_then_a_second_submit_is_refused(client, dept, unit, official):
    case = assigned_case(dept, unit)
    login(client, official)
    response = client.post(step_url(case, "sign-for"))
    assert response.status_code == 302 and response["Location"].endswith(f"{case.pk}/change/")
    assert any("You signed for" in m for m in flash(response))
    case.refresh_from_db()
    assert case.status == Status.SIGNED_FOR and case.due_date is not None
    again = client.post(step_url(case, "sign-for"))
    assert again.status_code == 200
    assert "You cannot sign for case" in errors(again) and "Signed for" in errors(again)
    assert events(case).count(Action.SIGN_FOR) == 1
    # Opening a step not possible now says so before anything is posted.
    assert "not possible while the case is" in errors(client.get(step_url(case, "sign-for")))


def test_start_and_its_refusal(client, dept, unit, official):
    waiting = assigned_case(dept, unit)
    login(client, official)
    refused = client.post(step_url(waiting, "start"), {"note": "开始办理"})
    assert "You cannot start work on case" in errors(refused)
    signed = signed_case(dept, unit, official)
    assert client.post(step_url(signed, "start"), {"note": ""}).status_code == 302
    signed.refresh_from_db()
    waiting.refresh_from_db()
    assert signed.status == Status.IN_PROGRESS and waiting.status == Status.ASSIGNED


def test_answer_with_a_reply_template(client, dept, unit, official, other_unit):
    case = signed_case(dept, unit, official)
    own = ReplyTemplateFactory(unit=unit, title="材料清单", body="您好，所需材料清单如下：")
    shared = ReplyTemplateFactory(unit=None, title="通用答复", body="感谢您的反映。")
    foreign = ReplyTemplateFactory(unit=other_unit, title="别的单位模板", body="不应出现")
    login(client, official)
    page = client.get(step_url(case, "answer")).content.decode()
    assert own.title in page and "通用答复 (shared)" in page and foreign.title not in page

    # "Insert the template" shows the form again with the text; nothing is sent.
    shown = client.post(step_url(case, "answer"), {"template": own.pk, "answer": "",
                                                   "use_template": "1"})
    assert shown.status_code == 200
    assert "您好，所需材料清单如下：</textarea>" in shown.content.decode()
    added = client.post(step_url(case, "answer"), {"template": shared.pk, "answer": "已办结。",
                                                   "use_template": "1"})
    assert "已办结。\n\n感谢您的反映。</textarea>" in added.content.decode()
    case.refresh_from_db()
    assert case.status == Status.SIGNED_FOR

    # A template of another unit cannot be inserted.
    forged = client.post(step_url(case, "answer"), {"template": foreign.pk, "answer": "",
                                                    "use_template": "1"})
    assert "不应出现" not in forged.content.decode()

    sent = client.post(step_url(case, "answer"), {
        "answer": "您好，所需材料清单如下：营业执照、施工图。",
        "files": [upload("清单.pdf", PDF_BYTES, "application/pdf")]})
    assert sent.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.ANSWERED
    answer = CaseEvent.objects.get(case=case, action=Action.ANSWER)
    assert answer.note.startswith("您好") and answer.seen_by_submitter
    assert answer.attachments.get().original_name == "清单.pdf"


def test_answer_refusals_change_nothing(client, dept, unit, official):
    case = signed_case(dept, unit, official)
    login(client, official)
    empty = client.post(step_url(case, "answer"), {"answer": "   "})
    assert "Write the answer to the enterprise." in errors(empty)
    disguised = client.post(step_url(case, "answer"), {
        "answer": "见附件", "files": [upload("report.pdf", EXE_BYTES, "application/pdf")]})
    assert "is not a file type we accept" in errors(disguised)
    case.refresh_from_db()
    assert case.status == Status.SIGNED_FOR and not case.attachments.exists()
    assert Action.ANSWER not in events(case)


def test_request_information_and_its_refusal(client, dept, unit, official):
    case = signed_case(dept, unit, official)
    login(client, official)
    assert "Write what you need to know." in errors(
        client.post(step_url(case, "request-info"), {"question": ""}))
    assert client.post(step_url(case, "request-info"),
                       {"question": "请提供项目备案证明。"}).status_code == 302
    case.refresh_from_db()
    assert case.status == Status.INFO_REQUESTED


def test_request_extension_and_its_refusal(client, dept, unit, official):
    case = signed_case(dept, unit, official)
    login(client, official)
    too_early = client.post(step_url(case, "request-extension"), {
        "until": case.due_date.isoformat(), "reason": "需要协调多个部门。"})
    assert "Ask for a date after the current due date" in errors(too_early)
    no_reason = client.post(step_url(case, "request-extension"), {
        "until": (case.due_date + datetime.timedelta(days=10)).isoformat(), "reason": ""})
    assert "Explain why more time is needed." in errors(no_reason)
    case.refresh_from_db()
    assert case.status == Status.SIGNED_FOR and case.extension_requested_until is None
    until = case.due_date + datetime.timedelta(days=10)
    assert client.post(step_url(case, "request-extension"), {
        "until": until.isoformat(), "reason": "需要协调多个部门。"}).status_code == 302
    case.refresh_from_db()
    assert case.status == Status.EXTENSION_REQUESTED and case.extension_requested_until == until


def test_return_needs_a_reason_and_leaves_the_queue(client, dept, unit, official):
    case = signed_case(dept, unit, official)
    login(client, official)
    assert "Choose why you return this case." in errors(
        client.post(step_url(case, "return"), {"reason": "", "note": ""}))
    assert "Explain why you return the case." in errors(
        client.post(step_url(case, "return"), {"reason": ReturnReason.OTHER, "note": ""}))
    case.refresh_from_db()
    assert case.status == Status.SIGNED_FOR and case.return_count == 0
    response = client.post(step_url(case, "return"), {"reason": ReturnReason.NOT_COMPETENT,
                                                      "note": "属于税务部门职责。"})
    assert response.status_code == 302 and response["Location"] == QUEUE  # left the queue
    case.refresh_from_db()
    assert case.status == Status.RETURNED and case.responsible_unit is None
    assert client.get(f"{QUEUE}{case.pk}/change/", follow=True).redirect_chain


def test_transfer_by_an_official_refuses_the_subject_unit(client, dept, unit, official):
    about = UnitFactory()
    target = UnitFactory()
    case = signed_case(dept, unit, official, subject_unit=about)
    login(client, official)
    page = client.get(step_url(case, "transfer")).content.decode()
    assert f'value="{unit.pk}"' not in page  # not to itself
    refused = client.post(step_url(case, "transfer"), {"unit": about.pk, "note": ""})
    assert "is the unit this case is about" in errors(refused)
    assert "Choose the unit that will handle the case." in errors(
        client.post(step_url(case, "transfer"), {"unit": ""}))
    case.refresh_from_db()
    assert case.responsible_unit == unit
    assert client.post(step_url(case, "transfer"),
                       {"unit": target.pk, "note": "请贵单位办理。"}).status_code == 302
    case.refresh_from_db()
    assert case.responsible_unit == target and case.status == Status.ASSIGNED


def test_the_department_transfers_a_case_between_units(client, dept, unit, official):
    target = UnitFactory()
    case = signed_case(dept, unit, official)
    login(client, dept)
    same = client.post(step_url(case, "transfer"), {"unit": unit.pk})
    assert "Select a valid choice." in errors(same)  # not offered: it has the case already
    assert client.post(step_url(case, "transfer"), {"unit": target.pk,
                                                    "note": "请贵单位牵头办理。"}).status_code == 302
    case.refresh_from_db()
    assert case.responsible_unit == target and case.status == Status.ASSIGNED
    # The official of the old unit no longer sees it.
    login(client, official)
    assert client.get(step_url(case, "note")).status_code == 404


def test_internal_note_is_kept_from_the_enterprise(client, dept, unit, official):
    case = signed_case(dept, unit, official)
    login(client, official)
    assert "Write the note." in errors(client.post(step_url(case, "note"), {"note": ""}))
    assert client.post(step_url(case, "note"), {"note": "企业负责人电话 138..."}).status_code == 302
    note = CaseEvent.objects.get(case=case, action=Action.NOTE)
    assert not note.seen_by_submitter
    html = client.get(f"{QUEUE}{case.pk}/change/").content.decode()
    assert "企业负责人电话" in html and "Internal" in html


# --- the department's steps ----------------------------------------------------------------

def test_accept_and_do_not_accept(client, dept):
    first, second = submit_case(), submit_case()
    login(client, dept)
    assert client.post(step_url(first, "accept"), {"note": ""}).status_code == 302
    first.refresh_from_db()
    assert first.status == Status.ACCEPTED
    again = client.post(step_url(first, "accept"), {"note": ""})
    assert "You cannot accept case" in errors(again)
    assert "Tell the enterprise why the appeal is not accepted." in errors(
        client.post(step_url(second, "reject"), {"reason": ""}))
    second.refresh_from_db()
    assert second.status == Status.SUBMITTED
    assert client.post(step_url(second, "reject"),
                       {"reason": "不属于营商环境诉求范围。"}).status_code == 302
    second.refresh_from_db()
    assert second.status == Status.NOT_ACCEPTED


def test_assign_shows_the_suggestion_and_refuses_the_subject_unit(client, dept, unit):
    about = UnitFactory()
    case = submit_case(subject_unit=about, title="社保缴费基数调整咨询")
    login(client, dept)
    page = client.get(step_url(case, "assign")).content.decode()
    if apps.is_installed("portal.routing"):
        from tests.routing.factories import RoutingRuleFactory

        RoutingRuleFactory(unit=unit, keywords=["社保"], name="社保规则")
        page = client.get(step_url(case, "assign")).content.decode()
        assert "Routing suggestion" in page and "100% confidence" in page
        assert f'<option value="{unit.pk}" selected>' in page
    else:
        assert "No routing suggestion is available for this case." in page
    refused = client.post(step_url(case, "assign"), {"unit": about.pk, "note": ""})
    assert "is the unit this case is about, so it can never handle it." in errors(refused)
    case.refresh_from_db()
    assert case.status == Status.SUBMITTED and case.responsible_unit is None
    assert client.post(step_url(case, "assign"),
                       {"unit": unit.pk, "note": "请尽快办理。"}).status_code == 302
    case.refresh_from_db()
    assert case.status == Status.ASSIGNED and case.responsible_unit == unit
    assert events(case)[-3:] == [Action.ACCEPT, Action.ASSIGN, Action.NOTE]


def test_decide_an_extension(client, dept, unit, official):
    until = timezone.localdate() + datetime.timedelta(days=40)
    asked = services.case_request_extension(case=signed_case(dept, unit, official),
                                            actor=official, until=until, reason="需现场核查。")
    login(client, dept)
    page = client.get(step_url(asked, "decide-extension")).content.decode()
    assert until.isoformat() in page  # the date asked for, ready to approve
    assert "Tell the unit why the extension is refused." in errors(client.post(
        step_url(asked, "decide-extension"), {"decision": "refuse", "note": ""}))
    asked.refresh_from_db()
    assert asked.status == Status.EXTENSION_REQUESTED
    assert client.post(step_url(asked, "decide-extension"), {
        "decision": "approve", "until": until.isoformat(), "note": "同意延期。"}).status_code == 302
    asked.refresh_from_db()
    assert asked.status == Status.IN_PROGRESS and asked.due_date == until


def test_close_an_answered_case_only(client, dept, unit, official):
    answered = answered_case(dept, unit, official)
    signed = signed_case(dept, unit, official)
    login(client, dept)
    assert "You cannot close case" in errors(client.post(step_url(signed, "close"), {}))
    assert client.post(step_url(answered, "close"),
                       {"note": "企业电话确认满意。"}).status_code == 302
    answered.refresh_from_db()
    signed.refresh_from_db()
    assert answered.status == Status.CLOSED and signed.status == Status.SIGNED_FOR


def test_supervise_a_case(client, dept, unit, official):
    case = signed_case(dept, unit, official)
    login(client, dept)
    past = client.post(step_url(case, "supervise"), {
        "target": "三个工作日内答复企业", "due_date": timezone.localdate().isoformat()})
    assert "Choose a due date after today." in errors(past)
    assert "Say what must be achieved." in errors(client.post(step_url(case, "supervise"), {
        "target": "", "due_date": "2099-01-01"}))
    assert not SupervisionItem.objects.exists()
    assert client.post(step_url(case, "supervise"), {
        "target": "三个工作日内答复企业", "due_date": "2099-01-01"}).status_code == 302
    item = SupervisionItem.objects.get()
    assert item.case == case and item.source == SupervisionSource.MANUAL and item.unit == unit
    case.refresh_from_db()
    assert case.is_supervised


# --- bulk sign-for -----------------------------------------------------------------------

def test_bulk_sign_for_reports_each_case(client, dept, unit, official, other_unit):
    first, second = assigned_case(dept, unit), assigned_case(dept, unit)
    done = signed_case(dept, unit, official)
    theirs = assigned_case(dept, other_unit)
    login(client, official)
    response = client.post(QUEUE, {"action": "sign_for_selected",
                                   ACTION_CHECKBOX_NAME: [first.pk, second.pk, done.pk,
                                                          theirs.pk]})
    assert response.status_code == 302
    said = flash(response)
    assert any(m.startswith("Signed for 2 cases:") and first.reference in m
               and second.reference in m for m in said)
    assert any(m.startswith(f"Not signed for {done.reference}:") and "You cannot sign for" in m
               for m in said)
    assert "1 selected case is not in your queue and was left alone." in said
    assert not any(theirs.reference in m for m in said)
    for case, status in ((first, Status.SIGNED_FOR), (second, Status.SIGNED_FOR),
                         (theirs, Status.ASSIGNED)):
        case.refresh_from_db()
        assert case.status == status


def test_bulk_sign_for_with_only_a_forged_id_changes_nothing(client, dept, unit, official,
                                                             other_unit):
    theirs = assigned_case(dept, other_unit)
    login(client, official)
    response = client.post(QUEUE, {"action": "sign_for_selected",
                                   ACTION_CHECKBOX_NAME: [theirs.pk]}, follow=True)
    page = response.content.decode()
    assert "1 selected case is not in your queue and was left alone." in page
    assert theirs.reference not in page
    theirs.refresh_from_db()
    assert theirs.status == Status.ASSIGNED


def test_bulk_sign_for_by_the_department_is_refused_per_case(client, dept, unit):
    case = assigned_case(dept, unit)
    login(client, dept)
    response = client.post(QUEUE, {"action": "sign_for_selected",
                                   ACTION_CHECKBOX_NAME: [case.pk]})
    assert [m for m in flash(response) if m.startswith(f"Not signed for {case.reference}")
            and "Only an official of the unit responsible" in m]
    case.refresh_from_db()
    assert case.status == Status.ASSIGNED
