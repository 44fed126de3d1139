"""While the accused and the investigating units handle a report, nothing they cause names the
reporter: every response body (every URL the portal has, pages, admin and API, plus the
admin's CSV export), every e-mail, every notification row and every log line at DEBUG from
every logger is searched for the reporter's name, phone, e-mail, credit code and enterprise.
The values are made distinctive so that a hit cannot be a coincidence; the desk, who may
see them, finds them all (the search can fail)."""

import logging

import pytest
from django.core import mail
from django.test import Client

from complaints import services
from portal.accounts.roles import Role
from portal.cases import services as case_services
from portal.notifications.models import Notification
from tests.complaints.factories import pdf, report
from tests.factories import EnterpriseFactory, UserFactory, make_credit_code
from tests.totp import login
from tests.trust.matrix_world import build_matrix_world
from tests.trust.test_permission_matrix import NO_POST, concrete, url_patterns

IDENTITY = {"name": "甄隐名举报人", "phone": "13597310246", "email": "leak.probe.q7@reporter.invalid",
            "credit_code": make_credit_code(seed=716), "enterprise": "隐名探针贸易有限公司"}
# Those who handle the report or could look at it without being the desk (enterprises,
# observers, evaluators and auditors reach no report at all: the matrix proves it).
LOOKERS = ("accused_official", "investigating_official", "other_official", "department_staff")


# The department keeps the directories of every person and every enterprise; a directory names
# the reporter among everyone else and links nobody to a report, so department staff's
# directory pages are left out of the search (the units do not see them: see the matrix).
DIRECTORIES = {"/admin/accounts/user/", "/admin/orgs/enterprise/"}


def hits(text: str) -> list[str]:
    return [key for key, value in IDENTITY.items() if value in text]


def body(response) -> str:
    if getattr(response, "streaming", False):
        data = b"".join(response.streaming_content)
    else:
        data = response.content
    return data.decode("utf-8", "replace") + " " + " ".join(
        f"{k}: {v}" for k, v in response.items())


@pytest.fixture
def every_logger_at_debug(caplog):
    """caplog at DEBUG on the root and on every logger that does not propagate to it."""
    caplog.set_level(logging.DEBUG)
    extra = []
    for logger in list(logging.root.manager.loggerDict.values()):
        if isinstance(logger, logging.Logger):
            extra.append((logger, logger.level, logger.propagate))
            logger.setLevel(logging.DEBUG)
            if not logger.propagate:
                logger.addHandler(caplog.handler)
    yield caplog
    for logger, level, _propagate in extra:
        logger.setLevel(level)
        if caplog.handler in logger.handlers:
            logger.removeHandler(caplog.handler)


def signed_in(user):
    client = Client()
    client.cookies["portal_language"] = "en"
    return login(client, user)


def test_nothing_the_units_cause_names_the_reporter(db, every_logger_at_debug):
    caplog = every_logger_at_debug
    world = build_matrix_world()
    units = world.objects["units"]
    enterprise = EnterpriseFactory(name=IDENTITY["enterprise"], credit_code=IDENTITY["credit_code"])
    reporter = UserFactory(full_name=IDENTITY["name"], phone=IDENTITY["phone"],
                           email=IDENTITY["email"], enterprise=enterprise,
                           roles=[Role.ENTERPRISE_USER])
    complaint, _ = report(user=reporter, accused_unit=units["accused"], files=[pdf()])
    desk = world.users["complaint_desk"]
    services.complaint_assign(complaint=complaint, actor=desk, unit=units["investigating"])
    # The reporter's own submission may log or mail them; only what follows is the units'.
    mail.outbox.clear()
    caplog.clear()
    notifications_before = set(Notification.objects.values_list("pk", flat=True))

    official = world.users["investigating_official"]
    case = case_services.case_sign_for(case=complaint.case, actor=official)
    unit_client = signed_in(official)
    pk = complaint.pk
    responses = []
    responses.append(unit_client.post(f"/api/v1/cases/{case.pk}/request-info/",
                                      {"question": "请补充具体时间。"}))
    services.complaint_reporter_answer(complaint=complaint, information="11月2日上午十点。")
    responses.append(unit_client.post(f"/api/v1/cases/{case.pk}/notes/", {"note": "已调取录像。"}))
    responses.append(unit_client.post(f"/admin/complaints/complaint/{pk}/change/", {
        "_step": "finding", "finding-finding": "verified", "finding-reasoning": "调取录像，属实。"}))
    responses.append(unit_client.post(f"/admin/complaints/complaint/{pk}/change/", {
        "_step": "identity", "identity-reason": "需联系举报人核实细节。"}))
    responses.append(unit_client.post("/admin/cases/case/", {
        "action": "export_csv", "_selected_action": [case.pk]}))
    assert [r.status_code for r in responses[:4]] == [200, 201, 302, 302]
    complaint.refresh_from_db()
    assert complaint.finding == "verified" and complaint.identity_requests.count() == 1
    assert responses[-1]["Content-Type"].startswith("text/csv")
    assert complaint.case.title in body(responses[-1])   # the export holds the report

    # Every URL the portal has, as each looker, pointed at the report's case.
    world.objects["case"] = complaint.case
    world.objects["attachment"] = complaint.case.attachments.first()
    world.objects["complaint"] = complaint
    routes = [(r, n) for r, n in url_patterns() if n not in NO_POST]
    for role in LOOKERS:
        client = unit_client if role == "investigating_official" else signed_in(world.users[role])
        for route, name in routes:
            path = concrete(route, name, world)
            if role == "department_staff" and path in DIRECTORIES:
                continue
            responses.append(client.get(path))

    leaks = [(r.request["PATH_INFO"], hits(body(r))) for r in responses if hits(body(r))]
    assert leaks == [], "\n".join(map(str, leaks))
    assert [m.subject for m in mail.outbox if hits(f"{m.to} {m.subject} {m.body}")] == []
    new = Notification.objects.exclude(pk__in=notifications_before)
    assert new.exists()   # the units' steps did notify someone
    assert [n.pk for n in new if hits(f"{n.subject} {n.body} {n.url}")] == []
    assert caplog.records, "no log line was captured: the search below would prove nothing"
    assert hits(caplog.text) == []

    # The desk sees every value: the same search finds them where they may appear.
    desk_page = signed_in(desk).get(f"/admin/complaints/complaint/{pk}/change/")
    assert sorted(hits(body(desk_page))) == sorted(IDENTITY)
