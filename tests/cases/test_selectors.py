"""Who sees which cases, the timelines they see, the queues, and fixed query counts."""

import datetime

import pytest
import time_machine
from django.core.cache import caches
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.appeals.constants import AppealType
from portal.cases import selectors, services
from portal.cases.constants import Action, Status, SupervisionStatus
from portal.cases.models import SupervisionItem
from tests.factories import enterprise_user, unit_official

from .factories import (
    PNG_BYTES,
    CategoryFactory,
    ReplyTemplateFactory,
    assigned_case,
    local_dt,
    signed_case,
    submit_case,
    upload,
)

pytestmark = pytest.mark.django_db


def _refs(qs):
    return sorted(c.reference for c in qs)


def test_official_sees_only_their_units_cases(dept, unit, official, other_unit, other_official):
    mine = assigned_case(dept, unit)
    theirs = assigned_case(dept, other_unit)
    unassigned = submit_case()
    assert _refs(selectors.case_list_visible_to(user=official)) == [mine.reference]
    assert _refs(selectors.case_list_visible_to(user=other_official)) == [theirs.reference]
    assert _refs(selectors.case_list_visible_to(user=dept)) == sorted(
        [mine.reference, theirs.reference, unassigned.reference])
    with pytest.raises(PermissionDenied):
        selectors.case_timeline_for(case=theirs, user=official)
    with pytest.raises(PermissionDenied):
        selectors.case_attachments_for(case=theirs, user=official)
    # ... nor act on them.
    with pytest.raises(PermissionDenied):
        services.case_sign_for(case=theirs, actor=official)
    with pytest.raises(PermissionDenied):
        services.case_add_internal_note(case=theirs, actor=official, note="x")


def test_enterprise_user_sees_own_cases_and_the_admin_sees_the_enterprises(
        submitter, colleague, ent_admin, stranger):
    own = submit_case(submitter)
    colleagues = submit_case(colleague)
    submit_case(stranger)
    assert _refs(selectors.case_list_visible_to(user=submitter)) == [own.reference]
    assert _refs(selectors.case_list_visible_to(user=colleague)) == [colleagues.reference]
    assert _refs(selectors.case_list_visible_to(user=ent_admin)) == sorted(
        [own.reference, colleagues.reference])
    assert not selectors.case_list_visible_to(user=stranger).filter(pk=own.pk).exists()
    with pytest.raises(PermissionDenied):
        selectors.case_timeline_for(case=own, user=stranger)


def test_a_user_without_a_role_sees_nothing(db):
    from tests.factories import UserFactory

    submit_case()
    assert not selectors.case_list_visible_to(user=UserFactory()).exists()


def test_the_enterprise_timeline_has_no_internal_steps(dept, unit, official, submitter):
    case = signed_case(dept, unit, official, submitter=submitter)
    services.case_add_internal_note(case=case, actor=official, note="内部意见",
                                    files=[upload("内部.png", PNG_BYTES)])
    case = services.case_answer(case=case, actor=official, answer="答复")
    public = list(selectors.case_timeline_for(case=case, user=submitter))
    assert [e.action for e in public] == [Action.SUBMIT, Action.ACCEPT, Action.ASSIGN,
                                          Action.SIGN_FOR, Action.ANSWER]
    internal = [e.action for e in selectors.case_timeline_for(case=case, user=official)]
    assert Action.NOTE in internal
    assert not selectors.case_attachments_for(case=case, user=submitter).exists()
    assert selectors.case_attachments_for(case=case, user=official).count() == 1


def _step_rows(steps):
    """Every column of every step, and its files' ids, as a reader of the timeline gets them."""
    from portal.cases.models import CaseEvent

    fields = [f.attname for f in CaseEvent._meta.concrete_fields]
    return [(tuple(getattr(step, name) for name in fields), [a.pk for a in step.files])
            for step in steps]


def test_the_case_pages_written_out_timeline_read_gives_what_the_orm_read_gives(
        dept, unit, official, submitter, ent_admin, stranger):
    # Several steps in one instant (ties kept in id order), internal and public files
    with time_machine.travel(local_dt(2026, 3, 2, 9, 0), tick=False):
        case = signed_case(dept, unit, official, submitter=submitter)
        services.case_add_internal_note(case=case, actor=official, note="内部意见",
                                        files=[upload("内部.png", PNG_BYTES)])
    services.case_supplement(case=case, actor=submitter, note="补充",
                             files=[upload("补充.png", PNG_BYTES)])
    case = services.case_answer(case=case, actor=official, answer="答复",
                                files=[upload("答复.png", PNG_BYTES)])
    case.refresh_from_db()
    for viewer in (submitter, ent_admin, official, dept):
        fresh = type(case).objects.get(pk=case.pk)  # audience_of keeps its answer per object
        written_out = selectors.case_timeline_rows(case=fresh, user=viewer)
        assert _step_rows(written_out) == _step_rows(
            selectors.case_timeline_for(case=case, user=viewer, names=False)), viewer
    public = selectors.case_timeline_rows(case=case, user=submitter)
    assert Action.NOTE not in [e.action for e in public]
    assert sum(len(e.files) for e in public) == 2  # the supplement's and the answer's
    internal = selectors.case_timeline_rows(case=type(case).objects.get(pk=case.pk),
                                            user=official)
    assert sum(len(e.files) for e in internal) == 3
    assert [e.created_at for e in internal] == sorted(e.created_at for e in internal)
    with pytest.raises(PermissionDenied):
        selectors.case_timeline_rows(case=case, user=stranger)


def test_queue_filters(dept, unit, official):
    tax, land = CategoryFactory(), CategoryFactory()
    sub_tax = CategoryFactory(parent=tax)
    with time_machine.travel(local_dt(2026, 3, 2, 9, 0), tick=False):
        # Inquiry: due Wednesday 4 March; help request: due Monday 16 March.
        soon = signed_case(dept, unit, official, subtype=AppealType.INQUIRY, category=tax,
                           title="企业所得税汇算清缴")
        later = signed_case(dept, unit, official, subtype=AppealType.HELP, category=land,
                            title="用地规划许可")
        waiting = assigned_case(dept, unit, category=sub_tax, title="发票领用")
    queue = lambda **kw: _refs(selectors.case_queue(user=official, **kw))  # noqa: E731
    today = datetime.date(2026, 3, 5)
    assert queue(today=today, overdue=True) == [soon.reference]
    assert queue(today=datetime.date(2026, 3, 12), due_soon=True) == [later.reference]
    assert queue(status=Status.ASSIGNED) == [waiting.reference]
    assert queue(status=[Status.ASSIGNED, Status.SIGNED_FOR]) == sorted(
        [soon.reference, later.reference, waiting.reference])
    assert queue(category=tax) == sorted([soon.reference, waiting.reference])
    assert queue(search="所得税") == [soon.reference]
    assert queue(search="用地 许可") == [later.reference]
    assert queue(search=waiting.reference.lower()) == [waiting.reference]
    assert queue(search="不存在的词") == []
    # Most urgent first.
    assert [c.pk for c in selectors.case_queue(user=official, status=Status.SIGNED_FOR)] == [
        soon.pk, later.pk]


def test_unit_workload_counts_per_unit(dept, unit, official, other_unit):
    with time_machine.travel(local_dt(2026, 3, 2, 9, 0), tick=False):
        signed_case(dept, unit, official, subtype=AppealType.INQUIRY)  # due 4 March
        signed_case(dept, unit, official, subtype=AppealType.HELP)  # due 16 March
        assigned_case(dept, other_unit)
    SupervisionItem.objects.create(source="manual", unit=unit, target="t",
                                   due_date=datetime.date(2026, 4, 1))
    rows = {u.pk: u for u in selectors.unit_workload(user=dept, today=datetime.date(2026, 3, 5))}
    assert (rows[unit.pk].open_count, rows[unit.pk].overdue_count,
            rows[unit.pk].open_supervision_count) == (2, 1, 1)
    assert (rows[other_unit.pk].open_count, rows[other_unit.pk].overdue_count) == (1, 0)
    assert list(rows)[0] == unit.pk  # the most overdue first
    with pytest.raises(PermissionDenied):
        selectors.unit_workload(user=official)


def test_supervision_items_per_role(dept, unit, official, other_unit, other_official, submitter):
    mine = SupervisionItem.objects.create(source="manual", unit=unit, target="t",
                                          due_date=datetime.date(2026, 4, 1))
    SupervisionItem.objects.create(source="manual", unit=other_unit, target="t",
                                   due_date=datetime.date(2026, 4, 1),
                                   status=SupervisionStatus.CLOSED)
    assert list(selectors.supervision_items_visible_to(user=official)) == [mine]
    assert selectors.supervision_items_visible_to(user=dept).count() == 2
    assert selectors.supervision_items_visible_to(user=dept, status="open").count() == 1
    assert not selectors.supervision_items_visible_to(user=submitter).exists()


def test_reply_templates_are_the_units_own_and_shared(unit, official, other_unit, submitter):
    shared = ReplyTemplateFactory(unit=None)
    own = ReplyTemplateFactory(unit=unit)
    ReplyTemplateFactory(unit=other_unit)
    ReplyTemplateFactory(unit=unit, is_active=False)
    assert set(selectors.reply_templates_for(user=official)) == {shared, own}
    assert not selectors.reply_templates_for(user=submitter).exists()


def _warm_calendar():
    """Load the working-day calendar's cache (it re-reads its corrections now and then)."""
    from django.utils import timezone

    from portal.workdays.services import add_working_days

    add_working_days(timezone.localdate(), 1)


def _queries(fn):
    _warm_calendar()
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


@pytest.mark.parametrize("who", ["official", "dept", "ent_admin"])
def test_list_and_queue_use_a_fixed_number_of_queries(who, dept, unit, submitter,
                                                      django_assert_num_queries):
    """2 rows and 20 rows cost the same queries (no query per row)."""
    from portal.accounts.models import User

    official = unit_official(unit)
    ent_admin = enterprise_user(submitter.enterprise, admin=True)
    person = {"official": official, "dept": dept, "ent_admin": ent_admin}[who]

    def render():
        caches["permissions"].clear()  # the permissions read each time, as on a first page
        fresh = User.objects.get(pk=person.pk)  # no permission cache carried over
        rows = list(selectors.case_list_visible_to(user=fresh))
        queue = list(selectors.case_queue(user=fresh, due_soon=True, search="施工"))
        for case in rows + queue:  # what a list page shows of each row
            str(case.category), str(case.responsible_unit), str(case.enterprise)
            str(case.submitter), case.get_status_display()
        return rows

    for _ in range(2):
        signed_case(dept, unit, official, submitter=submitter)
    baseline = _queries(render)
    # The user, their permissions (one query), the list, the queue (the engine settings come
    # from the process's memory since issue 11; they were a fifth).
    assert baseline == 4
    for _ in range(18):
        signed_case(dept, unit, official, submitter=submitter)
    _warm_calendar()
    with django_assert_num_queries(baseline):
        assert len(render()) == 20
