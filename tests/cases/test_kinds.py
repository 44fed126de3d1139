"""The engine serves any kind: a kind declared here (a sealed reporter, as complaints will have)
runs through the engine's services, admin, API, ledger and notices, and nobody handling it
can learn who reported. Appeals keep their own declaration (portal/appeals/kind.py)."""

import logging

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from rest_framework.test import APIClient

from portal.appeals.services import appeal_submit
from portal.cases import selectors, services
from portal.cases.constants import PART_TRANSITIONS, Action, Status
from portal.cases.kinds import GOVERNMENT, Audience, KindSpec, Party, Side, register, unregister
from portal.cases.models import Attachment, Case, CaseEvent, CaseReminder
from portal.cases.timeline import actor_label
from portal.cases.workflows import STANDARD_TRANSITIONS as TRANSITIONS
from portal.ledger.models import LedgerEntry
from portal.notifications.models import Notification
from portal.notifications.services import (
    notification_email_deliver,
    notification_email_requeue_pending,
)
from tests.factories import UnitFactory, UserFactory, enterprise_user, unit_official
from tests.totp import login

from .factories import PDF_BYTES, local_dt, upload


def pdf_upload(name):
    return upload(name, PDF_BYTES, "application/pdf")

pytestmark = pytest.mark.django_db

# The reporter, as only the kind's own sealed table would hold them.
REPORTER = {"name": "王秘密", "phone": "13800138000", "email": "whistle@example.cn",
            "credit_code": "91440112MA5SEALED1", "enterprise": "广州保密举报科技有限公司"}
TOLD = []  # what the kind was asked to tell its sealed reporter


def _tell_reporter(case, subject, body):
    TOLD.append((case.reference, str(subject)))


TEST_REPORT = KindSpec(
    code="testreport", label=_("Test report"), transitions=TRANSITIONS,
    audiences={Action.SUBMIT: Audience.SUBMITTER | GOVERNMENT,
               Action.ANSWER: Audience.SUBMITTER | GOVERNMENT,
               Action.SUPPLEMENT: Audience.SUBMITTER | GOVERNMENT},
    party=Party.SEALED, sealed=True, auto_close_unrated=False,
    messages={"received": _("We received your report {ref}"),
              "answered": _("Your report {ref} was answered")},
    notify_sealed_submitter=_tell_reporter,
)


@pytest.fixture(autouse=True)
def test_kind():
    TOLD.clear()
    register(TEST_REPORT)
    yield TEST_REPORT
    unregister(TEST_REPORT.code)


def _report(**kwargs):
    return services.case_open(kind="testreport", actor=None, side=Side.REPORTER,
                              title="窗口人员推诿不办", description="多次前往，均被告知材料不全却不说明缺什么。",
                              **kwargs)


def _identity_in(text: str) -> list[str]:
    return [value for value in REPORTER.values() if value in text]


def test_a_sealed_kind_refuses_an_identifying_actor_submitter_or_enterprise():
    person = enterprise_user(full_name=REPORTER["name"])
    for kwargs in ({"actor": person}, {"actor": None, "submitter": person},
                   {"actor": None, "enterprise": person.enterprise}):
        with pytest.raises(ValueError, match="seals its submitter"):
            services.case_open(kind="testreport", title="t", description="d", **kwargs)
    assert not Case.objects.filter(kind="testreport").exists()


def test_a_sealed_report_stores_no_person_anywhere_and_tells_the_reporter_through_the_kind():
    case = _report(files=[pdf_upload("证据.pdf")])
    event = CaseEvent.objects.get(case=case)
    assert (event.actor_id, event.actor_side) == (None, Side.REPORTER)
    assert (case.submitter_id, case.enterprise_id) == (None, None)
    assert Attachment.objects.get(case=case).uploaded_by_id is None
    assert LedgerEntry.objects.filter(object_id=str(case.pk)).values_list(
        "actor_id", flat=True).get() is None
    assert TOLD == [(case.reference, f"We received your report {case.reference}")]
    # The department is told of the new case; nobody else, and no row names the reporter.
    assert not Notification.objects.exclude(recipient__unit__kind="department").exists()
    assert actor_label(event, case, internal=True) == "Reporter"


def test_the_engine_refuses_a_step_the_kind_does_not_declare(dept):
    spec = KindSpec(code="noaccept", label=_("No acceptance"),
                    transitions={k: v for k, v in TRANSITIONS.items() if k != Action.ACCEPT},
                    audiences={})
    register(spec)
    try:
        case = services.case_open(kind="noaccept", actor=dept, title="t", description="d")
        with pytest.raises(services.InvalidTransition):
            services.case_accept(case=case, actor=dept)
        assert Case.objects.get(pk=case.pk).status == Status.SUBMITTED
    finally:
        unregister("noaccept")


def test_officials_handling_a_sealed_report_never_see_who_reported(
        client, dept, unit, official, caplog):
    caplog.set_level(logging.DEBUG)
    case = _report(files=[pdf_upload("证据.pdf")])
    case = services.case_assign(case=case, actor=dept, unit=unit)
    case = services.case_sign_for(case=case, actor=official)
    services.case_supplement(case=case, actor=None, side=Side.REPORTER, note="补充：时间是周二上午。")
    case = services.case_answer(case=case, actor=official, answer="已约谈窗口人员并整改。")
    assert TOLD[-1] == (case.reference, f"Your report {case.reference} was answered")

    login(client, official)
    pages = {
        "admin changelist": client.get("/admin/cases/case/"),
        "admin change page": client.get(f"/admin/cases/case/{case.pk}/change/"),
        "inbox": client.get("/inbox/"),
    }
    pages["export"] = client.post("/admin/cases/case/", {
        "action": "export_csv", "_selected_action": [case.pk], "select_across": "0", "index": "0"})
    assert pages["export"]["Content-Type"].startswith("text/csv")
    assert case.reference in pages["export"].content.decode("utf-8-sig")
    # The enterprise's pages show appeals only: another kind's case is not found there.
    assert client.get(f"/cases/{case.pk}/").status_code == 404
    api = APIClient()
    api.force_authenticate(official)
    pages["API list"] = api.get("/api/v1/cases/")
    pages["API detail"] = api.get(f"/api/v1/cases/{case.pk}/")
    for name, response in pages.items():
        assert response.status_code == 200, name
        assert _identity_in(response.content.decode()) == [], name
    ledger = login(client, dept).get("/admin/ledger/ledgerentry/")  # officials have none
    assert ledger.status_code == 200 and _identity_in(ledger.content.decode()) == []
    assert case.reference in pages["admin changelist"].content.decode()
    assert "Reporter" in pages["admin change page"].content.decode()
    mails = " ".join(f"{m.subject} {m.body}" for m in mail.outbox)
    inbox = " ".join(Notification.objects.values_list("subject", flat=True))
    assert _identity_in(mails + inbox + caplog.text) == []
    # The reporter's material reached the unit, as from "the reporter".
    supplement = CaseEvent.objects.get(case=case, action=Action.SUPPLEMENT)
    assert (supplement.actor_id, supplement.actor_side) == (None, Side.REPORTER)
    assert Notification.objects.filter(recipient=official,
                                       subject__contains="New material").exists()


def test_a_step_remembers_the_unit_its_official_acted_for(dept, unit, official, submitter,
                                                          category):
    case = appeal_submit(submitter=submitter, title="t", description="d", category=category,
                         subtype="help")
    case = services.case_assign(case=case, actor=dept, unit=unit)
    case = services.case_sign_for(case=case, actor=official)
    official.unit = UnitFactory(name="区另一局")
    official.save(update_fields=["unit"])
    event = CaseEvent.objects.get(case=case, action=Action.SIGN_FOR)
    assert event.actor_side == Side.UNIT and event.actor_unit_id == unit.pk
    assert actor_label(event, case, internal=False) == unit.display_name
    assert "区另一局" not in actor_label(event, case, internal=True)


def test_the_enterprise_adds_material_to_an_open_appeal_and_the_unit_is_told(
        dept, unit, official, submitter, category):
    case = appeal_submit(submitter=submitter, title="t", description="d", category=category,
                         subtype="help")
    case = services.case_assign(case=case, actor=dept, unit=unit)
    with pytest.raises(Exception, match="Write what you want to add"):
        services.case_supplement(case=case, actor=submitter, note="  ")
    with pytest.raises(Exception, match="Only the party that submitted"):
        services.case_supplement(case=case, actor=official, note="x")
    event = services.case_supplement(case=case, actor=submitter, note="补充营业执照副本。",
                                     files=[pdf_upload("执照.pdf")])
    assert event.seen_by_submitter and event.actor_side == Side.ENTERPRISE
    assert Attachment.objects.get(event=event).seen_by_submitter
    assert Notification.objects.filter(recipient=official, subject__contains=case.reference
                                       ).exists()
    assert CaseEvent.objects.filter(case=case, action=Action.SUPPLEMENT).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_crash_between_commit_and_delivery_loses_no_notice(settings, dept, submitter,
                                                             category):
    """Issue 11: the inbox and outbox rows are written in the step's transaction, so a process
    that dies after commit, before queueing the e-mail, leaves them for the sweeper."""
    case = appeal_submit(submitter=submitter, title="t", description="d", category=category,
                         subtype="help")
    mail.outbox.clear()

    def crash():
        raise RuntimeError("the process died after commit")

    with pytest.raises(RuntimeError):
        with transaction.atomic():
            transaction.on_commit(crash)  # runs first: the delivery is never queued
            services.case_accept(case=case, actor=dept)
    told = Notification.objects.get(recipient=submitter, subject__contains="was accepted")
    assert told.email_status == Notification.EmailStatus.PENDING and not mail.outbox
    assert notification_email_requeue_pending(older_than_seconds=0) >= 1
    for pk in Notification.objects.filter(email_status="pending").values_list("pk", flat=True):
        notification_email_deliver(notification_id=pk)
    notification_email_requeue_pending(older_than_seconds=0)
    for pk in Notification.objects.filter(email_status="pending").values_list("pk", flat=True):
        notification_email_deliver(notification_id=pk)
    accepted = [m for m in mail.outbox if "was accepted" in m.subject]
    assert len(accepted) == 1 and accepted[0].to == [submitter.email]


# --- several units on one case (parts) ------------------------------------------------------

def _observer_may_act(user, case):
    return bool(case.submitter_id and case.submitter_id == user.pk)


TEST_FINDING = KindSpec(
    code="testfinding", label=_("Test observer finding"),
    transitions={**TRANSITIONS, **PART_TRANSITIONS},
    audiences={Action.SUBMIT: Audience.SUBMITTER | GOVERNMENT,
               Action.ANSWER: Audience.SUBMITTER | GOVERNMENT,
               Action.PARTS_ANSWERED: Audience.SUBMITTER | GOVERNMENT},
    party=Party.OBSERVER, parts=True, answered_when="all",
    messages={"answered": _("Your finding {ref} was answered by every unit"),
              "part_answered": _("{unit} answered its part {ref} of your finding")},
    can_act_for_submitter=_observer_may_act,
    submitter_recipients=lambda case: [case.submitter] if case.submitter_id else [],
)


@pytest.fixture
def finding_kind():
    register(TEST_FINDING)
    yield TEST_FINDING
    unregister(TEST_FINDING.code)


def test_a_finding_assigned_to_three_units_runs_three_clocks_and_closes_with_them(
        finding_kind, dept, submitter, category):
    observer = UserFactory(full_name="观察员甲")
    units = [UnitFactory() for _ in range(3)]
    officials = [unit_official(u) for u in units]
    with time_machine.travel(local_dt(2026, 9, 21, 9, 0), tick=False):
        case = services.case_open(kind="testfinding", actor=observer, submitter=observer,
                                  title="园区审批窗口排队过长", description="多个部门窗口均需重复提交材料。")
        with pytest.raises(ValidationError, match="at least two units"):
            services.case_split(case=case, actor=dept, units=[units[0], units[0]])
        with pytest.raises(PermissionDenied):
            services.case_split(case=case, actor=officials[0], units=units)
        parts = services.case_split(case=case, actor=dept, units=units)
    appeal = appeal_submit(submitter=submitter, title="t", description="d", category=category,
                           subtype="help")
    with pytest.raises(ValidationError, match="one unit at a time"):
        services.case_split(case=appeal, actor=dept, units=units[:2])

    case.refresh_from_db()
    assert case.status == Status.ASSIGNED and case.responsible_unit_id is None
    assert [p.reference for p in parts] == [f"{case.reference}-{n}" for n in (1, 2, 3)]
    assert [p.responsible_unit_id for p in parts] == [u.pk for u in units]
    # Each unit signs for its own part on its own day: three clocks, three due dates.
    for day, (part, official) in zip((21, 22, 23), zip(parts, officials, strict=True),
                                     strict=True):
        with time_machine.travel(local_dt(2026, 9, day, 10, 0), tick=False):
            with pytest.raises(PermissionDenied):
                services.case_sign_for(case=parts[(parts.index(part) + 1) % 3],
                                       actor=official)
            services.case_sign_for(case=part, actor=official)
    parts = [Case.objects.get(pk=p.pk) for p in parts]
    assert len({p.due_date for p in parts}) == 3
    # An official's queue holds their part only.
    assert list(selectors.case_queue(user=officials[0]).values_list("pk", flat=True)) == [
        parts[0].pk]
    # Reminders run per part: far past every due date, each part gets its own marks.
    with time_machine.travel(local_dt(2026, 12, 1, 10, 0), tick=False):
        services.case_reminders_send_due()
    assert set(CaseReminder.objects.values_list("case_id", flat=True)) == {p.pk for p in parts}

    for n, (part, official) in enumerate(zip(parts, officials, strict=True)):
        services.case_answer(case=part, actor=official, answer=f"第{n + 1}个单位已整改。")
        case.refresh_from_db()
        assert case.status == (Status.ANSWERED if n == 2 else Status.ASSIGNED)
    told = list(Notification.objects.filter(recipient=observer).values_list("subject", flat=True))
    assert sorted(told) == sorted([f"Your finding {case.reference} was answered by every unit",
                                   *[f"{u.display_name} answered its part {p.reference} of your "
                                     "finding" for u, p in zip(units, parts, strict=True)]])
    for part in parts:
        services.case_close(case=part, actor=dept)
    case.refresh_from_db()
    assert case.status == Status.CLOSED
    assert list(case.events.values_list("action", flat=True)) == [
        Action.SUBMIT, Action.SPLIT, Action.PARTS_ANSWERED, Action.PARTS_CLOSED]


def test_the_department_splits_a_finding_in_the_admin_and_each_unit_sees_its_part(
        client, finding_kind, dept):
    observer = UserFactory()
    units = [UnitFactory() for _ in range(2)]
    case = services.case_open(kind="testfinding", actor=observer, submitter=observer,
                              title="证照办理多头跑", description="需往返三个部门。")
    login(client, dept)
    page = client.get(f"/admin/cases/case/{case.pk}/change/").content.decode()
    assert f"/admin/cases/case/{case.pk}/step/split/" in page
    refused = client.post(f"/admin/cases/case/{case.pk}/step/split/",
                          {"units": [units[0].pk]})
    assert refused.status_code == 200 and "at least two units" in refused.content.decode()
    assert not Case.objects.filter(parent=case).exists()
    done = client.post(f"/admin/cases/case/{case.pk}/step/split/",
                       {"units": [u.pk for u in units], "note": "请各自核查"})
    assert done.status_code == 302
    parts = list(Case.objects.filter(parent=case).order_by("id"))
    assert len(parts) == 2
    page = client.get(f"/admin/cases/case/{case.pk}/change/").content.decode()
    assert parts[0].reference in page and parts[1].reference in page
    client.logout()
    official = unit_official(units[1])
    listing = login(client, official).get("/admin/cases/case/").content.decode()
    assert parts[1].reference in listing and parts[0].reference not in listing
    assert client.get(f"/admin/cases/case/{parts[0].pk}/change/").status_code in (302, 403, 404)


def test_only_kinds_that_say_so_close_unrated_answers_by_themselves(dept, unit, official,
                                                                   submitter, category):
    with time_machine.travel(local_dt(2026, 9, 1, 9, 0), tick=False):
        report = _report()
        appeal = appeal_submit(submitter=submitter, title="t", description="d",
                               category=category, subtype="help")
        for case in (report, appeal):
            case = services.case_assign(case=case, actor=dept, unit=unit)
            case = services.case_sign_for(case=case, actor=official)
            services.case_answer(case=case, actor=official, answer="已处理。")
    with time_machine.travel(local_dt(2026, 10, 30, 9, 0), tick=False):
        assert services.case_auto_close_unrated() == 1
    assert Case.objects.get(pk=appeal.pk).status == Status.CLOSED
    assert Case.objects.get(pk=report.pk).status == Status.ANSWERED  # the kind says no


def test_a_sealed_report_split_among_three_units_runs_end_to_end_without_a_person(dept):
    """Issue 11's test kind in one: a sealed submitter and three units."""
    spec = KindSpec(
        code="testsealedparts", label=_("Test sealed finding"),
        transitions={**TRANSITIONS, **PART_TRANSITIONS},
        audiences={Action.SUBMIT: Audience.SUBMITTER | GOVERNMENT,
                   Action.PARTS_ANSWERED: Audience.SUBMITTER | GOVERNMENT},
        party=Party.SEALED, sealed=True, parts=True,
        messages={"answered": _("Your report {ref} was answered by every unit")},
        notify_sealed_submitter=_tell_reporter,
    )
    register(spec)
    try:
        units = [UnitFactory() for _ in range(3)]
        officials = [unit_official(u) for u in units]
        case = services.case_open(kind="testsealedparts", actor=None, side=Side.REPORTER,
                                  title="多个窗口推诿", description="三个部门互相推诿。",
                                  files=[pdf_upload("证据.pdf")])
        parts = services.case_split(case=case, actor=dept, units=units)
        for part, official in zip(parts, officials, strict=True):
            part = services.case_sign_for(case=part, actor=official)
            services.case_answer(case=part, actor=official, answer="已核查整改。")
        for part in parts:
            services.case_close(case=part, actor=dept)
        case.refresh_from_db()
        assert case.status == Status.CLOSED
        everything = Case.objects.filter(Q(pk=case.pk) | Q(parent=case))
        assert not everything.exclude(submitter=None).exists()
        assert not everything.exclude(enterprise=None).exists()
        assert not CaseEvent.objects.filter(case__in=everything,
                                            actor_side=Side.REPORTER).exclude(actor=None).exists()
        assert TOLD[-1] == (case.reference, f"Your report {case.reference} was answered by every unit")
    finally:
        unregister("testsealedparts")
